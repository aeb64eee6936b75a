"""What a judge dimension asks about one video, declared once: its plan, and the answers handed back.

A dimension turns a prompt into a ``JudgePlan`` (named requests: which frames, which questions,
which answer kind, and the template version they came from) and turns the ``JudgeAnswers`` to that
plan into its score. The runner collects every plan of a video and asks them as one batch, so a
question is written in one place only and scoring reads what was asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from wanbench.prompts.suite import Prompt

Scope = Literal["clip", "frames"]


@dataclass(frozen=True)
class Question:
    """One filled-in template: its name in the templates file, its text, the good answer (None for counts)."""

    name: str
    text: str
    expect: str | None = None


@dataclass(frozen=True)
class JudgeRequest:
    """Questions of one answer kind about the sampled clip (``scope`` "clip") or about each keyframe
    ("frames"); ``name`` is how the dimension's score finds their answers."""

    name: str
    scope: Scope
    questions: tuple[Question, ...]
    kind: str = "yes"  # yes | count

    def __post_init__(self) -> None:
        if self.scope not in ("clip", "frames"):
            raise ValueError(f"judge request {self.name!r}: scope must be clip or frames, got {self.scope!r}")

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(q.text for q in self.questions)


@dataclass(frozen=True)
class JudgePlan:
    """Every request one dimension makes about a video of one prompt; empty when it asks nothing
    (its prompt goes to another method). ``templates``: the template version the questions came from."""

    requests: tuple[JudgeRequest, ...] = ()
    templates: str = ""

    def __post_init__(self) -> None:
        names = [r.name for r in self.requests]
        if len(set(names)) != len(names):
            raise ValueError(f"judge plan names a request twice: {names}")

    def __bool__(self) -> bool:
        return bool(self.requests)

    def __iter__(self) -> Iterator[JudgeRequest]:
        return iter(self.requests)


@dataclass(frozen=True)
class JudgeAnswers:
    """The answers to one plan: per request, one answer per question (clip) or per question a list of
    one answer per keyframe (frames). An answer is P(yes) for yes/no questions and the distribution
    over 0..max_count for counts. ``backend`` is the judge's description, recorded in the score."""

    plan: JudgePlan
    by_request: Mapping[str, Sequence[Any]]
    backend: str = ""

    def __getitem__(self, request: str) -> Sequence[Any]:
        return self.by_request[request]

    def request(self, name: str) -> JudgeRequest:
        for request in self.plan:
            if request.name == name:
                return request
        raise KeyError(name)

    def paired(self, request: str) -> list[tuple[Question, Any]]:
        """(question, its answers) for every question of ``request``, in the plan's order."""
        return list(zip(self.request(request).questions, self[request]))


@runtime_checkable
class PlansJudge(Protocol):
    """A dimension (or half of one) that asks the judge: the plan for a prompt, declared before it scores."""

    def judge_plan(self, prompt: Prompt) -> JudgePlan: ...
