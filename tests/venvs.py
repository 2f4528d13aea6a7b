"""Virtual environments for install tests that work from any interpreter.

``venv.create(..., system_site_packages=True)`` exposes the *base* interpreter's
packages: run inside a virtualenv (as a fresh CI machine does), the dependencies live
in that virtualenv instead and the new one cannot import them. A venv made here sees
the site folders of the interpreter running the tests as plain path entries: their
packages import, but their ``.pth`` files are not run, so an editable checkout of
cnadvisor cannot shadow what is installed into the new venv.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path


def make_venv(path: Path) -> Path:
    """A new venv at ``path`` (with pip) that can import this interpreter's packages."""
    venv.create(path, with_pip=True)
    python = path / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    outer = dict.fromkeys(
        [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
        + [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    )
    (Path(own) / "_outer_site_packages.pth").write_text(
        "".join(f"{p}\n" for p in outer if Path(p).is_dir())
    )
    return path
