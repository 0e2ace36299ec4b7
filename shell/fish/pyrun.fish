# pyrun hook for fish: printed by `pyrun hook fish`, sourced by
#   pyrun hook fish | source
#
# A thin hook (shell/README.md is the contract). It does not walk: the answer to "what
# does `python` run here, and what is it called" comes from the shim binary itself,
# run under the name pyrun-resolve that `pyrun rehash` puts beside the shims, so the
# prompt and `python` cannot disagree. The hook keeps four things:
#
# - The shims first on PATH, exactly once (activate scripts, conda and fish's own
#   rebuilding of PATH from $fish_user_paths put their directories in front; fish keeps
#   no table of command locations, so there is nothing like `hash -r` to do).
# - The change key: the working directory, every variable the resolver reads (its value,
#   and how many are exported: the resolver sees only exported ones), whether .venv,
#   .python-version and .python-versions are here, and whether the shims generation
#   marker the resolver named last still exists (`pyrun rehash` and `pip install`
#   through a shim replace it). Built from builtins alone: a prompt where it is the
#   same starts no process and reads no file, five `stat`s aside. (A value holding a
#   newline could make two keys alike; the cost would be a label one change late.)
#   pyvenv.cfg and files above the working directory are not watched: an edit there
#   is seen at the next change.
# - When the key changed: the resolver, once, stdin from /dev/null, its lines split
#   with `string` (no eval, no source: nothing it prints is run), PYRUN_ENV_KIND and
#   PYRUN_ENV_NAME exported, its `warning=` lines said on stderr, and not again while
#   the same ones repeat. No answer (the resolver gone, or printing nothing): `pyrun?`.
# - The indicator: fish draws the prompt by calling the `fish_prompt` function, so the
#   hook copies the user's function to `_pyrun_original_fish_prompt`, once, and
#   defines a `fish_prompt` that runs it first (it sees $status and $pipestatus
#   untouched, the pattern venv's activate.fish uses), then prints `(NAME) ` as data
#   with printf '%s' and the captured prompt after it. A prompt function defined later
#   (a theme, starship) replaces the wrapper; PYRUN_ENV_* stay exported for it to show.
#
# One handler, on the fish_prompt event, which fish fires before drawing each prompt
# (after a `cd`, `source .venv/bin/activate.fish`, `conda activate` or any command).
# Fish saves $status around event handlers, so the prompt sees the last command's.
#
# Every builtin is called as `builtin NAME` and the resolver with `command`: fish would
# otherwise prefer a function of that name, and one can be autoloaded from any
# directory in $fish_function_path, including a relative entry that names a directory
# under the one being entered. The hook's own functions are defined here, not
# autoloaded, so no file can replace them.
#
# A command fish does not find goes to fish_command_not_found: pyrun's asks pyrun
# whether it is a console script another installer put where `python` points
# (`pyrun rehash --found NAME`), runs its new shim if so, else the handler that was
# there before (fish's own, or one a package or the user defined).
#
# Sourcing this file again redefines the same functions and handler, wraps
# fish_prompt only if the current one is not already pyrun's, and keeps the previous
# command-not-found handler only if the current one is not pyrun's: three times is once.

builtin set -g _pyrun_shims __PYRUN_SHIMS__
builtin set -g _pyrun_resolve __PYRUN_RESOLVE__
builtin set -g _pyrun_python __PYRUN_PYTHON__
# From config.toml when the hook was made (src/pyrun/config.py): its prompt setting
# (PYRUN_PROMPT wins) and the text around the name in prompt_format.
builtin set -g _pyrun_prompt __PYRUN_PROMPT__
builtin set -g _pyrun_before __PYRUN_PROMPT_BEFORE__
builtin set -g _pyrun_after __PYRUN_PROMPT_AFTER__
# What the resolver's answer depends on in the environment (shims/shim.c's getenv
# calls, less PWD, PYRUN_DEBUG and the two it ignores when resolving).
builtin set -g _pyrun_vars VIRTUAL_ENV CONDA_PREFIX CONDA_DEFAULT_ENV _CONDA_ROOT PATH \
    PYRUN_TRUST PYRUN_PYTHON_VERSION_FILES PYRUN_SYSTEM_SITE_PACKAGES \
    PYENV_ROOT PYENV_VERSION PYENV_DIR HOME XDG_CONFIG_HOME XDG_DATA_HOME UV_PYTHON_INSTALL_DIR
builtin set -g _pyrun_key
builtin set -g _pyrun_now
builtin set -g _pyrun_marker
builtin set -g _pyrun_warned

# The change key, in _pyrun_now: whether .venv is a directory, a symlink or a file (a
# redirect; a link to nothing is a broken .venv), whether .python-version and
# .python-versions are regular files, whether the shims marker of the last answer
# exists (the resolver itself when there was none), how many of the variables are not
# exported (the resolver sees only exported ones), then the working directory and the
# variables' values, one a line ("$PATH" joins with colons). One statement each: fish spends about as long on
# a statement as on a stat, and a loop over the names would cost the prompt 0.1 ms.
function _pyrun_make_key
    builtin test -d .venv
    builtin set -l files $status
    builtin test -L .venv
    builtin set -a files $status
    builtin test -f .venv
    builtin set -a files $status
    builtin test -f .python-version
    builtin set -a files $status
    builtin test -f .python-versions
    builtin set -a files $status
    builtin test -e "$_pyrun_marker"
    builtin set -a files $status
    builtin set -qx $_pyrun_vars
    builtin set -a files $status
    # (One word over three lines: an indented line would start a second word.)
    builtin set -g _pyrun_now "$files"\n$PWD\n"$VIRTUAL_ENV"\n"$CONDA_PREFIX"\n"$CONDA_DEFAULT_ENV"\n\
