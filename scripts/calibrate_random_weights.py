"""`wanbench calibrate` on the tiny random backbones of tests/tiny_backbones.py: every learned check
must fail (docs/calibration.md records the figures). Runs in a temporary WANBENCH_HOME; nothing is
downloaded. About 3 minutes on 2 CPU cores.

    PYTHONPATH=. python scripts/calibrate_random_weights.py [--only CHECK ...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=None, help="Run only this check (repeatable).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wanbench-calibration-") as home:
        os.environ["WANBENCH_HOME"] = home
        import torch

        from tests.tiny_backbones import install_tiny_judge, install_tiny_weights
        from wanbench.calibration import calibrate

        torch.set_num_threads(min(2, torch.get_num_threads()))
        options = install_tiny_weights(Path(home))
        install_tiny_judge(Path(home))
        options["vlm"] = {"weights": "qwen2-vl-2b"}
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        report = calibrate(options, only=args.only, save=False, on_result=lambda r: print(r.line(), flush=True))
        wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
        learned = [r for r in report.results if r.weights]
        failed = sum(r.status == "fail" for r in learned)
        print(f"{failed} of {len(learned)} learned checks failed; {wall:.0f} s wall, {cpu:.0f} s CPU")


if __name__ == "__main__":
    main()
