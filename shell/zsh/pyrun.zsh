# pyrun hook for zsh: printed by `pyrun hook zsh`, evaluated by
#   eval "$(pyrun hook zsh)"
#
# Strategy. _pyrun_hook runs first in precmd_functions. It keeps pyrun's shims first
# on PATH, exactly once, because activate scripts and `conda activate` put their own
# directories in front. Then it builds the change key: every variable the resolver
# reads (value and whether it is exported: the resolver only sees exported ones), and
# a few tests of the current directory ($PWD/.venv a directory? a symlink?
# $PWD/.python-version and .python-versions files?) and of the shims marker of the
# last answer. An unchanged key is the end of it: no process, nothing else read. A
# changed key runs the resolver (pyrun-resolve beside the shims: the shim binary, or
# shim.sh) once, in this directory with this environment, and reads its `kind=`,
# `label=`, `shims=` and `warning=` lines as text, never as code; shell/README.md is
# the contract and `pyrun which python --json` the reference. The answer is exported
# as PYRUN_ENV_KIND and PYRUN_ENV_NAME. When the marker is gone the shims changed
# (`pip install` or `pip uninstall` made or removed one): zsh forgets the command
# paths it remembered (`rehash`).
# _pyrun_prompt runs last in precmd_functions and puts the indicator `(NAME) ` in
# front of PROMPT with `%` doubled; under PROMPT_SUBST as a reference to the variable
# _pyrun_ps1, whose value zsh does not substitute again. It removes exactly what it
# added before and leaves the rest alone. Prompt themes (promptinit's `prompt adam1`,
# oh-my-zsh themes) rebuild PROMPT in a precmd function of their own, often added
# after this hook: so _pyrun_prompt moves itself back to the end of precmd_functions
# whenever something was added after it, and adds the indicator again to whatever
# PROMPT the theme made. A theme added after the hook misses the indicator on the
# next prompt only (zsh runs the list it had when that prompt began).
# Commands are quoted ('builtin' ...) so no alias or function of the user's replaces
# them; every function starts with `emulate -L zsh`, so the user's options (`emulate
# sh`, ksh_arrays, sh_word_split, nounset, ...) do not change how it runs. No module
# is loaded. A command zsh does not find goes to command_not_found_handler: pyrun's
# asks pyrun whether it is a console script another installer put where `python`
# points (`pyrun rehash --found NAME`), runs its new shim if so, else the handler that
# was there before, else zsh's own message. Evaluating this file again redefines the
# functions and registers nothing twice.

'builtin' 'typeset' -g _pyrun_shims=__PYRUN_SHIMS__
'builtin' 'typeset' -g _pyrun_resolver=__PYRUN_RESOLVE__
'builtin' 'typeset' -g _pyrun_python=__PYRUN_PYTHON__
# From config.toml when the hook was made (src/pyrun/config.py): the prompt setting
# (PYRUN_PROMPT wins) and the text around the name in prompt_format.
'builtin' 'typeset' -g _pyrun_prompt=__PYRUN_PROMPT__
'builtin' 'typeset' -g _pyrun_before=__PYRUN_PROMPT_BEFORE__
'builtin' 'typeset' -g _pyrun_after=__PYRUN_PROMPT_AFTER__
# What the last prompt saw; kept across a second evaluation so the indicator it put
# in PROMPT is still recognised and replaced, never doubled.
'builtin' 'typeset' -g _pyrun_key='' _pyrun_shown='' _pyrun_path_seen='' _pyrun_mark=''
'builtin' 'typeset' -g _pyrun_ps1_seen="${_pyrun_ps1_seen-}"
'builtin' 'typeset' -g _pyrun_ps1_lit="${_pyrun_ps1_lit-}"
'builtin' 'typeset' -g _pyrun_ps1="${_pyrun_ps1-}"
'builtin' 'typeset' -g _pyrun_ind='' _pyrun_warned=''

