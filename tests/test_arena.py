"""The arena over HTTP: pair choice, idempotent votes, range requests, the token, and two annotators
voting at once through a server that is killed mid-session and restarted (nothing lost or doubled)."""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.arena_server import ArenaProcess
from tests.votes_helpers import video_runs
from wanbench.people.arena import ArenaSettings, build_catalog, create_app
from wanbench.people.votes import VoteStore

HOSTILE = 'a cat <img src=x onerror="window.__pwned=1"> & <b>dog</b>'


@pytest.fixture(scope="module")
def arena_runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("arena")
    return video_runs(
        root, ["alpha", "beta", "gamma"], [("p1", HOSTILE), ("p2", "a dog runs")], identical=("gamma", "p2")
    )


def client_for(runs: list[Path], votes: Path, token: str | None = None) -> TestClient:
    return TestClient(create_app(build_catalog(runs), ArenaSettings(votes=votes, token=token)))


def test_catalog_never_pairs_identical_videos(arena_runs: list[Path]) -> None:
    catalog = build_catalog(arena_runs)
    assert catalog.identical == 1 and len(catalog.pairs) == 5  # 3 pairs per prompt, less alpha/gamma on p2
    assert all(p.a.sha256 != p.b.sha256 and p.a.model < p.b.model for p in catalog.pairs)
    assert {p.prompt for p in catalog.pairs} == {HOSTILE, "a dog runs"}


def test_pairs_come_fewest_votes_first_then_closest_scores(arena_runs: list[Path], tmp_path: Path) -> None:
    catalog = build_catalog(arena_runs)
    store = VoteStore(tmp_path / "votes.sqlite")
    by_gap = sorted(catalog.pairs, key=lambda p: p.score_gap)
    assert catalog.next_pair(store, "ann") is by_gap[0]  # nobody voted: closest benchmark scores first
    from wanbench.people.votes import Vote

    first = by_gap[0]
    store.add(Vote(first.a.prompt_id, 0, first.a.model, first.b.model, "someone", "a"))
    following = catalog.next_pair(store, "ann")
    assert following is not None and following.key != first.key  # a pair with a vote waits behind unvoted ones
    # ... and so does its model pair and its prompt, while another model pair or prompt has fewer votes
    assert (following.a.model, following.b.model) != (first.a.model, first.b.model)
    for p in catalog.pairs:
        store.add(Vote(p.a.prompt_id, 0, p.a.model, p.b.model, "ann", "tie"))
    assert catalog.next_pair(store, "ann") is None and catalog.progress(store, "ann") == {"done": 5, "total": 5}
    store.close()


def test_a_study_of_n_models_covers_model_pairs_prompts_and_sides_evenly(tmp_path: Path) -> None:
    from itertools import combinations

    from wanbench.people.votes import Vote

    models = ["m1", "m2", "m3", "m4"]
    runs = video_runs(tmp_path, models, [(f"q{i}", f"prompt {i}") for i in range(6)])  # 6 model pairs x 6 prompts
    catalog = build_catalog(runs)
    assert len(catalog.pairs) == 36
    store = VoteStore(tmp_path / "votes.sqlite")
    per_models = {pair: 0 for pair in combinations(models, 2)}
    per_prompt = {f"q{i}": 0 for i in range(6)}
    annotators = ["ann1", "ann2", "ann3"]
    own = {name: dict.fromkeys(per_models, 0) for name in annotators}
    for turn in range(3 * 36):
        name = annotators[turn % 3]
        pair = catalog.next_pair(store, name)
        assert pair is not None
        catalog.assign_sides(store, name, pair)
        store.add(Vote(pair.a.prompt_id, 0, pair.a.model, pair.b.model, name, "a"))
        per_models[(pair.a.model, pair.b.model)] += 1
        own[name][(pair.a.model, pair.b.model)] += 1
        per_prompt[pair.a.prompt_id] += 1
        # at every moment: each annotator has seen every model pair within one vote of each other, and
        # the study as a whole its model pairs within 2 and its prompts within 3 (3 annotators at once)
        assert max(own[name].values()) - min(own[name].values()) <= 1, (turn, name, own[name])
        assert max(per_models.values()) - min(per_models.values()) <= 2, (turn, per_models)
        assert max(per_prompt.values()) - min(per_prompt.values()) <= 3, (turn, per_prompt)
    assert set(per_models.values()) == {18} and set(per_prompt.values()) == {18}
    for a, b in combinations(models, 2):  # the server balanced which model is on the left
        sides = store.left_counts(a, b)
        assert sides["a"] + sides["b"] == 18 and abs(sides["a"] - sides["b"]) <= 1, (a, b, sides)
    store.close()