"$_CONDA_ROOT"\n"$PATH"\n"$PYRUN_TRUST"\n"$PYRUN_PYTHON_VERSION_FILES"\n"$PYRUN_SYSTEM_SITE_PACKAGES"\n\
"$PYENV_ROOT"\n"$PYENV_VERSION"\n"$PYENV_DIR"\n"$HOME"\n"$XDG_CONFIG_HOME"\n"$XDG_DATA_HOME"\n\
"$UV_PYTHON_INSTALL_DIR"
end

function _pyrun_update --on-event fish_prompt
    # Shims first on PATH, exactly once.
    # ($PATH[2..-1] of a one-entry PATH would count backwards to $PATH[1].)
    if builtin test "$PATH[1]" != "$_pyrun_shims"
        or begin
            builtin set -q PATH[2]; and builtin contains -- $_pyrun_shims $PATH[2..-1]
        end
        builtin set -l rest
        for entry in $PATH
            builtin test "$entry" = "$_pyrun_shims"; or builtin set -a rest $entry
        end
        builtin set -gx PATH $_pyrun_shims $rest
    end
    _pyrun_make_key
    builtin test "$_pyrun_now" = "$_pyrun_key"; and return

    builtin set -l kind
    builtin set -l label
    builtin set -l marker
    builtin set -l warnings
    # (-x first: fish would say on stderr that a missing one is an unknown command)
    if builtin test -x $_pyrun_resolve
        for line in (command $_pyrun_resolve </dev/null 2>/dev/null)
            builtin set -l kv (builtin string split -m1 = -- $line)
            switch "$kv[1]"
                case kind
                    builtin set kind "$kv[2]"
                case label
                    builtin set label "$kv[2]"
                case shims
                    builtin set marker "$kv[2]"
                case warning
                    builtin set -a warnings "$kv[2]"
            end
        end
    end
    builtin test -n "$label"; or builtin set label 'pyrun?'
    builtin set -gx PYRUN_ENV_KIND $kind
    builtin set -gx PYRUN_ENV_NAME $label
    # The key again, with the marker now named: what the next prompt compares with.
    builtin test -n "$marker"; or builtin set marker $_pyrun_resolve
    builtin set -g _pyrun_marker $marker
    _pyrun_make_key
    builtin set -g _pyrun_key $_pyrun_now
    # Said once, not again while the next changes find the same (a `cd` within a tree
    # under an untrusted .venv stays quiet).
    if builtin test "$warnings" != "$_pyrun_warned"; and builtin set -q warnings[1]
        builtin printf '%s\n' $warnings >&2
    end
    builtin set -g _pyrun_warned "$warnings"
end

# `(NAME) ` (prompt_format), unless turned off or already shown by an activate script
# or conda.
function _pyrun_indicator
    builtin set -l on "$_pyrun_prompt"
    builtin test -n "$PYRUN_PROMPT"; and builtin set on "$PYRUN_PROMPT"
    builtin test "$on" = 0; and return
    builtin test -n "$PYRUN_ENV_NAME"; or return
    builtin test "$PYRUN_ENV_KIND" = VIRTUAL_ENV; and builtin test -z "$VIRTUAL_ENV_DISABLE_PROMPT"; and return
    builtin test "$PYRUN_ENV_KIND" = CONDA_PREFIX; and builtin test -n "$CONDA_PROMPT_MODIFIER"; and return
    builtin printf '%s%s%s' "$_pyrun_before" "$PYRUN_ENV_NAME" "$_pyrun_after"
end

# Wrap fish_prompt once: not again when it is already ours, and not over a prompt
# that wrapped ours (activate.fish), whose copy of ours would then call itself.
begin
    builtin set -l wrap
    if not builtin functions -q _pyrun_original_fish_prompt
        builtin functions -q fish_prompt; and builtin functions -c fish_prompt _pyrun_original_fish_prompt
        and builtin set wrap 1
    else
        builtin set -l details (builtin functions --details --verbose fish_prompt)
        builtin test "$details[5]" = 'pyrun: (NAME) before the prompt'; and builtin set wrap 1
    end
    if builtin test -n "$wrap"
        function fish_prompt --description 'pyrun: (NAME) before the prompt'
            # First, so the user's prompt sees $status and $pipestatus untouched.
            builtin set -l text (_pyrun_original_fish_prompt)
            _pyrun_indicator
            builtin printf '%s\n' $text
        end
    end
end

# Keep the command-not-found handler that was there (fish's own is autoloaded by
# `functions -q`), unless it is already pyrun's, under another name.
if builtin functions -q fish_command_not_found
    builtin set -l details (builtin functions --details --verbose fish_command_not_found)
    if builtin test "$details[5]" != 'pyrun: a console script on first use'
        builtin functions -e _pyrun_previous_not_found
        builtin functions -c fish_command_not_found _pyrun_previous_not_found
    end
end

# A command fish did not find. NAME is the user's text: passed as one argument and
# judged by pyrun (shims.first_use: a console script name, never a system command's or
# a builtin's). One process asks; when it made the shim, the shim runs by its path
# (never by NAME, which would come back here) with the arguments. fish sets $status to
# 127 after any handler, so the command's own status is not passed on.
function fish_command_not_found --description 'pyrun: a console script on first use'
    builtin set -l args $argv
    builtin set -e args[1]
    if builtin test -n "$argv[1]"; and builtin test -x "$_pyrun_python"
        and command $_pyrun_python -I -m pyrun rehash --found=$argv[1] </dev/null >/dev/null
        command $_pyrun_shims/$argv[1] $args
        return
    end
    if builtin functions -q _pyrun_previous_not_found
        _pyrun_previous_not_found $argv
    else
        builtin printf 'fish: Unknown command: %s\n' $argv[1] >&2
    end
end

_pyrun_update
