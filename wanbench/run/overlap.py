"""Overlapped scoring: decode and compute the shared features of the next videos while one scores.

The runner keeps everything that touches the store or the model adapter in its own thread and in
item order; only decoding and the backbones named in ``PREFETCH`` (pure functions of the video) run
ahead in one worker thread, at most ``depth`` videos ahead (a bounded window, so memory stays at
depth + 1 decoded videos). A prefetched backbone that fails caches its error in the FeatureCache,
exactly as the first dimension asking for it would have, so rows, values and error messages are
those of the sequential loop; results are keyed by item, never by completion order.

The judge's questions are asked one video at a time as a batch (all its dimensions' plans in one
call: the local judge shares each clip's prefix across them, the remote one sends them concurrently);
a judge that overlaps (a remote one) is asked from the worker, so the next video's questions travel
while one scores. The dimensions then read their answers from the judge's cache.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wanbench.backbones.base import Backbone, FeatureCache
from wanbench.backbones.judge.plan import JudgePlan
from wanbench.video import Video, VideoError, read_video

PREFETCH = ("flow",)  # backbones computed ahead; others (judge, CLIP) stay in the scoring thread


@dataclass
class Loaded:
    """One item's decoded video and its (partly filled) feature cache, or the decode error."""

    item: Any
    video: Video | None = None
    features: FeatureCache | None = None
    error: VideoError | None = None


def load(
    path: Path, backbones: dict[str, Backbone], needed: Iterable[str], plans: Sequence[JudgePlan] = ()
) -> tuple[Video | None, FeatureCache | None, VideoError | None]:
    """Decode ``path`` and compute the ``needed`` prefetchable backbones (their errors stay cached);
    a judge that ``overlaps`` (a remote one) is asked this video's ``plans`` here too."""
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
    if "vlm" in needed and judge_overlaps(backbones):
        ask_judge_ahead(features, plans)
    return video, features, None


def judge_overlaps(backbones: dict[str, Backbone]) -> bool:
    """Whether the run's judge is asked from the worker (a remote one) rather than the scoring thread."""
    return bool(getattr(backbones.get("vlm"), "overlaps", False))


def ask_judge_ahead(features: FeatureCache | None, plans: Sequence[JudgePlan]) -> None:
    """Ask the judge all of one video's plans in one batch, filling its answer cache; a failure is
    left for the dimension that asks to meet and report, exactly as it would have without this."""
    if features is None or not plans or "vlm" not in features.backbones:
        return
    try:
        features.get("vlm").prefetch(plans)
    except Exception:
        pass


def overlapped(
    items: Iterable[tuple[Any, Path | None, tuple[str, ...]]],
    backbones: dict[str, Backbone],
    depth: int = 1,
    plans_of: Callable[[Any], Sequence[JudgePlan]] | None = None,
) -> Iterator[Loaded]:
    """Yield a Loaded per (item, path, needed backbones), in input order, loading up to ``depth`` ahead.

    ``items`` is consumed lazily in the caller's thread (it may generate videos and write the store);
    a None path passes the item through unloaded. ``depth`` 0 loads each item only when it is due.
    ``plans_of(item)``: the judge plans of the item's dimensions. A remote judge is asked them in the
    worker; any other judge in the caller's thread just before the item is yielded, so one video's
    questions go to the judge as one batch either way (the dimensions read the cache).
    """

    def plans(item: Any) -> Sequence[JudgePlan]:
        return plans_of(item) if plans_of is not None else ()

    if depth <= 0:
        for item, path, needed in items:
            if path is None:
                yield Loaded(item)
                continue
            wanted = plans(item)
            loaded = Loaded(item, *load(path, backbones, needed, wanted))
            if not judge_overlaps(backbones):  # an overlapping judge was asked inside load
                ask_judge_ahead(loaded.features, wanted)
            yield loaded
        return
    window: deque[tuple[Any, Future | None, Sequence[JudgePlan]]] = deque()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="wanbench-prefetch") as pool:
        for item, path, needed in items:
            wanted = plans(item) if path is not None else ()
            window.append(
                (item, pool.submit(load, path, backbones, needed, wanted) if path is not None else None, wanted)
            )
            if len(window) > depth:
                yield _finish(*window.popleft())
        while window:
            yield _finish(*window.popleft())


def _finish(item: Any, future: Future | None, plans: Sequence[JudgePlan]) -> Loaded:
    if future is None:
        return Loaded(item)
    loaded = Loaded(item, *future.result())
    if loaded.features is not None and not judge_overlaps(loaded.features.backbones):
        ask_judge_ahead(loaded.features, plans)  # an overlapping judge was asked in the worker
    return loaded
