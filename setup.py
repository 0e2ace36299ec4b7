"""Ship the shim template and the shell hooks as package data.

They live at the top of the repository (``shims/``, ``shell/``) so that editors and
linters see them as the shell scripts they are; this hook copies them into the built
package as ``pyrun/data/`` so an installed pyrun reads them with importlib.resources.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent


class BuildWithShellData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "pyrun" / "data"
        for name in ("shims", "shell"):
            dest = target / name
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(HERE / name, dest)


setup(cmdclass={"build_py": BuildWithShellData})
