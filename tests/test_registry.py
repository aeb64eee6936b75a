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


def test_all_fourteen_dimensions_are_registered_with_a_method() -> None:
    dims = all_dimensions()
    assert [d.name for d in dims] == list(DIMENSION_KEYS)
    assert set(DIMENSION_REGISTRY.names()) == set(DIMENSION_KEYS)
    for dim in dims:
        assert dim.description  # every dimension says how it measures (`wanbench dims` shows it)
        assert dim.group in ("dynamic_quality", "image_quality", "instruction_following")


def _resolve(path: str) -> type:
    import importlib

    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def test_every_method_of_every_dimension_reports_under_its_declared_key() -> None:
    """The key table in dims/names.py is the one place keys are written: every class it lists, the
    default method and the other methods (Human Artifacts' judge), carries that key and no other."""
    from wanbench.dims.names import DIMENSIONS

    assert list(DIMENSION_REGISTRY.names()) == list(DIMENSION_KEYS)
    for key, entry in DIMENSIONS.items():
        assert get_dimension(key).name == key and type(get_dimension(key)) is _resolve(entry.implementation)
        for path in (entry.implementation, *entry.other_methods):
            assert _resolve(path).name == key, path
    judged = get_dimension("human_artifacts").configured({"artifacts": {"backend": "judge"}})
    assert type(judged) is _resolve(DIMENSIONS["human_artifacts"].other_methods[0]) and judged.name == "human_artifacts"
    assert judged.version != get_dimension("human_artifacts").version  # another method: its own metric version


def test_a_listed_class_that_writes_its_key_again_is_refused() -> None:
    from wanbench.dims.base import Dimension

    def define(name: str) -> type:  # a class at the path the table lists for large_motion
        return type(
            "LargeMotion",
            (Dimension,),
            {
                "__module__": "wanbench.dims.flow_dims",
                "name": name,
                "score": lambda self, video, prompt, features: None,
            },
        )

    with pytest.raises(TypeError, match="declared in wanbench.dims.names"):
        define("large_motoin")
    with pytest.raises(TypeError, match="declared in wanbench.dims.names"):
        define("large_motion")
    unlisted = type(
        "Elsewhere",
        (Dimension,),
        {"__module__": "tests.test_registry", "name": "my_metric", "score": lambda self, video, prompt, features: None},
    )
    assert unlisted.name == "my_metric"  # a class the table does not list keeps the name it gives
