# pyrun hook for bash: printed by `pyrun hook bash`, evaluated by
#   eval "$(pyrun hook bash)"
#
# Strategy. One function, _pyrun_hook, runs first in PROMPT_COMMAND (string or the
# bash 5.1 array, registered once with exact matching). It keeps pyrun's shims first
# on PATH, exactly once, because activate scripts and `conda activate` put their own
# directories in front; then it compares a length-prefixed key of everything the
# answer depends on (PWD, VIRTUAL_ENV, CONDA_PREFIX, CONDA_DEFAULT_ENV, PYRUN_TRUST,
# PYRUN_PYTHON_VERSION_FILES, PATH and the prompt settings) with the key it saw last.
# An unchanged prompt stops there: a few string comparisons, no process, no file
# access. So a .venv or .python-version made or edited without a cd is seen at the
# next change (a cd, an activation), not at once. On a change it reads the nearest
# .python-version (src/pyrun/version_file.py; a minor version 3.Y there makes
# `python` ask for 3.Y, as the python3.Y shim does), then walks uv's order the way
# shims/shim.sh does (VIRTUAL_ENV, a named CONDA_PREFIX, the nearest .venv from the
# physical cwd, conda base, the first python on PATH), with builtins only: files are
# tested with [[ ]], .python-version, pyvenv.cfg and the by-path records are read
# with `read`, and nothing found in a directory is ever run. The one exception is
# a found .venv: one that someone else controls is skipped, as the shims skip it
# (src/pyrun/ownership.py), and bash has no builtin that reads mode bits, so a change
# that finds one runs one `ls` (none when PYRUN_TRUST is `*`), and says once on
# stderr which it skipped. The answer is exported as PYRUN_ENV_KIND and
# PYRUN_ENV_NAME (shell/README.md is the contract; `pyrun which python --json` is the
# reference). The indicator `(NAME) ` goes in front of PS1 as a reference to the
# variable _pyrun_ps1 when `promptvars` is on, so a name is never expanded again; with
# promptvars off it is inserted as text with its backslashes doubled. Either way the
# hook removes exactly what it added before, and leaves the rest of PS1 alone.
# Evaluating this file again redefines the functions and registers nothing twice.

_pyrun_shims=__PYRUN_SHIMS__
_pyrun_data=__PYRUN_DATA__
# From config.toml when the hook was made (src/pyrun/config.py): its trust list (used
# with the exported PYRUN_TRUST), its prompt setting (PYRUN_PROMPT wins) and the text
# around the name in prompt_format; its system_site_packages (the variable wins) and
# python_version_files (PYRUN_PYTHON_VERSION_FILES wins when exported, as the shims
# see it: 0 is off, anything else on).
_pyrun_trust=__PYRUN_TRUST__
_pyrun_prompt=__PYRUN_PROMPT__
_pyrun_site=__PYRUN_SITE__
_pyrun_pin=__PYRUN_PIN__
_pyrun_before=__PYRUN_PROMPT_BEFORE__
_pyrun_after=__PYRUN_PROMPT_AFTER__
# What the last prompt saw; kept across a second evaluation so the indicator it put
# in PS1 is still recognised and replaced, never doubled.
_pyrun_key=
_pyrun_path_seen=
_pyrun_ps1_seen=${_pyrun_ps1_seen-}
_pyrun_ps1_lit=${_pyrun_ps1_lit-}
_pyrun_ps1=${_pyrun_ps1-}
_pyrun_ind=
_pyrun_warned=

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
        PATH=$new
        export PATH
        hash -r
    fi
}