def test_reference_study_offers_only_pairs_with_the_reference(arena_runs: list[Path]) -> None:
    catalog = build_catalog(arena_runs, reference="beta")
    assert catalog.pairs and all("beta" in (p.a.model, p.b.model) for p in catalog.pairs)
    assert len(catalog.pairs) == 4  # alpha-beta and beta-gamma on both prompts
    with pytest.raises(ValueError, match="none of the runs' models"):
        build_catalog(arena_runs, reference="nobody")


def _stored(votes: Path) -> list[tuple]:
    return (
        sqlite3.connect(votes)
        .execute("SELECT question, winner, shown_left, seconds FROM votes ORDER BY question")
        .fetchall()
    )


def test_a_round_is_stored_whole_once_with_the_sides_the_server_showed(arena_runs: list[Path], tmp_path: Path) -> None:
    votes = tmp_path / "votes.sqlite"
    with client_for(arena_runs, votes) as client:
        pair = client.get("/api/next", params={"annotator": "ann"}).json()
        assert not pair["done"] and pair["prompt"] in (HOSTILE, "a dog runs") and "left_is" not in pair
        assert [a["name"] for a in pair["aspects"]] == ["visual_quality", "motion_quality", "matching", "overall"]
        assert [a["required"] for a in pair["aspects"]] == [False, False, False, True]
        again_pair = client.get("/api/next", params={"annotator": "ann"}).json()  # a reload: same pair, same sides
        assert again_pair["left"] == pair["left"] and again_pair["right"] == pair["right"]
        body = {
            "annotator": "ann",
            "pair_id": pair["pair_id"],
            "seconds": 3.5,
            "answers": {"visual_quality": "right", "matching": "both_bad", "overall": "left"},
        }
        missing = client.post("/api/vote", json={**body, "answers": {"visual_quality": "left"}})
        assert missing.status_code == 400  # overall is required
        unknown = client.post("/api/vote", json={**body, "answers": {"overall": "left", "smoothness": "left"}})
        assert unknown.status_code == 400  # not an aspect of this study
        first = client.post("/api/vote", json=body)
        altered = {**body, "answers": {"motion_quality": "tie", "overall": "right"}}
        again = client.post("/api/vote", json=altered)  # a retry, a double click, or a changed mind: one round
        assert first.json()["recorded"] is True and again.json()["recorded"] is False
        assert again.json()["progress"] == {"done": 1, "total": 5}
        assert client.get("/api/next", params={"annotator": "ann"}).json()["pair_id"] != pair["pair_id"]
        assert client.post("/api/vote", json={**body, "answers": {"overall": "sideways"}}).status_code == 400
        assert client.post("/api/vote", json={**body, "pair_id": "nope"}).status_code == 404
        assert client.post("/api/vote", json={**body, "annotator": "<b>"}).status_code == 400
        assert client.get("/api/next", params={"annotator": "a b"}).status_code == 400
        # a pair the server never handed to this annotator, and sides the browser claims: refused
        other = next(p for p in build_catalog(arena_runs).pairs if p.id != pair["pair_id"])
        assert client.post("/api/vote", json={**body, "pair_id": other.id}).status_code == 409
        assert client.post("/api/vote", json={**body, "annotator": "bob"}).status_code == 409
    with VoteStore(votes) as store:
        left_is = store.assigned_side(build_catalog(arena_runs).by_id[pair["pair_id"]].key, "ann")
    assert left_is in ("a", "b")
    other_side = "b" if left_is == "a" else "a"
    assert _stored(votes) == [
        ("", left_is, left_is, 3.5),
        ("matching", "both_bad", left_is, 3.5),
        ("visual_quality", other_side, left_is, 3.5),
    ]


def test_the_browsers_claim_of_the_sides_is_checked_against_the_record(arena_runs: list[Path], tmp_path: Path) -> None:
    votes = tmp_path / "votes.sqlite"
    with client_for(arena_runs, votes) as client:
        pair = client.get("/api/next", params={"annotator": "ann"}).json()
        catalog = build_catalog(arena_runs)
        with VoteStore(votes) as store:
            left_is = store.assigned_side(catalog.by_id[pair["pair_id"]].key, "ann")
        wrong = "b" if left_is == "a" else "a"
        body = {"annotator": "ann", "pair_id": pair["pair_id"], "choice": "left"}  # an older page's body
        assert client.post("/api/vote", json={**body, "left_is": wrong}).status_code == 409
        assert client.post("/api/vote", json={**body, "left_is": left_is}).json()["recorded"] is True
    assert _stored(votes) == [("", left_is, left_is, None)]


