"""The Human Artifacts loop: extract frames to label, train a YOLO detector, register it.

The report's detector (YOLOv3 trained on 20,000 annotated AI-generated images) was never
released, so wanbench ships the loop instead:

    wanbench artifacts extract runs/demo/videos --out artifacts-data   # frames + empty labels + data.yaml
    (label the boxes with any YOLO-format tool: one "class cx cy w h" line per artifact, normalised)
    wanbench artifacts train --data artifacts-data/data.yaml            # ultralytics training
    -> weights registered as `yolo-artifacts`; `wanbench eval` then scores Human Artifacts.

Classes (ARTIFACT_CLASSES) follow what the report describes annotators marking on AI-generated
people; a dataset may use a subset or its own names (they travel with the weights).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import cv2

from wanbench.backbones.detector import quiet_ultralytics, save_detector
from wanbench.model_weights import WEIGHTS
from wanbench.video import VIDEO_SUFFIXES, VideoError, read_video

ARTIFACT_CLASSES = ("deformed_hand", "deformed_face", "extra_or_missing_limb", "distorted_body", "melted_object")


@dataclass
class ExtractSummary:
    images: int
    videos: int
    skipped: list[str]
    data_yaml: Path


def data_yaml_text(root: Path, names: tuple[str, ...]) -> str:
    lines = [f"path: {root.resolve()}", "train: images/train", "val: images/val", "names:"]
    lines += [f"  {i}: {name}" for i, name in enumerate(names)]
    return "\n".join(lines) + "\n"


def extract_frames(
    videos: list[Path],
    out: Path,
    frames_per_video: int = 8,
    val_share: float = 0.2,
    seed: int = 0,
    names: tuple[str, ...] = ARTIFACT_CLASSES,
) -> ExtractSummary:
    """Sample frames of each video into a YOLO dataset layout, with empty label files to fill in.

    Whole videos go to train or val (frames of one video never straddle the split).
    """
    files: list[Path] = []
    for item in videos:
        item = Path(item)
        files += sorted(p for p in item.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES) if item.is_dir() else [item]
    if not files:
        raise FileNotFoundError(f"no videos ({', '.join(VIDEO_SUFFIXES)}) in {', '.join(map(str, videos))}")
    rng = random.Random(seed)
    count, used, skipped = 0, 0, []
    for path in files:
        try:
            video = read_video(path)
        except VideoError as exc:
            skipped.append(str(exc))
            continue
        split = "val" if rng.random() < val_share else "train"
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
        (out / "labels" / split).mkdir(parents=True, exist_ok=True)
        stem = "_".join(path.with_suffix("").parts[-2:])
        for index in video.sample_indices(count=min(frames_per_video, video.num_frames)).tolist():
            name = f"{stem}_f{index:04d}"
            cv2.imwrite(str(out / "images" / split / f"{name}.jpg"), video.frames[index][..., ::-1])
            label = out / "labels" / split / f"{name}.txt"
            if not label.exists():  # never overwrite labels someone already drew
                label.write_text("")
            count += 1
        used += 1
    for split in ("train", "val"):
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
    data_yaml = out / "data.yaml"
    if not data_yaml.exists():
        data_yaml.write_text(data_yaml_text(out, names))
    return ExtractSummary(count, used, skipped, data_yaml)


@dataclass
class TrainSummary:
    folder: Path
    metrics: dict[str, float]
    epochs: int


def train_detector(
    data_yaml: Path,
    epochs: int = 100,
    imgsz: int = 640,
    model: str = "yolov8n.yaml",
    batch: int = 16,
    register_as: str | None = "yolo-artifacts",
    out: Path | None = None,
    seed: int = 0,
    device: str = "cpu",
    workdir: Path | None = None,
) -> TrainSummary:
    """Train an ultralytics YOLO (from its architecture yaml) and save it as safetensors + json.

    The result goes to ``out`` if given, else to the registry folder of ``register_as``.
    """
    quiet_ultralytics()
    from ultralytics import YOLO
    from ultralytics.nn.tasks import DetectionModel

    data_yaml = Path(data_yaml)
    if not data_yaml.is_file():
        raise FileNotFoundError(f"dataset description not found: {data_yaml}")
    if not model.endswith((".yaml", ".yml")):
        raise ValueError(f"--model takes an architecture yaml such as yolov8n.yaml or yolov3u.yaml, got {model!r}")
    workdir = Path(workdir or data_yaml.parent / "training")
    yolo = YOLO(model)
    yolo.train(
        data=str(data_yaml),
        epochs=epochs,
        imgsz=imgsz,
        batch=batch,
        device=device,
        workers=0,
        plots=False,
        project=str(workdir),
        name="run",
        exist_ok=True,
        verbose=False,
        amp=False,
        seed=seed,
        deterministic=True,
        pretrained=False,
    )
    if out:
        target = Path(out)
    elif register_as:
        target = WEIGHTS.get(register_as).local_dir()
    else:
        raise ValueError("give out or register_as: where the trained detector goes")
    # after training, ultralytics has reloaded the best epoch into yolo.model; scoring reads safetensors only
    trained, trainer = yolo.model, yolo.trainer
    if not isinstance(trained, DetectionModel) or trainer is None:
        raise RuntimeError("ultralytics finished training without a model or trainer to read")
    save_detector(trained.float(), trained.names, target, imgsz=imgsz)
    metrics = {k: float(v) for k, v in (trainer.metrics or {}).items()}
    return TrainSummary(target, metrics, epochs)
