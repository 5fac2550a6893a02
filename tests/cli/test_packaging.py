"""The wheel carries every module, the BPF sources, the themes and the stylesheet."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.paths import REPO


def test_the_wheel_holds_every_module_and_data_file(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                          "-q", "-w", str(tmp_path), str(REPO)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    [wheel] = tmp_path.glob("perftui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # Through links too: a folder linked into a package is installed as part of it.
    wanted = {os.path.relpath(os.path.join(d, f), REPO) for top in ("perftui",)
              for d, _, files in os.walk(REPO / top, followlinks=True) for f in files
              if f.endswith((".py", ".c", ".toml", ".tcss")) and "__pycache__" not in d}
    assert wanted, "found no sources to check"
    missing = sorted(wanted - names)
    assert not missing, f"not in the wheel (pyproject's package list?): {missing}"