def test_a_study_chooses_its_aspects(arena_runs: list[Path], tmp_path: Path) -> None:
    settings = ArenaSettings(votes=tmp_path / "v.sqlite", aspects=("overall", "motion_quality"))
    with TestClient(create_app(build_catalog(arena_runs), settings)) as client:
        pair = client.get("/api/next", params={"annotator": "ann"}).json()
        assert [a["name"] for a in pair["aspects"]] == ["motion_quality", "overall"]  # overall last
        page = client.get("/").text
        assert "<em>Motion quality</em>" in page and "<em>Overall</em>" in page and "Prompt matching" not in page
        body = {"annotator": "ann", "pair_id": pair["pair_id"], "answers": {"overall": "tie", "matching": "left"}}
        assert client.post("/api/vote", json=body).status_code == 400
    with pytest.raises(ValueError, match="unknown aspect"):
        ArenaSettings(votes=tmp_path / "v.sqlite", aspects=("overall", "beauty"))


def test_videos_stream_with_range_requests(arena_runs: list[Path], tmp_path: Path) -> None:
    with client_for(arena_runs, tmp_path / "votes.sqlite") as client:
        pair = client.get("/api/next", params={"annotator": "ann"}).json()
        whole = client.get(pair["left"]["url"])
        part = client.get(pair["left"]["url"], headers={"Range": "bytes=100-199"})
        assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
        assert part.status_code == 206 and part.content == whole.content[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
        assert client.get("/video/999").status_code == 404 and client.get("/video/..%2Fx").status_code == 404


def test_token_gates_every_route_when_set(arena_runs: list[Path], tmp_path: Path) -> None:
    with client_for(arena_runs, tmp_path / "votes.sqlite", token="s3cret") as client:
        assert client.get("/").status_code == 403
        assert client.get("/video/0").status_code == 403
        assert client.get("/", params={"token": "wrong"}).status_code == 403
        assert client.get("/", params={"token": "s3cret"}).status_code == 200  # sets the cookie
        assert client.get("/api/next", params={"annotator": "ann"}).status_code == 200  # by cookie
    with client_for(arena_runs, tmp_path / "votes.sqlite", token="s3cret") as client:
        assert client.get("/api/progress", headers={"X-Arena-Token": "s3cret"}).status_code == 200


def test_pages_escape_what_people_and_runs_wrote(arena_runs: list[Path], tmp_path: Path) -> None:
    votes = tmp_path / "votes.sqlite"
    from wanbench.people.votes import Vote

    with VoteStore(votes) as store:
        store.add(Vote("p1", 0, "alpha", "beta", "x<script>", "a"))  # a name the API refuses, put in directly
    with client_for(arena_runs, votes) as client:
        page = client.get("/progress").text
        assert "x&lt;script&gt;" in page and "x<script>" not in page
        assert "innerHTML" not in client.get("/vote", params={"annotator": "ann"}).text
        assert client.get("/vote", params={"annotator": "<b>"}).status_code == 400


# what a client sees when the server dies mid-request: no connection, a reset, or an answer cut short
# (http.client.IncompleteRead, which is no OSError); the page retries on each, and so do these clients
DROPPED = (OSError, http.client.HTTPException)


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _annotate(base: list[str], name: str, log: list[tuple[str, str]], errors: list[str]) -> None:
    """Vote on every pair, like the page does: retry a vote until the server acknowledges it."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            pair = _get(f"{base[0]}/api/next?annotator={name}")
        except DROPPED:
            time.sleep(0.1)
            continue
        if pair["done"]:
            return
        choice = ("left", "right", "tie")[len(log) % 3]
        body = {"annotator": name, "pair_id": pair["pair_id"], "answers": {"overall": choice}}
        while time.monotonic() < deadline:
            try:
                _post(f"{base[0]}/api/vote", body)
                log.append((pair["pair_id"], choice))
                break
            except DROPPED:
                time.sleep(0.1)
    errors.append(f"{name} did not finish")


@pytest.mark.slow
def test_two_annotators_at_once_through_a_killed_and_restarted_server(tmp_path: Path) -> None:
    models = ["m1", "m2", "m3", "m4"]
    runs = video_runs(tmp_path, models, [(f"q{i}", f"prompt {i}") for i in range(4)])  # 24 pairs
    votes = tmp_path / "votes.sqlite"
    server = ArenaProcess(runs, votes).start()
    base = [server.url]
    logs: dict[str, list] = {"ann1": [], "ann2": []}
    errors: list[str] = []
    threads = [threading.Thread(target=_annotate, args=(base, name, logs[name], errors)) for name in logs]
    try:
        for t in threads:
            t.start()
        while sum(len(v) for v in logs.values()) < 12:  # mid-session: about a quarter done
            time.sleep(0.05)
        server.kill()
        killed_at = sum(len(v) for v in logs.values())
        server = ArenaProcess(runs, votes, port=server.port).start()  # same port: the clients just retry
        for t in threads:
            t.join(300)
    finally:
        server.stop()
    assert not errors and killed_at < 48
    db = sqlite3.connect(votes)
    rows = db.execute("SELECT annotator, prompt_id, model_a, model_b, winner FROM votes WHERE question=''").fetchall()
    assert len(rows) == 48 and len(set(rows)) == 48  # every pair, once per annotator
    from wanbench.people.arena.catalog import pair_id

    stored = {(ann, pair_id(p, 0, a, b)): w for ann, p, a, b, w in rows}
    sides = {
        (ann, pair_id(p, 0, a, b)): s
        for ann, p, a, b, s in db.execute("SELECT annotator, prompt_id, model_a, model_b, shown_left FROM assignments")
    }
    for name, log in logs.items():
        assert len(log) == 24 and len({pid for pid, _ in log}) == 24
        for pid, choice in log:  # what each one chose, read against the sides the server recorded
            left = sides[(name, pid)]
            assert stored[(name, pid)] == {"left": left, "right": "ab".replace(left, ""), "tie": "tie"}[choice]


def test_arena_serves_no_file_a_run_database_points_outside_it(tmp_path: Path) -> None:
    runs = video_runs(tmp_path, ["alpha", "beta"], [("p1", "a cat"), ("p2", "a dog")])
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"TOP SECRET")
    with sqlite3.connect(runs[0] / "results.sqlite") as db:  # a hostile or stale database
        db.execute("UPDATE videos SET path = ? WHERE prompt_id = 'p1'", (str(secret),))
    catalog = build_catalog(runs)
    assert all(v.path != secret.resolve() for v in catalog.videos)
    assert all(v.path.is_relative_to(r.resolve()) for v in catalog.videos for r in runs if r.name == v.model)
    client = TestClient(create_app(catalog, ArenaSettings(votes=tmp_path / "v.sqlite")))
    for i in range(len(catalog.videos)):
        assert client.get(f"/video/{i}").content != b"TOP SECRET"
    assert client.get("/video/-1").status_code == 404
    pair = catalog.pairs[0]
    body = {"annotator": "eve", "pair_id": pair.id, "answers": {"overall": "left"}}
    assert client.post("/api/vote", content=json.dumps(body), headers={"content-type": "text/plain"}).status_code == 415
    assert client.post("/api/vote", json=body, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/vote", json=body | {"answers": {"overall": []}}).status_code == 400
    assert client.post("/api/vote", json=body).status_code == 409  # never handed to eve


@pytest.mark.parametrize("token", ["a;b", "two words", 'quo"te', "comma,sep", ""])
def test_token_that_would_break_the_cookie_is_refused(token: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--token may hold only"):
        ArenaSettings(votes=tmp_path / "votes.sqlite", token=token)


def test_urlsafe_token_survives_the_cookie_round_trip(arena_runs: list[Path], tmp_path: Path) -> None:
    token = "Ab-_9.~xY"  # every kind of character a generated or typed token may hold
    with client_for(arena_runs, tmp_path / "votes.sqlite", token=token) as client:
        assert client.get("/", params={"token": token}).status_code == 200
        assert client.get("/api/next", params={"annotator": "ann"}).status_code == 200  # by the cookie alone


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--token", "a;b", "--token may hold only"),
        ("--aspects", "overall,beauty", "unknown aspect(s) beauty"),
        ("--reference", "nobody", "--reference 'nobody' is none of the runs' models"),
    ],
)
def test_cli_refuses_a_bad_option_in_one_line(
    arena_runs: list[Path], tmp_path: Path, option: str, value: str, message: str
) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wanbench",
            "arena",
            *map(str, arena_runs),
            option,
            value,
            "--votes",
            str(tmp_path / "v.sqlite"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
