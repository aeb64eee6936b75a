from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.conftest import frozen_clip, pan_clip
from wanbench.hashing import file_sha256
from wanbench.video import Video, VideoError, read_video, write_video


def test_roundtrip_keeps_shape_fps_and_content(tmp_path: Path) -> None:
    frames = pan_clip(2.0, frames=10)
    path = write_video(tmp_path / "pan.mp4", frames, fps=16)
    video = read_video(path)
    assert video.frames.shape == frames.shape and video.frames.dtype == np.uint8
    assert video.fps == pytest.approx(16.0)
    grey = video.frames.astype(int).mean(axis=-1) - frames.astype(int).mean(axis=-1)
    assert np.abs(grey).mean() < 3  # luma survives H.264; yuv420p halves the chroma resolution
    assert video.sha256 == file_sha256(path)


def test_same_frames_same_bytes(tmp_path: Path) -> None:
    frames = pan_clip(1.0, frames=8)
    a = write_video(tmp_path / "a.mp4", frames, fps=8)
    b = write_video(tmp_path / "b.mp4", frames, fps=8)
    assert file_sha256(a) == file_sha256(b)


def test_same_frames_same_bytes_however_often_and_whatever_the_heap(tmp_path: Path) -> None:
    """x264's macroblock-tree rate control encoded this small clip (the published reports' size) to
    six different files over 1,500 writes in one process, 18% of them off the commonest; with it off,
    one. Two encodes agreeing proved nothing, so: 300 writes between allocations of varying sizes,
    and fresh processes."""
    import subprocess
    import sys

    from wanbench.adapters.procedural import RenderConfig, render
    from wanbench.prompts.suite import load_suite

    prompt = next(p for p in load_suite("smoke").prompts if p.id == "smoke-001")
    frames = render(prompt, 0, RenderConfig(width=64, height=48, frames=9))
    rng = np.random.default_rng(0)
    held: list[np.ndarray] = []
    digests = set()
    for _ in range(300):
        held = [*held[-40:], np.ones(int(rng.integers(1, 100_000)))]
        digests.add(file_sha256(write_video(tmp_path / "a.mp4", frames, fps=16)))
    assert len(digests) == 1
    np.save(tmp_path / "frames.npy", frames)
    script = (
        "import sys, numpy as np; from wanbench.video import write_video; from wanbench.hashing import file_sha256;"
        "print(file_sha256(write_video(sys.argv[2], np.load(sys.argv[1]), fps=16)))"
    )
    for k in range(2):
        out = tmp_path / f"fresh{k}.mp4"
        done = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "frames.npy"), str(out)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split()[-1] in digests


def test_sampling_by_count_and_fps() -> None:
    video = Video(frozen_clip(frames=33), fps=16.0)
    assert video.sample_indices(count=5).tolist() == [0, 8, 16, 24, 32]
    assert video.sample_indices(count=100).tolist() == list(range(33))
    by_fps = video.sample_indices(fps=4)
    assert by_fps.tolist() == [0, 4, 8, 12, 16, 20, 24, 28, 32]
    assert video.sample(count=3).shape == (3, 96, 128, 3)
    with pytest.raises(ValueError):
        video.sample_indices(count=2, fps=2)


def _expect_error(path: Path, words: str) -> None:
    with pytest.raises(VideoError) as info:
        read_video(path)
    assert str(path) in str(info.value)
    assert words in str(info.value)


def test_bad_files_raise_one_error_type_naming_the_file(tmp_path: Path) -> None:
    _expect_error(tmp_path / "absent.mp4", "not found")
    (tmp_path / "empty.mp4").write_bytes(b"")
    _expect_error(tmp_path / "empty.mp4", "empty")
    (tmp_path / "notes.mp4").write_text("this is not a video\n" * 50)
    _expect_error(tmp_path / "notes.mp4", "not a readable video")
    _expect_error(tmp_path, "directory")
    good = write_video(tmp_path / "good.mp4", pan_clip(1.0, frames=10), fps=8).read_bytes()
    (tmp_path / "truncated.mp4").write_bytes(good[: len(good) // 3])
    _expect_error(tmp_path / "truncated.mp4", "")


def test_zero_and_one_frame_videos(tmp_path: Path) -> None:
    zero = tmp_path / "zero.mp4"
    with av.open(str(zero), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(8))
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
    _expect_error(zero, "no")
    one = tmp_path / "one.mp4"
    with av.open(str(one), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(8))
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        frame = av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="rgb24")
        for packet in list(stream.encode(frame)) + list(stream.encode()):
            container.mux(packet)
    _expect_error(one, "1 frame(s)")


def test_odd_sizes_decode_and_tiny_sizes_are_refused(tmp_path: Path) -> None:
    def write_ffv1(path: Path, height: int, width: int) -> Path:
        with av.open(str(path), "w", format="matroska") as container:
            stream = container.add_stream("ffv1", rate=Fraction(10))
            stream.width, stream.height, stream.pix_fmt = width, height, "bgr0"
            for value in (10, 200, 90):
                image = np.full((height, width, 3), value, np.uint8)
                for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        return path

    odd = read_video(write_ffv1(tmp_path / "odd.mkv", 37, 51))
    assert odd.frames.shape == (3, 37, 51, 3)
    assert odd.frames[1].min() == 200  # lossless codec: exact values
    _expect_error(write_ffv1(tmp_path / "tiny.mkv", 8, 9), "below the minimum")
    with pytest.raises(VideoError, match="even"):
        write_video(tmp_path / "odd.mp4", np.zeros((3, 37, 51, 3), np.uint8), fps=8)


def test_in_memory_frames_are_validated() -> None:
    with pytest.raises(VideoError, match="uint8"):
        Video(np.zeros((4, 32, 32, 3), np.float32), fps=8)
    with pytest.raises(VideoError, match="frame rate"):
        Video(np.zeros((4, 32, 32, 3), np.uint8), fps=float("nan"))
    with pytest.raises(VideoError, match="shape"):
        Video(np.zeros((4, 32, 32), np.uint8), fps=8)
