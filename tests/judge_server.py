"""A loopback OpenAI-compatible judge server for tests: the tiny Qwen2-VL served as vLLM serves it.

It shares no code with the judge: it decodes the data URLs itself (a ``video/jpeg`` URL is
comma-separated JPEG frames, vLLM's frame-list form), renders the chat with the model's template
(``add_generation_prompt`` / ``continue_final_message``), tokenizes the whole prompt as one text
(special tokens parsed, as a server does), runs one full forward and returns the top log-probabilities
of the next token (``token_id:N`` with ``return_tokens_as_token_ids``). ``/tokenize`` at the root.
Bound to 127.0.0.1 on a free port; ``close()`` stops it.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

from tests.loopback_http import send_json


def _decode(url: str) -> list[np.ndarray]:
    from PIL import Image

    header, data = url.split(",", 1)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(part))).convert("RGB")) for part in data.split(",")]


class LoopbackJudgeServer:
    def __init__(self, folder: Path, fail_first: int = 0) -> None:
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        self.model = AutoModelForImageTextToText.from_pretrained(folder, dtype=torch.float32).eval()
        self.processor = AutoProcessor.from_pretrained(folder)
        self.requests: list[dict] = []
        self.fail_first = fail_first  # answer this many requests with HTTP 503 first (retry tests)
        self.lock = threading.Lock()
        self.counting = threading.Lock()  # guards the two counts (the model's lock is held while it runs)
        self.in_flight = 0  # requests received and not yet answered
        self.max_in_flight = 0  # the most at once: > 1 means the client sent requests concurrently
        self.delay = 0.0  # seconds each request waits before it is answered (a slow server)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                with server.counting:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if server.delay:
                        time.sleep(server.delay)
                    reply = self.reply()
                finally:  # counted out before the answer leaves, so the client's next request is not overlap
                    with server.counting:
                        server.in_flight -= 1
                if isinstance(reply, int):
                    self.send_error(reply)
                else:
                    send_json(self, reply)

            def reply(self) -> dict | int:
                """The JSON answer, or an HTTP error code."""
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                    if len(server.requests) <= server.fail_first:
                        return 503
                    if self.path == "/tokenize":
                        return server.tokenize(body)
                    if self.path == "/v1/chat/completions":
                        return server.chat(body)
                    return 404

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def tokenize(self, body: dict) -> dict:
        ids = self.processor.tokenizer.encode(body["prompt"], add_special_tokens=body.get("add_special_tokens", True))
        return {"tokens": ids, "count": len(ids)}

    def chat(self, body: dict) -> dict:
        import torch

        videos, images, chat = [], [], []
        for message in body["messages"]:
            content = message["content"]
            if isinstance(content, list):
                parts = []
                for part in content:
                    if part["type"] == "video_url":
                        videos.append(np.stack(_decode(part["video_url"]["url"])))
                        parts.append({"type": "video"})
                    elif part["type"] == "image_url":
                        images.append(_decode(part["image_url"]["url"])[0])
                        parts.append({"type": "image"})
                    else:
                        parts.append({"type": "text", "text": part["text"]})
                content = parts
            chat.append({"role": message["role"], "content": content})
        prompt = self.processor.apply_chat_template(
            chat,
            tokenize=False,
            add_generation_prompt=body.get("add_generation_prompt", True),
            continue_final_message=body.get("continue_final_message", False),
        )
        kwargs = {"text": [prompt], "return_tensors": "pt"}
        extra = body.get("mm_processor_kwargs", {})
        if "min_pixels" in extra or "max_pixels" in extra:  # vLLM's Qwen-VL pixel bounds, as the processor's size
            kwargs["size"] = {
                "shortest_edge": extra.get("min_pixels", 56 * 56),
                "longest_edge": extra.get("max_pixels", 28 * 28 * 1280),
            }
        if videos:
            kwargs |= {"videos": videos, "fps": extra.get("fps", 2.0)}
        if images:
            kwargs["images"] = images
        inputs = self.processor(**kwargs)
        with torch.inference_mode():
            logprobs = torch.log_softmax(self.model(**inputs).logits[0, -1].double(), -1)
        top = torch.topk(logprobs, min(int(body.get("top_logprobs", 0)), logprobs.numel()))

        def name(token: int) -> str:
            return (
                f"token_id:{token}"
                if body.get("return_tokens_as_token_ids")
                else self.processor.tokenizer.decode([token])
            )

        chosen = int(top.indices[0])
        entries = [{"token": name(int(t)), "logprob": float(lp)} for t, lp in zip(top.indices, top.values)]
        return {
            "object": "chat.completion",
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "length",
                    "message": {"role": "assistant", "content": self.processor.tokenizer.decode([chosen])},
                    "logprobs": {
                        "content": [
                            {"token": name(chosen), "logprob": float(logprobs[chosen]), "top_logprobs": entries}
                        ]
                    },
                }
            ],
        }

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
