"""`wanbench weights fetch` through huggingface_hub against a loopback server that answers the way
the Hub does (HEAD/GET on /<repo>/resolve/<revision>/<file> with commit, etag and size headers),
chosen with HF_ENDPOINT: the file lands under $WANBENCH_HOME, verified by its full sha256."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAYLOAD = os.urandom(200_000)
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()
REPO, FILENAME, COMMIT = "someone/tiny-weights", "model.safetensors", "a" * 40


class FakeHub(BaseHTTPRequestHandler):
    requests: list[str] = []

    def _headers(self, found: bool) -> None:
        self.send_response(200 if found else 404)
        if found:
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{DIGEST}"')
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.send_header("Content-Type", "application/octet-stream")
        else:
            self.send_header("Content-Length", "0")
            self.send_header("X-Error-Code", "EntryNotFound")
        self.end_headers()

    def _found(self) -> bool:
        FakeHub.requests.append(f"{self.command} {self.path}")
        return self.path.split("?")[0] == f"/{REPO}/resolve/main/{FILENAME}"

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._headers(self._found())

    def do_GET(self) -> None:  # noqa: N802
        found = self._found()
        self._headers(found)
        if found:
            self.wfile.write(PAYLOAD)

    def log_message(self, *args) -> None:
        pass


SCRIPT = f"""
from wanbench.model_weights import WEIGHTS, WeightSpec, fetch, weights_status
WEIGHTS.register("hub-test", WeightSpec(name="hub-test", description="test", used_by="test",
                 files=({FILENAME!r},), licence="test", repo={REPO!r}, sha256={{{FILENAME!r}: {DIGEST!r}}}))
print(fetch("hub-test").state)
"""


def test_fetch_downloads_from_the_hub_endpoint_and_verifies(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = os.environ | {
            "HF_ENDPOINT": f"http://127.0.0.1:{server.server_port}",
            "WANBENCH_HOME": str(tmp_path),
            "HF_HOME": str(tmp_path / "hf"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
        }
        env.pop("HF_HUB_OFFLINE", None)
        done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
        thread.join()
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "present"
    landed = tmp_path / "weights" / "hub-test" / FILENAME
    assert landed.read_bytes() == PAYLOAD
    assert any(r.startswith("GET /someone/tiny-weights/resolve/main/") for r in FakeHub.requests)
