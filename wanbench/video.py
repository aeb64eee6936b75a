"""Video I/O: decode a file once into uint8 frames [T, H, W, 3], sample frames, write mp4.

Every failure to read a video, whatever its cause, surfaces as one ``VideoError`` that names the
file and says what is wrong, so the runner can turn it into an error row and go on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from wanbench.hashing import file_sha256

MIN_SIDE = 16  # smaller frames carry too little signal for any backbone
MIN_FRAMES = 2  # every temporal dimension needs at least one pair of frames
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".mkv", ".avi", ".gif")
YUV_MATRIX = 6  # AVCOL_SPC_SMPTE170M / AVCOL_PRI_SMPTE170M / AVCOL_TRC_SMPTE170M: BT.601 (525-line)
YUV_RANGE = 1  # AVCOL_RANGE_MPEG: limited (16-235)


class VideoError(Exception):
    """A video that cannot be read, written or scored; the message names the file."""

    def __init__(self, path: str | os.PathLike | None, reason: str) -> None:
        self.path = str(path) if path is not None else "<frames>"
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True, eq=False)
class Video:
    """Decoded frames (uint8, [T, H, W, 3], RGB) with their frame rate and origin."""

    frames: np.ndarray
    fps: float
    path: Path | None = None
    sha256: str | None = None

    def __post_init__(self) -> None:
        check_frames(self.frames, self.path)
        if not np.isfinite(self.fps) or self.fps <= 0:
            raise VideoError(self.path, f"invalid frame rate {self.fps!r}")

    @property
    def num_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def height(self) -> int:
        return int(self.frames.shape[1])

    @property
    def width(self) -> int:
        return int(self.frames.shape[2])

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps

    def sample_indices(self, count: int | None = None, fps: float | None = None) -> np.ndarray:
        """Frame indices: ``count`` evenly spaced over the clip, or one every 1/``fps`` seconds."""
        if count is not None and fps is None:
            if count < 1:
                raise ValueError("count must be >= 1")
            if count >= self.num_frames:
                return np.arange(self.num_frames)
            return np.round(np.linspace(0, self.num_frames - 1, count)).astype(int)
        if fps is None or count is not None:
            raise ValueError("give exactly one of count or fps")
        if fps <= 0:
            raise ValueError("fps must be > 0")
        times = np.arange(0.0, self.duration, 1.0 / fps)
        return np.unique(np.minimum(np.round(times * self.fps).astype(int), self.num_frames - 1))

    def sample(self, count: int | None = None, fps: float | None = None) -> np.ndarray:
        return self.frames[self.sample_indices(count=count, fps=fps)]


def check_frames(frames: np.ndarray, path: str | os.PathLike | None = None) -> None:
    """Raise VideoError unless ``frames`` is a scoreable uint8 [T, H, W, 3] array."""
    if not isinstance(frames, np.ndarray) or frames.ndim != 4 or frames.shape[-1] != 3:
        shape = getattr(frames, "shape", None)
        raise VideoError(path, f"frames must be an array [T, H, W, 3], got shape {shape}")
    if frames.dtype != np.uint8:
        raise VideoError(path, f"frames must be uint8, got {frames.dtype}")
    t, h, w, _ = frames.shape
    if t < MIN_FRAMES:
        raise VideoError(path, f"has {t} frame(s); at least {MIN_FRAMES} are needed")
    if h < MIN_SIDE or w < MIN_SIDE:
        raise VideoError(path, f"frame size {w}x{h} is below the minimum {MIN_SIDE}x{MIN_SIDE}")


@dataclass(frozen=True)
class DecodeLimits:
    """Bounds checked before a video is decoded (from the container's header) and again while decoding
    (headers can lie), so a small hostile file cannot take the machine's memory or hours of CPU.

    Defaults fit real generated videos with room to spare (Wan 2.1 at 1280x720x81 keeps 224 MB of
    frames; a 1080p clip of 170 frames fits 1 GiB). Each can be set by an environment variable:
    WANBENCH_MAX_VIDEO_FILE_BYTES, WANBENCH_MAX_VIDEO_FRAMES, WANBENCH_MAX_FRAME_PIXELS,
    WANBENCH_MAX_DECODED_BYTES.
    """

    max_file_bytes: int = 4 << 30  # the file itself
    max_frames: int = 2048  # frames in the stream (decoded, whether kept or not)
    max_frame_pixels: int = 4096 * 2304  # width x height of one frame (4K DCI and a little more)
    max_decoded_bytes: int = 1 << 30  # T x H x W x 3 of the frames kept

    ENV = {
        "max_file_bytes": "WANBENCH_MAX_VIDEO_FILE_BYTES",
        "max_frames": "WANBENCH_MAX_VIDEO_FRAMES",
        "max_frame_pixels": "WANBENCH_MAX_FRAME_PIXELS",
        "max_decoded_bytes": "WANBENCH_MAX_DECODED_BYTES",
    }

    @classmethod
    def from_env(cls) -> DecodeLimits:
        values = {}
        for name, variable in cls.ENV.items():
            raw = os.environ.get(variable)
            if raw:
                if not raw.isdigit() or int(raw) < 1:
                    raise ValueError(f"{variable}={raw!r}: must be a positive integer")
                values[name] = int(raw)
        return cls(**values)


def _header_frame_count(stream: av.video.stream.VideoStream, fps: float) -> int:
    """Frames the header announces: its count, else duration x rate (0 when it says neither)."""
    if stream.frames:
        return int(stream.frames)
    if stream.duration and stream.time_base and fps > 0:
        return int(float(stream.duration * stream.time_base) * fps + 0.5)
    return 0


def _kept_indices(total: int, sample: int | None, max_frames: int | None) -> np.ndarray | None:
    """Which decoded frames to keep: ``sample`` evenly spaced over ``total``, or the first ``max_frames``;
    None: keep all."""
    if sample is not None and total > 0:
        return np.unique(np.round(np.linspace(0, total - 1, min(sample, total))).astype(int))
    if max_frames is not None and total > 0:
        return np.arange(min(max_frames, total))
    return None


def read_video(
    path: str | os.PathLike,
    max_frames: int | None = None,
    sample: int | None = None,
    limits: DecodeLimits | None = None,
) -> Video:
    """Decode ``path`` into a Video: every frame, the first ``max_frames``, or ``sample`` evenly spaced ones.

    The header is checked against ``limits`` (default: ``DecodeLimits.from_env()``) before a frame is
    decoded; only the frames kept are converted to RGB, into one array allocated up front, so peak
    memory is the kept frames plus the decoder's few working frames (docs/reliability.md).
    """
    path = Path(path)
    limits = limits or DecodeLimits.from_env()
    if not path.exists():
        raise VideoError(path, "file not found")
    if path.is_dir():
        raise VideoError(path, "is a directory, not a video file")
    size = path.stat().st_size
    if size == 0:
        raise VideoError(path, "file is empty (0 bytes)")
    if size > limits.max_file_bytes:
        raise VideoError(
            path, f"file is {size} bytes, over the limit {limits.max_file_bytes} (WANBENCH_MAX_VIDEO_FILE_BYTES)"
        )
    frames: np.ndarray | None = None
    kept = decoded = 0
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise VideoError(path, "contains no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fps = float(rate) if rate else 0.0
            width = int(getattr(stream, "width", 0) or 0)  # a damaged header can lack the codec context
            height = int(getattr(stream, "height", 0) or 0)
            _check_size(path, width, height, limits)
            announced = _header_frame_count(stream, fps)
            if announced > limits.max_frames:
                raise VideoError(
                    path,
                    f"header announces {announced} frames, over the limit {limits.max_frames} "
                    "(WANBENCH_MAX_VIDEO_FRAMES)",
                )
            wanted = _kept_indices(announced, sample, max_frames)
            capacity = len(wanted) if wanted is not None else (announced or MIN_FRAMES)
            if capacity * width * height * 3 > limits.max_decoded_bytes:
                raise VideoError(
                    path,
                    f"{capacity} frames of {width}x{height} would need "
                    f"{capacity * width * height * 3} bytes, over the limit "
                    f"{limits.max_decoded_bytes} (WANBENCH_MAX_DECODED_BYTES)",
                )
            keep = set(wanted.tolist()) if wanted is not None else None
            for frame in container.decode(stream):
                decoded += 1
                if decoded > limits.max_frames:
                    raise VideoError(path, f"has more than {limits.max_frames} frames (WANBENCH_MAX_VIDEO_FRAMES)")
                index = decoded - 1
                if keep is not None and index not in keep:
                    if index > max(keep):
                        break
                    continue
                if (frame.width, frame.height) != (width, height):
                    if kept:
                        raise VideoError(
                            path, f"frame size changes mid-stream ({width}x{height} -> {frame.width}x{frame.height})"
                        )
                    width, height = frame.width, frame.height  # the header was wrong: trust the first frame
                    _check_size(path, width, height, limits)
                if frames is None or kept == len(frames):
                    frames = _grow(path, frames, max(capacity, kept * 2 if kept else capacity), height, width, limits)
                frames[kept] = frame.to_ndarray(format="rgb24")
                kept += 1
                if max_frames is not None and wanted is None and kept >= max_frames:
                    break
    except VideoError:
        raise
    except (
        av.FFmpegError,
        ValueError,
        UnicodeDecodeError,
        IndexError,
        MemoryError,
        AttributeError,
        TypeError,
        OverflowError,
        ZeroDivisionError,
    ) as exc:  # what damaged files were seen to raise (tests/test_fuzz.py)
        if kept:  # damaged after a clean start: say where it broke
            raise VideoError(path, f"corrupt video data after frame {decoded - 1}: {_one_line(exc)}") from exc
        raise VideoError(path, f"not a readable video ({type(exc).__name__}: {_one_line(exc)})") from exc
    if not kept or frames is None:
        raise VideoError(path, "contains no decodable frames")
    if fps <= 0:
        raise VideoError(path, "stream has no frame rate")
    if sample is not None and wanted is None and kept > sample:  # no count in the header: sample what was kept
        frames = frames[np.unique(np.round(np.linspace(0, kept - 1, sample)).astype(int))]
        kept = len(frames)
    return Video(frames[:kept], fps=fps, path=path, sha256=file_sha256(path))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _check_size(path: Path, width: int, height: int, limits: DecodeLimits) -> None:
    if width * height > limits.max_frame_pixels:
        raise VideoError(
            path,
            f"frame size {width}x{height} is over the limit of {limits.max_frame_pixels} pixels "
            "(WANBENCH_MAX_FRAME_PIXELS)",
        )


def _grow(
    path: Path, frames: np.ndarray | None, count: int, height: int, width: int, limits: DecodeLimits
) -> np.ndarray:
    """The kept-frames array, (re)allocated for up to ``count`` frames within the decoded-bytes limit."""
    frame_bytes = height * width * 3
    kept = 0 if frames is None else len(frames)
    count = min(count, limits.max_decoded_bytes // frame_bytes)
    if count <= kept:
        raise VideoError(
            path,
            f"more than {kept} frames of {width}x{height} exceed the limit of "
            f"{limits.max_decoded_bytes} decoded bytes (WANBENCH_MAX_DECODED_BYTES)",
        )
    grown = np.empty((count, height, width, 3), dtype=np.uint8)
    if frames is not None:
        grown[:kept] = frames
    return grown


def rgb_to_yuv420(image: np.ndarray) -> np.ndarray:
    """uint8 RGB [H, W, 3] (even H, W) -> planar yuv420p [H * 3 / 2, W], BT.601 limited range, in exact
    integer arithmetic. Doing this ourselves keeps libswscale (whose SIMD paths differ between CPUs and
    builds) out of the encoder's input: the same frames always reach x264 as the same bytes."""
    rgb = image.astype(np.int32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 16 + ((66 * r + 129 * g + 25 * b + 128) >> 8)
    # chroma of each 2x2 block from the block's summed RGB (4x the mean), rounded once
    block = rgb.reshape(rgb.shape[0] // 2, 2, rgb.shape[1] // 2, 2, 3).sum(axis=(1, 3))
    rs, gs, bs = block[..., 0], block[..., 1], block[..., 2]
    u = 128 + ((-38 * rs - 74 * gs + 112 * bs + 512) >> 10)
    v = 128 + ((112 * rs - 94 * gs - 18 * bs + 512) >> 10)
    height, width = y.shape
    planes = [
        y.astype(np.uint8),
        u.astype(np.uint8).reshape(height // 4, width),
        v.astype(np.uint8).reshape(height // 4, width),
    ]
    return np.concatenate(planes, axis=0)


def write_video(path: str | os.PathLike, frames: np.ndarray, fps: float, crf: int = 18) -> Path:
    """Write uint8 RGB frames as H.264 mp4 (yuv420p), atomically: a killed write leaves no file.

    Same frames, same bytes: the RGB -> YUV conversion is ours (``rgb_to_yuv420``), the stream is
    tagged BT.601 limited range so every decoder converts back alike, and x264 runs on one thread
    with fixed options (its output then depends on its version only, docs/dimensions.md)."""
    path = Path(path)
    check_frames(frames, path)
    height, width = frames.shape[1:3]
    if height % 2 or width % 2:
        raise VideoError(path, f"H.264 needs even frame sizes, got {width}x{height}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")  # per process: writers never share one
    partial.unlink(missing_ok=True)  # a link planted under that name is removed, never written through
    from fractions import Fraction

    with av.open(str(partial), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        context = stream.codec_context
        context.color_range, context.colorspace = YUV_RANGE, YUV_MATRIX
        context.color_primaries, context.color_trc = YUV_MATRIX, YUV_MATRIX
        # mbtree off: with it, x264 wrote the same 64x48 frames as six different files in 1,500 writes
        # in one process (18% off the commonest); off, one file (tests/test_video.py)
        stream.options = {"crf": str(crf), "preset": "medium", "threads": "1", "x264-params": "mbtree=0"}
        stream.thread_count = 1
        for image in frames:
            frame = av.VideoFrame.from_ndarray(rgb_to_yuv420(image), format="yuv420p")
            frame.color_range, frame.colorspace = YUV_RANGE, YUV_MATRIX
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(partial, path)
    return path
