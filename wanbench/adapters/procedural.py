"""A synthetic model that does exactly what a prompt's metadata asks: the demo's model and an oracle.

The scene is a textured canvas seen through a virtual camera. The camera pans, lifts, zooms, flies
an aerial top-down sweep, tracks a moving subject or stays still, as ``prompt.camera`` says;
coloured shapes appear with the asked counts and spatial relation; the subject moves as its action
says; a style filter stands in for the asked style. A subject asked to move a lot (``motion:
large``) with no camera asked is filmed as such action is: the camera follows it (``shot``) while
it covers more than a frame width, so the whole scene streams past, not only a small shape.
Because the right answer is known, metric tests can use these clips (a pan left must be measured
as a pan left).

Directions follow the camera, not the content: when the camera pans left, content moves right in
the frame; when it lifts up, content moves down.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from wanbench.adapters.base import ModelAdapter
from wanbench.prompts.suite import Prompt
from wanbench.video import write_video

COLORS = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (235, 210, 40),
    "orange": (240, 140, 30),
    "purple": (140, 60, 190),
    "pink": (240, 120, 180),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
    "brown": (130, 80, 40),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "cyan": (40, 200, 220),
}
SHAPES = {
    "circle": ("ball", "sphere", "circle", "orb", "apple", "orange", "balloon", "sun", "moon", "coin", "wheel"),
    "square": ("box", "cube", "square", "crate", "block", "book", "gift", "dice", "tv", "screen"),
    "triangle": ("triangle", "pyramid", "tent", "tree", "cone", "mountain", "sail"),
}
SCENES = {
    "beach": (210, 190, 140),
    "desert": (215, 170, 100),
    "forest": (50, 110, 50),
    "grass": (80, 150, 60),
    "city": (120, 120, 130),
    "street": (110, 110, 115),
    "snow": (225, 230, 240),
    "ocean": (40, 90, 160),
    "sea": (40, 90, 160),
    "sky": (120, 170, 230),
    "night": (25, 30, 60),
    "space": (15, 15, 30),
    "room": (170, 150, 130),
    "kitchen": (190, 180, 160),
    "field": (150, 170, 80),
    "mountain": (110, 110, 100),
}
# action word -> (pattern, travel as a share of the frame width or height over the clip)
ACTIONS = {
    "run": ("travel", 0.8),
    "running": ("travel", 0.8),
    "race": ("travel", 0.9),
    "racing": ("travel", 0.9),
    "sprint": ("travel", 0.9),
    "gallop": ("travel", 0.8),
    "galloping": ("travel", 0.8),
    "fly": ("travel", 0.8),
    "flying": ("travel", 0.8),
    "drive": ("travel", 0.8),
    "driving": ("travel", 0.8),
    "walk": ("travel", 0.35),
    "walking": ("travel", 0.35),
    "swim": ("travel", 0.35),
    "swimming": ("travel", 0.35),
    "crawl": ("travel", 0.2),
    "crawling": ("travel", 0.2),
    "roll": ("travel", 0.5),
    "rolling": ("travel", 0.5),
    "jump": ("bounce", 0.25),
    "jumping": ("bounce", 0.25),
    "bounce": ("bounce", 0.25),
    "bouncing": ("bounce", 0.25),
    "hop": ("bounce", 0.2),
    "hopping": ("bounce", 0.2),
    "spin": ("spin", 1.0),
    "spinning": ("spin", 1.0),
    "rotate": ("spin", 1.0),
    "rotating": ("spin", 1.0),
    "dance": ("spin", 0.5),
    "dancing": ("spin", 0.5),
    "turn": ("spin", 0.5),
    "turning": ("spin", 0.5),
    "wave": ("sway", 0.05),
    "waving": ("sway", 0.05),
    "nod": ("sway", 0.03),
    "nodding": ("sway", 0.03),
}


# relation -> (subject, object) as (x, y, size) shares of the frame. Depth is drawn the way a camera
# sees it: the nearer thing is lower in the frame, larger, and covers part of the farther one.
SPATIAL_LAYOUT = {
    "left_of": ((0.28, 0.55, 0.26), (0.72, 0.55, 0.26)),
    "right_of": ((0.72, 0.55, 0.26), (0.28, 0.55, 0.26)),
    "above": ((0.5, 0.3, 0.26), (0.5, 0.75, 0.26)),
    "below": ((0.5, 0.75, 0.26), (0.5, 0.3, 0.26)),
    "in_front_of": ((0.56, 0.64, 0.34), (0.44, 0.44, 0.22)),
    "behind": ((0.44, 0.44, 0.22), (0.56, 0.64, 0.34)),
}


@dataclass(frozen=True)
class RenderConfig:
    width: int = 256
    height: int = 192
    frames: int = 33
    fps: float = 16.0
    detail: float = 1.0  # texture detail; lower gives coarser scenes (easier for a tiny VAE)
    contrast: float = 1.0  # texture contrast around the scene colour; higher is easier for a tiny VAE to keep


@dataclass(frozen=True)
class Camera:
    """Where the view is at time u in [0, 1]: centre on the canvas, zoom scale and rotation."""

    cx: float
    cy: float
    scale: float = 1.0  # canvas pixels per frame pixel (< 1 zooms in)
    angle: float = 0.0  # radians

    def matrix(self, width: int, height: int) -> np.ndarray:
        """2x3 affine map from frame pixels to canvas pixels."""
        c, s = np.cos(self.angle) * self.scale, np.sin(self.angle) * self.scale
        ox, oy = width / 2, height / 2
        return np.array([[c, -s, self.cx - c * ox + s * oy], [s, c, self.cy - s * ox - c * oy]])


def _rng(prompt: Prompt, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(prompt.id.encode())])


def color_of(name: str) -> tuple[int, int, int]:
    for word in name.lower().split():
        if word in COLORS:
            return COLORS[word]
    hue = zlib.crc32(name.lower().encode()) % 180
    hsv = np.array([[[hue, 200, 220]]], dtype=np.uint8)
    red, green, blue = (int(v) for v in cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0])
    return red, green, blue


def shape_of(name: str, kind: str | None = None) -> str:
    if kind in ("human", "animal"):
        return "person" if kind == "human" else "animal"
    words = name.lower().split()
    for shape, nouns in SHAPES.items():
        if any(word.rstrip("s") in nouns or word in nouns for word in words):
            return shape
    return "ellipse"


def make_canvas(
    prompt: Prompt, rng: np.random.Generator, height: int, width: int, detail: float = 1.0, contrast: float = 1.0
) -> np.ndarray:
    """A smooth multi-scale colour texture; rich enough for optical flow to lock onto."""
    base = np.array(
        next(
            (c for w, c in SCENES.items() if prompt.scene and w in prompt.scene.lower()), rng.integers(60, 200, size=3)
        ),
        dtype=np.float32,
    )
    texture = np.zeros((height, width, 3), np.float32)
    for base_cells, weight in ((6, 0.5), (24, 0.3), (96, 0.2)):
        cells = max(2, round(base_cells * detail))
        small = rng.random((cells * height // width + 2, cells + 2, 3)).astype(np.float32)
        texture += weight * cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    canvas = base * (0.55 + 0.9 * contrast * (texture - 0.5))
    return np.clip(canvas, 0, 255).astype(np.uint8)


def draw_shape(
    img: np.ndarray,
    shape: str,
    center: tuple[float, float],
    size: float,
    color: tuple[int, int, int],
    angle: float = 0.0,
) -> None:
    x, y, r = float(center[0]), float(center[1]), size / 2
    edge = tuple(max(0, c - 90) for c in color)

    def pt(dx: float, dy: float) -> tuple[int, int]:
        c, s = np.cos(angle), np.sin(angle)
        return int(round(x + c * dx - s * dy)), int(round(y + s * dx + c * dy))

    def poly(points: list[tuple[float, float]]) -> None:
        pts = np.array([pt(px, py) for px, py in points], np.int32)
        cv2.fillPoly(img, [pts], color, lineType=cv2.LINE_AA)
        cv2.polylines(img, [pts], True, edge, 2, lineType=cv2.LINE_AA)

    if shape == "circle":
        cv2.circle(img, pt(0, 0), int(r), color, -1, lineType=cv2.LINE_AA)
        cv2.circle(img, pt(0, 0), int(r), edge, 2, lineType=cv2.LINE_AA)
        cv2.circle(img, pt(-r / 3, -r / 3), max(2, int(r / 4)), edge, -1, lineType=cv2.LINE_AA)
    elif shape == "square":
        poly([(-r, -r), (r, -r), (r, r), (-r, r)])
    elif shape == "triangle":
        poly([(0, -r), (r, r * 0.8), (-r, r * 0.8)])
    elif shape == "person":
        cv2.circle(img, pt(0, -0.75 * r), int(0.25 * r), color, -1, lineType=cv2.LINE_AA)
        poly([(-0.25 * r, -0.5 * r), (0.25 * r, -0.5 * r), (0.25 * r, 0.3 * r), (-0.25 * r, 0.3 * r)])
        for side in (-1, 1):
            cv2.line(img, pt(side * 0.15 * r, 0.3 * r), pt(side * 0.3 * r, r), color, max(2, int(r / 8)))
            cv2.line(img, pt(side * 0.25 * r, -0.4 * r), pt(side * 0.6 * r, 0.0), color, max(2, int(r / 10)))
    elif shape == "animal":
        cv2.ellipse(img, pt(0, 0), (int(0.8 * r), int(0.45 * r)), np.degrees(angle), 0, 360, color, -1, cv2.LINE_AA)
        cv2.circle(img, pt(0.85 * r, -0.4 * r), int(0.3 * r), color, -1, lineType=cv2.LINE_AA)
        for dx in (-0.5, -0.2, 0.2, 0.5):
            cv2.line(img, pt(dx * r, 0.3 * r), pt(dx * r, 0.85 * r), color, max(2, int(r / 8)))
        cv2.circle(img, pt(0.95 * r, -0.45 * r), max(1, int(r / 12)), edge, -1)
    else:
        cv2.ellipse(img, pt(0, 0), (int(r), int(0.65 * r)), np.degrees(angle), 0, 360, color, -1, cv2.LINE_AA)
        cv2.ellipse(img, pt(0, 0), (int(r), int(0.65 * r)), np.degrees(angle), 0, 360, edge, 2, cv2.LINE_AA)


def apply_style(frame: np.ndarray, style: str | None) -> np.ndarray:
    if not style:
        return frame
    s = style.lower()
    if any(w in s for w in ("sketch", "pencil", "charcoal", "line art")):
        edges = cv2.Canny(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), 60, 140)
        return np.repeat((255 - edges)[..., None], 3, axis=2)
    if any(w in s for w in ("pixel", "8-bit", "retro")):
        h, w = frame.shape[:2]
        return cv2.resize(
            cv2.resize(frame, (w // 8, h // 8), interpolation=cv2.INTER_AREA), (w, h), interpolation=cv2.INTER_NEAREST
        )
    if any(w in s for w in ("black and white", "monochrome", "noir", "grayscale")):
        return np.repeat(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    if any(w in s for w in ("watercolor", "watercolour", "pastel")):
        soft = cv2.medianBlur(frame, 5).astype(np.float32)
        return np.clip(soft * 0.7 + 255 * 0.3, 0, 255).astype(np.uint8)
    if any(w in s for w in ("oil", "impressionis", "van gogh")):
        hsv = cv2.cvtColor(cv2.medianBlur(frame, 7), cv2.COLOR_RGB2HSV).astype(np.float32)
        hsv[..., 1] = np.clip(hsv[..., 1] * 1.5, 0, 255)
        return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)
    levels = 4  # cartoon, anime, comic and anything else: flat colour bands
    return ((frame // (256 // levels)) * (256 // levels) + 256 // (2 * levels)).astype(np.uint8)


@dataclass
class Item:
    shape: str
    color: tuple[int, int, int]
    x: float  # start position, as a share of the frame
    y: float
    size: float  # as a share of the frame height
    pattern: str = "still"
    amount: float = 0.0
    drift: float = 0.0  # sideways travel over the clip on top of the pattern, in frame widths


LARGE_MOTION_DRIFT = 1.2  # a large-motion subject that does not travel by itself (jumps, dances) still crosses


def shot(prompt: Prompt) -> str | None:
    """The camera move the clip is filmed with: the asked one; a subject asked to move a lot with no
    camera asked is followed (``tracking``), as a race or a gallop is filmed."""
    if prompt.camera is None and prompt.motion == "large" and prompt.subject is not None:
        return "tracking"
    return prompt.camera


def layout(prompt: Prompt, cfg: RenderConfig) -> tuple[list[Item], Item | None]:
    """Objects placed as counts and relation ask, and the subject (if any) with its motion."""
    items: list[Item] = []
    placed: set[str] = set()
    if prompt.spatial:
        rel = prompt.spatial
        a, b = SPATIAL_LAYOUT[rel.relation]
        pair = [(rel.subject, a), (rel.object, b)]
        pair.sort(key=lambda item: item[1][2])  # drawn far to near: the nearer one covers the farther
        for name, (x, y, size) in pair:
            kind = prompt.subject.kind if prompt.subject and prompt.subject.name == name else None
            items.append(Item(shape_of(name, kind), color_of(name), x, y, size))
            placed.add(name)
    pending = [(o.name, o.count - (1 if o.name in placed else 0)) for o in prompt.objects]
    names = [name for name, count in pending for _ in range(max(0, count))]
    if names:
        cols = int(np.ceil(np.sqrt(len(names) * 1.5)))
        rows = int(np.ceil(len(names) / cols))
        size = min(0.26, 0.8 / max(cols, rows * 1.3))
        top = 0.3 if not prompt.spatial else 0.15
        for i, name in enumerate(names):
            r, c = divmod(i, cols)
            x = (c + 0.5) / cols * 0.8 + 0.1
            y = top + (r + 0.5) / rows * (0.55 if not prompt.spatial else 0.2)
            items.append(Item(shape_of(name), color_of(name), x, y, size))

    subject = None
    if prompt.subject and prompt.subject.name not in placed:
        pattern, amount = "still", 0.0
        if prompt.action:
            words = prompt.action.lower().replace(",", " ").split()
            pattern, amount = next((ACTIONS[w] for w in words if w in ACTIONS), ("travel", 0.35))
        if prompt.motion == "large":
            amount *= 1.5 if pattern == "travel" else 2.0
        elif prompt.motion == "still":
            pattern, amount = "still", 0.0
        followed = shot(prompt) == "tracking"
        start_x = 0.5 - amount / 2 if pattern == "travel" and not followed else 0.5
        subject = Item(
            shape_of(prompt.subject.name, prompt.subject.kind),
            color_of(prompt.subject.name),
            start_x,
            0.6,
            0.34,
            pattern,
            amount,
            LARGE_MOTION_DRIFT if followed and prompt.camera is None and pattern != "travel" else 0.0,
        )
    elif prompt.motion == "large" and items:  # no subject: the objects themselves race across
        for item in items:
            item.pattern, item.amount = "travel", 0.6
            item.x = max(0.1, item.x - 0.3)
    return items, subject


def item_position(item: Item, u: float, cfg: RenderConfig) -> tuple[float, float, float]:
    """Frame-relative (x, y) and angle of an item at time u in [0, 1]."""
    x, y, angle = item.x + item.drift * u, item.y, 0.0
    if item.pattern == "travel":
        x += item.amount * u
    elif item.pattern == "bounce":
        y -= item.amount * abs(np.sin(2 * np.pi * u))
    elif item.pattern == "spin":
        angle = 2 * np.pi * item.amount * u
    elif item.pattern == "sway":
        x += item.amount * np.sin(4 * np.pi * u)
    return x, y, angle


def camera_at(
    motion: str | None, u: float, cfg: RenderConfig, center: tuple[float, float], subject_dx: float = 0.0
) -> Camera:
    cx, cy = center
    w, h = cfg.width, cfg.height
    if motion == "pan_left":
        return Camera(cx - 0.6 * w * u, cy)
    if motion == "pan_right":
        return Camera(cx + 0.6 * w * u, cy)
    if motion == "lift_up":
        return Camera(cx, cy - 0.6 * h * u)
    if motion == "lift_down":
        return Camera(cx, cy + 0.6 * h * u)
    if motion == "zoom_in":
        return Camera(cx, cy, scale=1.0 - 0.45 * u)
    if motion == "zoom_out":
        return Camera(cx, cy, scale=1.0 + 0.6 * u)
    if motion == "aerial":
        return Camera(cx + 0.15 * w * u, cy - 0.5 * h * u, scale=1.1, angle=0.25 * u)
    if motion == "tracking":
        return Camera(cx + subject_dx * w, cy)
    return Camera(cx, cy)


def followed_width(prompt: Prompt, subject: Item | None, cfg: RenderConfig) -> int:
    """Canvas width a followed subject needs: the view travels as far as the subject, and past the
    canvas's edge the border would mirror the scene (and draw the subject a second time, coming back)."""
    if shot(prompt) != "tracking" or subject is None:
        return 0
    reach = (subject.amount if subject.pattern == "travel" else 0.0) + subject.drift  # frame widths
    return int(np.ceil((2.0 + reach) * cfg.width)) + 4  # start 1.5 widths in, half a view beyond the end


