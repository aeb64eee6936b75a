"""What `wanbench models` shows: each adapter, its recipe with sources, and where its weights come from."""

from __future__ import annotations

from typing import Any

from wanbench.adapters.base import ADAPTERS
from wanbench.adapters.recipes import Recipe, Setting

# Adapters that hold no recipe: where their weights (or videos) come from.
OTHER_SOURCES = {
    "procedural": "none: renders synthetic videos from the prompt's metadata",
    "folder": "videos made elsewhere (wanbench score --videos DIR [--manifest CSV])",
    "wan-tiny": "wanbench/data/models/wan-tiny in this repository (make tiny-model), or weights=DIR",
    "diffusers": "any diffusers text-to-video folder given as weights=DIR",
}


def recipe_dict(recipe: Recipe) -> dict[str, Any]:
    """Every setting of a recipe as {value, source}, grouped as the adapter applies them."""

    def pair(setting: Setting) -> dict[str, Any]:
        return {
            "value": list(setting.value) if isinstance(setting.value, tuple) else setting.value,
            "source": setting.source,
        }

    return {
        "pipeline": recipe.pipeline,
        "repo": recipe.repo,
        "fps": pair(recipe.fps),
        "call": {k: pair(s) for k, s in recipe.call.items()},
        "dtypes": {k: pair(s) for k, s in recipe.dtypes.items()},
        "scheduler": pair(recipe.scheduler) if recipe.scheduler else None,
        "config": {k: pair(s) for k, s in recipe.config.items()},
        "prompt_suffix": pair(recipe.prompt_suffix) if recipe.prompt_suffix else None,
        "variant": recipe.variant,
    }


def recipe_line(recipe: Recipe) -> str:
    """One readable line: the pipeline arguments, scheduler, dtypes, switches and frame rate."""

    def short(value: Any) -> str:
        text = str(value)
        return text if len(text) <= 24 else text[:21] + "..."

    parts = [f"{k}={short(s.value)}" for k, s in recipe.call.items()]
    if recipe.scheduler:
        name, overrides = recipe.scheduler.value
        parts.append(f"scheduler={name or 'as saved'}({', '.join(f'{k}={v}' for k, v in overrides.items())})")
    if recipe.dtypes:
        parts.append("dtypes " + ", ".join(f"{k}={s.value}" for k, s in recipe.dtypes.items()))
    parts += [f"{k}={s.value}" for k, s in recipe.config.items()]
    if recipe.prompt_suffix:
        parts.append(f"prompt suffix {recipe.prompt_suffix.value!r}")
    parts.append(f"fps={recipe.fps.value:g}")
    return "; ".join(parts)


def weights_source(name: str, adapter: type) -> str:
    recipe = getattr(adapter, "recipe", None)
    if recipe is not None:
        return recipe.weights_source()
    repos = getattr(adapter, "repos", ())
    if repos:
        return "Hugging Face " + " or ".join(repos) + f" (hf download {repos[0]})"
    return OTHER_SOURCES.get(name, "")


def wanmodel_line(adapter: Any) -> str:
    """A wan-* adapter's sampling defaults (its preset's ``WanConfig.sampling``, the adapter's size and frames)."""
    from dataclasses import asdict

    from wanbench.adapters.wan import FPS
    from wanmodel.configs import get_config

    defaults = {k: v for k, v in asdict(get_config(adapter.preset).sampling).items() if k != "negative_prompt"}
    defaults |= {
        "frames": adapter.default_frames,
        "width": adapter.default_size[0],
        "height": adapter.default_size[1],
        "empty_negative": adapter.empty_negative,
    }
    negative = (
        "Wan's negative prompt" if adapter.negative_prompt is None else f"negative prompt {adapter.negative_prompt!r}"
    )
    return "wanmodel: " + ", ".join(f"{k}={v}" for k, v in defaults.items()) + f"; {negative}; fps={FPS:g}"


def adapter_rows() -> list[dict[str, Any]]:
    rows = []
    for name in ADAPTERS.names():
        adapter = ADAPTERS.get(name)
        recipe = getattr(adapter, "recipe", None)
        rows.append(
            {
                "model": name,
                "description": adapter.description,
                "weights": weights_source(name, adapter),
                "recipe": recipe_dict(recipe) if recipe else None,
                "recipe_line": recipe_line(recipe)
                if recipe
                else wanmodel_line(adapter)
                if hasattr(adapter, "default_frames")
                else "",
            }
        )
    return rows
