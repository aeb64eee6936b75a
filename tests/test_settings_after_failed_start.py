"""Issue 30 item 2: a first attempt that kept nothing does not lock the run folder to its settings;
a real mismatch is one line naming the keys that differ and how to start afresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SMALL
from wanbench.adapters.base import AdapterError
from wanbench.adapters.procedural import ProceduralAdapter
from wanbench.run.identity import differing_keys
from wanbench.run.runner import EvalConfig, Evaluator, RunMismatchError, run_eval
from wanbench.run.store import ResultStore


class BrokenProcedural(ProceduralAdapter):
    """Procedural settings that fail every prompt (as a bad option or a bad manifest did)."""

    def generate(self, prompt, seed, out_path):
        raise AdapterError("generation failed under these settings")


def test_settings_of_an_attempt_that_kept_nothing_are_replaced(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    config = EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL)
    failed = Evaluator(config, adapter=BrokenProcedural(width=32, height=32, frames=9)).run_suite()
    assert failed.generated == 0
    with ResultStore(out / "results.sqlite") as store:
        assert store.kept("procedural", "procedural") == 0 and store.failures()
    summary = run_eval(config)  # other settings (width 64): taken, not refused
    assert summary.generated == 3
    with ResultStore(out / "results.sqlite") as store:
        assert not [f for f in store.failures() if f["stage"] != "suite"]  # the failed attempt's rows are gone


def test_a_real_mismatch_names_the_differing_keys_in_one_line(tmp_path: Path, tiny_suite: Path) -> None:
    out = tmp_path / "run"
    run_eval(EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL))
    changed = EvalConfig(model="procedural", suite=str(tiny_suite), out=out, model_options=SMALL | {"width": 96})
    with pytest.raises(RunMismatchError) as caught:
        run_eval(changed)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400
    assert "differs: model.render.width" in message and "another --out or --name" in message


def test_differing_keys() -> None:
    before = {"a": {"b": 1, "c": [1]}, "d": 2}
    assert differing_keys(before, {"a": {"b": 2, "c": [1]}, "e": 2}) == ["a.b", "d", "e"]
    assert differing_keys(before, before) == []
