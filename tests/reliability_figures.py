"""Figures of docs/reliability.md: peak decode memory before/after and the fuzz tallies.

    PYTHONPATH=. python tests/reliability_figures.py [OLD_VIDEO_PY]

OLD_VIDEO_PY: a copy of wanbench/video.py from before the decode bounds (e.g. `git show
5cb26cf:wanbench/video.py > /tmp/old_video.py`), measured on the same files. Each decode runs in a
fresh subprocess; its peak is the rise of VmHWM (peak resident memory) over the decode.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPT = """
import importlib.util, json, re, sys
def hwm():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
spec = importlib.util.spec_from_file_location("video_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec); sys.modules[spec.name] = module; spec.loader.exec_module(module)
base = hwm()
try:
    video = module.read_video(sys.argv[2])
    result = {"frames": list(video.frames.shape)}
except module.VideoError as exc:
    result = {"error": str(exc)[-90:]}
result["peak_mib"] = round((hwm() - base) / 1024, 1)
print(json.dumps(result))
"""


def measure(video_py: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, video_py, str(path)], capture_output=True, text=True, timeout=600
    )
    return json.loads(done.stdout) if done.returncode == 0 else {"crash": done.stderr.strip().splitlines()[-1:]}


def load_video_module(video_py: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location("video_under_test", video_py)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def fuzz_tallies(video_py: str) -> dict:
    from tests import test_fuzz
    from tests.conftest import pan_clip
    from wanbench.prompts.suite import parse_suite
    from wanbench.video import write_video

    module = load_video_module(video_py)
    read_video, VideoError = module.read_video, module.VideoError

    rng = random.Random(test_fuzz.SEED)
    lines = problems = 0
    for _ in range(300):
        batch = [test_fuzz.mutate_line(rng) + "\n" for _ in range(rng.randint(1, 4))]
        lines += len(batch)
        problems += len(parse_suite(batch, name="fuzz").problems)
    rng = random.Random(test_fuzz.SEED)
    folder = Path(tempfile.mkdtemp())
    source = write_video(folder / "a.mp4", pan_clip(3.0, frames=8, height=48, width=64), 8.0).read_bytes()
    tally = {"decoded": 0, "error": 0, "crash": 0}
    for _ in range(200):
        path = folder / "case.mp4"
        path.write_bytes(test_fuzz.damage(source, rng))
        try:
            read_video(path)
            tally["decoded"] += 1
        except VideoError:
            tally["error"] += 1
        except Exception:  # noqa: BLE001 - counting what escapes is the point
            tally["crash"] += 1
    return {"suite_lines": lines, "suite_problems": problems, "videos": tally, "code": video_py}


def main() -> None:
    from tests.test_video_bounds import make_bomb

    new = str(Path(__file__).resolve().parents[1] / "wanbench" / "video.py")
    versions = {"after": new} | ({"before": sys.argv[1]} if len(sys.argv) > 1 else {})
    folder = Path(tempfile.mkdtemp())
    files = {
        "720p x60 (legal)": make_bomb(folder / "legal.mp4", 1280, 720, 60),
        "2048x2048x40": make_bomb(folder / "mid.mp4", 2048, 2048, 40),
        "4096x4096x40": make_bomb(folder / "big.mp4", 4096, 4096, 40),
        "16x16x100000": make_bomb(folder / "long.mp4", 16, 16, 100_000),
    }
    for name, path in files.items():
        for label, video_py in versions.items():
            if label == "before" and name == "4096x4096x40":
                continue  # 4.9 GB in the measurement: not repeated on a shared machine
            print(json.dumps({"file": name, "bytes": path.stat().st_size, "code": label} | measure(video_py, path)))
    for video_py in versions.values():
        print(json.dumps(fuzz_tallies(video_py)))


if __name__ == "__main__":
    main()
