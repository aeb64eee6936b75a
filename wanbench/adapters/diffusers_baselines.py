"""Other text-to-video models through diffusers, run the way their authors run them.

A named baseline (``hunyuan-video``, ``mochi``, ``cogvideox-5b``, ``ltx-video``, ``wan2.2-ti2v-5b``,
``wan2.2-t2v-a14b``, ``skyreels-v2-t2v-14b``, ``sana-video-2b``) follows its recipe
(wanbench/adapters/recipes.py: scheduler, guidance, size, frames, fps, dtype per component,
negative prompt, decode settings, each with its source). ``diffusers`` runs any diffusers
text-to-video folder (``weights=DIR``) with the pipeline's own defaults.

Options (``--option KEY=VALUE``) are checked before anything loads: any argument of the
pipeline's ``__call__`` by its own name (``max_sequence_length=16``, ``use_dynamic_cfg=false``),
the short names ``steps``, ``guidance``, ``frames``, ``width``, ``height``, and the adapter's own
settings (``weights``, ``fps``, ``device``, ``dtype``, ``dtype.<component>``, ``scheduler``,
``scheduler.<config key>``, ``config.<pipeline config key>``, ``prompt_suffix``, ``offload``).
An unknown key is refused with a did-you-mean. Weights are looked for as for Wan (``weights=``,
``$WANBENCH_HOME/<repo name>``, the Hugging Face cache) and never downloaded here; loading is
safetensors only, with no remote code. diffusers is imported when an adapter is made.
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import json
from pathlib import Path
from typing import Any

import numpy as np

from wanbench.adapters.base import AdapterError, ModelAdapter
from wanbench.adapters.loading import (
    choose_device,
    default_dtype,
    find_weights,
    on_gpu,
    release_folder,
    weights_fingerprint,
)
from wanbench.adapters.option_check import OptionSpec, signature_specs
from wanbench.adapters.recipes import RECIPES, Recipe
from wanbench.prompts.suite import Prompt
from wanbench.video import write_video

# "bfloat16-linear": float32 parameters with the Linear layers in bfloat16 (Genmo's Mochi runs its
# DiT as float32 parameters under bfloat16 autocast: matmuls in bfloat16, norms and the rest in float32).
DTYPES = ("bfloat16", "float16", "float32", "bfloat16-linear")
LINEAR_ONLY = "bfloat16-linear"
# Pipeline arguments that only act when the VAE's decoder is timestep-conditioned (LTX-Video 0.9.1+);
# the 0.9 VAE has no such decoder, so they are left out of its call (recorded in the settings).
DECODE_ARGUMENTS = ("decode_timestep", "decode_noise_scale")
# The adapter's own settings (not pipeline arguments), with what each does.
ADAPTER_SETTINGS = {
    "weights": "pipeline folder (default: $WANBENCH_HOME/<repo name> or the Hugging Face cache)",
    "fps": "frame rate written into the mp4",
    "device": "cuda, cuda:N or cpu (default: cuda when present)",
    "dtype": "dtype of every component (bfloat16, float16, float32; auto: the recipe's)",
    "offload": "true: model CPU offload (GPU only)",
    "scheduler": "diffusers scheduler class to swap in, e.g. CogVideoXDPMScheduler",
    "prompt_suffix": "text appended to every prompt",
    "variant": "weights variant to prefer when present, e.g. bf16 (none: the plain files)",
}
SETTING_TYPES: dict[str, Any] = {
    "weights": str,
    "fps": float,
    "device": str,
    "dtype": str,
    "offload": bool,
    "scheduler": str,
    "prompt_suffix": str,
    "variant": str,
}
SETTING_BOUNDS = {"fps": (0.1, 240.0)}
# Bounds of pipeline arguments, checked before loading (a zero step count used to fail after loading).
CALL_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "num_inference_steps": (1, None),
    "num_frames": (1, None),
    "frames": (1, None),
    "height": (16, None),
    "width": (16, None),
    "guidance_scale": (0, None),
    "true_cfg_scale": (0, None),
}
PREFIXES = ("dtype.", "scheduler.", "config.")
# Short names the CLI and earlier versions use, mapped to the first pipeline argument that exists.
ALIASES = {
    "steps": ("num_inference_steps",),
    "guidance": ("guidance_scale",),
    "frames": ("num_frames", "frames"),
    "width": ("width",),
    "height": ("height",),
}
# Pipeline arguments the adapter sets itself or that take tensors, lists or callables.
NOT_OPTIONS = {
    "prompt",
    "generator",
    "output_type",
    "return_dict",
    "callback_on_step_end",
    "callback_on_step_end_tensor_inputs",
    "attention_kwargs",
    "latents",
    "num_videos_per_prompt",
    "timesteps",
    "sigmas",
    "prompt_template",
    "callback",
    "callback_steps",
}
DENOISERS = ("transformer", "transformer_2")


def _diffusers():
    try:
        import diffusers
    except ImportError:
        raise AdapterError("diffusers baselines need diffusers (pip install 'wanbench[baselines]')") from None
    return diffusers


def _unknown(key: str, known: list[str], what: str) -> AdapterError:
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return AdapterError(f"unknown option {key!r} for {what}{hint} (known: {', '.join(sorted(set(known)))})")


def pipeline_arguments(pipeline_cls: type) -> list[str]:
    """The ``__call__`` arguments of a pipeline class that can be given as options."""
    params = inspect.signature(pipeline_cls.__call__).parameters
    return [
        p
        for p in params
        if p != "self"
        and p not in NOT_OPTIONS
        and params[p].kind is not inspect.Parameter.VAR_KEYWORD
        and not p.endswith("_embeds")
        and not p.endswith("attention_mask")
    ]


class DiffusersAdapter(ModelAdapter):
    """Any diffusers text-to-video folder: ``--model diffusers --option weights=DIR --option fps=16``."""

    name = "diffusers"
    description = "any diffusers text-to-video pipeline folder (weights=DIR, fps=N)"
    recipe: Recipe | None = None

    @classmethod
    def option_specs(cls, options: dict[str, Any]) -> dict[str, OptionSpec]:
        """The adapter's settings and its pipeline's ``__call__`` arguments, typed as the pipeline
        declares them (a generic folder's pipeline is read from its model_index.json; when there is
        none, the constructor reports it and every name passes here)."""
        diffusers = _diffusers()
        if cls.recipe is not None:
            class_name = cls.recipe.pipeline
        else:
            index = Path(str(options.get("weights", ""))) / "model_index.json"
            class_name = json.loads(index.read_text()).get("_class_name", "") if index.is_file() else ""
        pipeline_cls = getattr(diffusers, class_name, None) if class_name else None
        if pipeline_cls is None:
            return {key: OptionSpec(Any) for key in options}
        arguments = signature_specs(pipeline_cls.__call__, CALL_BOUNDS)
        specs = {k: v for k, v in arguments.items() if k in pipeline_arguments(pipeline_cls)}
        specs |= {k: OptionSpec(SETTING_TYPES[k], *SETTING_BOUNDS.get(k, (None, None))) for k in ADAPTER_SETTINGS}
        for alias, targets in ALIASES.items():
            target = next((t for t in targets if t in specs), None)
            if target is not None:
                specs[alias] = specs[target]
        modules, config_keys = pipeline_cls._get_signature_keys(pipeline_cls)
        specs |= {f"dtype.{m}": OptionSpec(str) for m in modules if m != "scheduler" and not m.startswith("tokenizer")}
        specs |= {f"config.{k}": OptionSpec(Any) for k in config_keys}
        specs |= {k: OptionSpec(Any) for k in options if k.startswith("scheduler.")}  # checked against the class
        return specs

    def __init__(self, **options: Any) -> None:
        diffusers = _diffusers()
        weights = options.pop("weights", None)
        if self.recipe is None and not weights:
            raise AdapterError("diffusers: give the pipeline folder with --option weights=DIR")
        root = Path(weights) if weights else None
        class_name = self.recipe.pipeline if self.recipe else self._check_layout(root)
        pipeline_cls = getattr(diffusers, class_name, None)
        if pipeline_cls is None:
            raise AdapterError(f"{self.name}: diffusers {diffusers.__version__} has no pipeline {class_name}")
        self.pipeline_cls: type = pipeline_cls
        self._read_options(options, diffusers)  # before looking for weights: a typo is reported first
        self.root = root if root is not None else self._find_weights()
        self.pipeline_class = self._check_layout(self.root)
        self._pipeline = None

    # -- options -----------------------------------------------------------------------------
    def _read_options(self, options: dict[str, Any], diffusers: Any) -> None:
        recipe = self.recipe
        arguments = pipeline_arguments(self.pipeline_cls)
        modules, config_keys = self.pipeline_cls._get_signature_keys(self.pipeline_cls)  # type: ignore[attr-defined]
        modules = [m for m in modules if m != "scheduler" and not m.startswith("tokenizer")]  # the ones with a dtype
        known = list(ADAPTER_SETTINGS) + list(ALIASES) + arguments + [f"dtype.{m}" for m in modules]
        known += [f"config.{k}" for k in config_keys]
        self.call = {k: s.value for k, s in recipe.call.items()} if recipe else {}
        self.config = {k: s.value for k, s in recipe.config.items()} if recipe else {}
        self.recipe_dtypes = {k: s.value for k, s in recipe.dtypes.items()} if recipe else {}
        self.asked_dtypes: dict[str, str] = {}
        scheduler = recipe.scheduler.value if recipe and recipe.scheduler else None
        self.scheduler_class: str | None = scheduler[0] if scheduler else None
        self.scheduler_config: dict[str, Any] = dict(scheduler[1]) if scheduler else {}
        self.fps = float(recipe.fps.value) if recipe else 16.0
        self.prompt_suffix = recipe.prompt_suffix.value if recipe and recipe.prompt_suffix else ""
        self.device, self.offload = None, False
        self.variant = recipe.variant if recipe else None
        what = f"{self.name} ({self.pipeline_cls.__name__})"
        for key, value in options.items():
            if key in ALIASES:
                target = next((a for a in ALIASES[key] if a in arguments), None)
                if target is None:
                    raise AdapterError(f"{what}: the pipeline takes no {' or '.join(ALIASES[key])} (option {key!r})")
                self.call[target] = value
            elif key in arguments:
                self.call[key] = value
            elif key == "fps":
                self.fps = float(value)
            elif key == "device":
                self.device = str(value)
            elif key == "offload":
                self.offload = bool(value)
            elif key == "variant":
                self.variant = None if str(value).lower() in ("", "none") else str(value)
            elif key == "prompt_suffix":
                self.prompt_suffix = str(value)
            elif key == "dtype" and value == "auto":
                self.asked_dtypes.pop("default", None)  # the recipe's dtypes on a GPU, float32 on a CPU
            elif key == "dtype" or key.startswith("dtype."):
                component = key.partition(".")[2] or "default"
                if component != "default" and component not in modules:
                    raise _unknown(key, known, what)
                if value not in DTYPES:
                    raise AdapterError(f"{what}: {key} must be one of {', '.join(DTYPES)}, got {value!r}")
                if value == LINEAR_ONLY and component == "default":
                    raise AdapterError(
                        f"{what}: {LINEAR_ONLY} is set per component, e.g. dtype.transformer={LINEAR_ONLY}"
                    )
                if component == "default":  # one dtype for all: drops the recipe's per-component ones
                    self.recipe_dtypes = {}
                self.asked_dtypes[component] = str(value)
            elif key == "scheduler":
                if not str(value).endswith("Scheduler") or not hasattr(diffusers, str(value)):
                    close = difflib.get_close_matches(
                        str(value), [n for n in dir(diffusers) if n.endswith("Scheduler")]
                    )
                    hint = f"; did you mean {', '.join(close)}?" if close else ""
                    raise AdapterError(f"{what}: diffusers has no scheduler {value!r}{hint}")
                if value != self.scheduler_class:
                    self.scheduler_config = {}  # the recipe's overrides belong to the recipe's scheduler
                self.scheduler_class = str(value)
            elif key.startswith("scheduler."):
                self.scheduler_config[key.partition(".")[2]] = value
            elif key.startswith("config.") and key.partition(".")[2] in config_keys:
                self.config[key.partition(".")[2]] = value
            else:
                raise _unknown(key, known, what)
        if self.scheduler_class is not None:
            self._check_scheduler_keys(getattr(diffusers, self.scheduler_class))
        if (
            self.call.get("negative_prompt")
            and "true_cfg_scale" in arguments
            and float(self.call.get("true_cfg_scale", 1.0)) <= 1.0
        ):
            raise AdapterError(
                f"{what}: negative_prompt has no effect while true_cfg_scale <= 1 (the pipeline runs "
                "no classifier-free guidance); add --option true_cfg_scale=N (N > 1) or drop it"
            )
        if (
            "true_cfg_scale" in arguments
            and float(self.call.get("true_cfg_scale", 1.0)) > 1.0
            and not self.call.get("negative_prompt")
        ):  # the pipeline would silently run without classifier-free guidance
            raise AdapterError(
                f"{what}: true_cfg_scale > 1 needs a negative prompt (without one the pipeline silently "
                "runs no classifier-free guidance); add --option negative_prompt=TEXT"
            )
        if self.fps <= 0:
            raise AdapterError(f"{what}: fps must be positive, got {self.fps}")

    def _check_scheduler_keys(self, scheduler_cls: type) -> None:
        accepted = [p for p in inspect.signature(scheduler_cls).parameters]  # the constructor's, without self
        for key in self.scheduler_config:
            if key not in accepted:
                raise _unknown(f"scheduler.{key}", [f"scheduler.{a}" for a in accepted], scheduler_cls.__name__)

    # -- weights -----------------------------------------------------------------------------
    def _find_weights(self) -> Path:
        assert self.recipe is not None
        repo, local = self.recipe.repo, release_folder(self.recipe.repo)

        def problem(folder: Path) -> str | None:  # which pipeline it holds is checked after (_check_layout)
            return None if (folder / "model_index.json").is_file() else f"no model_index.json in {folder}"

        return find_weights(self.name, [local], [repo], problem, f"hf download {repo} --local-dir {local}")

    def _check_layout(self, root: Path | None) -> str:
        index = (root or Path()) / "model_index.json"
        if root is None or not index.is_file():
            raise AdapterError(f"{self.name}: {root} is not a diffusers pipeline folder (no model_index.json)")
        found = json.loads(index.read_text()).get("_class_name", "")
        if self.recipe is not None and found != self.recipe.pipeline:
            raise AdapterError(
                f"{self.name}: {root} holds a {found or 'unnamed'} pipeline, expected {self.recipe.pipeline}"
            )
        return found

    # -- loading -----------------------------------------------------------------------------
    def dtypes(self, device: str) -> dict[str, str]:
        """Component -> dtype name ("default" for the rest): the recipe's on a GPU, float32 on the CPU
        (half precision is slow or unsupported there); ``dtype``/``dtype.X`` options win either way."""
        chosen = {"default": default_dtype(device)}
        if on_gpu(device):
            chosen |= self.recipe_dtypes
        return chosen | self.asked_dtypes

    def pipeline(self):
        if self._pipeline is None:
            import torch

            diffusers = _diffusers()
            device = choose_device(self.device)
            names = self.dtypes(device)
            dtype = {c: torch.float32 if name == LINEAR_ONLY else getattr(torch, name) for c, name in names.items()}
            variant = self.variant
            if variant and not any(self.root.rglob(f"*.{variant}*.safetensors")):
                variant = None
            pipe = diffusers.DiffusionPipeline.from_pretrained(
                self.root, dtype=dtype, use_safetensors=True, variant=variant, trust_remote_code=False, **self.config
            )
            if self.scheduler_class is not None or self.scheduler_config:
                scheduler_cls = (
                    getattr(diffusers, self.scheduler_class) if self.scheduler_class else type(pipe.scheduler)
                )
                self._check_scheduler_keys(scheduler_cls)
                pipe.scheduler = scheduler_cls.from_config(pipe.scheduler.config, **self.scheduler_config)
            for component, name in names.items():
                module = getattr(pipe, component, None) if component != "default" else None
                if name == LINEAR_ONLY and module is not None:
                    linear_in_bfloat16(module)
            if len(set(names.values()) - {LINEAR_ONLY}) > 1:
                for component in DENOISERS:
                    module = getattr(pipe, component, None)
                    if module is not None and names.get(component, names["default"]) != LINEAR_ONLY:
                        cast_around(module)
            self.decode_applies = bool(getattr(getattr(pipe, "vae", None), "config", {}).get("timestep_conditioning"))
            if self.offload and on_gpu(device):
                pipe.enable_model_cpu_offload()
            else:
                pipe.to(device)
            pipe.set_progress_bar_config(disable=True)
            self._pipeline, self._device = pipe, device
        return self._pipeline

    # -- generation --------------------------------------------------------------------------
    def call_arguments(self, pipe: Any, prompt: str, seed: int) -> dict[str, Any]:
        """The pipeline call: the recipe and the options under the pipeline's own argument names."""
        import torch

        accepted = inspect.signature(pipe.__call__).parameters
        kwargs: dict[str, Any] = {
            "prompt": prompt + self.prompt_suffix,
            "output_type": "np",
            "generator": torch.Generator(device=self._device).manual_seed(seed),
            **self.call,
        }
        if not getattr(self, "decode_applies", True):
            for name in DECODE_ARGUMENTS:
                kwargs.pop(name, None)
        if "frame_rate" in accepted and "frame_rate" not in self.call:  # LTX conditions on the frame rate
            kwargs["frame_rate"] = int(round(self.fps))
        if self.step_callback is not None and "callback_on_step_end" in accepted:
            report, total = (
                self.step_callback,
                int(kwargs.get("num_inference_steps") or accepted["num_inference_steps"].default),
            )

            def on_step_end(_pipe, step, _timestep, outputs):
                report(step + 1, total)
                return outputs

            kwargs["callback_on_step_end"] = on_step_end
        return kwargs

    def generate(self, prompt: Prompt, seed: int, out_path: Path) -> Path:
        pipe = self.pipeline()
        result = pipe(**self.call_arguments(pipe, prompt.text, seed))
        frames = np.asarray(result.frames[0], dtype=np.float32)  # [T, H, W, 3] in [0, 1]
        if frames.ndim != 4 or frames.shape[-1] != 3:
            raise AdapterError(f"{self.name}: the pipeline returned frames of shape {frames.shape}, not [T, H, W, 3]")
        if not np.isfinite(frames).all():
            raise AdapterError(f"{self.name}: the pipeline returned non-finite pixels")
        return write_video(out_path, (frames.clip(0, 1) * 255).round().astype(np.uint8), self.fps)

    def settings(self) -> dict[str, Any]:
        """Everything that decides the videos besides the weights and the seed."""
        return {
            "call": self.call,
            "scheduler": self.scheduler_class,
            "scheduler_config": self.scheduler_config,
            "config": self.config,
            "variant": self.variant,
            "dtypes_gpu": self.dtypes("cuda"),
            "dtypes_cpu": self.dtypes("cpu"),
            "prompt_suffix": self.prompt_suffix,
            "fps": self.fps,
            "decode_arguments": "passed only when the VAE's decoder is timestep-conditioned",
        }

    def info(self) -> dict[str, Any]:
        index = (self.root / "model_index.json").read_bytes()
        # by content, not location: the same pipeline copied elsewhere resumes the run
        fingerprint = weights_fingerprint(self.root, sorted(self.root.rglob("*.safetensors")))
        return {
            "adapter": self.name,
            "pipeline": self.pipeline_class,
            "repo": self.recipe.repo if self.recipe else None,
            "model_index_sha256": hashlib.sha256(index).hexdigest(),
            "files": fingerprint,
            "settings": self.settings(),
            "fps": self.fps,
            "device": self.device,
        }


