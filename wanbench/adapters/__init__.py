"""Model adapters: turn a Prompt and a seed into a video file. ``wanbench models`` lists them."""

from __future__ import annotations

from wanbench.adapters.base import ADAPTERS, ModelAdapter, make_adapter

__all__ = ["ADAPTERS", "ModelAdapter", "make_adapter"]
