import json
from pathlib import Path

import pytest

from tests.conftest import write_suite
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.prompts.suite import PromptFieldError, load_suite, prompt_from_dict


def test_smoke_suite_is_valid_and_covers_all_14_dimensions() -> None:
    suite = load_suite("smoke")
    assert suite.problems == []
    assert 20 <= len(suite) <= 30
    counts = {d: len(p) for d, p in suite.by_dimension().items()}
    assert set(counts) == set(DIMENSION_KEYS)
    assert all(n >= 1 for n in counts.values()), counts
    assert all(p.text_zh for p in suite.prompts)
    cameras = {p.camera for p in suite.prompts if "camera_control" in p.dimensions}
    assert {"pan_left", "pan_right", "lift_up", "zoom_in", "zoom_out", "aerial", "tracking"} <= cameras


@pytest.mark.parametrize(
    "line, field, words",
    [
        ('{"id": "a", "text": "t", "dimensions": ["large_motion"]', "<json>", "invalid JSON"),
        ('{"text": "t", "dimensions": ["large_motion"]}', "id", "required"),
        ('{"id": "a b/c", "text": "t", "dimensions": ["large_motion"]}', "id", "names files"),
        ('{"id": "a", "text": "t", "dimensions": ["large_motoin"]}', "dimensions", "unknown dimension"),
        ('{"id": "a", "text": "t", "dimensions": []}', "dimensions", "non-empty"),
        ('{"id": "a", "text": "", "dimensions": ["large_motion"]}', "text", "non-empty"),
        ('{"id": "a", "text": "t", "dimensions": ["large_motion"], "colour": "red"}', "colour", "unknown field"),
        (
            '{"id": "a", "text": "t", "dimensions": ["multiple_object"], "objects": [{"name": "cat", "count": 0}]}',
            "objects",
            "count",
        ),
        ('{"id": "a", "text": "t", "dimensions": ["camera_control"]}', "camera", "needs this field"),
        ('{"id": "a", "text": "t", "dimensions": ["camera_control"], "camera": "dolly"}', "camera", "not one of"),
        ('{"id": "a", "text": "t", "dimensions": ["human_artifacts"]}', "has_human", "needs has_human"),
        (
            '{"id": "a", "text": "t", "dimensions": ["multiple_object"], "objects": [{"name": "cat"}]}',
            "objects",
            "at least two",
        ),
        ('["not", "an", "object"]', "<line>", "JSON object"),
    ],
)
def test_malformed_lines_name_line_and_field(tmp_path: Path, line: str, field: str, words: str) -> None:
    good = {"id": "ok-1", "text": "fine", "dimensions": ["large_motion"]}
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + line + "\n" + json.dumps(good | {"id": "ok-2"}) + "\n")
    suite = load_suite(path)
    assert [p.id for p in suite.prompts] == ["ok-1", "ok-2"]  # the bad line does not stop loading
    assert len(suite.problems) == 1
    problem = suite.problems[0]
    assert problem.line == 3 and problem.field == field
    assert words in str(problem)
    assert "line 3" in str(problem)


def test_duplicate_ids_are_problems(tmp_path: Path) -> None:
    p = {"id": "x", "text": "t", "dimensions": ["large_motion"]}
    suite = load_suite(write_suite(tmp_path / "d.jsonl", [p, p | {"text": "other"}]))
    assert len(suite) == 1 and "duplicate of line 1" in str(suite.problems[0])


def test_metadata_is_parsed_into_typed_fields() -> None:
    prompt = prompt_from_dict(
        {
            "id": "p",
            "text": "a dog left of a ball",
            "dimensions": ["spatial_position", "multiple_object"],
            "subject": {"name": "dog", "kind": "animal"},
            "objects": [{"name": "dog"}, {"name": "ball", "count": 2}],
            "spatial": {"subject": "dog", "relation": "left_of", "object": "ball"},
            "has_human": False,
        }
    )
    assert prompt.subject.kind == "animal"
    assert [(o.name, o.count) for o in prompt.objects] == [("dog", 1), ("ball", 2)]
    assert prompt.spatial.relation == "left_of"
    assert prompt_from_dict(prompt.to_dict()) == prompt
    with pytest.raises(PromptFieldError):
        prompt_from_dict({"id": "p", "text": "t", "dimensions": ["large_motion"], "has_human": "yes"})


def test_unknown_suite_name_is_a_clear_error() -> None:
    with pytest.raises(FileNotFoundError, match="no suite named 'nosuch'"):
        load_suite("nosuch")


def test_suite_hash_changes_with_content(tmp_path: Path) -> None:
    p = {"id": "x", "text": "t", "dimensions": ["large_motion"]}
    a = load_suite(write_suite(tmp_path / "a.jsonl", [p]))
    b = load_suite(write_suite(tmp_path / "b.jsonl", [p | {"text": "u"}]))
    assert a.sha256 != b.sha256 and len(a.sha256) == 64
