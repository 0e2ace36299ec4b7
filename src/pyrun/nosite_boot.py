"""``python -S`` in one of pyrun's isolated environments (nosite.py says why and how).

Run by the environment's own interpreter, with ``-S``, through ``python -c LOADER`` as
``sys.argv == ['-c', THIS_FILE, PREFIX, HOOK, MODE, ...]``: it does what ``site.venv()``
would for ``sys.prefix``, loads the environment's install guard hook (envguard.py) by
path, keeps site-packages off ``sys.path``, then runs the program as CPython would have.
An empty PREFIX is the base interpreter behind an environment, run for a tool
(nosite.as_base): its prefix stays its own, with or without ``-S``, the guard loads.
Any Python 3.9+, standard library only; nothing here is imported by pyrun itself.
"""

import sys


def _load_hook(hook: str) -> None:
    """The guard hook the environment's ``.pth`` line imports without ``-S``."""
    import importlib.util

    try:
        spec = importlib.util.spec_from_file_location("_pyrun_guard_hook", hook)
        module = importlib.util.module_from_spec(spec)
        sys.modules["_pyrun_guard_hook"] = module
        spec.loader.exec_module(module)
    except Exception as exc:  # as a broken .pth line: said, and the program still runs
        sys.modules.pop("_pyrun_guard_hook", None)
        sys.stderr.write(f"pyrun: cannot load {hook} ({exc}); run `pyrun rehash`\n")


def _importer(path: str) -> object:
    """What CPython asks of a script path: can ``sys.path_hooks`` import from it (a zip,
    a path inside one such as ``pip.whl/pip``, or a directory)?"""
    for hook in sys.path_hooks:
        try:
            return hook(path)
        except ImportError:
            continue
    return None


def _run_source(names: dict, source: bytes, filename: str, loader: object) -> None:
    """Run `source` in __main__ as CPython runs a file or stdin."""
    import marshal
    from importlib.util import MAGIC_NUMBER

    names["__file__"] = filename
    names["__cached__"] = None
    if loader is not None:
        names["__loader__"] = loader
    try:
        if source[:4] == MAGIC_NUMBER:  # a .pyc, which CPython runs as well
            code = marshal.loads(source[16:])  # noqa: S302 (the user's own .pyc)
        else:
            code = compile(source, filename, "exec")
        exec(code, names)  # noqa: S102 (the user's program)
    finally:
        names.pop("__file__", None)
        names.pop("__cached__", None)


def _run(mode: str, rest: list) -> None:
    import os

    main = sys.modules["__main__"]
    # CPython put '' first for the loader's -c, unless -P or -I (safe_path) said not to.
    safe = getattr(sys.flags, "safe_path", 0) or sys.flags.isolated
    first = not safe and sys.path[:1] == [""]
    if mode == "-c":
        sys.argv = ["-c", *rest[1:]]
        exec(compile(rest[0], "<string>", "exec"), main.__dict__)  # noqa: S102
    elif mode == "-m":
        import runpy

        sys.argv = ["-m", *rest[1:]]
        if first:
            sys.path[0] = os.getcwd()
        runpy._run_module_as_main(rest[0], True)
    elif mode in ("file", "file-x"):
        path = rest[0]
        sys.argv = list(rest)
        # CPython makes the script's path absolute this way (no normalizing).
        full = os.path.join(os.getcwd(), path)
        if _importer(full) is not None:  # a zip or a directory: its __main__ module
            import runpy

            if first:
                sys.path[0] = full
            else:
                sys.path.insert(0, full)
            runpy._run_module_as_main("__main__", False)
            return
        try:
            with open(full, "rb") as file:
                source = file.read()
        except OSError as exc:
            sys.stderr.write(
                f"{sys.executable}: can't open file {full!r}: [Errno {exc.errno}] {exc.strerror}\n"
            )
            raise SystemExit(2) from None
        if mode == "file-x":  # the first line dropped, its newline kept (as CPython)
            source = source[source.find(b"\n") :] if b"\n" in source else b""
        if first:
            sys.path[0] = os.path.dirname(os.path.realpath(path))
        from importlib.machinery import SourceFileLoader

        _run_source(main.__dict__, source, full, SourceFileLoader("__main__", full))
    elif mode == "-" or not sys.flags.inspect:  # stdin, as a whole file
        sys.argv = ["-" if mode == "-" else "", *rest]
        _run_source(main.__dict__, sys.stdin.buffer.read(), "<stdin>", None)
    else:  # the REPL follows (-i), as `python` alone on a terminal
        sys.argv = [""]
        startup = None if sys.flags.ignore_environment else os.environ.get("PYTHONSTARTUP")
        if startup:
            with open(startup, "rb") as file:
                exec(compile(file.read(), startup, "exec"), main.__dict__)  # noqa: S102


def _main() -> None:
    prefix, hook, mode = sys.argv[2:5]
    rest = sys.argv[5:]
    sys.modules["__main__"].__dict__.pop("c", None)  # the loader's one name
    # What site.venv() sets; sysconfig, not imported yet under -S, then reads it, so
    # pip's install scheme is the environment's. Empty: a tool's base interpreter
    # (nosite.as_base), whose prefix stays its own.
    if prefix:
        sys.prefix = sys.exec_prefix = prefix
    if hook:
        _load_hook(hook)
    try:
        _run(mode, rest)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:
        # The traceback as CPython prints it: from the program's first frame, without
        # this file's and the loader's.
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == _run.__code__.co_filename:
            tb = tb.tb_next
        # (A syntax error is the program's, shown without frames; any other error
        # raised here is this file's own, shown whole.)
        if tb is not None or isinstance(exc, SyntaxError):
            exc.__traceback__ = tb
        tb = exc.__traceback__
        sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
        if sys.version_info >= (3, 12):
            sys.last_exc = exc
        sys.excepthook(type(exc), exc, exc.__traceback__)
    else:
        return
    if not sys.flags.inspect:  # -i: the REPL follows, as after CPython's own traceback
        raise SystemExit(1)


if __name__ == "_pyrun_nosite":
    _main()
