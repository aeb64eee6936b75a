"""The ``wanbench`` command line: thin wrappers that parse arguments and call the library."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from wanbench.cli_options import (
    REFERENCE_OPTION,
    SCORING_DEFAULTS,
    WEIGHTING_OPTION,
    ScoringOptions,
    takes_option_groups,
)

if TYPE_CHECKING:
    from wanbench.runner import EvalConfig

app = typer.Typer(
    help="Wan-Bench: generate videos with a model, score them on 14 dimensions, and report.\n\n"
    "Start with:  wanbench eval --model procedural --suite smoke --out runs/demo",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
suite_app = typer.Typer(help="Inspect and validate prompt suites.", no_args_is_help=True)
weighting_app = typer.Typer(
    help="Dimension weightings: the vectors that combine the 14 dimension scores into one "
    "(show one, or fit one to votes). Model files are `wanbench weights`.",
    no_args_is_help=True,
)
prompts_app = typer.Typer(help="Build, convert, chart and extend prompt suites.", no_args_is_help=True)
app.add_typer(suite_app, name="suite")
app.add_typer(prompts_app, name="prompts")
app.add_typer(weighting_app, name="weighting")
weights_app = typer.Typer(
    help="Model weights: the network files the scoring backbones load (status, fetch). "
    "How dimension scores combine is `wanbench weighting`.",
    no_args_is_help=True,
)
app.add_typer(weights_app, name="weights")
artifacts_app = typer.Typer(
    help="Human Artifacts: extract frames to label, train the YOLO detector.", no_args_is_help=True
)
app.add_typer(artifacts_app, name="artifacts")

# Tables printed into a file or a pipe (make demo's log, CI) get 120 columns, not rich's 80: at 80 the
# notes column of the per-dimension table is squeezed to a word per line. A terminal keeps its own width.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 120)
err = Console(stderr=True, soft_wrap=True)


class UserError(Exception):
    """A problem the user can fix: printed as one line, exit code 2."""


@contextmanager
def user_errors() -> Iterator[None]:
    from wanbench.adapters.base import AdapterError
    from wanbench.dimension_weights import WeightingError
    from wanbench.model_weights import WeightsError
    from wanbench.registry import UnknownNameError
    from wanmodel.checkpoint import CheckpointError

    try:
        yield
    except (
        UserError,
        FileNotFoundError,
        UnknownNameError,
        AdapterError,
        WeightingError,
        WeightsError,
        CheckpointError,
        ValueError,
    ) as exc:
        if isinstance(exc, ValueError) and not _raised_by_us(exc):
            raise  # a ValueError from inside numpy, torch, pandas...: a bug, reported as a crash, not a usage error
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from None


def _raised_by_us(exc: BaseException) -> bool:
    """Whether the innermost frame of ``exc`` is wanbench's or wanmodel's own code: our checks raise
    ValueError with a message meant for the user; one raised deep in a library is not that."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return True
    own = (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "wanmodel")
    filename = Path(tb.tb_frame.f_code.co_filename).resolve()
    return any(filename.is_relative_to(folder) for folder in own)


# Options that eval and score share are declared once, in wanbench.cli_options.ScoringOptions.
ULYSSES_OPTION = typer.Option(
    1,
    "--ulysses",
    min=1,
    help="Under torchrun: run the model over groups of N ranks (FSDP2 + Ulysses sequence "
    "parallel, Wan models); the W/N groups share the prompts. Same videos as one process.",
)


def _run_and_report(config: EvalConfig, scoring: ScoringOptions, with_report: bool) -> None:
    from wanbench.preflight import check_run
    from wanbench.report import write_report
    from wanbench.runner import Evaluator
    from wanbench.shards import bind_local_device

    weighting, reference = scoring.weighting, scoring.reference
    bind_local_device()
    suite = check_run(config, weighting, reference, with_report)  # bad arguments: one line, exit 2, before any compute
    evaluator = Evaluator(config, on_failure=lambda line: err.print(f"[red]✗[/] {line}", markup=True, highlight=False))
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
        task = bar.add_task(f"{evaluator.label} on {suite.name}{shard}", total=None)
        summary = evaluator.run_suite(suite, progress=lambda done, total: bar.update(task, completed=done, total=total))
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
            files = write_report([config.out], config.out, weighting=weighting, reference=reference)
            summaries = files.summaries
        else:
            summaries = load_run(config.out, weighting).summaries
        for s in summaries:
            if s.model == evaluator.label:
                out.print(dimension_table(s, weighting))
        if with_report:
            out.print(f"report: {files.html}, {files.results_json}", highlight=False)
    if summary.exit_code:
        err.print(
            f"{len(summary.failures)} prompt(s) failed and {summary.errors} score(s) errored; "
            "see the report's error sections",
            highlight=False,
        )
        raise typer.Exit(summary.exit_code)


