"""Known-answer checks of each backbone on the weights that are present.

Every check runs a backbone through its public API on data whose right answer is known (real
photographs and a stereo pair that scikit-image ships, procedural clips drawn here), prints one
figure, and passes when the figure is on the right side of its threshold. Random or wrongly
loaded weights fail them: a learned answer is needed to rank captions, order degradations or find
the person in a photograph. A check whose backbone or data is missing is skipped, never passed.

The thresholds sit where a working model clears them with a margin and chance does not: the
figures real weights give are recorded in docs/calibration.md as they are measured.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import cv2
import numpy as np

from wanbench.backbones.base import BACKBONES, Backbone, BackboneUnavailable, constructor_options, require_weights
from wanbench.benchmark.flow_settings import FLOW_METHODS, FLOW_ROLE
from wanbench.calibration.data import end_point_error, photo, resize_flow, stereo_pair
from wanbench.video import Video

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"


@dataclass(frozen=True)
class CheckResult:
    name: str
    backbone: str  # the registered backbone the check ran
    weights: tuple[str, ...]  # the weights entries it tested (empty for weight-free backends)
    status: str  # pass | fail | skipped
    figure: float | None
    threshold: str  # how the figure must compare, e.g. "<= 1.5 px"
    detail: str = ""

    def line(self) -> str:
        figure = "-" if self.figure is None else f"{self.figure:.4g}"
        weights = f" [{', '.join(self.weights)}]" if self.weights else ""
        return f"{self.name}{weights}: {figure} (needs {self.threshold}) {self.status.upper()}" + (
            f": {self.detail}" if self.detail else ""
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["weights"] = list(self.weights)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        return cls(**{**data, "weights": tuple(data.get("weights", ()))})


@dataclass(frozen=True)
class Outcome:
    """What a check's body returns: its figure, whether it passed, and what it saw."""

    figure: float
    passed: bool
    detail: str = ""


Options = Mapping[str, Mapping[str, Any]]


@dataclass
class Context:
    """What the checks of one calibration share: the backbone options, the backbones built from them
    (each built once) and computed values (the image-quality scores serve three checks)."""

    options: Options
    built: dict[str, Backbone] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)

    def backbone(self, registered: str, role: str) -> Backbone:
        if registered not in self.built:
            self.built[registered] = build(registered, role, self.options)
        return self.built[registered]


def registry_weights(*names: str | None) -> tuple[str, ...]:
    """The names that are weights registry entries, once each, in order."""
    from wanbench.model_weights import WEIGHTS

    return tuple(n for n in dict.fromkeys(names) if n and n in WEIGHTS)


def _own_weights(backbone: Backbone, context: Context) -> tuple[str, ...]:
    return registry_weights(getattr(backbone, "weights", None))


def _ready(backbone: Backbone) -> None:
    backbone.check()


@dataclass(frozen=True)
class Check:
    name: str
    backbone: str  # registered name, built with the options of its role
    role: str  # the role whose options it takes ("flow" for flow-raft)
    threshold: str
    body: Callable[[Backbone, Context], Outcome]
    description: str
    tested: Callable[[Backbone, Context], tuple[str, ...]] = _own_weights  # the weights entries it judges
    ready: Callable[[Backbone], None] = _ready  # raises BackboneUnavailable when it cannot run


# --- flow ------------------------------------------------------------------------------------------

EPE_MAX_PX = 1.5  # at 256 px: DIS gives 1.26, zero flow 11.82 (the mean true motion)
FLOW_SIDE = 256


def flow_end_point_error(backbone: Backbone) -> tuple[float, float]:
    """(end-point error, mean true motion) in pixels of the 256-px pair, the flow resampled to it."""
    pair = stereo_pair(FLOW_SIDE)
    field = backbone.compute(Video(np.stack([pair.left, pair.right]), fps=1.0))
    estimate = resize_flow(np.asarray(field.forward[0], dtype=np.float32), *pair.flow.shape[:2])
    return end_point_error(estimate, pair.flow, pair.valid), pair.mean_motion


