"""Optical-flow backbone: dense flow between consecutive frames, forward and backward.

One flow field serves large motion, pixel stability and the camera classifier. This file has the
torchvision RAFT backend (the report's choice, weights from the registry) and OpenCV DIS, which
needs no weights, behind the same ``FlowField`` result; every score records which one ran.
Flow is computed at a working resolution (longer side at most ``max_side``) on pairs that tile the
clip (``pair_spans``): pair k runs from frame b_k to b_{k+1}, so every frame interval of the video
lies inside exactly one pair and no motion goes unseen. A pair spans at most ``span_seconds`` (one
frame when 0: consecutive pairs) and there are at most ``max_pairs`` of them (longer spans when the
cap binds). Beside the flow, the mean grey-level change of every consecutive interval is kept: a
cheap full pass that says *when* inside a pair the content changed (docs/performance.md).

Backward flow is optional. With it, a pixel is tracked when the forward-backward check holds; without
it (RAFT's default: the backward pass doubled RAFT's cost, docs/performance.md), a photometric check
on the forward flow alone decides: the second frame warped back by the flow must match the first
frame pixel by pixel and over a small window, and the destination must lie inside the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import cv2
import numpy as np
import torch

from wanbench.backbones.base import (
    Backbone,
    BackboneUnavailable,
    accepted_options,
    require_weights,
)
from wanbench.backbones.images import pick_device
from wanbench.benchmark.flow_settings import DIS_DEFAULTS, RAFT_DEFAULTS, WINDOW, WINDOW_TOLERANCE, flow_method
from wanbench.hashing import file_sha256
from wanbench.model_weights import require
from wanbench.video import Video


@dataclass(frozen=True)
class FlowField:
    """Flow of ``P`` pairs (i, j) at the working resolution, in pixels; j = i + 1 unless ``pair_end``
    says otherwise (pairs that tile the clip span several frames)."""

    forward: np.ndarray  # [P, h, w, 2] where each pixel of frame i moves to in frame j (dx, dy)
    backward: np.ndarray | None  # [P, h, w, 2] the same from frame j back to frame i; None: forward only
    first: np.ndarray  # [P, h, w] float32 grey levels of frame i in [0, 1]
    second: np.ndarray  # [P, h, w] float32 grey levels of frame j in [0, 1]
    pair_index: np.ndarray  # [P] the index i of each pair in the original video
    fps: float  # frame rate of the original video
    pair_end: np.ndarray | None = None  # [P] the index j of each pair; None: i + 1
    interval_change: np.ndarray | None = None  # [T-1] mean |grey(t+1) - grey(t)| of every interval
    method: str = ""  # the label of the method that computed it ("RAFT", "DIS": flow_settings.FLOW_METHODS)

    @property
    def diagonal(self) -> float:
        h, w = self.forward.shape[1:3]
        return float(np.hypot(h, w))

    @property
    def ends(self) -> np.ndarray:
        """[P] the index j of each pair's second frame."""
        return self.pair_index + 1 if self.pair_end is None else self.pair_end

    @property
    def span(self) -> np.ndarray:
        """[P] float: frame intervals each pair covers (1 for consecutive pairs)."""
        return (self.ends - self.pair_index).astype(np.float64)

    def landed(self) -> np.ndarray:
        """[P, h, w] bool: pixels whose forward flow ends inside the frame (content that leaves the
        frame within a pair can be neither tracked nor untracked)."""
        cache = self.__dict__.setdefault("_cache", {})
        if "landed" not in cache:
            h, w = self.forward.shape[1:3]
            grid = SourceGrid(h, w)
            cache["landed"] = np.stack([inside_frame(*grid.maps(f), h, w) for f in self.forward])
        return cache["landed"]

    @cached_property
    def _magnitude(self) -> np.ndarray:
        return vector_length(self.forward)

    def magnitude(self) -> np.ndarray:
        """[P, h, w] |forward flow| (computed once; callers must not modify it)."""
        return self._magnitude

    def tracked(self, brightness_tolerance: float = 0.1) -> np.ndarray:
        """[P, h, w] bool: pixels whose forward flow is a real correspondence.

        Flow finds *some* displacement between any two frames, even between unrelated noise
        frames. A pixel counts as tracked when (a) the backward flow at its destination brings it
        back (the forward-backward test of Sundaram et al. 2010: |F + B(x+F)|^2 < 0.01 (|F|^2 +
        |B(x+F)|^2) + 0.5 px^2) and (b) its grey level at the destination differs by less than
        ``brightness_tolerance`` from where it started. Without backward flow, (a) becomes the
        window check of ``photometric_tracked``.
        """
        key = ("tracked", brightness_tolerance)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = self._tracked(brightness_tolerance)
        return cache[key]

    def _tracked(self, brightness_tolerance: float) -> np.ndarray:
        if self.backward is None:
            return photometric_tracked(self.forward, self.first, self.second, brightness_tolerance)
        masks = np.empty(self.forward.shape[:3], dtype=bool)
        grid = SourceGrid(*self.forward.shape[1:3])
        for p, (forward, backward, first, second) in enumerate(
            zip(self.forward, self.backward, self.first, self.second)
        ):
            map_x, map_y = grid.maps(forward)
            back = grid.sample(backward, map_x, map_y)
            error = squared_length(forward + back)
            bound = 0.01 * (squared_length(forward) + squared_length(back)) + 0.5
            same_brightness = np.abs(grid.sample(second, map_x, map_y) - first) < brightness_tolerance
            masks[p] = (error < bound) & same_brightness
        return masks