@app.command("eval")
@takes_option_groups
def eval_command(
    model: str = typer.Option(..., "--model", "-m", help="Model adapter (see `wanbench models`)."),
    suite: str = typer.Option("smoke", "--suite", "-s", help="Suite name in prompts/ or a .jsonl path."),
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
    from wanbench.rank_groups import follow_leader
    from wanbench.run_options import check_language, extend_settings, parse_adapter_options, ulysses_groups

    with user_errors():
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
    from wanbench.shards import merge_shards

    with user_errors():
        for run_dir in run_dirs:
            if not run_dir.is_dir():
                raise FileNotFoundError(f"{run_dir}: no such run directory")
            result = merge_shards(run_dir)
            still = f"; {len(result.kept)} still running, kept" if result.kept else ""
            out.print(
                f"{run_dir}: {len(result.merged) + len(result.kept)} shard(s), {result.rows} rows merged{still}",
                highlight=False,
            )


@app.command("score")
@takes_option_groups
def score_command(
    videos: Path = typer.Option(..., "--videos", help="Folder of videos named <prompt_id>.mp4."),
    name: str = typer.Option(..., "--name", help="Label for these videos' model, e.g. sora."),
    suite: str = typer.Option("smoke", "--suite", "-s", help="Suite the videos were made from."),
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
) -> None:
    """Score videos made elsewhere (Sora exports, another lab's samples).

    With --manifest, each file's provenance (model, version, date, settings, who generated it) is
    stored with the run and shown in the report (sources.csv, "Videos made elsewhere").

    Example:  wanbench score --videos exports/sora/ --manifest exports/sora/manifest.csv --name sora
    """
    from wanbench.run_options import check_language
    from wanbench.shards import Shard

    with user_errors():
        part = scoring.part(Shard.from_env())
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
    from wanbench.run_options import check_language, parse_adapter_options, parse_size, ulysses_groups
    from wanbench.suite import load_suite, prompt_from_dict

    with user_errors():
        if (prompt is None) == (prompt_id is None):
            raise UserError("give exactly one of --prompt TEXT or --id PROMPT_ID")
        if prompt_id is not None:
            table = {p.id: p for p in load_suite(suite).prompts}
            if prompt_id not in table:
                raise UserError(f"no prompt {prompt_id!r} in suite {suite}")
            from wanbench.generation_text import GenerationText

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


def _print_leaderboard(summaries: list, weighting: str, reference: str | None) -> None:
    from wanbench.dimension_weights import load_reference
    from wanbench.report.tables import leaderboard_frame
    from wanbench.report.terminal import leaderboard_table

    out.print(
        leaderboard_table(leaderboard_frame(summaries, load_reference(reference) if reference else None), weighting)
    )


@app.command("report")
def report_command(
    run: Path = typer.Argument(..., help="Run directory (holds results.sqlite)."),
    weighting: str = WEIGHTING_OPTION,
    reference: str | None = REFERENCE_OPTION,
) -> None:
    """Rewrite a run's report (report.html, leaderboard.md/.csv, scores.csv, charts/).

    Example:  wanbench report runs/demo --reference paper
    """
    from wanbench.report import write_report
    from wanbench.shards import shard_paths

    with user_errors():
        files = write_report([run], run, weighting=weighting, reference=reference)
        _print_leaderboard(files.summaries, weighting, reference)
        out.print(f"report: {files.html}", highlight=False)
        if shard_paths(run):
            err.print(
                f"note: {run} holds {len(shard_paths(run))} unmerged shard(s), not in this report: "
                f"wanbench merge {run}",
                highlight=False,
            )


@app.command("leaderboard")
def leaderboard_command(
    runs: list[Path] = typer.Argument(..., help="Run directories to compare."),
    reference: str | None = REFERENCE_OPTION,
    weighting: str = WEIGHTING_OPTION,
    out_dir: Path = typer.Option(
        Path("leaderboard"),
        "--out",
        "-o",
        help="Where to write the files (kept out of runs/ so `runs/*` globs stay runs).",
    ),
) -> None:
    """Compare runs: markdown, csv and HTML leaderboards, printed and written.

    Example:  wanbench leaderboard runs/* --reference paper
    """
    from wanbench.report import write_report

    with user_errors():
        files = write_report(
            _run_dirs(runs), out_dir, weighting=weighting, reference=reference, title="Wan-Bench leaderboard"
        )
        _print_leaderboard(files.summaries, weighting, reference)
        out.print(
            f"written: {files.markdown} (every dimension), {files.leaderboard_csv}, {files.html}", highlight=False
        )


@app.command("plot")
def plot_command(
    runs: list[Path] = typer.Argument(..., help="Run directories to plot."),
    out_dir: Path = typer.Option(Path("plots"), "--out", "-o", help="Where to write the PNGs."),
    reference: str | None = REFERENCE_OPTION,
    weighting: str = typer.Option("paper", "--weighting"),
) -> None:
    """Per-dimension bar chart, radar chart and score distributions (PNG).

    Example:  wanbench plot runs/demo runs/other -o plots/
    """
    from wanbench.aggregate import load_results, summarise
    from wanbench.dimension_weights import load_reference, load_weighting
    from wanbench.report.charts import write_charts
    from wanbench.report.tables import leaderboard_frame

    with user_errors():
        results, failures = load_results(_run_dirs(runs))
        frame = leaderboard_frame(
            summarise(results, failures, load_weighting(weighting)), load_reference(reference) if reference else None
        )
        for path in write_charts(frame, results, out_dir):
            out.print(str(path), highlight=False)


@app.command("dims")
def dims_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (every field, full reasons)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also the group, needs, method and full reasons."),
) -> None:
    """List the 14 dimensions and whether each can run here (weights, judge); --verbose says why not."""
    from wanbench.readiness import dimension_readiness, unavailable_backbones

    rows = dimension_readiness()
    if as_json:
        out.print_json(data=[r.to_dict() for r in rows])
        return
    table = Table(box=None, pad_edge=False)
    table.add_column("dimension", no_wrap=True)
    table.add_column("v", no_wrap=True)
    table.add_column("here", overflow="fold")
    if verbose:
        for column in ("group", "needs", "method"):
            table.add_column(column, overflow="fold")
    for r in rows:
        here = f"[green]{r.short()}[/]" if r.ready else f"[yellow]{r.short()}[/]"
        cells = [r.name, r.version, here]
        if verbose:
            cells += [r.group, ", ".join(r.needs), r.method]
        table.add_row(*cells)
    out.print(table)
    reasons = unavailable_backbones(rows)
    if verbose:
        for backbone, reason in reasons.items():
            out.print(f"{backbone}: {reason}", highlight=False, markup=False)
    elif reasons:
        out.print(f"missing: {', '.join(reasons)}; why: wanbench dims --verbose", highlight=False)