def _flow_body(backbone: Backbone, context: Context) -> Outcome:
    error, motion = flow_end_point_error(backbone)
    return Outcome(error, error <= EPE_MAX_PX, f"mean true motion {motion:.2f} px")


# --- image quality ---------------------------------------------------------------------------------

QUALITY_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
QUALITY_SIDE = 384
MONOTONE_MIN = 0.9  # share of (photo, degradation) ladders a model must order from clean to worst


def degradation_ladders(image: np.ndarray, seed: int = 0) -> dict[str, list[np.ndarray]]:
    """Per degradation, the image at increasing strength (the clean image first)."""
    rng = np.random.default_rng(seed)

    def blur(sigma: float) -> np.ndarray:
        return cv2.GaussianBlur(image, (0, 0), sigma)

    def jpeg(quality: int) -> np.ndarray:
        ok, data = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
        assert decoded is not None
        return np.ascontiguousarray(decoded[..., ::-1])

    def noise(sigma: float) -> np.ndarray:
        return np.clip(image + rng.normal(0.0, sigma, image.shape), 0, 255).astype(np.uint8)

    return {
        "blur": [image, blur(2.0), blur(5.0)],
        "jpeg": [image, jpeg(20), jpeg(5)],
        "noise": [image, noise(20.0), noise(50.0)],
    }


def _square(image: np.ndarray, side: int) -> np.ndarray:
    h, w = image.shape[:2]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    return cv2.resize(image[top : top + s, left : left + s], (side, side), interpolation=cv2.INTER_AREA)


def quality_ladders() -> list[tuple[str, np.ndarray]]:
    """("photo/degradation", frames [3, H, W, 3] from clean to worst) for every photo and degradation."""
    return [
        (f"{name}/{kind}", np.stack(ladder))
        for name in QUALITY_PHOTOS
        for kind, ladder in degradation_ladders(_square(photo(name), QUALITY_SIDE)).items()
    ]


def ordered(values: np.ndarray, strict_ladder: bool) -> bool:
    """Strictly falling along the whole ladder, or (not ``strict_ladder``) clean above the worst."""
    return bool(np.all(np.diff(values) < 0)) if strict_ladder else bool(values[0] > values[-1])


def _ladder_scores(backbone: Backbone, context: Context, part: str) -> dict[str, np.ndarray]:
    """Per ladder, one model's scores (MUSIQ and MANIQA come from one IQA pass, computed once)."""
    from wanbench.backbones.clip import ClipBackbone
    from wanbench.backbones.iqa import IQABackbone

    assert isinstance(backbone, IQABackbone)
    if part == "aesthetic":
        clip = context.backbone("clip", "clip")
        assert isinstance(clip, ClipBackbone)
        clip.check()
        return {key: backbone.aesthetic(clip.embed_images(frames)).flatten() for key, frames in quality_ladders()}
    if "iqa" not in context.memo:
        scores = {key: backbone.compute(Video(frames, fps=1.0)) for key, frames in quality_ladders()}
        context.memo["iqa"] = {
            model: {key: np.asarray(getattr(s, model), dtype=np.float64) for key, s in scores.items()}
            for model in ("musiq", "maniqa")
        }
    return context.memo["iqa"][part]


def _quality_weights(part: str) -> Callable[[Backbone, Context], tuple[str, ...]]:
    def tested(backbone: Backbone, context: Context) -> tuple[str, ...]:
        names = getattr(backbone, "weight_names", {})
        clip = getattr(context.backbone("clip", "clip"), "weights", None) if part == "aesthetic" else None
        return registry_weights(names.get(part), clip)

    return tested


def _quality_body(part: str) -> Callable[[Backbone, Context], Outcome]:
    strict_ladder = part != "aesthetic"  # aesthetics need not notice mild damage, only heavy damage

    def body(backbone: Backbone, context: Context) -> Outcome:
        scores = _ladder_scores(backbone, context, part)
        wrong = [f"{key} {np.round(v, 3).tolist()}" for key, v in scores.items() if not ordered(v, strict_ladder)]
        share = 1.0 - len(wrong) / len(scores)
        return Outcome(share, share >= MONOTONE_MIN, "misordered: " + "; ".join(wrong) if wrong else "")

    return body