def squared_length(vectors: np.ndarray) -> np.ndarray:
    """|v|^2 over the last axis (dx, dy): the sum ``np.sum(v ** 2, axis=-1)`` computes, to the bit,
    without numpy's slow reduction over an axis of two."""
    x, y = vectors[..., 0], vectors[..., 1]
    return x * x + y * y


def vector_length(vectors: np.ndarray) -> np.ndarray:
    """|v| over the last axis: ``np.linalg.norm(v, axis=-1)``, to the bit, several times faster."""
    return np.sqrt(squared_length(vectors))


def photometric_tracked(
    forward: np.ndarray, first: np.ndarray, second: np.ndarray, brightness_tolerance: float = 0.1
) -> np.ndarray:
    """[P, h, w] bool from forward flow alone: destination inside the frame, grey level kept there
    (|I2(x+F) - I1(x)| < tolerance) and kept on average over a WINDOW x WINDOW neighbourhood (under
    half the tolerance), which a flow matching unrelated frames pixel by pixel does not achieve."""
    masks = np.empty(forward.shape[:3], dtype=bool)
    h, w = forward.shape[1:3]
    grid = SourceGrid(h, w)
    for p, (flow, a, b) in enumerate(zip(forward, first, second)):
        map_x, map_y = grid.maps(flow)
        error = np.abs(grid.sample(b, map_x, map_y) - a)
        window = cv2.blur(error, (WINDOW, WINDOW), borderType=cv2.BORDER_REFLECT)
        inside = inside_frame(map_x, map_y, h, w)
        masks[p] = inside & (error < brightness_tolerance) & (window < WINDOW_TOLERANCE * brightness_tolerance)
    return masks


def inside_frame(map_x: np.ndarray, map_y: np.ndarray, h: int, w: int) -> np.ndarray:
    """bool: destinations (map_x, map_y) that lie inside an h x w frame."""
    return (map_x >= 0) & (map_x <= w - 1) & (map_y >= 0) & (map_y <= h - 1)