@weights_app.command("status")
def weights_status_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    summary: bool = typer.Option(False, "--summary", help="One line: what is missing and how to fill it."),
) -> None:
    """Show every weights entry: present (sha256 verified), unverified (no sha256 pinned), missing,
    or checksum-failed, with where it was found or looked for.

    Files live in $WANBENCH_HOME/weights/<name>/ or the Hugging Face cache.
    """
    from wanbench.model_weights import WEIGHTS, weights_status
    from wanbench.readiness import readiness_line

    if summary:
        out.print(readiness_line(), highlight=False)
        return
    rows: list[dict[str, Any]] = []
    for name in WEIGHTS.names():
        spec, status = WEIGHTS.get(name), weights_status(name)
        rows.append(
            {
                "name": name,
                "state": status.state,
                "used_by": spec.used_by,
                "source": spec.source(),
                "licence": spec.licence,
                "detail": status.detail,
                "paths": {k: str(v) for k, v in status.paths.items()},
            }
        )
    if as_json:
        out.print_json(data=rows)
        return
    table = Table()
    for column in ("weights", "state", "used by", "source", "licence", "detail"):
        table.add_column(column, overflow="fold")
    colours = {"present": "green", "unverified": "yellow", "missing": "red", "checksum-failed": "bold red"}
    for row in rows:
        state = f"[{colours[row['state']]}]{row['state']}[/]"
        table.add_row(row["name"], state, row["used_by"], row["source"], row["licence"], row["detail"])
    out.print(table)


@weights_app.command("fetch")
def weights_fetch_command(
    names: list[str] | None = typer.Argument(None, help="Entries to download (see `wanbench weights status`)."),
    missing: bool = typer.Option(False, "--missing", help="Every entry that is missing here and can be downloaded."),
) -> None:
    """Download weights into $WANBENCH_HOME/weights/<name>/ and verify them (needs a network; the Hub
    can be a mirror through HF_ENDPOINT). With several entries, one that fails does not stop the rest.

    Example:  wanbench weights fetch raft-large dino-vitb16      wanbench weights fetch --missing
    """
    from wanbench.model_weights import fetch, fetchable_missing

    with user_errors():
        chosen = list(names or [])
        if missing:
            chosen += [n for n in fetchable_missing() if n not in chosen]
        if not chosen:
            raise UserError("name the entries to fetch, or --missing (see `wanbench weights status`)")
    failed = 0
    for name in chosen:
        try:
            with user_errors():
                status = fetch(name)
        except typer.Exit:
            failed += 1
            continue
        out.print(f"{name}: {status.state}", highlight=False)
    if failed:
        raise typer.Exit(2)


@artifacts_app.command("extract")
def artifacts_extract_command(
    videos: list[Path] = typer.Argument(..., help="Video files or folders (searched recursively)."),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Dataset folder to write (YOLO layout)."),
    frames: int = typer.Option(8, "--frames", help="Frames sampled evenly from each video."),
    val_share: float = typer.Option(0.2, "--val-share", help="Share of videos put in the validation split."),
) -> None:
    """Write sampled frames in YOLO dataset layout (images/, empty labels/, data.yaml) for labelling.

    Label each artifact as one line "CLASS CX CY W H" (normalised) in the frame's .txt file with
    any YOLO-format labelling tool, then train:  wanbench artifacts train --data OUT/data.yaml
    Existing label files are never overwritten.
    """
    from wanbench.artifact_training import ARTIFACT_CLASSES, extract_frames

    with user_errors():
        summary = extract_frames(videos, out_dir, frames_per_video=frames, val_share=val_share)
    for line in summary.skipped:
        err.print(f"skipped: {line}", highlight=False)
    out.print(
        f"{summary.images} frames from {summary.videos} videos -> {out_dir}; classes: "
        f"{', '.join(ARTIFACT_CLASSES)}; dataset: {summary.data_yaml}",
        highlight=False,
    )


