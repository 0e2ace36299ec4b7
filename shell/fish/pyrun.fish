# pyrun hook for fish: printed by `pyrun hook fish`, sourced by
#   pyrun hook fish | source
#
# Strategy. Two handlers call one function, `_pyrun_update`: `--on-variable PWD` (a
# `cd`, even from a script) and `--on-event fish_prompt` (fired before every prompt is
# drawn; it catches `source .venv/bin/activate.fish`, `conda activate` and anything
# else that edits PATH or the environment variables). `_pyrun_update` first puts the
# shims directory back in front of PATH, exactly once (activate scripts, conda and
# fish's own rebuilding of PATH from $fish_user_paths put their directories in front;
# fish keeps no table of command locations, so there is nothing like `hash -r` to
# do). It then compares PWD, VIRTUAL_ENV, CONDA_PREFIX, CONDA_DEFAULT_ENV, PATH and
# the exported PYRUN_TRUST and PYRUN_PYTHON_VERSION_FILES with what it saw last time
# and returns at once when they are the same: an unchanged prompt is a few string
# comparisons, no file access and no process. So a file that appears or changes
# while none of them does (a new .venv, a .python-version written or edited in the
# current directory) is noticed at the next change (a `cd` to another directory).
#
# When something changed it walks uv's discovery order the way shims/shim.sh does and
# exports PYRUN_ENV_KIND and PYRUN_ENV_NAME (shell/README.md is the contract; Python's
# `pyrun.label` is the reference). First it reads the .python-version file that
# applies, as src/pyrun/version_file.py does (python_version_files; the exported
# PYRUN_PYTHON_VERSION_FILES wins): a minor version 3.Y there makes `python` ask for
# it as `python3.Y` does, so an environment counts only with bin/python3.Y and PATH
# is searched for python3.Y, python3, python. Only fish builtins run (`path`,
# `string`, `read`, `test`, globbing), and no interpreter found in a directory is ever
# run. The one process it may start is `ls`, once per .venv found, because fish has no
# builtin that reads mode bits and a .venv that someone else controls is skipped as
# the shims skip it (src/pyrun/ownership.py; said once on stderr; no `ls` when
# PYRUN_TRUST is `*`; `test -O` tells "yours", and only a foreign owner costs an
# `id -u`, once, for the wording). pyvenv.cfg and .python-version are read as text
# with `read`, and an isolated environment's version comes from the one-line record
# that pyrun keeps for each base interpreter (src/pyrun/records.py), trusted only while
# `test -ef` (fish's `test` has it) says the interpreter is still the file the
# environment was made from.
#
# The indicator: fish draws the prompt by calling the `fish_prompt` function, so the
# hook copies the user's function to `_pyrun_original_fish_prompt`, once, and defines a
# `fish_prompt` that runs it first (it sees $status and $pipestatus untouched, the
# pattern venv's activate.fish uses), then prints `(NAME) ` as data with
# printf '%s' and the captured prompt after it. A prompt function defined later (a
# theme, starship) replaces the wrapper; PYRUN_ENV_* stay exported for it to show.
#
# Narrowings, each a case fish's builtins cannot see as Python does:
# - the 64 KiB limit on pyvenv.cfg counts characters (`read -n`), not bytes;
# - a NUL that is a .python-version's last byte goes unseen (`read -z` ends there), so
#   a last line `3.12` followed by one is read as a request;
# - bytes that are not UTF-8 in a `prompt =` value are shown as they are, where
#   Python shows U+FFFD;
# - a base interpreter without a record yet (before the first `python` through the
#   shims) is labelled `pyrun`, where Python would run it to learn `pyrun 3.X`. While
#   the label is that bare `pyrun`, the prompt after each command looks again (see
#   `_pyrun_after_command`), so the version appears once the first use made it. With
#   a .python-version asking for 3.Y, such an interpreter is shown as `pyrun` even
#   where Python, running it, would find it is not 3.Y and look further.
#
# Sourcing this file again redefines the same functions and handlers, and wraps
# fish_prompt only if the current one is not already pyrun's, so three times is once.

