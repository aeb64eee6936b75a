"""Decoding is bounded: size bombs are refused from the header with one line and little memory; only the
frames kept are decoded into RGB; the limits are configurable. Peaks are measured in fresh subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.conftest import pan_clip
from wanbench.video import DecodeLimits, VideoError, read_video, write_video

ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20

# VmHWM (this process's own peak resident memory, in kB); ru_maxrss would carry the parent's peak over exec
PEAK_SCRIPT = """
import json, re, sys
from wanbench.video import VideoError, read_video
def hwm():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
sample = int(sys.argv[2]) if len(sys.argv) > 2 else None
base = hwm()
try:
    video = read_video(sys.argv[1], sample=sample)
    result = {"frames": list(video.frames.shape), "bytes": int(video.frames.nbytes)}
except VideoError as exc:
    result = {"error": str(exc)}
result["peak_delta"] = (hwm() - base) * 1024
print(json.dumps(result))
"""


def make_bomb(path: Path, width: int, height: int, frames: int) -> Path:
    """A tiny file that decodes to ``frames`` black frames: one encoded P-frame muxed again and again."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(8))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "51", "bframes": "0"}
        frame = av.VideoFrame(width, height, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        packets = []
        for pts in range(2):
            frame.pts = pts
            packets += list(stream.encode(frame))
        packets += list(stream.encode())
        first, repeat = packets[0], packets[1]
        step, data = repeat.pts - first.pts, bytes(repeat)
        container.mux(first)
        for i in range(1, frames):
            packet = av.Packet(data)
            packet.stream, packet.time_base = stream, repeat.time_base
            packet.pts = packet.dts = first.pts + i * step
            container.mux(packet)
    return path


def peak(path: Path, sample: int | None = None, env: dict | None = None) -> dict:
    command = [sys.executable, "-c", PEAK_SCRIPT, str(path)] + ([str(sample)] if sample else [])
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=os.environ | {"PYTHONPATH": str(ROOT)} | (env or {})
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "4096x4096x40": make_bomb(folder / "big.mp4", 4096, 4096, 40),
        "4096x4096x100": make_bomb(folder / "bigger.mp4", 4096, 4096, 100),
        "16x16x100000": make_bomb(folder / "long.mp4", 16, 16, 100_000),
    }


@pytest.mark.parametrize("name", ["4096x4096x40", "4096x4096x100", "16x16x100000"])
def test_a_size_bomb_is_refused_with_one_line_and_bounded_memory(bombs: dict[str, Path], name: str) -> None:
    assert bombs[name].stat().st_size < 2 * MIB  # the bombs of the issue: tiny files...
    result = peak(bombs[name])  # ...that once took 4.9 GB, 11 GB and 47 s
    assert "error" in result and "\n" not in result["error"] and "over the limit" in result["error"]
    assert result["peak_delta"] < 128 * MIB, result


def test_a_bomb_under_raised_limits_still_stops_at_the_decoded_bytes_limit(bombs: dict[str, Path]) -> None:
    env = {"WANBENCH_MAX_FRAME_PIXELS": str(4096 * 4096), "WANBENCH_MAX_DECODED_BYTES": str(256 * MIB)}
    result = peak(bombs["4096x4096x40"], env=env)
    assert "WANBENCH_MAX_DECODED_BYTES" in result["error"] and result["peak_delta"] < 128 * MIB


def test_peak_memory_is_the_kept_frames_plus_a_small_decoder_allowance(tmp_path: Path) -> None:
    """Stated bound (docs/reliability.md): peak <= kept frames + 64 MiB (the old list-then-stack: about 2x)."""
    path = make_bomb(tmp_path / "plain.mp4", 1280, 720, 60)  # a legal clip: 60 frames of 720p, 158 MiB decoded
    whole = peak(path)
    assert whole["frames"] == [60, 720, 1280, 3]
    assert whole["bytes"] * 0.5 <= whole["peak_delta"] <= whole["bytes"] + 64 * MIB, whole
    sampled = peak(path, sample=6)
    assert sampled["frames"] == [6, 720, 1280, 3]
    assert sampled["peak_delta"] <= sampled["bytes"] + 64 * MIB and sampled["peak_delta"] < whole["bytes"] / 2, sampled


def test_sampled_decoding_keeps_exactly_the_sampled_frames(tmp_path: Path) -> None:
    path = write_video(tmp_path / "pan.mp4", pan_clip(4.0, frames=20), 8.0)
    full = read_video(path)
    part = read_video(path, sample=5)
    assert np.array_equal(part.frames, full.frames[full.sample_indices(count=5)])
    assert np.array_equal(read_video(path, max_frames=3).frames, full.frames[:3])


def test_limits_are_configurable_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_video(tmp_path / "pan.mp4", pan_clip(2.0, frames=12), 8.0)
    with pytest.raises(VideoError, match="over the limit 10"):
        read_video(path, limits=DecodeLimits(max_frames=10))
    monkeypatch.setenv("WANBENCH_MAX_VIDEO_FILE_BYTES", "100")
    with pytest.raises(VideoError, match="WANBENCH_MAX_VIDEO_FILE_BYTES"):
        read_video(path)
    monkeypatch.setenv("WANBENCH_MAX_VIDEO_FILE_BYTES", "lots")
    with pytest.raises(ValueError, match="positive integer"):
        DecodeLimits.from_env()


def test_bombs_in_a_scored_folder_become_one_line_error_rows(bombs: dict[str, Path], tmp_path: Path) -> None:
    from tests.conftest import write_suite
    from wanbench.run.runner import EvalConfig, run_eval

    folder = tmp_path / "videos"
    folder.mkdir()
    for i, path in enumerate(bombs.values()):
        (folder / f"p{i}.mp4").write_bytes(path.read_bytes())
    suite = write_suite(
        tmp_path / "s.jsonl", [{"id": f"p{i}", "text": "t", "dimensions": ["large_motion"]} for i in range(3)]
    )
    summary = run_eval(
        EvalConfig(
            model="folder",
            suite=str(suite),
            out=tmp_path / "run",
            name="bombs",
            model_options={"videos": folder},
            flow="dis",
        )
    )
    assert summary.exit_code == 1 and len(summary.failures) == 3 and summary.ok == 0
    assert all("decode failed" in line and "over the limit" in line and "\n" not in line for line in summary.failures)
