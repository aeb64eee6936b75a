"""A local web arena that collects pairwise human votes on the runs' videos (see docs/alignment.md)."""

from wanbench.people.arena.app import ArenaSettings, create_app, serve
from wanbench.people.arena.catalog import Catalog, build_catalog

__all__ = ["ArenaSettings", "Catalog", "build_catalog", "create_app", "serve"]