set -g _pyrun_shims __PYRUN_SHIMS__
set -g _pyrun_data __PYRUN_DATA__
# From config.toml when the hook was made (src/pyrun/config.py): its trust list (used
# with the exported PYRUN_TRUST), its prompt setting (PYRUN_PROMPT wins) and the text
# around the name in prompt_format; its system_site_packages and python_version_files
# (the variables win).
set -g _pyrun_trust __PYRUN_TRUST__
set -g _pyrun_prompt __PYRUN_PROMPT__
set -g _pyrun_site __PYRUN_SITE__
set -g _pyrun_pin __PYRUN_PIN__
set -g _pyrun_before __PYRUN_PROMPT_BEFORE__
set -g _pyrun_after __PYRUN_PROMPT_AFTER__
# What Python's str.strip() removes (str.isspace), for pyvenv.cfg keys and values.
set -g _pyrun_space ' '\t\n\v\f\r\x1c\x1d\x1e\x1f\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000
set -g _pyrun_seen
set -g _pyrun_warned

# Control characters (C0, DEL, C1) removed: what a prompt may show. Prints the result.
function _pyrun_inert
    string replace -ra '[\x00-\x1f\x7f-\x9f]' '' -- $argv[1]
end

# Whether environment $argv[1] has a working interpreter, as the shim judges it.
function _pyrun_env_ok
    test -x "$argv[1]/bin/python3"; or test -x "$argv[1]/bin/python"
end

# Whether environment $argv[1] is the minor version $argv[2] asks for (none: any).
function _pyrun_has_minor
    test -z "$argv[2]"; or test -x "$argv[1]/bin/python$argv[2]"
end

# Whether $argv[1] looks like an environment whose interpreter is gone
# (environment.health in Python: every `python` there is an error).
function _pyrun_env_broken
    test -f "$argv[1]/pyvenv.cfg"; or test -L "$argv[1]/bin/python3"; or test -L "$argv[1]/bin/python"
end

# The label of environment $argv[1]: its pyvenv.cfg `prompt =`, else the directory
# holding a `.venv`, else the environment directory's own name.
function _pyrun_label
    set -l env $argv[1]
    set -l cfg $env/pyvenv.cfg
    set -l text
    # -f: never a FIFO or a device, which `read` would wait on.
    if test -f $cfg; and test -r $cfg; and read -z -n 65537 text <$cfg
        and test (string length -- "$text") -le 65536
        # Python's str.splitlines() boundaries, then the first `prompt` key decides.
        set -l lines (string replace -ra '\r\n|[\r\v\f\x1c-\x1e\x{85}\x{2028}\x{2029}]' \n -- "$text" | string split \n)
        for line in $lines
            set -l kv (string split -m1 = -- $line)
            set -q kv[2]; or continue
            set -l key (string trim -c $_pyrun_space -- $kv[1])
            test "$key" = prompt; or continue
            set -l value (string trim -c $_pyrun_space -- $kv[2])
            set value (string replace -r '^([\'"])(.*)\1$' '$2' -- "$value")
            if test -n "$value"
                _pyrun_inert "$value"
                return
            end
            break
        end
    end
    set -l name (path basename -Z -- $env | string split0)
    if test "$name" = .venv
        set name (path dirname -Z -- $env | string split0)
        set name (path basename -Z -- $name | string split0)
    end
    test -n "$name"; and test "$name" != /; or set name /
    _pyrun_inert "$name"
end

# A base interpreter at $argv[1]: prints `pyrun 3.X` (or `pyrun` without a current
# record) and returns 0, or returns 1 when a record says it is not a usable Python, or
# that its environment is not the minor version $argv[2] (a .python-version's) asks for.
# (with system_site_packages on, PYRUN_SYSTEM_SITE_PACKAGES else config.toml's, the
# records are in by-path-site, as the shims read them)
function _pyrun_base_label
    set -l record $_pyrun_data/by-path$argv[1]
    set -l site "$_pyrun_site"
    test -n "$PYRUN_SYSTEM_SITE_PACKAGES"; and set site "$PYRUN_SYSTEM_SITE_PACKAGES"
    test "$site" = 1; and set record $_pyrun_data/by-path-site$argv[1]
    set -l kind
    set -l target
    if test -f $record; and test -r $record
        # Two names: the first word, and the rest of the line exactly as written.
        read kind target <$record
    end
    switch "$kind"
        case env
            set -l env $target
            if test -n "$env"; and test -f $env/.pyrun-complete; and test $argv[1] -ef $env/bin/python
                _pyrun_has_minor $env "$argv[2]"; or return 1
                set -l minor (string split - -- (path basename -Z -- $env | string split0))[2]
                if test -n "$minor"
                    _pyrun_inert "pyrun $minor"
                    return 0
                end
            end
        case skip
            test -n "$target"; and test $argv[1] -ef $target; and return 1
    end
    echo pyrun
