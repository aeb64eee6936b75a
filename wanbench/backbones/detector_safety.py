"""Nothing in a detector folder may run code: ``model.json`` is checked against an allow-list.

ultralytics builds a model from its architecture dict with ``parse_model``, which (unless its safe
load is on) evaluates the ``activation`` string as Python and looks layer names up in a module's
globals. A detector folder can come from anyone (a shared "trained artifact detector", anything
writable under ``$WANBENCH_HOME/weights``), so before ultralytics sees the dict we accept only what a
real YOLO architecture holds: known keys, layer names that are ``torch.nn`` or ultralytics layer
classes, plain literal arguments, and an activation of the form ``nn.Name(number)``. On top of that,
every process that builds a detector runs ultralytics with its own safe load forced on
(``ULTRALYTICS_SAFE_LOAD``), and with a private config folder instead of a fixed shared path.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from wanbench.model_weights import WeightsError

ARCH_KEYS = frozenset(
    {
        "nc",
        "scales",
        "scale",
        "backbone",
        "head",
        "depth_multiple",
        "width_multiple",
        "activation",
        "kpt_shape",
        "ch",
        "channels",
        "end2end",
        "reg_max",
        "yaml_file",
        "anchors",
    }
)
META_KEYS = frozenset({"arch", "names", "imgsz"})
ACTIVATION = re.compile(
    r"^(torch\.)?nn\.(SiLU|ReLU|ReLU6|LeakyReLU|Hardswish|GELU|Mish|Identity|Sigmoid|Tanh|ELU)"
    r"\((\d+(\.\d+)?)?\)$"
)
ARG_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")  # 'nc', 'nearest', 'None': looked up or literal-evaluated
LAYER_NAME = re.compile(r"^(nn\.)?[A-Z][A-Za-z0-9]{0,63}$")
MAX_LAYERS = 512
# Sizes a real YOLO stays far below (yolov8x's widest layer: 1280 channels); a shared folder that asks
# for a layer of a million channels would take the machine's memory when built, so it is refused first.
MAX_NUMBER_ARG = 8192  # any number in a layer's args: channels, kernel, stride, repeats of a block...
ARCH_BOUNDS = {"nc": 10000, "ch": 64, "channels": 64, "reg_max": 64}
MAX_MULTIPLE = 4.0  # depth_multiple, width_multiple and the scales' first two numbers


def _fail(where: str, message: str) -> None:
    raise WeightsError(f"model.json: {where}: {message}; refusing to build this detector")


def _allowed_layers() -> frozenset[str]:
    """Class names a layer may take: torch.nn modules and ultralytics' exported layer classes."""
    import torch
    from ultralytics.nn import modules

    names = {
        f"nn.{n}"
        for n in dir(torch.nn)
        if isinstance(getattr(torch.nn, n), type) and issubclass(getattr(torch.nn, n), torch.nn.Module)
    }
    names |= {
        n
        for n in getattr(modules, "__all__", ())
        if isinstance(getattr(modules, n, None), type) and issubclass(getattr(modules, n), torch.nn.Module)
    }
    return frozenset(names)


def _literal(value: Any, where: str, depth: int = 0) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        if not abs(value) <= MAX_NUMBER_ARG:  # NaN fails too
            _fail(where, f"argument {value!r} is out of bounds (|x| <= {MAX_NUMBER_ARG})")
        return
    if isinstance(value, str):
        if not ARG_WORD.match(value):
            _fail(where, f"argument {value[:40]!r} is not a plain word")
        return
    if isinstance(value, list) and depth < 3 and len(value) <= 64:
        for item in value:
            _literal(item, where, depth + 1)
        return
    _fail(where, f"argument of type {type(value).__name__} is not allowed")


def _known_keys(value: Any, allowed: frozenset[str], where: str, not_object: str) -> None:
    """``value`` must be a dict whose keys are all in ``allowed``."""
    if not isinstance(value, dict):
        _fail(where, not_object)
    unknown = sorted(set(value) - allowed)
    if unknown:
        _fail(where, f"unknown key {unknown[0]!r}")