@artifacts_app.command("train")
def artifacts_train_command(
    data: Path = typer.Option(..., "--data", help="data.yaml of a labelled YOLO dataset."),
    epochs: int = typer.Option(100, "--epochs"),
    imgsz: int = typer.Option(640, "--imgsz", help="Training image size."),
    model: str = typer.Option(
        "yolov8n.yaml", "--model", help="Architecture yaml (yolov8n.yaml, yolov3u.yaml, yolo11n.yaml...)."
    ),
    batch: int = typer.Option(16, "--batch"),
    device: str = typer.Option("cpu", "--device", help="cpu, or a CUDA index such as 0."),
    out_dir: Path | None = typer.Option(
        None, "--out", "-o", help="Write the detector here instead of registering it as yolo-artifacts."
    ),
) -> None:
    """Train the artifact detector (ultralytics) and register it for Human Artifacts.

    The result is stored as safetensors + json (never a pickle) in $WANBENCH_HOME/weights/yolo-artifacts/
    unless --out is given; `wanbench eval` then scores Human Artifacts with it.
    """
    from wanbench.artifact_training import train_detector

    with user_errors():
        summary = train_detector(data, epochs=epochs, imgsz=imgsz, model=model, batch=batch, device=device, out=out_dir)
    shown = {k: round(v, 4) for k, v in summary.metrics.items() if k.startswith("metrics/")}
    out.print(f"artifact detector ({summary.epochs} epochs) -> {summary.folder}; validation: {shown}", highlight=False)


@app.command("models")
def models_command(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable, with each setting's source."),
) -> None:
    """List the model adapters: each baseline's recipe (its authors' settings) and where its weights come from.

    Sources of every setting: `wanbench models --json` and docs/models.md.
    """
    from wanbench.adapters.catalog import adapter_rows

    rows = adapter_rows()
    if as_json:
        out.print_json(data=rows)
        return
    table = Table()
    table.add_column("model", no_wrap=True)
    for column in ("description", "recipe", "weights"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["model"], row["description"], row["recipe_line"], row["weights"])
    out.print(table, markup=False)


@suite_app.command("check")
def suite_check(suite: str = typer.Argument("smoke", help="Suite name or .jsonl path.")) -> None:
    """Validate a suite: every malformed line with its line number and field.

    Example:  wanbench suite check prompts/mine.jsonl
    """
    from wanbench.preflight import check_suite
    from wanbench.suite import load_suite

    with user_errors():
        loaded = load_suite(suite)
        check_suite(loaded)  # an empty suite is an error, not a pass
    counts = {d: len(p) for d, p in loaded.by_dimension().items()}
    out.print(
        f"{loaded.name}{f' v{loaded.version}' if loaded.version else ''}: {len(loaded)} valid prompts, "
        f"{len(loaded.problems)} problem(s), "
        f"sha256 {loaded.sha256[:12]}",
        highlight=False,
    )
    out.print("prompts per dimension: " + ", ".join(f"{d} {n}" for d, n in counts.items()), highlight=False)
    for problem in loaded.problems:
        err.print(f"{loaded.path}: {problem}", highlight=False, markup=False)
    if loaded.problems:
        raise typer.Exit(1)


@weighting_app.command("show")
def weighting_show(name: str = typer.Argument("paper", help="equal, paper, or a json/csv file.")) -> None:
    """Print a weight vector (``paper`` is fitted to the report's Table 2, not published)."""
    from wanbench.dimension_weights import load_weighting

    with user_errors():
        weights = load_weighting(name)
    table = Table("dimension", "weight")
    for dim, weight in weights.items():
        table.add_row(dim, f"{weight:.6f}")  # 6 decimals reproduce every Table 2 total (docs/weighting.md)
    out.print(table)


@prompts_app.command("build")
def prompts_build(
    prompts_dir: Path | None = typer.Option(
        None, "--dir", help="Where wanbench.jsonl and controlled.jsonl go (default: the package's data/suites/)."
    ),
    check: bool = typer.Option(False, "--check", help="Only verify that the files are what the build makes."),
) -> None:
    """Assemble wanbench/data/suites/wanbench.jsonl from the hand-written sources in prompts/v2/ and generate
    wanbench/data/suites/controlled.jsonl with the seeded generator (same bytes every time).

    Example:  wanbench prompts build --check
    """
    from wanbench.prompt_sources import SourceError, assemble, to_suite_jsonl
    from wanbench.suitegen import controlled_jsonl

    with user_errors():
        try:
            built = {"wanbench.jsonl": to_suite_jsonl(assemble()), "controlled.jsonl": controlled_jsonl()}
        except SourceError as exc:
            raise UserError(str(exc)) from None
    from wanbench.resources import suites_dir

    stale = []
    for name, text in built.items():
        path = (prompts_dir or suites_dir()) / name
        prompts = text.count(chr(10)) - 1  # the header line
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
                err.print(f"{path} differs from what the build makes; run `wanbench prompts build`", highlight=False)
            else:
                out.print(f"{path} is up to date ({prompts} prompts)", highlight=False)
        else:
            path.write_text(text, encoding="utf-8")
            out.print(f"wrote {path} ({prompts} prompts)", highlight=False)
    if stale:
        raise typer.Exit(1)


