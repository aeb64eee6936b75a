"""Every row and every judge cache entry of a small run with each judge backend, as JSON, so that a
change to the judge's code can be shown to change nothing: run it on two trees and compare the files.

    PYTHONPATH=TREE_A python scripts/judge_rows.py a.json
    PYTHONPATH=TREE_B python scripts/judge_rows.py b.json && cmp a.json b.json

The run: the procedural model on eight prompts (every judge dimension, Camera Control's judge and
flow halves, Human Artifacts by the judge), scored by the tests' tiny random Qwen2-VL judge locally
and through the tests' loopback OpenAI-compatible server (requests pooled, asked ahead in the
prefetch worker). Rows keep value, details, backend, metric version and error; cache entries keep
key and answer. The temporary home's path is replaced by ``<home>``. No weights are downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROMPTS = [
    {"id": "phys", "text": "a ball bounces", "dimensions": ["physical_plausibility", "smoothness"]},
    {"id": "style", "text": "a city in watercolor", "dimensions": ["stylization"], "style": "watercolor painting"},
    {
        "id": "two",
        "text": "twelve cats and a dog",
        "dimensions": ["single_object", "multiple_object"],
        "objects": [{"name": "cat", "count": 12}, {"name": "dog", "count": 1}],
    },
    {
        "id": "space",
        "text": "a cup left of a vase",
        "dimensions": ["spatial_position"],
        "spatial": {"subject": "cup", "relation": "left_of", "object": "vase"},
        "objects": [{"name": "cup"}],
    },
    {
        "id": "many",
        "text": "aerial view of a dog jumping on a coast",
        "camera": "aerial",
        "action": "jumping",
        "subject": {"name": "dog", "kind": "animal"},
        "dimensions": ["physical_plausibility", "smoothness", "action_following", "camera_control"],
    },
    {"id": "pan", "text": "the camera pans left", "dimensions": ["camera_control"], "camera": "pan_left"},
    {"id": "track", "text": "a car followed by the camera", "dimensions": ["camera_control"], "camera": "tracking"},
    {"id": "man", "text": "a man waves", "dimensions": ["human_artifacts"], "has_human": True},
]
DIMENSIONS = (
    "physical_plausibility",
    "smoothness",
    "stylization",
    "single_object",
    "multiple_object",
    "spatial_position",
    "action_following",
    "camera_control",
    "human_artifacts",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="judge-rows-"))
    os.environ["WANBENCH_HOME"] = str(work / "home")
    sys.path.append(str(ROOT))  # the tree on PYTHONPATH (wanbench and its tests/ helpers) comes first
    from tests.conftest import SMALL, write_suite
    from tests.judge_server import LoopbackJudgeServer
    from tests.tiny_backbones import install_tiny_judge
    from wanbench.backbones.vlm import JudgeSettings
    from wanbench.run.runner import EvalConfig, run_eval
    from wanbench.run.store import ResultStore

    install_tiny_judge(work / "home", "qwen2-vl-2b")
    suite = write_suite(work / "suite.jsonl", PROMPTS)
    settings = JudgeSettings(frames=4, keyframes=2, max_pixels=112 * 112)
    server = LoopbackJudgeServer(work / "home" / "weights" / "qwen2-vl-2b")
    dump = {}
    try:
        runs = (
            ("local", {"judge": "local", "weights": "qwen2-vl-2b", "batch": 4}, 0),
            (
                "remote",
                {"judge": "remote", "url": server.url, "model": "tiny", "top_logprobs": 1000, "concurrency": 4},
                1,
            ),
        )
        for label, vlm, prefetch in runs:
            vlm = vlm | {"settings": settings, "cache_path": work / f"{label}.sqlite"}
            config = EvalConfig(
                model="procedural",
                suite=str(suite),
                out=work / label,
                model_options=SMALL,
                dimensions=DIMENSIONS,
                backbone_options={"vlm": vlm, "artifacts": {"backend": "judge"}},
                prefetch=prefetch,
            )
            run_eval(config)
            keys = (
                "prompt_id",
                "seed",
                "dimension",
                "metric_version",
                "status",
                "value",
                "details",
                "backend",
                "error",
            )
            with ResultStore(work / label / "results.sqlite") as store:
                rows = sorted(([r[k] for k in keys] for r in store.results()), key=lambda r: (r[0], r[2]))
            with sqlite3.connect(work / f"{label}.sqlite") as db:
                cache = sorted(db.execute("SELECT key, answer FROM answers").fetchall())
            dump[label] = {"rows": rows, "cache": cache}
    finally:
        server.close()
    text = json.dumps(dump, indent=1, sort_keys=True).replace(str(work / "home"), "<home>")
    args.out.write_text(text)
    print({label: {"rows": len(d["rows"]), "cache entries": len(d["cache"])} for label, d in dump.items()})


if __name__ == "__main__":
    main()
