"""A row's metric version, composed in one place from the benchmark definition.

``metric_version(method, backbone_options)`` = the method's declared formula version, then
``.t<judge template version>`` when its questions come from the templates file, then
``.f<flow settings hash>`` when its numbers depend on the optical flow's settings (both backends'
defaults and the run's flow options). A scoring dimension reports this version and the read model
recomputes it to decide which rows are current, so the two can never drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from wanbench.benchmark.definition import Benchmark, Method

Options = Mapping[str, Mapping[str, Any]]


@lru_cache(maxsize=1)
def judge_template_version() -> str:
    text = resources.files("wanbench").joinpath("data/judge_templates.json").read_text(encoding="utf-8")
    return str(json.loads(text)["version"])


def flow_options(backbone_options: Options | None) -> dict[str, Mapping[str, Any]]:
    """The entries of a run's backbone options that configure the optical flow."""
    from wanbench.benchmark.flow_settings import FLOW_OPTION_ENTRIES

    options = backbone_options or {}
    return {entry: options[entry] for entry in FLOW_OPTION_ENTRIES if entry in options}


def metric_version(method: Method, backbone_options: Options | None = None) -> str:
    version = method.version
    if "judge_template" in method.depends_on:
        version += f".t{judge_template_version()}"
    if "flow_settings" in method.depends_on:
        from wanbench.benchmark.flow_settings import flow_settings_tag

        version += f".f{flow_settings_tag(flow_options(backbone_options))}"
    return version


def benchmark_versions(benchmark: Benchmark, backbone_options: Options | None = None) -> dict[str, str]:
    """Each dimension's current metric version under a run's backbone options (its selected method)."""
    return {spec.key: metric_version(spec.method(backbone_options), backbone_options) for spec in benchmark.dimensions}
