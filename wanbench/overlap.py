"""Overlapped scoring: decode and compute the shared features of the next videos while one scores.

The runner keeps everything that touches the store or the model adapter in its own thread and in
item order; only decoding and the backbones named in ``PREFETCH`` (pure functions of the video) run
ahead in one worker thread, at most ``depth`` videos ahead (a bounded window, so memory stays at
depth + 1 decoded videos). A prefetched backbone that fails caches its error in the FeatureCache,
exactly as the first dimension asking for it would have, so rows, values and error messages are
those of the sequential loop; results are keyed by item, never by completion order.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from wanbench.backbones.base import Backbone, FeatureCache
from wanbench.video import Video, VideoError, read_video

PREFETCH = ("flow",)  # backbones computed ahead; others (judge, CLIP) stay in the scoring thread


@dataclass
class Loaded:
    """One item's decoded video and its (partly filled) feature cache, or the decode error."""

    item: Any
    video: Video | None = None
    features: FeatureCache | None = None
    error: VideoError | None = None


def load(path: Path, backbones: dict[str, Backbone], needed: Iterable[str]) -> tuple[Video | None, FeatureCache | None, VideoError | None]:
    """Decode ``path`` and compute the ``needed`` prefetchable backbones (their errors stay cached)."""
    try:
        video = read_video(path)
    except VideoError as exc:
        return None, None, exc
    features = FeatureCache(video, backbones)
    for name in needed:
        if name in PREFETCH and name in backbones:
            try:
                features.get(name)
            except Exception:  # cached in features; the dimension that needs it reports it
                pass
    return video, features, None


def overlapped(items: Iterable[tuple[Any, Path | None, tuple[str, ...]]], backbones: dict[str, Backbone],
               depth: int = 1) -> Iterator[Loaded]:
    """Yield a Loaded per (item, path, needed backbones), in input order, loading up to ``depth`` ahead.

    ``items`` is consumed lazily in the caller's thread (it may generate videos and write the store);
    a None path passes the item through unloaded. ``depth`` 0 loads each item only when it is due.
    """
    if depth <= 0:
        for item, path, needed in items:
            yield Loaded(item, *load(path, backbones, needed)) if path is not None else Loaded(item)
        return
    window: deque[tuple[Any, Future | None]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wanbench-prefetch") as pool:
        for item, path, needed in items:
            window.append((item, pool.submit(load, path, backbones, needed) if path is not None else None))
            if len(window) > depth:
                yield _finish(*window.popleft())
        while window:
            yield _finish(*window.popleft())


def _finish(item: Any, future: Future | None) -> Loaded:
    return Loaded(item) if future is None else Loaded(item, *future.result())

