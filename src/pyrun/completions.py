"""``pyrun completions bash|zsh|fish``: a completion script made from pyrun's own parser.

Why generated: a hand-written script drifts the first time a command or option is
added. Here the subcommands, their options and their help come from walking the
argparse parser that cli.py parses with (parser.py, `spec`), so every command
registered there completes the day it is added, and the three shells offer the same
words.

What each argument completes to is read from the argparse action, not kept in a list:
``choices`` are offered as they are; an argument whose ``dest`` names a kind in
`KINDS` (``shell`` for hook/init/doctor, ``name`` for which/why, ``source`` for
``repair --from``) gets that kind's words. Shim and environment names are listed from
the shims and ``envs`` directories when TAB is pressed (the paths are filled in when
the script is printed, as `pyrun hook` does), so a new ``python3.X`` shim completes
without regenerating the script; no completion runs Python.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass

from pyrun.parser import build_parser
from pyrun.paths import Paths
from pyrun.shells import ALIASES, SHELLS, quote_fish, quote_posix
from pyrun.shims import BASE_NAMES

SHELL_NAMES = ("bash", "zsh", "fish")  # the shells this command writes scripts for

# What an argument (by its argparse dest) completes to, when it has no `choices`.
KINDS = {"shell": "shells", "name": "shims", "source": "envs"}


@dataclass(frozen=True)
class Argument:
    """An option (``flags`` set) or a positional, and the words it completes to.

    ``kind`` is "" for an option that takes no value (or a value nothing can guess,
    when ``takes_value``), "choices" (``words``), "shells", "shims" or "envs".
    """

    flags: tuple[str, ...]
    help: str
    takes_value: bool
    kind: str
    words: tuple[str, ...]
    title: str  # the value's name, for zsh's message line


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    options: tuple[Argument, ...]
    positionals: tuple[Argument, ...]


@dataclass(frozen=True)
class Spec:
    options: tuple[Argument, ...]
    commands: tuple[Command, ...]


def _help(action: argparse.Action) -> str:
    text = action.help if isinstance(action.help, str) else ""
    return " ".join(text.replace("%%", "%").split())


def _argument(action: argparse.Action) -> Argument:
    takes_value = action.nargs != 0
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        kind, words = "choices", tuple(str(choice) for choice in action.choices)
    else:
        kind = KINDS.get(action.dest, "") if takes_value else ""
        words = tuple(sorted(SHELLS)) + tuple(sorted(ALIASES)) if kind == "shells" else ()
    title = action.metavar if isinstance(action.metavar, str) else action.dest
    return Argument(
        tuple(action.option_strings), _help(action), takes_value, kind, words, title.lower()
    )


def _arguments(parser: argparse.ArgumentParser) -> tuple[list[Argument], list[Argument]]:
    options, positionals = [], []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        if action.option_strings:
            options.append(_argument(action))
        elif action.nargs not in (argparse.REMAINDER, "*", "+"):
            positionals.append(_argument(action))  # one word each (nargs None or "?")
    return options, positionals


def spec(parser: argparse.ArgumentParser) -> Spec:
    """Everything a completion script needs, read from the parser that parser.py builds."""
    options, _ = _arguments(parser)
    commands = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: _help(choice) for choice in action._choices_actions}
        for name, sub in action.choices.items():
            if name not in helps:  # no help given: a hidden command
                continue
            sub_options, sub_positionals = _arguments(sub)
            commands.append(Command(name, helps[name], tuple(sub_options), tuple(sub_positionals)))
    return Spec(tuple(options), tuple(commands))


# -- bash ---------------------------------------------------------------------------------


def _bash_words(argument: Argument) -> str:
    """Statements that set `words` to what `argument` completes to (no process)."""
    if argument.kind == "shims":
        return "_pyrun_list shims"
    if argument.kind == "envs":
        return "_pyrun_list envs"
    return f"words=({' '.join(quote_posix(word) for word in argument.words)})"


def render_bash(parsed: Spec, paths: Paths) -> str:
    names = " ".join(BASE_NAMES)
    value_cases = []
    value_words = []
    command_cases = []
    for command in parsed.commands:
        flags = [flag for option in command.options for flag in option.flags]
        for option in command.options:
            if option.takes_value:
                for flag in option.flags:
                    value_cases.append(quote_posix(f"{command.name} {flag}"))
                    value_words.append(
                        f"        {quote_posix(f'{command.name} {flag}')}) {_bash_words(option)} ;;"
                    )
        lines = [
            f"        {quote_posix(command.name)})",
            "            if [[ $cur == -* ]]; then",
            f"                words=({' '.join(quote_posix(flag) for flag in flags)})",
        ]
        for index, positional in enumerate(command.positionals):
            if positional.kind:
                lines += [
                    f"            elif ((nargs == {index})); then",
                    f"                {_bash_words(positional)}",
                ]
        lines += ["            fi", "            ;;"]
        command_cases += lines
    top_flags = " ".join(quote_posix(flag) for option in parsed.options for flag in option.flags)
    commands = " ".join(quote_posix(command.name) for command in parsed.commands)
    value_case = "|".join(value_cases) or "''"
    return f"""\
