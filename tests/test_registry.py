import pytest

from wanbench.adapters.base import ADAPTERS
from wanbench.benchmark.definition import BenchmarkError, load_benchmark
from wanbench.benchmark.names import DIMENSION_KEYS
from wanbench.dims.registry import all_dimensions, get_dimension
from wanbench.registry import Registry, UnknownNameError


def test_unknown_names_get_did_you_mean() -> None:
    with pytest.raises(BenchmarkError, match="did you mean large_motion"):
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
    for dim in dims:
        assert dim.description  # every dimension says how it measures (`wanbench dims` shows it)
        assert dim.group in ("dynamic_quality", "image_quality", "instruction_following")


def _resolve(path: str) -> type:
    import importlib

    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


def test_every_method_of_every_dimension_reports_under_its_declared_key() -> None:
    """The benchmark definition is the one place keys are written: every class it lists, the default
    method and the other methods (Human Artifacts' judge), carries that key and no other."""
    bench = load_benchmark("wan-bench")
    for spec in bench.dimensions:
        assert get_dimension(spec.key).name == spec.key
        assert type(get_dimension(spec.key)) is _resolve(spec.methods[0].implementation)
        for method in spec.methods:
            assert _resolve(method.implementation).name == spec.key, method
    judge = {"artifacts": {"backend": "judge"}}
    judged = get_dimension("human_artifacts", backbone_options=judge)
    (other,) = bench.dimension("human_artifacts").methods[1:]
    assert type(judged) is _resolve(other.implementation) and judged.name == "human_artifacts"
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

    with pytest.raises(TypeError, match="declared in the benchmark definition"):
        define("large_motoin")
    with pytest.raises(TypeError, match="declared in the benchmark definition"):
        define("large_motion")
    unlisted = type(
        "Elsewhere",
        (Dimension,),
        {"__module__": "tests.test_registry", "name": "my_metric", "score": lambda self, video, prompt, features: None},
    )
    assert unlisted.name == "my_metric"  # a class the table does not list keeps the name it gives
