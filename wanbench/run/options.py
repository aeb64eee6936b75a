"""User-level run choices turned into checked settings: adapter KEY=VALUE options, the dimension list,
the prompt language, the judge and detector backbones, prompt extension and Ulysses rank groups.

Shared by the CLI's commands and callable from Python; a bad choice raises ValueError (or
UnknownNameError) with the one line the CLI prints, naming the flag to fix.
"""

from __future__ import annotations

import difflib
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
    if int(width) < 1 or int(height) < 1:
        raise ValueError(f"--size {size}: width and height must be positive")
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
    takes = judge_options(judge)
    if "url" in takes and not judge_url:
        raise ValueError(
            f"--judge {judge} needs --judge-url (an OpenAI-compatible endpoint, e.g. http://localhost:8000/v1)"
        )
    artifacts: dict[str, Any] = {"backend": artifacts_backend}
    if artifacts_weights is not None:
        artifacts["path"] = artifacts_weights
    vlm: dict[str, Any] = {"judge": judge}
    given = (("--judge-weights", "path", judge_weights), ("--judge-url", "url", judge_url))
    for flag, key, value in given + (("--judge-model", "model", judge_model),):
        if value is not None:
            if key not in takes:
                raise ValueError(f"{flag} does not apply to --judge {judge} (it takes {', '.join(sorted(takes))})")
            vlm[key] = value
    return {"artifacts": artifacts, "vlm": vlm}


def flow_options(items: list[str] | None) -> dict[str, dict[str, Any]]:
    """``--flow-option KEY=VALUE`` pairs -> the "flow" backbone entry (it reaches whichever flow backend
    runs, each taking the keys it has; {} when none). A key no flow backend takes is one clear error."""
    if not items:
        return {}
    from wanbench.backbones.base import accepted_options
    from wanbench.backbones.flow import DISFlow, RAFTFlow
    from wanbench.benchmark.flow_settings import NUMBER_NEUTRAL

    bad = [item for item in items if "=" not in item or item.startswith("=")]
    if bad:
        raise ValueError(f"--flow-option expects KEY=VALUE, got {bad[0]!r}")
    parsed = parse_adapter_options(items)
    known = ((accepted_options(RAFTFlow) or set()) | (accepted_options(DISFlow) or set())) - {"device", "weights"}
    unknown = sorted(set(parsed) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ValueError(
            f"--flow-option: no flow setting {', '.join(map(repr, unknown))}{hint} "
            f"(settings: {', '.join(sorted(known - set(NUMBER_NEUTRAL)))}, batch)"
        )
    return {"flow": parsed}


def judge_options(judge: str) -> set[str]:
    """The options the judge backend registered as ``judge`` takes (ValueError, with a did-you-mean,
    for a name that is not registered)."""
    from wanbench.backbones.judge.backends import option_names, registered

    try:
        return option_names(registered(judge))
    except ValueError as exc:
        raise ValueError(f"--judge: {exc}") from None


def ulysses_groups(ulysses: int, sharded: bool, options: dict[str, Any]) -> tuple[RankGroups, dict[str, Any]]:
    """This rank's Ulysses group (torchrun's ranks in groups of ``ulysses``; 1: every rank on its own)
    and the adapter ``options``, which carry ``ulysses`` when the model runs over a group."""
    from wanbench.run.rank_groups import RankGroups

    if ulysses == 1:
        return RankGroups.from_env(1), options
    if sharded:
        raise ValueError("--ulysses needs torchrun's ranks; it does not combine with --shard")
    return RankGroups.from_env(ulysses), options | {"ulysses": ulysses}
