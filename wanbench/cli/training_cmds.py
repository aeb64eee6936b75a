"""Training: the Human Artifacts detector (artifacts extract / train) and the Wan DiT (train)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from wanbench.cli.app import (
    app,
    artifacts_app,
    err,
    out,
    user_errors,
)


@artifacts_app.command("extract")
def artifacts_extract_command(
    videos: list[Path] = typer.Argument(..., help="Video files or folders (searched recursively)."),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Dataset folder to write (YOLO layout)."),
    frames: int = typer.Option(8, "--frames", help="Frames sampled evenly from each video."),
    val_share: float = typer.Option(0.2, "--val-share", help="Share of videos put in the validation split."),
) -> None:
    """Write sampled frames in YOLO dataset layout (images/, empty labels/, data.yaml) for labelling.

    Label each artifact as one line "CLASS CX CY W H" (normalised) in the frame's .txt file with
    any YOLO-format labelling tool, then train:  wanbench artifacts train --data OUT/data.yaml
    Existing label files are never overwritten.

    Example:  wanbench artifacts extract runs/wan-1.3b/videos -o artifacts-data
    """
    from wanbench.training.artifacts import ARTIFACT_CLASSES, extract_frames

    with user_errors():
        summary = extract_frames(videos, out_dir, frames_per_video=frames, val_share=val_share)
    for line in summary.skipped:
        err.print(f"skipped: {line}", highlight=False)
    out.print(
        f"{summary.images} frames from {summary.videos} videos -> {out_dir}; classes: "
        f"{', '.join(ARTIFACT_CLASSES)}; dataset: {summary.data_yaml}",
        highlight=False,
    )


@artifacts_app.command("train")
def artifacts_train_command(
    data: Path = typer.Option(..., "--data", help="data.yaml of a labelled YOLO dataset."),
    epochs: int = typer.Option(100, "--epochs"),
    imgsz: int = typer.Option(640, "--imgsz", help="Training image size."),
    model: str = typer.Option(
        "yolov8n.yaml", "--model", help="Architecture yaml (yolov8n.yaml, yolov3u.yaml, yolo11n.yaml...)."
    ),
    batch: int = typer.Option(16, "--batch"),
    device: str = typer.Option("cpu", "--device", help="cpu, or a CUDA index such as 0."),
    out_dir: Path | None = typer.Option(
        None, "--out", "-o", help="Write the detector here instead of registering it as yolo-artifacts."
    ),
) -> None:
    """Train the artifact detector (ultralytics) and register it for Human Artifacts.

    The result is stored as safetensors + json (never a pickle) in $WANBENCH_HOME/weights/yolo-artifacts/
    unless --out is given; `wanbench eval` then scores Human Artifacts with it.

    Example:  wanbench artifacts train --data artifacts-data/data.yaml
    """
    from wanbench.training.artifacts import train_detector

    with user_errors():
        summary = train_detector(data, epochs=epochs, imgsz=imgsz, model=model, batch=batch, device=device, out=out_dir)
    shown = {k: round(v, 4) for k, v in summary.metrics.items() if k.startswith("metrics/")}
    out.print(f"artifact detector ({summary.epochs} epochs) -> {summary.folder}; validation: {shown}", highlight=False)


@app.command("train")
def train_command(
    videos: Path = typer.Option(..., "--videos", help="Folder of NAME.mp4 clips with NAME.txt captions."),
    base: Path = typer.Option(..., "--weights", help="Release folder (official layout) to start from."),
    config: str = typer.Option("tiny", "--config", help="wanmodel preset: tiny, t2v-1.3b, t2v-14b."),
    out_dir: Path = typer.Option(Path("runs/train"), "--out", "-o", help="Checkpoints and the trained release."),
    steps: int = typer.Option(100, "--steps"),
    frames: int = typer.Option(9, "--frames", help="Frames per clip (4k+1)."),
    size: str = typer.Option("64x48", "--size", help="WIDTHxHEIGHT (multiples of 16)."),
    lr: float = typer.Option(1e-4, "--lr"),
    lr_schedule: str = typer.Option("constant", "--lr-schedule", help="constant, or cosine (down to 0 at --steps)."),
    ema: float = typer.Option(
        0.0,
        "--ema",
        help="Keep a moving average of the weights with this decay (e.g. "
        "0.999) and release it; 0: release the last weights.",
    ),
    batch_size: int = typer.Option(1, "--batch-size"),
    save_every: int = typer.Option(100, "--save-every"),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoint."),
    from_scratch: bool = typer.Option(False, "--from-scratch", help="Random DiT instead of the release's."),
) -> None:
    """Train the DiT on captioned videos (rectified flow); writes OUT/release for the wan-* adapters.

    Example:  wanbench train --videos clips/ --weights wanbench/data/models/wan-tiny --steps 200 -o runs/train
    """
    from wanbench.run.options import parse_size
    from wanbench.training.dit import train_on_folder

    with user_errors():
        width, height = parse_size(size)
        with Progress(
            TextColumn("[bold]training"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[loss]}"),
            TimeElapsedColumn(),
            console=err,
        ) as bar:
            task = bar.add_task("train", total=steps, loss="")
            release = train_on_folder(
                videos,
                base,
                config,
                out_dir,
                steps,
                frames,
                width,
                height,
                lr=lr,
                batch_size=batch_size,
                save_every=save_every,
                resume=resume,
                from_scratch=from_scratch,
                lr_schedule=lr_schedule,
                ema_decay=ema,
                progress=lambda r: bar.update(task, completed=r["step"], loss=f"loss {r['loss']:.4f}"),
            )
    out.print(f"trained release: {release} (use --option weights={release})", highlight=False)
