"""ultralytics YOLO detectors, stored as safetensors plus a small json (architecture and class names).

Two detectors use this: the COCO detector that finds the subject for ID consistency, and the
human-artifact detector we train ourselves (Human Artifacts). ultralytics keeps models as pickled
``.pt`` files; we convert a model once, when it is fetched or trained, into ``model.safetensors``
(the state dict) and ``model.json`` (the architecture yaml as a dict, class names, image size),
and rebuild it from those at scoring time, so scoring never unpickles anything.

Inference is plain: letterbox to the model's size, one forward pass over a batch of frames,
ultralytics' NMS, boxes scaled back to the frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch

from wanbench.backbones.detector_safety import check_arch, check_meta, restricted_build, ultralytics_environment
from wanbench.hashing import file_sha256
from wanbench.model_weights import WeightsError, WeightSpec, _download

if TYPE_CHECKING:
    from ultralytics.nn.tasks import DetectionModel

COCO_FILE = "yolo11n.pt"
# the v8.3.0 release asset; full sha256 (the release publishes none: this value is the one other public
# projects pin for the same file)
COCO_SHA256 = "0ebbc80d4a7680d14987a577cd21342b65ecfd94632bd9a8da63ae6417644ee1"


def quiet_ultralytics() -> None:
    """Keep ultralytics from writing to the home directory or asking the network for anything, and
    force its safe load on (wanbench.backbones.detector_safety)."""
    ultralytics_environment()


@dataclass(frozen=True)
class Detection:
    frame: int
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in frame pixels
    confidence: float
    label: int
    name: str

    @property
    def area(self) -> float:
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)


def _build(arch: dict[str, Any], nc: int) -> DetectionModel:
    check_arch(arch)  # before ultralytics sees a single field
    with restricted_build():
        from ultralytics.nn.tasks import DetectionModel

        return DetectionModel(dict(arch), nc=nc, verbose=False)


def _arch(model: DetectionModel) -> dict[str, Any]:
    """The architecture dict ultralytics keeps on a model (set outside its __init__, so untyped)."""
    return cast("dict[str, Any]", model.yaml)


def save_detector(model: DetectionModel, names: dict[int, str] | list[str], folder: Path, imgsz: int = 640) -> Path:
    """Write ``model.safetensors`` + ``model.json`` for an ultralytics DetectionModel."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = dict(enumerate(names)) if isinstance(names, list) else {int(k): str(v) for k, v in names.items()}
    arch = {k: v for k, v in _arch(model).items() if k not in ("yaml_file",)}
    state = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"))
    meta = {"arch": arch, "names": {str(k): v for k, v in names.items()}, "imgsz": imgsz}
    (folder / "model.json").write_text(json.dumps(meta, indent=1))
    return folder


class YoloDetector:
    """A detector rebuilt from ``model.safetensors`` + ``model.json``."""

    def __init__(
        self, folder: Path, conf: float = 0.25, iou: float = 0.7, imgsz: int | None = None, device: str = "cpu"
    ) -> None:
        from safetensors.torch import load_file

        folder = Path(folder)
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise WeightsError(f"{folder / 'model.json'}: not readable JSON ({type(exc).__name__})") from None
        check_meta(meta)
        self.names = {int(k): v for k, v in meta["names"].items()}
        self.imgsz = int(imgsz or meta.get("imgsz", 640))
        self.conf, self.iou, self.device = conf, iou, device
        self.model = _build(meta["arch"], len(self.names))
        self.model.load_state_dict(load_file(str(folder / "model.safetensors")), strict=True)
        self.model.names = self.names
        self.model.to(device).eval()
        self.sha256 = file_sha256(folder / "model.safetensors")

    def describe(self) -> str:
        return f"ultralytics {_arch(self.model).get('yaml_file', 'yolo')} imgsz {self.imgsz} sha256:{self.sha256[:12]}"

    @torch.inference_mode()
    def detect(self, frames: np.ndarray, indices: list[int] | None = None, batch: int = 8) -> list[Detection]:
        """Detections in uint8 RGB frames [N, H, W, 3]; ``indices`` name the frames (default 0..N-1)."""
        from ultralytics.data.augment import LetterBox
        from ultralytics.utils.nms import non_max_suppression
        from ultralytics.utils.ops import scale_boxes

        indices = list(range(len(frames))) if indices is None else list(indices)
        letterbox = LetterBox((self.imgsz, self.imgsz), auto=False, stride=32)
        found: list[Detection] = []
        for start in range(0, len(frames), batch):
            chunk = frames[start : start + batch]
            boxed = np.stack(
                [
                    cast(np.ndarray, letterbox(image=np.ascontiguousarray(f)))  # an image in, an image out
                    for f in chunk
                ]
            )  # RGB in, as predict feeds
            x = torch.from_numpy(boxed).permute(0, 3, 1, 2).float().div_(255).to(self.device)
            preds = self.model(x)
            preds = preds[0] if isinstance(preds, (list, tuple)) else preds
            for offset, rows in enumerate(non_max_suppression(preds, self.conf, self.iou)):
                if not len(rows):
                    continue
                rows[:, :4] = scale_boxes((x.shape[2], x.shape[3]), rows[:, :4], chunk[offset].shape[:2])
                for x1, y1, x2, y2, conf, cls in rows.cpu().tolist():
                    label = int(cls)
                    found.append(
                        Detection(
                            indices[start + offset],
                            (x1, y1, x2, y2),
                            float(conf),
                            label,
                            self.names.get(label, str(label)),
                        )
                    )
        return found


def convert_ultralytics_checkpoint(pt_file: Path, folder: Path, expected_sha256: str) -> Path:
    """Turn an ultralytics ``.pt`` (a pickle) into safetensors + json, once.

    Unpickling can run code from the file, so this is done only for a file whose full sha256 matches
    a pinned value, and with ultralytics' safe load (weights_only plus its class allow-list) on.
    """
    if len(expected_sha256 or "") != 64:
        raise WeightsError(f"{pt_file}: no full sha256 pinned; refusing to unpickle it")
    if file_sha256(pt_file) != expected_sha256.lower():
        raise WeightsError(f"{pt_file}: sha256 mismatch; refusing to unpickle it")
    with restricted_build():
        from ultralytics.nn.tasks import torch_safe_load

        checkpoint, _ = torch_safe_load(str(pt_file), safe_only=True)  # weights_only + ultralytics' class allow-list
    model = (checkpoint.get("ema") or checkpoint["model"]).float()
    imgsz = (checkpoint.get("train_args") or {}).get("imgsz", 640)
    return save_detector(model, model.names, folder, int(imgsz if isinstance(imgsz, int) else 640))


def fetch_coco_detector(spec: WeightSpec) -> Path:
    """Download YOLO11n (COCO), check its full sha256, and convert it into the registry's folder.

    A file already there is reused only if it has the pinned sha256; otherwise it is fetched again.
    """
    target = spec.local_dir()
    pt_file = target / COCO_FILE
    if pt_file.is_file() and file_sha256(pt_file) != COCO_SHA256:
        pt_file.unlink()
    if not pt_file.is_file():
        _download(f"{spec.url}/{COCO_FILE}", pt_file, expected_sha256=COCO_SHA256)
    return convert_ultralytics_checkpoint(pt_file, target, COCO_SHA256)