# bash completion for pyrun, made by `pyrun completions bash` from pyrun's own parser.
# Enable it with this line in ~/.bashrc (after the pyrun hook line, if any):
#     eval "$(pyrun completions bash)"

# _pyrun_list shims|envs: the names in pyrun's shims or envs directory, into `words`.
_pyrun_list() {{
    local dir entry
    words=()
    case $1 in
        shims) dir={quote_posix(str(paths.shims))} ;;
        *) dir={quote_posix(str(paths.envs))} ;;
    esac
    while IFS='' read -r entry; do
        case ${{entry##*/}} in .* | pyrun) continue ;; esac  # pyrun: itself, no shim
        if [[ $1 == shims && -x $entry && ! -d $entry ]] || [[ $1 == envs && -d $entry ]]; then
            words+=("${{entry##*/}}")
        fi
    done < <(compgen -G "$dir/*")
    if [[ $1 == shims && ${{#words[@]}} -eq 0 ]]; then
        words=({names})
    fi
}}

# _pyrun_takes_value COMMAND OPTION: whether OPTION of COMMAND reads the next word.
_pyrun_takes_value() {{
    case "$1 $2" in
        {value_case}) return 0 ;;
    esac
    return 1
}}

_pyrun() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev='' cmd='' word i nargs=0 skip=0
    local -a words=()
    COMPREPLY=()
    if ((COMP_CWORD > 0)); then prev=${{COMP_WORDS[COMP_CWORD - 1]}}; fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
        if ((skip)); then
            skip=0
        elif [[ -z $cmd ]]; then
            if [[ $word != -* ]]; then cmd=$word; fi
        elif [[ $word == -- ]]; then
            return 0  # what follows -- is another program's
        elif [[ $word == -* ]]; then
            if _pyrun_takes_value "$cmd" "$word"; then skip=1; fi
        else
            nargs=$((nargs + 1))
        fi
    done
    if [[ -n $cmd ]] && _pyrun_takes_value "$cmd" "$prev"; then
        case "$cmd $prev" in
{chr(10).join(value_words)}
        esac
    else
        case $cmd in
        '')
            if [[ $cur == -* ]]; then
                words=({top_flags})
            else
                words=({commands})
            fi
            ;;
{chr(10).join(command_cases)}
        esac
    fi
    for word in "${{words[@]}}"; do
        if [[ $word == "$cur"* ]]; then COMPREPLY+=("$word"); fi
    done
    return 0
}}

