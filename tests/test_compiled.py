"""The compiled shim: built when a C compiler works, the shell shims otherwise.

What a user sees: `pyrun rehash` says which shims it made and why; a missing or broken
compiler never leaves them without working shims; asking for the compiled shim where it
cannot be built is a one-line error that changes nothing. The walk itself is held to
the resolver by tests/test_agreement.py and tests/test_process.py, for both shims.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pyrun import compiled
from tests.conftest import SHIM_FLAVOURS, World, flavour_needs, need, new_world

ISOLATED = "import sys; print(sys.prefix)"


def shims_state(world: World) -> dict[str, str]:
    """Every entry of the shims directory: link target or content hash."""
    state = {}
    for entry in sorted(os.listdir(world.shims)):
        path = world.shims / entry
        if path.is_symlink():
            state[entry] = "-> " + os.readlink(path)
        else:
            state[entry] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def debug_line(world: World, env: dict[str, str | None] | None = None) -> str:
    """What the shim said it did for `python -c pass` (its last PYRUN_DEBUG line)."""
    done = world.run(["python", "-c", "pass"], env={**(env or {}), "PYRUN_DEBUG": "1"}, check=True)
    lines = [
        line for line in done.stderr.splitlines() if line.startswith(("pyrun[sh]", "pyrun[c]"))
    ]
    assert lines, done.stderr
    return lines[-1]


def test_rehash_compiles_when_a_compiler_works_and_says_so(world: World) -> None:
    need(compiled.compiler(), "a C compiler")
    done = world.pyrun("rehash", check=True)
    assert "compiled shims" in done.stdout
    binary = world.shims / compiled.BINARY
    assert binary.read_bytes()[:4] == b"\x7fELF"
    for name in ("python", "python3", "pip", "pip3", "python3.11", "pip3.11"):
        assert os.readlink(world.shims / name) == compiled.BINARY
    world.run(["python", "-c", "pass"], check=True)  # first use: the isolated env
    assert debug_line(world).startswith("pyrun[c] python: isolated -> ")


def test_without_a_compiler_the_shell_shims_serve(world: World) -> None:
    env = {"CC": str(world.root / "no-such-cc"), "PYRUN_SHIM": None}
    done = world.pyrun("rehash", env=env, check=True)
    assert "shell shims" in done.stdout and "no-such-cc" in done.stdout, done.stdout
    assert not (world.shims / compiled.BINARY).exists()
    assert (world.shims / "python").read_text().startswith("#!/bin/sh")
    assert [p.name for p in world.shims.iterdir() if p.name.startswith(".build")] == []
    world.run(["python", "-c", "pass"], env=env, check=True)
    assert debug_line(world, env=env).startswith("pyrun[sh] python: isolated -> ")


def test_a_compiler_whose_binary_does_not_run_is_not_trusted(world: World) -> None:
    fake = world.root / "fake-cc"
    # "compiles" to a program that runs but is no shim: the self-check must refuse it
    fake.write_text(
        "#!/bin/sh\n"
        'while [ "$1" != -o ]; do shift; done\n'
        'printf "#!/bin/sh\\nexit 0\\n" >"$2"\n'
        'chmod +x "$2"\n'
    )
    fake.chmod(0o755)
    env = {"CC": str(fake), "PYRUN_SHIM": None}
    done = world.pyrun("rehash", env=env, check=True)
    assert "shell shims (the compiled shim does not run here)" in done.stdout, done.stdout
    assert not (world.shims / compiled.BINARY).exists()
    assert debug_line(world, env=env).startswith("pyrun[sh] ")


@pytest.mark.parametrize("choice", ["c", "c-libc"])
def test_requiring_the_compiled_shim_without_a_compiler_changes_nothing(
    world: World, choice: str
) -> None:
    before = shims_state(world)
    done = world.pyrun("rehash", env={"PYRUN_SHIM": choice, "CC": str(world.root / "no-such-cc")})
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1, done.stderr
    said = f"pyrun: PYRUN_SHIM={choice}, but the compiled shim cannot be built"
    assert done.stderr.startswith(said), done.stderr
    assert "unset PYRUN_SHIM" in done.stderr
    assert shims_state(world) == before, "a failed rehash must leave the shims as they were"


def test_an_unknown_pyrun_shim_value_is_one_line(world: World) -> None:
    done = world.pyrun("rehash", env={"PYRUN_SHIM": "fast"})
    assert done.returncode != 0 and done.stderr.count("\n") == 1
    assert "PYRUN_SHIM='fast' is not one of auto, sh, c" in done.stderr


def test_changing_pyrun_shim_is_picked_up_by_the_hook(world: World) -> None:
    need(compiled.compiler(), "a C compiler")
    world.pyrun("rehash", "-q", env={"PYRUN_SHIM": "c"}, check=True)
    assert (world.shims / "python").is_symlink()
    world.pyrun("hook", "bash", env={"PYRUN_SHIM": "sh"}, check=True)
    assert (world.shims / "python").read_text().startswith("#!/bin/sh")
    assert not (world.shims / compiled.BINARY).exists()


PT_DYNAMIC, PT_INTERP = 2, 3


def program_headers(binary: bytes) -> dict[int, bytes]:
    """A 64-bit little-endian ELF file's program headers: type -> the bytes it covers
    (PT_INTERP's are the dynamic loader's path). Read here rather than by `file`, whose
    wording differs between versions."""
    assert binary[:4] == b"\x7fELF" and binary[4] == 2 and binary[5] == 1, binary[:6]
    phoff = int.from_bytes(binary[0x20:0x28], "little")
    size = int.from_bytes(binary[0x36:0x38], "little")
    count = int.from_bytes(binary[0x38:0x3A], "little")
    found = {}
    for i in range(count):
        header = binary[phoff + i * size : phoff + (i + 1) * size]
        offset = int.from_bytes(header[8:16], "little")
        length = int.from_bytes(header[32:40], "little")
        found[int.from_bytes(header[0:4], "little")] = binary[offset : offset + length]
    return found


def test_the_default_build_is_static_and_the_libc_build_dynamic(world: World) -> None:
    # shim.c's platform section has two builds: system calls only, static (what every
    # user gets on Linux), and the C library's, dynamic (PYRUN_SHIM=c-libc: what a
    # platform without static binaries, macOS, would build). Both must be real shims.
    need(compiled.compiler(), "a C compiler")
    binary = world.shims / compiled.BINARY
    world.pyrun("rehash", "-q", env={"PYRUN_SHIM": "c"}, check=True)
    static = program_headers(binary.read_bytes())
    assert PT_INTERP not in static and PT_DYNAMIC not in static, sorted(static)
    world.env["PYRUN_SHIM"] = "c-libc"
    done = world.pyrun("rehash", check=True)
    assert "compiled shims over the C library (PYRUN_SHIM=c-libc)" in done.stdout
    stamp = json.loads((world.shims / ".pyrun-shims.json").read_text())
    assert stamp["built"] == compiled.LIBC_KIND
    dynamic = program_headers(binary.read_bytes())
    assert PT_DYNAMIC in dynamic and b"/ld-" in dynamic.get(PT_INTERP, b""), sorted(dynamic)
    assert compiled.is_compiled_shim(world.shims / "python")
    assert os.readlink(world.shims / "python") == compiled.BINARY
    world.run(["python", "-c", "pass"], check=True)  # first use: the isolated env
    assert debug_line(world).startswith("pyrun[c] python: isolated -> ")
    doctor = world.pyrun("doctor")
    assert "compiled (libc)" in doctor.stdout, doctor.stdout


def test_every_system_call_is_in_the_platform_section() -> None:
    # Issue #13 item 8: a port (macOS) replaces the platform section and nothing else.
    # So after it, shim.c names no system call, no header, and none of the three
    # Linux-only things the README says a port replaces.
    source = (Path(__file__).parents[1] / "shims" / "shim.c").read_text()
    platform, end, walk = source.partition("/* -- end of the platform")
    assert end and "/* -- the platform: every system call" in platform
    wrappers = set(re.findall(r"static inline [\w\s*()]*?\b(os_\w+)\(", platform))
    assert 12 <= len(wrappers) <= 30, sorted(wrappers)
    for word in (
        "sys(",
        "sys6(",
        "__NR_",
        "__asm__",
        "errno",
        "auxv",
        "AT_EXECFN",
        "O_PATH",
        "st_ctim",
        "getdents",
        "syscall",
    ):
        assert not re.search(rf"(?<![\w]){re.escape(word)}", walk), word
    assert re.findall(r"#include\s*(\S+)", walk) == ['"shim_config.h"']
    called = set(re.findall(r"\b(os_\w+)\(", walk))
    assert called and called <= wrappers, sorted(called - wrappers)


def test_the_compiled_shim_knows_its_name_from_the_file_that_ran(world: World) -> None:
    need(compiled.compiler(), "a C compiler")
    world.pyrun("rehash", "-q", env={"PYRUN_SHIM": "c"}, check=True)
    world.run(["python", "-c", "pass"], check=True)
    expected = world.prefix_of("python3.11")
    # A caller that sets argv[0] to something else (subprocess's executable=).
    done = subprocess.run(
        ["whatever", "-c", ISOLATED],
        executable=str(world.shims / "python3.11"),
        cwd=world.root,
        env=world.env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == expected
    # A link under a name pyrun does not shim is refused in one line.
    odd = world.root / "bin" / "snake"
    odd.parent.mkdir()
    odd.symlink_to(world.shims / compiled.BINARY)
    done = world.run([str(odd), "-c", "pass"])
    assert done.returncode == 127 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("pyrun: cannot tell which shim") and "snake" in done.stderr


@pytest.mark.parametrize("flavour", SHIM_FLAVOURS)
def test_odd_characters_in_the_data_directory(
    tmp_path: Path, bases: dict, wheelhouse: Path, flavour: str
) -> None:
    # Quotes, backslashes, a trigraph, $, spaces and non-ASCII in every baked-in path:
    # C string escaping and sh quoting both have to hold.
    flavour_needs(flavour)
    root = tmp_path / "we\"ird \\ ??= $x 'ü'"
    root.mkdir()
    world = new_world(root, bases, wheelhouse, flavour=flavour)
    first = world.run(["python", "-c", ISOLATED], check=True).stdout.strip()
    assert first.startswith(str(world.data / "envs")), first
    line = debug_line(world)
    assert line.startswith(f"pyrun[{flavour}] python: isolated -> {world.data}/envs/"), line


def test_path_directories_without_python_are_not_listed_again_until_they_change(
    world: World,
) -> None:
    need(compiled.compiler(), "a C compiler")
    strace = shutil.which("strace")
    need(strace, "strace")
    world.pyrun("rehash", "-q", env={"PYRUN_SHIM": "c"}, check=True)
    empties = [world.root / "path" / f"d{i}" for i in range(20)]
    for d in empties:
        d.mkdir(parents=True)
    (empties[3] / "tool").touch(mode=0o755)
    time.sleep(2.2)  # older than the ctime tick margin, so they may be remembered
    path = os.pathsep.join([str(world.shims), *map(str, empties), str(world.base.bin)])
    env = {"PATH": path}
    first = world.prefix_of("python", env=env)  # lists them all, remembers them
    assert first.startswith(str(world.envs))
    log = world.root / "strace.log"
    world.run(
        [
            strace,
            "-qq",
            "-e",
            "trace=openat,getdents64",
            "-o",
            str(log),
            str(world.shims / "python"),
            "-c",
            "pass",
        ],
        env=env,
        check=True,
    )
    listed = [d for d in empties if f'"{d}"' in log.read_text()]
    assert listed == [], f"directories with no python were listed again: {listed}"
    # A python appears in one of them: its ctime moves, so it is listed and found.
    link = empties[7] / "python3.12"
    link.symlink_to(world.bases["3.12"].python)
    code = "import sys; print(sys.prefix, '%d.%d' % sys.version_info[:2])"
    prefix, version = world.run(["python", "-c", code], env=env, check=True).stdout.split()
    assert version == "3.12", "the python3.12 new on PATH must be what python runs now"
    assert prefix.startswith(str(world.envs)), prefix
    answer = json.loads(world.pyrun("which", "python", "--json", env=env, check=True).stdout)
    assert answer["environment"] == prefix, "the resolver must agree"
    # A garbled memory is only a missed shortcut.
    (world.data / "cache" / "pathdirs").write_bytes(b"\x00garbage\n1 2\n")
    link.unlink()
    assert world.prefix_of("python", env=env) == first


def test_the_aarch64_build_decides_as_the_native_one(world: World) -> None:
    # The compiled shim carries its own system calls for x86_64 and aarch64; the
    # aarch64 build, run under qemu's user-mode emulation, must say and do exactly what
    # the native one does. (qemu runs only the shim: the interpreter it execs is native.)
    cross = shutil.which("aarch64-linux-gnu-gcc")
    qemu = shutil.which("qemu-aarch64")
    need(cross, "aarch64-linux-gnu-gcc (apt: gcc-aarch64-linux-gnu libc6-dev-arm64-cross)")
    need(qemu, "qemu-aarch64 (apt: qemu-user)")
    names = ["python", "python3", "python3.11", "python3.12", "pip", "pip3"]
    path = world.path_with(world.shims, world.base.bin, world.bases["3.12"].bin)
    world.env["PATH"] = path
    world.pyrun("rehash", "-q", env={"PYRUN_SHIM": "c"}, check=True)
    build = world.root / "aarch64"
    build.mkdir()
    (build / "shim.c").write_text((Path(__file__).parents[1] / "shims" / "shim.c").read_text())
    pyrun_python = json.loads((world.shims / ".pyrun-shims.json").read_text())["python"]
    header = compiled.config_header(names, world.shims, world.data, pyrun_python)
    (build / "shim_config.h").write_text(header)
    subprocess.run([cross, *compiled.FLAGS, "-o", "shim", "shim.c"], cwd=build, check=True)
    proj = world.root / "proj"
    world.venv(proj / ".venv")
    deep = proj / "a" / "b" / "c"
    deep.mkdir(parents=True)
    code = "import sys; print(sys.prefix, sys.argv[1:])"
    situations: list[tuple[str, list[str], Path, dict[str, str | None]]] = [
        ("python", ["-c", code, "a b", "$x"], world.root, {}),  # isolated
        ("python3.12", ["-c", code], world.root, {}),
        ("pip", ["--version"], world.root, {}),
        ("python3", ["-c", code], deep, {}),  # .venv three levels up
        ("python", ["-c", code], world.root, {"VIRTUAL_ENV": str(proj / ".venv")}),
        ("python", ["-c", code], world.root, {"VIRTUAL_ENV": "relative/venv"}),  # slow path
        ("python", ["-c", code], world.root, {"PYRUN_DISABLE": "1"}),
    ]
    for name in ("python", "python3.12"):  # first use of both bases, so both runs are warm
        world.run([name, "-c", "pass"], check=True)
    for name, args, cwd, extra in situations:
        env = {**extra, "PYRUN_DEBUG": "1"}
        native = world.run([str(world.shims / name), *args], cwd=cwd, env=env)
        emulated = world.run([qemu, "-0", name, str(build / "shim"), *args], cwd=cwd, env=env)
        said = (native.returncode, native.stdout, native.stderr)
        assert (emulated.returncode, emulated.stdout, emulated.stderr) == said, (name, extra)
        assert "pyrun[c] " in native.stderr or extra.get("PYRUN_DISABLE"), native.stderr


def test_no_compiler_at_all_says_how_to_get_the_compiled_shims(world: World) -> None:
    env = {"PATH": str(world.root / "no-bin"), "CC": None, "PYRUN_SHIM": None}
    done = world.pyrun("rehash", env=env, check=True)
    line = done.stdout.splitlines()[-1]
    assert line.startswith("pyrun: shell shims (no C compiler (cc, gcc or clang) on PATH)")
    assert "apt install gcc" in line and "pyrun rehash" in line


def write_cc(path: Path, headers: bool = True) -> None:
    """A C compiler for the test: the machine's own, or without headers it is one
    whose system include directories are empty, as without linux-libc-dev."""
    real = compiled.compiler()
    assert real is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    empty = path.parent / "include"
    empty.mkdir(exist_ok=True)
    flags = "" if headers else f"-nostdinc -isystem {empty}"
    path.write_text(f'#!/bin/sh\nexec {real} {flags} "$@"\n')
    path.chmod(0o755)


def test_missing_kernel_headers_are_named_with_the_package(world: World) -> None:
    need(compiled.compiler(), "a C compiler")
    cc = world.root / "tools" / "cc"
    write_cc(cc, headers=False)
    done = world.pyrun("rehash", env={"CC": str(cc), "PYRUN_SHIM": None}, check=True)
    line = done.stdout.splitlines()[-1]
    # The compiler's first error, not its last line ("compilation terminated."), and
    # the package that provides the header.
    assert "fatal error: asm/stat.h: No such file or directory" in line, line
    assert "compilation terminated" not in line
    assert "apt-get install linux-libc-dev" in line, line
    assert compiled.SPEED in line
    assert (world.shims / "python").read_text().startswith("#!/bin/sh")
    world.run(["python", "-c", "pass"], env={"CC": str(cc)}, check=True)

    # PYRUN_SHIM=c says the same in its one line.
    required = world.pyrun("rehash", env={"CC": str(cc), "PYRUN_SHIM": "c"})
    assert required.returncode != 0 and required.stderr.count("\n") == 1, required.stderr
    assert "asm/stat.h" in required.stderr and "linux-libc-dev" in required.stderr


@pytest.mark.parametrize("first", ["no compiler", "no kernel headers"])
def test_a_compiler_that_appears_later_is_used_by_the_next_shell(world: World, first: str) -> None:
    need(compiled.compiler(), "a C compiler")
    cc = world.root / "tools" / "cc"
    if first == "no kernel headers":
        write_cc(cc, headers=False)
    env = {"CC": str(cc), "PYRUN_SHIM": None}
    world.pyrun("rehash", "-q", env=env, check=True)
    assert not (world.shims / compiled.BINARY).exists()
    # The next new shell's `pyrun hook` changes nothing while the toolchain is as it was.
    before = shims_state(world)
    world.pyrun("hook", "bash", env=env, check=True)
    assert shims_state(world) == before

    time.sleep(0.01)  # a new mtime for the compiler script on coarse clocks
    write_cc(cc)  # apt install gcc / linux-libc-dev
    world.pyrun("hook", "bash", env=env, check=True)
    assert (world.shims / compiled.BINARY).exists()
    assert os.readlink(world.shims / "python") == compiled.BINARY
    assert debug_line(world, env=env).startswith("pyrun[c] python: ")
