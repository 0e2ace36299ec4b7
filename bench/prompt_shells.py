"""The per-shell half of bench/prompt.py: a driver script for bash, zsh and fish.

Each driver is an interactive shell (``-i``, so hooks that check for one load) that
sources one tool's hook the way its README says, then plays by hand what the shell
does around each prompt, because a shell reading a script shows no prompt and runs no
prompt hook by itself:

- bash: every ``PROMPT_COMMAND`` entry (a string is one entry), then ``PS1``'s
  expansion (``${PS1@P}``). bash has no preexec of its own.
- zsh: ``preexec`` and ``preexec_functions`` before a command line that is not empty,
  then ``precmd`` and ``precmd_functions``, then ``print -P`` of ``PS1`` (prompt
  expansion, with ``PROMPT_SUBST`` when a hook set it). ``cd`` runs ``chpwd_functions``
  by itself.
- fish: ``emit fish_preexec``/``fish_postexec`` around a command line that is not
  empty, then ``emit fish_prompt`` and a call of the ``fish_prompt`` function (and
  ``fish_right_prompt`` when there is one). ``cd`` fires ``--on-variable PWD`` by itself.

Clocks: bash and zsh read ``$EPOCHREALTIME`` before and after a batch (zsh through its
``zsh/datetime`` module, loaded by the driver, not the hook). fish has no clock a
script can read below milliseconds (``$CMD_DURATION`` is whole milliseconds and only
set between interactive commands), so the driver runs each batch under fish's ``time``
keyword, which prints the batch's wall time on stderr to two decimals of a unit it
picks (``Executed in 152.29 millis``: 10 µs over a batch of tens of prompts); the bench
parses that. So every shell times itself, and the timed batch starts no process but
the hook's.

The situations a batch repeats (``step`` 0, 1, 0, 1, ...; an even count ends where it
started):

- ``same``: an empty command line; nothing changed.
- ``cd``: ``cd`` to the other of two plain directories.
- ``venv``: ``cd`` between a plain directory and a project with a ``.venv``.
- ``activate``: what venv's activate script does to the shell (``VIRTUAL_ENV``,
  ``VIRTUAL_ENV_PROMPT``, its ``bin`` in front of ``PATH``; in bash and zsh also
  ``(act)`` in front of ``PS1`` and ``hash -r``), then what ``deactivate`` undoes. fish's
  activate.fish also wraps ``fish_prompt``; the fish driver leaves that out.
- ``appear``: in a project directory, a prepared ``.venv`` is renamed in and out
  (``.venv-off``) with no ``cd``, by another process, as when ``uv venv`` or an editor
  in another terminal makes one: the driver asks the bench over a FIFO (``echo`` into
  one, ``read`` from another: builtins in every shell, so the shell starts no process
  for it, and ``strace -f`` on the shell does not see the bench's rename).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

SITUATIONS = {
    "same": "same directory, nothing changed",
    "cd": "`cd` between two plain directories",
    "venv": "`cd` between a plain directory and a project with a `.venv`",
    "activate": "activate / deactivate a venv",
    "appear": "a `.venv` appears / disappears, no `cd`",
}

BASH = r"""
set +H
PS1='\u@\h:\w\$ '
cd -- "$BENCH_A" || exit 3
source "$BENCH_SETUP"
if [[ -n ${PROMPT_COMMAND[*]-} ]]; then echo "HOOKED yes"; else echo "HOOKED no"; fi

# No locals: bash runs PROMPT_COMMAND at the top level, in the global scope.
_bench_prompt() {
    _bench_pc=("${PROMPT_COMMAND[@]}")
    for _bench_c in "${_bench_pc[@]}"; do
        eval "$_bench_c"
    done
    _bench_ps1=${PS1@P}
}

_bench_activate() {
    _bench_old_path=$PATH _bench_old_ps1=$PS1
    VIRTUAL_ENV=$BENCH_VENV VIRTUAL_ENV_PROMPT=act
    export VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    PATH=$VIRTUAL_ENV/bin:$PATH
    export PATH
    PS1="(act) $PS1"
    hash -r
}

