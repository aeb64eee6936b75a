"""User-level run choices turned into checked settings: adapter KEY=VALUE options, the dimension list,
the prompt language, the judge and detector backbones, prompt extension and Ulysses rank groups.

Shared by the CLI's commands and callable from Python; a bad choice raises ValueError (or
UnknownNameError) with the one line the CLI prints, naming the flag to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wanbench.prompts.generation_text import ExtendSettings
    from wanbench.run.rank_groups import RankGroups


def parse_adapter_options(items: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs for the model adapter; numbers become numbers, true/false booleans."""
    parsed: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--option expects KEY=VALUE, got {item!r}")
        if value.lower() in ("true", "false"):
            parsed[key] = value.lower() == "true"
            continue
        for cast in (int, float):
            try:
                parsed[key] = cast(value)
                break
            except ValueError:
                continue
        else:
            parsed[key] = value
    return parsed


def parse_size(size: str) -> tuple[int, int]:
    """ "WIDTHxHEIGHT" -> (width, height)."""
    width, sep, height = size.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit()):
        raise ValueError(f"--size expects WIDTHxHEIGHT, got {size!r}")
    return int(width), int(height)


def parse_dimensions(text: str | None) -> tuple[str, ...] | None:
    """Comma-separated dimension keys (None or empty: all of the benchmark's); ``EvalConfig.validate``
    checks them against the benchmark, with a did-you-mean."""
    if not text:
        return None
    return tuple(d.strip() for d in text.split(",") if d.strip())


def check_language(lang: str) -> str:
    from wanbench.prompts.suite import LANGUAGES

    if lang not in LANGUAGES:
        raise ValueError(f"--lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


def extend_settings(url: str | None, model: str | None) -> ExtendSettings | None:
    """Prompt extension through an OpenAI-compatible server, or None; the served model id is required."""
    from wanbench.prompts.generation_text import ExtendSettings

    if url is None:
        if model is not None:
            raise ValueError("--extend-model needs --extend URL")
        return None
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"--extend expects an http(s) URL, got {url!r}")
    if not model:
        raise ValueError("--extend needs --extend-model (the model id the server serves; it is recorded)")
    return ExtendSettings(url=url, model=model)


def backbone_options(
    artifacts_backend: str = "yolo",
    artifacts_weights: Path | None = None,
    judge: str = "local",
    judge_weights: Path | None = None,
    judge_url: str | None = None,
    judge_model: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Backbone constructor options (EvalConfig.backbone_options) for the Human Artifacts detector and the VLM judge."""
    from wanbench.backbones.artifact_detections import BACKENDS

    if artifacts_backend not in BACKENDS:
        raise ValueError(f"--artifacts-backend must be one of {', '.join(BACKENDS)}, got {artifacts_backend!r}")
    if judge not in ("local", "remote"):
        raise ValueError(f"--judge must be local or remote, got {judge!r}")
    if judge == "remote" and not judge_url:
        raise ValueError(
            "--judge remote needs --judge-url (an OpenAI-compatible endpoint, e.g. http://localhost:8000/v1)"
        )
    artifacts: dict[str, Any] = {"backend": artifacts_backend}
    if artifacts_weights is not None:
        artifacts["path"] = artifacts_weights
    vlm: dict[str, Any] = {"judge": judge}
    for key, value in (("path", judge_weights), ("url", judge_url), ("model", judge_model)):
        if value is not None:
            vlm[key] = value
    return {"artifacts": artifacts, "vlm": vlm}


def ulysses_groups(ulysses: int, sharded: bool, options: dict[str, Any]) -> tuple[RankGroups, dict[str, Any]]:
    """This rank's Ulysses group (torchrun's ranks in groups of ``ulysses``; 1: every rank on its own)
    and the adapter ``options``, which carry ``ulysses`` when the model runs over a group."""
    from wanbench.run.rank_groups import RankGroups

    if ulysses == 1:
        return RankGroups.from_env(1), options
    if sharded:
        raise ValueError("--ulysses needs torchrun's ranks; it does not combine with --shard")
    return RankGroups.from_env(ulysses), options | {"ulysses": ulysses}