# ret: $1 without control characters (C0, DEL, C1), as pyrun.label.inert does.
# LC_ALL=C makes the patterns work on bytes, so C1 is the UTF-8 pair \302\200-\237
# whatever the user's locale is.
_pyrun_inert() {
    local LC_ALL=C
    ret=${1//[$'\001'-$'\037'$'\177']/}
    ret=${ret//$'\302'[$'\200'-$'\237']/}
}

# ret: the absolute path $1 spelled as Python's os.path.abspath spells it (relative
# paths are taken from the physical cwd, as os.getcwd() gives it).
_pyrun_abspath() {
    local p='' rest part
    case $1 in
        /*) rest=$1/ ;;
        *)
            _pyrun_physical_cwd
            rest=$ret/$1/
            ;;
    esac
    while [[ -n $rest ]]; do
        part=${rest%%/*}
        rest=${rest#*/}
        case $part in
            '' | .) ;;
            ..) p=${p%/*} ;;
            *) p=$p/$part ;;
        esac
    done
    ret=${p:-/}
}

# ret: the physical working directory, or empty when it was deleted. Without a
# symlink in $PWD that is $PWD itself. Otherwise `builtin cd -P .` is bash's only
# fork-free way to learn it (`pwd -P` prints, and capturing it would fork); bash keeps
# its own copy of the cwd besides $PWD, which cd -P rewrites to the physical path, so
# the hook cds back to the logical path (the same directory, checked with -ef) and
# restores PWD and OLDPWD: `pwd` and `cd ..` stay logical for the user.
_pyrun_physical_cwd() {
    local pwd=${PWD-} oldpwd=${OLDPWD-} had_oldpwd=${OLDPWD+set} p
    ret=
    if [[ $pwd == /* ]]; then
        [[ -d $pwd ]] || return 0 # deleted: Python's os.getcwd() fails too
        if [[ $pwd -ef . ]]; then
            p=$pwd
            while [[ -n $p && ! -L $p ]]; do
                p=${p%/*}
            done
            if [[ -z $p ]]; then
                ret=$pwd
                return 0
            fi
        fi
    fi
    if builtin cd -P . 2>/dev/null && [[ $PWD == /* && -d $PWD ]]; then
        ret=$PWD
    fi
    if [[ -n $pwd && $pwd -ef . ]]; then
        builtin cd -- "$pwd" 2>/dev/null || :
    fi
    PWD=$pwd
    if [[ -n $had_oldpwd ]]; then OLDPWD=$oldpwd; else unset OLDPWD; fi
    return 0
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
# The file is read as text in one `read -N` of at most 64 KiB + 1 bytes: a bigger
# file is ignored, as Python ignores it, and a huge one costs no more than that.
_pyrun_env_label() {
    local LC_ALL=C cfg=$1/pyvenv.cfg text='' line key value found='' dir=${1%/}
    if [[ -f $cfg ]]; then
        { IFS= read -r -N 65537 text <"$cfg"; } 2>/dev/null
        if ((${#text} <= 65536)); then
            # The line breaks of Python's str.splitlines().
            text=${text//[$'\r\v\f\034\035\036']/$'\n'}
            text=${text//$'\302\205'/$'\n'}
            text=${text//$'\342\200\250'/$'\n'}
            text=${text//$'\342\200\251'/$'\n'}
            while [[ -n $text ]]; do
                line=${text%%$'\n'*}
                if [[ $text == *$'\n'* ]]; then text=${text#*$'\n'}; else text=; fi
                [[ $line == *=* ]] || continue
                key=${line%%=*}
                key=${key#"${key%%[![:space:]$'\034'-$'\037']*}"}
                key=${key%"${key##*[![:space:]$'\034'-$'\037']}"}
                [[ $key == prompt ]] || continue
                value=${line#*=}
                value=${value#"${value%%[![:space:]$'\034'-$'\037']*}"}
                value=${value%"${value##*[![:space:]$'\034'-$'\037']}"}
                if ((${#value} >= 2)) && [[ ${value:0:1} == [\'\"] && ${value:0:1} == "${value: -1}" ]]; then
                    value=${value:1:${#value}-2}
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
    local d rest=/bin:/usr/bin:${PATH-}:
    while [[ -n $rest ]]; do
        d=${rest%%:*}
        d=${d%/}
        rest=${rest#*:}
        if [[ $d == /* && -f $d/ls && -x $d/ls ]]; then
            ret=$d/ls
            return 0
        fi
    done
    return 1
}

# Whether $1 (`ls -ln` mode string $2, owner uid $3) is no place to take programs from;
# `reason` (the caller's) says why, worded as ownership.unsafe_reason words it. $4 is
# set for the directory holding an environment: it may be writable by others when it
# has the sticky bit, like /tmp.
_pyrun_unsafe() {
    local g=${2:5:1} o=${2:8:1}
    if [[ $3 != 0 && $3 != "$EUID" ]]; then
        reason="$1 is owned by uid $3, not by you (uid $EUID) or root"
        return 0
    fi
    [[ $g == w || $o == w ]] || return 1
    [[ -n ${4-} && ${2:9:1} == [tT] ]] && return 1
    if [[ $g == w && $o == w ]]; then
        reason="$1 is writable by its group and others"
    elif [[ $o == w ]]; then
        reason="$1 is writable by others"
    else
        reason="$1 is writable by its group"
    fi
    return 0
}

# Whether the environment $1, found by the .venv step, may be used (ownership.py's
# rule): it and the directory holding it must be yours or root's, and nobody else may
# write to them, unless the exported PYRUN_TRUST or config.toml's trust names one of
# them (`*` for all, `DIR/*` for everything below DIR). Those are read first, with builtins; then one `ls`
# tells the owner and mode of both. When it is not to be used, pyrun's warning goes
# into the caller's `warnings` (once per environment) and it returns 1.
_pyrun_trusted() {
    local env=$1 holder=${1%/*} rest entry out line reason e
    local -a mode=() uid=() field
    holder=${holder:-/}
    for e in "${untrusted[@]}"; do
        [[ $e == "$env" ]] && return 1
    done
    rest=$_pyrun_trust:
    if [[ -n ${PYRUN_TRUST+set} && ${PYRUN_TRUST@a} == *x* ]]; then
        rest=$PYRUN_TRUST:$rest
    fi
    while [[ -n $rest ]]; do
        entry=${rest%%:*}
        rest=${rest#*:}
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
    _pyrun_find_ls || return 0
    # exec: the command substitution's own process becomes ls, one process in all.
    out=$(LC_ALL=C builtin exec "$ret" -ldnqL -- "$holder" "$env" 2>/dev/null)
    # One line each, the holder's first (a path sorts before what it is a prefix of);
    # anything else means they could not be examined, which Python lets pass too.
    # Split into fields (mode, links, uid, ...) without globbing and without [[ =~ ]],
    # which would overwrite the user's BASH_REMATCH.
    [[ $out == *$'\n'* ]] || return 0
    local - IFS=' '
    set -f
    for line in "${out%%$'\n'*}" "${out#*$'\n'}"; do
        # shellcheck disable=SC2206  # split on purpose
        field=($line)
        [[ ${#field[@]} -ge 3 && -n ${field[2]} && ${field[2]} != *[!0-9]* ]] || return 0
        mode+=("${field[0]}")
        uid+=("${field[2]}")
    done
    _pyrun_unsafe "$env" "${mode[1]}" "${uid[1]}" ||
        _pyrun_unsafe "$holder" "${mode[0]}" "${uid[0]}" holder ||
        return 0
    untrusted+=("$env")
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
    local LC_ALL=C dir=$1 file='' n line rest y ws=$' \t\r\v\f' digits=0123456789
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
            line=${line#"${line%%[!"$ws"]*}"}
            line=${line%"${line##*[!"$ws"]}"}
            case $line in
                3) return 0 ;;
                3.*)
                    rest=${line#3.}
                    y=${rest%%.*}
                    [[ -n $y && $y != *[!$digits]* ]] || continue
                    if [[ $rest == *.* ]]; then
                        rest=${rest#*.}
                        [[ -n $rest && $rest != *[!$digits]* ]] || continue
                    fi
                    y=${y#"${y%%[!0]*}"}
                    ret=3.${y:-0}
                    return 0
                    ;;
            esac
        done <"$file"
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
        { IFS= read -r line <"$record"; } 2>/dev/null
    fi
    case $line in
        "env "*)
            env=${line#env }
            if [[ -f $env/.pyrun-complete && $1 -ef $env/bin/python ]]; then
                _pyrun_has_minor "$env" || return 1
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
        "skip "*)
            [[ $1 -ef ${line#skip } ]] && return 1
            ;;
    esac
    # No current record: the first use creates the environment; until then, "pyrun".
    kind=isolated name=pyrun
    return 0
}

# ret_list: the directory's python3.X, newest first (shim.sh's glob, discovery's
# versioned_pythons). The glob options are the user's: failglob would abort the
# hook and nullglob/nocaseglob change the matches, so they are set for the glob and
# put back (bash has no `local` for shopt options).
_pyrun_versioned() {
    local c restore=
    shopt -q failglob && restore+=' failglob'
    shopt -q nocaseglob && restore+=' nocaseglob'
    shopt -u failglob nocaseglob
    ret_list=()
    for c in "${1%/}"/python3.[0-9] "${1%/}"/python3.[0-9][0-9]; do
        if [[ -f $c && -x $c ]]; then ret_list=("$c" "${ret_list[@]}"); fi
    done
    # shellcheck disable=SC2086  # a list of option names
    [[ -z $restore ]] || shopt -s $restore
}

# kind, name: what `python` resolves to here (the caller's locals).
_pyrun_resolve() {
    local ret env dir dot base='' rest d n c ret_list cwd pinned='' pin=$_pyrun_pin
    local -a names=(python python3)
    local - # `set -f` in the user's shell would stop the python3.X glob
    set +f
    _pyrun_physical_cwd
    cwd=$ret
    # 0. .python-version: a minor version there makes each step below count only
    # with that version, and PATH is searched for python3.Y, python3, python.
    if [[ -n ${PYRUN_PYTHON_VERSION_FILES-} && ${PYRUN_PYTHON_VERSION_FILES@a} == *x* ]]; then
        pin=$PYRUN_PYTHON_VERSION_FILES
    fi
    if [[ $pin != 0 ]]; then
        _pyrun_read_pin "$cwd"
        pinned=$ret
        [[ -z $pinned ]] || names=("python$pinned" python3 python)
    fi
    # 1. VIRTUAL_ENV
    if [[ -n ${VIRTUAL_ENV-} ]]; then
        _pyrun_abspath "$VIRTUAL_ENV"
        env=$ret
        if _pyrun_env_ok "$env"; then
            # Only a virtual environment counts: VIRTUAL_ENV=/usr is skipped.
            if [[ -f $env/pyvenv.cfg ]] && _pyrun_has_minor "$env"; then
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
            if _pyrun_has_minor "$env"; then
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
        if [[ -f $dir/pyvenv.cfg ]] && _pyrun_trusted "$dir"; then
            env=$dir
        else
            dot=${dir%/}/.venv
            if [[ -d $dot || -L $dot ]] && { [[ ! -e $dot ]] || _pyrun_trusted "$dot"; }; then
                env=$dot
            fi
        fi
        if [[ -n $env ]]; then
            if [[ -f $env/pyvenv.cfg ]] && _pyrun_env_ok "$env"; then
                _pyrun_has_minor "$env" || break
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
    # 4. PATH: python, python3, then python3.X newest first (python3.Y, python3,
    # python and no others for a .python-version's 3.Y); shims and relative entries
    # skipped
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
        _pyrun_versioned "$d"
        for c in "${ret_list[@]}"; do
            _pyrun_use_base "$c" && return
        done
    done
    kind=isolated name=pyrun
}

# Recompute the environment, export it, and choose the indicator text.
_pyrun_update() {
    local kind name warnings=''
    local -a untrusted=()
    _pyrun_resolve
    PYRUN_ENV_KIND=$kind
    PYRUN_ENV_NAME=$name
    export PYRUN_ENV_KIND PYRUN_ENV_NAME
    # A skipped .venv is said once, not again while the next changes skip the same.
    [[ $warnings == "$_pyrun_warned" ]] || printf '%s' "$warnings" >&2
    _pyrun_warned=$warnings
    _pyrun_ind=$_pyrun_before$name$_pyrun_after
    if [[ ${PYRUN_PROMPT:-$_pyrun_prompt} == 0 ]] ||
        [[ $kind == VIRTUAL_ENV && -z ${VIRTUAL_ENV_DISABLE_PROMPT-} ]] ||
        [[ $kind == CONDA_PREFIX && -n ${CONDA_PROMPT_MODIFIER-} ]]; then
        _pyrun_ind=
    fi
}

# Put the indicator in front of PS1, replacing the one this hook put there before.
_pyrun_show() {
    # The text below is a reference to a variable, kept literal on purpose.
    # shellcheck disable=SC2016
    local ps1=$PS1 token='${_pyrun_ps1-}' text
    ps1=${ps1//"$token"/}
    if [[ -n $_pyrun_ps1_lit ]]; then
        if [[ $ps1 == "$_pyrun_ps1_lit"* ]]; then
            ps1=${ps1#"$_pyrun_ps1_lit"}
        else
            # After an activate script put its own text in front of it.
            ps1=${ps1/"$_pyrun_ps1_lit"/}
        fi
    fi
    if shopt -q promptvars; then
        # PS1 is expanded once, then shown: the value of _pyrun_ps1 is not expanded
        # again, so `$(...)` or backticks in a name stay text.
        _pyrun_ps1=$_pyrun_ind
        _pyrun_ps1_lit=
        [[ -z $_pyrun_ind ]] || ps1=$token$ps1
    elif [[ -n $_pyrun_ind ]]; then
        # Without promptvars only backslash escapes are decoded (and `!` in posix mode).
        text=${_pyrun_ind//\\/\\\\}
        if shopt -oq posix; then text=${text//!/!!}; fi
        _pyrun_ps1_lit=$text
        ps1=$text$ps1
    fi
    PS1=$ps1
    _pyrun_ps1_seen=$PS1
}

_pyrun_hook() {
    local status=$? changed=
    if [[ ${PATH-} != "$_pyrun_path_seen" ]]; then
        _pyrun_fix_path
        _pyrun_path_seen=$PATH
        changed=1
    fi
    # Everything else the answer depends on, as one string compared with the last
    # prompt's: a single expansion is the cheapest comparison bash has (cheaper than
    # one test per value, or a loop). \1 separates the values and ${X+s$X} tells
    # unset from empty; BASHOPTS and SHELLOPTS carry promptvars and posix without
    # calling shopt. A value holding \1 could in theory hide a change: not a name.
    local key="${PWD-}"$'\1'"${VIRTUAL_ENV-}"$'\1'"${CONDA_PREFIX-}"$'\1'
    key+="${CONDA_DEFAULT_ENV+s$CONDA_DEFAULT_ENV}"$'\1'"${_CONDA_ROOT+s$_CONDA_ROOT}"$'\1'
    key+="${PYRUN_PROMPT-}"$'\1'"${VIRTUAL_ENV_DISABLE_PROMPT-}"$'\1'
    key+="${CONDA_PROMPT_MODIFIER-}"$'\1'"${BASHOPTS-}"$'\1'"${SHELLOPTS-}"$'\1'
    key+="${PYRUN_SYSTEM_SITE_PACKAGES-}"$'\1'
    # PYRUN_PYTHON_VERSION_FILES and PYRUN_TRUST count only exported, as the shims see them.
    [[ -z ${PYRUN_PYTHON_VERSION_FILES+set} || ${PYRUN_PYTHON_VERSION_FILES@a} != *x* ]] ||
        key+="x$PYRUN_PYTHON_VERSION_FILES"
    key+=$'\1'
    [[ -z ${PYRUN_TRUST+set} || ${PYRUN_TRUST@a} != *x* ]] || key+="x$PYRUN_TRUST"
    if [[ -n $changed || $key != "$_pyrun_key" ]]; then
        _pyrun_key=$key
        _pyrun_update
        [[ -z ${PS1+set} ]] || _pyrun_show
    elif [[ -n ${PS1+set} && $PS1 != "$_pyrun_ps1_seen" ]]; then
        # Someone else set PS1 (an activate script, deactivate, the user): show again.
        _pyrun_show
    fi
    return "$status"
}

# PROMPT_COMMAND is a string before bash 5.1 and may be an array from 5.1 on; the
# hook goes first so the exported variables are current for the commands after it.
# Registration is exact (a whole element, or `;_pyrun_hook;`), so it happens once.
_pyrun_register() {
    local cmd
    # ${var@a} tells an array without forking `declare -p`.
    if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
        for cmd in "${PROMPT_COMMAND[@]}"; do
            [[ $cmd != _pyrun_hook ]] || return 0
        done
        PROMPT_COMMAND=(_pyrun_hook "${PROMPT_COMMAND[@]}")
    elif [[ ";${PROMPT_COMMAND-};" != *";_pyrun_hook;"* ]]; then
        # shellcheck disable=SC2128,SC2178  # this branch only runs when it is a string
        PROMPT_COMMAND="_pyrun_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
}

_pyrun_register
_pyrun_hook
