import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wanbench.cli import app
from wanbench.prompts.suite import load_suite
from wanbench.prompts.vbench_io import export_vbench, import_vbench, subject_phrase

VBENCH_STYLE = [
    {"prompt_en": "In a still frame, a stop sign", "dimension": ["temporal_flickering"]},
    {
        "prompt_en": "a bird and a cat",
        "dimension": ["multiple_objects"],
        "auxiliary_info": {"multiple_objects": {"object": "bird and cat"}},
    },
    {
        "prompt_en": "a cup on the left of a book",
        "dimension": ["spatial_relationship"],
        "auxiliary_info": {
            "spatial_relationship": {
                "spatial_relationship": {"object_a": "cup", "object_b": "book", "relationship": "on the left of"}
            }
        },
    },
    {"prompt_en": "A person is playing guitar", "dimension": ["human_action"]},
    {
        "prompt_en": "a boat sailing, Van Gogh style",
        "dimension": ["appearance_style"],
        "auxiliary_info": {"appearance_style": {"appearance_style": "Van Gogh style"}},
    },
    {
        "prompt_en": "A beautiful coastal beach in spring, waves lapping on sand, pan left",
        "dimension": ["temporal_style"],
    },
    {"prompt_en": "A beautiful coastal beach in spring, in super slow motion", "dimension": ["temporal_style"]},
    {
        "prompt_en": "an umbrella",
        "dimension": ["object_class", "color"],
        "auxiliary_info": {"object_class": {"object": "umbrella"}},
    },
]


def write(tmp_path: Path) -> Path:
    path = tmp_path / "VBench_full_info.json"
    path.write_text(json.dumps(VBENCH_STYLE))
    return path


def test_import_recovers_metadata_and_drops_what_it_cannot(tmp_path: Path) -> None:
    report = import_vbench(write(tmp_path))
    by_text = {p.text: p for p in report.prompts}
    assert by_text["In a still frame, a stop sign"].dimensions == ("pixel_stability",)
    assert [(o.name, o.count) for o in by_text["a bird and a cat"].objects] == [("bird", 1), ("cat", 1)]
    spatial = by_text["a cup on the left of a book"].spatial
    assert (spatial.subject, spatial.relation, spatial.object) == ("cup", "left_of", "book")
    action = by_text["A person is playing guitar"]
    assert action.subject.kind == "human" and action.action == "playing guitar" and action.has_human
    assert by_text["a boat sailing, Van Gogh style"].style == "Van Gogh style"
    assert by_text["A beautiful coastal beach in spring, waves lapping on sand, pan left"].camera == "pan_left"
    assert by_text["an umbrella"].dimensions == ("single_object",)  # "color" has no counterpart
    assert report.dropped_dimensions["camera_control"] == 1 and len(report.skipped) == 1  # the slow-motion one


def test_export_then_import_round_trips_the_metadata(tmp_path: Path) -> None:
    ours = load_suite("wanbench").prompts
    entries, left_out = export_vbench(ours)
    assert entries and all(set(e) <= {"prompt_en", "dimension", "auxiliary_info"} for e in entries)
    depth = {p.id for p in ours if p.spatial and p.spatial.relation in ("in_front_of", "behind")}
    no_counterpart = {"physical_plausibility", "human_artifacts"}
    for prompt in ours:  # left out: nothing VBench can say (its relations are left, right, top, bottom)
        if prompt.id in set(left_out):
            assert set(prompt.dimensions) <= no_counterpart or (
                prompt.dimensions == ("spatial_position",) and prompt.id in depth
            ), prompt.id
    assert depth and depth <= set(left_out)
    path = tmp_path / "out.json"
    path.write_text(json.dumps(entries, ensure_ascii=False))
    back = {p.text: p for p in import_vbench(path).prompts}
    for prompt in (p for p in ours if p.id not in set(left_out)):
        if "spatial_position" in prompt.dimensions:
            assert back[prompt.text].spatial == prompt.spatial
        if "multiple_object" in prompt.dimensions:
            assert back[prompt.text].objects == prompt.objects  # names and counts
        if "stylization" in prompt.dimensions:
            assert back[prompt.text].style == prompt.style
        if prompt.camera:  # VBench's layout has no place for these: they travel in auxiliary_info.wanbench
            assert back[prompt.text].camera == prompt.camera
        if prompt.subject:
            assert back[prompt.text].subject == prompt.subject
            assert back[prompt.text].action == prompt.action
        assert set(back[prompt.text].dimensions) == set(prompt.dimensions)
        assert back[prompt.text].text_zh == prompt.text_zh


def test_the_subject_is_the_first_noun_phrase_not_the_prompt() -> None:
    assert subject_phrase("a truck slowing down to stop") == "truck"
    assert subject_phrase("a car stuck in traffic during rush hour") == "car"
    assert subject_phrase("A cute happy Corgi playing in park, sunset") == "cute happy corgi"
    assert subject_phrase("an elephant spraying itself with water using its trunk") == "elephant"
    assert subject_phrase("a person giving a presentation to a room full of colleagues") == "person"


def test_vbench_chinese_list_becomes_text_zh(tmp_path: Path) -> None:
    english = [e["prompt_en"] for e in VBENCH_STYLE]
    chinese = [f"中文{i}" for i in range(len(english))]
    (tmp_path / "cn.txt").write_text("\n".join(chinese) + "\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("\n".join(reversed(english)) + "\n", encoding="utf-8")
    by_order = {p.text: p.text_zh for p in import_vbench(write(tmp_path), zh=tmp_path / "cn.txt").prompts}
    assert by_order["a bird and a cat"] == "中文1"
    (tmp_path / "cn_rev.txt").write_text("\n".join(reversed(chinese)) + "\n", encoding="utf-8")
    by_text = import_vbench(write(tmp_path), zh=tmp_path / "cn_rev.txt", zh_english=tmp_path / "en.txt").prompts
    assert {p.text: p.text_zh for p in by_text} == by_order  # paired by English text, not by line
    (tmp_path / "short.txt").write_text("一\n", encoding="utf-8")
    with pytest.raises(ValueError, match="1 lines for 8 entries"):
        import_vbench(write(tmp_path), zh=tmp_path / "short.txt")


def test_cli_import_and_export(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "cn.txt").write_text("".join(f"中文{i}\n" for i in range(len(VBENCH_STYLE))), encoding="utf-8")
    args = ["prompts", "import-vbench", str(write(tmp_path)), "--zh", str(tmp_path / "cn.txt")]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "v.jsonl")])
    assert result.exit_code == 0 and "7 prompts (7 with Chinese text)" in result.output
    assert all(p.text_zh for p in load_suite(tmp_path / "v.jsonl").prompts)
    assert load_suite(tmp_path / "v.jsonl").problems == []
    result = runner.invoke(app, ["prompts", "export-vbench", str(tmp_path / "v.jsonl"), "-o", str(tmp_path / "e.json")])
    assert result.exit_code == 0 and len(json.loads((tmp_path / "e.json").read_text())) == 7