@prompts_app.command("stats")
def prompts_stats(
    suite: str = typer.Argument("wanbench", help="Suite name or .jsonl path."),
    chart: Path | None = typer.Option(None, "--chart", help="Also draw prompts per dimension (PNG)."),
    targets: bool = typer.Option(False, "--targets", help="Exit 1 unless the suite meets the full suite's bar."),
) -> None:
    """Prompts per dimension, camera motions, subject kinds, diversity of the English texts and
    English/Chinese consistency of a suite, measured against the full suite's targets.

    Example:  wanbench prompts stats wanbench --targets --chart docs/prompts_per_dimension.png
    """
    from wanbench.prompt_stats import SHORT_WORDS, TARGETS, check_targets, suite_stats
    from wanbench.suite import load_suite

    with user_errors():
        loaded = load_suite(suite)
    stats = suite_stats(loaded)
    d, c = stats.diversity, stats.coverage
    out.print(
        f"{loaded.name} v{loaded.version or '-'}: {len(loaded)} prompts, sha256 {loaded.sha256[:12]}", highlight=False
    )
    table = Table("dimension", "prompts")
    for dim, n in c.per_dimension.items():
        table.add_row(dim, str(n))
    out.print(table)
    out.print("camera motions: " + ", ".join(f"{k} {v}" for k, v in c.cameras.items()), highlight=False)
    out.print("camera styles: " + ", ".join(f"{k} {v}" for k, v in c.camera_styles.items()), highlight=False)
    for dim, kinds in c.kinds.items():
        out.print(f"{dim} subjects: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())), highlight=False)
    out.print(
        f"physics prompts naming their event: {c.physics_with_event}; human artifacts prompts with "
        f"has_human: {c.artifacts_with_human}",
        highlight=False,
    )
    out.print("style families: " + ", ".join(f"{k} {v}" for k, v in c.style_families.items()), highlight=False)
    out.print(f"short prompts ({SHORT_WORDS} words or fewer): {c.short_prompts}", highlight=False)
    t = TARGETS
    out.print(
        f"diversity (English): distinct 4-gram ratio {d.four_gram_ratio:.3f} (target >= {t.four_gram_ratio}), "
        f"distinct words {d.distinct_words} of {d.tokens} tokens (target >= {t.distinct_words}), "
        f"most shared opening {d.top_opening[0]!r} x{d.top_opening[1]} (target <= {t.opening_share:.0%} = "
        f"{int(t.opening_share * d.prompts)}), closest pair {d.closest_pair[0]} / {d.closest_pair[1]} cosine "
        f"{d.max_cosine:.3f} (target <= {t.max_cosine}), words per prompt {d.min_words}..{d.max_words} "
        f"(mean {d.mean_words:.1f})",
        highlight=False,
    )
    out.print(f"en/zh consistency: {len(stats.inconsistent)} prompt(s) with problems", highlight=False)
    misses = check_targets(stats)
    for miss in misses[:40]:
        out.print(f"  miss: {miss}", highlight=False, markup=False)
    out.print(f"targets: {'all met' if not misses else f'{len(misses)} missed'}", highlight=False)
    if chart:
        from wanbench.report.charts import prompt_count_chart

        prompt_count_chart(c.per_dimension, chart, f"{loaded.name}: {len(loaded)} prompts")
        out.print(f"chart: {chart}", highlight=False)
    if targets and misses:
        raise typer.Exit(1)


@prompts_app.command("import-vbench")
def prompts_import_vbench(
    source: Path = typer.Argument(..., help="VBench_full_info.json (or any file in its layout)."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Where to write our jsonl suite."),
    zh: Path | None = typer.Option(None, "--zh", help="VBench's Chinese prompt list (all_dimension_cn.txt): text_zh."),
    zh_english: Path | None = typer.Option(
        None, "--zh-english", help="The English list the Chinese one translates line for line (all_dimension.txt)."
    ),
) -> None:
    """Convert a VBench prompt file into our suite schema.

    Example:  wanbench prompts import-vbench VBench_full_info.json --zh all_dimension_cn.txt
              --zh-english all_dimension.txt -o prompts/vbench.jsonl
    """
    from wanbench.suitegen import to_jsonl
    from wanbench.vbench_io import import_vbench

    with user_errors():
        imported = import_vbench(source, zh=zh, zh_english=zh_english)
    out_path.write_text(to_jsonl(imported.prompts), encoding="utf-8")
    with_zh = sum(1 for p in imported.prompts if p.text_zh)
    out.print(
        f"wrote {out_path}: {len(imported.prompts)} prompts ({with_zh} with Chinese text), "
        f"{len(imported.skipped)} entries skipped",
        highlight=False,
    )
    for dim, n in sorted(imported.dropped_dimensions.items()):
        out.print(f"  {dim}: dropped from {n} prompt(s) (its metadata could not be recovered)", highlight=False)


@prompts_app.command("export-vbench")
def prompts_export_vbench(
    suite: str = typer.Argument(..., help="Suite name or .jsonl path."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Where to write the VBench-layout json."),
) -> None:
    """Write a suite in VBench's VBench_full_info.json layout.

    Example:  wanbench prompts export-vbench wanbench -o wanbench_vbench.json
    """
    import json

    from wanbench.suite import load_suite
    from wanbench.vbench_io import export_vbench

    with user_errors():
        entries, left_out = export_vbench(load_suite(suite).prompts)
    out_path.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
    out.print(f"wrote {out_path}: {len(entries)} prompts; {len(left_out)} had no VBench dimension", highlight=False)


@prompts_app.command("export-manifest")
def prompts_export_manifest(
    suite: str = typer.Argument(..., help="Suite name or .jsonl path."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Manifest csv to write (then fill in and score)."),
    seed: int = typer.Option(0, "--seed", help="Seed the videos will stand for."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N prompts."),
    model: str = typer.Option("", "--model", help="Pre-fill: the closed model's name, e.g. sora."),
    version: str = typer.Option("", "--version", help="Pre-fill: its version as the UI or API names it."),
    generated_by: str = typer.Option("", "--generated-by", help="Pre-fill: who generates the videos."),
) -> None:
    """Write a manifest to generate a suite with a closed model's web UI: prompt id, seed, text to
    paste, file name to save the video under, and provenance cells to fill in (model, version,
    date, settings, generated_by). Bring the videos back with `wanbench score --manifest`.

    Example:  wanbench prompts export-manifest smoke -o exports/sora/manifest.csv --model sora
    """
    from wanbench.exports import write_manifest_template
    from wanbench.suite import load_suite

    with user_errors():
        prompts = load_suite(suite).prompts[:limit]  # limit None: all
        out_path.parent.mkdir(parents=True, exist_ok=True)
        rows = write_manifest_template(
            prompts, out_path, seed=seed, defaults={"model": model, "version": version, "generated_by": generated_by}
        )
    out.print(
        f"wrote {out_path}: {rows} prompts; save each video under its path beside the manifest, fill in "
        f"the provenance cells, then: wanbench score --videos {out_path.parent} --manifest {out_path} "
        f"--name NAME --suite {suite}",
        highlight=False,
    )


@prompts_app.command("extend")
def prompts_extend(
    suite: str = typer.Argument(..., help="Suite name or .jsonl path."),
    model_dir: Path = typer.Option(..., "--model", help="Local instruction LLM folder (transformers)."),
    out_path: Path = typer.Option(..., "--out", "-o", help="Where to write the extended suite."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N prompts."),
    max_new_tokens: int = typer.Option(160, "--max-new-tokens"),
    device: str = typer.Option("cpu", "--device"),
) -> None:
    """Rewrite short prompts into detailed ones with a local LLM, keeping their metadata.

    Example:  wanbench prompts extend smoke --model models/Qwen2.5-3B-Instruct -o prompts/smoke_ext.jsonl
    """
    from wanbench.prompt_extend import PromptExtender, extend_prompts
    from wanbench.suite import load_suite
    from wanbench.suitegen import to_jsonl

    with user_errors():
        prompts = load_suite(suite).prompts[:limit]  # limit None: all
        extender = PromptExtender(model_dir, max_new_tokens=max_new_tokens, device=device)
    with Progress(
        TextColumn("[bold]extending"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err
    ) as bar:
        task = bar.add_task("extend", total=len(prompts))
        extended, unchanged = extend_prompts(prompts, extender, lambda n, total: bar.update(task, completed=n))
    out_path.write_text(to_jsonl(extended), encoding="utf-8")
    out.print(
        f"wrote {out_path}: {len(prompts) - len(unchanged)} rewritten, {len(unchanged)} kept as they were",
        highlight=False,
    )


@app.command("train")
def train_command(
    videos: Path = typer.Option(..., "--videos", help="Folder of NAME.mp4 clips with NAME.txt captions."),
    base: Path = typer.Option(..., "--weights", help="Release folder (official layout) to start from."),
    config: str = typer.Option("tiny", "--config", help="wanmodel preset: tiny, t2v-1.3b, t2v-14b."),
    out_dir: Path = typer.Option(Path("runs/train"), "--out", "-o", help="Checkpoints and the trained release."),
    steps: int = typer.Option(100, "--steps"),
    frames: int = typer.Option(9, "--frames", help="Frames per clip (4k+1)."),
    size: str = typer.Option("64x48", "--size", help="WIDTHxHEIGHT (multiples of 16)."),
    lr: float = typer.Option(1e-4, "--lr"),
    lr_schedule: str = typer.Option("constant", "--lr-schedule", help="constant, or cosine (down to 0 at --steps)."),
    ema: float = typer.Option(
        0.0,
        "--ema",
        help="Keep a moving average of the weights with this decay (e.g. "
        "0.999) and release it; 0: release the last weights.",
    ),
    batch_size: int = typer.Option(1, "--batch-size"),
    save_every: int = typer.Option(100, "--save-every"),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoint."),
    from_scratch: bool = typer.Option(False, "--from-scratch", help="Random DiT instead of the release's."),
) -> None:
    """Train the DiT on captioned videos (rectified flow); writes OUT/release for the wan-* adapters.

    Example:  wanbench train --videos clips/ --weights wanbench/data/models/wan-tiny --steps 200 -o runs/train
    """
    from wanbench.run_options import parse_size
    from wanbench.training import train_on_folder

    with user_errors():
        width, height = parse_size(size)
        with Progress(
            TextColumn("[bold]training"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[loss]}"),
            TimeElapsedColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("train", total=steps, loss="")
            release = train_on_folder(
                videos,
                base,
                config,
                out_dir,
                steps,
                frames,
                width,
                height,
                lr=lr,
                batch_size=batch_size,
                save_every=save_every,
                resume=resume,
                from_scratch=from_scratch,
                lr_schedule=lr_schedule,
                ema_decay=ema,
                progress=lambda r: bar.update(task, completed=r["step"], loss=f"loss {r['loss']:.4f}"),
            )
    out.print(f"trained release: {release} (use --option weights={release})", highlight=False)


def _run_dirs(paths: list[Path]) -> list[Path]:
    """The run directories among ``paths`` (a glob such as runs/* may also catch other folders and
    files): the others are named in one line each and left out; none at all is a usage error."""
    from wanbench.store import is_run_dir

    runs = [p for p in paths if is_run_dir(p)]
    for skipped in (p for p in paths if not is_run_dir(p)):
        err.print(f"skipped {skipped}: not a run directory (no results.sqlite or shards/)", highlight=False)
    if not runs:
        raise UserError("no run directory among the arguments (a run directory holds results.sqlite)")
    return runs


# -- human preference: arena, votes, alignment, fitted weightings (docs/alignment.md) ----------------
votes_app = typer.Typer(help="Human pairwise votes: import and export the csv exchange format.", no_args_is_help=True)
app.add_typer(votes_app, name="votes")


@app.command("arena")
def arena_command(
    runs: list[Path] = typer.Argument(..., help="Run directories whose videos are compared."),
    port: int = typer.Option(8765, "--port"),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind; anything but loopback needs a token."),
    votes: Path | None = typer.Option(None, "--votes", help="Votes file (default: votes.sqlite beside the runs)."),
    token: str | None = typer.Option(None, "--token", help="Require this token (made up when --host is not loopback)."),
    questions: bool = typer.Option(True, "--questions/--no-questions", help="Offer the per-dimension questions."),
) -> None:
    """Serve a local page where people vote on pairs of videos (same prompt and seed, two models).

    Example:  wanbench arena runs/wan-14b runs/hunyuan --port 8765
    """
    import secrets

    try:
        from wanbench.arena import ArenaSettings, build_catalog, serve
        from wanbench.arena.app import LOOPBACK
    except ImportError as exc:
        err.print(
            f"error: the arena needs starlette and uvicorn ({exc}): pip install 'wanbench[arena]'", highlight=False
        )
        raise typer.Exit(2) from None
    from wanbench.votes import default_votes_path

    with user_errors():
        if host not in LOOPBACK and not token:
            token = secrets.token_urlsafe(16)
        catalog = build_catalog(list(runs))
        if not catalog.pairs:
            raise UserError("no pair to compare: the runs need videos of the same prompt and seed from two models")
        votes = votes or default_votes_path(list(runs))
        settings = ArenaSettings(votes=votes, token=token, questions=questions)  # refuses a malformed token
    for line in catalog.skipped:
        err.print(f"skipped: {line}", highlight=False, markup=False)
    suffix = f"/?token={token}" if token else "/"
    out.print(
        f"arena: {len(catalog.pairs)} pairs ({catalog.identical} identical pairs left out), votes in {votes}",
        highlight=False,
    )
    out.print(
        f"open http://{'[' + host + ']' if ':' in host else host}:{port}{suffix}  (Ctrl-C stops)", highlight=False
    )
    serve(catalog, settings, host=host, port=port)


@votes_app.command("import")
def votes_import_command(
    csv_file: Path = typer.Argument(..., help="CSV with prompt_id,seed,model_a,model_b,winner,annotator[,dimension]."),
    votes: Path = typer.Option(Path("votes.sqlite"), "--votes", help="Votes file to add to."),
) -> None:
    """Add votes from an outside study (importing the same file twice adds nothing).

    Example:  wanbench votes import study.csv --votes runs/votes.sqlite
    """
    from wanbench.votes import import_votes

    with user_errors():
        new, present = import_votes(csv_file, votes)
    out.print(f"{votes}: {new} vote(s) added, {present} already there", highlight=False)


@votes_app.command("export")
def votes_export_command(
    votes: Path = typer.Option(Path("votes.sqlite"), "--votes", help="Votes file to read."),
    output: Path = typer.Option(Path("votes.csv"), "--output", "-o", help="CSV to write."),
) -> None:
    """Write every vote in the documented csv format.

    Example:  wanbench votes export --votes runs/votes.sqlite -o votes.csv
    """
    from wanbench.votes import export_votes

    with user_errors():
        count = export_votes(votes, output)
    out.print(f"wrote {output}: {count} vote(s)", highlight=False)


def _reference_weightings(names: list[str]) -> dict[str, dict[str, float]]:
    from wanbench.dimension_weights import load_weighting

    return {(n if n in ("equal", "paper") else Path(n).name): load_weighting(n) for n in names}


@app.command("align")
def align_command(
    runs: list[Path] = typer.Argument(..., help="Run directories whose videos were voted on."),
    votes: Path | None = typer.Option(None, "--votes", help="Votes file (default: votes.sqlite beside the runs)."),
    weighting: list[str] = typer.Option(["equal", "paper"], "--weighting", help="Weightings to compare (repeatable)."),
    method: str = typer.Option(
        "pearson", "--method", help="How the 'fitted' weighting is fitted: pearson or bradley-terry."
    ),
    out_dir: Path = typer.Option(Path("runs/alignment"), "--out", "-o", help="Where to write alignment.md/.csv/.json."),
) -> None:
    """How far each dimension and weighting agrees with human votes; human ratings with CIs.

    Example:  wanbench align --votes runs/votes.sqlite runs/*
    """
    from wanbench.alignment import align, alignment_markdown, load_video_scores, write_alignment
    from wanbench.votes import VoteStore, default_votes_path

    with user_errors():
        path = votes or default_votes_path(list(runs))
        with VoteStore(path, readonly=True) as store:
            all_votes = store.votes()
        alignment = align(all_votes, load_video_scores(list(runs)), _reference_weightings(weighting), method)
        files = write_alignment(alignment, out_dir)
    out.print(alignment_markdown(alignment), highlight=False, markup=False)
    out.print("written: " + ", ".join(str(f) for f in files), highlight=False)


@weighting_app.command("fit")
def weighting_fit(
    runs: list[Path] = typer.Argument(..., help="Run directories whose videos were voted on."),
    votes: Path | None = typer.Option(None, "--votes", help="Votes file (default: votes.sqlite beside the runs)."),
    method: str = typer.Option("pearson", "--method", help="pearson (the report's) or bradley-terry."),
    output: Path = typer.Option(..., "--output", "-o", help="Weighting file to write (json; --weighting reads it)."),
) -> None:
    """Fit weights to human votes; prints held-out accuracy beside the equal and paper weightings.

    Example:  wanbench weighting fit --votes runs/votes.sqlite runs/* --method bradley-terry -o w.json
    """
    from wanbench.alignment import fit_weighting, load_video_scores, vote_data, write_weighting
    from wanbench.votes import VoteStore, default_votes_path

    with user_errors():
        path = votes or default_votes_path(list(runs))
        with VoteStore(path, readonly=True) as store:
            data = vote_data(store.votes(), load_video_scores(list(runs)))
        result = fit_weighting(data, method, _reference_weightings(["equal", "paper"]))
        write_weighting(result, output)
    table = Table("dimension", "weight")
    for dim, weight in result.weights.items():
        table.add_row(dim, f"{weight:.4f}")
    out.print(table)
    out.print(
        f"{result.votes} votes ({data.unmatched} without scores, {data.both_bad} both-bad, left out); "
        f"held-out pairwise accuracy ({result.folds}-fold by prompt):",
        highlight=False,
    )
    for name, entry in result.held_out.items():
        ci = "" if entry["low"] is None else f" [{entry['low']:.3f}, {entry['high']:.3f}]"
        out.print(f"  {name}: {entry['accuracy']:.3f}{ci} over {entry['votes']} decisive votes", highlight=False)
    out.print(f"wrote {output} (use --weighting {output})", highlight=False)


def _version_callback(value: bool) -> None:
    if value:
        from wanbench import __version__

        out.print(f"wanbench {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(False, "--debug", help="On an unexpected error, print the full traceback."),
) -> None:
    """Wan-Bench: generate videos with a model, score them on 14 dimensions, and report."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: usage errors are one line with exit 2 (in the commands); anything unexpected is a
    short crash line with exit 1, and the traceback only with --debug (or WANBENCH_DEBUG=1)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("WANBENCH_DEBUG", "") not in ("", "0")
    try:
        app(args=args, prog_name="wanbench")
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        raise SystemExit(130) from None
    except Exception as exc:  # a bug, not a usage error: say so briefly, keep the traceback for --debug
        if debug:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        err.print(
            f"wanbench crashed: {type(exc).__name__}{': ' + first if first else ''} "
            "(rerun with --debug for the traceback; please report it)",
            highlight=False,
            markup=False,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
