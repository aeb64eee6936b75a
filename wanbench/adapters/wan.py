"""Wan 2.1 text-to-video models (wanmodel) as benchmark adapters: wan-tiny, wan-1.3b, wan-14b.

Weights are looked for, in order, at the ``weights=`` option, under ``$WANBENCH_HOME``, and in the
Hugging Face cache (offline: nothing is downloaded here). When they are absent the adapter refuses
to start with one line naming what is missing, where it looked, and the command that fetches them.
Models load on first use, so listing or checking an adapter costs nothing.

Options for big models and small GPUs, as the official ``generate.py`` has them:
``offload=model`` keeps each of text encoder, DiT and VAE on the GPU only while it runs;
``t5_cpu=true`` runs the text encoder on the CPU; ``ulysses=N`` (under torchrun, set by
``--ulysses N``) runs the model over groups of N ranks with FSDP2 and Ulysses sequence parallelism
(``wanmodel/parallel.py``, ``wanbench/run/rank_groups.py``). None of them changes the frames.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from wanbench.adapters.base import AdapterError, ModelAdapter
from wanbench.adapters.loading import (
    choose_device,
    default_dtype,
    find_weights,
    on_gpu,
    release_folder,
    weights_fingerprint,
)
from wanbench.model_weights import wanbench_home
from wanbench.prompts.suite import Prompt
from wanbench.video import write_video

if TYPE_CHECKING:
    from wanmodel.pipeline import WanPipeline

FPS = 16.0  # Wan 2.1 generates 16 frames per second


class WanAdapter(ModelAdapter):
    preset = ""
    repos: tuple[str, ...] = ()  # Hugging Face repos holding a release, official layout first
    default_size = (832, 480)
    default_frames = 81
    negative_prompt: str | None = None  # None: the official negative prompt
    empty_negative = "default"  # an empty negative prompt means the official one, as in the official code
    option_bounds = {
        "steps": (1, None),
        "shift": (0, None),
        "guidance": (0, None),
        "frames": (1, None),
        "width": (16, None),
        "height": (16, None),
        "ulysses": (1, None),
    }

    def __init__(
        self,
        weights: str | None = None,
        steps: int | None = None,
        shift: float | None = None,
        guidance: float | None = None,
        frames: int | None = None,
        width: int | None = None,
        height: int | None = None,
        sampler: str = "unipc",
        device: str | None = None,
        dtype: str = "auto",
        offload: str | bool = "none",
        t5_cpu: bool = False,
        ulysses: int = 1,
    ) -> None:
        from wanmodel.configs import get_config

        self.config = get_config(self.preset)
        from wanmodel.configs import SamplingConfig

        try:  # the frame count and size rules, before looking for weights (not after loading them)
            SamplingConfig(
                frames=frames or self.default_frames,
                width=width or self.default_size[0],
                height=height or self.default_size[1],
            ).check((self.config.vae.temporal_stride, self.config.vae.spatial_stride), self.config.dit.patch_size[1:])
        except ValueError as exc:
            raise AdapterError(f"{self.name}: {exc}") from None
        self.root = self._resolve(weights)
        self.overrides = {
            "steps": steps,
            "shift": shift,
            "guidance": guidance,
            "sampler": sampler,
            "frames": frames or self.default_frames,
            "width": width or self.default_size[0],
            "height": height or self.default_size[1],
            "negative_prompt": self.negative_prompt,
        }
        if dtype not in ("auto", "bfloat16", "float32"):
            raise AdapterError(f"{self.name}: dtype must be auto, bfloat16 or float32, got {dtype!r}")
        if isinstance(offload, bool):  # offload=true, as the diffusers baselines spell it
            offload = "model" if offload else "none"
        if offload not in ("none", "model"):
            raise AdapterError(f"{self.name}: offload must be none or model, got {offload!r}")
        if not isinstance(ulysses, int) or ulysses < 1:
            raise AdapterError(f"{self.name}: ulysses must be a positive integer, got {ulysses!r}")
        if ulysses > 1 and offload != "none":
            raise AdapterError(
                f"{self.name}: offload=model and ulysses>1 do not combine (FSDP2 already shards the weights)"
            )
        heads = self.config.dit.num_heads
        if heads % ulysses:
            raise AdapterError(f"{self.name}: ulysses={ulysses} must divide the DiT's {heads} attention heads")
        self.device = device
        self.dtype = dtype
        self.offload, self.t5_cpu, self.ulysses = offload, bool(t5_cpu), ulysses
        self._pipeline: WanPipeline | None = None
        self.group = None
        if ulysses > 1:  # process groups are made by every rank at start-up, before any work
            import os

            import torch.distributed as dist

            from wanbench.run.rank_groups import SequenceGroup

            if not dist.is_initialized() and "MASTER_ADDR" not in os.environ:
                raise AdapterError(
                    f"{self.name}: ulysses={ulysses} needs torchrun's ranks "
                    "(torchrun --nproc-per-node N -m wanbench ... --ulysses N)"
                )

            self.group = SequenceGroup(ulysses, "cuda" if on_gpu(choose_device(self.device)) else "cpu")

    def _candidates(self, weights: str | None) -> list[Path]:
        if weights:
            return [Path(weights)]
        return [release_folder(repo) for repo in self.repos]

    def _resolve(self, weights: str | None) -> Path:
        from wanmodel.checkpoint import CheckpointError, locate_weights

        def problem(folder: Path) -> str | None:
            try:
                locate_weights(folder)
            except CheckpointError as exc:
                return str(exc)
            return None

        fetch = (
            f"hf download {self.repos[0]} --local-dir {release_folder(self.repos[0])}"
            if self.repos
            else "make tiny-model"
        )
        return find_weights(self.name, self._candidates(weights), () if weights else self.repos, problem, fetch)

    def pipeline(self):
        if self._pipeline is None:
            import torch

            from wanmodel.pipeline import WanPipeline

            device = choose_device(self.device)
            dtype = getattr(torch, default_dtype(device) if self.dtype == "auto" else self.dtype)
            pipeline = WanPipeline.from_weights(
                self.root, self.config, device=device, dtype=dtype, offload=self.offload == "model", t5_cpu=self.t5_cpu
            )
            if self.group is not None:
                from wanmodel.parallel import parallelize_pipeline

                parallelize_pipeline(pipeline, self.group.mesh, t5_fsdp=not self.t5_cpu)
            self._pipeline = pipeline
        return self._pipeline

    def settings_used(self) -> dict[str, Any]:
        """The sampling that runs: the preset's own defaults (steps, shift, guidance, ...) under the
        options given, known without loading the pipeline."""
        from dataclasses import asdict, replace

        given: dict[str, Any] = {k: v for k, v in self.overrides.items() if v is not None}
        return {"sampling": asdict(replace(self.config.sampling, **given)), "dtype": self.dtype}

    def generate_frames(self, text: str, seed: int):
        """uint8 frames [T, H, W, 3]; every rank of a Ulysses group calls this for the same (text, seed)."""
        pipeline = self.pipeline()
        sampling = pipeline.with_defaults(**self.overrides, empty_negative=self.empty_negative)
        report = self.step_callback
        callback = (lambda step, _x: report(step + 1, sampling.steps)) if report else None
        return pipeline.generate(text, seed=seed, sampling=sampling, callback=callback)

    def generate(self, prompt: Prompt, seed: int, out_path: Path) -> Path:
        if self.group is not None:
            self.group.announce(prompt.text, seed)  # the followers generate it with us
        return write_video(out_path, self.generate_frames(prompt.text, seed), FPS)

    def finish(self) -> None:
        """Leader of a Ulysses group: the run is over, let the other ranks return."""
        if self.group is not None:
            self.group.release()

    def follow(self) -> int:
        """Non-leader rank of a Ulysses group: generate along with the leader until it releases us."""
        if self.group is None:
            raise AdapterError(f"{self.name}: follow() needs ulysses > 1")
        return self.group.follow(self)

    def info(self) -> dict[str, Any]:
        from wanmodel.checkpoint import locate_weights

        weights = locate_weights(self.root)
        files = [
            f
            for part in (weights.dit, weights.vae, weights.text_encoder, weights.tokenizer)
            for f in component_files(part)
        ]
        # by content, not location: the same release copied elsewhere resumes the run
        return {
            "adapter": self.name,
            "preset": self.preset,
            "layout": weights.layout,
            "files": weights_fingerprint(self.root, files),
            "sampling": self.overrides,
            "dtype": self.dtype,
        }


def component_files(path: Path) -> list[Path]:
    """The files a release component is read from: the file, a shard index and the shards it names,
    or every file of a component folder (diffusers layout, tokenizer)."""
    import json

    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if path.name.endswith(".index.json"):
        shards = sorted(set(json.loads(path.read_text())["weight_map"].values()))
        return [path, *(path.parent / name for name in shards)]
    return [path]


class WanTiny(WanAdapter):
    name = "wan-tiny"
    description = "wanmodel tiny config (CPU-sized); weights from wanbench/data/models/wan-tiny or weights=DIR"
    preset = "tiny"
    default_size = (64, 48)
    default_frames = 9
    negative_prompt = ""  # trained with caption dropout: the empty caption is its unconditional branch
    empty_negative = "empty"  # ... so the empty string is encoded as it is

    def _candidates(self, weights: str | None) -> list[Path]:
        if weights:
            return [Path(weights)]
        from wanbench.resources import bundled_model

        return [bundled_model("wan-tiny"), wanbench_home() / "wan-tiny"]


class Wan13B(WanAdapter):
    name = "wan-1.3b"
    description = "Wan 2.1 T2V-1.3B through wanmodel (official or diffusers weights)"
    preset = "t2v-1.3b"
    repos = ("Wan-AI/Wan2.1-T2V-1.3B", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers")


class Wan14B(WanAdapter):
    name = "wan-14b"
    description = "Wan 2.1 T2V-14B through wanmodel (official or diffusers weights)"
    preset = "t2v-14b"
    repos = ("Wan-AI/Wan2.1-T2V-14B", "Wan-AI/Wan2.1-T2V-14B-Diffusers")
    default_size = (1280, 720)