def render(prompt: Prompt, seed: int, cfg: RenderConfig = RenderConfig()) -> np.ndarray:
    """uint8 frames [T, H, W, 3] for one prompt and seed (deterministic)."""
    rng = _rng(prompt, seed)
    items, subject = layout(prompt, cfg)
    if prompt.camera == "tracking" and subject is not None and subject.pattern != "travel":
        subject.pattern, subject.amount = "travel", 0.6  # a tracking shot needs a moving subject
    canvas_h, canvas_w = 3 * cfg.height, max(3 * cfg.width, followed_width(prompt, subject, cfg))
    canvas = make_canvas(prompt, rng, canvas_h, canvas_w, cfg.detail, cfg.contrast)
    center = (1.5 * cfg.width, canvas_h / 2)  # the first view is a frame and a half from the left edge
    origin = (center[0] - cfg.width / 2, center[1] - cfg.height / 2)  # the first view's top-left
    move = shot(prompt)
    frames = np.empty((cfg.frames, cfg.height, cfg.width, 3), np.uint8)
    for t in range(cfg.frames):
        u = t / max(1, cfg.frames - 1)
        world = canvas.copy()
        subject_dx = 0.0
        for item in items + ([subject] if subject else []):
            x, y, angle = item_position(item, u, cfg)
            if item is subject:
                subject_dx = x - item.x
            draw_shape(
                world,
                item.shape,
                (origin[0] + x * cfg.width, origin[1] + y * cfg.height),
                item.size * cfg.height,
                item.color,
                angle,
            )
        camera = camera_at(move, u, cfg, center, subject_dx)
        view = cv2.warpAffine(
            world,
            camera.matrix(cfg.width, cfg.height),
            (cfg.width, cfg.height),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT,
        )
        frames[t] = apply_style(view, prompt.style)
    return frames


class ProceduralAdapter(ModelAdapter):
    name = "procedural"
    description = "synthetic oracle: renders shapes, counts, relations, actions and camera moves a prompt asks for"
    option_bounds = {
        "width": (8, 4096),
        "height": (8, 4096),
        "frames": (2, 2048),
        "fps": (0.1, 240),
        "detail": (0, None),
        "contrast": (0, None),
    }

    def __init__(
        self,
        width: int = 256,
        height: int = 192,
        frames: int = 33,
        fps: float = 16.0,
        detail: float = 1.0,
        contrast: float = 1.0,
    ) -> None:
        self.config = RenderConfig(width=width, height=height, frames=frames, fps=fps, detail=detail, contrast=contrast)

    def generate(self, prompt: Prompt, seed: int, out_path: Path) -> Path:
        return write_video(out_path, render(prompt, seed, self.config), self.config.fps)

    def info(self) -> dict[str, Any]:
        return {"adapter": self.name, "render": vars(self.config).copy(), "version": "2"}  # 2: large motion followed