def linear_in_bfloat16(module: Any) -> None:
    """Every nn.Linear of ``module`` in bfloat16, its inputs cast to bfloat16 and its outputs back to
    float32; every other parameter stays float32 (what bfloat16 autocast does to a float32 model's
    matmuls, without autocast, so it also runs where autocast does not)."""
    import torch

    def before(_mod, args):
        return tuple(a.to(torch.bfloat16) if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args)

    def after(_mod, _args, output):
        return output.to(torch.float32) if isinstance(output, torch.Tensor) else output

    for sub in module.modules():
        if isinstance(sub, torch.nn.Linear):
            sub.to(torch.bfloat16)
            sub.register_forward_pre_hook(before)
            sub.register_forward_hook(after)


def cast_around(module: Any) -> None:
    """Let a denoiser kept in another dtype than its neighbours run inside any pipeline: floating
    inputs are cast to its dtype, floating outputs back to the dtype its first input came in
    (Mochi's recipe: DiT in bfloat16 between a float32 text encoder and a float32 VAE)."""
    import torch

    def cast(value: Any, dtype: Any) -> Any:
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return value.to(dtype)
        if isinstance(value, (tuple, list)):
            return type(value)(cast(v, dtype) for v in value)
        if isinstance(value, dict):
            for key in list(value.keys()):
                value[key] = cast(value[key], dtype)
        return value

    def before(mod, args, kwargs):
        floats = [v for v in (*args, *kwargs.values()) if isinstance(v, torch.Tensor) and v.is_floating_point()]
        mod._wanbench_caller_dtype = floats[0].dtype if floats else None
        return cast(args, mod.dtype), {k: cast(v, mod.dtype) for k, v in kwargs.items()}

    def after(mod, _args, _kwargs, output):
        caller = getattr(mod, "_wanbench_caller_dtype", None)
        return cast(output, caller) if caller is not None else output

    module.register_forward_pre_hook(before, with_kwargs=True)
    module.register_forward_hook(after, with_kwargs=True)


