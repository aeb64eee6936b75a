"""Command-line options that several commands share, each declared once.

An option group is a dataclass whose fields carry their typer Option (``option(...)``). A command
takes the whole group as one parameter annotated with the dataclass; ``takes_option_groups``
shows typer the group's options in its place, in field order, and hands the command one filled-in
instance. `eval` and `score` share their scoring options this way, and build their EvalConfig the
same way, through ``ScoringOptions.eval_config``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer

from wanbench.benchmark.flow_settings import AUTO, FLOW_CHOICES

if typing.TYPE_CHECKING:
    from wanbench.run.runner import EvalConfig
    from wanbench.run.shards import Shard

Command = TypeVar("Command", bound=Callable[..., Any])


BENCHMARK_OPTION = typer.Option(
    "wan-bench",
    "--benchmark",
    "-b",
    help="Which benchmark: its dimensions, weightings, reference tables and default suite "
    "(wan-bench, or a definition .json file; `wanbench dims --benchmark NAME` lists its dimensions).",
)
WEIGHTING_OPTION = typer.Option(
    None,
    "--weighting",
    help="equal, a weighting the benchmark names (wan-bench: paper, fitted), or a json/csv file "
    "(default: the benchmark's, paper for wan-bench).",
)
REFERENCE_OPTION = typer.Option(None, "--reference", help="Add a published table, e.g. paper.")


def option(declared: Any) -> Any:
    """A dataclass field that is also a typer option: ``declared`` is the ``typer.Option(...)``."""
    return dataclasses.field(default=declared.default, metadata={"option": declared})


def _is_option_group(hint: Any) -> bool:
    return (
        dataclasses.is_dataclass(hint)
        and isinstance(hint, type)
        and all("option" in f.metadata for f in dataclasses.fields(hint))
    )


def takes_option_groups(command: Command) -> Command:
    """Expand each parameter of ``command`` annotated with an option group into the group's options."""
    hints = typing.get_type_hints(command)
    groups: dict[str, type] = {}
    parameters: list[inspect.Parameter] = []
    for parameter in inspect.signature(command).parameters.values():
        hint = hints.get(parameter.name, parameter.annotation)
        if not _is_option_group(hint):
            parameters.append(parameter.replace(annotation=hint))
            continue
        groups[parameter.name] = hint
        member_hints = typing.get_type_hints(hint)
        for member in dataclasses.fields(hint):
            parameters.append(
                inspect.Parameter(
                    member.name,
                    inspect.Parameter.KEYWORD_ONLY,
                    default=member.metadata["option"],
                    annotation=member_hints[member.name],
                )
            )
    names = [p.name for p in parameters]
    if len(names) != len(set(names)):
        raise TypeError(f"{command.__name__}: an option group repeats a parameter name ({names})")

    @functools.wraps(command)
    def run(**values: Any) -> Any:
        for name, group in groups.items():
            values[name] = group(**{f.name: values.pop(f.name) for f in dataclasses.fields(group)})
        return command(**values)

    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in parameters]
    )
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return typing.cast(Command, run)


@dataclass(frozen=True)
class ScoringOptions:
    """What `eval` and `score` both ask: which dimensions, how they are scored and reported, and how
    the run is shared out."""

    benchmark: str = option(BENCHMARK_OPTION)
    dims: str | None = option(
        typer.Option(None, "--dims", help="Comma-separated dimensions (default: all of the benchmark's).")
    )
    weighting: str | None = option(WEIGHTING_OPTION)
    reference: str | None = option(REFERENCE_OPTION)
    flow: str = option(
        typer.Option(
            AUTO,
            "--flow",
            help=f"Optical flow: {', '.join(FLOW_CHOICES)} (auto: RAFT if its weights are present, else DIS).",
        )
    )
    flow_option: list[str] | None = option(
        typer.Option(
            None,
            "--flow-option",
            help="Flow setting KEY=VALUE, repeatable: span_seconds (longest flow pair; 0: consecutive "
            "pairs), max_pairs, max_side, backward, iterations (RAFT), preset (DIS). Part of the flow "
            "dimensions' metric version.",
        )
    )
    artifacts_weights: Path | None = option(
        typer.Option(
            None,
            "--artifacts-weights",
            help="Folder with a trained artifact detector (model.safetensors + model.json); "
            "default: the yolo-artifacts weights entry.",
        )
    )
    artifacts_backend: str = option(
        typer.Option(
            "yolo",
            "--artifacts-backend",
            help="Human Artifacts by the trained detector (yolo) or by the VLM judge (judge).",
        )
    )
    judge: str = option(
        typer.Option(
            "local",
            "--judge",
            help="VLM judge backend: local (Qwen2-VL through transformers) or openai (an OpenAI-compatible "
            "server; remote names it too).",
        )
    )
    judge_weights: Path | None = option(
        typer.Option(None, "--judge-weights", help="Local judge folder (default: the qwen2-vl-7b weights entry).")
    )
    judge_url: str | None = option(
        typer.Option(None, "--judge-url", help="Remote judge endpoint, e.g. http://localhost:8000/v1 (vLLM).")
    )
    judge_model: str | None = option(typer.Option(None, "--judge-model", help="Model name the remote server serves."))
    quiet: bool = option(typer.Option(False, "--quiet", "-q", help="No progress bar."))
    shard: str | None = option(
        typer.Option(
            None,
            "--shard",
            help="RANK/WORLD: score only this share of the prompts (e.g. 3/8, one per job of an array), "
            "into RUN/shards/; merge with `wanbench merge RUN`. Under torchrun it comes from "
            "RANK/WORLD_SIZE and rank 0 merges.",
        )
    )

    def part(self, launched: Shard) -> Shard:
        """This process's shard: ``--shard`` wins over what the launcher (torchrun's RANK/WORLD_SIZE) says."""
        from wanbench.run.shards import Shard

        return Shard.parse(self.shard) if self.shard else launched

    def eval_config(self, part: Shard, **settings: Any) -> EvalConfig:
        """The run's EvalConfig: these options, checked, plus the command's own ``settings``."""
        from wanbench.run.options import backbone_options, flow_options, parse_dimensions
        from wanbench.run.runner import EvalConfig

        dimensions = parse_dimensions(self.dims)
        backbones = backbone_options(
            self.artifacts_backend,
            self.artifacts_weights,
            self.judge,
            self.judge_weights,
            self.judge_url,
            self.judge_model,
        ) | flow_options(self.flow_option)
        return EvalConfig(
            benchmark=self.benchmark,
            weighting=self.weighting,
            reference=self.reference,
            dimensions=dimensions,
            flow=self.flow,
            backbone_options=backbones,
            rank=part.rank,
            world_size=part.world,
            **settings,
        )


SCORING_DEFAULTS = (
    ScoringOptions()
)  # the group's place in a command's signature: `scoring: ScoringOptions = SCORING_DEFAULTS`
