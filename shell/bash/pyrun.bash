# pyrun hook for bash: printed by `pyrun hook bash`, evaluated by
#   eval "$(pyrun hook bash)"
#
# Strategy. _pyrun_hook runs first in PROMPT_COMMAND (string or the bash 5.1 array,
# registered once with exact matching). It keeps pyrun's shims first on PATH, exactly
# once, because activate scripts and `conda activate` put their own directories in
# front. Then it builds the change key: every variable the resolver reads (value and
# whether it is exported: the resolver only sees exported ones), and a few tests of
# the current directory by builtins ($PWD/.venv a directory? a symlink?
# $PWD/.python-version and .python-versions files?) and of the shims marker of the
# last answer. An unchanged key is the end of it: no process, nothing else read. A
# changed key runs the resolver (pyrun-resolve beside the shims: the shim binary, or
# shim.sh) once, in this directory with this environment, and reads its `kind=`,
# `label=`, `shims=` and `warning=` lines as text, never as code; shell/README.md is
# the contract and `pyrun which python --json` the reference. The answer is exported
# as PYRUN_ENV_KIND and PYRUN_ENV_NAME. When the marker is gone the shims changed
# (`pip uninstall black`): bash forgets the command paths it remembered (`hash -r`).
# The indicator `(NAME) ` goes in front of PS1 as a reference to the variable
# _pyrun_ps1 when `promptvars` is on, so a name is never expanded again; with
# promptvars off it is inserted as text with its backslashes doubled. Either way the
# hook removes exactly what it added before and leaves the rest of PS1 alone.
# Every command is called through `builtin`, and aliases are off while this file is
# read, so the user's functions and aliases change nothing. The user's `set -e` and
# `set -u` never stop it: the unchanged path is written to be safe under both, and the
# work of a change runs with `set +eu`, made local to it (`local -`), so the options
# stay the user's; nothing globs (failglob).
# A command bash does not find goes to command_not_found_handle: pyrun's asks pyrun
# whether it is a console script that another installer put where `python` points
# (`pyrun rehash --found NAME`), runs its new shim if so, else the handler that was
# there before (Debian's command-not-found), else bash's own message.
# Evaluating this file again redefines the functions and registers nothing twice.

\builtin shopt -q expand_aliases && _pyrun_aliases=1 || _pyrun_aliases=
\builtin shopt -u expand_aliases

_pyrun_shims=__PYRUN_SHIMS__
_pyrun_resolver=__PYRUN_RESOLVE__
_pyrun_python=__PYRUN_PYTHON__
# From config.toml when the hook was made (src/pyrun/config.py): the prompt setting
# (PYRUN_PROMPT wins) and the text around the name in prompt_format.
_pyrun_prompt=__PYRUN_PROMPT__
_pyrun_before=__PYRUN_PROMPT_BEFORE__
_pyrun_after=__PYRUN_PROMPT_AFTER__
# What the last prompt saw; kept across a second evaluation so the indicator it put
# in PS1 is still recognised and replaced, never doubled.
_pyrun_key=
_pyrun_shown=
_pyrun_path_seen=
_pyrun_mark=
_pyrun_ps1_seen=${_pyrun_ps1_seen-}
_pyrun_ps1_lit=${_pyrun_ps1_lit-}
_pyrun_ps1=${_pyrun_ps1-}
_pyrun_ind=
_pyrun_warned=
# Scratch values of one prompt, global because a bash `local` costs microseconds.
_pyrun_status=0
_pyrun_now=
_pyrun_files=
_pyrun_look=

