"""The remote judge: an OpenAI-compatible chat-completions server with logprobs (vLLM serving Qwen2-VL).

The protocol is the local judge's: the same JPEG frames, sent as one ``video/jpeg`` data URL (frames
comma-separated, vLLM's frame-list form) with the told fps in ``mm_processor_kwargs``, or one image;
the same system and user turns, rendered by the server with the model's chat template; and the same
answer reading. Each next-token distribution the reading needs is one request: the root with the
generation prompt, a longer answer prefix as a partial assistant turn (``continue_final_message``).
The requests are independent: up to ``concurrency`` are in flight at once (a bounded thread pool),
each reply filed under its own question and answer prefix, so answers do not depend on reply order.
Tokens are compared by id (``return_tokens_as_token_ids``; answer paths from the server's
``/tokenize``). A token outside the returned ``top_logprobs`` is bounded by the smallest returned one.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

from wanbench.backbones.base import BackboneUnavailable
from wanbench.backbones.judge.protocol import (
    SYSTEM_PROMPT,
    AnswerSet,
    JudgeError,
    JudgeSettings,
    NextTokens,
    Query,
    build_answer_set,
    check_user_text,
    encode_jpeg,
    final_answer,
    processor_pixels,
    read_answers,
    surface_variants,
)

DEFAULT_MODEL = "qwen2-vl-7b"  # the name asked of a server when none is given (the local default's entry)


@dataclass(frozen=True)
class OpenAIBackend:
    """The ``openai`` judge backend's options (an OpenAI-compatible server with logprobs, e.g. vLLM):
    its endpoint, the model it serves, how long to wait and how often to retry, how many next-token
    log-probabilities to ask for and how many requests to keep in flight. ``--judge remote`` names it too."""

    url: str | None = None
    model: str | None = None
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    top_logprobs: int = 20
    concurrency: int = 8
    overlaps: ClassVar[bool] = True  # the judge waits on the network: ask it while another video scores

    def __post_init__(self) -> None:
        if not self.url:
            raise ValueError(
                "a remote judge needs --judge-url (an OpenAI-compatible endpoint, e.g. http://host:8000/v1)"
            )

    def check(self) -> None:
        """Nothing to check without asking the server; the first question says whether it answers."""

    def open(self, settings: JudgeSettings) -> RemoteJudge:
        assert self.url is not None  # refused in __post_init__
        return RemoteJudge(
            self.url,
            self.model or DEFAULT_MODEL,
            settings,
            self.timeout,
            self.retries,
            self.backoff,
            top_logprobs=self.top_logprobs,
            concurrency=self.concurrency,
        )


def probe_server(url: str, timeout: float = 5.0) -> str | None:
    """Whether anything answers HTTP at the judge server's ``url`` (GET ``/models``; any HTTP answer,
    an error status included, counts): None when it does, else the reason in a few words. Asked
    before a run's compute, so a server that is down fails the run at once instead of leaving every
    judge dimension merely missing."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/models", timeout=timeout):
            return None
    except urllib.error.HTTPError:
        return None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))


