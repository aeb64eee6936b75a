"""How diverse and how complete a prompt suite is (``wanbench prompts stats``).

Diversity is measured over the English texts, so that a suite written from one sentence frame over
word lists shows up: the share of distinct word 4-grams, the vocabulary, the most shared opening,
and the most similar pair of prompts (cosine of bag-of-words counts). Coverage counts prompts per
dimension, camera prompts per style and direction, and subject kinds in ID Consistency and Action
Following. Consistency checks what can be checked between a prompt's metadata and its two texts:
counts, camera directions, spatial relations and subjects named in both languages. ``TARGETS`` are
the full suite's bar (issue 22); ``check_targets`` lists every miss.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.prompts.suite import Prompt, Suite

WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
CAMERA_STYLES = {
    "pan": ("pan_left", "pan_right"),
    "lift": ("lift_up", "lift_down"),
    "zoom": ("zoom_in", "zoom_out"),
    "aerial": ("aerial",),
    "tracking": ("tracking",),
}
BALANCED_KINDS_DIMS = ("id_consistency", "action_following")


@dataclass(frozen=True)
class Targets:
    four_gram_ratio: float = 0.80
    distinct_words: int = 3000
    opening_share: float = 0.01  # no opening four words shared by more than this share of prompts
    max_cosine: float = 0.9
    prompts: int = 1035
    per_dimension: int = 60
    camera: int = 130
    balance: float = 0.8  # every group holds at least this share of an even split
    direction_share: float = 0.4  # each direction of pan/lift/zoom holds at least this share of its style
    min_words: int = 8
    max_words: int = 60


TARGETS = Targets()


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


@dataclass
class Diversity:
    prompts: int
    tokens: int
    distinct_words: int
    four_gram_ratio: float
    top_opening: tuple[str, int]
    max_cosine: float
    closest_pair: tuple[str, str]
    min_words: int
    max_words: int
    mean_words: float


def diversity(prompts: list[Prompt]) -> Diversity:
    tokenised = [words(p.text) for p in prompts]
    grams = [tuple(t[i : i + 4]) for t in tokenised for i in range(len(t) - 3)]
    openings = Counter(" ".join(t[:4]) for t in tokenised if t)
    top = openings.most_common(1)[0] if openings else ("", 0)
    cosine, pair = _closest_pair(prompts, tokenised)
    lengths = [len(t) for t in tokenised] or [0]
    return Diversity(
        prompts=len(prompts),
        tokens=sum(lengths),
        distinct_words=len({w for t in tokenised for w in t}),
        four_gram_ratio=len(set(grams)) / len(grams) if grams else 1.0,
        top_opening=top,
        max_cosine=cosine,
        closest_pair=pair,
        min_words=min(lengths),
        max_words=max(lengths),
        mean_words=float(np.mean(lengths)),
    )


def _closest_pair(prompts: list[Prompt], tokenised: list[list[str]]) -> tuple[float, tuple[str, str]]:
    """The highest bag-of-words cosine between two different prompts (one matrix product)."""
    if len(prompts) < 2:
        return 0.0, ("", "")
    vocab = {w: i for i, w in enumerate(sorted({w for t in tokenised for w in t}))}
    counts = np.zeros((len(prompts), max(len(vocab), 1)), dtype=np.float32)
    for row, tokens in enumerate(tokenised):
        for w in tokens:
            counts[row, vocab[w]] += 1
    norms = np.linalg.norm(counts, axis=1, keepdims=True)
    unit = counts / np.where(norms == 0, 1, norms)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -1.0)
    i, j = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
    return float(similarity[i, j]), (prompts[i].id, prompts[j].id)


@dataclass
class Coverage:
    per_dimension: dict[str, int]
    cameras: dict[str, int]  # motion -> prompts serving camera_control
    camera_styles: dict[str, int]  # pan/lift/zoom/aerial/tracking -> prompts
    kinds: dict[str, dict[str, int]]  # dimension -> subject kind -> prompts
    physics_with_event: int = 0
    artifacts_with_human: int = 0


def coverage(suite: Suite) -> Coverage:
    table = suite.by_dimension()
    cameras = Counter(p.camera for p in table["camera_control"] if p.camera)  # a valid prompt names its camera
    styles = {style: sum(cameras.get(m, 0) for m in motions) for style, motions in CAMERA_STYLES.items()}
    kinds = {dim: dict(Counter(p.subject.kind for p in table[dim] if p.subject)) for dim in BALANCED_KINDS_DIMS}
    return Coverage(
        per_dimension={d: len(p) for d, p in table.items()},
        cameras=dict(sorted(cameras.items())),
        camera_styles=styles,
        kinds=kinds,
        physics_with_event=sum(1 for p in table["physical_plausibility"] if p.event),
        artifacts_with_human=sum(1 for p in table["human_artifacts"] if p.has_human),
    )


# --- English/Chinese consistency ------------------------------------------------------------------

EN_NUMBERS = {
    1: ("one", "a", "an", "single", "lone"),
    2: ("two", "pair", "both", "couple"),
    3: ("three",),
    4: ("four",),
    5: ("five",),
    6: ("six",),
    7: ("seven",),
    8: ("eight",),
    9: ("nine",),
    10: ("ten",),
    11: ("eleven",),
    12: ("twelve",),
    20: ("twenty",),
}
ZH_NUMBERS = {
    1: ("一",),
    2: ("两", "二", "双", "对"),
    3: ("三",),
    4: ("四",),
    5: ("五",),
    6: ("六",),
    7: ("七",),
    8: ("八",),
    9: ("九",),
    10: ("十",),
    11: ("十一",),
    12: ("十二",),
    20: ("二十",),
}
# What a camera motion or relation must be called in each language (any one of the words).
CAMERA_WORDS = {
    "pan_left": (("left", "leftward"), ("左",)),
    "pan_right": (("right",), ("右",)),
    "lift_up": (("up", "upward", "rise", "rises", "rising", "ascends", "lifting", "lifts", "cranes"), ("升", "上")),
    "lift_down": (
        ("down", "downward", "descends", "descending", "lowers", "lowering", "sinks", "drops"),
        ("降", "下", "沉"),
    ),
    "zoom_in": (("zoom", "zooms", "zooming", "push-in"), ("推", "拉近", "放大")),
    "zoom_out": (("zoom", "zooms", "zooming", "pulls"), ("拉远", "拉开", "后拉", "往外拉", "缩小")),
    "aerial": (("aerial", "drone", "bird's-eye", "overhead", "flyover"), ("航拍", "俯瞰", "鸟瞰", "俯拍", "无人机")),
    "tracking": (("tracking", "tracks", "follows", "following", "follow", "chase-cam", "alongside"), ("跟",)),
    "static": (
        ("static", "still", "locked", "locked-off", "tripod", "fixed", "not", "stays"),
        ("固定", "静止", "不动"),
    ),
}
RELATION_WORDS = {
    "left_of": (("left",), ("左",)),
    "right_of": (("right",), ("右",)),
    "above": (("above", "over", "top", "overhead", "high", "on"), ("上",)),
    "below": (("below", "under", "beneath", "underneath"), ("下", "底")),
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _has_any(haystack: str, needles: tuple[str, ...], whole_words: bool) -> bool:
    if whole_words:
        found = set(words(haystack)) | {w.rstrip("s") for w in words(haystack)}
        return any(n in found for n in needles)
    return any(n in haystack for n in needles)


def _count_named(prompt: Prompt, name: str, count: int) -> list[str]:
    """A count above one must be written (as a digit or a number word) in both texts."""
    if count < 2 or count not in EN_NUMBERS:
        return []
    problems = []
    if str(count) not in prompt.text and not _has_any(prompt.text, EN_NUMBERS[count], whole_words=True):
        problems.append(f"count {count} of {name!r} is not written in the English text")
    zh = prompt.text_zh or ""
    if str(count) not in zh and not any(numeral in zh for numeral in ZH_NUMBERS[count]):
        problems.append(f"count {count} of {name!r} is not written in the Chinese text")
    return problems


def consistency(prompt: Prompt) -> list[str]:
    """Every mismatch between the metadata and the two texts that a machine can see."""
    problems = []
    if not prompt.text_zh:
        return ["no Chinese text (text_zh)"]
    if not CJK.search(prompt.text_zh):
        problems.append("text_zh has no Chinese characters")
    if CJK.search(prompt.text):
        problems.append("the English text has Chinese characters")
    for obj in prompt.objects:
        problems.extend(_count_named(prompt, obj.name, obj.count))
    if prompt.camera and "camera_control" in prompt.dimensions:
        en, zh = CAMERA_WORDS[prompt.camera]
        if not _has_any(prompt.text, en, whole_words=True):
            problems.append(f"camera {prompt.camera}: the English text names none of {', '.join(en)}")
        if not _has_any(prompt.text_zh, zh, whole_words=False):
            problems.append(f"camera {prompt.camera}: the Chinese text names none of {''.join(zh)}")
    if prompt.spatial and "spatial_position" in prompt.dimensions:
        en, zh = RELATION_WORDS[prompt.spatial.relation]
        if not _has_any(prompt.text, en, whole_words=True):
            problems.append(f"relation {prompt.spatial.relation}: the English text names none of {', '.join(en)}")
        if not _has_any(prompt.text_zh, zh, whole_words=False):
            problems.append(f"relation {prompt.spatial.relation}: the Chinese text names none of {''.join(zh)}")
    if prompt.subject and prompt.subject.kind == "human" and not prompt.has_human:
        problems.append("a human subject needs has_human: true")
    return problems


def consistency_problems(prompts: list[Prompt]) -> dict[str, list[str]]:
    return {p.id: found for p in prompts if (found := consistency(p))}


# --- the bar ---------------------------------------------------------------------------------------


@dataclass
class SuiteStats:
    diversity: Diversity
    coverage: Coverage
    inconsistent: dict[str, list[str]] = field(default_factory=dict)


def suite_stats(suite: Suite) -> SuiteStats:
    return SuiteStats(diversity(suite.prompts), coverage(suite), consistency_problems(suite.prompts))


def _balanced(counts: dict[str, int], groups: tuple[str, ...], share: float) -> bool:
    values = [counts.get(g, 0) for g in groups]
    return min(values) >= share * sum(values) / len(values)


def check_targets(stats: SuiteStats, targets: Targets = TARGETS) -> list[str]:
    """Every way the suite misses the bar, one line each (empty: it meets all of them)."""
    d, c, misses = stats.diversity, stats.coverage, []
    if d.prompts < targets.prompts:
        misses.append(f"{d.prompts} prompts < {targets.prompts}")
    if d.four_gram_ratio < targets.four_gram_ratio:
        misses.append(f"distinct 4-gram ratio {d.four_gram_ratio:.3f} < {targets.four_gram_ratio}")
    if d.distinct_words < targets.distinct_words:
        misses.append(f"{d.distinct_words} distinct words < {targets.distinct_words}")
    if d.top_opening[1] > targets.opening_share * d.prompts:
        misses.append(f"opening {d.top_opening[0]!r} starts {d.top_opening[1]} prompts (> {targets.opening_share:.0%})")
    if d.max_cosine > targets.max_cosine:
        misses.append(
            f"prompts {d.closest_pair[0]} and {d.closest_pair[1]} have cosine {d.max_cosine:.3f} > {targets.max_cosine}"
        )
    if d.min_words < targets.min_words or d.max_words > targets.max_words:
        misses.append(
            f"prompt lengths {d.min_words}..{d.max_words} words outside {targets.min_words}..{targets.max_words}"
        )
    for dim in DIMENSION_KEYS:
        if c.per_dimension.get(dim, 0) < targets.per_dimension:
            misses.append(f"{dim}: {c.per_dimension.get(dim, 0)} prompts < {targets.per_dimension}")
    if c.per_dimension.get("camera_control", 0) < targets.camera:
        misses.append(f"camera_control: {c.per_dimension.get('camera_control', 0)} prompts < {targets.camera}")
    if not _balanced(c.camera_styles, tuple(CAMERA_STYLES), targets.balance):
        misses.append(f"camera styles unbalanced: {c.camera_styles}")
    for style, motions in CAMERA_STYLES.items():
        if (
            len(motions) == 2
            and min(c.cameras.get(m, 0) for m in motions) < targets.direction_share * c.camera_styles[style]
        ):
            misses.append(
                f"camera {style}: directions unbalanced ({', '.join(f'{m} {c.cameras.get(m, 0)}' for m in motions)})"
            )
    for dim, kinds in c.kinds.items():
        if not _balanced(kinds, ("human", "animal", "object"), targets.balance):
            misses.append(f"{dim}: subject kinds unbalanced {kinds}")
    if c.physics_with_event < c.per_dimension.get("physical_plausibility", 0):
        eventless = c.per_dimension["physical_plausibility"] - c.physics_with_event
        misses.append(f"physical_plausibility: {eventless} prompts name no event")
    for prompt_id, problems in stats.inconsistent.items():
        misses.extend(f"{prompt_id}: {problem}" for problem in problems)
    return misses
