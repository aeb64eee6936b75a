"""The arena's three pages. Static markup: every value from runs or people arrives as JSON and is
written with ``textContent`` (never ``innerHTML``), so a prompt with markup stays text."""

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#111;color:#eee}
main{max-width:1500px;margin:auto;padding:1em}
a{color:#8cf} kbd{background:#333;border:1px solid #555;border-radius:3px;padding:0 .3em}
#prompt{font-size:1.2em;margin:.5em 0 1em;white-space:pre-wrap}
.pair{display:flex;gap:1em} .side{flex:1;text-align:center}
video{width:100%;background:#000;max-height:60vh}
.choices{display:flex;gap:.6em;justify-content:center;margin:1em 0;flex-wrap:wrap}
button{font-size:1em;padding:.6em 1.2em;border-radius:6px;border:1px solid #666;background:#2a2a2a;color:#eee;
  cursor:pointer}
button:hover,button:focus{background:#3b3b3b}
#status{min-height:1.3em;color:#fc6} #overlay{display:none;position:fixed;inset:0;background:rgba(0,0,0,.85);
align-items:center;justify-content:center;font-size:1.5em;z-index:5;text-align:center}
table{border-collapse:collapse} td,th{border:1px solid #555;padding:.3em .7em}
.q{margin:.3em 0} .q label{margin-right:.8em}
"""

INSTRUCTIONS_PAGE = (
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>wanbench arena</title>
<style>"""
    + STYLE
    + """</style></head><body><main>
<h1>Video arena: which video is better?</h1>
<p>You will see two videos made from the same text prompt by two different models, side by side, in random
order. Watch both (they loop), then pick the one that is better <em>overall</em>: how well it follows the
prompt, how natural the motion is, how clean and good-looking the frames are. There are {{PAIRS}} pairs in
this study; you can stop at any time and come back later with the same name: nothing is lost and you are
never shown a pair you already judged.</p>
<ul>
<li><kbd>&larr;</kbd> or <kbd>1</kbd>: the left video is better</li>
<li><kbd>&rarr;</kbd> or <kbd>2</kbd>: the right video is better</li>
<li><kbd>&darr;</kbd> or <kbd>3</kbd> or <kbd>T</kbd>: about the same (tie)</li>
<li><kbd>B</kbd> or <kbd>4</kbd>: both are bad (neither is acceptable)</li>
<li><kbd>Space</kbd>: play / pause both, <kbd>R</kbd>: replay both from the start</li>
<li><kbd>P</kbd>: pause the session (the timer stops), <kbd>P</kbd> again to resume</li>
</ul>
<p>Optional: below the videos, a few questions ask which video is better on one aspect (motion, artifacts,
image quality, camera, action). Answer them with the mouse if you wish, before your overall choice.</p>
<form action="/vote" method="get"><label>Your annotator name (letters, digits, _ . @ -):
<input name="annotator" id="annotator" pattern="[A-Za-z0-9_.@\\-]{1,64}" required autofocus></label>
<button type="submit">Start</button></form>
<p><a href="/progress">Progress of every annotator</a></p>
<script>
const saved = localStorage.getItem("wanbench-annotator");
if (saved) document.getElementById("annotator").value = saved;
document.querySelector("form").addEventListener("submit", () =>
  localStorage.setItem("wanbench-annotator", document.getElementById("annotator").value));
</script>
</main></body></html>"""
)

PROGRESS_PAGE = (
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>arena progress</title>
<style>"""
    + STYLE
    + """</style></head><body><main><h1>Progress</h1>
<table><tr><th>annotator</th><th>votes</th><th>pairs in study</th><th>mean seconds per vote</th><th>last vote</th></tr>
{{ROWS}}</table><p><a href="/">Instructions</a></p></main></body></html>"""
)

VOTE_PAGE = (
    """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>wanbench arena</title>
<style>"""
    + STYLE
    + """</style></head><body><main>
<div><span id="who"></span> &middot; <span id="progress"></span> &middot; <a href="/">instructions</a>
&middot; <button id="pause" type="button">Pause (P)</button></div>
<div id="prompt"></div>
<div class="pair">
 <div class="side"><video id="left" muted loop playsinline
   preload="auto"></video><div>Left (<kbd>&larr;</kbd>/<kbd>1</kbd>)</div></div>
 <div class="side"><video id="right" muted loop playsinline
   preload="auto"></video><div>Right (<kbd>&rarr;</kbd>/<kbd>2</kbd>)</div></div>
</div>
<div class="choices">
 <button id="choose-left" data-choice="left">&larr; Left is better</button>
 <button id="choose-tie" data-choice="tie">&darr; Tie (T)</button>
 <button id="choose-both-bad" data-choice="both_bad">Both bad (B)</button>
 <button id="choose-right" data-choice="right">Right is better &rarr;</button>
</div>
<div id="status" role="status"></div>
<details id="questions-box"><summary>Optional questions (mouse)</summary><div id="questions"></div></details>
<div id="overlay"></div>
<script>
"use strict";
const params = new URLSearchParams(location.search);
const annotator = params.get("annotator");
const PENDING = "wanbench-pending-vote";
let current = null, shownAt = 0, pausedFor = 0, pausedSince = 0, sending = false;
const $ = (id) => document.getElementById(id);
$("who").textContent = "annotator " + annotator;

function overlay(text) { $("overlay").textContent = text; $("overlay").style.display = text ? "flex" : "none"; }
function videos() { return [$("left"), $("right")]; }
function setProgress(p) { $("progress").textContent = p.done + " / " + p.total + " pairs judged"; }

async function send(vote) {
  // Retries until the server answers: the server ignores a vote it already holds, so this never counts twice.
  localStorage.setItem(PENDING, JSON.stringify(vote));
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await fetch("/api/vote", {method: "POST", headers: {"Content-Type": "application/json"},
                                          body: JSON.stringify(vote)});
      if (r.ok) { localStorage.removeItem(PENDING); $("status").textContent = ""; return await r.json(); }
      if (r.status >= 400 && r.status < 500) { localStorage.removeItem(PENDING);
        $("status").textContent = "vote refused: " + (await r.text()); return null; }
    } catch (e) { /* server away: retry */ }
    $("status").textContent = "saving your vote... (server not answering, retrying)";
    await new Promise((ok) => setTimeout(ok, Math.min(500 * (attempt + 1), 3000)));
  }
}

function renderQuestions(questions) {
  const box = $("questions");
  box.replaceChildren();
  $("questions-box").style.display = questions.length ? "" : "none";
  for (const q of questions) {
    const row = document.createElement("div"); row.className = "q";
    const text = document.createElement("span"); text.textContent = q.text + " ";
    row.append(text);
    for (const [value, label] of [["left", "left"], ["right", "right"], ["tie", "same"]]) {
      const l = document.createElement("label"); const input = document.createElement("input");
      input.type = "radio"; input.name = "q-" + q.key; input.value = value; input.dataset.key = q.key;
      l.append(input, " " + label); row.append(l);
    }
    box.append(row);
  }
}

async function loadNext() {
  const r = await fetch("/api/next?annotator=" + encodeURIComponent(annotator));
  const data = await r.json();
  if (!r.ok) { overlay(data.error || "error"); return; }
  setProgress(data.progress);
  if (data.done) { current = null; videos().forEach((v) => v.removeAttribute("src"));
    overlay("All pairs judged. Thank you!"); return; }
  current = data;
  $("prompt").textContent = data.prompt;
  renderQuestions(data.questions);
  $("left").src = data.left.url; $("right").src = data.right.url;
  videos().forEach((v) => { v.load(); v.play().catch(() => {}); });
  shownAt = performance.now(); pausedFor = 0;
}

async function choose(choice) {
  if (!current || sending || pausedSince) return;
  sending = true;
  const answers = {};
  document.querySelectorAll("#questions input:checked").forEach((i) => { answers[i.dataset.key] = i.value; });
  const vote = {annotator, pair_id: current.pair_id, left_is: current.left_is, choice, answers,
                seconds: (performance.now() - shownAt - pausedFor) / 1000};
  const result = await send(vote);
  if (result) setProgress(result.progress);
  sending = false;
  await loadNext();
}

function togglePause() {
  if (pausedSince) { pausedFor += performance.now() - pausedSince; pausedSince = 0; overlay("");
    videos().forEach((v) => v.play().catch(() => {})); }
  else { pausedSince = performance.now(); videos().forEach((v) => v.pause());
    overlay("Paused. Press P or click here to resume."); }
}

document.addEventListener("keydown", (e) => {
  if (e.target.tagName === "INPUT" || e.altKey || e.ctrlKey || e.metaKey) return;
  const key = e.key.toLowerCase();
  const map = {arrowleft: "left", "1": "left", arrowright: "right", "2": "right", arrowdown: "tie", "3": "tie",
               t: "tie", b: "both_bad", "4": "both_bad"};
  if (key === "p") { togglePause(); e.preventDefault(); return; }
  if (pausedSince) return;
  if (map[key]) { choose(map[key]); e.preventDefault(); }
  else if (key === " ") { const play = videos().some((v) => v.paused);
    videos().forEach((v) => play ? v.play().catch(() => {}) : v.pause()); e.preventDefault(); }
  else if (key === "r") { videos().forEach((v) => { v.currentTime = 0; v.play().catch(() => {}); }); }
});
document.querySelectorAll("button[data-choice]").forEach((b) =>
  b.addEventListener("click", () => { b.blur(); choose(b.dataset.choice); }));
$("pause").addEventListener("click", (e) => { e.target.blur(); togglePause(); });
$("overlay").addEventListener("click", () => { if (pausedSince) togglePause(); });

(async () => {
  const pending = localStorage.getItem(PENDING);
  if (pending) { const vote = JSON.parse(pending); if (vote.annotator === annotator) await send(vote);
                 else localStorage.removeItem(PENDING); }
  await loadNext();
})();
</script></main></body></html>"""
)