end

# uv's rule for telling conda's base environment from a named one, as in the shim.
function _pyrun_conda_is_base
    set -l p (string replace -r '(?<=.)/+$' '' -- $CONDA_PREFIX | string collect)
    test -f $p/conda-meta/pixi; and return 1
    if set -q _CONDA_ROOT
        set -l root (string replace -r '(?<=.)/+$' '' -- "$_CONDA_ROOT" | string collect)
        test "$p" = "$root"; and return 0
    end
    set -q CONDA_DEFAULT_ENV; or return 1
    test "$p" = "$CONDA_DEFAULT_ENV"; and return 1
    test "$p" = /; and return 1
    set -l name (path basename -Z -- $p | string split0)
    test "$name" = "$CONDA_DEFAULT_ENV"; and return 1
    return 0
end

# An absolute, lexically normalised spelling of $argv[1] (Python's os.path.abspath).
function _pyrun_abspath
    set -l p $argv[1]
    string match -q -- '/*' $p; or set p (path resolve -Z . | string split0)/$p
    path normalize -Z -- $p
end

# The program $argv[1] by its absolute path (/bin, /usr/bin, then the absolute
# entries of PATH), never one that a relative PATH entry would find here.
function _pyrun_tool
    for dir in /bin /usr/bin $PATH
        set dir (string replace -r '/$' '' -- $dir)
        string match -q -- '/*' $dir; or continue
        if test -f $dir/$argv[1]; and test -x $dir/$argv[1]
            echo $dir/$argv[1]
            return 0
        end
    end
    return 1
end

# The effective uid, for the warning's wording only (`test -O` decides): asked once.
function _pyrun_euid
    if not set -q _pyrun_uid[1]
        set -l id (_pyrun_tool id); and set -g _pyrun_uid (command $id -u 2>/dev/null)
        set -q _pyrun_uid[1]; or set -g _pyrun_uid '?'
    end
    echo $_pyrun_uid[1]
end

# Whether $argv[1] (`ls -ln` mode string $argv[2], owner uid $argv[3]) is no place to
# take programs from; _pyrun_reason says why, worded as ownership.unsafe_reason words
# it. $argv[4] is set for the directory holding an environment: it may be writable by
# others when it has the sticky bit, like /tmp.
function _pyrun_unsafe --argument-names target mode uid holder
    if test "$uid" != 0; and not test -O $target
        set -g _pyrun_reason "$target is owned by uid $uid, not by you (uid "(_pyrun_euid)") or root"
        return 0
    end
    set -l g (string sub -s 6 -l 1 -- $mode)
    set -l o (string sub -s 9 -l 1 -- $mode)
    test "$g" = w; or test "$o" = w; or return 1
    test -n "$holder"; and string match -qr '^.{9}[tT]' -- $mode; and return 1
    set -l who 'its group'
    test "$o" = w; and set who others
    test "$g" = w; and test "$o" = w; and set who 'its group and others'
    set -g _pyrun_reason "$target is writable by $who"
    return 0
end

# Whether the environment $argv[1], found by the .venv step, may be used (ownership.py's
# rule): it and the directory holding it must be yours or root's, and nobody else may
# write to them, unless the exported PYRUN_TRUST or config.toml's trust names one of
# them (`*` for all, `DIR/*` for everything below DIR). Those are read first; then one `ls` tells the owner
# and mode of both. When it is not to be used, pyrun's warning is added to
# _pyrun_warnings (once per environment) and it returns 1.
function _pyrun_trusted
    set -l env $argv[1]
    contains -- $env $_pyrun_untrusted; and return 1
    set -l holder (path dirname -Z -- $env | string split0)
    set -l trust "$_pyrun_trust"
    set -qx PYRUN_TRUST; and set trust "$PYRUN_TRUST:$_pyrun_trust"
    # A path variable splits on colons alone; a newline in an entry stays in it,
    # and `string collect` keeps it whole where a substitution would split it.
    set -l --path entries "$trust"
    for entry in $entries
        test "$entry" = '*'; and return 0
        string match -qr -- '^/' $entry; or continue
        if string match -qr -- '/\*\z' $entry
            set -l prefix (string sub -e -1 -- $entry | string collect)
            set -l n (string length -- $prefix)
            set -l a (string sub -l $n -- $env | string collect)
            set -l b (string sub -l $n -- $holder | string collect)
            test "$a" = "$prefix"; or test "$b" = "$prefix"; and return 0
            continue
        end
        set entry (string replace -r '(?s)(?<=.)/+\z' '' -- $entry | string collect)
        test "$entry" = "$env"; or test "$entry" = "$holder"; and return 0
    end
    set -l ls (_pyrun_tool ls); or return 0
    # One line each, the holder's first (a path sorts before what it is a prefix of);
    # anything else means they could not be examined, which Python lets pass too.
    set -l lines (LC_ALL=C command $ls -ldnqL -- $holder $env 2>/dev/null)
    test (count $lines) -eq 2; or return 0
    set -l h (string split -n ' ' -- $lines[1])
    set -l e (string split -n ' ' -- $lines[2])
    set -q h[3]; and set -q e[3]; or return 0
    _pyrun_unsafe $env $e[1] $e[3]; or _pyrun_unsafe $holder $h[1] $h[3] holder; or return 0
    set -ga _pyrun_untrusted $env
    set -ga _pyrun_warnings (_pyrun_inert "pyrun: not using $env: $_pyrun_reason; to use it anyway, add it to PYRUN_TRUST (export PYRUN_TRUST=$env)")
    return 1