_bench_deactivate() {
    PATH=$_bench_old_path
    export PATH
    PS1=$_bench_old_ps1
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    hash -r
}

_bench_step_same() { :; }
_bench_step_cd() { if (($1)); then cd -- "$BENCH_A"; else cd -- "$BENCH_B"; fi; }
_bench_step_venv() { if (($1)); then cd -- "$BENCH_A"; else cd -- "$BENCH_P"; fi; }
_bench_step_activate() { if (($1)); then _bench_deactivate; else _bench_activate; fi; }
_bench_step_appear() {
    if (($1)); then echo out >"$BENCH_REQ"; else echo in >"$BENCH_REQ"; fi
    read -r _bench_ack <"$BENCH_ACK"
}

_bench_enter() {
    if [[ $1 == appear ]]; then cd -- "$BENCH_G"; else cd -- "$BENCH_A"; fi
    _bench_prompt
    _bench_prompt
}

_bench_run() {
    for ((_bench_i = 0; _bench_i < BENCH_N; _bench_i++)); do
        "_bench_step_$1" $((_bench_i % 2))
        _bench_prompt
    done
}

for _bench_pass in 1 2; do
    for _bench_s in $BENCH_ORDER; do
        _bench_enter "$_bench_s"
        for _bench_odd in 0 1; do
            "_bench_step_$_bench_s" "$_bench_odd"
            _bench_prompt
            echo "LABEL $_bench_s $_bench_odd ${PYRUN_ENV_NAME-}"
        done
    done
done

for _bench_s in $BENCH_ORDER; do
    _bench_enter "$_bench_s"
    if [[ $BENCH_MODE == count ]]; then
        : <"$BENCH_MARK/begin-$_bench_s"
        _bench_run "$_bench_s"
        : <"$BENCH_MARK/end"
        echo "COUNTED $_bench_s"
    else
        _bench_t0=${EPOCHREALTIME/[.,]/}
        _bench_run "$_bench_s"
        _bench_t1=${EPOCHREALTIME/[.,]/}
        echo "RESULT $_bench_s $((_bench_t1 - _bench_t0)) $BENCH_N"
    fi
