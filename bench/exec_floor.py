"""The exec-only floor of each way to build a shim, against pyrun's real shims.

Why this exists: it is the evidence for building the compiled shim (shims/shim.c)
without a C library (``compiled.FLAGS``: ``-nostdlib``, its own ``_start``, raw system
calls). A program that does nothing but ``exec`` the interpreter is the least any shim
built the same way can cost, so the floor of each build style bounds what a shim of
that style can achieve: a ``#!/bin/sh`` script pays for starting the shell, a C
program linked with glibc pays for glibc's start-up (more again when it is loaded
dynamically), and only a program without a C library gets close to a direct start.
Next to the floors, pyrun's two real shims doing the same job (the ``VIRTUAL_ENV``
step) show how much of their cost is the build style and how much their own work.

Cases, on a throwaway base interpreter built as the tests build theirs
(``tests.conftest.make_base``) and a venv made from it with ``--without-pip``, whose
``bin/python`` is the target T; every command runs with ``VIRTUAL_ENV`` set to that
venv and ``PATH=/usr/bin:/bin``:

- a two-line ``#!/bin/sh`` script, ``exec T "$@"``;
- C linked with glibc, dynamically (``cc -O2``), and statically (``cc -O2 -static``):
  ``argv[0] = T; execve(T, argv, environ)``;
- C without a C library, built with ``compiled.FLAGS`` exactly as ``pyrun rehash``
  builds the shim: an inline-assembly ``_start`` (x86_64 and aarch64) that calls
  ``execve`` with a ``syscall``/``svc`` instruction;
- pyrun's ``python`` shim, compiled (``PYRUN_SHIM=c``) and POSIX sh (``PYRUN_SHIM=sh``),
  each in its own data directory made by ``pyrun rehash -q``; before timing, a
  ``PYRUN_DEBUG=1`` run must say ``pyrun[c] python: VIRTUAL_ENV -> T`` (or ``pyrun[sh]``).

Each program gets the same argument vector T gets (``argv[0]`` is T, as the shims pass
it; CPython finds the venv's ``pyvenv.cfg`` from it). A program that cannot be built
or set up is reported with the reason, not dropped.

Each case is A = the program with ``-c pass`` against B = ``T -c pass`` started
directly, timed with bench/shims.py's machinery: paired and interleaved within a case
(A B, B A, ...), each start timed around ``posix_spawn`` + ``waitpid``, and the ratio
taken per pair. The cases take turns in rounds (round-robin, the order reversed every
other round), so a slow phase of the machine falls on all of them alike. Reported per
case, as in bench/shims.py: the median of the per-pair ratios A/B, their 5th-95th
percentiles and min-max, the median per-pair difference and both absolute medians;
and the size of each program.

    .venv/bin/python bench/exec_floor.py [--quick] [--seconds S] [--max-pairs N]

The default run takes about two minutes; ``--quick`` about ten seconds.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import make_base, real_python

from bench.peers import last_line
from bench.shims import (
    BINARY,
    FLAVOURS,
    HEADER,
    Case,
    Cmd,
    SetupFailed,
    check,
    home_env,
    make_pyrun,
    measure,
    med_diff,
    med_ratio,
    row,
    shown,
    venv,
)
from pyrun import compiled

MINIMAL_PATH = "/usr/bin:/bin"
GLIBC_C = """\
#include <unistd.h>
#define TARGET {target}
extern char **environ;
int main(int argc, char **argv) {{
    (void)argc;
    argv[0] = (char *)TARGET;
    execve(TARGET, argv, environ);
    return 127;
}}
"""
# The entry point and system calls as shims/shim.c makes them, and nothing else.
NOLIBC_C = """\
#include <asm/unistd.h>
#define TARGET {target}
static long sys3(long n, long a, long b, long c) {{
    long ret;
#if defined(__x86_64__)
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
#else
    register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b,
                  x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    ret = x0;
#endif
    return ret;
}}
__attribute__((used, noreturn)) void floor_start(long *sp);
__attribute__((used, noreturn)) void floor_start(long *sp) {{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    argv[0] = (char *)TARGET;
    sys3(__NR_execve, (long)TARGET, (long)argv, (long)(argv + argc + 1));
    for (;;) sys3(__NR_exit, 127, 0, 0);
}}
#if defined(__x86_64__)
__asm__(".text\\n.global _start\\n_start:\\n  xor %rbp, %rbp\\n  mov %rsp, %rdi\\n"
        "  and $-16, %rsp\\n  call floor_start\\n  hlt\\n");
#else
__asm__(".text\\n.global _start\\n_start:\\n  mov x29, #0\\n  mov x30, #0\\n  mov x0, sp\\n"
        "  and sp, x0, #-16\\n  bl floor_start\\n");