complete -F _pyrun pyrun
"""


# -- zsh ----------------------------------------------------------------------------------


def _zsh_bracket(text: str) -> str:
    """Help text for an _arguments [description]: brackets and backslashes escaped."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _zsh_action(argument: Argument) -> str:
    if argument.kind == "shims":
        return "_pyrun_shims"
    if argument.kind == "envs":
        return "_pyrun_envs"
    if argument.words:
        return "(" + " ".join(argument.words) + ")"
    return " "


def _zsh_value(text: str) -> str:
    """A word for an _arguments spec's message or action: colons escaped."""
    return text.replace("\\", "\\\\").replace(":", "\\:")


def _zsh_specs(options: Iterable[Argument], positionals: Iterable[Argument]) -> list[str]:
    specs = []
    for option in options:
        for flag in option.flags:
            spec_ = f"{flag}[{_zsh_bracket(option.help)}]"
            if option.takes_value:
                spec_ += f":{_zsh_value(option.title)}:{_zsh_value(_zsh_action(option))}"
            if flag in ("-h", "--help", "--version"):
                spec_ = "(- *)" + spec_  # nothing else after these
            specs.append(quote_posix(spec_))
    for index, positional in enumerate(positionals, start=1):
        if positional.kind:
            message = _zsh_value(positional.title)
            specs.append(quote_posix(f"{index}::{message}:{_zsh_value(_zsh_action(positional))}"))
    return specs


def render_zsh(parsed: Spec, paths: Paths) -> str:
    names = " ".join(BASE_NAMES)
    joiner = " \\\n            "
    commands = "\n".join(
        "            " + quote_posix(f"{command.name.replace(':', chr(92) + ':')}:{command.help}")
        for command in parsed.commands
    )
    cases = []
    for command in parsed.commands:
        specs = (joiner + "    ").join(_zsh_specs(command.options, command.positionals))
        cases.append(
            f"        {quote_posix(command.name)})\n"
            f"            _arguments -s{joiner}    {specs} && ret=0\n"
            "            ;;"
        )
    top = joiner.join(_zsh_specs(parsed.options, ()))
    return f"""\
#compdef pyrun
# zsh completion for pyrun, made by `pyrun completions zsh` from pyrun's own parser.
# Enable it with this line in ~/.zshrc, after compinit:
#     source <(pyrun completions zsh)
# or save it as _pyrun in a directory on $fpath (before compinit runs).

# The names in pyrun's shims and envs directories, listed when TAB is pressed.
# (_arguments passes compadd options as arguments: these take none of their own.)
_pyrun_shims() {{
    local -a names
    names=({quote_posix(str(paths.shims))}/*(N-*:t))
    names=(${{names:#.*}})
    names=(${{names:#pyrun}})  # the link to pyrun itself, no shim
    (( $#names )) || names=({names})
    _describe -t shims 'shim name' names
}}

_pyrun_envs() {{
    local -a names
    names=({quote_posix(str(paths.envs))}/*(N/:t))
    names=(${{names:#.*}})
    _describe -t environments 'isolated environment' names
}}

_pyrun() {{
    local curcontext=$curcontext state state_descr line ret=1
    local -A opt_args
    _arguments -C{joiner}{top}{joiner}'1: :->command'{joiner}'*:: :->argument' && ret=0
    case $state in
    command)
        local -a commands
        commands=(
{commands}
        )
        _describe -t commands 'pyrun command' commands && ret=0
        ;;
    argument)
        curcontext=${{curcontext%:*:*}}:pyrun-$words[1]:
        case $words[1] in
{chr(10).join(cases)}
        esac
        ;;
    esac
    return ret
}}

if [[ ${{zsh_eval_context[-1]}} == loadautofunc ]]; then
    _pyrun "$@"
else
    compdef _pyrun pyrun
fi
"""


# -- fish ---------------------------------------------------------------------------------


