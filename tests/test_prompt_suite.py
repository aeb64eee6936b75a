"""The Wan-Bench-style suite: size, coverage, metadata, balance, and byte-for-byte reproduction."""

import re
from collections import Counter
from pathlib import Path

from wanbench.dims.names import DIMENSION_KEYS
from wanbench.suite import REQUIRED_METADATA, load_suite
from wanbench.suitegen import CAMERAS, build_prompts, to_jsonl

SUITE = Path(__file__).resolve().parents[1] / "prompts" / "wanbench.jsonl"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_generator_reproduces_the_checked_in_file() -> None:
    assert SUITE.read_text(encoding="utf-8") == to_jsonl(build_prompts())


def test_size_schema_and_uniqueness() -> None:
    suite = load_suite(SUITE)
    assert suite.problems == []
    assert len(suite) >= 1035
    assert len({p.id for p in suite.prompts}) == len(suite)
    assert len({p.text.lower() for p in suite.prompts}) == len(suite)
    assert len({p.text_zh for p in suite.prompts}) == len(suite)
    assert all(p.text_zh and CJK.search(p.text_zh) for p in suite.prompts)


def test_every_dimension_has_50_prompts_with_the_metadata_it_needs() -> None:
    suite = load_suite(SUITE)
    for dim, prompts in suite.by_dimension().items():
        assert len(prompts) >= 50, dim
        for prompt in prompts:
            for needed in REQUIRED_METADATA.get(dim, ()):
                assert getattr(prompt, needed), (dim, prompt.id, needed)
    assert set(suite.by_dimension()) == set(DIMENSION_KEYS)


def test_subject_kinds_and_camera_styles_are_balanced() -> None:
    suite = load_suite(SUITE)
    for dim in ("id_consistency", "action_following"):
        kinds = Counter(p.subject.kind for p in suite.by_dimension()[dim])
        assert set(kinds) == {"human", "animal", "object"} and min(kinds.values()) >= 25, (dim, kinds)
    style_of = {motion: style for style, motions in CAMERAS.items() for motion in motions}
    camera = suite.by_dimension()["camera_control"]
    assert len(camera) >= 130
    styles = Counter(style_of[p.camera] for p in camera)
    assert set(styles) == set(CAMERAS)
    assert max(styles.values()) - min(styles.values()) <= 3, styles


def test_metadata_agrees_with_the_text() -> None:
    """For generated prompts (the hand-written rich-* ones use free wording)."""
    suite = load_suite(SUITE)
    generated = {p.id for p in suite.prompts if not p.id.startswith("rich-")}
    for prompt in (p for p in suite.by_dimension()["spatial_position"] if p.id in generated):
        words = {"left_of": "left", "right_of": "right", "above": "above", "below": "below"}
        assert words[prompt.spatial.relation] in prompt.text.lower(), prompt.id
    for prompt in (p for p in suite.by_dimension()["stylization"] if p.id in generated):
        assert prompt.style.split()[0].lower() in prompt.text.lower(), prompt.id
    for prompt in suite.prompts:
        if prompt.id.startswith("multiple-"):
            for obj in prompt.objects:
                assert obj.name.split()[0] in prompt.text.lower(), prompt.id
