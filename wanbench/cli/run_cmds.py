"""Commands that run a benchmark: eval, score, merge, generate."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from wanbench.cli.options import (
    SCORING_DEFAULTS,
    ScoringOptions,
    takes_option_groups,
)

if TYPE_CHECKING:
    from wanbench.run.runner import EvalConfig

from wanbench.cli.app import (
    UserError,
    app,
    err,
    out,
    user_errors,
)

# Options that eval and score share are declared once, in wanbench.cli.options.ScoringOptions.
ULYSSES_OPTION = typer.Option(
    1,
    "--ulysses",
    min=1,
    help="Under torchrun: run the model over groups of N ranks (FSDP2 + Ulysses sequence "
    "parallel, Wan models); the W/N groups share the prompts. Same videos as one process.",
)


def plain_progress(description: str, silent: bool, step: float = 0.1) -> Callable[[int, int], None]:
    """Into a log or a pipe, where a live bar shows nothing until the end: one line at every tenth of
    the items (and the last), with the time so far."""
    start, shown = time.monotonic(), [-1.0]

    def line(done: int, total: int) -> None:
        if silent or total <= 0:
            return
        if done >= total or done / total >= shown[0] + step:
            shown[0] = done / total
            err.print(f"{description}: {done}/{total} ({time.monotonic() - start:.0f} s)", highlight=False)

    return line


def _run_and_report(config: EvalConfig, scoring: ScoringOptions, with_report: bool) -> None:
    from wanbench.report import write_report
    from wanbench.run.runner import Evaluator
    from wanbench.run.shards import bind_local_device

    bind_local_device()
    # the Evaluator checks every argument first (EvalConfig.validate): one line, exit 2, before any compute
    evaluator = Evaluator(config, on_failure=lambda line: err.print(f"[red]✗[/] {line}", markup=True, highlight=False))
    suite, weighting, reference = evaluator.suite, config.weighting, config.reference
    strays = evaluator.adapter.unmatched({p.id for p in suite.prompts})
    if strays:
        shown = ", ".join(p.name for p in strays[:5]) + (f" and {len(strays) - 5} more" if len(strays) > 5 else "")
        err.print(
            f"note: {len(strays)} video file(s) match no prompt of {suite.name} and are not scored: {shown}",
            highlight=False,
            markup=False,
        )
    shard = f" (shard {config.rank}/{config.world_size})" if config.world_size > 1 else ""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=scoring.quiet or config.rank > 0,
        transient=False,
    ) as bar:
        description = f"{evaluator.label} on {suite.name}{shard}"
        task = bar.add_task(description, total=None)
        lines = plain_progress(description, scoring.quiet or config.rank > 0 or err.is_terminal)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            lines(done, total)

        summary = evaluator.run_suite(suite, progress=progress)
    out.print(f"{summary.model}{shard}: {summary.counts_line()}", highlight=False)
    if not summary.merged:
        if config.rank > 0 and "MASTER_ADDR" in os.environ:
            out.print(f"rows in {summary.store}; rank 0 merged them into {config.out}", highlight=False)
        else:
            out.print(
                f"rows in {summary.store}; when every shard is done: wanbench merge {config.out}", highlight=False
            )
    if summary.merged:  # the numbers in the terminal, with or without the report files
        from wanbench.api import load_run
        from wanbench.report.terminal import dimension_table

        if with_report:
            files = write_report(
                [config.out], config.out, weighting=weighting, reference=reference, benchmark=config.benchmark
            )
            summaries = files.summaries
        else:
            summaries = load_run(config.out, weighting, config.benchmark).summaries
        for s in summaries:
            if s.model == evaluator.label:
                out.print(dimension_table(s, weighting or ""))
        if with_report:
            out.print(f"report: {files.html}, {files.results_json}", highlight=False)
    if summary.exit_code:
        err.print(
            f"{len(summary.failures)} prompt(s) failed and {summary.errors} score(s) errored; "
            "see the report's error sections",
            highlight=False,
        )
        raise typer.Exit(summary.exit_code)


def _is_vbench(benchmark: str) -> bool:
    from wanbench.vbench.pipeline import is_vbench

    return is_vbench(benchmark)


def _vbench_dims(scoring: ScoringOptions) -> tuple[str, ...]:
    from wanbench.vbench.dimensions import DIMENSIONS

    return tuple(d.strip() for d in scoring.dims.split(",") if d.strip()) if scoring.dims else tuple(DIMENSIONS)


def _vbench_score(videos: Path, run_dir: Path, model: str, scoring: ScoringOptions, mode: str, part) -> None:
    """VBench's dimensions through VBench's own evaluators (wanbench.vbench), then its scores."""
    from wanbench.vbench.pipeline import score_folder, summary_lines
    from wanbench.vbench.runner import VBenchRunConfig

    config = VBenchRunConfig(
        videos=videos, out=run_dir, model=model, dimensions=_vbench_dims(scoring), mode=mode, shard=part
    )
    run, scores = score_folder(config)
    for line in summary_lines(run, scores):
        out.print(line, highlight=False, markup=False)


@app.command("eval")
@takes_option_groups
def eval_command(
    model: str = typer.Option(..., "--model", "-m", help="Model adapter (see `wanbench models`)."),
    suite: str | None = typer.Option(
        None, "--suite", "-s", help="Suite name or a .jsonl path (default: the benchmark's, smoke for wan-bench)."
    ),
    out_dir: Path | None = typer.Option(None, "--out", "-o", help="Run directory (default runs/<model>)."),
    seeds: list[int] = typer.Option([0], "--seed", help="Seed(s); repeat for several."),
    scoring: ScoringOptions = SCORING_DEFAULTS,
    limit: int | None = typer.Option(None, "--limit", help="Only the first N prompts."),
    name: str | None = typer.Option(None, "--name", help="Label for this model in results and reports."),
    option: list[str] = typer.Option([], "--option", help="Adapter option KEY=VALUE (repeatable)."),
    retry_errors: bool = typer.Option(False, "--retry-errors", help="Score error rows again."),
    with_report: bool = typer.Option(True, "--report/--no-report", help="Write the report when done."),
    ulysses: int = ULYSSES_OPTION,
    lang: str = typer.Option(
        "en", "--lang", help="Prompt language the model reads: en (text) or zh (text_zh). zh runs are labelled NAME@zh."
    ),
    extend: str | None = typer.Option(
        None,
        "--extend",
        help="Rewrite each prompt through this OpenAI-compatible server (e.g. http://localhost:8000/v1) before "
        "generating; cached in the run, labelled NAME+ext.",
    ),
    extend_model: str | None = typer.Option(
        None, "--extend-model", help="Model id the --extend server serves (recorded in provenance)."
    ),
) -> None:
    """Generate the suite's videos with MODEL, score them, and write a report.

    Resumable: run the same command again and finished rows are skipped.

    Example:  wanbench eval --model procedural --suite smoke --out runs/demo

    On 8 GPUs:  torchrun --nproc-per-node 8 -m wanbench eval --model wan-14b --suite wanbench
    (add --ulysses 4 for two groups of four GPUs, each running the 14B model sharded)
    """
    from wanbench.run.options import check_language, extend_settings, parse_adapter_options, ulysses_groups
    from wanbench.run.rank_groups import follow_leader

    with user_errors():
        if _is_vbench(scoring.benchmark):
            from wanbench.run.shards import Shard
            from wanbench.vbench.pipeline import generate_standard_suite

            part = scoring.part(Shard.from_env())
            run_dir = out_dir or Path("runs") / (name or model)
            made = generate_standard_suite(
                model, parse_adapter_options(option), run_dir, _vbench_dims(scoring), limit=limit, shard=part
            )
            out.print(f"VBench samples: {made.made} made, {made.kept} already there, in {made.folder}", highlight=False)
            _vbench_score(made.folder, run_dir, name or model, scoring, "standard", part)
            return
        groups, options = ulysses_groups(ulysses, bool(scoring.shard), parse_adapter_options(option))
        part = scoring.part(groups.shard)
        if not groups.leader:  # generates along with its group's first rank; writes and scores nothing
            follow_leader(model, options, barrier=part.active and "MASTER_ADDR" in os.environ)
            return
        config = scoring.eval_config(
            part,
            model=model,
            suite=suite,
            out=out_dir or Path("runs") / (name or model),
            seeds=tuple(seeds),
            model_options=options,
            name=name,
            retry_errors=retry_errors,
            limit=limit,
            lang=check_language(lang),
            extend=extend_settings(extend, extend_model),
        )
        _run_and_report(config, scoring, with_report)


@app.command("merge")
def merge_command(run_dirs: list[Path] = typer.Argument(..., help="Run directories with shards/ to merge.")) -> None:
    """Merge the shards of sharded runs (`--shard R/W`) into each run's results.sqlite.

    Safe to repeat and to run while shards are still working: rows are merged by key, and a shard
    whose latest invocation is still running is merged but kept.

    Example:  wanbench merge runs/wan-14b && wanbench report runs/wan-14b
    """
    from wanbench.run.shards import merge_shards

    with user_errors():
        for run_dir in run_dirs:
            if not run_dir.is_dir():
                raise FileNotFoundError(f"{run_dir}: no such run directory")
            result = merge_shards(run_dir)
            still = f"; {len(result.kept)} still running, kept" if result.kept else ""
            if result.missing:
                still += f"; warning: shard(s) {', '.join(result.missing)} not merged yet (their prompts are absent)"
            out.print(
                f"{run_dir}: {len(result.merged) + len(result.kept)} shard(s), {result.rows} rows merged{still}",
                highlight=False,
            )


@app.command("score")
@takes_option_groups
def score_command(
    videos: Path = typer.Option(..., "--videos", help="Folder of videos named <prompt_id>.mp4."),
    name: str = typer.Option(..., "--name", help="Label for these videos' model, e.g. sora."),
    suite: str | None = typer.Option(
        None, "--suite", "-s", help="Suite the videos were made from (default: the benchmark's, smoke for wan-bench)."
    ),
    manifest: Path | None = typer.Option(
        None,
        "--manifest",
        help="CSV prompt_id,path[,seed] and, for exports, model,version,date,settings,generated_by per file "
        "(see `wanbench prompts export-manifest`).",
    ),
    out_dir: Path | None = typer.Option(None, "--out", "-o", help="Run directory (default runs/<name>)."),
    seeds: list[int] = typer.Option([0], "--seed", help="Seed(s) the files stand for."),
    scoring: ScoringOptions = SCORING_DEFAULTS,
    lang: str = typer.Option(
        "en", "--lang", help="Language of the prompts the videos were made from (en or zh); zh is labelled NAME@zh."
    ),
    vbench_mode: str = typer.Option(
        "standard",
        "--vbench-mode",
        help="With --benchmark vbench: standard (files named {prompt}-{i}.mp4 after VBench's prompts) or "
        "custom (VBench's custom-input mode: any file, the prompt read from its name).",
    ),
) -> None:
    """Score videos made elsewhere (Sora exports, another lab's samples).

    With --manifest, each file's provenance (model, version, date, settings, who generated it) is
    stored with the run and shown in the report (sources.csv, "Videos made elsewhere").

    Example:  wanbench score --videos exports/sora/ --manifest exports/sora/manifest.csv --name sora
    """
    from wanbench.run.options import check_language
    from wanbench.run.shards import Shard

    with user_errors():
        part = scoring.part(Shard.from_env())
        if _is_vbench(scoring.benchmark):
            _vbench_score(videos, out_dir or Path("runs") / name, name, scoring, vbench_mode, part)
            return
        options: dict[str, object] = {"videos": videos}
        if manifest is not None:
            options["manifest"] = manifest
        config = scoring.eval_config(
            part,
            model="folder",
            suite=suite,
            out=out_dir or Path("runs") / name,
            seeds=tuple(seeds),
            model_options=options,
            name=name,
            lang=check_language(lang),
        )
        _run_and_report(config, scoring, True)


@app.command("generate")
def generate_command(
    model: str = typer.Option(..., "--model", "-m", help="Model adapter (see `wanbench models`)."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the mp4."),
    prompt: str | None = typer.Option(None, "--prompt", "-p", help="Free text prompt."),
    prompt_id: str | None = typer.Option(None, "--id", help="Take this prompt (with metadata) from --suite."),
    suite: str = typer.Option("smoke", "--suite", "-s", help="Suite for --id."),
    camera: str | None = typer.Option(None, "--camera", help="Camera motion for a free-text prompt."),
    seed: int = typer.Option(0, "--seed"),
    steps: int | None = typer.Option(None, "--steps", help="Denoising steps (Wan and diffusers models)."),
    frames: int | None = typer.Option(
        None, "--frames", help="Frames (4k+1 for Wan models; each model has its own rule)."
    ),
    size: str | None = typer.Option(None, "--size", help="WIDTHxHEIGHT, e.g. 832x480."),
    option: list[str] = typer.Option([], "--option", help="Adapter option KEY=VALUE (repeatable)."),
    ulysses: int = ULYSSES_OPTION,
    lang: str = typer.Option("en", "--lang", help="With --id: generate from the prompt's en text or its zh text."),
) -> None:
    """Generate one video.

    Example:  wanbench generate --model wan-1.3b --prompt "a corgi surfing at sunset" -o corgi.mp4

    On 4 GPUs:  torchrun --nproc-per-node 4 -m wanbench generate --model wan-14b --ulysses 4 -p "..." -o out.mp4
    """
    from wanbench.adapters.base import make_adapter
    from wanbench.prompts.suite import load_suite, prompt_from_dict
    from wanbench.run.options import check_language, parse_adapter_options, parse_size, ulysses_groups

    with user_errors():
        from wanbench.run.preflight import check_environment

        check_environment()
        if (prompt is None) == (prompt_id is None):
            raise UserError("give exactly one of --prompt TEXT or --id PROMPT_ID")
        if prompt_id is not None:
            table = {p.id: p for p in load_suite(suite).prompts}
            if prompt_id not in table:
                raise UserError(f"no prompt {prompt_id!r} in suite {suite}")
            from wanbench.prompts.generation_text import GenerationText

            chosen = GenerationText(check_language(lang)).prompt_for(table[prompt_id])
        elif lang != "en":
            raise UserError("--lang chooses the text of a suite prompt: use it with --id")
        else:
            chosen = prompt_from_dict(
                {
                    "id": "prompt",
                    "text": prompt,
                    "dimensions": ["image_quality"],
                    **({"camera": camera} if camera else {}),
                }
            )
        groups, options = ulysses_groups(ulysses, False, parse_adapter_options(option))
        if groups.groups > 1:
            raise UserError(f"generate makes one video: with --ulysses {ulysses} use --nproc-per-node {ulysses}")
        if steps is not None:
            options["steps"] = steps
        if frames is not None:
            options["frames"] = frames
        if size is not None:
            options["width"], options["height"] = parse_size(size)
        adapter = make_adapter(model, **options)
        if not groups.leader:
            adapter.follow()
            return
        with Progress(
            TextColumn("[bold]denoising"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
        ) as bar:
            task = bar.add_task("denoise", total=None)
            adapter.step_callback = lambda done, total: bar.update(task, completed=done, total=total)
            try:
                path = adapter.generate(chosen, seed, output)
            finally:
                adapter.finish()
        out.print(f"wrote {path}", highlight=False)