end

# The minor version (`3.Y`) the .python-version file that applies asks for, printed, or
# nothing (src/pyrun/version_file.py's reading, as uv reads it): in the physical working
# directory $argv[1] (none when it is gone) or a parent up to /, the nearest
# .python-version, else .python-versions, a regular file; else the same two names in
# uv's user config directory. Each line is trimmed of ASCII white space, comment (#)
# and blank lines are skipped, and the first line that is 3, 3.Y or 3.Y.Z (digits)
# decides: 3.Y with Y's leading zeros gone (3.012 is 3.12), or no minor for `3`. Off
# when python_version_files is (PYRUN_PYTHON_VERSION_FILES, exported and not empty,
# wins; only 0 turns it off).
function _pyrun_read_pin
    set -l on "$_pyrun_pin"
    set -qx PYRUN_PYTHON_VERSION_FILES; and test -n "$PYRUN_PYTHON_VERSION_FILES"
    and set on "$PYRUN_PYTHON_VERSION_FILES"
    test "$on" = 0; and return
    set -l dirs
    set -l dir $argv[1]
    while test -n "$dir"
        set -a dirs $dir
        test "$dir" = /; and break
        set dir (path dirname -Z -- $dir | string split0)
    end
    # uv's user config directory, where `uv python pin --global` writes.
    if string match -q -- '/*' "$XDG_CONFIG_HOME"
        set -a dirs "$XDG_CONFIG_HOME/uv"
    else if string match -q -- '/*' "$HOME"
        set -a dirs "$HOME/.config/uv"
    end
    set -l file
    for dir in $dirs
        test "$dir" = /; and set dir ''
        for name in .python-version .python-versions
            if test -f $dir/$name
                set file $dir/$name
                break
            end
        end
        test -n "$file"; and break
    end
    # -r: an unreadable file asks for nothing (and a redirection would complain).
    test -n "$file"; and test -r $file; or return
    # A NUL ends a `read -z`: the pieces are joined again with a character no request
    # holds, so the line holding one is no request and the lines after it are read
    # (a NUL that is the file's last byte goes unseen).
    set -l parts
    while read -z -l part
        set -a parts $part
    end <$file
    set -l text (string join \x01 -- $parts | string collect)
    for line in (string split \n -- "$text" | string trim -c ' '\t\r\v\f)
        test -n "$line"; or continue
        string match -q -- '#*' "$line"; and continue
        string match -qr -- '^3(\.[0-9]+(\.[0-9]+)?)?\z' "$line"; or continue
        set -l fields (string split . -- "$line")
        set -q fields[2]; or return
        set -l y (string replace -r '^0+(?=.)' '' -- $fields[2])
        echo 3.$y
        return
    end
end