def _baseline(adapter_name: str, label: str) -> type[DiffusersAdapter]:
    recipe = RECIPES[adapter_name]
    return type(
        adapter_name.replace("-", "_").replace(".", "_"),
        (DiffusersAdapter,),
        {
            "name": adapter_name,
            "recipe": recipe,
            "description": f"{label} through diffusers, its authors' recipe",
            "__doc__": f"{label}: {recipe.pipeline} from {recipe.repo}.",
        },
    )


HunyuanVideo = _baseline("hunyuan-video", "HunyuanVideo (13B)")
Mochi = _baseline("mochi", "Genmo Mochi 1 preview (10B)")
CogVideoX5B = _baseline("cogvideox-5b", "CogVideoX-5B")
LTXVideo = _baseline("ltx-video", "Lightricks LTX-Video (2B)")
Wan22TI2V5B = _baseline("wan2.2-ti2v-5b", "Wan 2.2 TI2V-5B (text-to-video)")
Wan22T2VA14B = _baseline("wan2.2-t2v-a14b", "Wan 2.2 T2V-A14B (two 14B experts)")
SkyReelsV2T2V14B = _baseline("skyreels-v2-t2v-14b", "SkyReels-V2 T2V-14B 540P")
SanaVideo2B = _baseline("sana-video-2b", "SANA-Video 2B 480p")