#endif
"""
NOLIBC_CPUS = ("x86_64", "aarch64")


def size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB"


def build_c(work: Path, key: str, source: str, flags: list[str]) -> tuple[Path | None, str, str]:
    """Compile source to $W/<key>: (the program or None, the command, why it failed)."""
    cc = compiled.compiler()
    out = work / key
    src = work / f"{key}.c"
    src.write_text(source)
    argv = [cc or "cc", *flags, "-o", str(out), str(src)]
    if cc is None:
        return None, shlex.join(argv), "no C compiler (cc, gcc or clang) on PATH"
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, shlex.join(argv), f"{cc} did not run: {exc}"
    if done.returncode != 0 or not out.is_file():
        return None, shlex.join(argv), f"build failed: {last_line(done.stderr)}"
    return out, shlex.join(argv), ""


def debug_line(case: Case, target: Path) -> str:
    """The PYRUN_DEBUG=1 line a pyrun case must print, or set case.problem."""
    assert case.a is not None
    want = f"pyrun[{case.flavour}] python: VIRTUAL_ENV -> {target}"
    done = subprocess.run(
        case.a.argv,
        env={**case.a.env, "PYRUN_DEBUG": "1"},
        cwd=case.a.cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if want not in done.stderr.splitlines():
        case.problem = f"PYRUN_DEBUG=1 did not say `{want}` but: {last_line(done.stderr)}"
    return want


def cc_version() -> str:
    cc = compiled.compiler()
    if cc is None:
        return "no C compiler"
    done = subprocess.run([cc, "--version"], capture_output=True, text=True, check=False)
    return (done.stdout.splitlines() or [cc])[0]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a ~10 second smoke run")
    parser.add_argument("--warmups", type=int, help="warm-up pairs per case and round (5; quick 2)")
    parser.add_argument("--seconds", type=float, help="time per case, all rounds (18; quick 0.5)")
    parser.add_argument("--max-pairs", type=int, help="at most this many pairs (1000; quick 20)")
    parser.add_argument("--min-pairs", type=int, help="at least this many pairs (60; quick 8)")
    parser.add_argument("--rounds", type=int, help="round-robin rounds over the cases (4; quick 1)")
    args = parser.parse_args()
    warmups = args.warmups if args.warmups is not None else (2 if args.quick else 5)
    budget = args.seconds if args.seconds is not None else (0.5 if args.quick else 18.0)
    hi = args.max_pairs or (20 if args.quick else 1000)
    lo = args.min_pairs or (8 if args.quick else 60)
    rounds = max(1, args.rounds or (1 if args.quick else 4))
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])

    real = real_python("3.11")
    if real is None:
        sys.exit("bench: no CPython 3.11 to build a throwaway base from")
    began = time.monotonic()
    here = os.getcwd()
    work = Path(tempfile.mkdtemp(prefix="pyrun-bench-floor-")).resolve()
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        print("bench: setting up", file=sys.stderr)
        base = make_base(work, real, "3.11")
        version = real.resolve().parent.parent.name
        plain = work / "plain"  # the working directory of every run (make_pyrun wants it)
        plain.mkdir()
        venv_dir = venv(base, work / "venv", home_env(work, "setup"))
        target = venv_dir / "bin" / "python"
        env = home_env(work, "floor", {"VIRTUAL_ENV": str(venv_dir), "PATH": MINIMAL_PATH})
        p = ["-c", "pass"]
        direct = [str(target), *p]
        lit = compiled.c_string(str(target))
        sizes: dict[str, str] = {}
        builds: dict[str, str] = {}

        def program(key: str, label: str, exe: Path | None, problem: str, more: str = "") -> Case:
            if exe is None:
                return Case(key, label, None, None, problem=problem)
            sizes[key] = size(exe) + more
            return Case(
                key,
                f"{label}, {sizes[key]}",
                Cmd([str(exe), *p], env, plain),
                Cmd(direct, env, plain),
                shown_env=("VIRTUAL_ENV", "PATH"),
            )

        script = work / "exec-sh"
        script.write_text(f'#!/bin/sh\nexec {shlex.quote(str(target))} "$@"\n')
        script.chmod(0o755)
        builds["exec-sh"] = f'written: `#!/bin/sh` + `exec {shlex.quote(str(target))} "$@"`'
        cases = [program("exec-sh", "2-line `#!/bin/sh` exec-only script", script, "")]
        glibc = GLIBC_C.format(target=lit)
        for key, label, flags, more in (
            ("exec-dynamic", "C exec-only, glibc, dynamic (`cc -O2`)", ["-O2"], " + libc.so"),
            (
                "exec-static",
                "C exec-only, glibc, static (`cc -O2 -static`)",
                ["-O2", "-static"],
                "",
            ),
        ):
            exe, built, why = build_c(work, key, glibc, flags)
            builds[key] = f"built: `{built}`"
            cases.append(program(key, label, exe, why, more))
        label = "C exec-only, no libc, `_start` + raw `execve` (`compiled.FLAGS`)"
        machine = platform.machine()
        if machine in NOLIBC_CPUS:
            exe, built, why = build_c(
                work, "exec-nolibc", NOLIBC_C.format(target=lit), list(compiled.FLAGS)
            )
            builds["exec-nolibc"] = f"built: `{built}`"
        else:
            exe, why = None, f"not built on this CPU ({machine}; written for x86_64 and aarch64)"
        cases.append(program("exec-nolibc", label, exe, why))

        for flavour in FLAVOURS:  # c, then sh
            label = f"pyrun {FLAVOURS[flavour]} `python` (`PYRUN_SHIM={flavour}`, `VIRTUAL_ENV`)"
            try:
                run = make_pyrun(work, base, flavour, [], flavour)
            except SetupFailed as why:
                cases.append(Case(f"shim-{flavour}", label, None, None, problem=str(why)))
                continue
            shim = run.shims / "python"
            shipped = run.shims / BINARY if flavour == "c" else shim
            sizes[f"shim-{flavour}"] = size(shipped)
            builds[f"shim-{flavour}"] = (
                f"made by `PYRUN_SHIM={flavour} pyrun rehash -q`; the size is of `{shipped}`"
            )
            run_env = {**run.env, "VIRTUAL_ENV": str(venv_dir), "PATH": MINIMAL_PATH}
            cases.append(
                Case(
                    f"shim-{flavour}",
                    f"{label}, {sizes[f'shim-{flavour}']}",
                    Cmd([str(shim), *p], run_env, plain),
                    Cmd(direct, run_env, plain),
                    flavour=flavour,
                    shown_env=("PYRUN_SHIM", "VIRTUAL_ENV", "PATH"),
                )
            )

        said: dict[str, str] = {}
        for case in cases:
            check(case)  # same interpreter as B; a shim: its flavour, no slow path
            if case.flavour and not case.problem:
                line = debug_line(case, target)
                if not case.problem:
                    said[case.key] = line
        for case in cases:
            if case.problem:
                print(f"bench: {case.key} not measured: {case.problem}", file=sys.stderr)
        live = [c for c in cases if not c.problem]
        print(f"bench: timing {len(live)} cases in {rounds} rounds", file=sys.stderr)
        per_lo, per_hi = math.ceil(lo / rounds), max(1, math.ceil(hi / rounds))
        for r in range(rounds):
            for case in live if r % 2 == 0 else live[::-1]:
                measure(case, warmups, budget / rounds, per_lo, per_hi, devnull)
            print(
                f"bench: round {r + 1}/{rounds}: "
                + ", ".join(f"{c.key} {med_ratio(c):.3f}x" for c in live),
                file=sys.stderr,
            )
        os.chdir(here)
        load = os.getloadavg()[0]
        elapsed = time.monotonic() - began

        # -- report -------------------------------------------------------------------
        print(
            f"Exec-only floor by build style, against pyrun's shims. Command: `{command}`; "
            f"{os.cpu_count()} CPUs ({cpu_model()}), {machine}, kernel "
            f"{os.uname().release}, `/bin/sh` is {os.path.realpath('/bin/sh')}, "
            f"{cc_version()}; CPython {version} (throwaway base), T = a `--without-pip` "
            f"venv's `bin/python`; {rounds} round-robin round{'s' if rounds > 1 else ''}, "
            f"each case getting {warmups} warm-up pairs then up to {per_hi} interleaved pairs "
            f"per round; load average {load:.1f} at "
            f"the end; {elapsed:.0f} s in all. A is the program with `-c pass`, B is "
            "`T -c pass` started directly; the ratio is per pair (A/B).\n"
        )
        print(HEADER)
        for case in cases:
            print(row(case))

        by = {c.key: c for c in cases}
        print("\n### Reading\n")
        for shim_key, floor_key, style in (
            ("shim-c", "exec-nolibc", "no-libc"),
            ("shim-sh", "exec-sh", "`#!/bin/sh`"),
        ):
            shim_case, floor_case = by[shim_key], by[floor_key]
            if not (shim_case.a_ns and floor_case.a_ns):
                print(f"- {shim_case.label}: not compared (not measured, or its floor not).")
                continue
            print(
                f"- {shim_case.label.split(' `python`')[0]}: {med_ratio(shim_case):.3f}x "
                f"({med_diff(shim_case):+.2f} ms) against the {style} floor's "
                f"{med_ratio(floor_case):.3f}x ({med_diff(floor_case):+.2f} ms): its own work "
                f"adds {med_diff(shim_case) - med_diff(floor_case):+.2f} ms."
            )
        floors = [by[k] for k in ("exec-sh", "exec-dynamic", "exec-static", "exec-nolibc")]
        measured = [c for c in floors if c.a_ns]
        if measured:
            print(
                "- Floors, A-B median: "
                + "; ".join(f"{c.key} {med_diff(c):+.2f} ms" for c in measured)
                + "."
            )

        print("\n### Programs and command lines\n")
        print(f"`$W` is the temporary directory ({work.name} this run).\n")
        for case in cases:
            built = builds.get(case.key, "")
            print(f"- {case.key}: {case.label}")
            if built:
                print(f"  {built.replace(str(work), '$W')}")
            if case.key in said:
                print(f"  PYRUN_DEBUG=1 said: `{said[case.key].replace(str(work), '$W')}`")
            if case.problem:
                print(f"  not measured: {case.problem}")
            if case.a is not None and case.b is not None:
                print(f"  A `{shown(case.a, case.shown_env, work)}` /")
                print(f"  B `{shown(case.b, case.shown_env, work)}`")
    finally:
        os.chdir(here)
        os.close(devnull)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
