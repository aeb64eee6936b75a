"""Other text-to-video models through diffusers, as baselines beside Wan: HunyuanVideo, Mochi,
CogVideoX, LTX-Video, or any diffusers text-to-video folder (``diffusers``, with ``weights=DIR``).

A named baseline knows its Hugging Face repo (diffusers layout), the pipeline class that repo must
hold, its frame rate and the generation settings its authors publish; anything can be overridden
with ``--option``. Weights are looked for as for Wan (``weights=``, ``$WANBENCH_HOME/<repo name>``,
the Hugging Face cache) and never downloaded here. Loading is safetensors only, with no remote
code. diffusers is imported on first use, so the harness runs without it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from wanbench.adapters.base import AdapterError, ModelAdapter
from wanbench.adapters.wan import release_folder
from wanbench.suite import Prompt
from wanbench.video import write_video


@dataclass(frozen=True)
class BaselineSpec:
    repo: str  # Hugging Face repo in the diffusers layout
    pipeline: str  # the pipeline class its model_index.json must name
    fps: float  # the frame rate the model is trained for: written into the mp4, so motion is per second
    settings: dict[str, Any] = field(default_factory=dict)  # published settings beyond the pipeline's defaults
    variant: str | None = None  # weights variant to prefer (e.g. "bf16")


# Settings as their authors publish them; the pipelines' own defaults fill in the rest.
BASELINES = {
    "hunyuan-video": BaselineSpec("hunyuanvideo-community/HunyuanVideo", "HunyuanVideoPipeline", 24.0,
                                  {"frames": 129, "width": 1280, "height": 720, "steps": 50, "guidance": 6.0}),
    "mochi": BaselineSpec("genmo/mochi-1-preview", "MochiPipeline", 30.0,
                          {"frames": 163, "width": 848, "height": 480, "steps": 64, "guidance": 4.5}, variant="bf16"),
    "cogvideox-5b": BaselineSpec("THUDM/CogVideoX-5b", "CogVideoXPipeline", 8.0,
                                 {"frames": 49, "width": 720, "height": 480, "steps": 50, "guidance": 6.0}),
    "ltx-video": BaselineSpec("Lightricks/LTX-Video", "LTXPipeline", 25.0,
                              {"frames": 161, "width": 704, "height": 512, "steps": 50, "guidance": 3.0}),
}

CALL_ARGUMENTS = {"steps": "num_inference_steps", "guidance": "guidance_scale", "frames": "num_frames",
                  "width": "width", "height": "height", "negative_prompt": "negative_prompt"}


class DiffusersAdapter(ModelAdapter):
    """Any diffusers text-to-video folder: ``--model diffusers --option weights=DIR --option fps=16``."""

    name = "diffusers"
    description = "any diffusers text-to-video pipeline folder (weights=DIR, fps=N)"
    spec: BaselineSpec | None = None

    def __init__(self, weights: str | None = None, steps: int | None = None, guidance: float | None = None,
                 frames: int | None = None, width: int | None = None, height: int | None = None,
                 fps: float | None = None, negative_prompt: str | None = None, device: str | None = None,
                 dtype: str = "auto", offload: bool = False) -> None:
        if self.spec is None and not weights:
            raise AdapterError("diffusers: give the pipeline folder with --option weights=DIR")
        if dtype not in ("auto", "bfloat16", "float16", "float32"):
            raise AdapterError(f"{self.name}: dtype must be auto, bfloat16, float16 or float32, got {dtype!r}")
        self.root = self._resolve(weights)
        self.pipeline_class = self._check_layout(self.root)
        asked = {"steps": steps, "guidance": guidance, "frames": frames, "width": width, "height": height,
                 "negative_prompt": negative_prompt}
        published = self.spec.settings if self.spec else {}
        self.settings = published | {k: v for k, v in asked.items() if v is not None}
        self.fps = float(fps or (self.spec.fps if self.spec else 16.0))
        self.device, self.dtype, self.offload = device, dtype, offload
        self._pipeline = None
        self.step_callback = None  # (step, total) while denoising, e.g. for a progress bar

    # -- weights -----------------------------------------------------------------------------
    def _resolve(self, weights: str | None) -> Path:
        if weights:
            return Path(weights)
        assert self.spec is not None
        local = release_folder(self.spec.repo)
        if (local / "model_index.json").is_file():
            return local
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(self.spec.repo, local_files_only=True))
        except Exception:  # absent from the cache: reported below with where we looked
            pass
        raise AdapterError(f"{self.name}: weights not found; looked in {local} and the Hugging Face cache "
                           f"({self.spec.repo}); fetch them with: hf download {self.spec.repo} "
                           f"--local-dir {local}")

    def _check_layout(self, root: Path) -> str:
        index = root / "model_index.json"
        if not index.is_file():
            raise AdapterError(f"{self.name}: {root} is not a diffusers pipeline folder (no model_index.json)")
        found = json.loads(index.read_text()).get("_class_name", "")
        if self.spec is not None and found != self.spec.pipeline:
            raise AdapterError(f"{self.name}: {root} holds a {found or 'unnamed'} pipeline, expected "
                               f"{self.spec.pipeline}")
        return found

    # -- generation --------------------------------------------------------------------------
    def pipeline(self):
        if self._pipeline is None:
            try:
                import diffusers
            except ImportError:
                raise AdapterError(f"{self.name}: needs diffusers (pip install 'wanbench[baselines]')") from None
            import torch

            device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
            dtype = {"auto": torch.bfloat16 if device.startswith("cuda") else torch.float32,
                     "bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[self.dtype]
            variant = self.spec.variant if self.spec else None
            if variant and not any(self.root.rglob(f"*.{variant}*.safetensors")):
                variant = None
            pipe = diffusers.DiffusionPipeline.from_pretrained(self.root, dtype=dtype, use_safetensors=True,
                                                               variant=variant, trust_remote_code=False)
            if self.offload and device.startswith("cuda"):
                pipe.enable_model_cpu_offload()
            else:
                pipe.to(device)
            pipe.set_progress_bar_config(disable=True)
            self._pipeline, self._device = pipe, device
        return self._pipeline

    def call_arguments(self, pipe: Any, prompt: str, seed: int) -> dict[str, Any]:
        """Our settings under the pipeline's argument names, keeping only the ones it takes."""
        import torch

        accepted = inspect.signature(pipe.__call__).parameters
        kwargs: dict[str, Any] = {"prompt": prompt, "output_type": "np",
                                  "generator": torch.Generator(device=self._device).manual_seed(seed)}
        for ours, theirs in CALL_ARGUMENTS.items():
            if ours in self.settings and theirs in accepted:
                kwargs[theirs] = self.settings[ours]
        if "frame_rate" in accepted:
            kwargs["frame_rate"] = int(round(self.fps))
        if self.step_callback is not None and "callback_on_step_end" in accepted:
            report, total = self.step_callback, int(kwargs.get("num_inference_steps", 0))

            def on_step_end(_pipe, step, _timestep, outputs):
                report(step + 1, total)
                return outputs

            kwargs["callback_on_step_end"] = on_step_end
        return kwargs

    def generate(self, prompt: Prompt, seed: int, out_path: Path) -> Path:
        pipe = self.pipeline()
        result = pipe(**self.call_arguments(pipe, prompt.text, seed))
        frames = np.asarray(result.frames[0], dtype=np.float32)  # [T, H, W, 3] in [0, 1]
        if not np.isfinite(frames).all():
            raise AdapterError(f"{self.name}: the pipeline returned non-finite pixels")
        return write_video(out_path, (frames.clip(0, 1) * 255).round().astype(np.uint8), self.fps)

    def info(self) -> dict[str, Any]:
        index = (self.root / "model_index.json").read_bytes()
        weights = sorted(self.root.rglob("*.safetensors"))
        # size and modification time of each weights file: cheap, and changes when the weights do
        fingerprint = {str(p.relative_to(self.root)): [p.stat().st_size, p.stat().st_mtime_ns] for p in weights}
        return {"adapter": self.name, "pipeline": self.pipeline_class, "weights": str(self.root),
                "model_index_sha256": hashlib.sha256(index).hexdigest(), "files": fingerprint,
                "settings": self.settings, "fps": self.fps, "dtype": self.dtype}


class HunyuanVideo(DiffusersAdapter):
    name, spec = "hunyuan-video", BASELINES["hunyuan-video"]
    description = "HunyuanVideo (13B) through diffusers"


class Mochi(DiffusersAdapter):
    name, spec = "mochi", BASELINES["mochi"]
    description = "Genmo Mochi 1 preview (10B) through diffusers"


class CogVideoX5B(DiffusersAdapter):
    name, spec = "cogvideox-5b", BASELINES["cogvideox-5b"]
    description = "CogVideoX-5B through diffusers"


class LTXVideo(DiffusersAdapter):
    name, spec = "ltx-video", BASELINES["ltx-video"]
    description = "Lightricks LTX-Video through diffusers"
