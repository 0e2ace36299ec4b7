# pyrun hook for zsh: printed by `pyrun hook zsh`, evaluated by
#   eval "$(pyrun hook zsh)"
#
# Strategy. _pyrun_hook runs first in precmd_functions and chpwd_functions (added
# once, the way add-zsh-hook does, without replacing anyone's precmd or chpwd). It
# keeps pyrun's shims first on PATH, exactly once, because activate scripts and
# `conda activate` put their own directories in front; then it compares a
# length-prefixed key of everything the answer depends on (PWD, VIRTUAL_ENV,
# CONDA_PREFIX, CONDA_DEFAULT_ENV, PYRUN_TRUST, PYRUN_PYTHON_VERSION_FILES, PATH and
# the prompt options) with the key it saw last. An unchanged prompt stops there: a
# few string comparisons, no process, no file access. So a .venv or .python-version
# made or edited without a cd is seen at the next change (a cd, an activation), not
# at once. On a change it reads the nearest .python-version (src/pyrun/version_file.py;
# a minor version 3.Y there makes `python` ask for 3.Y, as the python3.Y shim does),
# then walks uv's order the way shims/shim.sh does (VIRTUAL_ENV, a named CONDA_PREFIX,
# the nearest .venv from the physical cwd ${PWD:A}, conda base, the first python on
# PATH) with builtins only: files are tested with [[ ]], .python-version, pyvenv.cfg
# and the by-path records are read with `read`, and nothing found in a directory is
# ever run. A found .venv that someone else controls is
# skipped, as the shims skip it (src/pyrun/ownership.py), and said once on stderr: its
# owner and mode come from zsh/stat's zstat builtin (loaded alone, so `stat` stays the
# user's command), or from one `ls` where that module is missing. The answer is
# exported as PYRUN_ENV_KIND and PYRUN_ENV_NAME (shell/README.md is the contract;
# `pyrun which python --json` is the reference). The indicator `(NAME) ` goes in
# front of PROMPT with `%` doubled; under PROMPT_SUBST it goes in as a reference to
# the variable _pyrun_ps1, whose value zsh does not substitute again, so `$(...)` or
# backticks in a name stay text. The hook removes exactly what it added before and
# leaves the rest of PROMPT alone. Every function starts with `emulate -L zsh`, so the
# user's options (ksh_arrays, sh_word_split, nounset, ...) do not change how it runs.
# Evaluating this file again redefines the functions and registers nothing twice.

typeset -g _pyrun_shims=__PYRUN_SHIMS__
typeset -g _pyrun_data=__PYRUN_DATA__
# From config.toml when the hook was made (src/pyrun/config.py): its trust list (used
# with the exported PYRUN_TRUST), its prompt setting (PYRUN_PROMPT wins) and the text
# around the name in prompt_format; its system_site_packages (the variable wins) and
# python_version_files (PYRUN_PYTHON_VERSION_FILES wins when exported, as the shims
# see it: 0 is off, anything else on).
typeset -g _pyrun_trust=__PYRUN_TRUST__
typeset -g _pyrun_prompt=__PYRUN_PROMPT__
typeset -g _pyrun_site=__PYRUN_SITE__
typeset -g _pyrun_pin=__PYRUN_PIN__
typeset -g _pyrun_before=__PYRUN_PROMPT_BEFORE__
typeset -g _pyrun_after=__PYRUN_PROMPT_AFTER__
# What the last prompt saw; kept across a second evaluation so the indicator it put
# in PROMPT is still recognised and replaced, never doubled.
typeset -g _pyrun_key=''
typeset -g _pyrun_path_seen=''
typeset -g _pyrun_ps1_seen="${_pyrun_ps1_seen-}"
typeset -g _pyrun_ps1_lit="${_pyrun_ps1_lit-}"
typeset -g _pyrun_ps1="${_pyrun_ps1-}"
typeset -g _pyrun_ind=''
typeset -g _pyrun_warned=''

