"""Checkpoint loading: official Wan 2.1 releases and diffusers layouts into our modules.

Our modules are named after the official keys, so an official state dict needs no renaming; the
diffusers layout goes through one explicit regex key map per component. Models are built on the
meta device and filled with ``load_state_dict(strict=True, assign=True)`` from tensors moved one by
one to the target device and dtype, so a 14B model never exists twice in memory nor passes through
a second dtype. Only safetensors and ``torch.load(weights_only=True)`` are used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file

StateDict = dict[str, torch.Tensor]


class CheckpointError(RuntimeError):
    """A checkpoint that does not fit the model: names the file and the offending keys."""


class KeyMap:
    """Ordered regex rules from one naming to another (diffusers to official, by default);
    unmatched keys are errors."""

    def __init__(self, name: str, rules: Iterable[tuple[str, str]], target: str = "official") -> None:
        self.name, self.target = name, target
        self.rules = [(re.compile(f"^{pattern}$"), template) for pattern, template in rules]

    def to_official(self, key: str) -> str:
        for pattern, template in self.rules:
            match = pattern.match(key)
            if match:
                return match.expand(template)
        raise CheckpointError(f"{self.name}: no {self.target} name for key {key!r}")

    def convert(self, state: StateDict) -> StateDict:
        return {self.to_official(key): value for key, value in state.items()}


_N = r"(\d+)"
_P = r"(weight|bias)"

DIT_KEYS = KeyMap(
    "diffusers transformer",
    [
        (r"patch_embedding\." + _P, r"patch_embedding.\1"),
        (r"condition_embedder\.time_embedder\.linear_1\." + _P, r"time_embedding.0.\1"),
        (r"condition_embedder\.time_embedder\.linear_2\." + _P, r"time_embedding.2.\1"),
        (r"condition_embedder\.time_proj\." + _P, r"time_projection.1.\1"),
        (r"condition_embedder\.text_embedder\.linear_1\." + _P, r"text_embedding.0.\1"),
        (r"condition_embedder\.text_embedder\.linear_2\." + _P, r"text_embedding.2.\1"),
        (r"blocks\." + _N + r"\.attn1\.to_(q|k|v)\." + _P, r"blocks.\1.self_attn.\2.\3"),
        (r"blocks\." + _N + r"\.attn1\.to_out\.0\." + _P, r"blocks.\1.self_attn.o.\2"),
        (r"blocks\." + _N + r"\.attn1\.(norm_q|norm_k)\.weight", r"blocks.\1.self_attn.\2.weight"),
        (r"blocks\." + _N + r"\.attn2\.to_(q|k|v)\." + _P, r"blocks.\1.cross_attn.\2.\3"),
        (r"blocks\." + _N + r"\.attn2\.to_out\.0\." + _P, r"blocks.\1.cross_attn.o.\2"),
        (r"blocks\." + _N + r"\.attn2\.(norm_q|norm_k)\.weight", r"blocks.\1.cross_attn.\2.weight"),
        (r"blocks\." + _N + r"\.norm2\." + _P, r"blocks.\1.norm3.\2"),
        (r"blocks\." + _N + r"\.ffn\.net\.0\.proj\." + _P, r"blocks.\1.ffn.0.\2"),
        (r"blocks\." + _N + r"\.ffn\.net\.2\." + _P, r"blocks.\1.ffn.2.\2"),
        (r"blocks\." + _N + r"\.scale_shift_table", r"blocks.\1.modulation"),
        (r"proj_out\." + _P, r"head.head.\1"),
        (r"scale_shift_table", r"head.modulation"),
    ],
)

_RESNET = [
    (r"norm1\.gamma", r"residual.0.gamma"),
    (r"conv1\." + _P, r"residual.2.{g}"),
    (r"norm2\.gamma", r"residual.3.gamma"),
    (r"conv2\." + _P, r"residual.6.{g}"),
    (r"conv_shortcut\." + _P, r"shortcut.{g}"),
]


def _resnet_rules(diffusers_prefix: str, official_prefix: str) -> list[tuple[str, str]]:
    """Rules for one residual block; ``{g}`` is the weight|bias group, numbered after the prefix's."""
    groups = len(re.findall(r"\(", diffusers_prefix))
    return [(diffusers_prefix + r"\." + d, official_prefix + "." + o.format(g=f"\\{groups + 1}")) for d, o in _RESNET]


