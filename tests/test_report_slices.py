"""The report tells the short-prompt slice apart from the rest (so --extend can be judged on it)."""

import html

import pandas as pd

from wanbench.report.slices import short_html, short_markdown, short_rows


def rows(model: str, prompt_id: str, dimension: str, values: list[float], status: str = "ok") -> list[dict]:
    return [
        {"model": model, "prompt_id": prompt_id, "seed": seed, "dimension": dimension, "status": status, "value": v}
        for seed, v in enumerate(values)
    ]


def test_short_prompts_are_averaged_apart_from_the_rest() -> None:
    frame = pd.DataFrame(
        rows("wan", "short-001", "image_quality", [0.2, 0.4])  # seeds first: 0.3
        + rows("wan", "short-002", "image_quality", [0.5])
        + rows("wan", "food-001", "image_quality", [0.9])
        + rows("wan", "short-003", "image_quality", [0.0], status="stale")  # never averaged
        + rows("wan", "short-001", "smoothness", [0.7])  # no long prompt scored: no row
        + rows("wan+ext", "short-001", "image_quality", [0.8])
        + rows("wan+ext", "food-001", "image_quality", [0.9])
    )
    found = {(m, d): (round(s, 6), ns, r, nr) for m, d, s, ns, r, nr in short_rows(frame)}
    assert found == {("wan", "image_quality"): (0.4, 2, 0.9, 1), ("wan+ext", "image_quality"): (0.8, 1, 0.9, 1)}
    markdown = short_markdown(frame)
    assert "| wan | image_quality | 0.400 | 2 | 0.900 | 1 | -0.500 |" in markdown
    assert "| wan+ext | image_quality | 0.800 | 1 | 0.900 | 1 | -0.100 |" in markdown


def test_no_short_prompt_scored_means_no_section_and_html_is_escaped() -> None:
    plain = pd.DataFrame(rows("wan", "food-001", "image_quality", [0.9]))
    assert short_rows(plain) == [] and short_markdown(plain) == "" and short_html(plain, html.escape) == ""
    odd = pd.DataFrame(
        rows("<b>m</b>", "short-001", "image_quality", [0.1]) + rows("<b>m</b>", "x", "image_quality", [0.2])
    )
    page = short_html(odd, html.escape)
    assert "&lt;b&gt;m&lt;/b&gt;" in page and "<b>m</b>" not in page
