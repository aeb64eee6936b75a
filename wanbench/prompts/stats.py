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

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.prompts.consistency import consistency, consistency_problems, words
from wanbench.prompts.suite import Prompt, Suite

__all__ = ["consistency", "consistency_problems", "words"]  # the checks live in prompts/consistency.py

CAMERA_STYLES = {
    "pan": ("pan_left", "pan_right"),
    "lift": ("lift_up", "lift_down"),
    "zoom": ("zoom_in", "zoom_out"),
    "aerial": ("aerial",),
    "tracking": ("tracking",),
}
BALANCED_KINDS_DIMS = ("id_consistency", "action_following")
# Style labels grouped into families, so that stylization can be read per family (81 labels over 83
# prompts cannot). The first family with a keyword in the label wins, so the order matters: "Studio
# Ghibli anime" is animation, "Baroque painting" painting, "art deco poster" a movement.
STYLE_FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("animation", ("anime", "cartoon", "stop motion", "claymation", "animation", "pixar", "cel-shaded")),
    (
        "photographic look",
        ("film", "movie", "photograph", "polaroid", "footage", "noir", "camera", "tilt-shift"),
    ),
    (
        "craft",
        ("paper-cut", "papercraft", "origami", "embroidery", "cross-stitch", "mosaic", "stained glass", "puppet"),
    ),
    (
        "digital and game",
        ("pixel", "voxel", "low-poly", "arcade", "game", "vaporwave", "synthwave", "holographic", "neon", "isometric"),
    ),
    (
        "painting",
        ("painting", "fresco", "watercolor", "gouache", "ink wash", "sumi-e", "van gogh", "miniature", "concept art"),
    ),
    (
        "drawing and print",
        ("drawing", "sketch", "charcoal", "chalk", "crayon", "print", "ukiyo-e", "woodcut", "manga", "comic"),
    ),
    (
        "drawing and print",
        ("illustration", "picture book", "poster", "graffiti", "illumination", "blueprint", "linocut"),
    ),
    (
        "movement and genre",
        ("art nouveau", "art deco", "pop art", "surreal", "baroque", "gothic", "steampunk", "cyberpunk", "xianxia"),
    ),
)
OTHER_STYLES = "other"
SHORT_WORDS = 8  # a prompt this short (in words) is the kind --extend is meant to rewrite


def is_short(prompt: Prompt) -> bool:
    return len(words(prompt.text)) <= SHORT_WORDS


def style_family(style: str) -> str:
    """The family a style label belongs to (``other`` when no family's keyword is in it)."""
    label = style.lower()
    return next((family for family, keys in STYLE_FAMILIES if any(k in label for k in keys)), OTHER_STYLES)


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
    min_words: int = 4
    max_words: int = 60
    short_prompts: int = 90  # a slice of short prompts, so the effect of --extend can be measured
    style_family: int = 5  # prompts per style family, and no style outside a family


TARGETS = Targets()


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
    style_families: dict[str, int] = field(default_factory=dict)  # family -> stylization prompts
    short_prompts: int = 0  # prompts of SHORT_WORDS words or fewer (the slice that shows what --extend does)


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
        style_families=dict(Counter(style_family(p.style) for p in table["stylization"] if p.style).most_common()),
        short_prompts=sum(1 for p in suite.prompts if is_short(p)),
    )


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
    if c.short_prompts < targets.short_prompts:
        misses.append(f"{c.short_prompts} prompts of {SHORT_WORDS} words or fewer < {targets.short_prompts}")
    if c.style_families.get(OTHER_STYLES):
        misses.append(f"{c.style_families[OTHER_STYLES]} stylization prompts have a style in no family")
    for family in dict.fromkeys(f for f, _ in STYLE_FAMILIES):
        if c.style_families.get(family, 0) < targets.style_family:
            misses.append(f"style family {family}: {c.style_families.get(family, 0)} prompts < {targets.style_family}")
    if c.physics_with_event < c.per_dimension.get("physical_plausibility", 0):
        eventless = c.per_dimension["physical_plausibility"] - c.physics_with_event
        misses.append(f"physical_plausibility: {eventless} prompts name no event")
    for prompt_id, problems in stats.inconsistent.items():
        misses.extend(f"{prompt_id}: {problem}" for problem in problems)
    return misses