def vae_key_map(config) -> KeyMap:
    """diffusers ``AutoencoderKLWan`` names -> official ``Wan2.1_VAE.pth`` names for a VAE config."""
    rules: list[tuple[str, str]] = [
        (r"quant_conv\." + _P, r"conv1.\1"),
        (r"post_quant_conv\." + _P, r"conv2.\1"),
        (r"encoder\.conv_in\." + _P, r"encoder.conv1.\1"),
        (r"decoder\.conv_in\." + _P, r"decoder.conv1.\1"),
        (r"(encoder|decoder)\.norm_out\.gamma", r"\1.head.0.gamma"),
        (r"(encoder|decoder)\.conv_out\." + _P, r"\1.head.2.\2"),
        (
            r"(encoder|decoder)\.mid_block\.attentions\.0\.(norm\.gamma|to_qkv\.weight|to_qkv\.bias|proj\.weight|proj\.bias)",
            r"\1.middle.1.\2",
        ),
        # encoder: down_blocks is already the flat list the official Sequential is
        (r"encoder\.down_blocks\.(\d+)\.(resample\.1|time_conv)\." + _P, r"encoder.downsamples.\1.\2.\3"),
    ]
    for side in ("encoder", "decoder"):
        rules += _resnet_rules(rf"{side}\.mid_block\.resnets\.0", f"{side}.middle.0")
        rules += _resnet_rules(rf"{side}\.mid_block\.resnets\.1", f"{side}.middle.2")
    rules += _resnet_rules(r"encoder\.down_blocks\.(\d+)", r"encoder.downsamples.\1")
    if config.attn_scales:
        raise CheckpointError("vae key map: attention inside down/up blocks is not mapped (Wan 2.1 has none)")
    per_block = config.num_res_blocks + 2  # resnets + one upsampler
    for i in range(len(config.dim_mult)):
        for j in range(config.num_res_blocks + 1):
            rules += _resnet_rules(rf"decoder\.up_blocks\.{i}\.resnets\.{j}", f"decoder.upsamples.{i * per_block + j}")
        rules.append(
            (
                rf"decoder\.up_blocks\.{i}\.upsamplers\.0\.(resample\.1|time_conv)\." + _P,
                rf"decoder.upsamples.{i * per_block + config.num_res_blocks + 1}.\1.\2",
            )
        )
    return KeyMap("diffusers vae", rules)


# The official umT5 encoder file (models_t5_umt5-xxl-enc-bf16.pth) and transformers' UMT5EncoderModel,
# written once as (official name, transformers name) pairs; {n} is the block number. Both directions
# are derived from this table.
UMT5_NAMES = [
    *[(f"blocks.{{n}}.attn.{p}.weight", f"encoder.block.{{n}}.layer.0.SelfAttention.{p}.weight") for p in "qkvo"],
    (
        "blocks.{n}.pos_embedding.embedding.weight",
        "encoder.block.{n}.layer.0.SelfAttention.relative_attention_bias.weight",
    ),
    ("blocks.{n}.norm1.weight", "encoder.block.{n}.layer.0.layer_norm.weight"),
    ("blocks.{n}.norm2.weight", "encoder.block.{n}.layer.1.layer_norm.weight"),
    ("blocks.{n}.ffn.gate.0.weight", "encoder.block.{n}.layer.1.DenseReluDense.wi_0.weight"),
    ("blocks.{n}.ffn.fc1.weight", "encoder.block.{n}.layer.1.DenseReluDense.wi_1.weight"),
    ("blocks.{n}.ffn.fc2.weight", "encoder.block.{n}.layer.1.DenseReluDense.wo.weight"),
    ("norm.weight", "encoder.final_layer_norm.weight"),
    ("token_embedding.weight", "shared.weight"),
]


