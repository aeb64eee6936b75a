"""English against Chinese: per-dimension means of a model run on both texts of the suite.

A run made with ``--lang zh`` is labelled ``NAME@zh`` (wanbench/prompts/generation_text.py); its English
twin is ``NAME``. When both are in a report, this table puts them side by side with the difference.
"""

from __future__ import annotations

from wanbench.evaluation.aggregate import ModelSummary

ZH_SUFFIX = "@zh"


def language_pairs(summaries: list[ModelSummary]) -> list[tuple[ModelSummary, ModelSummary]]:
    """(English, Chinese) summaries of the same model, in report order."""
    by_model = {s.model: s for s in summaries}
    return [
        (by_model[s.model[: -len(ZH_SUFFIX)]], s)
        for s in summaries
        if s.model.endswith(ZH_SUFFIX) and s.model[: -len(ZH_SUFFIX)] in by_model
    ]


def _mean(summary: ModelSummary, dim: str) -> float | None:
    found = summary.dimensions.get(dim)
    return found.mean if found is not None else None


def language_rows(en: ModelSummary, zh: ModelSummary) -> list[tuple[str, float | None, float | None, float | None]]:
    """(dimension, en mean, zh mean, zh - en) for each dimension of the benchmark read."""
    rows = []
    for dim in en.dimensions:
        a, b = _mean(en, dim), _mean(zh, dim)
        rows.append((dim, a, b, None if a is None or b is None else b - a))
    return rows


def _cell(value: float | None, signed: bool = False) -> str:
    return "" if value is None else (f"{value:+.3f}" if signed else f"{value:.3f}")


def language_markdown(summaries: list[ModelSummary]) -> str:
    parts = []
    for en, zh in language_pairs(summaries):
        parts.append(
            f"\n## {en.model}: English vs Chinese prompts\n\n| dimension | en | zh | zh - en |\n|---|---:|---:|---:|\n"
        )
        parts.extend(
            f"| {d} | {_cell(a)} | {_cell(b)} | {_cell(diff, True)} |\n" for d, a, b, diff in language_rows(en, zh)
        )
    return "".join(parts)


def language_html(summaries: list[ModelSummary], esc) -> str:
    parts = []
    for en, zh in language_pairs(summaries):
        body = "".join(
            f'<tr><td class="l">{esc(d)}</td><td>{_cell(a)}</td><td>{_cell(b)}</td><td>{_cell(diff, True)}</td></tr>'
            for d, a, b, diff in language_rows(en, zh)
        )
        parts.append(
            f'<h2>{esc(en.model)}: English vs Chinese prompts</h2><table><tr><th class="l">dimension</th>'
            f"<th>en</th><th>zh</th><th>zh - en</th></tr>{body}</table>"
        )
    return "".join(parts)