class SourceGrid:
    """Pixel coordinates of one working size, built once and reused for every pair's warp."""

    def __init__(self, height: int, width: int) -> None:
        self.xs, self.ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))

    def maps(self, flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.xs + flow[..., 0].astype(np.float32), self.ys + flow[..., 1].astype(np.float32)

    @staticmethod
    def sample(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
        return cv2.remap(
            image.astype(np.float32, copy=False), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )


def warp_to_source(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """``image`` (of the second frame) sampled at x + flow(x): its values moved back onto frame one."""
    h, w = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(
        image.astype(np.float32),
        xs + flow[..., 0].astype(np.float32),
        ys + flow[..., 1].astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def pair_indices(num_frames: int, max_pairs: int) -> np.ndarray:
    """Indices i of consecutive pairs (i, i+1) spread evenly: the former sampling, which left the
    intervals between them unseen (kept for comparisons; the backends tile with ``pair_spans``)."""
    count = num_frames - 1
    if count <= max_pairs:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, max_pairs)).astype(int))


def span_frames(span_seconds: float, fps: float) -> int:
    """The longest pair, in frames, that ``span_seconds`` allows at ``fps`` (at least one frame)."""
    return max(1, int(np.floor(span_seconds * fps + 1e-9)))


def pair_spans(num_frames: int, max_pairs: int, max_span: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of pairs that tile the clip: ends[k] == starts[k+1], starts[0] == 0 and
    ends[-1] == num_frames - 1, so every interval (t, t+1) lies in exactly one pair. As few pairs as
    keep each within ``max_span`` frames, but never more than ``max_pairs`` (then spans grow);
    spans differ by at most one frame."""
    count = num_frames - 1
    if count < 1:
        raise ValueError(f"flow needs at least 2 frames, got {num_frames}")
    pairs = min(max(1, max_pairs), int(np.ceil(count / max(1, max_span))))
    bounds = np.round(np.linspace(0, count, pairs + 1)).astype(int)
    return bounds[:-1], bounds[1:]


def interval_changes(grey: np.ndarray) -> np.ndarray:
    """[T-1] mean |grey(t+1) - grey(t)| in [0, 1] of uint8 grey frames [T, h, w]: the cheap full pass."""
    frames = grey.astype(np.int16)
    return (np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2)) / 255.0).astype(np.float64)


def to_working_grey(frames: np.ndarray, max_side: int) -> np.ndarray:
    """uint8 RGB [T, H, W, 3] -> uint8 grey [T, h, w], downscaled so max(h, w) <= max_side."""
    t, h, w, _ = frames.shape
    scale = min(1.0, max_side / max(h, w))
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    out = np.empty((t, size[1], size[0]), dtype=np.uint8)
    for i, frame in enumerate(frames):
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        out[i] = grey if scale == 1.0 else cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return out


class DISFlow(Backbone):
    """OpenCV DIS optical flow (Kroeger et al. 2016): fast, weight-free, CPU."""

    name = "flow"
    method = flow_method("dis")

    def __init__(
        self,
        max_side: int = DIS_DEFAULTS.max_side,
        max_pairs: int = DIS_DEFAULTS.max_pairs,
        preset: str = DIS_DEFAULTS.preset,
        backward: bool = DIS_DEFAULTS.backward,
        span_seconds: float = DIS_DEFAULTS.span_seconds,
    ) -> None:
        presets = {
            "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
            "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
            "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
        }
        if preset not in presets:
            raise ValueError(f"unknown DIS preset {preset!r}; choose {', '.join(presets)}")
        self.max_side, self.max_pairs, self.preset, self.backward = max_side, max_pairs, preset, backward
        self.span_seconds = span_seconds
        self._dis: Any = cv2.DISOpticalFlow.create(presets[preset])  # calc(a, b, None): the stubs want a flow array

    def backend(self) -> str:
        check = "" if self.backward else ", forward only"
        return (
            f"opencv-dis/{self.preset} (cv2 {cv2.__version__}, side<={self.max_side}, pairs<={self.max_pairs}"
            f"{sampling_note(self.span_seconds)}{check})"
        )

    def compute(self, video: Video) -> FlowField:
        starts, ends = pair_spans(video.num_frames, self.max_pairs, span_frames(self.span_seconds, video.fps))
        grey = to_working_grey(video.frames, self.max_side)
        forward, backward = [], []
        for i, j in zip(starts.tolist(), ends.tolist()):
            a, b = grey[i], grey[j]
            forward.append(self._dis.calc(a, b, None))
            if self.backward:
                backward.append(self._dis.calc(b, a, None))
        return FlowField(
            forward=np.stack(forward),
            backward=np.stack(backward) if self.backward else None,
            first=grey[starts].astype(np.float32) / 255.0,
            second=grey[ends].astype(np.float32) / 255.0,
            pair_index=starts,
            fps=video.fps,
            pair_end=ends,
            interval_change=interval_changes(grey),
            method=self.method.label,
        )


def sampling_note(span_seconds: float) -> str:
    """The backend string's account of the sampling: tiles of up to ``span_seconds``, or consecutive."""
    return f", tiles<={span_seconds:g}s" if span_seconds > 0 else ", consecutive"


RAFT_MIN_SIDE = 128  # RAFT's correlation pyramid needs both sides >= 128 pixels


def working_size(height: int, width: int, max_side: int, multiple: int = 8, min_side: int = 0) -> tuple[int, int]:
    """(h, w) scaled so max(h, w) <= max_side (but min(h, w) >= min_side), multiples of ``multiple``."""
    scale = min(1.0, max_side / max(height, width))
    scale = max(scale, min_side / min(height, width))
    return (
        max(multiple, round(height * scale / multiple) * multiple),
        max(multiple, round(width * scale / multiple) * multiple),
    )


class RAFTFlow(Backbone):
    """torchvision RAFT (Teed & Deng 2020), large by default, weights from the ``raft-large`` entry.

    Frames are resized to a working size (multiples of 8), scaled to [-1, 1] and run in batches of
    pairs. Defaults (docs/performance.md has the measurements): RAFT's own 20 iterations, the
    forward pass only (tracking is then checked photometrically), and pairs that tile the clip with
    spans of at most ``span_seconds`` (4 pairs of 8 frames on a 33-frame 16 fps clip), so every frame
    interval is inside a RAFT field while the fields number a quarter of VBench's dynamic degree
    (pairs of frames 2 apart). ``backward=True`` restores the forward-backward check at twice the cost.
    """

    name = "flow"
    method = flow_method("raft")

    def __init__(
        self,
        max_side: int = RAFT_DEFAULTS.max_side,
        max_pairs: int = RAFT_DEFAULTS.max_pairs,
        arch: str = RAFT_DEFAULTS.arch,
        weights: str = RAFT_DEFAULTS.weights,
        iterations: int = RAFT_DEFAULTS.iterations,
        batch: int = RAFT_DEFAULTS.batch,
        device: str | None = RAFT_DEFAULTS.device,
        backward: bool = RAFT_DEFAULTS.backward,
        span_seconds: float = RAFT_DEFAULTS.span_seconds,
    ) -> None:
        self.max_side, self.max_pairs, self.arch, self.weights = max_side, max_pairs, arch, weights
        self.iterations, self.batch, self.backward = iterations, batch, backward
        self.span_seconds = span_seconds
        self.device = pick_device(device)
        self._model: torch.nn.Module | None = None
        self._sha = ""

    def check(self) -> None:
        require_weights(self.weights, "RAFT flow: {} (or choose --flow dis, which needs no weights)")

    def model(self) -> torch.nn.Module:
        if self._model is None:
            from torchvision.models import optical_flow

            (path,) = require(self.weights).values()
            model = getattr(optical_flow, self.arch)(weights=None, progress=False)
            model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
            self._model, self._sha = model.to(self.device).eval(), file_sha256(path)
        return self._model

    def torch_modules(self) -> list[torch.nn.Module]:
        return [self._model] if self._model is not None else []

    def backend(self) -> str:
        self.model()
        return (
            f"torchvision {self.arch} sha256:{self._sha[:12]} "
            f"(iters {self.iterations}, side<={self.max_side}, pairs<={self.max_pairs}"
            f"{sampling_note(self.span_seconds)}{'' if self.backward else ', forward only'})"
        )

    @torch.inference_mode()
    def compute(self, video: Video) -> FlowField:
        model = self.model()
        pairs, ends = pair_spans(video.num_frames, self.max_pairs, span_frames(self.span_seconds, video.fps))
        h, w = working_size(video.height, video.width, self.max_side, min_side=RAFT_MIN_SIDE)
        needed = np.unique(np.concatenate([pairs, ends]))
        frames = torch.from_numpy(video.frames[needed]).permute(0, 3, 1, 2).float()
        frames = torch.nn.functional.interpolate(
            frames, size=(h, w), mode="bilinear", antialias=True, align_corners=False
        )
        row = {int(i): k for k, i in enumerate(needed)}
        scaled = (frames / 127.5 - 1.0).to(self.device)
        a = torch.tensor([row[int(i)] for i in pairs])
        b = torch.tensor([row[int(j)] for j in ends])
        sources = (torch.cat([a, b]) if self.backward else a).tolist()
        targets = (torch.cat([b, a]) if self.backward else b).tolist()
        flows = []
        for start in range(0, len(sources), self.batch):
            src, dst = sources[start : start + self.batch], targets[start : start + self.batch]
            flows.append(model(scaled[src], scaled[dst], num_flow_updates=self.iterations)[-1].float().cpu())
        flow = torch.cat(flows).permute(0, 2, 3, 1).numpy()  # [2P or P, h, w, 2]
        grey = (0.299 * frames[:, 0] + 0.587 * frames[:, 1] + 0.114 * frames[:, 2]).numpy() / 255.0
        count = len(pairs)
        return FlowField(
            forward=flow[:count],
            backward=flow[count:] if self.backward else None,
            first=grey[a.numpy()].astype(np.float32),
            second=grey[b.numpy()].astype(np.float32),
            pair_index=pairs,
            fps=video.fps,
            pair_end=ends,
            interval_change=interval_changes(grey_frames(video.frames, h, w)),
            method=self.method.label,
        )


def grey_frames(frames: np.ndarray, height: int, width: int) -> np.ndarray:
    """uint8 RGB [T, H, W, 3] -> uint8 grey [T, height, width] (area resampling)."""
    out = np.empty((len(frames), height, width), dtype=np.uint8)
    for i, frame in enumerate(frames):
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        out[i] = (
            grey if grey.shape == (height, width) else cv2.resize(grey, (width, height), interpolation=cv2.INTER_AREA)
        )
    return out


class AutoFlow(Backbone):
    """The default flow: RAFT where its weights are present, else DIS (the backend string says so).
    Each gets the options it takes (RAFT's weights do not reach DIS); one neither takes is an error."""

    name = "flow"

    def __init__(self, **options: Any) -> None:
        raft, dis = accepted_options(RAFTFlow) or set(), accepted_options(DISFlow) or set()
        unknown = sorted(set(options) - raft - dis)
        if unknown:
            raise ValueError(
                f"flow takes no option {', '.join(map(repr, unknown))} "
                f"(RAFT takes: {', '.join(sorted(raft))}; DIS takes: {', '.join(sorted(dis))})"
            )
        self.raft = RAFTFlow(**{k: v for k, v in options.items() if k in raft})
        try:
            self.raft.check()
            self.chosen: Backbone = self.raft
            self.fallback = ""
        except BackboneUnavailable:
            self.chosen = DISFlow(**{k: v for k, v in options.items() if k in dis})
            self.fallback = " [fallback: raft-large weights missing]"

    def backend(self) -> str:
        return self.chosen.backend() + self.fallback

    def torch_modules(self) -> list[torch.nn.Module]:
        return self.chosen.torch_modules()

    def compute(self, video: Video) -> FlowField:
        return self.chosen.compute(video)
