"""The ``wanbench`` Typer app and its command groups, the two consoles, and how usage errors print."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

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
    from wanbench.benchmark.weightings import WeightingError
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
    own = (Path(__file__).resolve().parents[1], Path(__file__).resolve().parents[2] / "wanmodel")
    filename = Path(tb.tb_frame.f_code.co_filename).resolve()
    return any(filename.is_relative_to(folder) for folder in own)


votes_app = typer.Typer(help="Human pairwise votes: import and export the csv exchange format.", no_args_is_help=True)
app.add_typer(votes_app, name="votes")


def run_dirs(paths: list[Path]) -> list[Path]:
    """The run directories among ``paths`` (a glob such as runs/* may also catch other folders and
    files): the others are named in one line each and left out; none at all is a usage error."""
    from wanbench.run.store import is_run_dir

    runs = [p for p in paths if is_run_dir(p)]
    for skipped in (p for p in paths if not is_run_dir(p)):
        err.print(f"skipped {skipped}: not a run directory (no results.sqlite or shards/)", highlight=False)
    if not runs:
        raise UserError("no run directory among the arguments (a run directory holds results.sqlite)")
    return runs
