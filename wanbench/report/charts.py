"""Matplotlib charts: grouped bars per dimension, a radar, and per-dimension score distributions."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import matplotlib

matplotlib.use("Agg")  # files only; never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.projections.polar import PolarAxes  # noqa: E402

from wanbench.benchmark.names import display_name  # noqa: E402
from wanbench.report.tables import frame_keys  # noqa: E402


def _labels(frame: pd.DataFrame) -> list[str]:
    """Legend labels: reference rows say so, partial weighted scores say so; a '$' is escaped so a
    model name is never read as matplotlib mathtext."""
    partial = frame["partial"] if "partial" in frame.columns else [False] * len(frame)
    return [
        (str(m).replace("$", r"\$") if s == "measured" else f"{m} (paper)".replace("$", r"\$"))
        + (" (partial)" if s == "measured" and bool(p) is True else "")
        for m, s, p in zip(frame["label"] if "label" in frame.columns else frame.model, frame.source, partial)
    ]


def bar_chart(frame: pd.DataFrame, path: Path) -> Path:
    """One group of bars per dimension, one bar per model, each with its 95% CI as an error bar;
    dimensions nobody scored are left out; the legend sits below the axes so it never covers a bar."""
    dims = [d for d in frame_keys(frame) if frame[d].notna().any()]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(dims) + 2), 5.0))
    width = 0.8 / max(1, len(frame))
    x = np.arange(len(dims))
    for i, (label, (_, row)) in enumerate(zip(_labels(frame), frame.iterrows())):
        values = np.array([row[d] if pd.notna(row[d]) else np.nan for d in dims], float)
        low = np.array([row.get(f"{d}_ci_low", np.nan) for d in dims], float)
        high = np.array([row.get(f"{d}_ci_high", np.nan) for d in dims], float)
        has_ci = np.isfinite(low) & np.isfinite(high) & np.isfinite(values)
        errors = np.where(has_ci, [np.clip(values - low, 0, None), np.clip(high - values, 0, None)], 0.0)
        ax.bar(
            x + (i - (len(frame) - 1) / 2) * width,
            values,
            width,
            label=label,
            yerr=errors if has_ci.any() else None,
            capsize=2,
            error_kw={"elinewidth": 0.8},
        )
    ax.set_xticks(x, [display_name(d) for d in dims], rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (higher is better; bars: 95% CI)")
    ax.set_title("Wan-Bench dimensions")
    ax.legend(
        fontsize=7, ncols=min(4, max(1, len(frame))), loc="upper center", bbox_to_anchor=(0.5, -0.32), frameon=False
    )
    fig.tight_layout()
    _save(fig, path, bbox_inches="tight")
    plt.close(fig)
    return path


def radar_chart(frame: pd.DataFrame, path: Path) -> Path:
    """Scores on a circle of the dimensions that at least one model has; gaps where a model has none."""
    dims = [d for d in frame_keys(frame) if frame[d].notna().any()]
    if len(dims) < 3:  # a radar of fewer than three axes is a line: show the bars' data as points
        dims = dims or frame_keys(frame)[:3]
    angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    fig, axes = plt.subplots(figsize=(9, 6.5), subplot_kw={"projection": "polar"})
    ax = cast(PolarAxes, axes)  # what the polar projection makes
    for label, (_, row) in zip(_labels(frame), frame.iterrows()):
        values = np.array([row[d] if pd.notna(row[d]) else np.nan for d in dims], float)
        ax.plot(np.append(angles, angles[0]), np.append(values, values[0]), marker="o", label=label)
    ax.set_xticks(angles, [display_name(d) for d in dims], fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_yticks([0.25, 0.5, 0.75, 1.0], ["0.25", "0.5", "0.75", "1"], fontsize=7)
    ax.set_rlabel_position(100)
    ax.set_title("Wan-Bench profile", pad=24)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.15, 1.0))
    fig.tight_layout()
    _save(fig, path, bbox_inches="tight")
    plt.close(fig)
    return path


def dimension_chart(results: pd.DataFrame, dimension: str, path: Path) -> Path:
    """Per-prompt scores of one dimension, one strip of points per model, the mean as a bar."""
    rows = results[(results.dimension == dimension) & (results.status == "ok")]
    models = list(dict.fromkeys(rows.model))
    fig, ax = plt.subplots(figsize=(max(4.0, 1.3 * len(models) + 2), 3.5))
    rng = np.random.default_rng(0)
    for i, model in enumerate(models):
        values = rows[rows.model == model].value.to_numpy(float)
        ax.scatter(i + rng.uniform(-0.15, 0.15, len(values)), values, s=14, alpha=0.7)
        ax.hlines(values.mean(), i - 0.3, i + 0.3, color="black")
    ax.set_xticks(range(len(models)), models, fontsize=8)
    ax.set_xlim(-0.6, len(models) - 0.4)
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"{display_name(dimension)}: per-video scores (line = mean)", fontsize=9)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return path


def _save(fig, path: Path, **options) -> None:
    """PNG bytes under a temporary name, then renamed: a planted link at ``path`` is replaced, never followed."""
    from wanbench.safe_write import replacing

    with replacing(path, "wb") as handle:
        fig.savefig(handle, format="png", dpi=110, **options)


def write_charts(frame: pd.DataFrame, results: pd.DataFrame, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [bar_chart(frame, out_dir / "dimensions.png"), radar_chart(frame, out_dir / "radar.png")]
    for dimension in frame_keys(frame):
        if ((results.dimension == dimension) & (results.status == "ok")).any():
            paths.append(dimension_chart(results, dimension, out_dir / f"dim_{dimension}.png"))
    return paths


def prompt_count_chart(counts: dict[str, int], path: Path, title: str) -> Path:
    """Bar chart of prompts per dimension (docs/prompts.md)."""
    fig, ax = plt.subplots(figsize=(9, 4))
    names = [display_name(d) for d in counts]
    bars = ax.bar(range(len(counts)), list(counts.values()), color="#4c72b0")
    ax.bar_label(bars, fontsize=7)
    ax.set_xticks(range(len(counts)), names, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel("prompts")
    ax.set_title(title)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return path
