import pytest

from wanbench.adapters.base import ADAPTERS
from wanbench.dims.names import DIMENSION_KEYS
from wanbench.dims.registry import DIMENSION_REGISTRY, all_dimensions, get_dimension
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


def test_all_fourteen_dimensions_are_registered_with_a_status() -> None:
    dims = all_dimensions()
    assert [d.name for d in dims] == list(DIMENSION_KEYS)
    assert set(DIMENSION_REGISTRY.names()) == set(DIMENSION_KEYS)
    implemented = {d.name for d in dims if d.status().implemented}
    assert {"large_motion", "pixel_stability", "camera_control"} <= implemented
    for dim in dims:
        assert dim.status().note  # every dimension says what it is or why it is not there yet
        assert dim.group in ("dynamic_quality", "image_quality", "instruction_following")