# --- CLIP ------------------------------------------------------------------------------------------

CAPTIONS = {
    "astronaut": "a photo of an astronaut in a spacesuit",
    "chelsea": "a photo of a cat",
    "coffee": "a photo of a cup of coffee",
    "rocket": "a photo of a rocket on a launch pad",
    "horse": "a black silhouette of a horse",
    "camera": "a black and white photo of a man with a camera",
}
CAPTION_MIN = 5 / 6  # share of photos whose own caption ranks first


def _clip_body(backbone: Backbone, context: Context) -> Outcome:
    from wanbench.backbones.clip import ClipBackbone

    assert isinstance(backbone, ClipBackbone)
    names = list(CAPTIONS)
    images = np.stack([_square(photo(n), 224) for n in names])
    image_embeddings = backbone.embed_images(images)
    text_embeddings = np.stack([backbone.embed_text(CAPTIONS[n]) for n in names])
    ranked = (image_embeddings @ text_embeddings.T).argmax(axis=1)
    wrong = [f"{n} -> {names[int(r)]}" for n, r in zip(names, ranked) if names[int(r)] != n]
    share = 1.0 - len(wrong) / len(names)
    return Outcome(share, share >= CAPTION_MIN, "wrong caption first: " + "; ".join(wrong) if wrong else "")


# --- DINO ------------------------------------------------------------------------------------------

SUBJECT_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
SUBJECT_MARGIN = 0.1  # cosine: the same subject must beat the closest other subject by this much