# Walk uv's order; sets PYRUN_ENV_KIND and PYRUN_ENV_NAME.
function _pyrun_compute
    set -gx PYRUN_ENV_KIND isolated
    # The physical working directory (none when it is gone), for the version file and
    # the .venv walk; then the minor version a .python-version asks for, if any.
    set -l cwd (path resolve -Z . | string split0)
    test -d "$cwd"; or set cwd
    set -l minor (_pyrun_read_pin "$cwd")
    # 1. VIRTUAL_ENV
    if test -n "$VIRTUAL_ENV"
        set -l env (_pyrun_abspath $VIRTUAL_ENV | string split0)
        if _pyrun_env_ok $env
            # Only a virtual environment counts: VIRTUAL_ENV=/usr is skipped, and so is
            # one that is not the version a .python-version asks for.
            if test -f $env/pyvenv.cfg; and _pyrun_has_minor $env "$minor"
                set -gx PYRUN_ENV_KIND VIRTUAL_ENV
                set -gx PYRUN_ENV_NAME (_pyrun_label $env)
                return
            end
        else if _pyrun_env_broken $env
            set -gx PYRUN_ENV_KIND VIRTUAL_ENV
            set -gx PYRUN_ENV_NAME 'broken VIRTUAL_ENV'
            return
        end
    end
    # 2. CONDA_PREFIX, a named environment
    set -l conda_base
    if test -n "$CONDA_PREFIX"
        set -l env (_pyrun_abspath $CONDA_PREFIX | string split0)
        if _pyrun_conda_is_base
            set conda_base $env
        else if _pyrun_env_ok $env
            if _pyrun_has_minor $env "$minor"
                set -gx PYRUN_ENV_KIND CONDA_PREFIX
                set -l name (path basename -Z -- $env | string split0)
                test -n "$name"; or set name /
                set -gx PYRUN_ENV_NAME (_pyrun_inert $name)
                return
            end
        else if _pyrun_env_broken $env
            set -gx PYRUN_ENV_KIND CONDA_PREFIX
            set -gx PYRUN_ENV_NAME 'broken CONDA_PREFIX'
            return
        end
    end
    # 3. .venv, walking up from the physical working directory (none when it is gone)
    set -l dir $cwd
    while test -n "$dir"
        # One that someone else controls counts as absent: the walk goes on (a .venv
        # symlink to nothing is not examined: it is a broken .venv).
        set -l env
        if test -f $dir/pyvenv.cfg; and _pyrun_trusted $dir
            set env $dir
        else
            set -l v $dir/.venv
            test "$dir" = /; and set v /.venv
            if begin
                    test -d $v; or test -L $v
                end
                and begin
                    not test -e $v; or _pyrun_trusted $v
                end
                set env $v
                if not test -f $v/pyvenv.cfg
                    set -gx PYRUN_ENV_KIND .venv
                    set -gx PYRUN_ENV_NAME 'broken .venv'
                    return
                end
            end
        end
        if test -n "$env"
            # Not the version a .python-version asks for: the .venv step ends here, as
            # the resolver's does (no parent's .venv), and base interpreters are next.
            _pyrun_env_ok $env; and not _pyrun_has_minor $env "$minor"; and break
            set -gx PYRUN_ENV_KIND .venv
            if _pyrun_env_ok $env
                set -gx PYRUN_ENV_NAME (_pyrun_label $env)
            else
                set -gx PYRUN_ENV_NAME 'broken .venv'
            end
            return
        end
        test "$dir" = /; and break
        set dir (path dirname -Z -- $dir | string split0)
    end
    # 3b. conda base, a base interpreter
    if test -n "$conda_base"
        for candidate in $conda_base/bin/python3 $conda_base/bin/python
            if test -x $candidate
                set -l name (_pyrun_base_label $candidate "$minor")
                and set -gx PYRUN_ENV_NAME $name
                and return
                break
            end
        end
    end
    # 4. PATH: python, python3, then the directory's python3.X newest first; for a
    # .python-version's 3.Y: python3.Y, python3, python, and no others.
    for entry in $PATH
        string match -q -- '/*' $entry; or continue
        test $entry -ef $_pyrun_shims; and continue
        # The entry with one trailing slash taken off, as the shim spells it.
        set -l d $entry/
        string match -q -- '*/' $entry; and set d $entry
        set -l candidates $d''python$minor $d''python3 $d''python
        if test -z "$minor"
            # Globs sort naturally (python3.9 before python3.10), so reversed is newest first.
            set -l versioned
            for candidate in $d''python3.*
                string match -qr -- '/python3\.[0-9]{1,2}$' $candidate; and set -p versioned $candidate
            end
            set candidates $d''python $d''python3 $versioned
        end
        for candidate in $candidates
            if test -f $candidate; and test -x $candidate
                set -l name (_pyrun_base_label $candidate "$minor")
                and set -gx PYRUN_ENV_NAME $name
                and return
            end
        end
    end
    set -gx PYRUN_ENV_NAME pyrun
end

