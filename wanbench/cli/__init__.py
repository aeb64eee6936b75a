"""The ``wanbench`` command line: thin command modules that parse arguments and call the library.

Each module registers its commands on the app of ``wanbench.cli.app`` when imported; the import order
below is the order ``wanbench --help`` lists them."""

from __future__ import annotations

import importlib
import os
import sys

import typer

from wanbench.cli.app import app, err, out, user_errors

# Each command module registers its commands when imported; this order is the order of ``--help``.
COMMAND_MODULES = ("run_cmds", "results_cmds", "catalog_cmds", "training_cmds", "prompt_cmds", "people_cmds")
for _module in COMMAND_MODULES:
    importlib.import_module(f"wanbench.cli.{_module}")

__all__ = ["app", "main", "user_errors"]


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
    try:  # the click that typer runs on: its own copy in recent typer versions
        from typer._click import exceptions as click
    except ImportError:  # older typer: the click package
        from click import exceptions as click  # type: ignore[no-redef]

    try:
        code = app(args=args, prog_name="wanbench", standalone_mode=False)
    except click.NoArgsIsHelpError as exc:  # `wanbench prompts`: its help, as before
        err.print(exc.ctx.get_help() if exc.ctx else str(exc), highlight=False, markup=False)
        raise SystemExit(2) from None
    except click.UsageError as exc:  # one line, not click's usage block (3 to 4 lines)
        where = exc.ctx.command_path if exc.ctx else "wanbench"
        err.print(f"error: {exc.format_message()} (see `{where} --help`)", highlight=False, markup=False)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        raise SystemExit(130) from None
    except click.ClickException as exc:  # e.g. a file option that cannot be opened: a user error too
        err.print(f"error: {exc.format_message()}", highlight=False, markup=False)
        raise SystemExit(exc.exit_code) from None
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
    if isinstance(code, int) and code:  # typer.Exit(N) in a command: click returns N without standalone mode
        raise SystemExit(code)


if __name__ == "__main__":
    main()