# Ask the resolver (in this directory, with this environment, reading nothing from
# the terminal) and export its answer. Its output is split into lines and each is
# taken as text after its `name=`: nothing of it is evaluated.
_pyrun_update() {
    'builtin' 'emulate' -L zsh
    'builtin' 'local' out line kind='' label='' mark='' warnings=''
    # exec: the command substitution's own process becomes the resolver.
    out=$('builtin' 'exec' $_pyrun_resolver </dev/null 2>/dev/null)
    for line in "${(@f)out}"; do
        case $line in
            (kind=*) kind=${line#kind=} ;;
            (label=*) label=${line#label=} ;;
            (shims=*) mark=${line#shims=} ;;
            (warning=*) warnings+=${line#warning=}$'\n' ;;
        esac
    done
    # No answer (no resolver, or it failed): say so rather than guess. The resolver
    # itself is then what the key watches, so a rehash that makes it is noticed.
    if [[ -z $label ]]; then
        label='pyrun?' kind=''
    fi
    'builtin' 'export' PYRUN_ENV_KIND=$kind PYRUN_ENV_NAME=$label
    _pyrun_mark=${mark:-$_pyrun_resolver}
    # A warning (an untrusted .venv skipped) is said once, not again while the next
    # answers repeat it.
    if [[ $warnings != "$_pyrun_warned" ]]; then
        'builtin' 'print' -rn -- $warnings >&2
        _pyrun_warned=$warnings
    fi
}

_pyrun_hook() {
    'builtin' 'local' -i st=$?
    'builtin' 'emulate' -L zsh
    'builtin' 'local' key files='' rest new
    # Shims first on PATH, and nowhere else on it.
    if [[ $PATH != "$_pyrun_path_seen" ]]; then
        rest=":$PATH:"
        while [[ $rest == *":$_pyrun_shims:"* ]]; do
            rest=${rest//":$_pyrun_shims:"/:}
        done
        rest=${${rest#:}%:}
        new=$_pyrun_shims${rest:+:$rest}
        if [[ $new != "$PATH" ]]; then
            'builtin' 'export' PATH=$new
            'builtin' 'rehash'
        fi
        _pyrun_path_seen=$PATH
    fi
    # What the resolver reads, as one string compared with the last answer's.
    # ${(t)X} holds `export` when X is exported; \1 separates the values.
    key="$PWD"$'\1'"$PATH"$'\1'"${(t)VIRTUAL_ENV}:$VIRTUAL_ENV"$'\1'
    key+="${(t)CONDA_PREFIX}:$CONDA_PREFIX"$'\1'"${(t)CONDA_DEFAULT_ENV}:$CONDA_DEFAULT_ENV"$'\1'
    key+="${(t)_CONDA_ROOT}:$_CONDA_ROOT"$'\1'"${(t)PYRUN_TRUST}:$PYRUN_TRUST"$'\1'
    key+="${(t)PYRUN_PYTHON_VERSION_FILES}:$PYRUN_PYTHON_VERSION_FILES"$'\1'
    key+="${(t)PYRUN_SYSTEM_SITE_PACKAGES}:$PYRUN_SYSTEM_SITE_PACKAGES"$'\1'
    key+="${(t)PYENV_VERSION}:$PYENV_VERSION"$'\1'"${(t)PYENV_ROOT}:$PYENV_ROOT"$'\1'
    key+="${(t)PYENV_DIR}:$PYENV_DIR"$'\1'"${(t)HOME}:$HOME"$'\1'
    key+="${(t)XDG_CONFIG_HOME}:$XDG_CONFIG_HOME"$'\1'"${(t)XDG_DATA_HOME}:$XDG_DATA_HOME"$'\1'
    key+="${(t)UV_PYTHON_INSTALL_DIR}:$UV_PYTHON_INSTALL_DIR"
    # A .venv, .python-version or .python-versions made or removed here without a cd,
    # and the shims changing: a few stats, no process.
    [[ ! -d $PWD/.venv ]] || files+=d
    [[ ! -L $PWD/.venv ]] || files+=l
    [[ ! -f $PWD/.venv ]] || files+=f  # a redirect file (or a link to one)
    [[ ! -f $PWD/.python-version ]] || files+=v
    [[ ! -f $PWD/.python-versions ]] || files+=s
    [[ -z $_pyrun_mark || -e $_pyrun_mark ]] || files+=m
    key+=$'\1'$files
    if [[ $key != "$_pyrun_key" ]]; then
        # The marker went away: a shim was made or removed (rehash, pip install or
        # uninstall); a remembered path may be gone or new, so forget them all.
        [[ $files != *m* || ${_pyrun_key##*$'\1'} == *m* ]] || 'builtin' 'rehash'
        _pyrun_update
        # The key as the next prompt will build it, with the new answer's marker.
        files=${files%m}
        [[ -z $_pyrun_mark || -e $_pyrun_mark ]] || files+=m
        _pyrun_key=${key%$'\1'*}$'\1'$files
    fi
    'builtin' 'return' st
}

# Put the indicator in front of PROMPT, replacing the one this hook put there before.
# $1 is the user's prompt options, read before `emulate -L zsh` reset them: s for
# prompt_subst, p for prompt_percent, b for prompt_bang.
_pyrun_show() {
    'builtin' 'emulate' -L zsh
    'builtin' 'local' ps1=$PS1 token='${_pyrun_ps1-}' text=$_pyrun_ind
    ps1=${ps1//"$token"/}
    if [[ -n $_pyrun_ps1_lit ]]; then
        if [[ $ps1 == "$_pyrun_ps1_lit"* ]]; then
            ps1=${ps1#"$_pyrun_ps1_lit"}
        else
            # After an activate script put its own text in front of it.
            ps1=${ps1/"$_pyrun_ps1_lit"/}
        fi
    fi
    # Prompt escapes are decoded after substitution, so the variable's value needs
    # them doubled as much as literal text does.
    [[ $1 != *p* ]] || text=${text//\%/%%}
    [[ $1 != *b* ]] || text=${text//\!/!!}
    if [[ $1 == *s* ]]; then
        _pyrun_ps1=$text
        _pyrun_ps1_lit=''
        [[ -z $text ]] || ps1=$token$ps1
    elif [[ -n $text ]]; then
        _pyrun_ps1_lit=$text
        ps1=$text$ps1
    fi
    PS1=$ps1
    _pyrun_ps1_seen=$PS1
}

# Last in precmd_functions: after a theme's precmd has rebuilt PROMPT.
_pyrun_prompt() {
    'builtin' 'local' -i st=$?
    'builtin' 'local' opts='' shown
    [[ ! -o prompt_subst ]] || opts+=s
    [[ ! -o prompt_percent ]] || opts+=p
    [[ ! -o prompt_bang ]] || opts+=b
    'builtin' 'emulate' -L zsh
    if [[ ${precmd_functions[-1]} != _pyrun_prompt ]]; then
        precmd_functions=(${precmd_functions:#_pyrun_prompt} _pyrun_prompt)
    fi
    # What decides the indicator: the answer, and who else shows it.
    shown="$PYRUN_ENV_KIND"$'\1'"$PYRUN_ENV_NAME"$'\1'"$PYRUN_PROMPT"$'\1'
    shown+="$VIRTUAL_ENV_DISABLE_PROMPT"$'\1'"$CONDA_PROMPT_MODIFIER"$'\1'"$opts"
    if [[ $shown != "$_pyrun_shown" ]]; then
        _pyrun_shown=$shown
        _pyrun_ind=$_pyrun_before$PYRUN_ENV_NAME$_pyrun_after
        if [[ ${PYRUN_PROMPT:-$_pyrun_prompt} == 0 ]] ||
            [[ $PYRUN_ENV_KIND == VIRTUAL_ENV && -z $VIRTUAL_ENV_DISABLE_PROMPT ]] ||
            [[ $PYRUN_ENV_KIND == CONDA_PREFIX && -n $CONDA_PROMPT_MODIFIER ]]; then
            _pyrun_ind=''
        fi
        [[ -z ${PS1+set} ]] || _pyrun_show $opts
    elif [[ -n ${PS1+set} && $PS1 != "$_pyrun_ps1_seen" ]]; then
        # Someone else set PROMPT (a theme, an activate script, the user): show again.
        _pyrun_show $opts
    fi
    'builtin' 'return' st
}

# _pyrun_hook first in precmd_functions (the exported answer is current for the
# others, starship's among them), _pyrun_prompt last; `typeset -ga` keeps an existing
# array (and works inside a function).
_pyrun_register() {
    'builtin' 'emulate' -L zsh
    'builtin' 'typeset' -ga precmd_functions
    precmd_functions=(_pyrun_hook ${precmd_functions:#_pyrun_(hook|prompt)} _pyrun_prompt)
}

# A command zsh did not find. zsh runs the handler in the process it forked for the
# command, so nothing here changes the shell. NAME is the user's text: quoted
# throughout, passed as one argument, and judged by pyrun (shims.first_use: a console
# script name, never a system command's or a builtin's). One process asks; when it
# made the shim, the shim runs by its path (never by NAME, which would come back here)
# with the arguments, and its status is the command's.
_pyrun_not_found() {
    'builtin' 'emulate' -L zsh
    if [[ -n $1 && -x $_pyrun_python ]] &&
        "$_pyrun_python" -I -m pyrun rehash --found="$1" </dev/null >/dev/null; then
        "$_pyrun_shims/$1" "${(@)@[2,-1]}"
        'builtin' 'return'
    fi
    if 'builtin' 'typeset' -f _pyrun_previous_not_found >/dev/null; then
        _pyrun_previous_not_found "$@"
        'builtin' 'return'
    fi
    # No handler before pyrun's: zsh's own message and status (run again from here,
    # zsh would name this function in place of `zsh`).
    'builtin' 'print' -ru2 -- "zsh: command not found: $1"
    'builtin' 'return' 127
}

# Keep the handler that was there (one that is not already pyrun's) under another
# name, copied by `functions -c` (zsh 5.8): nothing is evaluated.
_pyrun_take_not_found() {
    'builtin' 'emulate' -L zsh
    'builtin' 'typeset' -f command_not_found_handler >/dev/null || 'builtin' 'return' 0
    [[ $('builtin' 'functions' command_not_found_handler) != *_pyrun_not_found* ]] ||
        'builtin' 'return' 0
    'builtin' 'unfunction' _pyrun_previous_not_found 2>/dev/null
    'builtin' 'functions' -c command_not_found_handler _pyrun_previous_not_found
}

_pyrun_take_not_found
command_not_found_handler() {
    _pyrun_not_found "$@"
}

_pyrun_register
_pyrun_hook
_pyrun_prompt
