# SPDX-License-Identifier: Apache-2.0
"""Renders the command tree of cli_help.py as bash, zsh and fish completions.

Completed: subcommands, options, the values `--help` lists ({a,b,c}), and files for positionals
and for text values without a list (numeric values complete nothing).
"""

HEADER = "Generated from 'ipec --help' by packaging/gen_cli_docs.py; do not edit."


def _values(opt):
    """'file', 'none', or the list of choices."""
    if opt.choices:
        return opt.choices
    return "none" if opt.is_numeric else "file"


def _key(cmd):
    return " ".join(cmd.path)


def _sq(text):
    """A single-quoted bash or zsh word."""
    return "'" + text.replace("'", "'\\''") + "'"


def _fq(text):
    """A single-quoted fish word (fish unescapes \\ and \\' inside single quotes)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ---- bash -----------------------------------------------------------------------------------

def bash(root):
    cmds = list(root.walk())
    subs = [f'    {_sq(_key(c))}) echo {_sq(" ".join(s.path[-1] for s in c.subcommands))} ;;'
            for c in cmds if c.subcommands]
    opts = [f'    {_sq(_key(c))}) echo {_sq(" ".join(f for o in c.options for f in o.flags))} ;;'
            for c in cmds]
    files = [_sq(_key(c)) for c in cmds if c.positionals]
    vals = []
    for c in cmds:
        for o in c.options:
            if o.takes_value:
                v = _values(o)
                word = "@" + v if isinstance(v, str) else " ".join(v)
                pats = "|".join(_sq(_key(c) + ">" + f) for f in o.flags)
                vals.append(f"    {pats}) echo {_sq(word)} ;;")
    return "\n".join([
        f"# bash completion for ipec. {HEADER}",
        "_ipec_subcommands() {", '  case "$1" in', *subs, "  esac", "}",
        "_ipec_options() {", '  case "$1" in', *opts, "  esac", "}",
        "# The values of an option that takes one: a word list, @file or @none.",
        "_ipec_values() {", '  case "$1>$2" in', *vals, "    *) return 1 ;;", "  esac", "}",
        "_ipec_has_files() {", '  case "$1" in', f"    {'|'.join(files) or '@@'}) return 0 ;;",
        "  esac", "  return 1", "}",
        BASH_MAIN,
    ]) + "\n"


BASH_MAIN = r'''_ipec_files() {
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY+=($(compgen -f -- "$1"))
}
_ipec_complete_values() {
  local v
  v=$(_ipec_values "$1" "$2") || return 1
  case "$v" in
    @none) COMPREPLY=() ;;
    @file) COMPREPLY=(); _ipec_files "$3" ;;
    *) COMPREPLY=($(compgen -W "$v" -- "$3")) ;;
  esac
  return 0
}
_ipec() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path="" w i=1
  # Walk the words before the cursor: subcommands deepen the path, option values are skipped.
  while ((i < COMP_CWORD)); do
    w=${COMP_WORDS[i]}
    if [[ $w == -* ]]; then
      if [[ ${COMP_WORDS[i+1]} == "=" ]]; then ((i += 3)); continue; fi
      if _ipec_values "$path" "$w" >/dev/null && ((i + 1 < COMP_CWORD)); then ((i += 2)); continue; fi
    elif [[ " $(_ipec_subcommands "$path") " == *" $w "* ]]; then
      path=${path:+$path }$w
    fi
    ((i++))
  done
  # --opt=VALUE arrives as "--opt" "=" "VALUE" (= is a word break).
  if [[ $cur == "=" ]]; then _ipec_complete_values "$path" "$prev" "" && return; fi
  if [[ $prev == "=" ]]; then _ipec_complete_values "$path" "${COMP_WORDS[COMP_CWORD-2]}" "$cur" && return; fi
  if [[ $prev == -* ]] && _ipec_complete_values "$path" "$prev" "$cur"; then return; fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_ipec_options "$path")" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -W "$(_ipec_subcommands "$path")" -- "$cur"))
  if _ipec_has_files "$path"; then _ipec_files "$cur"; fi
}
complete -F _ipec ipec'''


# ---- zsh ------------------------------------------------------------------------------------

def _zq(text, colon=False):
    """Text inside an _arguments [description], or (colon) a _describe name."""
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return text.replace(":", "\\:") if colon else text


def _zsh_option(opt):
    excl = [f for f in opt.flags] + opt.excludes
    if "--help" in opt.flags:
        excl = ["-", "*"]
    prefix = "*" if opt.repeatable else f"({' '.join(excl)})"
    action = ""
    if opt.takes_value:
        v = _values(opt)
        what = opt.flags[-1].lstrip("-")
        action = ":" + what + ":" + ("_files" if v == "file" else " " if v == "none"
                                     else "(" + " ".join(v) + ")")
    specs = []
    for f in opt.flags:
        suffix = ("=" if f.startswith("--") else "+") if opt.takes_value else ""
        specs.append(_sq(f"{prefix}{f}{suffix}[{_zq(opt.help)}]{action}"))
    return specs


def _zsh_func(cmd):
    name = "_ipec" + "".join("__" + p.replace("-", "_") for p in cmd.path)
    args = [s for o in cmd.options for s in _zsh_option(o)]
    for i, p in enumerate(cmd.positionals, 1):
        args.append(_sq(f"{'*' if p.repeatable else i}:{_zq(p.name, True)}:_files"))
    body = [f"{name}() {{"]
    if cmd.subcommands:
        body += ["  local curcontext=$curcontext state line", "  typeset -A opt_args",
                 "  local -a commands", "  commands=("]
        body += [f"    {_sq(_zq(s.path[-1], True) + ':' + s.summary)}" for s in cmd.subcommands]
        body += ["  )"]
        args += ["'1:command:->command'", "'*::arg:->args'"]
        body.append("  _arguments -C -s \\\n    " + " \\\n    ".join(args))
        body += ["  case $state in", "    command) _describe -t commands command commands ;;",
                 "    args)", "      case $words[1] in"]
        body += [f"        {_sq(s.path[-1])}) {name}__{s.path[-1].replace('-', '_')} ;;"
                 for s in cmd.subcommands]
        body += ["      esac ;;", "  esac"]
    else:
        body.append("  _arguments -s \\\n    " + " \\\n    ".join(args))
    body.append("}")
    return "\n".join(body)


def zsh(root):
    funcs = [_zsh_func(c) for c in root.walk()]
    return "\n".join([f"#compdef ipec\n# zsh completion for ipec. {HEADER}", *funcs,
                      '_ipec "$@"']) + "\n"


# ---- fish -----------------------------------------------------------------------------------

def fish(root):
    cmds = list(root.walk())
    out = [f"# fish completion for ipec. {HEADER}",
           "# The subcommand path of the command line (options and their values skipped).",
           "function __ipec_path",
           "    set -l words (commandline -opc)",
           "    set -e words[1]",
           "    set -l path",
           "    set -l skip 0",
           "    for w in $words",
           "        if test $skip = 1",
           "            set skip 0",
           "        else if string match -q -- '-*' $w",
           "            if not string match -q -- '*=*' $w; and contains -- \"$path>$w\" $__ipec_valued",
           "                set skip 1",
           "            end",
           "        else if contains -- \"$path>$w\" $__ipec_children",
           "            set path (string trim -- \"$path $w\")",
           "        end",
           "    end",
           "    echo $path",
           "end",
           "function __ipec_at",
           "    set -l path (__ipec_path)",
           "    test \"$path\" = \"$argv[1]\"",
           "end"]
    valued = [_key(c) + ">" + f for c in cmds for o in c.options if o.takes_value for f in o.flags]
    children = [_key(c) + ">" + s.path[-1] for c in cmds for s in c.subcommands]
    out.append("set -g __ipec_valued " + " ".join(_fq(v) for v in valued))
    out.append("set -g __ipec_children " + " ".join(_fq(v) for v in children))
    out.append("complete -c ipec -f")
    for c in cmds:
        cond = "-n " + _fq("__ipec_at " + _fq(_key(c)))
        for s in c.subcommands:
            out.append(f"complete -c ipec {cond} -a {_fq(s.path[-1])} -d {_fq(s.summary)}")
        if c.positionals:
            out.append(f"complete -c ipec {cond} -F")
        for o in c.options:
            flags = " ".join(("-l " + f[2:]) if f.startswith("--") else ("-s " + f[1:])
                             for f in o.flags)
            value = ""
            if o.takes_value:
                v = _values(o)
                value = " -r -F" if v == "file" else " -x" if v == "none" else " -x -a " + _fq(" ".join(v))
            out.append(f"complete -c ipec {cond} {flags}{value} -d {_fq(o.help)}")
    return "\n".join(out) + "\n"
