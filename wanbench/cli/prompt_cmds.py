"""Prompt suites: suite check and prompts build / stats / import / export / extend."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from wanbench.cli.app import (
    UserError,
    err,
    out,
    prompts_app,
    suite_app,
    user_errors,
)


@suite_app.command("check")
def suite_check(suite: str = typer.Argument("smoke", help="Suite name or .jsonl path.")) -> None:
    """Validate a suite: every malformed line with its line number and field.

    Example:  wanbench suite check prompts/mine.jsonl
    """
    from wanbench.prompts.suite import load_suite
    from wanbench.run.preflight import check_suite

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
    from wanbench.prompts.controlled import controlled_jsonl
    from wanbench.prompts.sources import SourceError, assemble, to_suite_jsonl

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
    from wanbench.prompts.stats import SHORT_WORDS, TARGETS, check_targets, suite_stats
    from wanbench.prompts.suite import load_suite

    with user_errors():
        loaded = load_suite(suite)
    stats = suite_stats(loaded)
    d, c = stats.diversity, stats.coverage
    out.print(
        f"{loaded.name} v{loaded.version or '-'}: {len(loaded)} prompts, sha256 {loaded.sha256[:12]}", highlight=False
    )
    table = Table("dimension", Column("prompts", justify="right"))  # numbers line up by their digits
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
    from wanbench.prompts.controlled import to_jsonl
    from wanbench.prompts.vbench_io import import_vbench

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

    from wanbench.prompts.suite import load_suite
    from wanbench.prompts.vbench_io import export_vbench

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
    from wanbench.prompts.suite import load_suite
    from wanbench.run.exports import write_manifest_template

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
    from wanbench.prompts.controlled import to_jsonl
    from wanbench.prompts.extend import PromptExtender, extend_prompts
    from wanbench.prompts.suite import load_suite

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
