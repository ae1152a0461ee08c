# SPDX-License-Identifier: Apache-2.0
"""Reads the command tree from the built binary's `--help` output (CLI11's layout).

`--help` is the one home of the command-line text: the man pages and the shell completions are
both generated from the model built here, so neither can drift from the binary.
"""
import re
import subprocess
from dataclasses import dataclass, field


@dataclass
class Option:
    flags: list          # ["-o", "--output"]
    help: str
    group: str           # the --help section it is listed in ("Options")
    value: str = ""      # the value's type ("TEXT", "UINT"); empty for a flag
    choices: list = field(default_factory=list)
    default: str = ""
    repeatable: bool = False
    required: bool = False
    excludes: list = field(default_factory=list)

    @property
    def takes_value(self):
        return bool(self.value)

    @property
    def is_numeric(self):
        return self.value in ("INT", "UINT", "FLOAT", "NUMBER")


@dataclass
class Positional:
    name: str
    help: str
    value: str = "TEXT"
    repeatable: bool = False
    required: bool = False


@dataclass
class Command:
    path: list           # [] for ipec itself, ["targets", "show"] for a nested one
    summary: str         # the description line(s) before Usage
    usage: str           # the Usage line after the program name
    options: list = field(default_factory=list)
    positionals: list = field(default_factory=list)
    subcommands: list = field(default_factory=list)   # Command
    footer: list = field(default_factory=list)        # paragraphs after the lists

    @property
    def name(self):
        return " ".join(["ipec"] + self.path)

    def walk(self):
        yield self
        for sub in self.subcommands:
            yield from sub.walk()


_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*(?=$|[:=])")


def _split_type(token):
    """'TEXT:{a,b}=a' -> ('TEXT', ['a', 'b'], 'a'); validators are ':'-joined, braces hold no '='."""
    depth, cut = 0, len(token)
    for i, ch in enumerate(token):
        depth += (ch == "{") - (ch == "}")
        if ch == "=" and depth == 0:
            cut = i
            break
    typed, default = token[:cut], token[cut + 1:]
    choices = re.search(r"\{([^}]*)\}", typed)
    return _TYPE.match(typed).group(0), [c for c in choices.group(1).split(",") if c] if choices else [], default


def _parse_head(head):
    """Splits '--format TEXT:{a,b}=a' or 'files TEXT ... REQUIRED' into its parts."""
    words = head.split()
    out = {"names": words[0], "value": "", "choices": [], "default": "", "repeatable": False,
           "required": False, "excludes": []}
    rest = words[1:]
    if rest and _TYPE.match(rest[0]) and rest[0] != "REQUIRED":
        out["value"], out["choices"], out["default"] = _split_type(rest[0])
        rest = rest[1:]
    mode = None
    for w in rest:
        if w == "...":
            out["repeatable"] = True
        elif w == "REQUIRED":
            out["required"] = True
        elif w.endswith(":"):
            mode = w[:-1]
        elif mode == "Excludes":
            out["excludes"].append(w)
    return out


def _entries(lines, column):
    """Yields (head, help) from an indented list, joining continuation lines.

    CLI11 pads a head shorter than the column and puts the description after it; a longer head
    gets the description on the next line, indented to the column."""
    head, text = None, []
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip(" "))
        if indent > 2 or not line.strip():
            if line.strip():
                text.append(line.strip())
            continue
        if head is not None:
            yield head, " ".join(text)
        body = line[indent:]
        gap = re.search(r"\S( {2,})\S", body)
        split = column - indent
        continued = i + 1 < len(lines) and lines[i + 1].startswith(" " * column)
        if gap:
            head, text = body[:gap.start(1)], [body[gap.end(1):].strip()]
        elif len(body) > split and body[split - 1] == " " and not continued:   # one space of padding
            head, text = body[:split].strip(), [body[split:].strip()]
        else:
            head, text = body.strip(), []
    if head is not None:
        yield head, " ".join(text)


def _help_column(lists):
    """The column where descriptions start (CLI11's default is 30)."""
    for _, lines in lists:
        for line in lines:
            m = re.match(r"^(  \S.*?\s{2,})\S", line)
            if m and len(m.group(1)) >= 4:
                return len(m.group(1))
    return 30


_LABEL = re.compile(r"^[A-Z][A-Za-z ]*(?: \([^)]*\))?: ")


def _paragraphs(lines):
    """Footer lines as paragraphs: a blank line or a 'Label: ' line starts a new one."""
    paras = []
    for line in lines:
        if not line.strip():
            paras.append("")
        elif _LABEL.match(line) or not paras:
            paras.append(line.strip())
        else:
            paras[-1] = (paras[-1] + " " + line.strip()).strip()
    return [p for p in paras if p]


def parse(text, path):
    lines = text.rstrip("\n").split("\n")
    usage_at = next(i for i, l in enumerate(lines) if l.startswith("Usage: "))
    summary = " ".join(l.strip() for l in lines[:usage_at] if l.strip())
    usage = lines[usage_at][len("Usage: "):].split(" ", 1)
    usage = usage[1] if len(usage) > 1 else ""
    # What follows is blank-line separated blocks: "Title:" lists, then free paragraphs.
    blocks, cur = [], []
    for line in lines[usage_at + 1:] + [""]:
        if line.strip():
            cur.append(line)
        elif cur:
            blocks.append(cur)
            cur = []
    lists = [(b[0][:-1], b[1:]) for b in blocks
             if b[0].endswith(":") and not b[0].startswith(" ") and all(l.startswith("  ") for l in b[1:])]
    footer = _paragraphs([l for b in blocks
                          if not (b[0].endswith(":") and all(l.startswith("  ") for l in b[1:]))
                          for l in b + [""]])
    cmd = Command(path=path, summary=summary, usage=usage, footer=footer)
    column = _help_column(lists)
    for title, body in lists:
        for head, help_text in _entries(body, column):
            p = _parse_head(head)
            if title == "Subcommands":
                cmd.subcommands.append(head.split()[0])
            elif title == "Positionals":
                cmd.positionals.append(Positional(p["names"], help_text, p["value"] or "TEXT",
                                                  p["repeatable"], p["required"]))
            else:
                cmd.options.append(Option(p["names"].split(","), help_text, title, p["value"],
                                          p["choices"], p["default"], p["repeatable"],
                                          p["required"], p["excludes"]))
    return cmd


def run_help(ipec, path):
    # argv[0] "ipec" so that Usage names the installed command, not the build path.
    res = subprocess.run(["ipec", *path, "--help"], executable=ipec, capture_output=True,
                         text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(f"{ipec} {' '.join(path)} --help exited {res.returncode}: {res.stderr}")
    return res.stdout


def load(ipec, path=None):
    """The whole command tree, by running `ipec [CMD...] --help` for every command."""
    path = path or []
    cmd = parse(run_help(ipec, path), path)
    cmd.subcommands = [load(ipec, path + [name]) for name in cmd.subcommands]
    return cmd