def two_views(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two views of one subject: an 80% crop from the top-left, and a mirrored, darker 80% crop from
    the bottom-right (a self-supervised feature should match them; pixels do not line up)."""
    h, w = image.shape[:2]
    ch, cw = int(h * 0.8), int(w * 0.8)
    first = image[:ch, :cw]
    second = (image[h - ch :, w - cw :][:, ::-1].astype(np.float32) * 0.75).astype(np.uint8)
    return np.ascontiguousarray(first), np.ascontiguousarray(second)


def _dino_body(backbone: Backbone, context: Context) -> Outcome:
    from wanbench.backbones.dino import DinoBackbone

    assert isinstance(backbone, DinoBackbone)
    views = [two_views(photo(n)) for n in SUBJECT_PHOTOS]
    first = backbone.embed([a for a, _ in views])
    second = backbone.embed([b for _, b in views])
    similarity = first @ second.T
    margins = []
    for i in range(len(SUBJECT_PHOTOS)):
        others = np.delete(similarity[i], i)
        margins.append(float(similarity[i, i] - others.max()))
    worst = int(np.argmin(margins))
    margin = margins[worst]
    detail = f"same-subject cosine minus the closest other, worst on {SUBJECT_PHOTOS[worst]}"
    return Outcome(margin, margin >= SUBJECT_MARGIN, detail)


# --- detector --------------------------------------------------------------------------------------

PERSON_MIN = 0.5  # confidence of the person in `astronaut`; no person above it in `coffee`


def _detector_body(backbone: Backbone, context: Context) -> Outcome:
    from wanbench.backbones.detector import YoloDetector
    from wanbench.backbones.dino import DinoBackbone

    assert isinstance(backbone, DinoBackbone) and backbone.detector_weights
    folder = require_weights(backbone.detector_weights, "detector: {}")["model.safetensors"].parent
    detector = YoloDetector(folder, device=backbone.device)

    def best_person(name: str) -> float:
        image = photo(name)
        found = [d.confidence for d in detector.detect(image[None]) if d.name == "person"]
        return max(found, default=0.0)

    person, empty = best_person("astronaut"), best_person("coffee")
    detail = f"best person in coffee (none there) {empty:.3f}"
    return Outcome(person, person >= PERSON_MIN and empty < PERSON_MIN, detail)


def _detector_weights(backbone: Backbone, context: Context) -> tuple[str, ...]:
    return registry_weights(getattr(backbone, "detector_weights", None))


def _detector_ready(backbone: Backbone) -> None:
    name = getattr(backbone, "detector_weights", None)
    if not name:
        raise BackboneUnavailable("DINO is configured without a detector (detector_weights is empty)")
    require_weights(name, "detector: {}")


# --- judge -----------------------------------------------------------------------------------------

JUDGE_MIN = 0.75  # count accuracy; balanced yes/no accuracy (a judge answering one way gets 0.5)


def _judge_weights(backbone: Backbone, context: Context) -> tuple[str, ...]:
    """A local judge loaded from its registry entry; a --judge-weights folder or a server is no entry."""
    chosen = getattr(backbone, "chosen", None)  # the judge backend's own options (backbones/judge)
    if chosen is None or getattr(chosen, "path", None) or not hasattr(chosen, "weights"):
        return ()
    return registry_weights(chosen.weights)


def _judge_count_body(backbone: Backbone, context: Context) -> Outcome:
    from wanbench.calibration.clips import count_clips

    right, seen = 0, []
    for count, video, question in count_clips():
        per_frame = backbone.compute(video).ask_frames([question], kind="count")[0]
        answer = int(np.mean([np.asarray(dist, dtype=np.float64) for dist in per_frame], axis=0).argmax())
        right += answer == count
        seen.append(f"{count}->{answer}")
    share = right / len(seen)
    return Outcome(share, share >= JUDGE_MIN, "asked->answered: " + ", ".join(seen))


def _judge_camera_body(backbone: Backbone, context: Context) -> Outcome:
    from wanbench.calibration.clips import camera_clips

    hits: dict[bool, list[bool]] = {True: [], False: []}
    for video, questions in camera_clips():
        answers = backbone.compute(video).ask_clip([q for q, _ in questions], kind="yes")
        for (_, expected), p_yes in zip(questions, answers):
            hits[expected].append((float(p_yes) > 0.5) == expected)
    balanced = 0.5 * (float(np.mean(hits[True])) + float(np.mean(hits[False])))
    detail = (
        f"yes-questions right {sum(hits[True])}/{len(hits[True])}, no-questions {sum(hits[False])}/{len(hits[False])}"
    )
    return Outcome(balanced, balanced >= JUDGE_MIN, detail)


CHECKS: tuple[Check, ...] = (
    *(
        Check(
            f"{m.backbone}-epe",
            m.backbone,
            FLOW_ROLE,
            f"<= {EPE_MAX_PX} px",
            _flow_body,
            f"{m.label} end-point error, stereo pair",
        )
        for m in sorted(FLOW_METHODS, key=lambda m: m.choice != "dis")  # the weight-free one first
    ),
    *(
        Check(
            f"iqa-{part}-order",
            "iqa",
            "iqa",
            f">= {MONOTONE_MIN}",
            _quality_body(part),
            f"{part} falls with blur, JPEG and noise on real photos",
            _quality_weights(part),
        )
        for part in ("musiq", "maniqa", "aesthetic")
    ),
    Check(
        "clip-captions", "clip", "clip", f">= {CAPTION_MIN:.3f}", _clip_body, "CLIP ranks each photo's caption first"
    ),
    Check("dino-subjects", "dino", "dino", f">= {SUBJECT_MARGIN}", _dino_body, "DINO: same subject closer than others"),
    Check(
        "detector-person",
        "dino",
        "dino",
        f">= {PERSON_MIN}",
        _detector_body,
        "the subject detector finds the person in astronaut",
        _detector_weights,
        _detector_ready,
    ),
    Check(
        "judge-count", "vlm", "vlm", f">= {JUDGE_MIN}", _judge_count_body, "judge counts drawn objects", _judge_weights
    ),
    Check(
        "judge-camera",
        "vlm",
        "vlm",
        f">= {JUDGE_MIN}",
        _judge_camera_body,
        "judge names the camera move",
        _judge_weights,
    ),
)


def build(registered: str, role: str, options: Options) -> Backbone:
    """The backbone registered as ``registered`` with the options of its ``role`` (as a run builds it)."""
    cls = BACKBONES.get(registered)
    return cls(**constructor_options(cls, registered, role, options))
