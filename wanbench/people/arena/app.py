"""The arena web app (Starlette): pages, the pair/vote JSON API, and video streaming.

Security: it binds to loopback unless told otherwise; when a token is set every request must carry
it (``?token=`` once, then a cookie, or an ``X-Arena-Token`` header). Videos are addressed by their
catalog number, never by a path from the request. Prompt texts and annotator names reach pages only
as JSON or through ``html.escape``; the page's script writes them with ``textContent``.

Votes: one submission is one round, the answers to every aspect of the study (overall required),
stored in one transaction; a resubmission of a round already stored changes nothing and answers
``recorded: false``, so the page can retry until the server acknowledges without ever counting twice.
Which model was on the left is the server's record of what it handed out (``/api/next``), never what
the browser says: a vote on a pair the server did not hand to that annotator is refused.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import ipaddress
import os
import re
import stat
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Route
from starlette.types import ASGIApp

from wanbench.people.arena.catalog import Catalog, study_aspects
from wanbench.people.arena.page import INSTRUCTIONS_PAGE, PROGRESS_PAGE, VOTE_PAGE
from wanbench.people.votes import REPORT_ASPECTS, Vote, VoteStore

ANNOTATOR = re.compile(r"^[A-Za-z0-9_.@-]{1,64}\Z")
CHOICES = {"left", "right", "tie", "both_bad"}
TOKEN_COOKIE = "wanbench_arena_token"


TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_.~-]{1,256}\Z")  # URL- and cookie-safe as they stand, no quoting


@dataclass
class ArenaSettings:
    votes: Path
    token: str | None = None  # required on every request when set
    aspects: tuple[str, ...] = REPORT_ASPECTS  # what each round asks; "overall" is always asked, last

    def __post_init__(self) -> None:
        study_aspects(self.aspects)  # an unknown aspect is refused here, before the server starts
        # The token travels in a query string and a cookie; ';', ',', spaces or quotes would end the cookie
        # early and lock every annotator out after their first page.
        if self.token is not None and not TOKEN_CHARS.match(self.token):
            raise ValueError("--token may hold only letters, digits and '_', '.', '~', '-' (1 to 256 of them)")


class TokenGate:
    """ASGI middleware: 403 unless the request carries the token (query, cookie or header)."""

    def __init__(self, app, token: str | None) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send) -> None:
        if self.token is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        cookies = {}
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            cookies[name] = value
        offered = [*(query.get("token") or []), cookies.get(TOKEN_COOKIE, ""), headers.get("x-arena-token", "")]
        if not any(o and hmac.compare_digest(o.encode(), self.token.encode()) for o in offered):
            await PlainTextResponse("forbidden: this arena needs its token (?token=...)", 403)(scope, receive, send)
            return
        from_query = bool(query.get("token"))

        async def send_with_cookie(message) -> None:
            if from_query and message["type"] == "http.response.start":
                cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def create_app(catalog: Catalog, settings: ArenaSettings) -> TokenGate:
    store = VoteStore(settings.votes)
    lock = asyncio.Lock()  # one vote transaction at a time within this process (others: SQLite's lock)
    aspects = study_aspects(settings.aspects)
    names = {a.key or "overall": a for a in aspects}
    aspects_json = [
        {"name": a.key or "overall", "title": a.title, "question": a.question, "required": not a.key} for a in aspects
    ]

    def annotator_of(request: Request) -> str | None:
        name = request.query_params.get("annotator", "")
        return name if ANNOTATOR.match(name) else None

    async def instructions(request: Request) -> Response:
        asked = ", ".join(f"<em>{html.escape(a.title)}</em> ({html.escape(a.question)})" for a in aspects)
        return HTMLResponse(
            INSTRUCTIONS_PAGE.replace("{{PAIRS}}", str(len(catalog.pairs))).replace("{{ASPECTS}}", asked)
        )

    async def vote_page(request: Request) -> Response:
        if annotator_of(request) is None:
            return HTMLResponse(
                "<p>Choose an annotator name (letters, digits, _ . @ -) on the <a href='/'>instructions page</a>.</p>",
                400,
            )
        return HTMLResponse(VOTE_PAGE)

    async def next_pair(request: Request) -> Response:
        annotator = annotator_of(request)
        if annotator is None:
            return JSONResponse({"error": "annotator must be 1-64 of A-Z a-z 0-9 _ . @ -"}, 400)
        async with lock:
            pair = catalog.next_pair(store, annotator)
            progress = catalog.progress(store, annotator)
            side = None if pair is None else catalog.assign_sides(store, annotator, pair)
        if pair is None:
            return JSONResponse({"done": True, "progress": progress})
        left, right = (pair.a, pair.b) if side == "a" else (pair.b, pair.a)
        return JSONResponse(
            {
                "done": False,
                "pair_id": pair.id,
                "prompt": pair.prompt,
                "prompt_id": pair.a.prompt_id,
                "seed": pair.a.seed,
                "left": {"url": f"/video/{left.id}"},
                "right": {"url": f"/video/{right.id}"},
                "aspects": aspects_json,
                "progress": progress,
            }
        )

    async def vote(request: Request) -> Response:
        # Only a same-origin JSON request: a text/plain POST from another site's page needs no CORS
        # preflight and would otherwise vote in an arena on loopback.
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return JSONResponse({"error": "Content-Type must be application/json"}, 415)
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
            return JSONResponse({"error": "cross-origin vote refused"}, 403)
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # RecursionError: a body of [[[[...]]]] nested past the parser's depth
            return JSONResponse({"error": "body must be JSON"}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "body must be a JSON object"}, 400)
        annotator = str(body.get("annotator", ""))
        pair = catalog.by_id.get(str(body.get("pair_id", "")))
        if not ANNOTATOR.match(annotator):
            return JSONResponse({"error": "annotator must be 1-64 of A-Z a-z 0-9 _ . @ -"}, 400)
        if pair is None:
            return JSONResponse({"error": "unknown pair_id"}, 404)
        answers = body.get("answers") or {}
        if not isinstance(answers, dict):
            return JSONResponse({"error": "answers must be an object {aspect: choice}"}, 400)
        if "choice" in body:  # the overall answer alone, as pages before aspects sent it
            answers = {**answers, "overall": body["choice"]}
        bad = [k for k, v in answers.items() if k not in names or not isinstance(v, str) or v not in CHOICES]
        if bad or not isinstance(answers.get("overall"), str):
            return JSONResponse(
                {
                    "error": "answers must give overall, and only this study's aspects "
                    f"({', '.join(names)}), each left/right/tie/both_bad"
                },
                400,
            )
        async with lock:
            left_is = store.assigned_side(pair.key, annotator)
        if left_is is None:
            return JSONResponse({"error": "this pair was not handed to this annotator (GET /api/next first)"}, 409)
        claimed = body.get("left_is")
        if claimed is not None and claimed != left_is:
            return JSONResponse({"error": "left_is differs from the sides this server showed; vote refused"}, 409)
        seconds = body.get("seconds")
        seconds = float(seconds) if isinstance(seconds, (int, float)) and 0 <= seconds < 86400 else None
        now = time.time()
        votes = [_vote(pair, annotator, names[k].key, v, left_is, seconds, now) for k, v in answers.items()]
        async with lock:
            new = store.add_round(votes)
            progress = catalog.progress(store, annotator)
        return JSONResponse({"recorded": new, "progress": progress})

    pinned = {i: _file_identity(item.path) for i, item in enumerate(catalog.videos)}  # what was checked at start

    async def video(request: Request) -> Response:
        try:
            index = int(request.path_params["video_id"])
            if index < 0:
                raise IndexError(index)
            item = catalog.videos[index]
        except (ValueError, IndexError):
            return PlainTextResponse("no such video", 404)
        identity = _file_identity(item.path)
        if identity is None or identity != pinned[index]:  # replaced (by a link, say) since the arena started
            return PlainTextResponse("video changed since the arena started; restart the arena", 404)
        return FileResponse(identity[0], media_type="video/mp4", headers={"Cache-Control": "private, max-age=3600"})

    async def progress_api(request: Request) -> Response:
        async with lock:
            annotators = store.annotators()
            counts = store.pair_counts()
        keys = {p.key for p in catalog.pairs}
        covered = sum(1 for k in keys if counts.get(k, 0) > 0)
        return JSONResponse(
            {
                "pairs": len(catalog.pairs),
                "pairs_with_votes": covered,
                "identical_pairs_left_out": catalog.identical,
                "annotators": annotators,
                "now": time.time(),
            }
        )

    async def progress_page(request: Request) -> Response:
        async with lock:
            annotators = store.annotators()
        rows = "".join(_progress_row(name, info, len(catalog.pairs)) for name, info in annotators.items())
        return HTMLResponse(PROGRESS_PAGE.replace("{{ROWS}}", rows))

    app = Starlette(
        routes=[
            Route("/", instructions),
            Route("/vote", vote_page),
            Route("/progress", progress_page),
            Route("/api/next", next_pair),
            Route("/api/vote", vote, methods=["POST"]),
            Route("/api/progress", progress_api),
            Route("/video/{video_id}", video),
        ],
        lifespan=_closing(store),
    )
    return TokenGate(app, settings.token)


def _closing(store: VoteStore):
    @asynccontextmanager
    async def lifespan(app):
        yield
        store.close()

    return lifespan


def _progress_row(name: str, info: dict, pairs: int) -> str:
    seconds = "" if info["mean_seconds"] is None else f"{info['mean_seconds']:.1f}"
    last = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(info["last"]))
    return (
        f"<tr><td>{html.escape(name)}</td><td>{info['votes']}</td><td>{pairs}</td><td>{seconds}</td>"
        f"<td>{last} UTC</td></tr>"
    )


def _vote(
    pair, annotator: str, question: str, choice: str, left_is: str, seconds: float | None, created: float
) -> Vote:
    right_is = "b" if left_is == "a" else "a"
    winner = {"left": left_is, "right": right_is}.get(choice, choice)
    return Vote(
        pair.a.prompt_id,
        pair.a.seed,
        pair.a.model,
        pair.b.model,
        annotator,
        winner,
        question,
        left_is,
        pair.a.sha256,
        pair.b.sha256,
        seconds,
        created,
        "arena",
    )


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _file_identity(path: Path) -> tuple[str, int, int] | None:
    """(real path, device, inode) of a regular file, or None: a file swapped for a symbolic link, or a
    folder above it swapped for one, changes its real path or inode and is no longer served."""
    real = os.path.realpath(path)
    try:
        info = os.lstat(real)
    except OSError:
        return None
    return (real, info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def is_loopback_host(host_header: str) -> bool:
    """Whether a Host header names this machine's loopback in any spelling: localhost, 127.0.0.0/8,
    ::1 (bracketed, with or without a port, in any of its IPv6 forms) or ::ffff:127.x.y.z."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


class LoopbackHostGate:
    """ASGI middleware for an arena without a token: answer only requests whose Host is loopback (or
    the name it was bound under). A DNS-rebinding page reaches loopback under another host name; it
    must not read prompts or store votes. (Starlette's TrustedHostMiddleware cuts "[::1]:8765" at its
    first colon, so it let no IPv6 request through, and the arena skipped the check on ::1.)"""

    def __init__(self, app: ASGIApp, bound: str) -> None:
        self.app, self.bound = app, bound.strip("[]").lower()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            host = headers.get("host", "")
            bare = host[1 : host.find("]")] if host.startswith("[") and "]" in host else host.rpartition(":")[0] or host
            if not (is_loopback_host(host) or bare.lower() == self.bound):
                await PlainTextResponse("Invalid host header", 400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def serve(catalog: Catalog, settings: ArenaSettings, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the arena under uvicorn until interrupted."""
    import uvicorn

    app: ASGIApp = create_app(catalog, settings)
    if not settings.token:  # without a token the arena trusts being on loopback: only loopback names are answered
        app = LoopbackHostGate(app, host)
    uvicorn.run(app, host=host, port=port, log_level="warning")
