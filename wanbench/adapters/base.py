"""The ModelAdapter contract and its registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from wanbench.prompts.suite import Prompt
from wanbench.registry import Registry

if TYPE_CHECKING:
    from wanbench.adapters.option_check import OptionSpec


class AdapterError(RuntimeError):
    """An adapter that cannot produce a video for this prompt (the message says why)."""


class OptionError(AdapterError, ValueError):
    """A bad adapter option (unknown name, wrong type, out of bounds): one line naming it."""


class ModelAdapter(ABC):
    name: str = ""
    description: str = ""
    # True for adapters that find videos made elsewhere instead of generating them.
    finds_existing: bool = False
    # Called as (step, total) while denoising, e.g. by a progress bar; adapters without steps never call it.
    step_callback: Callable[[int, int], None] | None = None
    # Bounds of numeric options, name -> (lowest, highest) (None: open), checked before anything loads.
    option_bounds: ClassVar[dict[str, tuple[float | None, float | None]]] = {}

    @classmethod
    def option_specs(cls, options: dict[str, Any]) -> dict[str, OptionSpec]:
        """The options this adapter takes and their types: its constructor's keyword parameters."""
        from wanbench.adapters.option_check import signature_specs

        return signature_specs(cls.__init__, cls.option_bounds)

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> dict[str, Any]:
        """``options`` checked by name (with a did-you-mean), type and bounds, converted to the declared
        types (``no`` -> False, ``3`` -> 3.0 for a float); raises one line. Loads nothing."""
        from wanbench.adapters.option_check import check_against

        return check_against(cls.option_specs(options), options, cls.name)

    @abstractmethod
    def generate(self, prompt: Prompt, seed: int, out_path: Path) -> Path:
        """Produce the video for (prompt, seed); generators write ``out_path`` and return it."""

    def info(self) -> dict[str, Any]:
        """What identifies this model's outputs (version, checkpoint hashes, settings)."""
        return {"adapter": self.name}

    def settings_used(self) -> dict[str, Any]:
        """The generation settings in effect, defaults filled in (provenance: what was run, beside
        ``info``'s what was asked, which identifies the model and must stay stable across versions)."""
        return {}

    def finish(self) -> None:
        """Called once when a run is over (before ranks meet to merge): release what waits on us."""

    def follow(self) -> int:
        """A non-leader rank of a Ulysses group generates along with its leader until released, and
        returns how many videos it helped make; only adapters that run over rank groups can."""
        raise AdapterError(f"{self.name}: runs in one process; it cannot follow a Ulysses group")

    def unmatched(self, prompt_ids: set[str]) -> list[Path]:
        """Video files this adapter would find that belong to none of ``prompt_ids`` (so are not scored);
        only adapters that find existing videos have any."""
        return []


ADAPTERS: Registry[type[ModelAdapter]] = Registry("model")
ADAPTERS.register("procedural", "wanbench.adapters.procedural:ProceduralAdapter")
ADAPTERS.register("folder", "wanbench.adapters.folder:FolderAdapter")
ADAPTERS.register("wan-tiny", "wanbench.adapters.wan:WanTiny")
ADAPTERS.register("wan-1.3b", "wanbench.adapters.wan:Wan13B")
ADAPTERS.register("wan-14b", "wanbench.adapters.wan:Wan14B")
ADAPTERS.register("diffusers", "wanbench.adapters.diffusers_baselines:DiffusersAdapter")
ADAPTERS.register("hunyuan-video", "wanbench.adapters.diffusers_baselines:HunyuanVideo")
ADAPTERS.register("mochi", "wanbench.adapters.diffusers_baselines:Mochi")
ADAPTERS.register("cogvideox-5b", "wanbench.adapters.diffusers_baselines:CogVideoX5B")
ADAPTERS.register("ltx-video", "wanbench.adapters.diffusers_baselines:LTXVideo")
ADAPTERS.register("wan2.2-ti2v-5b", "wanbench.adapters.diffusers_baselines:Wan22TI2V5B")
ADAPTERS.register("wan2.2-t2v-a14b", "wanbench.adapters.diffusers_baselines:Wan22T2VA14B")
ADAPTERS.register("skyreels-v2-t2v-14b", "wanbench.adapters.diffusers_baselines:SkyReelsV2T2V14B")
ADAPTERS.register("sana-video-2b", "wanbench.adapters.diffusers_baselines:SanaVideo2B")


def make_adapter(name: str, **options: Any) -> ModelAdapter:
    adapter_cls = ADAPTERS.get(name)
    return adapter_cls(**adapter_cls.check_options(options))


def check_adapter_options(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The run's adapter options checked before any compute (``preflight.check_run``)."""
    return ADAPTERS.get(name).check_options(options)
