"""The shipped suites: v2 built from its hand-written sources, its targets, the controlled suite."""

import json
from pathlib import Path

import pytest

from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.prompts.controlled import COUNT_COLORS, SETTINGS, build_prompts, controlled_jsonl
from wanbench.prompts.sources import SourceError, assemble, parse_source_line, to_suite_jsonl
from wanbench.prompts.stats import (
    check_targets,
    consistency,
    consistency_problems,
    diversity,
    is_short,
    style_family,
    suite_stats,
)
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
    assert suite.version == "2.1"
    assert check_targets(suite_stats(suite)) == []
    for dim, prompts in suite.by_dimension().items():
        for prompt in prompts:  # what each dimension reads is there (the loader enforces it too)
            assert all(getattr(prompt, needed) for needed in REQUIRED_METADATA.get(dim, ())), (dim, prompt.id)
    assert all(p.event for p in suite.by_dimension()["physical_plausibility"])
    assert all(p.spatial.viewpoint == "camera" for p in suite.by_dimension()["spatial_position"])


def test_every_style_has_a_family_and_the_short_slice_is_there() -> None:
    suite = load_suite("wanbench")
    styles = {p.style for p in suite.by_dimension()["stylization"] if p.style}
    assert {s: style_family(s) for s in styles if style_family(s) == "other"} == {}
    assert style_family("Studio Ghibli anime") == "animation" and style_family("Baroque painting") == "painting"
    assert style_family("black and white manga") == "drawing and print" and style_family("ASCII art") == "other"
    short = [p for p in suite.prompts if is_short(p)]
    assert len(short) >= 100 and {p.id.split("-")[0] for p in short} == {"short"}  # one slice, told apart by id
    covered = {d for p in short for d in p.dimensions}
    assert covered == set(DIMENSION_KEYS)  # the slice spans every dimension, so --extend is measured on each
    stats = suite_stats(Suite("long only", None, [p for p in suite.prompts if not is_short(p)]))
    assert any("8 words or fewer" in m for m in check_targets(stats))


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


def _prompt(**fields):
    return prompt_from_dict({"id": "p", "dimensions": ["image_quality"], **fields})


def test_consistency_catches_metadata_that_contradicts_the_text() -> None:
    """Each class the v2 read-through found: a wrong noun, a count of pairs, a person-less Human
    Artifacts prompt, a rider without has_human, an event or a style the text does not show."""
    assert consistency(
        _prompt(
            text="A sailfish slashes through sardines",
            text_zh="一条旗鱼冲进沙丁鱼群",
            dimensions=["id_consistency"],
            subject={"name": "swordfish", "kind": "animal"},
        )
    ) == ["subject 'swordfish': the English text never names it (nor a declared synonym)"]
    synonym = _prompt(
        text="A Dalmatian leaps for a frisbee beside a rowboat",
        text_zh="一只斑点狗跃起接飞盘",
        dimensions=["id_consistency"],
        subject={"name": "dog", "kind": "animal"},
        objects=[{"name": "boat"}],
    )
    assert consistency(synonym) == []  # a declared synonym and a compound both show the noun
    pairs = _prompt(
        text="Two pairs of chopsticks across a rice bowl",
        text_zh="两双筷子横搭在米饭碗上",
        dimensions=["multiple_object"],
        objects=[{"name": "chopsticks", "count": 2}, {"name": "rice bowl"}],
    )
    assert any("counts pairs" in p and "pair of chopsticks" in p for p in consistency(pairs))
    fixed = _prompt(
        **{**pairs.to_dict(), "objects": [{"name": "pair of chopsticks", "count": 2}, {"name": "rice bowl"}]}
    )
    assert consistency(fixed) == []
    nobody = _prompt(
        text="Close-up of a needle pulling silk thread through fabric",
        text_zh="绣针引着丝线穿过绣布",
        dimensions=["human_artifacts"],
        has_human=True,
    )
    assert consistency(nobody) == ["a Human Artifacts prompt whose English text shows no person, hand or face"]
    assert consistency(_prompt(**{**nobody.to_dict(), "text": "An embroiderer's fingers pull a needle"})) == []
    rider = _prompt(
        text="A horse clears a fence, its rider leaning forward",
        text_zh="一匹马跃过栏杆，骑手俯身",
        dimensions=["id_consistency"],
        subject={"name": "horse and rider", "kind": "animal"},
    )
    assert any("has_human" in p for p in consistency(rider))
    event = _prompt(
        text="A feather and a hammer dropped together in a vacuum chamber",
        text_zh="真空舱里羽毛和锤子同时落下",
        dimensions=["physical_plausibility"],
        event="a light ball and a heavy ball are dropped together",
    )
    assert any(p.startswith("event") for p in consistency(event))
    style = _prompt(
        text="Voxel art of a tiny island with a lighthouse",
        text_zh="体素风格的小岛",
        dimensions=["stylization"],
        style="Lego-like voxel art",
    )
    assert consistency(style) == ["style 'Lego-like voxel art': the English text never says lego"]
    growing = _prompt(
        text="Five paper cranes folded one after another on a table",
        text_zh="桌上一只接一只叠出五只纸鹤",
        dimensions=["multiple_object"],
        objects=[{"name": "paper crane", "count": 5}],
    )
    assert any("change during the clip" in p for p in consistency(growing))