function _pyrun_update --on-variable PWD --on-event fish_prompt
    # Shims first on PATH, exactly once.
    # ($PATH[2..-1] of a one-entry PATH would count backwards to $PATH[1].)
    if test "$PATH[1]" != "$_pyrun_shims"
        or begin
            set -q PATH[2]; and contains -- $_pyrun_shims $PATH[2..-1]
        end
        set -l rest
        for entry in $PATH
            test "$entry" = "$_pyrun_shims"; or set -a rest $entry
        end
        set -gx PATH $_pyrun_shims $rest
    end
    # "$PATH" joins with colons, and no PATH entry holds a colon. PYRUN_TRUST and
    # PYRUN_PYTHON_VERSION_FILES count only exported, as the shims see them;
    # PYRUN_SYSTEM_SITE_PACKAGES rides along.
    set -l trust "$PYRUN_SYSTEM_SITE_PACKAGES:"
    set -qx PYRUN_TRUST; and set trust "$trust"x"$PYRUN_TRUST"
    set -l pin
    set -qx PYRUN_PYTHON_VERSION_FILES; and set pin x"$PYRUN_PYTHON_VERSION_FILES"
    if set -q _pyrun_seen[7]
        and test "$PWD" = "$_pyrun_seen[1]"
        and test "$VIRTUAL_ENV" = "$_pyrun_seen[2]"
        and test "$CONDA_PREFIX" = "$_pyrun_seen[3]"
        and test "$CONDA_DEFAULT_ENV" = "$_pyrun_seen[4]"
        and test "$PATH" = "$_pyrun_seen[5]"
        and test "$trust" = "$_pyrun_seen[6]"
        and test "$pin" = "$_pyrun_seen[7]"
        return
    end
    set -g _pyrun_seen "$PWD" "$VIRTUAL_ENV" "$CONDA_PREFIX" "$CONDA_DEFAULT_ENV" "$PATH" "$trust" "$pin"
    set -g _pyrun_warnings
    set -g _pyrun_untrusted
    _pyrun_compute
    # A skipped .venv is said once, not again while the next changes skip the same.
    if test "$_pyrun_warnings" != "$_pyrun_warned"; and set -q _pyrun_warnings[1]
        printf '%s\n' $_pyrun_warnings >&2
    end
    set -g _pyrun_warned "$_pyrun_warnings"
end

# Only while the label is the bare `pyrun` (no isolated environment made yet): a
# command may have made it, so the next prompt looks again. Empty command lines do
# not fire fish_postexec, and any other label returns at the first comparison.
function _pyrun_after_command --on-event fish_postexec
    test "$PYRUN_ENV_KIND" = isolated; and test "$PYRUN_ENV_NAME" = pyrun; or return
    set -g _pyrun_seen
end

# `(NAME) ` (prompt_format), unless turned off or already shown by an activate script
# or conda.
function _pyrun_indicator
    set -l on "$_pyrun_prompt"
    test -n "$PYRUN_PROMPT"; and set on "$PYRUN_PROMPT"
    test "$on" = 0; and return
    test -n "$PYRUN_ENV_NAME"; or return
    test "$PYRUN_ENV_KIND" = VIRTUAL_ENV; and test -z "$VIRTUAL_ENV_DISABLE_PROMPT"; and return
    test "$PYRUN_ENV_KIND" = CONDA_PREFIX; and test -n "$CONDA_PROMPT_MODIFIER"; and return
    printf '%s%s%s' "$_pyrun_before" "$PYRUN_ENV_NAME" "$_pyrun_after"
end

# Wrap fish_prompt once: not again when it is already ours, and not over a prompt
# that wrapped ours (activate.fish), whose copy of ours would then call itself.
begin
    set -l wrap
    if not functions -q _pyrun_original_fish_prompt
        functions -q fish_prompt; and functions -c fish_prompt _pyrun_original_fish_prompt
        and set wrap 1
    else
        set -l details (functions --details --verbose fish_prompt)
        test "$details[5]" = 'pyrun: (NAME) before the prompt'; and set wrap 1
    end
    if test -n "$wrap"
        function fish_prompt --description 'pyrun: (NAME) before the prompt'
            # First, so the user's prompt sees $status and $pipestatus untouched.
            set -l _pyrun_prompt (_pyrun_original_fish_prompt)
            _pyrun_update
            _pyrun_indicator
            printf '%s\n' $_pyrun_prompt
        end
    end
end

_pyrun_update