done
exit 0
"""

ZSH = r"""
PS1='%n@%m:%~%# '
cd -- "$BENCH_A" || exit 3
zmodload zsh/datetime
source "$BENCH_SETUP"
if (( ${#precmd_functions} + ${#chpwd_functions} + ${+functions[precmd]} )); then
    echo "HOOKED yes"
else
    echo "HOOKED no"
fi

# Globals only: zsh calls these hooks from the top level.
_bench_preexec() {
    (( ${+functions[preexec]} )) && preexec "$1" "$1" "$1"
    for _bench_f in "${preexec_functions[@]}"; do
        (( ${+functions[$_bench_f]} )) && "$_bench_f" "$1" "$1" "$1"
    done
}

_bench_prompt() {
    (( ${+functions[precmd]} )) && precmd
    for _bench_f in "${precmd_functions[@]}"; do
        (( ${+functions[$_bench_f]} )) && "$_bench_f"
    done
    print -P -v _bench_ps1 -- "$PS1"
    [[ -z ${RPS1-} ]] || print -P -v _bench_rps1 -- "$RPS1"
}

_bench_activate() {
    _bench_old_path=$PATH _bench_old_ps1=$PS1
    export VIRTUAL_ENV=$BENCH_VENV VIRTUAL_ENV_PROMPT=act
    export PATH=$VIRTUAL_ENV/bin:$PATH
    PS1="(act) $PS1"
    hash -r
}

_bench_deactivate() {
    export PATH=$_bench_old_path
    PS1=$_bench_old_ps1
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    hash -r
}

_bench_step_same() { :; }
_bench_step_cd() {
    _bench_preexec "cd other"
    if (($1)); then cd -- "$BENCH_A"; else cd -- "$BENCH_B"; fi
}
_bench_step_venv() {
    _bench_preexec "cd project"
    if (($1)); then cd -- "$BENCH_A"; else cd -- "$BENCH_P"; fi
}
_bench_step_activate() {
    _bench_preexec "source .venv/bin/activate"
    if (($1)); then _bench_deactivate; else _bench_activate; fi
}
_bench_step_appear() {
    _bench_preexec "uv venv"
    if (($1)); then echo out >"$BENCH_REQ"; else echo in >"$BENCH_REQ"; fi
    read -r _bench_ack <"$BENCH_ACK"
}

_bench_enter() {
    if [[ $1 == appear ]]; then cd -- "$BENCH_G"; else cd -- "$BENCH_A"; fi
    _bench_prompt
    _bench_prompt
}

_bench_run() {
    for ((_bench_i = 0; _bench_i < BENCH_N; _bench_i++)); do
        "_bench_step_$1" $((_bench_i % 2))
        _bench_prompt
    done
}

for _bench_pass in 1 2; do
    for _bench_s in ${=BENCH_ORDER}; do
        _bench_enter "$_bench_s"
        for _bench_odd in 0 1; do
            "_bench_step_$_bench_s" "$_bench_odd"
            _bench_prompt
            echo "LABEL $_bench_s $_bench_odd ${PYRUN_ENV_NAME-}"
        done
    done
done

for _bench_s in ${=BENCH_ORDER}; do
    _bench_enter "$_bench_s"
    if [[ $BENCH_MODE == count ]]; then
        : <"$BENCH_MARK/begin-$_bench_s"
        _bench_run "$_bench_s"
        : <"$BENCH_MARK/end"
        echo "COUNTED $_bench_s"
    else
        _bench_t0=${EPOCHREALTIME/./}
        _bench_run "$_bench_s"
        _bench_t1=${EPOCHREALTIME/./}
        # nanoseconds to microseconds
        echo "RESULT $_bench_s $(( (_bench_t1 - _bench_t0) / 1000 )) $BENCH_N"
    fi
done
exit 0
"""

FISH = r"""
function fish_prompt
    printf '%s@%s:%s> ' $USER $hostname $PWD
end
cd $BENCH_A; or exit 3
source $BENCH_SETUP
if functions --handlers-type generic | string match -q -r '^fish_prompt '
    echo "HOOKED yes"
else
    echo "HOOKED no"
end

function _bench_prompt
    emit fish_prompt
    set -g _bench_ps1 (fish_prompt)
    functions -q fish_right_prompt; and set -g _bench_rps1 (fish_right_prompt)
end

function _bench_activate
    set -g _bench_old_path $PATH
    set -gx VIRTUAL_ENV $BENCH_VENV
    set -gx VIRTUAL_ENV_PROMPT act
    set -gx PATH $VIRTUAL_ENV/bin $PATH
end

function _bench_deactivate
    set -gx PATH $_bench_old_path
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
end

function _bench_step_same
end
function _bench_step_cd
    emit fish_preexec "cd other"
    if test $argv[1] = 1; cd $BENCH_A; else; cd $BENCH_B; end
    emit fish_postexec "cd other"
end
function _bench_step_venv
    emit fish_preexec "cd project"
    if test $argv[1] = 1; cd $BENCH_A; else; cd $BENCH_P; end
    emit fish_postexec "cd project"
end
function _bench_step_activate
    emit fish_preexec "source .venv/bin/activate.fish"
    if test $argv[1] = 1; _bench_deactivate; else; _bench_activate; end
    emit fish_postexec "source .venv/bin/activate.fish"
end
function _bench_step_appear
    emit fish_preexec "uv venv"
    if test $argv[1] = 1; echo out >$BENCH_REQ; else; echo in >$BENCH_REQ; end
    read _bench_ack <$BENCH_ACK
    emit fish_postexec "uv venv"
end

function _bench_enter
    if test $argv[1] = appear; cd $BENCH_G; else; cd $BENCH_A; end
    _bench_prompt
    _bench_prompt
end

# 0 1 0 1 ..., made once: the timed loop runs no `seq` and no `math`.
set -g _bench_parity (string split ' ' (string trim (string repeat -n (math $BENCH_N / 2) '0 1 ')))
set -g _bench_order (string split ' ' $BENCH_ORDER)

function _bench_run
    set -l step _bench_step_$argv[1]
    for _bench_odd in $_bench_parity
        $step $_bench_odd
        _bench_prompt
    end
end

for _bench_pass in 1 2
    for _bench_s in $_bench_order
        _bench_enter $_bench_s
        for _bench_odd in 0 1
            _bench_step_$_bench_s $_bench_odd
            _bench_prompt
            echo "LABEL $_bench_s $_bench_odd $PYRUN_ENV_NAME"
        end
    end
end

for _bench_s in $_bench_order
    _bench_enter $_bench_s
    if test "$BENCH_MODE" = count
        true <$BENCH_MARK/begin-$_bench_s
        _bench_run $_bench_s
        true <$BENCH_MARK/end
        echo "COUNTED $_bench_s"
    else
        echo "TIMED $_bench_s $BENCH_N" >&2
        time _bench_run $_bench_s
    end
end
exit 0
"""


@dataclass(frozen=True)
class Shell:
    """One shell: its driver, how to start it, how each tool's hook is set up in it."""

    name: str
    script: str
    argv: tuple[str, ...]  # the driver's path is appended
    # How each tool's README sets its hook up; {exe} is the tool's executable.
    setups: dict[str, str]

    def version(self) -> str:
        done = subprocess.run([self.name, "--version"], capture_output=True, text=True, check=False)
        return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "?"

    def command(self, driver: Path) -> list[str]:
        return [*self.argv, str(driver)]

    def setup(self, tool: str, exe: str) -> str:
        return self.setups[tool].format(exe=exe)


SHELLS = {
    "bash": Shell(
        "bash",
        BASH,
        ("bash", "--norc", "--noprofile", "-i"),
        {
            "none": ":",
            "pyrun": 'eval "$({exe} hook bash)"',
            "direnv": 'eval "$({exe} hook bash)"',
            "mise": 'eval "$({exe} activate bash)"',
        },
    ),
    "zsh": Shell(
        "zsh",
        ZSH,
        ("zsh", "-f", "-i"),
        {
            "none": ":",
            "pyrun": 'eval "$({exe} hook zsh)"',
            "direnv": 'eval "$({exe} hook zsh)"',
            "mise": 'eval "$({exe} activate zsh)"',
        },
    ),
    "fish": Shell(
        "fish",
        FISH,
        ("fish", "--no-config", "-i"),
        {
            "none": "true",
            "pyrun": "{exe} hook fish | source",
            "direnv": "{exe} hook fish | source",
            "mise": "{exe} activate fish | source",
        },
    ),
}

# fish's `time`: "Executed in  152.29 micros    fish  external"
FISH_UNITS = {"micros": 1.0, "millis": 1e3, "secs": 1e6, "mins": 6e7, "hours": 3.6e9}


def fish_results(stderr: str) -> list[tuple[str, float, int]]:
    """(situation, µs for the batch, prompts) from the fish driver's stderr: each
    `TIMED situation n` line the driver wrote, then the first `Executed in` after it."""
    results = []
    pending: tuple[str, int] | None = None
    for line in stderr.splitlines():
        words = line.split()
        if words[:1] == ["TIMED"] and len(words) == 3:
            pending = (words[1], int(words[2]))
        elif pending and words[:2] == ["Executed", "in"] and len(words) >= 4:
            unit = FISH_UNITS.get(words[3])
            if unit is not None:
                results.append((pending[0], float(words[2]) * unit, pending[1]))
            pending = None
    return results
