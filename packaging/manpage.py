# SPDX-License-Identifier: Apache-2.0
"""Renders the command tree of cli_help.py as man pages: ipec(1) and one ipec-CMD(1) per command.

Every sentence comes from `--help`, except SEE ALSO (packaging/manpages.toml) and the date
(the newest packaging/changelog entry).
"""
import re


def _code(text):
    """Literal text (an option, a value, a path): minus signs, and never hyphenated."""
    return "\\%" + text.replace("\\", "\\e").replace("-", "\\-")


def _escape(text):
    """Plain text to roff: `code` in bold, options' minus signs, backslashes."""
    out = []
    for i, part in enumerate(re.split(r"`([^`]+)`", text)):
        if i % 2:
            out.append("\\fB" + _code(part) + "\\fR")
            continue
        part = part.replace("\\", "\\e")
        out.append(re.sub(r"(?<![\w-])-[-\w<>=]*", lambda m: "\\%" + m.group(0).replace("-", "\\-"), part))
    text = "".join(out)
    if text[:1] in (".", "'"):
        text = "\\&" + text
    return text


def _sentence(text):
    text = text.strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _name_summary(cmd):
    summary = cmd.summary
    if summary.startswith("ipec: "):
        summary = summary[len("ipec: "):]
    # lower the first letter unless it starts an acronym ("IPE")
    if len(summary) > 1 and not summary[1].isupper():
        summary = summary[:1].lower() + summary[1:]
    return summary.rstrip(".")


def page_name(cmd):
    return "-".join(["ipec"] + cmd.path)


def _synopsis(cmd):
    words = []
    for w in cmd.usage.split():
        if w in cmd.path:
            continue
        if w == "[OPTIONS]":
            words.append("[\\fIoptions\\fR]")
        elif w.startswith("[") and w.endswith("]"):
            words.append("[\\fI" + _escape(w[1:-1].lower()) + "\\fR]")
        elif w.endswith("..."):
            words.append("\\fI" + _escape(w[:-3]) + "\\fR...")
        else:
            words.append("\\fI" + _escape(w.lower() if w.isupper() else w) + "\\fR")
    return [".B " + _escape(cmd.name), " ".join(words)] if words else [".B " + _escape(cmd.name)]


def _option_head(opt):
    flags = ", ".join("\\fB" + _code(f) + "\\fR" for f in opt.flags)
    if not opt.takes_value:
        return flags
    value = "{" + ",".join(opt.choices) + "}" if opt.choices else opt.value
    sep = "=" if opt.flags[-1].startswith("--") else " "
    return flags + sep + "\\fI" + _code(value) + "\\fR" + ("..." if opt.repeatable else "")


def _option_body(opt):
    notes = []
    if opt.default:
        notes.append("default: \\fB" + _code(opt.default) + "\\fR")
    if opt.required:
        notes.append("required")
    if opt.excludes:
        notes.append("not with " + ", ".join("\\fB" + _code(e) + "\\fR" for e in opt.excludes))
    if opt.repeatable and "repeatable" not in opt.help:
        notes.append("repeatable")
    body = _escape(_sentence(opt.help))
    if not notes:
        return body
    return body.rstrip(".") + " (" + "; ".join(notes) + ")."


def _lists(cmd, level):
    out = []
    if cmd.positionals:
        out.append(level + " ARGUMENTS" if level == ".SH" else ".PP\nArguments:")
        for p in cmd.positionals:
            out += [".TP", "\\fI" + _escape(p.name) + "\\fR" + ("..." if p.repeatable else ""),
                    _escape(_sentence(p.help))]
    groups = []
    for opt in cmd.options:
        if opt.group not in groups:
            groups.append(opt.group)
    for group in groups:
        title = "OPTIONS" if group == "Options" else group.upper()
        out.append(level + " " + title if level == ".SH" else ".PP\n" + _escape(group) + ":")
        for opt in (o for o in cmd.options if o.group == group):
            out += [".TP", _option_head(opt), _option_body(opt)]
    return out


def _exit_status(text):
    items = re.split(r",\s+(?=\d+\s)", text.rstrip("."))
    if not all(re.match(r"\d+\s", i) for i in items):
        return [_escape(_sentence(text))]
    out = []
    for item in items:
        code, meaning = item.split(None, 1)
        out += [".TP", "\\fB" + code + "\\fR", _escape(_sentence(meaning))]
    return out


def _footer(cmd):
    """Footer paragraphs start with 'Label: '; 'Exit status' gets its own section."""
    notes, status = [], []
    for p in cmd.footer:
        if p.startswith("Exit status: "):
            status = _exit_status(p[len("Exit status: "):])
        else:
            notes += [".PP", _escape(p)]
    out = []
    if status:
        out += [".SH EXIT STATUS"] + status
    if notes:
        out += [".SH NOTES"] + notes[1:]
    return out


def see_also_docs(cmd, extra):
    """The documents named in SEE ALSO: the page's own, then those of every page."""
    own = extra.get(cmd.path[0] if cmd.path else "ipec", {}).get("see-also", [])
    return own + [d for d in extra.get("all", {}).get("see-also", []) if d not in own]


def _see_also(cmd, root, extra, docdir):
    pages = [page_name(s) for s in root.subcommands] if not cmd.path else ["ipec"]
    refs = [".BR " + _code(p) + " (1)" for p in pages]
    out = [".SH SEE ALSO"] + [r + "," for r in refs[:-1]] + refs[-1:]
    # one path a line: long paths cannot be adjusted in filled text
    return out + [".PP", ".nf"] + [_code(docdir + "/" + d) for d in see_also_docs(cmd, extra)] + [".fi"]


def render(cmd, root, extra, version, date, docdir):
    name = page_name(cmd)
    out = [
        ".\\\" Generated from 'ipec --help' by packaging/gen_cli_docs.py; do not edit.",
        f'.TH {_escape(name.upper())} 1 "{date}" "{_escape(version)}" "User Commands"',
        ".SH NAME",
        f"{_escape(name)} \\- {_escape(_name_summary(cmd))}",
        ".SH SYNOPSIS",
        *_synopsis(cmd),
        ".SH DESCRIPTION",
        _escape(_sentence(_name_summary(cmd))),
    ]
    out += _lists(cmd, ".SH")
    if cmd.subcommands:
        out.append(".SH COMMANDS")
        for sub in cmd.subcommands:
            if cmd.path:   # nested commands are described in their parent's page
                out += [".SS " + _escape(sub.name), *_synopsis(sub), ".PP",
                        _escape(_sentence(_name_summary(sub)))] + _lists(sub, ".SS")
            else:
                out += [".TP", "\\fB" + _escape(sub.path[-1]) + "\\fR",
                        _escape(_sentence(_name_summary(sub))) + " See",
                        ".BR " + _code(page_name(sub)) + " (1)."]
    out += _footer(cmd)
    out += _see_also(cmd, root, extra, docdir)
    return "\n".join(out) + "\n"
