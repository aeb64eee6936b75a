"""The judge protocol: what a question is, whichever backend answers it.

Fixed here, for the local transformers judge and an OpenAI-compatible server alike:
- frames: ``JudgeSettings.frames`` sampled evenly for clip questions (padded to an even count:
  Qwen2-VL patches two frames in time), ``keyframes`` single images for frame questions, each
  resized by qwen-vl-utils' ``smart_resize`` to at most ``max_pixels`` and then passed through JPEG at
  ``jpeg_quality``: the pixels a server receives are the pixels the local model sees;
- turns: a system turn and a user turn (the video or image, then the question), rendered by the
  model's own chat template;
- answers: a closed answer set read from token probabilities (``read_answers``): every casing and
  leading-space variant of an answer counts for it, multi-token answers are scored whole, and an
  answer token a server did not return is bounded by the smallest probability it did return.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

from wanbench.prompts.suite import CONTROL_CHARS, SPECIAL_TEXT  # text that could act as chat control

SYSTEM_PROMPT = (
    "You are a careful assessor of generated videos. Answer the question with the answer alone: "
    "Yes or No, or a number when asked how many."
)
VISION_END = "<|vision_end|>"


class JudgeError(RuntimeError):
    """The judge answered something we cannot turn into a probability (or failed for good)."""


@dataclass(frozen=True)
class JudgeSettings:
    frames: int = 8  # clip-level questions: frames sampled evenly (even: Qwen2-VL patches 2 frames in time)
    keyframes: int = 4  # frame-level questions: single images sampled evenly
    max_pixels: int = 448 * 448  # per frame
    fps: float = 2.0  # what the model is told the sampled clip's frame rate is
    jpeg_quality: int = 95  # frames travel (and are seen locally) as JPEG at this quality
    max_count: int = 20  # count answers are 0..max_count
    version: str = "2"

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class Query:
    images: tuple[np.ndarray, ...]  # one image (frame-level) or several frames (clip-level)
    question: str
    kind: str = "yes"  # yes | count
    as_video: bool = True
    jpegs: tuple[bytes, ...] = ()  # the images as sent over the wire (the same pixels, before decoding)


# --- frames ----------------------------------------------------------------------------------------


def fit_pixels(frames: np.ndarray, max_pixels: int, multiple: int = 28) -> np.ndarray:
    """Resize frames as Qwen2-VL's reference preprocessing does (qwen-vl-utils' smart_resize):
    sides multiples of 28, area within [56*56, max_pixels], aspect ratio kept."""
    import cv2
    from qwen_vl_utils import smart_resize

    h, w = frames.shape[1:3]
    nh, nw = smart_resize(h, w, factor=multiple, min_pixels=MIN_PIXELS, max_pixels=max_pixels)
    if (nh, nw) == (h, w):
        return frames
    return np.stack([cv2.resize(f, (nw, nh), interpolation=cv2.INTER_AREA) for f in frames])


MIN_PIXELS = 56 * 56  # qwen-vl-utils' floor, which fit_pixels applies too


def processor_pixels(settings: JudgeSettings) -> dict[str, int]:
    """The processor's per-frame pixel bounds, pinned to the protocol's own (frames arrive fitted, so
    nothing is resized again): processors' video defaults would otherwise upscale small frames."""
    return {"min_pixels": MIN_PIXELS, "max_pixels": settings.max_pixels}


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def decode_jpeg(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@dataclass(frozen=True)
class WireFrames:
    """Frames as JPEG bytes (what a server is sent) and as decoded pixels (what the local model sees)."""

    jpegs: tuple[bytes, ...]
    pixels: tuple[np.ndarray, ...]


def wire_frames(frames: np.ndarray, settings: JudgeSettings) -> WireFrames:
    jpegs = tuple(encode_jpeg(f, settings.jpeg_quality) for f in fit_pixels(frames, settings.max_pixels))
    return WireFrames(jpegs, tuple(decode_jpeg(j) for j in jpegs))


def sample_clip(frames: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """The clip's sampled frames, padded to an even count by repeating the last."""
    clip = frames[indices]
    return np.concatenate([clip, clip[-1:]]) if len(clip) % 2 else clip


# --- turns -----------------------------------------------------------------------------------------


def check_user_text(text: str) -> str:
    """Refuse text that could be read as chat control tokens or that carries control characters."""
    if SPECIAL_TEXT.search(text):
        raise JudgeError(f"question holds special-token text and is not asked: {text[:80]!r}")
    if CONTROL_CHARS.search(text):
        raise JudgeError(f"question holds control characters and is not asked: {text[:80]!r}")
    return text


def messages(question: str, as_video: bool) -> list[dict]:
    """The conversation in transformers' multimodal chat format (one vision placeholder)."""
    vision = {"type": "video"} if as_video else {"type": "image"}
    return [
        {"role": "system", "content": [{"type": "text", "text": SYSTEM_PROMPT}]},
        {"role": "user", "content": [vision, {"type": "text", "text": question}]},
    ]


# --- answers ---------------------------------------------------------------------------------------


def answer_texts(kind: str, settings: JudgeSettings) -> tuple[str, ...]:
    if kind == "count":
        return tuple(str(n) for n in range(settings.max_count + 1))
    if kind == "yes":
        return ("Yes", "No")
    raise ValueError(f"unknown answer kind {kind!r}")


def surface_variants(answer: str) -> tuple[str, ...]:
    """Every casing (as written, lower, upper, capitalised) with and without a leading space."""
    casings = dict.fromkeys((answer, answer.lower(), answer.upper(), answer.capitalize()))
    return tuple(prefix + c for c in casings for prefix in ("", " "))


@dataclass(frozen=True)
class AnswerSet:
    """The answers of one kind as token paths. ``stops``: tokens that would continue an answer into a
    different one (digits after a number), so an answer counts only when the next token is not one."""

    kind: str
    answers: tuple[str, ...]
    paths: tuple[tuple[tuple[int, ...], ...], ...]  # per answer, its variants' token ids
    stops: frozenset[int]

    def nodes(self) -> list[tuple[int, ...]]:
        """Every token prefix whose next-token distribution the reading needs."""
        needed: dict[tuple[int, ...], None] = {(): None}
        for variants in self.paths:
            for path in variants:
                for j in range(1, len(path) + (1 if self.stops else 0)):
                    needed[path[:j]] = None
        return list(needed)

    @cached_property
    def maximal(self) -> tuple[tuple[int, ...], ...]:
        nodes = self.nodes()
        return tuple(n for n in nodes if not any(len(m) > len(n) and m[: len(n)] == n for m in nodes))

    def maximal_nodes(self) -> tuple[tuple[int, ...], ...]:
        """The needed prefixes that no other needed prefix extends: feeding these covers all."""
        return self.maximal


def build_answer_set(kind: str, settings: JudgeSettings, encode: Callable[[str], Sequence[int]]) -> AnswerSet:
    answers = answer_texts(kind, settings)
    owner: dict[tuple[int, ...], str] = {}
    paths = []
    for answer in answers:
        variants = []
        for text in surface_variants(answer):
            path = tuple(encode(text))
            if not path:
                raise JudgeError(f"the judge's tokenizer encodes {text!r} as nothing")
            if owner.setdefault(path, answer) != answer:
                raise JudgeError(f"answers {owner[path]!r} and {answer!r} tokenize the same")
            if path not in variants:
                variants.append(path)
        paths.append(tuple(variants))
    stops: frozenset[int] = frozenset()
    if kind == "count":
        stops = frozenset(ids[0] for d in range(10) if len(ids := tuple(encode(str(d)))) == 1)
    return AnswerSet(kind, answers, tuple(paths), stops)


@dataclass(frozen=True)
class NextTokens:
    """Log-probabilities of some next tokens after a prefix. ``floor``: when the list is a top-k (a
    server's), the smallest log-probability in it, an upper bound for every token not listed."""

    logprobs: Mapping[int, float]
    floor: float | None = None

    def get(self, token: int) -> float:
        if token in self.logprobs:
            return float(self.logprobs[token])
        if self.floor is None:
            raise JudgeError(f"token {token} missing from a complete distribution")
        return float(self.floor)


def read_answers(answer_set: AnswerSet, next_tokens: Mapping[tuple[int, ...], NextTokens]) -> list[float]:
    """P(answer) over the answer set: per variant the product of its tokens' probabilities (times the
    chance that no stop token follows), summed over an answer's variants, normalised over the set."""
    mass = []
    for variants in answer_set.paths:
        total = 0.0
        for path in variants:
            logp = sum(next_tokens[path[:j]].get(path[j]) for j in range(len(path)))
            p = math.exp(logp)
            if answer_set.stops:
                after = next_tokens[path]
                p *= max(0.0, 1.0 - sum(math.exp(after.get(t)) for t in answer_set.stops))
            total += p
        mass.append(total)
    norm = sum(mass)
    if not norm > 0 or not math.isfinite(norm):
        raise JudgeError(f"no probability on any {answer_set.kind} answer ({', '.join(answer_set.answers[:3])}...)")
    return [m / norm for m in mass]


def final_answer(answer_set: AnswerSet, probabilities: list[float]) -> float | list[float]:
    """What a question returns: P(yes) for yes/no, the distribution over 0..max_count for counts."""
    return probabilities[0] if answer_set.kind == "yes" else probabilities