# Shims first on PATH, and nowhere else on it.
_pyrun_fix_path() {
    local rest=":${PATH-}:" new
    while [[ $rest == *":$_pyrun_shims:"* ]]; do
        rest=${rest//":$_pyrun_shims:"/:}
    done
    rest=${rest#:}
    rest=${rest%:}
    new=$_pyrun_shims${rest:+:$rest}
    if [[ $new != "${PATH-}" ]]; then
        export PATH=$new
        rehash
    fi
}

# ret: $1 without control characters (NUL, C0, DEL, C1), as pyrun.label.inert does.
# no_multibyte makes the patterns work on bytes, so C1 is the UTF-8 pair \302\200-\237
# whatever the user's locale is.
_pyrun_inert() {
    setopt local_options no_multibyte
    ret=${1//[$'\0'-$'\037'$'\177']/}
    ret=${ret//$'\302'[$'\200'-$'\237']/}
}

# ret: the physical working directory (${PWD:A} resolves symlinks in-process), or
# empty when it was deleted, as Python's os.getcwd() then fails.
_pyrun_physical_cwd() {
    ret=
    if [[ $PWD == /* && -d $PWD && $PWD -ef . ]]; then
        ret=${PWD:A}
    fi
}

# ret: the absolute path $1 spelled as Python's os.path.abspath spells it.
_pyrun_abspath() {
    local p='' rest part
    if [[ $1 == /* ]]; then
        rest=$1/
    else
        _pyrun_physical_cwd
        rest=$ret/$1/
    fi
    while [[ -n $rest ]]; do
        part=${rest%%/*}
        rest=${rest#*/}
        case $part in
            ('' | .) ;;
            (..) p=${p%/*} ;;
            (*) p=$p/$part ;;
        esac
    done
    ret=${p:-/}
}

# Whether $1 is an environment with a working interpreter (shim.sh's pyrun_use_env).
_pyrun_env_ok() {
    [[ -x $1/bin/python3 || -x $1/bin/python ]]
}

# Whether $1 looks like an environment whose interpreter is gone (environment.health).
_pyrun_env_broken() {
    [[ -f $1/pyvenv.cfg || -L $1/bin/python3 || -L $1/bin/python ]]
}

# ret: the label of environment $1 (pyrun.label.env_label): pyvenv.cfg's `prompt =`
# without the quotes venv adds, else the directory's name (the parent's for .venv).
# The file is read as text in one `read -k` of at most 64 KiB + 1 bytes (-u 0: -k
# reads the terminal otherwise): a bigger file is ignored, as Python ignores it, and
# a huge one costs no more than that. zstat would need the zsh/stat module.
_pyrun_env_label() {
    setopt local_options no_multibyte extended_glob
    local cfg=$1/pyvenv.cfg text='' line key value found='' dir=${1%/}
    local ws='[[:space:]'$'\034''-'$'\037'']#'  # whitespace as str.strip() sees it
    if [[ -f $cfg ]]; then
        { IFS= read -r -u 0 -k 65537 text <$cfg } 2>/dev/null
        if (( ${#text} <= 65536 )); then
            # The line breaks of Python's str.splitlines().
            text=${text//[$'\r\v\f\034\035\036']/$'\n'}
            text=${text//$'\302\205'/$'\n'}
            text=${text//$'\342\200\250'/$'\n'}
            text=${text//$'\342\200\251'/$'\n'}
            for line in "${(@f)text}"; do
                [[ $line == *=* ]] || continue
                key=${line%%=*}
                key=${${key##${~ws}}%%${~ws}}
                [[ $key == prompt ]] || continue
                value=${line#*=}
                value=${${value##${~ws}}%%${~ws}}
                if (( ${#value} >= 2 )) && [[ $value[1] == [\'\"] && $value[1] == $value[-1] ]]; then
                    value=${value[2,-2]}
                fi
                found=$value
                break
            done
        fi
    fi
    if [[ -z $found ]]; then
        found=${dir##*/}
        if [[ $found == .venv ]]; then
            found=${dir%/*}
            found=${found##*/}
        fi
        found=${found:-/}
    fi
    _pyrun_inert "$found"
}

# ret: an `ls` to run, by its absolute path: /bin, /usr/bin, then the absolute entries
# of PATH. Never one that a relative PATH entry would find in the directory at hand.
_pyrun_find_ls() {
    local d
    for d in /bin /usr/bin "${(@s.:.)PATH}"; do
        d=${d%/}
        if [[ $d == /* && -f $d/ls && -x $d/ls ]]; then
            ret=$d/ls
            return 0
        fi
    done
    return 1
}

# Whether $1 (owner uid $2, mode bits $3) is no place to take programs from; `reason`
# (the caller's) says why, worded as ownership.unsafe_reason words it. $4 is set for
# the directory holding an environment: it may be writable by others when it has the
# sticky bit, like /tmp.
_pyrun_unsafe() {
    if [[ $2 != 0 && $2 != "$EUID" ]]; then
        reason="$1 is owned by uid $2, not by you (uid $EUID) or root"
        return 0
    fi
    (( $3 & 8#22 )) || return 1
    [[ -n $4 ]] && (( $3 & 8#1000 )) && return 1
    if (( ($3 & 8#22) == 8#22 )); then
        reason="$1 is writable by its group and others"
    elif (( $3 & 2 )); then
        reason="$1 is writable by others"
    else
        reason="$1 is writable by its group"
    fi
    return 0
}

# Whether the environment $1, found by the .venv step, may be used (ownership.py's
# rule): it and the directory holding it must be yours or root's, and nobody else may
# write to them, unless the exported PYRUN_TRUST or config.toml's trust names one of
# them (`*` for all, `DIR/*` for everything below DIR). Those are read first; then zstat (a builtin) tells
# the owner and mode of both, or one `ls` without zsh/stat. When it is not to be used,
# pyrun's warning goes into the caller's `warnings` (once per environment) and it
# returns 1.
_pyrun_trusted() {
    local env=$1 holder=${1:h} entry out line reason p
    local -i bits
    local -a lines fields modes uids entries
    local -A st
    (( ${untrusted[(Ie)$env]} )) && return 1
    entries=("${(@s.:.)_pyrun_trust}")
    if [[ ${(t)PYRUN_TRUST} == *export* ]]; then
        entries=("${(@s.:.)PYRUN_TRUST}" "${entries[@]}")
    fi
    for entry in "${entries[@]}"; do
        [[ $entry == '*' ]] && return 0
        [[ $entry == /* ]] || continue
        if [[ $entry == */'*' ]]; then
            entry=${entry%'*'}
            [[ $env == "$entry"* || $holder == "$entry"* ]] && return 0
            continue
        fi
        while [[ $entry == */ && $entry != / ]]; do entry=${entry%/}; done
        [[ $entry == "$env" || $entry == "$holder" ]] && return 0
    done
    if zmodload -F zsh/stat b:zstat 2>/dev/null; then
        # What cannot be examined passes, as in Python.
        for p in $env $holder; do
            if zstat -H st -- $p 2>/dev/null; then
                uids+=($st[uid])
                modes+=($st[mode])
            else
                uids+=(0)
                modes+=(0)
            fi
        done
    else
        _pyrun_find_ls || return 0
        out=$(LC_ALL=C command $ret -ldnqL -- $holder $env 2>/dev/null)
        # One line each, the holder's first (a path sorts before what it is a prefix
        # of); anything else means they could not be examined.
        lines=("${(@f)out}")
        (( $#lines == 2 )) || return 0
        for line in $lines[2] $lines[1]; do
            fields=(${=line})
            (( $#fields >= 3 )) || return 0
            bits=0
            [[ $fields[1][6] == w ]] && (( bits |= 8#20 ))
            [[ $fields[1][9] == w ]] && (( bits |= 2 ))
            [[ $fields[1][10] == [tT] ]] && (( bits |= 8#1000 ))
            uids+=($fields[3])
            modes+=($bits)
        done
    fi
    _pyrun_unsafe $env $uids[1] $modes[1] ||
        _pyrun_unsafe $holder $uids[2] $modes[2] holder ||
        return 0
    untrusted+=($env)
    _pyrun_inert "pyrun: not using $env: $reason; to use it anyway, add it to PYRUN_TRUST (export PYRUN_TRUST=$env)"
    warnings+=$ret$'\n'
    return 1
}

# conda tells its base environment from a named one the way uv does; $1 is the
# normalised prefix (shim.sh's pyrun_conda_is_base).
_pyrun_conda_is_base() {
    local root
    [[ -f $1/conda-meta/pixi ]] && return 1
    if [[ -n ${_CONDA_ROOT+set} ]]; then
        root=$_CONDA_ROOT
        while [[ $root == */ && $root != / ]]; do root=${root%/}; done
        [[ $1 == "$root" ]] && return 0
    fi
    [[ -n ${CONDA_DEFAULT_ENV+set} ]] || return 1
    [[ $1 == "$CONDA_DEFAULT_ENV" || $1 == / ]] && return 1
    [[ ${1##*/} == "$CONDA_DEFAULT_ENV" ]] && return 1
    return 0
}

# ret: the minor version (3.Y) that the .python-version here asks for, else empty
# (src/pyrun/version_file.py; shim.sh's pyrun_read_pin). $1 is the physical cwd,
# empty when it was deleted. From there up to /, the first .python-version, else
# .python-versions, that is a regular file; else the same two in uv's user config
# directory. It is read a line at a time with `read`, up to the first line that,
# trimmed of ASCII white space, is 3, 3.Y or 3.Y.Z (digits): that is the request, `3`
# asking for no minor and 3.012 meaning 3.12, as uv reads it. Comments and every other
# line are skipped, as uv skips what it does not read as a version.
_pyrun_read_pin() {
    setopt local_options no_multibyte
    local dir=$1 file='' n line rest y ws=$' \t\r\v\f' digits=0123456789
    ret=
    while [[ -n $dir ]]; do
        for n in .python-version .python-versions; do
            if [[ -f ${dir%/}/$n ]]; then
                file=${dir%/}/$n
                break 2
            fi
        done
        [[ $dir == / ]] && break
        dir=${dir%/*}
        dir=${dir:-/}
    done
    if [[ -z $file ]]; then
        # The directory `uv python pin --global` writes.
        if [[ ${XDG_CONFIG_HOME-} == /* ]]; then
            dir=$XDG_CONFIG_HOME/uv
        elif [[ ${HOME-} == /* ]]; then
            dir=$HOME/.config/uv
        else
            return 0
        fi
        for n in .python-version .python-versions; do
            if [[ -f $dir/$n ]]; then
                file=$dir/$n
                break
            fi
        done
        [[ -n $file ]] || return 0
    fi
    {
        while IFS= read -r line || [[ -n $line ]]; do
            line=${line#${line%%[^$ws]*}}
            line=${line%${line##*[^$ws]}}
            case $line in
                (3) return 0 ;;
                (3.*)
                    rest=${line#3.}
                    y=${rest%%.*}
                    [[ -n $y && $y != *[^$digits]* ]] || continue
                    if [[ $rest == *.* ]]; then
                        rest=${rest#*.}
                        [[ -n $rest && $rest != *[^$digits]* ]] || continue
                    fi
                    y=${y#${y%%[^0]*}}
                    ret=3.${y:-0}
                    return 0
                    ;;
            esac
        done <$file
    } 2>/dev/null
}

# Whether environment $1 is the minor version the .python-version asks for (the
# caller's `pinned`; any when empty): it has bin/python3.Y, as for the python3.Y shim.
_pyrun_has_minor() {
    [[ -z $pinned || -x $1/bin/python$pinned ]]
}

# A base interpreter $1: its isolated environment's label from the by-path record
# (pyrun.records). Returns 1 when a valid `skip` record says it does not count, or
# when the environment is not the minor version a .python-version asks for.
# (with system_site_packages on, PYRUN_SYSTEM_SITE_PACKAGES else config.toml's, the
# records are in by-path-site, as the shims read them)
_pyrun_use_base() {
    local record=$_pyrun_data/by-path$1 line='' env minor
    [[ ${PYRUN_SYSTEM_SITE_PACKAGES:-$_pyrun_site} != 1 ]] || record=$_pyrun_data/by-path-site$1
    if [[ -f $record ]]; then
        { IFS= read -r line <$record } 2>/dev/null
    fi
    case $line in
        ("env "*)
            env=${line#env }
            if [[ -f $env/.pyrun-complete && $1 -ef $env/bin/python ]]; then
                _pyrun_has_minor $env || return 1
                kind=isolated
                env=${env%/}
                env=${env##*/}
                name=pyrun
                if [[ $env == *-* ]]; then
                    minor=${env#*-}
                    name="pyrun ${minor%%-*}"
                fi
                return 0
            fi
            ;;
        ("skip "*)
            [[ $1 -ef ${line#skip } ]] && return 1
            ;;
    esac
    # No current record: the first use creates the environment; until then, "pyrun".
    kind=isolated name=pyrun
    return 0
}

# kind, name: what `python` resolves to here (the caller's locals).
_pyrun_resolve() {
    local ret env dir dot base='' rest d n c cwd pinned='' pin=$_pyrun_pin
    local -a found names=(python python3)
    _pyrun_physical_cwd
    cwd=$ret
    # 0. .python-version: a minor version there makes each step below count only
    # with that version, and PATH is searched for python3.Y, python3, python.
    if [[ -n ${PYRUN_PYTHON_VERSION_FILES-} && ${(t)PYRUN_PYTHON_VERSION_FILES} == *export* ]]; then
        pin=$PYRUN_PYTHON_VERSION_FILES
    fi
    if [[ $pin != 0 ]]; then
        _pyrun_read_pin "$cwd"
        pinned=$ret
        [[ -z $pinned ]] || names=(python$pinned python3 python)
    fi
    # 1. VIRTUAL_ENV
    if [[ -n ${VIRTUAL_ENV-} ]]; then
        _pyrun_abspath "$VIRTUAL_ENV"
        env=$ret
        if _pyrun_env_ok "$env"; then
            # Only a virtual environment counts: VIRTUAL_ENV=/usr is skipped.
            if [[ -f $env/pyvenv.cfg ]] && _pyrun_has_minor $env; then
                kind=VIRTUAL_ENV
                _pyrun_env_label "$env"
                name=$ret
                return
            fi
        elif _pyrun_env_broken "$env"; then
            kind=VIRTUAL_ENV name='broken VIRTUAL_ENV'
            return
        fi
    fi
    # 2. CONDA_PREFIX, a named environment
    if [[ -n ${CONDA_PREFIX-} ]]; then
        _pyrun_abspath "$CONDA_PREFIX"
        env=$ret
        if _pyrun_conda_is_base "$env"; then
            base=$env
        elif _pyrun_env_ok "$env"; then
            if _pyrun_has_minor $env; then
                kind=CONDA_PREFIX
                _pyrun_inert "${env##*/}"
                name=${ret:-/}
                return
            fi
        elif _pyrun_env_broken "$env"; then
            kind=CONDA_PREFIX name='broken CONDA_PREFIX'
            return
        fi
    fi
    # 3. .venv: the nearest one up from the physical cwd, or the env the cwd is inside
    # (one of another minor version than the .python-version's is skipped: the walk
    # goes on with conda base, not with the parents)
    dir=$cwd
    while [[ -n $dir ]]; do
        # One that someone else controls counts as absent: the walk goes on (a .venv
        # symlink to nothing is not examined: it is the broken .venv below).
        env=
        if [[ -f $dir/pyvenv.cfg ]] && _pyrun_trusted $dir; then
            env=$dir
        else
            dot=${dir%/}/.venv
            if [[ -d $dot || -L $dot ]] && { [[ ! -e $dot ]] || _pyrun_trusted $dot }; then
                env=$dot
            fi
        fi
        if [[ -n $env ]]; then
            if [[ -f $env/pyvenv.cfg ]] && _pyrun_env_ok "$env"; then
                _pyrun_has_minor $env || break
                _pyrun_env_label "$env"
                name=$ret
            else
                name='broken .venv'
            fi
            kind=.venv
            return
        fi
        [[ $dir == / ]] && break
        dir=${dir%/*}
        dir=${dir:-/}
    done
    # 3b. conda base: a base interpreter
    if [[ -n $base ]]; then
        for n in python3 python; do
            if [[ -x $base/bin/$n ]]; then
                _pyrun_use_base "$base/bin/$n" && return
                break
            fi
        done
    fi
    # 4. PATH: python, python3, then python3.X newest first (each glob sorts by name,
    # so prepending every match lists them newest first; python3.Y, python3, python
    # and no others for a .python-version's 3.Y); shims and relative entries skipped
    rest=${PATH-}:
    while [[ -n $rest ]]; do
        d=${rest%%:*}
        rest=${rest#*:}
        [[ $d == /* ]] || continue
        [[ $d -ef $_pyrun_shims ]] && continue
        for n in "${names[@]}"; do
            c=${d%/}/$n
            if [[ -f $c && -x $c ]]; then
                _pyrun_use_base "$c" && return
            fi
        done
        [[ -z $pinned ]] || continue
        found=()
        for c in "${d%/}"/python3.[0-9](N) "${d%/}"/python3.[0-9][0-9](N); do
            if [[ -f $c && -x $c ]]; then found=("$c" "${found[@]}"); fi
        done
        for c in "${found[@]}"; do
            _pyrun_use_base "$c" && return
        done
    done
    kind=isolated name=pyrun
}

# Recompute the environment, export it, and choose the indicator text.
_pyrun_update() {
    local kind name warnings=''
    local -a untrusted
    _pyrun_resolve
    export PYRUN_ENV_KIND=$kind PYRUN_ENV_NAME=$name
    # A skipped .venv is said once, not again while the next changes skip the same.
    [[ $warnings == "$_pyrun_warned" ]] || print -rn -- $warnings >&2
    _pyrun_warned=$warnings
    _pyrun_ind=$_pyrun_before$name$_pyrun_after
    if [[ ${PYRUN_PROMPT:-$_pyrun_prompt} == 0 ]] ||
        [[ $kind == VIRTUAL_ENV && -z ${VIRTUAL_ENV_DISABLE_PROMPT-} ]] ||
        [[ $kind == CONDA_PREFIX && -n ${CONDA_PROMPT_MODIFIER-} ]]; then
        _pyrun_ind=
    fi
}

# Put the indicator in front of PROMPT, replacing the one this hook put there before.
# $1 is the user's prompt options, read before `emulate -L zsh` reset them: s for
# prompt_subst, p for prompt_percent, b for prompt_bang.
_pyrun_show() {
    local ps1=$PS1 token='${_pyrun_ps1-}' text=$_pyrun_ind
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
    [[ $1 == *p* ]] && text=${text//\%/%%}
    [[ $1 == *b* ]] && text=${text//\!/!!}
    if [[ $1 == *s* ]]; then
        _pyrun_ps1=$text
        _pyrun_ps1_lit=
        [[ -z $text ]] || ps1=$token$ps1
    elif [[ -n $text ]]; then
        _pyrun_ps1_lit=$text
        ps1=$text$ps1
    fi
    PS1=$ps1
    _pyrun_ps1_seen=$PS1
}

# A pip command may have made a console script shim (pipguard.py runs `pyrun rehash
# --scripts` when an install changes an environment's bin/), but zsh keeps the path it
# found for each command name (with HASH_DIRS, for every name in a directory it
# searched), so `black` would go on running the copy it met first. preexec notes a
# command line that mentions pip, and the next prompt empties that table (`rehash`,
# what pyenv asks its users to run by hand), once; no other prompt pays for it.
typeset -gi _pyrun_pip_ran=0
_pyrun_preexec() {
    [[ ${3-} != *pip* ]] || _pyrun_pip_ran=1
}

_pyrun_hook() {
    local -i st=$?
    local opts='' key=''
    [[ -o prompt_subst ]] && opts+=s
    [[ -o prompt_percent ]] && opts+=p
    [[ -o prompt_bang ]] && opts+=b
    emulate -L zsh
    if (( _pyrun_pip_ran )); then
        _pyrun_pip_ran=0
        rehash
    fi
    local changed=
    if [[ ${PATH-} != "$_pyrun_path_seen" ]]; then
        _pyrun_fix_path
        _pyrun_path_seen=$PATH
        changed=1
    fi
    # Everything else the answer depends on, as one string compared with the last
    # prompt's: one expansion is cheaper than a test per value or a loop. \1 separates
    # the values and ${X+s$X} tells unset from empty; a value holding \1 could in
    # theory hide a change.
    key="${PWD-}"$'\1'"${VIRTUAL_ENV-}"$'\1'"${CONDA_PREFIX-}"$'\1'
    key+="${CONDA_DEFAULT_ENV+s$CONDA_DEFAULT_ENV}"$'\1'"${_CONDA_ROOT+s$_CONDA_ROOT}"$'\1'
    key+="${PYRUN_PROMPT-}"$'\1'"${VIRTUAL_ENV_DISABLE_PROMPT-}"$'\1'
    key+="${CONDA_PROMPT_MODIFIER-}"$'\1'"$opts"$'\1'"${PYRUN_SYSTEM_SITE_PACKAGES-}"$'\1'
    # PYRUN_PYTHON_VERSION_FILES and PYRUN_TRUST count only exported, as the shims see them.
    [[ ${(t)PYRUN_PYTHON_VERSION_FILES} != *export* ]] || key+="x$PYRUN_PYTHON_VERSION_FILES"
    key+=$'\1'
    [[ ${(t)PYRUN_TRUST} != *export* ]] || key+="x$PYRUN_TRUST"
    if [[ -n $changed || $key != "$_pyrun_key" ]]; then
        _pyrun_key=$key
        _pyrun_update
        [[ -z ${PS1+set} ]] || _pyrun_show "$opts"
    elif [[ -n ${PS1+set} && $PS1 != "$_pyrun_ps1_seen" ]]; then
        # Someone else set PROMPT (an activate script, deactivate, the user).
        _pyrun_show "$opts"
    fi
    return st
}

# Added in front of precmd_functions and chpwd_functions once, by exact element
# match (and _pyrun_preexec at the end of preexec_functions); `typeset -ga` keeps an
# existing array (and works inside a function).
_pyrun_register() {
    emulate -L zsh
    typeset -ga precmd_functions chpwd_functions preexec_functions
    (( ${precmd_functions[(Ie)_pyrun_hook]} )) || precmd_functions=(_pyrun_hook "${precmd_functions[@]}")
    (( ${chpwd_functions[(Ie)_pyrun_hook]} )) || chpwd_functions=(_pyrun_hook "${chpwd_functions[@]}")
    (( ${preexec_functions[(Ie)_pyrun_preexec]} )) || preexec_functions+=(_pyrun_preexec)
}

_pyrun_register
_pyrun_hook
