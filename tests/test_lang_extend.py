"""--lang and --extend: the adapter reads the chosen (or rewritten) text, the label and provenance say
which, rewrites are cached, and the report puts English and Chinese side by side."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SMALL, write_suite
from tests.loopback_http import send_json
from wanbench.adapters.procedural import ProceduralAdapter
from wanbench.cli import app
from wanbench.prompts.extend import ExtensionError, ServerExtender
from wanbench.prompts.generation_text import CACHE_FILE, ExtendSettings, GenerationText
from wanbench.prompts.suite import prompt_from_dict
from wanbench.report import write_report
from wanbench.run.runner import EvalConfig, Evaluator
from wanbench.run.store import ResultStore

PROMPTS = [
    {
        "id": "lake-1",
        "text": "a still lake at dawn",
        "text_zh": "黎明时平静的湖面",
        "dimensions": ["pixel_stability"],
        "camera": "static",
        "scene": "mountain",
    },
    {
        "id": "lake-2",
        "text": "a quiet pond at night",
        "text_zh": "夜里安静的池塘",
        "dimensions": ["pixel_stability"],
        "camera": "static",
        "scene": "lake",
    },
]


class RecordingAdapter(ProceduralAdapter):
    """The procedural model, remembering the text it was asked to generate from."""

    def __init__(self) -> None:
        super().__init__(**SMALL)
        self.asked: list[str] = []

    def generate(self, prompt, seed, out_path):
        self.asked.append(prompt.text)
        return super().generate(prompt, seed, out_path)


class Rewriter(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that rewrites deterministically and counts its calls."""

    calls: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Rewriter.calls.append(body)
        text = body["messages"][-1]["content"]
        answer = {"choices": [{"message": {"role": "assistant", "content": f"  Detailed:   {text}, cinematic light "}}]}
        send_json(self, answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    Rewriter.calls = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Rewriter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def run(tmp_path: Path, lang: str = "en", extend: ExtendSettings | None = None, out: str = "run"):
    suite = write_suite(tmp_path / "s.jsonl", PROMPTS)
    adapter = RecordingAdapter()
    config = EvalConfig(
        model="procedural",
        suite=str(suite),
        out=tmp_path / out,
        name="proc",
        lang=lang,
        extend=extend,
        dimensions=("pixel_stability",),
    )
    summary = Evaluator(config, adapter=adapter).run_suite()
    return summary, adapter


def test_generation_text_chooses_the_language_and_labels_it() -> None:
    prompt = prompt_from_dict(PROMPTS[0])
    zh = GenerationText("zh").prompt_for(prompt)
    assert zh.text == "黎明时平静的湖面" and zh.text_original == "a still lake at dawn" and zh.camera == "static"
    assert GenerationText("en").prompt_for(prompt) is prompt
    assert GenerationText("zh").label("wan") == "wan@zh" and GenerationText("en").label("wan") == "wan"
    with pytest.raises(ValueError, match="no text_zh"):
        GenerationText("zh").prompt_for(prompt_from_dict({"id": "x", "text": "a cup", "dimensions": ["image_quality"]}))
    with pytest.raises(ValueError, match="--lang"):
        GenerationText("fr")


def test_zh_run_generates_from_chinese_and_sits_beside_english_in_the_report(tmp_path: Path) -> None:
    summary_en, en = run(tmp_path, "en")
    summary_zh, zh = run(tmp_path, "zh")
    assert en.asked == ["a still lake at dawn", "a quiet pond at night"]
    assert zh.asked == ["黎明时平静的湖面", "夜里安静的池塘"]
    assert (summary_en.model, summary_zh.model) == ("proc", "proc@zh")
    with ResultStore(tmp_path / "run" / "results.sqlite") as store:
        models = {r["model"] for r in store.results()}
        configs = {i["model"]: i["config"] for i in store.invocations()}
    assert models == {"proc", "proc@zh"}
    assert configs["proc@zh"]["generation_text"] == {"lang": "zh"} and configs["proc@zh"]["lang"] == "zh"
    assert configs["proc"]["suite"]["sha256"] and configs["proc"]["suite"]["version"] is None
    files = write_report([tmp_path / "run"], tmp_path / "report")
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "proc: English vs Chinese prompts" in markdown and "| pixel_stability |" in markdown
    assert "English vs Chinese" in files.html.read_text(encoding="utf-8")


def test_extend_rewrites_through_the_server_once_and_records_the_model(tmp_path: Path, server: str) -> None:
    settings = ExtendSettings(url=server, model="qwen2.5-7b-instruct")
    summary, adapter = run(tmp_path, "zh", settings)
    assert summary.model == "proc@zh+ext" and summary.exit_code == 0
    assert adapter.asked == ["Detailed: 黎明时平静的湖面, cinematic light", "Detailed: 夜里安静的池塘, cinematic light"]
    assert len(Rewriter.calls) == 2 and Rewriter.calls[0]["model"] == "qwen2.5-7b-instruct"
    assert Rewriter.calls[0]["temperature"] == 0 and "Chinese" in Rewriter.calls[0]["messages"][0]["content"]
    cached = [json.loads(line) for line in (tmp_path / "run" / CACHE_FILE).read_text(encoding="utf-8").splitlines()]
    assert [c["id"] for c in cached] == ["lake-1", "lake-2"] and {c["model"] for c in cached} == {"qwen2.5-7b-instruct"}
    with ResultStore(tmp_path / "run" / "results.sqlite") as store:
        (inv,) = store.invocations()
    assert inv["config"]["generation_text"]["extend"]["model"] == "qwen2.5-7b-instruct"
    # Later runs in the same directory read the cache: a dead server is never asked.
    text = GenerationText("zh", settings, tmp_path / "run", extender=ServerExtender("http://127.0.0.1:9/v1", "other"))
    again = text.prompt_for(prompt_from_dict(PROMPTS[0]))
    assert again.text == "Detailed: 黎明时平静的湖面, cinematic light" and len(Rewriter.calls) == 2


def test_an_unreachable_server_fails_that_prompt_with_one_line(tmp_path: Path) -> None:
    summary, adapter = run(tmp_path, "en", ExtendSettings(url="http://127.0.0.1:9/v1", model="m"))
    assert adapter.asked == [] and len(summary.failures) == 2 and summary.exit_code == 1
    assert all("generate failed" in f and "prompt extension server" in f for f in summary.failures)
    with pytest.raises(ExtensionError):
        ServerExtender("http://127.0.0.1:9/v1", "m", timeout=2).rewrite("a cup")


def test_cli_checks_lang_and_extend_options(tmp_path: Path) -> None:
    runner = CliRunner()
    suite = write_suite(tmp_path / "s.jsonl", PROMPTS)
    for args, message in (
        (["--lang", "fr"], "--lang"),
        (["--extend", "ftp://x"], "http(s)"),
        (["--extend", "http://127.0.0.1:9/v1"], "--extend-model"),
        (["--extend-model", "m"], "--extend URL"),
    ):
        result = runner.invoke(
            app, ["eval", "--model", "procedural", "--suite", str(suite), "--out", str(tmp_path / "r"), *args]
        )
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    result = runner.invoke(
        app, ["generate", "--model", "procedural", "--prompt", "a cup", "--lang", "zh", "-o", str(tmp_path / "v.mp4")]
    )
    assert result.exit_code == 2 and "--id" in result.output