def check_arch(arch: Any) -> None:
    """Raise WeightsError unless ``arch`` is a plain YOLO architecture dict (see the module docstring)."""
    _known_keys(arch, ARCH_KEYS, "arch", "must be an object")
    act = arch.get("activation")
    if act is not None and (not isinstance(act, str) or not ACTIVATION.match(act)):
        _fail("arch.activation", f"{str(act)[:60]!r} is not of the form nn.Name() or nn.Name(number)")
    for key, most in ARCH_BOUNDS.items():
        if key in arch and (isinstance(arch[key], bool) or not isinstance(arch[key], int) or not 0 < arch[key] <= most):
            _fail(f"arch.{key}", f"must be an integer in 1..{most}")
    for key in ("depth_multiple", "width_multiple"):
        if key in arch and (
            isinstance(arch[key], bool) or not isinstance(arch[key], (int, float)) or not 0 < arch[key] <= MAX_MULTIPLE
        ):
            _fail(f"arch.{key}", f"must be a number in (0, {MAX_MULTIPLE:g}]")
    for key in ("scale", "yaml_file"):
        if key in arch and (not isinstance(arch[key], str) or len(arch[key]) > 64):
            _fail(f"arch.{key}", "must be a short string")
    scales = arch.get("scales")
    if scales is not None:
        if not isinstance(scales, dict):
            _fail("arch.scales", "must be an object")
        for name, triple in scales.items():
            if not (
                isinstance(triple, list)
                and len(triple) == 3
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in triple)
            ):
                _fail(f"arch.scales.{name}", "must be three numbers")
            if not (
                0 < triple[0] <= MAX_MULTIPLE and 0 < triple[1] <= MAX_MULTIPLE and 0 < triple[2] <= MAX_NUMBER_ARG
            ):
                _fail(
                    f"arch.scales.{name}",
                    f"depth, width must be in (0, {MAX_MULTIPLE:g}], channels <= {MAX_NUMBER_ARG}",
                )
    for key in ("kpt_shape", "anchors", "end2end"):
        if key in arch:
            _literal(arch[key], f"arch.{key}")
    allowed = _allowed_layers()
    layers = []
    for part in ("backbone", "head"):
        section = arch.get(part)
        if not isinstance(section, list) or not section:
            _fail(f"arch.{part}", "must be a non-empty list of layers")
        layers += [(f"arch.{part}[{i}]", layer) for i, layer in enumerate(section)]
    if len(layers) > MAX_LAYERS:
        _fail("arch", f"{len(layers)} layers (at most {MAX_LAYERS})")
    for where, layer in layers:
        if not (isinstance(layer, list) and len(layer) == 4):
            _fail(where, "must be [from, repeats, module, args]")
        source, repeats, module, args = layer
        sources = source if isinstance(source, list) else [source]
        if not sources or not all(isinstance(s, int) and not isinstance(s, bool) for s in sources):
            _fail(where, "'from' must be an integer or a list of integers")
        if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= 64:
            _fail(where, "repeats must be an integer in 1..64")
        if not isinstance(module, str) or not LAYER_NAME.match(module) or module not in allowed:
            _fail(where, f"module {str(module)[:60]!r} is not a torch.nn or ultralytics layer class")
        if not isinstance(args, list):
            _fail(where, "args must be a list")
        _literal(args, where)


def check_meta(meta: Any) -> None:
    """Check a whole ``model.json``: the architecture, class names and image size."""
    _known_keys(meta, META_KEYS, "<file>", "must be a JSON object")
    check_arch(meta.get("arch"))
    names = meta.get("names")
    if not isinstance(names, dict) or not names or len(names) > 10000:
        _fail("names", "must be a non-empty object {index: name}")
    for key, value in names.items():
        if not (isinstance(key, str) and key.isdigit() and isinstance(value, str) and len(value) <= 200):
            _fail("names", f"entry {str(key)[:20]!r} must map a digit string to a short name")
    imgsz = meta.get("imgsz", 640)
    if isinstance(imgsz, bool) or not isinstance(imgsz, int) or not 32 <= imgsz <= 4096:
        _fail("imgsz", "must be an integer in 32..4096")


_CONFIG_DIR: str | None = None


def private_config_dir() -> str:
    """A config folder only this process uses (mode 0700, removed at exit), never a fixed shared path."""
    global _CONFIG_DIR
    if _CONFIG_DIR is None or not os.path.isdir(_CONFIG_DIR):
        _CONFIG_DIR = tempfile.mkdtemp(prefix="wanbench-ultralytics-")
        atexit.register(shutil.rmtree, _CONFIG_DIR, ignore_errors=True)
    return _CONFIG_DIR


def ultralytics_environment() -> None:
    """Before ultralytics is imported: safe load on, offline, quiet, private config folder."""
    os.environ["ULTRALYTICS_SAFE_LOAD"] = "1"  # forced: a caller's environment cannot turn it off
    if not os.environ.get("YOLO_CONFIG_DIR"):
        os.environ["YOLO_CONFIG_DIR"] = private_config_dir()
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_VERBOSE", "False")


@contextlib.contextmanager
def restricted_build() -> Iterator[None]:
    """Keep ultralytics on its no-eval construction path even if it was imported before the flag was set."""
    ultralytics_environment()
    from ultralytics.nn import tasks

    safe = getattr(tasks, "_SafeLoad", None)
    local = getattr(safe, "_local", None)
    if safe is None or local is None or not getattr(safe, "SUPPORTED", False):
        yield  # older ultralytics: the allow-list above is the only guard
        return
    before = getattr(local, "active", False)
    local.active = True
    try:
        yield
    finally:
        local.active = before
