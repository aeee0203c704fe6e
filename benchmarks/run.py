"""Run every benchmark script in this folder, one after another (`make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"run.py", "corpus.py", "timing.py", "trakt_export.py", "__init__.py"}


def main() -> int:
    """Run each script with this interpreter; stop at the first failure."""
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in NOT_BENCHMARKS)
    for script in scripts:
        print(f"== {script.name}", flush=True)
        code = subprocess.call([sys.executable, str(script), *sys.argv[1:]])
        if code != 0:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