def test_chinese_camera_words_must_name_the_move() -> None:
    """平移 is a truck; a pan is 摇 (or 扫, 转); a move named the other way round is caught in both languages."""

    def camera(camera: str, text: str, text_zh: str) -> list[str]:
        return consistency(_prompt(text=text, text_zh=text_zh, dimensions=["camera_control"], camera=camera))

    assert camera("pan_left", "The camera pans left along the boats", "镜头向左摇，扫过渔船") == []
    truck = camera("pan_left", "The camera pans left along the boats", "镜头向左平移，掠过渔船")
    assert any("平移" in p for p in truck) and any("摇/扫/转" in p for p in truck)
    assert any("the other way" in p for p in camera("pan_left", "The camera pans right, then left", "镜头向左摇"))
    assert any("拉远" in p for p in camera("zoom_in", "The camera zooms in on a clock", "镜头拉远"))
    assert any("上升" in p for p in camera("lift_down", "The camera descends", "镜头缓缓上升"))
    assert camera("lift_down", "The camera descends to the street", "镜头往下降到街面") == []


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
    assert suite.version == "2.0"
    sections = {p.id.rsplit("-", 1)[0] for p in suite.prompts}
    assert sections == {
        "count",
        "spatial",
        "camera-panning",
        "camera-lifting",
        "camera-zooming",
        "camera-aerial",
        "camera-tracking",
    }
    assert all(
        set(p.dimensions) <= {"single_object", "multiple_object", "spatial_position", "camera_control"}
        for p in suite.prompts
    ), {d for p in suite.prompts for d in p.dimensions}
    assert consistency_problems(suite.prompts) == {}


def test_controlled_counts_sweep_totals_one_to_six_in_plausible_places() -> None:
    """Ten prompts per total, interleaved; each thing belongs to its place; only made things are coloured."""
    counts = [p for p in load_suite("controlled").prompts if p.id.startswith("count-")]
    totals = [sum(o.count for o in p.objects) for p in counts]
    assert totals == [1, 2, 3, 4, 5, 6] * 10
    for prompt, total in zip(counts, totals):
        assert prompt.dimensions == (("single_object",) if total == 1 else ("multiple_object",))
        assert total == 1 or len(prompt.objects) == 2  # several kinds of thing, not one kind counted
        place = next(pl for pl in SETTINGS if prompt.text.endswith(f" {pl.en}.") and pl.scene == prompt.scene)
        for obj in prompt.objects:
            thing = next(t for t in place.things if obj.name == t.en or obj.name.endswith(" " + t.en))
            assert obj.name == thing.en or thing.colorable, obj.name  # a colour only on a made thing
    animals = {"dog", "cat", "horse", "sheep", "chicken", "cow", "duck", "swan"}
    assert not any(
        o.name.split()[0] in {c.en for c in COUNT_COLORS} and o.name.split()[-1] in animals
        for p in counts
        for o in p.objects
    )
