"""Entry point for ``python -I -m pyrun``, which is how every shim reaches the slow path."""

from pyrun.cli import main

raise SystemExit(main())
