"""What the arena can show: every video of the runs, and every informative pair of them.

A pair is two models' videos of the same prompt and seed whose files differ (two byte-identical
videos ask a person nothing). Each video is hashed when the arena starts, so a vote records the
sha256 of the file that was actually shown.

A study of N models covers every model pair and every prompt evenly: the next pair for an annotator
is, among those they have not judged, the one whose model pair has the fewest votes, then whose
prompt has the fewest, then the pair itself with the fewest, then the closest benchmark scores
(where the benchmark is least sure), then a per-annotator shuffle. The server chooses which model is on the
left (balancing each model pair's sides) and records it; the vote is read against that record.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from wanbench.benchmark.definition import load_benchmark
from wanbench.hashing import file_sha256
from wanbench.people.votes import ASPECTS, OVERALL, REPORT_ASPECTS, Aspect, VoteStore
from wanbench.run.runner import RESULTS_FILE
from wanbench.video import VIDEO_SUFFIXES

# Aspects a study may also ask that are benchmark dimensions (the questions the benchmark definition
# declares): `wanbench align` compares their votes with that dimension's score.
DIMENSION_ASPECTS: dict[str, Aspect] = {
    spec.key: Aspect(spec.key, spec.arena_title or spec.display_name, spec.arena_question)
    for spec in load_benchmark().dimensions
    if spec.arena_question
}


def study_aspects(names: Sequence[str] = REPORT_ASPECTS) -> list[Aspect]:
    """The aspects a study asks, in the order given, overall always last (it is required)."""
    known = {**ASPECTS, **DIMENSION_ASPECTS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown aspect(s) {', '.join(unknown)}: choose from {', '.join(known)}")
    chosen = [known[n] for n in dict.fromkeys(names) if n != "overall"]
    return [*chosen, ASPECTS["overall"]]


@dataclass(frozen=True)
class ArenaVideo:
    id: int
    run: str
    model: str
    prompt_id: str
    seed: int
    path: Path
    sha256: str
    score: float | None  # the benchmark's weighted score of this one video, if scored


@dataclass(frozen=True)
class ArenaPair:
    id: str
    a: ArenaVideo  # model_a < model_b, as votes store them
    b: ArenaVideo
    prompt: str

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.a.prompt_id, self.a.seed, self.a.model, self.b.model)

    @property
    def score_gap(self) -> float:
        if self.a.score is None or self.b.score is None:
            return float("inf")
        return abs(self.a.score - self.b.score)


def pair_id(prompt_id: str, seed: int, model_a: str, model_b: str) -> str:
    return hashlib.sha256(f"{prompt_id}\0{seed}\0{model_a}\0{model_b}".encode()).hexdigest()[:16]


def _resolve(
    run_dir: Path, recorded: str, sha256: str, model: str, prompt_id: str, seed: int
) -> tuple[Path, str] | None:
    """The file to serve for a recorded video, and its sha256. A run's database is data, not an
    authority over this machine's files: a path inside the run directory is served as it is; any
    other path (an older store's absolute one) only when its bytes are the recorded video's."""
    root = run_dir.resolve()
    recorded_path = Path(recorded)
    candidates = [
        run_dir / recorded_path if not recorded_path.is_absolute() else recorded_path,
        run_dir / "videos" / model / f"{prompt_id}-s{seed}.mp4",
    ]
    for path in candidates:
        if not path.is_file() or path.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        path = path.resolve()
        digest = file_sha256(path)
        if path.is_relative_to(root) or digest == sha256:
            return path, digest
    return None


def _prompt_texts(db: sqlite3.Connection) -> dict[str, str]:
    """Prompt texts from the suite each invocation recorded (best effort: ids stand in otherwise)."""
    import json

    from wanbench.prompts.suite import load_suite

    texts: dict[str, str] = {}
    for (config,) in db.execute("SELECT config FROM invocations ORDER BY id"):
        settings = json.loads(config)
        for source in (settings.get("suite_path"), settings.get("suite")):
            if not source:
                continue
            try:
                suite = load_suite(source)
            except (OSError, ValueError):
                continue
            texts.update({p.id: p.text for p in suite.prompts})
            break
    return texts


@dataclass
class Catalog:
    videos: list[ArenaVideo]
    pairs: list[ArenaPair]
    skipped: list[str] = field(default_factory=list)  # one line per video that cannot be shown
    identical: int = 0  # pairs left out because both files are the same bytes

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.pairs}

    def next_pair(self, store: VoteStore, annotator: str) -> ArenaPair | None:
        """The pair this annotator has not judged that keeps the study's coverage most even."""
        done = store.voted_by(annotator)
        counts = store.pair_counts()
        per_models: dict[tuple[str, str], int] = {}
        per_prompt: dict[tuple[str, int], int] = {}
        own_models: dict[tuple[str, str], int] = {}
        for (prompt_id, seed, model_a, model_b), n in counts.items():
            per_models[(model_a, model_b)] = per_models.get((model_a, model_b), 0) + n
            per_prompt[(prompt_id, seed)] = per_prompt.get((prompt_id, seed), 0) + n
        for _, _, model_a, model_b in done:
            own_models[(model_a, model_b)] = own_models.get((model_a, model_b), 0) + 1
        best, best_key = None, None
        for pair in self.pairs:
            if pair.key in done:
                continue
            shuffle = hashlib.sha256(f"{annotator}\0{pair.id}".encode()).digest()[:8]
            models = (pair.a.model, pair.b.model)
            key = (
                own_models.get(models, 0),
                per_models.get(models, 0),
                per_prompt.get((pair.a.prompt_id, pair.a.seed), 0),
                counts.get(pair.key, 0),
                pair.score_gap,
                shuffle,
            )
            if best_key is None or key < best_key:
                best, best_key = pair, key
        return best

    def assign_sides(self, store: VoteStore, annotator: str, pair: ArenaPair) -> str:
        """Which of the pair ("a" or "b") the server shows on the left, recorded in the votes file.

        Stable for an annotator (a reload shows the same sides); across the study each model pair is
        shown with either model on the left about equally often."""

        def choose() -> str:
            counts = store.left_counts(pair.a.model, pair.b.model)
            if counts["a"] != counts["b"]:
                return "a" if counts["a"] < counts["b"] else "b"
            return "a" if left_is_a(annotator, pair) else "b"

        return store.assign(pair.key, annotator, choose)

    def progress(self, store: VoteStore, annotator: str) -> dict[str, int]:
        keys = {p.key for p in self.pairs}
        return {"done": len(store.voted_by(annotator) & keys), "total": len(self.pairs)}


def left_is_a(annotator: str, pair: ArenaPair) -> bool:
    """A side for model_a when the study's sides are even so far: pseudo-random, per annotator and pair."""
    return hashlib.sha256(f"side\0{annotator}\0{pair.id}".encode()).digest()[0] % 2 == 0


def build_catalog(run_dirs: Sequence[Path], weighting: str = "paper", reference: str | None = None) -> Catalog:
    """Videos and pairs of ``run_dirs``; a model label in two runs is refused (votes could not tell them apart).

    With ``reference`` (a model label) only the pairs that include it are offered: the report's Table 3
    design, one model against each of the others."""
    from wanbench.benchmark.weightings import load_weighting
    from wanbench.people.alignment import load_video_scores, weighted_video_scores

    videos: list[ArenaVideo] = []
    texts: dict[str, str] = {}
    skipped: list[str] = []
    owner: dict[str, str] = {}
    for run_dir in (Path(r) for r in run_dirs):
        db_path = run_dir / RESULTS_FILE
        if not db_path.is_file():
            raise FileNotFoundError(f"no {RESULTS_FILE} in {run_dir}: is it a wanbench run directory?")
        db = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = db.execute(
                "SELECT run, model, prompt_id, seed, path, sha256 FROM videos ORDER BY model, prompt_id, seed"
            ).fetchall()
            texts.update(_prompt_texts(db))
        finally:
            db.close()
        for run, model, prompt_id, seed, recorded, recorded_sha in rows:
            if owner.setdefault(model, str(run_dir)) != str(run_dir):
                raise ValueError(f"model {model!r} appears in {owner[model]} and {run_dir}: give one another --name")
            found = _resolve(run_dir, recorded, recorded_sha, model, prompt_id, seed)
            if found is None:
                skipped.append(
                    f"{run_dir}: {model} {prompt_id} seed {seed}: video file {recorded} not found in the run directory"
                )
                continue
            videos.append(ArenaVideo(len(videos), run, model, prompt_id, int(seed), found[0], found[1], None))
    try:
        scores = load_video_scores(list(run_dirs))
        per_video = dict(zip(scores.index, weighted_video_scores(scores.to_numpy(float), load_weighting(weighting))))
    except (FileNotFoundError, ValueError, KeyError):  # runs without scores: pairs are still shown
        per_video = {}
    videos = [
        ArenaVideo(
            v.id,
            v.run,
            v.model,
            v.prompt_id,
            v.seed,
            v.path,
            v.sha256,
            _finite(per_video.get((v.model, v.prompt_id, v.seed))),
        )
        for v in videos
    ]
    groups: dict[tuple[str, int], list[ArenaVideo]] = {}
    for v in videos:
        groups.setdefault((v.prompt_id, v.seed), []).append(v)
    pairs, identical = [], 0
    for (prompt_id, seed), group in sorted(groups.items()):
        for a, b in combinations(sorted(group, key=lambda v: v.model), 2):
            if a.sha256 == b.sha256:
                identical += 1
                continue
            if reference is not None and reference not in (a.model, b.model):
                continue
            pairs.append(ArenaPair(pair_id(prompt_id, seed, a.model, b.model), a, b, texts.get(prompt_id, prompt_id)))
    if reference is not None and reference not in {v.model for v in videos}:
        raise ValueError(f"--reference {reference!r} is none of the runs' models: {', '.join(sorted(owner))}")
    return Catalog(videos, pairs, skipped, identical)


def _finite(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


__all__ = [
    "DIMENSION_ASPECTS",
    "OVERALL",
    "ArenaPair",
    "ArenaVideo",
    "Catalog",
    "build_catalog",
    "left_is_a",
    "study_aspects",
]