def _template_rules(pairs: list[tuple[str, str]], reverse: bool = False) -> list[tuple[str, str]]:
    """KeyMap rules from name templates: ``{n}`` matches a number and is carried over."""
    rules = []
    for source, target in ((b, a) if reverse else (a, b) for a, b in pairs):
        pattern = r"(\d+)".join(re.escape(part) for part in source.split("{n}"))
        rules.append((pattern, target.replace("{n}", r"\1")))
    return rules


UMT5_KEYS = KeyMap("official umT5", _template_rules(UMT5_NAMES), target="transformers")
UMT5_KEYS_REVERSED = KeyMap("transformers umT5", _template_rules(UMT5_NAMES, reverse=True))


def official_umt5_to_transformers(state: StateDict) -> StateDict:
    converted = UMT5_KEYS.convert(state)
    converted["encoder.embed_tokens.weight"] = converted["shared.weight"]  # tied in transformers
    return converted


def transformers_umt5_to_official(state: StateDict) -> StateDict:
    """transformers UMT5 encoder weights under the official umT5 .pth names (the release's file)."""
    return UMT5_KEYS_REVERSED.convert({k: v for k, v in state.items() if k != "encoder.embed_tokens.weight"})


# -- reading files ---------------------------------------------------------------------------------


def read_state_dict(path: str | Path) -> StateDict:
    """A safetensors file, a shard index json, a folder of safetensors shards, or a .pth/.pt file
    (``torch.load(weights_only=True, mmap=True)``: tensors only, never pickled code)."""
    path = Path(path)
    if path.is_dir():
        index = sorted(path.glob("*.safetensors.index.json"))
        if index:
            return read_state_dict(index[0])
        shards = sorted(path.glob("*.safetensors"))
        if not shards:
            raise CheckpointError(f"{path}: no .safetensors files here")
        return _merge(path, (load_file(str(s)) for s in shards))
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.name.endswith(".index.json"):
        weight_map = json.loads(path.read_text())["weight_map"]
        return _merge(path, (load_file(str(path.parent / name)) for name in sorted(set(weight_map.values()))))
    if path.suffix == ".safetensors":
        return load_file(str(path))
    if path.suffix in (".pth", ".pt", ".bin"):
        try:
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError as exc:  # pre-zipfile .pth files cannot be memory-mapped
            if "mmap" not in str(exc):
                raise
            state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict):
            raise CheckpointError(f"{path}: expected a state dict, found {type(state).__name__}")
        return state
    raise CheckpointError(f"{path}: unknown checkpoint format (want .safetensors, an index json, or .pth)")


def _merge(origin: Path, shards: Iterable[StateDict]) -> StateDict:
    merged: StateDict = {}
    for shard in shards:
        clash = merged.keys() & shard.keys()
        if clash:
            raise CheckpointError(f"{origin}: key {sorted(clash)[0]!r} appears in two shards")
        merged.update(shard)
    return merged


def _names(keys: Iterable[str], limit: int = 5) -> str:
    keys = sorted(keys)
    more = f" (+{len(keys) - limit} more)" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


def load_into(
    build: Callable[[], torch.nn.Module],
    state: StateDict,
    origin: str,
    device: str | torch.device | None = None,
    dtype_of: Callable[[str], torch.dtype | None] | None = None,
) -> torch.nn.Module:
    """Build on the meta device and assign ``state`` strictly; mismatches name the keys. Each tensor
    goes straight to ``device`` and to ``dtype_of(key)`` (None: as stored) before it is assigned;
    tensors shared by several keys (tied weights) are moved once."""
    with torch.device("meta"):
        model = build()
    expected = model.state_dict()
    missing, unexpected = expected.keys() - state.keys(), state.keys() - expected.keys()
    if missing or unexpected:
        parts = ([f"missing keys: {_names(missing)}"] if missing else []) + (
            [f"unexpected keys: {_names(unexpected)}"] if unexpected else []
        )
        raise CheckpointError(f"{origin}: " + "; ".join(parts))
    for key, tensor in state.items():
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise CheckpointError(
                f"{origin}: key {key!r} has shape {tuple(tensor.shape)}, the model expects {tuple(expected[key].shape)}"
            )
    moved: dict[int, torch.Tensor] = {}
    placed: StateDict = {}
    for key, tensor in state.items():
        dtype = dtype_of(key) if dtype_of is not None else None
        marker = id(tensor)
        if marker not in moved or moved[marker].dtype != (dtype or tensor.dtype):
            moved[marker] = tensor.to(device=device, dtype=dtype)
        placed[key] = moved[marker]
    model.load_state_dict(placed, strict=True, assign=True)
    return model


