#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the TextMate grammar of IPE policies from the spellings in stdlib/.

  generate.py [--root DIR]           rewrite syntaxes/ipe-policy.tmLanguage.json
  generate.py --check [--root DIR]   exit 1 when the committed grammar is not what stdlib/ gives

The spellings (ops, property keys, values, digest algorithms, keywords) live only in stdlib/;
this script reads the .def files and catalog.h/.cpp so that the grammar cannot drift from them.
The grammar mirrors the kernel's scanner: `#` cuts a line anywhere (even inside a value), only
space and TAB separate tokens, everything is case-sensitive, and a value is the rest of its
token. A lone CR ends a line for the kernel, so it ends comments and tokens here too (VS Code
itself breaks lines at a lone CR; the test tool does not).
"""
import argparse
import json
import os
import re
import sys

SCOPE = "ipe-policy"
HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "ipe-policy.tmLanguage.json")

# A token starts after a delimiter (or at the line start) and may hold any other byte.
START = r"(?<![^ \t\r])"
VALUE = r"[^ \t#\r\n]"
# A token ends at a delimiter, a comment or the line end. The kernel also strips trailing
# \v and \f (its isspace) from a line, so a token followed only by those still ends there.
# Its isspace also holds the byte 0xA0, but U+00A0 is two bytes in UTF-8 and only the second
# would go: that one is not whitespace here.
END = r"(?=[ \t\r#]|[\x{0B}\x{0C} \t]*$)"


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def macro_rows(text, macro):
    """The argument lists of every `MACRO(...)` line of a .def file, split at commas."""
    rows = []
    for m in re.finditer(rf"^{macro}\((.*)\)\s*$", text, re.M):
        rows.append([a.strip().strip('"') for a in m.group(1).split(",")])
    if not rows:
        sys.exit(f"generate.py: no {macro}(...) line found")
    return rows


def constant(text, name):
    m = re.search(rf'{name}\s*=\s*"([^"]*)"', text)
    if not m:
        sys.exit(f"generate.py: {name} not found in stdlib/catalog.h")
    return m.group(1)


def catalog(root):
    """Every spelling the grammar needs, taken from stdlib/."""
    header = read(root, "stdlib/catalog.h")
    actions = re.findall(r'case Action::\w+:\s*return "(\w+)";', read(root, "stdlib/catalog.cpp"))
    if not actions:
        sys.exit("generate.py: no action spelling found in stdlib/catalog.cpp")
    values = {}
    for domain, _enum, spelling, *_rest in macro_rows(read(root, "stdlib/values.def"), "IPEC_VALUE"):
        values.setdefault(domain, []).append(spelling)
    props = {}
    for _enum, key, domain, *_rest in macro_rows(read(root, "stdlib/properties.def"), "IPEC_PROP"):
        props.setdefault(domain, []).append(key)
    return {
        "default": constant(header, "kDefaultKeyword"),
        "op": constant(header, "kOpPrefix").rstrip("="),
        "action": constant(header, "kActionPrefix").rstrip("="),
        "policy_name": constant(header, "kPolicyNamePrefix").rstrip("="),
        "policy_version": constant(header, "kPolicyVersionPrefix").rstrip("="),
        "actions": actions,
        "ops": [r[1] for r in macro_rows(read(root, "stdlib/ops.def"), "IPEC_OP")],
        "algs": [r[1] for r in macro_rows(read(root, "stdlib/digest_algs.def"), "IPEC_DIGEST_ALG")],
        "values": values,
        "props": props,
    }


def alt(words):
    # Longest first, so that no spelling hides a longer one that shares its start.
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def kebab(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def keyed(key, key_scope, value_alternatives, others_invalid=True):
    """A `key=value` token (key is a regex): each alternative is (regex, {group offset: scope}),
    then any other non-empty value, which is invalid unless others_invalid is false. An empty
    value is no match (the kernel's `%s` wants a character)."""
    parts, captures, group = [], {"1": key_scope, "2": f"punctuation.separator.key-value.{SCOPE}"}, 3
    for regex, scopes in value_alternatives:
        for offset, scope in scopes.items():
            captures[str(group + offset)] = scope
        parts.append(regex)
        group += len(scopes)
    if others_invalid:
        parts.append(f"({VALUE}+)")
        captures[str(group)] = f"invalid.illegal.value.{SCOPE}"
    return {
        "match": f"{START}({key})(=)(?:{'|'.join(parts)}){END}",
        "captures": {k: {"name": v} for k, v in captures.items()},
    }


def u16():
    """A kstrtou16 component: an optional `+`, then a decimal value up to 65535."""
    return (r"\+?0*(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}"
            r"|[1-5][0-9]{4}|[0-9]{1,4})")


def grammar(c):
    repo = {
        "comment": {
            "name": f"comment.line.number-sign.{SCOPE}",
            "match": r"(#)[^\r\n]*",
            "captures": {"1": {"name": f"punctuation.definition.comment.{SCOPE}"}},
        },
        "header": {"patterns": [
            keyed(re.escape(c["policy_name"]), f"keyword.other.header.{SCOPE}",
                  [(f"({VALUE}+)", {0: f"string.unquoted.policy-name.{SCOPE}"})],
                  others_invalid=False),
            keyed(re.escape(c["policy_version"]), f"keyword.other.header.{SCOPE}",
                  [(rf"({u16()}\.{u16()}\.{u16()})", {0: f"constant.numeric.version.{SCOPE}"})]),
        ]},
        "default": {
            "name": f"keyword.control.default.{SCOPE}",
            "match": f"{START}{re.escape(c['default'])}{END}",
        },
        "op": keyed(re.escape(c["op"]), f"keyword.other.op.{SCOPE}",
                    [(f"({alt(c['ops'])})", {0: f"support.constant.op.{SCOPE}"})]),
        "action": keyed(re.escape(c["action"]), f"keyword.other.action.{SCOPE}",
                        [(f"({re.escape(a)})", {0: f"constant.language.action.{a.lower()}.{SCOPE}"})
                         for a in c["actions"]]),
        "property": {"patterns": [property_pattern(c, domain, keys)
                                  for domain, keys in c["props"].items()]},
        "unknown": {"name": f"invalid.illegal.unknown-token.{SCOPE}", "match": f"{START}{VALUE}+"},
    }
    order = ["comment", "header", "default", "op", "action", "property", "unknown"]
    return {
        "name": "IPE policy",
        "scopeName": f"source.{SCOPE}",
        "comment": "Generated by syntaxes/generate.py from stdlib/; do not edit by hand",
        "patterns": [{"include": f"#{name}"} for name in order],
        "repository": repo,
    }


def property_pattern(c, domain, keys):
    key_scope = f"entity.other.attribute-name.property.{SCOPE}"
    if domain == "Digest":
        # ipe_digest_parse: any algorithm name (even empty) up to the first `:`, then pairs of
        # hex digits (hex2bin takes both cases). Known names and others are told apart.
        digest = (f"(?:({alt(c['algs'])})|([^ \\t#\\r\\n:]*))(:)((?:[0-9A-Fa-f]{{2}})*)")
        alts = [(digest, {0: f"support.constant.digest-algorithm.{SCOPE}",
                          1: f"variable.other.digest-algorithm.{SCOPE}",
                          2: f"punctuation.separator.digest.{SCOPE}",
                          3: f"constant.numeric.hex.digest.{SCOPE}"})]
    else:
        name = "boolean" if domain == "Bool" else kebab(domain)
        alts = [(f"({alt(c['values'][domain])})", {0: f"constant.language.{name}.{SCOPE}"})]
    return keyed(alt(keys), key_scope, alts)


def render(root):
    return json.dumps(grammar(catalog(root)), indent=2) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(HERE))))
    args = ap.parse_args()
    text = render(args.root)
    if args.check:
        current = open(OUTPUT, encoding="utf-8").read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print("syntaxes/ipe-policy.tmLanguage.json is not what stdlib/ gives: "
                  "run editors/vscode/syntaxes/generate.py")
            return 1
        print("grammar matches stdlib/")
        return 0
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