def _fish_args(argument: Argument) -> str:
    if argument.kind == "shims":
        return "-a '(__pyrun_list shims)'"
    if argument.kind == "envs":
        return "-a '(__pyrun_list envs)'"
    if argument.words:
        return "-a " + quote_fish(" ".join(argument.words))
    return ""


def _fish_option(condition: str, option: Argument) -> str:
    parts = ["complete -c pyrun -n", quote_fish(condition)]
    for flag in option.flags:
        if flag.startswith("--"):
            parts += ["-l", flag[2:]]
        elif len(flag) == 2:
            parts += ["-s", flag[1:]]
        else:
            parts += ["-o", flag[1:]]
    if option.takes_value:
        parts.append("-x")
        if _fish_args(option):
            parts.append(_fish_args(option))
    if option.help:
        parts += ["-d", quote_fish(option.help)]
    return " ".join(parts)


def render_fish(parsed: Spec, paths: Paths) -> str:
    names = " ".join(BASE_NAMES)
    lines = []
    for option in parsed.options:
        lines.append(_fish_option("__pyrun_at 0", option))
    for command in parsed.commands:
        lines.append(
            f"complete -c pyrun -n '__pyrun_at 0' -a {quote_fish(command.name)} "
            f"-d {quote_fish(command.help)}"
        )
    for command in parsed.commands:
        for option in command.options:
            lines.append(_fish_option(f"__pyrun_in {command.name}", option))
        for index, positional in enumerate(command.positionals, start=1):
            if positional.kind:
                lines.append(
                    f"complete -c pyrun -n {quote_fish(f'__pyrun_at {index} {command.name}')} "
                    f"{_fish_args(positional)}"
                )
    value_options = " ".join(
        quote_fish(f"{command.name} {flag}")
        for command in parsed.commands
        for option in command.options
        if option.takes_value
        for flag in option.flags
    )
    return f"""\
# fish completion for pyrun, made by `pyrun completions fish` from pyrun's own parser.
# Enable it with:
#     pyrun completions fish > ~/.config/fish/completions/pyrun.fish

# The subcommand and the positional arguments typed so far (option values skipped).
function __pyrun_words
    set -l takes_value {value_options}
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l out
    set -l skip 0
    for token in $tokens
        if test $skip = 1
            set skip 0
        else if test "$token" = --
            set -a out --
        else if string match -q -- '-*' $token
            if contains -- "$out[1] $token" $takes_value
                set skip 1
            end
        else
            set -a out $token
        end
    end
    for word in $out  # (printf with no words would still print an empty line)
        echo $word
    end
end

# __pyrun_at N [COMMAND]: N words typed so far (after COMMAND, when named).
function __pyrun_at
    set -l words (__pyrun_words)
    if set -q argv[2]; and test "$words[1]" != "$argv[2]"
        return 1
    end
    test (count $words) -eq $argv[1]
end

function __pyrun_in
    set -l words (__pyrun_words)
    test "$words[1]" = "$argv[1]"
end

# __pyrun_list shims|envs: the names in pyrun's shims or envs directory.
function __pyrun_list
    if test "$argv[1]" = shims
        set -l found
        for entry in {quote_fish(str(paths.shims))}/*
            set -l name (string replace -r '.*/' '' -- $entry)
            # (pyrun there is the link to pyrun itself, no shim)
            if test -x $entry; and not test -d $entry; and test "$name" != pyrun
                set -a found $name
            end
        end
        if test (count $found) -eq 0
            set found {names}
        end
        printf '%s\\n' $found
    else
        for entry in {quote_fish(str(paths.envs))}/*
            if test -d $entry
                string replace -r '.*/' '' -- $entry
            end
        end
    end
end

complete -c pyrun -e
complete -c pyrun -f
{chr(10).join(lines)}
"""


RENDERERS = {"bash": render_bash, "zsh": render_zsh, "fish": render_fish}


def run(shell: str) -> int:
    text = RENDERERS[shell](spec(build_parser()), Paths.from_env())
    print(text, end="")
    return 0