def is_diffusers_dit(state: StateDict) -> bool:
    return any(k.startswith("condition_embedder.") for k in state)


def is_diffusers_vae(state: StateDict) -> bool:
    return any(k.startswith("encoder.conv_in.") for k in state)


def load_dit(source: str | Path, config, dtype: torch.dtype | None = None, device: str | torch.device = "cpu"):
    """WanDiT from official or diffusers weights (file, shard index or folder); with ``dtype``, the
    matmul weights in ``dtype`` and the fp32 islands in float32 (what ``WanDiT.cast`` gives)."""
    from wanmodel.dit import WanDiT, is_fp32_island

    state = read_state_dict(source)
    if is_diffusers_dit(state):
        state = DIT_KEYS.convert(state)
    dtype_of = None if dtype is None else (lambda key: torch.float32 if is_fp32_island(key) else dtype)
    return load_into(lambda: WanDiT(config), state, str(source), device=device, dtype_of=dtype_of)


def load_vae(source: str | Path, config, dtype: torch.dtype | None = None, device: str | torch.device = "cpu"):
    """WanVAE from ``Wan2.1_VAE.pth`` (official) or a diffusers ``vae/`` folder or file."""
    from wanmodel.vae import WanVAE

    state = read_state_dict(source)
    if is_diffusers_vae(state):
        state = vae_key_map(config).convert(state)
    return load_into(lambda: WanVAE(config), state, str(source), device=device, dtype_of=lambda key: dtype)


# -- release folders ---------------------------------------------------------------------------------

OFFICIAL_FILES = {
    "dit": ("diffusion_pytorch_model.safetensors.index.json", "diffusion_pytorch_model.safetensors"),
    "vae": ("Wan2.1_VAE.pth",),
    "text_encoder": ("models_t5_umt5-xxl-enc-bf16.pth",),
    "tokenizer": ("google/umt5-xxl",),
}
DIFFUSERS_FILES = {
    "dit": ("transformer",),
    "vae": ("vae",),
    "text_encoder": ("text_encoder",),
    "tokenizer": ("tokenizer",),
}


@dataclass(frozen=True)
class WanWeights:
    """Where each component of a Wan 2.1 release lives, in either layout."""

    layout: str  # "official" or "diffusers"
    dit: Path
    vae: Path
    text_encoder: Path
    tokenizer: Path


def locate_weights(root: str | Path) -> WanWeights:
    """Find the components under ``root``: the official release (Wan2.1-T2V-1.3B/) or its
    diffusers conversion (Wan2.1-T2V-1.3B-Diffusers/). Missing files are named in the error."""
    root = Path(root)
    if not root.is_dir():
        raise CheckpointError(f"weights folder not found: {root}")
    reports = []
    for layout, table in (("official", OFFICIAL_FILES), ("diffusers", DIFFUSERS_FILES)):
        found, missing = {}, []
        for component, candidates in table.items():
            hit = next((root / c for c in candidates if (root / c).exists()), None)
            if hit is None:
                missing.append(" or ".join(candidates))
            else:
                found[component] = hit
        if not missing:
            return WanWeights(layout=layout, **found)
        reports.append((len(missing), layout, missing))
    count, layout, missing = min(reports)
    raise CheckpointError(f"{root}: incomplete Wan release ({layout} layout) - missing {', '.join(missing)}")
