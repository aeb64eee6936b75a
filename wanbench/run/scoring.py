"""Scoring one decoded video: the backbones a run's dimensions share, and one row per dimension.

Nothing here raises for a bad video or a broken metric: each becomes a row with its status and a
one-line message, so one prompt never stops a run.
"""

from __future__ import annotations

import time
from typing import Any

from wanbench.backbones.base import BACKBONES, Backbone, BackboneUnavailable, FeatureCache, constructor_options
from wanbench.benchmark.flow_settings import AUTO, FLOW_ROLE, flow_backbone
from wanbench.dims.base import Dimension, DimensionUnavailable, NotApplicable, NotScorable, Score
from wanbench.prompts.suite import Prompt
from wanbench.run.log import RowStatus, one_line
from wanbench.run.store import ResultRow
from wanbench.video import Video


def build_backbones(
    dimensions: list[Dimension], flow: str = AUTO, options: dict[str, dict[str, Any]] | None = None
) -> dict[str, Backbone]:
    """One instance per backbone the dimensions need (built lazily: nothing loads until first use);
    ``flow`` is the run's choice of flow method (``flow_settings.FLOW_CHOICES``)."""
    chosen = {FLOW_ROLE: flow_backbone(flow)}
    options = options or {}
    backbones: dict[str, Backbone] = {}
    for dim in dimensions:
        for need in dim.needs:
            registered = chosen.get(need, need)
            if need not in backbones and registered in BACKBONES:
                # options may name the registered backbone ("flow-raft") or the role it fills ("flow")
                cls = BACKBONES.get(registered)
                backbones[need] = cls(**constructor_options(cls, registered, need, options))
    return backbones


def score_one(
    dim: Dimension, video: Any, prompt: Prompt, features: FeatureCache
) -> tuple[RowStatus, Score | None, str | None]:
    """(status, score, message) for one dimension on one video; never raises."""
    status, score, message, _ = score_row(dim, video, prompt, features)
    return status, score, message


def score_row(
    dim: Dimension, video: Any, prompt: Prompt, features: FeatureCache
) -> tuple[RowStatus, Score | None, str | None, str]:
    """``score_one`` plus the row's backend: the score's, or the one a not-applicable verdict names."""
    try:
        score = dim.score(video, prompt, features)
        return RowStatus.OK, score, None, score.backend
    except (DimensionUnavailable, BackboneUnavailable) as exc:
        return RowStatus.MISSING, None, one_line(str(exc)), ""
    except NotApplicable as exc:  # nothing to measure in this video: neither a score nor a failure
        return RowStatus.NOT_APPLICABLE, None, one_line(str(exc)), exc.backend
    except NotScorable as exc:
        return RowStatus.ERROR, None, one_line(str(exc)), ""
    except Exception as exc:  # a broken metric on one video must not stop the run
        return RowStatus.ERROR, None, one_line(f"{type(exc).__name__}: {exc}"), ""


def score_video(
    dimensions: list[Dimension], video: Video, prompt: Prompt, seed: int, features: FeatureCache, run: str, label: str
) -> list[ResultRow]:
    """One row per dimension for this video, in the dimensions' order, each timed on its own."""
    rows = []
    for dim in dimensions:
        began = time.perf_counter()
        status, score, message, backend = score_row(dim, video, prompt, features)
        rows.append(
            ResultRow(
                run=run,
                model=label,
                prompt_id=prompt.id,
                seed=seed,
                dimension=dim.name,
                metric_version=dim.version,
                status=status.value,
                value=score.value if score else None,
                details=score.details if score else None,
                backend=backend,
                video_sha256=video.sha256 or "",
                seconds=time.perf_counter() - began,
                error=message,
            )
        )
    return rows
