# pyrun hook for bash: printed by `pyrun hook bash`, evaluated by
#   eval "$(pyrun hook bash)"
#
# Strategy: keep pyrun's shims directory first on PATH, once now and again at every
# prompt, because activate scripts and `conda activate` put their own directories in
# front. The per-prompt check is one string comparison against the PATH this hook
# last saw, so an unchanged prompt starts no process and does no work. When the hook
# moves the shims, `hash -r` makes bash forget command paths it cached before.
# Evaluating this file again replaces the function and registers it only once.

_pyrun_shims=__PYRUN_SHIMS__

_pyrun_keep_first() {
    local status=$?
    if [[ "${PATH-}" != "${_pyrun_seen_path-}" ]]; then
        if [[ "${PATH-}" != "$_pyrun_shims" && "${PATH-}" != "$_pyrun_shims":* ]]; then
            local rest=":${PATH-}:"
            rest=${rest//":$_pyrun_shims:"/:}
            rest=${rest#:}
            rest=${rest%:}
            PATH="$_pyrun_shims${rest:+:$rest}"
            export PATH
            hash -r
        fi
        _pyrun_seen_path=$PATH
    fi
    return "$status"
}

_pyrun_keep_first

# PROMPT_COMMAND is a string before bash 5.1 and may be an array from 5.1 on.
if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
    if [[ " ${PROMPT_COMMAND[*]} " != *" _pyrun_keep_first "* ]]; then
        PROMPT_COMMAND=(_pyrun_keep_first "${PROMPT_COMMAND[@]}")
    fi
elif [[ ";${PROMPT_COMMAND-};" != *";_pyrun_keep_first;"* ]]; then
    # shellcheck disable=SC2128,SC2178  # this branch only runs when it is a string
    PROMPT_COMMAND="_pyrun_keep_first${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
