import pytest

from wanbench.adapters.base import ADAPTERS
from wanbench.dims.registry import DIMENSION_REGISTRY, all_dimensions, get_dimension
from wanbench.dims.names import DIMENSION_KEYS
from wanbench.registry import Registry, UnknownNameError


def test_unknown_names_get_did_you_mean() -> None:
    with pytest.raises(UnknownNameError, match="did you mean large_motion"):
        get_dimension("large_motoin")
    with pytest.raises(UnknownNameError, match="did you mean procedural"):
        ADAPTERS.get("procedurel")


def test_lazy_entries_import_on_first_use() -> None:
    registry: Registry[object] = Registry("thing")
    registry.register("ordered", "collections:OrderedDict")
    from collections import OrderedDict

    assert registry.get("ordered") is OrderedDict
    with pytest.raises(ValueError, match="twice"):
        registry.register("ordered", dict)


def test_all_fourteen_dimensions_are_registered_with_a_method() -> None:
    dims = all_dimensions()
    assert [d.name for d in dims] == list(DIMENSION_KEYS)
    assert set(DIMENSION_REGISTRY.names()) == set(DIMENSION_KEYS)
    for dim in dims:
        assert dim.description  # every dimension says how it measures (`wanbench dims` shows it)
        assert dim.group in ("dynamic_quality", "image_quality", "instruction_following")
