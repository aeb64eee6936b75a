"""Short prompts against the rest: per-dimension means of each model on the suite's short slice.

The full suite holds a slice of short prompts (ids ``short-NNN``, 8 words or fewer), the kind of
input prompt extension (``--extend``) is meant to rewrite. Beside a model's ``+ext`` twin, this table
shows whether extension helps short prompts more than long ones. Means are over prompts (seeds
averaged first), from ``ok`` rows of current metric versions only, as in the leaderboard.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from wanbench.benchmark.names import ordered_keys

SHORT_PREFIX = "short-"  # the id prefix of the short slice (prompts/v2/short.txt)


def is_short_id(prompt_id: str) -> bool:
    return prompt_id.startswith(SHORT_PREFIX)


def short_rows(results: pd.DataFrame) -> list[tuple[str, str, float, int, float, int]]:
    """(model, dimension, short mean, short prompts, rest mean, rest prompts) where both sides were scored."""
    ok = results[results["status"] == "ok"]
    if ok.empty or not ok["prompt_id"].map(is_short_id).any():
        return []
    per_prompt = ok.groupby(["model", "dimension", "prompt_id"], sort=False)["value"].mean().reset_index()
    per_prompt["short"] = per_prompt["prompt_id"].map(is_short_id)
    rows = []
    for model in dict.fromkeys(per_prompt["model"]):
        mine = per_prompt[per_prompt["model"] == model]
        for dim in ordered_keys(mine["dimension"]):
            cell = mine[mine["dimension"] == dim]
            short, rest = cell[cell["short"]]["value"], cell[~cell["short"]]["value"]
            if len(short) and len(rest):
                rows.append((model, dim, float(short.mean()), len(short), float(rest.mean()), len(rest)))
    return rows


def short_markdown(results: pd.DataFrame) -> str:
    rows = short_rows(results)
    if not rows:
        return ""
    head = (
        "\n## Short prompts (8 words or fewer) against the rest\n\n"
        "| model | dimension | short | prompts | rest | prompts | short - rest |\n"
        "|---|---|---:|---:|---:|---:|---:|\n"
    )
    return head + "".join(
        f"| {m} | {d} | {s:.3f} | {ns} | {r:.3f} | {nr} | {s - r:+.3f} |\n" for m, d, s, ns, r, nr in rows
    )


def short_html(results: pd.DataFrame, esc: Callable[[str], str]) -> str:
    rows = short_rows(results)
    if not rows:
        return ""
    body = "".join(
        f'<tr><td class="l">{esc(m)}</td><td class="l">{esc(d)}</td><td>{s:.3f}</td><td>{ns}</td>'
        f"<td>{r:.3f}</td><td>{nr}</td><td>{s - r:+.3f}</td></tr>"
        for m, d, s, ns, r, nr in rows
    )
    return (
        '<h2>Short prompts (8 words or fewer) against the rest</h2><table><tr><th class="l">model</th>'
        '<th class="l">dimension</th><th>short</th><th>prompts</th><th>rest</th><th>prompts</th>'
        f"<th>short - rest</th></tr>{body}</table>"
    )