class RemoteJudge:
    def __init__(
        self,
        url: str,
        model: str,
        settings: JudgeSettings,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 1.0,
        api_key: str | None = None,
        top_logprobs: int = 20,
        concurrency: int = 8,
    ) -> None:
        self.url = url.rstrip("/")
        self.root = self.url[:-3] if self.url.endswith("/v1") else self.url  # vLLM serves /tokenize at its root
        self.model, self.settings, self.timeout = model, settings, timeout
        self.retries, self.backoff, self.api_key, self.top = retries, backoff, api_key, top_logprobs
        self.judge_id = f"remote:{model}"
        self._down: str | None = None  # once a server failed every retry, later asks fail at once
        self._answer_sets: dict[str, tuple[AnswerSet, dict[tuple[int, ...], str]]] = {}
        self._answer_sets_lock = threading.Lock()  # a worker thread may ask ahead while the runner asks
        self.concurrency = max(1, concurrency)  # requests in flight at once (a bounded pool)

    # --- transport -----------------------------------------------------------------------------

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if self._down:
            raise BackboneUnavailable(self._down)
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(endpoint, json.dumps(body).encode(), headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                last = exc
                if exc.code < 500 and exc.code != 429:  # a client error will not get better by retrying
                    raise JudgeError(f"judge server {endpoint} refused the request: HTTP {exc.code}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last = exc
            if attempt < self.retries:
                time.sleep(self.backoff * 2**attempt)
        reason = getattr(last, "reason", last)
        self._down = f"judge server {endpoint} not reachable after {self.retries + 1} tries: {reason}"
        raise BackboneUnavailable(self._down)

    def tokenize(self, text: str) -> list[int]:
        reply = self._post(f"{self.root}/tokenize", {"model": self.model, "prompt": text, "add_special_tokens": False})
        try:
            return [int(t) for t in reply["tokens"]]
        except (KeyError, TypeError, ValueError):
            raise JudgeError("judge server's /tokenize gave no token ids") from None

    def answer_set(self, kind: str) -> tuple[AnswerSet, dict[tuple[int, ...], str]]:
        """The answer set in the server's token ids, and the text of every answer prefix it needs
        (found by tokenizing each answer's leading characters)."""
        with self._answer_sets_lock:
            return self._build_answer_set(kind)

    def _build_answer_set(self, kind: str) -> tuple[AnswerSet, dict[tuple[int, ...], str]]:
        if kind not in self._answer_sets:
            answer_set = build_answer_set(kind, self.settings, self.tokenize)
            texts: dict[tuple[int, ...], str] = {(): ""}
            for answer in answer_set.answers:
                for text in surface_variants(answer):
                    for end in range(1, len(text) + 1):
                        texts.setdefault(tuple(self.tokenize(text[:end])), text[:end])
            missing = [n for n in answer_set.nodes() if n not in texts]
            if missing:
                raise JudgeError(f"cannot express answer prefix tokens {missing[0]} as text for the judge server")
            self._answer_sets[kind] = (answer_set, texts)
        return self._answer_sets[kind]

    # --- questions -----------------------------------------------------------------------------

    def _content(self, query: Query) -> list[dict[str, Any]]:
        jpegs = query.jpegs or tuple(encode_jpeg(im, self.settings.jpeg_quality) for im in query.images)
        data = [base64.b64encode(j).decode() for j in jpegs]
        if query.as_video:
            vision = {"type": "video_url", "video_url": {"url": "data:video/jpeg;base64," + ",".join(data)}}
        else:
            vision = {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + data[0]}}
        return [vision, {"type": "text", "text": check_user_text(query.question)}]

    def _next_tokens(self, content: list[dict[str, Any]], prefix: str | None) -> NextTokens:
        chat = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": content}]
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": 1,
            "temperature": 0,
            "logprobs": True,
            "top_logprobs": self.top,
            "return_tokens_as_token_ids": True,
            "skip_special_tokens": False,
            "mm_processor_kwargs": {
                "fps": self.settings.fps,
                "do_sample_frames": False,
                **processor_pixels(self.settings),
            },
        }
        if prefix:
            body |= {
                "messages": chat + [{"role": "assistant", "content": prefix}],
                "add_generation_prompt": False,
                "continue_final_message": True,
            }
        else:
            body |= {"messages": chat, "add_generation_prompt": True}
        reply = self._post(f"{self.url}/chat/completions", body)
        try:
            first = reply["choices"][0]["logprobs"]["content"][0]
            entries = list(first["top_logprobs"]) + [first]
            logprobs = {_token_id(e["token"]): float(e["logprob"]) for e in entries}
        except (KeyError, IndexError, TypeError, ValueError):
            raise JudgeError(
                "judge server gave no token-id logprobs; serve the model with logprobs enabled "
                "(vLLM: --max-logprobs) and return_tokens_as_token_ids"
            ) from None
        return NextTokens(logprobs, floor=min(logprobs.values()))

    def answer(self, queries: list[Query]) -> list[Any]:
        """Every next-token distribution the queries need is one independent request; up to
        ``concurrency`` of them are in flight at once and each reply is filed under its own query and
        answer node, so the answers are those of asking one by one, whatever order replies come in."""
        plans = [(*self.answer_set(q.kind), self._content(q)) for q in queries]
        jobs = [(i, node) for i, (answer_set, _, _) in enumerate(plans) for node in answer_set.nodes()]

        def ask(job: tuple[int, tuple[int, ...]]) -> NextTokens:
            i, node = job
            _, texts, content = plans[i]
            return self._next_tokens(content, texts[node])

        if self.concurrency > 1 and len(jobs) > 1:
            with ThreadPoolExecutor(
                max_workers=min(self.concurrency, len(jobs)), thread_name_prefix="wanbench-judge"
            ) as pool:
                replies = list(pool.map(ask, jobs))
        else:
            replies = [ask(job) for job in jobs]
        nodes: list[dict[tuple[int, ...], NextTokens]] = [{} for _ in queries]
        for (i, node), reply in zip(jobs, replies):
            nodes[i][node] = reply
        return [
            final_answer(answer_set, read_answers(answer_set, found)) for (answer_set, _, _), found in zip(plans, nodes)
        ]


def _token_id(token: str) -> int:
    if not token.startswith("token_id:"):
        raise ValueError(token)
    return int(token.split(":", 1)[1])
