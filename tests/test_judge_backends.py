"""Judge backends from a registry, each built from its own options; judge dimensions that plan their
questions once and score from the answers they are handed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from wanbench.backbones.judge.backends import JUDGES, judge_backend
from wanbench.backbones.judge.local import LocalBackend
from wanbench.backbones.judge.plan import JudgeAnswers, JudgePlan, JudgeRequest, Question
from wanbench.backbones.judge.remote import OpenAIBackend
from wanbench.backbones.vlm import VLMBackbone
from wanbench.dims.base import NotScorable
from wanbench.dims.human_artifacts import HumanArtifactsByJudge
from wanbench.dims.judge_dims import judge_plans, templates
from wanbench.dims.registry import get_dimension
from wanbench.prompts.suite import ObjectSpec, Prompt, SpatialRelation
from wanbench.run.options import backbone_options

URL = "http://127.0.0.1:9/v1"
ROOT = Path(__file__).resolve().parents[1]


def test_backends_are_registered_by_name_and_built_from_their_own_options() -> None:
    assert {"local", "openai", "remote"} <= set(JUDGES.names())
    assert JUDGES.get("openai") is JUDGES.get("remote") is OpenAIBackend and JUDGES.get("local") is LocalBackend
    local = judge_backend("local", {"path": "some/folder", "batch": 2})
    assert local == LocalBackend(path=Path("some/folder"), batch=2) and not local.overlaps
    remote = judge_backend("openai", {"url": URL, "timeout": 5, "concurrency": 2})
    assert remote == OpenAIBackend(url=URL, timeout=5.0, concurrency=2) and remote.overlaps
    assert isinstance(remote.timeout, float)
    vlm = VLMBackbone(judge="remote", url=URL, model="m", top_logprobs=1000)
    assert vlm.overlaps and vlm.chosen == OpenAIBackend(url=URL, model="m", top_logprobs=1000)
    assert not VLMBackbone().overlaps and VLMBackbone().chosen == LocalBackend()


@pytest.mark.parametrize(
    "judge,options,message",
    [
        ("locl", {}, "did you mean local"),
        ("openai", {}, "needs --judge-url"),
        ("local", {"url": URL}, "judge 'local' takes no option 'url' (it takes: batch, device, path"),
        ("openai", {"url": URL, "batch": 4}, "judge 'openai' takes no option 'batch'"),
        ("local", {"batch": "4"}, "judge 'local' option 'batch' must be int, got str '4'"),
        ("local", {"share_prefix": 1}, "option 'share_prefix' must be bool"),
        ("openai", {"url": URL, "timeout": "60"}, "option 'timeout' must be float"),
        ("local", {"path": 3}, "option 'path' must be Path or None"),
    ],
)
def test_a_bad_backend_option_is_refused_when_the_backbone_is_built(judge, options, message) -> None:
    with pytest.raises(ValueError) as info:
        VLMBackbone(judge=judge, **options)
    assert message in str(info.value)


def test_the_cli_options_name_the_flag_that_does_not_apply() -> None:
    assert backbone_options(judge="openai", judge_url=URL, judge_model="m")["vlm"] == {
        "judge": "openai",
        "url": URL,
        "model": "m",
    }
    with pytest.raises(ValueError, match="--judge-weights does not apply to --judge remote"):
        backbone_options(judge="remote", judge_url=URL, judge_weights=Path("w"))
    with pytest.raises(ValueError, match="--judge-model does not apply to --judge local"):
        backbone_options(judge="local", judge_model="m")
    with pytest.raises(ValueError, match="did you mean openai"):
        backbone_options(judge="openia")


def test_choosing_a_backend_loads_no_model_library() -> None:
    code = (
        "import sys\n"
        "from wanbench.backbones.vlm import VLMBackbone\n"
        f"VLMBackbone(); VLMBackbone(judge='openai', url={URL!r})\n"
        "print(sorted(m for m in ('torch', 'transformers', 'cv2') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- plans and answers ---------------------------------------------------------------------------

PROMPT = Prompt(
    id="p",
    text="two cats left of a dog, a cat jumping, in watercolor",
    dimensions=("single_object", "multiple_object", "spatial_position", "stylization", "action_following"),
    objects=(ObjectSpec("cat", 2), ObjectSpec("dog", 1)),
    spatial=SpatialRelation("cat", "left_of", "dog"),
    style="watercolor",
    action="jumping",
)


def handed(plan: JudgePlan, answer, keyframes: int = 2) -> JudgeAnswers:
    """Answers to ``plan`` made here, with no judge: ``answer(request, question, keyframe)``."""
    by_request = {}
    for r in plan:
        if r.scope == "clip":
            by_request[r.name] = [answer(r, q, None) for q in r.questions]
        else:
            by_request[r.name] = [[answer(r, q, k) for k in range(keyframes)] for q in r.questions]
    return JudgeAnswers(plan, by_request, "judge handed")


def test_every_judge_dimension_plans_with_the_template_version_of_its_metric_version() -> None:
    version = templates()["version"]
    for name in ("physical_plausibility", "smoothness", "stylization", "single_object", "multiple_object"):
        dim = get_dimension(name)
        made = dim.judge_plan(PROMPT)
        assert made and made.templates == version and dim.version.endswith(f".t{version}")
    assert HumanArtifactsByJudge().judge_plan(PROMPT).templates == version
    camera = get_dimension("camera_control")
    assert not camera.judge_plan(Prompt(id="c", text="x", dimensions=("camera_control",), camera="pan_left"))
    (shot,) = camera.judge_plan(Prompt(id="c", text="x", dimensions=("camera_control",), camera="aerial"))
    assert shot.scope == "clip" and len(shot.questions) == 1 and "aerial" in shot.questions[0].text


def test_a_prompt_without_what_the_questions_need_plans_nothing_ahead_and_scores_an_error() -> None:
    bare = Prompt(id="b", text="a thing", dimensions=("stylization", "single_object", "spatial_position"))
    dims = [get_dimension(d) for d in bare.dimensions]
    assert judge_plans(dims, bare) == []
    for dim in dims:
        with pytest.raises(NotScorable):
            dim.judge_plan(bare)


def test_scores_are_pure_functions_of_the_answers_handed() -> None:
    spatial = get_dimension("spatial_position")
    made = spatial.judge_plan(PROMPT)
    values = {"subject": (0.9, 0.5), "object": (0.8, 1.0), "relation": (0.5, 0.25)}
    score = spatial.judge_score(PROMPT, handed(made, lambda r, q, k: values[q.name][k]))
    assert score.details["frames"] == [0.36, 0.125] and score.value == pytest.approx((0.36 + 0.125) / 2)
    assert score.backend == "judge handed"

    counts = get_dimension("multiple_object")
    made = counts.judge_plan(PROMPT)
    (request,) = made
    assert request.kind == "count" and [q.text for q in request.questions][0].startswith("Count every cat")

    def distribution(r, q, k) -> list[float]:
        dist = np.zeros(21)
        dist[2 if "cat" in q.text else 1] = 0.75 if k == 0 else 0.5
        dist[0] += 1 - dist.sum()
        return dist.tolist()

    score = counts.judge_score(PROMPT, handed(made, distribution))
    assert score.details["frames"] == [0.5625, 0.25] and score.details["expected_counts"]["cat"] == pytest.approx(1.25)

    action = get_dimension("action_following")
    made = action.judge_plan(PROMPT)
    score = action.judge_score(PROMPT, handed(made, lambda r, q, k: 0.2))  # "artifacts" wants No
    assert score.details["parts"] == {"alignment": 0.2, "completion": 0.2, "artifacts": 0.8}
    assert score.value == pytest.approx(0.4)

    single = get_dimension("single_object")
    made = single.judge_plan(PROMPT)
    assert [r.name for r in made] == ["object0", "object1"]
    score = single.judge_score(PROMPT, handed(made, lambda r, q, k: 0.5 if "cat" in q.text else 0.8))
    assert score.value == pytest.approx(0.4)


def test_a_plan_names_each_request_once() -> None:
    ask = JudgeRequest("a", "clip", (Question("q", "Is it?", "Yes"),))
    with pytest.raises(ValueError, match="twice"):
        JudgePlan((ask, ask))
    with pytest.raises(ValueError, match="scope"):
        JudgeRequest("b", "video", ())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "vlm,message",
    [
        ({"judge": "opneai", "url": URL}, "did you mean openai"),
        ({"judge": "local", "batch": 2.5}, "option 'batch' must be int"),
        ({"judge": "local", "settings": {"frames": 4}}, "'settings' must be a JudgeSettings"),
        ({"judge": "openai"}, "needs --judge-url"),
    ],
)
def test_a_run_refuses_bad_judge_options_before_any_compute(tmp_path: Path, vlm, message) -> None:
    from tests.conftest import SMALL
    from wanbench.run.runner import EvalConfig

    config = EvalConfig(
        model="procedural",
        suite="smoke",
        out=tmp_path / "run",
        model_options=SMALL,
        dimensions=("smoothness",),
        backbone_options={"vlm": vlm},
    )
    with pytest.raises(ValueError, match=message):
        config.validate()
    assert not (tmp_path / "run").exists()
