"""Dependencies point down: aggregation and reports read stores; they never load models or adapters."""

import subprocess
import sys

HEAVY = ("wanbench.adapters", "wanbench.backbones", "wanbench.runner", "wanbench.shards", "wanmodel", "torch")


def test_aggregate_and_report_import_no_model_code():
    probe = ("import sys, wanbench.aggregate, wanbench.report; "
             f"print(','.join(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"aggregate/report pulled in: {done.stdout.strip()}"
