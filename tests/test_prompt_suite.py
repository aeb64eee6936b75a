"""The shipped suites: v2 built from its hand-written sources, its targets, the controlled suite."""

import json
from pathlib import Path

import pytest

from wanbench.prompts.controlled import build_prompts, controlled_jsonl
from wanbench.prompts.sources import SourceError, assemble, parse_source_line, to_suite_jsonl
from wanbench.prompts.stats import check_targets, consistency, diversity, suite_stats
from wanbench.prompts.suite import REQUIRED_METADATA, Suite, load_suite, parse_suite, prompt_from_dict

PROMPTS = Path(__file__).resolve().parents[1] / "wanbench" / "data" / "suites"


def test_built_files_are_what_the_sources_and_the_generator_make() -> None:
    assert (PROMPTS / "wanbench.jsonl").read_text(encoding="utf-8") == to_suite_jsonl(assemble())
    assert (PROMPTS / "controlled.jsonl").read_text(encoding="utf-8") == controlled_jsonl()


def test_every_shipped_suite_loads_without_problems() -> None:
    shipped = sorted(PROMPTS.glob("*.jsonl"))
    assert {p.name for p in shipped} >= {"wanbench.jsonl", "controlled.jsonl", "smoke.jsonl", "rich.jsonl"}
    for path in shipped:
        suite = load_suite(path)
        assert suite.problems == [] and len(suite) > 0, path.name


def test_the_full_suite_meets_every_target() -> None:
    suite = load_suite("wanbench")
    assert suite.version == "2.0"
    assert check_targets(suite_stats(suite)) == []
    for dim, prompts in suite.by_dimension().items():
        for prompt in prompts:  # what each dimension reads is there (the loader enforces it too)
            assert all(getattr(prompt, needed) for needed in REQUIRED_METADATA.get(dim, ())), (dim, prompt.id)
    assert all(p.event for p in suite.by_dimension()["physical_plausibility"])
    assert all(p.spatial.viewpoint == "camera" for p in suite.by_dimension()["spatial_position"])


def test_the_targets_reject_a_template_suite() -> None:
    """The v1 generated suite (one frame per section over word lists) fails the diversity bar."""
    v1 = Suite("v1", None, build_prompts(rich=None))
    stats = suite_stats(v1)
    assert stats.diversity.four_gram_ratio < 0.5 and stats.diversity.distinct_words < 1000
    misses = check_targets(stats)
    assert any("4-gram" in m for m in misses) and any("distinct words" in m for m in misses)
    assert any("opening" in m for m in misses)


def test_diversity_finds_near_duplicates_and_shared_openings() -> None:
    def make(i: int, text: str):
        return prompt_from_dict({"id": f"p{i}", "text": text, "dimensions": ["image_quality"]})

    found = diversity(
        [
            make(1, "A red fox runs across the snow at dawn"),
            make(2, "A red fox runs across the snow at dusk"),
            make(3, "Rain on a tin roof"),
        ]
    )
    assert found.max_cosine > 0.85 and set(found.closest_pair) == {"p1", "p2"}
    assert found.top_opening == ("a red fox runs", 2)


def test_consistency_catches_counts_directions_and_relations() -> None:
    good = prompt_from_dict(
        {
            "id": "g",
            "text": "Three apples left of a cup, the camera pans left",
            "text_zh": "三个苹果在杯子左边，镜头向左摇",
            "dimensions": ["multiple_object", "camera_control"],
            "objects": [{"name": "apple", "count": 3}, {"name": "cup"}],
            "camera": "pan_left",
        }
    )
    assert consistency(good) == []
    bad = prompt_from_dict(
        {
            "id": "b",
            "text": "Two apples and a cup, the camera pans right",
            "text_zh": "两个苹果和一个杯子，镜头向右摇",
            "dimensions": ["multiple_object", "camera_control", "spatial_position"],
            "objects": [{"name": "apple", "count": 3}, {"name": "cup"}],
            "camera": "pan_left",
            "spatial": {"subject": "apple", "relation": "below", "object": "cup"},
        }
    )
    problems = " | ".join(consistency(bad))
    assert "count 3" in problems and "English" in problems and "Chinese" in problems
    assert "camera pan_left" in problems and "relation below" in problems
    no_zh = prompt_from_dict(
        {"id": "n", "text": "A cup", "dimensions": ["single_object"], "objects": [{"name": "cup"}]}
    )
    assert consistency(no_zh) == ["no Chinese text (text_zh)"]


def test_source_lines_become_validated_prompts() -> None:
    row = parse_source_line(
        "af id ha | s=potter:h; a=shaping a bowl; o=bowl*2, wheel; sc=studio | "
        "A potter shapes two bowls | 陶艺师做两只碗",
        "craft-001",
        "craft.txt:1",
    )
    prompt = prompt_from_dict(row)
    assert prompt.dimensions == ("action_following", "id_consistency", "human_artifacts")
    assert prompt.subject.kind == "human" and prompt.has_human and prompt.objects[0].count == 2
    assert prompt.text_zh == "陶艺师做两只碗"
    for bad in ("xx | a=run | A | B", "af | q=1 | A | B", "af | s=dog | A | B", "af | A | B"):
        with pytest.raises(SourceError):
            parse_source_line(bad, "t-001", "t.txt:1")


def test_header_line_gives_the_version_and_is_not_a_prompt() -> None:
    lines = [
        json.dumps({"suite": "x", "version": "3.1"}) + "\n",
        json.dumps({"id": "a", "text": "A cup", "dimensions": ["image_quality"]}) + "\n",
    ]
    suite = parse_suite(lines, "x")
    assert suite.version == "3.1" and len(suite) == 1 and suite.problems == []
    assert parse_suite(lines[1:], "x").version is None


def test_controlled_suite_keeps_counts_relations_and_camera_moves() -> None:
    suite = load_suite("controlled")
    assert suite.version == "1.0"
    sections = {p.id.rsplit("-", 1)[0] for p in suite.prompts}
    assert sections == {
        "multiple",
        "spatial",
        "camera-panning",
        "camera-lifting",
        "camera-zooming",
        "camera-aerial",
        "camera-tracking",
    }
    assert all(
        set(p.dimensions) <= {"multiple_object", "spatial_position", "camera_control", "scene_quality"}
        for p in suite.prompts
    ), {d for p in suite.prompts for d in p.dimensions}
