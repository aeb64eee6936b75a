"""Issue 30 items 11-12 (arena): the Host check covers every loopback spelling (::1 included), a video
swapped for a link after start is not served, and a deeply nested vote body is a 400, not a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.votes_helpers import video_runs
from wanbench.people.arena import ArenaSettings, build_catalog, create_app
from wanbench.people.arena.app import LoopbackHostGate, is_loopback_host


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    (tmp_path / "arena").mkdir()
    return video_runs(tmp_path / "arena", ["alpha", "beta"], [("p1", "a cat"), ("p2", "a dog runs")])


@pytest.mark.parametrize(
    "host,loopback",
    [
        ("127.0.0.1:8765", True),
        ("127.3.4.5", True),
        ("localhost:8765", True),
        ("LOCALHOST.", True),
        ("[::1]:8765", True),
        ("[::1]", True),
        ("[0:0:0:0:0:0:0:1]:80", True),
        ("[::ffff:127.0.0.1]:8765", True),
        ("evil.example:8765", False),
        ("evil.example", False),
        ("[2001:db8::1]:8765", False),
        ("10.0.0.1:8765", False),
        ("", False),
        ("[::1", False),
    ],
)
def test_loopback_host_forms(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("bound", ["127.0.0.1", "::1", "localhost"])
def test_gate_refuses_a_forged_host_on_every_loopback_bind(runs: list[Path], tmp_path: Path, bound: str) -> None:
    app = LoopbackHostGate(create_app(build_catalog(runs), ArenaSettings(votes=tmp_path / "v.sqlite")), bound)
    with TestClient(app) as client:
        forged = client.get("/api/next", params={"annotator": "ann"}, headers={"host": "rebind.evil.example:8765"})
        assert forged.status_code == 400 and "cat" not in forged.text
        vote = client.post("/api/vote", json={}, headers={"host": "rebind.evil.example"})
        assert vote.status_code == 400
        for host in ("[::1]:8765", "127.0.0.1:8765", "localhost:8765"):
            assert client.get("/api/next", params={"annotator": "ann"}, headers={"host": host}).status_code == 200


def test_serve_gates_an_ipv6_loopback_bind(monkeypatch: pytest.MonkeyPatch, runs: list[Path], tmp_path: Path) -> None:
    import uvicorn

    from wanbench.people.arena import app as arena_app

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app))
    arena_app.serve(build_catalog(runs), ArenaSettings(votes=tmp_path / "v.sqlite"), host="::1")
    assert isinstance(served["app"], LoopbackHostGate)


def test_a_video_swapped_for_a_link_after_start_is_not_served(runs: list[Path], tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret\n")
    catalog = build_catalog(runs)
    with TestClient(create_app(catalog, ArenaSettings(votes=tmp_path / "v.sqlite"))) as client:
        assert client.get("/video/0").status_code == 200
        target = catalog.videos[0].path
        target.unlink()
        target.symlink_to(secret)
        swapped = client.get("/video/0")
        assert swapped.status_code == 404 and "secret" not in swapped.text
        assert client.get("/video/1").status_code == 200


def test_a_deeply_nested_vote_body_is_a_400(runs: list[Path], tmp_path: Path) -> None:
    with TestClient(create_app(build_catalog(runs), ArenaSettings(votes=tmp_path / "v.sqlite"))) as client:
        body = "[" * 100_000 + "]" * 100_000
        reply = client.post("/api/vote", content=body, headers={"content-type": "application/json"})
        assert reply.status_code == 400