# Shims first on PATH, and nowhere else on it.
_pyrun_fix_path() {
    builtin local rest=":${PATH-}:" new
    while [[ $rest == *":$_pyrun_shims:"* ]]; do
        rest=${rest//":$_pyrun_shims:"/:}
    done
    rest=${rest#:}
    rest=${rest%:}
    new=$_pyrun_shims${rest:+:$rest}
    if [[ $new != "${PATH-}" ]]; then
        PATH=$new
        builtin export PATH
        builtin hash -r
    fi
}

# Ask the resolver (in this directory, with this environment, reading nothing from
# the terminal) and export its answer. Its output is split into lines and each is
# taken as text after its `name=`: nothing of it is evaluated.
_pyrun_update() {
    builtin local out line kind='' label='' mark='' warnings=''
    # exec: the command substitution's own process becomes the resolver. Its text is
    # parsed again when it runs, aliases on: hence the backslash.
    out=$(\builtin exec "$_pyrun_resolver" </dev/null 2>/dev/null) || :
    while [[ -n $out ]]; do
        line=${out%%$'\n'*}
        if [[ $out == *$'\n'* ]]; then out=${out#*$'\n'}; else out=; fi
        case $line in
            kind=*) kind=${line#kind=} ;;
            label=*) label=${line#label=} ;;
            shims=*) mark=${line#shims=} ;;
            warning=*) warnings+=${line#warning=}$'\n' ;;
        esac
    done
    # No answer (no resolver, or it failed): say so rather than guess. The resolver
    # itself is then what the key watches, so a rehash that makes it is noticed.
    [[ -n $label ]] || label='pyrun?' kind=
    PYRUN_ENV_KIND=$kind
    PYRUN_ENV_NAME=$label
    builtin export PYRUN_ENV_KIND PYRUN_ENV_NAME
    _pyrun_mark=${mark:-$_pyrun_resolver}
    # A warning (an untrusted .venv skipped) is said once, not again while the next
    # answers repeat it.
    if [[ $warnings != "$_pyrun_warned" ]]; then
        builtin printf '%s' "$warnings" >&2
        _pyrun_warned=$warnings
    fi
}

# The indicator text for the current answer: none when turned off, or when the
# activate script or conda already shows the same environment.
_pyrun_choose() {
    _pyrun_ind=$_pyrun_before${PYRUN_ENV_NAME-}$_pyrun_after
    if [[ ${PYRUN_PROMPT:-$_pyrun_prompt} == 0 ]] ||
        [[ ${PYRUN_ENV_KIND-} == VIRTUAL_ENV && -z ${VIRTUAL_ENV_DISABLE_PROMPT-} ]] ||
        [[ ${PYRUN_ENV_KIND-} == CONDA_PREFIX && -n ${CONDA_PROMPT_MODIFIER-} ]]; then
        _pyrun_ind=
    fi
}

# Put the indicator in front of PS1, replacing the one this hook put there before.
_pyrun_show() {
    # The text below is a reference to a variable, kept literal on purpose.
    # shellcheck disable=SC2016
    builtin local ps1="$PS1" token='${_pyrun_ps1-}' text
    ps1=${ps1//"$token"/}
    if [[ -n $_pyrun_ps1_lit ]]; then
        if [[ $ps1 == "$_pyrun_ps1_lit"* ]]; then
            ps1=${ps1#"$_pyrun_ps1_lit"}
        else
            # After an activate script put its own text in front of it.
            ps1=${ps1/"$_pyrun_ps1_lit"/}
        fi
    fi
    if builtin shopt -q promptvars; then
        # PS1 is expanded once, then shown: the value of _pyrun_ps1 is not expanded
        # again, so `$(...)` or backticks in a name stay text.
        _pyrun_ps1=$_pyrun_ind
        _pyrun_ps1_lit=
        [[ -z $_pyrun_ind ]] || ps1=$token$ps1
    elif [[ -n $_pyrun_ind ]]; then
        # Without promptvars only backslash escapes are decoded (and `!` in posix mode).
        text=${_pyrun_ind//\\/\\\\}
        [[ ! -o posix ]] || text=${text//!/!!}
        _pyrun_ps1_lit=$text
        ps1=$text$ps1
    fi
    PS1=$ps1
    _pyrun_ps1_seen=$PS1
}

# A changed key: ask the resolver. `local -` keeps the user's `set` options outside:
# in here `set +eu` means no `set -e` exit and no unbound-variable error.
_pyrun_answer() {
    builtin local -
    builtin set +eu
    if [[ $PATH != "$_pyrun_path_seen" ]]; then
        _pyrun_fix_path
        _pyrun_path_seen=$PATH
    fi
    # The marker went away: a shim was made or removed (rehash, pip install or
    # uninstall); a remembered path may be gone, so forget them all.
    [[ $_pyrun_files != *m || $_pyrun_key == *m ]] || builtin hash -r
    _pyrun_update
    # The key as the next prompt will build it, with the new answer's marker.
    _pyrun_files=${_pyrun_files%m}
    [[ -z $_pyrun_mark || -e $_pyrun_mark ]] || _pyrun_files+=m
    _pyrun_key=$_pyrun_now$'\1'$_pyrun_files
    _pyrun_shown=
}

# Something that decides the indicator changed, or someone else set PS1 (an activate
# script, deactivate, the user): choose the indicator and show it again.
_pyrun_redraw() {
    builtin local -
    builtin set +eu
    _pyrun_shown=$_pyrun_look
    _pyrun_choose
    if [[ -n ${PS1+set} ]]; then
        _pyrun_show
    else
        _pyrun_ps1_seen=
    fi
}

# The work of one unchanged prompt, kept to expansions and tests: it runs before
# every prompt, and in bash each command, local variable and string compared costs
# microseconds. So no `local` (the scratch values are global _pyrun_ names), no
# `set` (every expansion below is safe under `set -u`; no test can trip `set -e`),
# and the work of a change is in the functions above.
_pyrun_hook() {
    _pyrun_status=$?
    # What the resolver reads, as one string compared with the last answer's: ${X@a}
    # holds `x` when X is exported (the resolver sees only those), and \1 separates
    # values. PATH is compared on its own and is not in it: it is the longest string
    # here, and bash compares strings a character at a time (about 20 ns each).
    _pyrun_now=${PWD-}$'\1'${VIRTUAL_ENV+${VIRTUAL_ENV@a}:$VIRTUAL_ENV}$'\1'${CONDA_PREFIX+${CONDA_PREFIX@a}:$CONDA_PREFIX}$'\1'${CONDA_DEFAULT_ENV+${CONDA_DEFAULT_ENV@a}:$CONDA_DEFAULT_ENV}$'\1'${_CONDA_ROOT+${_CONDA_ROOT@a}:$_CONDA_ROOT}$'\1'${PYRUN_TRUST+${PYRUN_TRUST@a}:$PYRUN_TRUST}$'\1'${PYRUN_PYTHON_VERSION_FILES+${PYRUN_PYTHON_VERSION_FILES@a}:$PYRUN_PYTHON_VERSION_FILES}$'\1'${PYRUN_SYSTEM_SITE_PACKAGES+${PYRUN_SYSTEM_SITE_PACKAGES@a}:$PYRUN_SYSTEM_SITE_PACKAGES}$'\1'${PYENV_VERSION+${PYENV_VERSION@a}:$PYENV_VERSION}$'\1'${PYENV_ROOT+${PYENV_ROOT@a}:$PYENV_ROOT}$'\1'${PYENV_DIR+${PYENV_DIR@a}:$PYENV_DIR}$'\1'${HOME+${HOME@a}:$HOME}$'\1'${XDG_CONFIG_HOME+${XDG_CONFIG_HOME@a}:$XDG_CONFIG_HOME}$'\1'${XDG_DATA_HOME+${XDG_DATA_HOME@a}:$XDG_DATA_HOME}$'\1'${UV_PYTHON_INSTALL_DIR+${UV_PYTHON_INSTALL_DIR@a}:$UV_PYTHON_INSTALL_DIR}
    # A .venv, .python-version or .python-versions made or removed here without a cd,
    # and the shims changing: a few stats, no process. Relative names are the real
    # working directory's, the one the resolver walks from, even where $PWD is stale.
    _pyrun_files=
    [[ -d .venv ]] && _pyrun_files=d
    [[ -L .venv ]] && _pyrun_files+=l
    [[ -f .venv ]] && _pyrun_files+=f  # a redirect file (or a link to one)
    [[ -f .python-version ]] && _pyrun_files+=v
    [[ -f .python-versions ]] && _pyrun_files+=s
    [[ -z $_pyrun_mark || -e $_pyrun_mark ]] || _pyrun_files+=m
    if [[ ${PATH-} != "$_pyrun_path_seen" || $_pyrun_now$'\1'$_pyrun_files != "$_pyrun_key" ]]; then
        _pyrun_answer
    fi
    # What decides the indicator, besides the answer. posix mode and promptvars are
    # asked by test and shopt: $SHELLOPTS and $BASHOPTS are rebuilt at every expansion.
    _pyrun_look=
    [[ -o posix ]] && _pyrun_look=p
    builtin shopt -q promptvars && _pyrun_look+=v
    _pyrun_look+=$'\1'${PYRUN_PROMPT-}$'\1'${VIRTUAL_ENV_DISABLE_PROMPT-}$'\1'${CONDA_PROMPT_MODIFIER-}
    if [[ $_pyrun_look != "$_pyrun_shown" || ${PS1-} != "$_pyrun_ps1_seen" ]]; then
        _pyrun_redraw
    fi
    builtin return "$_pyrun_status"
}

# PROMPT_COMMAND is a string before bash 5.1 and may be an array from 5.1 on; the
# hook goes first so the exported variables are current for the commands after it.
# Registration is exact (a whole element, or `;_pyrun_hook;`), so it happens once.
_pyrun_register() {
    builtin local cmd
    # ${var@a} tells an array without forking `declare -p`.
    if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
        for cmd in "${PROMPT_COMMAND[@]}"; do
            [[ $cmd != _pyrun_hook ]] || builtin return 0
        done
        PROMPT_COMMAND=(_pyrun_hook "${PROMPT_COMMAND[@]}")
    elif [[ ";${PROMPT_COMMAND-};" != *";_pyrun_hook;"* ]]; then
        # shellcheck disable=SC2128,SC2178  # this branch only runs when it is a string
        PROMPT_COMMAND="_pyrun_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
}

# A command bash did not find. bash runs the handler in the process it forked for the
# command, so nothing here changes the shell. NAME is the user's text: quoted
# throughout, passed as one argument, and judged by pyrun (shims.first_use: a console
# script name, never a system command's or a builtin's). One process asks; when it
# made the shim, the shim runs by its path (never by NAME, which would come back here)
# with the arguments, and its status is the command's.
_pyrun_not_found() {
    if [[ -n ${1-} && -x $_pyrun_python ]] &&
        "$_pyrun_python" -I -m pyrun rehash --found="$1" </dev/null >/dev/null; then
        "$_pyrun_shims/$1" "${@:2}"
        builtin return
    fi
    if builtin declare -F _pyrun_previous_not_found >/dev/null; then
        _pyrun_previous_not_found "$@"
        builtin return
    fi
    # No handler before pyrun's: bash's own message and 127, from bash itself.
    builtin unset -f command_not_found_handle
    "$@"
}

# Keep the handler that was there (one that is not already pyrun's) under another
# name: its definition as bash prints it, renamed. Nothing else is evaluated.
_pyrun_take_not_found() {
    builtin local previous
    builtin declare -F command_not_found_handle >/dev/null || builtin return 0
    previous=$(builtin declare -f command_not_found_handle)
    [[ $previous != *_pyrun_not_found* ]] || builtin return 0
    builtin eval "_pyrun_previous_not_found${previous#command_not_found_handle}"
}

_pyrun_take_not_found || :
command_not_found_handle() {
    _pyrun_not_found "$@"
}

_pyrun_register || :
_pyrun_hook
[[ -z $_pyrun_aliases ]] || \builtin shopt -s expand_aliases
