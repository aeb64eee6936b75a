"""The arena's three pages. Static markup: every value from runs or people arrives as JSON and is
written with ``textContent`` (never ``innerHTML``), so a prompt with markup stays text.

The vote page is keyboard first and works on a phone: every control is a button that never takes
focus (so the vote keys always reach the page), the two videos run on one clock (they start, loop
and scrub together; the shorter holds its last frame until the longer ends), and below 700 px the
two videos stack. The video boxes keep their size while a video loads, so nothing moves under a finger.
"""

HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">"""

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;background:#111;color:#eee}
main{max-width:1500px;margin:auto;padding:1em}
a{color:#8cf} kbd{background:#333;border:1px solid #555;border-radius:3px;padding:0 .3em;white-space:nowrap}
#prompt{font-size:1.2em;margin:.5em 0 1em;white-space:pre-wrap;overflow-wrap:anywhere}
.pair{display:flex;gap:1em} .side{flex:1;min-width:0;text-align:center}
video{width:100%;aspect-ratio:16/9;object-fit:contain;background:#000;max-height:55vh;display:block}
#transport{display:flex;gap:.6em;align-items:center;margin:.6em 0}
#scrub{flex:1;min-width:0} #clock{font-variant-numeric:tabular-nums;min-width:7em;text-align:right}
button{font-size:1em;padding:.5em 1em;border-radius:6px;border:1px solid #666;background:#2a2a2a;color:#eee;
  cursor:pointer;touch-action:manipulation}
button:hover{background:#3b3b3b}
.aspect{display:flex;flex-wrap:wrap;align-items:center;gap:.4em;margin:.35em 0;padding:.35em .5em;
  border:1px solid transparent;border-radius:6px}
.aspect.current{border-color:#fc6;background:#221d10}
.aspect .title{flex:0 0 12em;min-width:0} .aspect .title small{display:block;color:#aaa}
.aspect button.chosen{background:#2d5a2d;border-color:#7c7}
#keys{color:#bbb;font-size:.9em;line-height:1.8}
#status{min-height:1.3em;color:#fc6}
#overlay{display:none;position:fixed;inset:0;background:rgba(0,0,0,.85);flex-direction:column;gap:1em;
  align-items:center;justify-content:center;font-size:1.5em;z-index:5;text-align:center;padding:1em}
table{border-collapse:collapse} td,th{border:1px solid #555;padding:.3em .7em}
@media (max-width:700px){
  main{padding:.5em} .pair{flex-direction:column;gap:.4em} video{max-height:30vh}
  .aspect .title{flex:1 1 100%} .aspect button{flex:1 1 20%;padding:.6em .2em}
  #prompt{font-size:1em}
}
"""

KEYS_HTML = """<kbd>&larr;</kbd>/<kbd>1</kbd> left better &middot; <kbd>&rarr;</kbd>/<kbd>2</kbd> right better
&middot; <kbd>&darr;</kbd>/<kbd>3</kbd>/<kbd>T</kbd> tie &middot; <kbd>B</kbd>/<kbd>4</kbd> both bad
&middot; <kbd>S</kbd> skip an optional aspect &middot; <kbd>&uarr;</kbd>/<kbd>Backspace</kbd> back one aspect
&middot; <kbd>Space</kbd> play/pause both &middot; <kbd>R</kbd> replay both
&middot; <kbd>,</kbd>/<kbd>.</kbd> step both back/forward &middot; <kbd>P</kbd> pause the session
&middot; <kbd>Esc</kbd> close a message"""

INSTRUCTIONS_PAGE = (
    HEAD
    + """<title>wanbench arena</title><style>"""
    + STYLE
    + """</style></head><body><main>
<h1>Video arena: which video is better?</h1>
<p>You will see two videos made from the same text prompt by two different models, side by side (stacked on a
phone), in random order. Both play on one clock: they start, loop and scrub together. For each pair you answer
these aspects in turn: {{ASPECTS}}; all but the last may be skipped, the last (overall) is required. One key
answers the highlighted aspect and moves to the next; the overall answer saves the whole pair. There are
{{PAIRS}} pairs in this study; you can stop at any time and come back later with the same name: nothing is
lost and you are never shown a pair you already judged.</p>
<p>Keys: """
    + KEYS_HTML
    + """.</p>
<p>With a mouse or a finger, each aspect has its own buttons; pressing one never takes the keys away.</p>
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
    HEAD
    + """<title>arena progress</title><style>"""
    + STYLE
    + """</style></head><body><main><h1>Progress</h1>
<table><tr><th>annotator</th><th>votes</th><th>pairs in study</th><th>mean seconds per vote</th><th>last vote</th></tr>
{{ROWS}}</table><p><a href="/">Instructions</a></p></main></body></html>"""
)

VOTE_PAGE = (
    HEAD
    + """<title>wanbench arena</title><style>"""
    + STYLE
    + """</style></head><body><main>
<div><span id="who"></span> &middot; <span id="progress"></span> &middot; <a href="/" tabindex="-1">instructions</a>
&middot; <button id="pause" type="button" tabindex="-1">Pause (P)</button></div>
<div id="prompt"></div>
<div class="pair">
 <div class="side"><video id="left" muted playsinline preload="auto"></video>
   <div>Left (<kbd>&larr;</kbd>/<kbd>1</kbd>)</div></div>
 <div class="side"><video id="right" muted playsinline preload="auto"></video>
   <div>Right (<kbd>&rarr;</kbd>/<kbd>2</kbd>)</div></div>
</div>
<div id="transport"><button id="playpause" type="button" tabindex="-1">Pause (Space)</button>
 <button id="replay" type="button" tabindex="-1">Replay (R)</button>
 <input id="scrub" type="range" min="0" max="1000" step="1" value="0" tabindex="-1"
  aria-label="position of both videos">
 <span id="clock"></span></div>
<div id="aspects"></div>
<div id="status" role="status"></div>
<p id="keys">"""
    + KEYS_HTML
    + """</p>
<div id="overlay"><div id="overlay-text"></div>
 <button id="overlay-close" type="button" tabindex="-1">Close (Esc)</button></div>
<script>
"use strict";
const params = new URLSearchParams(location.search);
const annotator = params.get("annotator");
const PENDING = "wanbench-pending-vote";
const CHOICES = [["left", "\\u2190 Left"], ["tie", "Tie"], ["both_bad", "Both bad"], ["right", "Right \\u2192"]];
let current = null, shownAt = 0, pausedFor = 0, pausedSince = 0, sending = false;
let answers = {}, step = 0;
const clock = {playing: true, scrubbing: false};
const $ = (id) => document.getElementById(id);
$("who").textContent = "annotator " + annotator;

function overlay(text, closable) {
  $("overlay-text").textContent = text; $("overlay").style.display = text ? "flex" : "none";
  $("overlay-close").style.display = closable ? "" : "none";
}
function closeOverlay() {
  if (pausedSince) { togglePause(); return; }
  if (!current && $("overlay").style.display !== "none") {
    overlay(""); $("status").textContent = "All pairs judged. Thank you! (reload to check for new pairs)";
  }
}
function videos() { return [$("left"), $("right")]; }
function setProgress(p) { $("progress").textContent = p.done + " / " + p.total + " pairs judged"; }

// -- one clock for both videos ------------------------------------------------------------------
function durationOf(v) { return isFinite(v.duration) && v.duration > 0 ? v.duration : 0; }
function leader() { const [l, r] = videos(); return durationOf(r) > durationOf(l) ? r : l; }
function follower() { const [l, r] = videos(); return leader() === l ? r : l; }
function span() { return durationOf(leader()); }
function playBoth() {
  videos().forEach((v) => { if (v.currentTime < durationOf(v) || !durationOf(v)) v.play().catch(() => {}); });
}
function seekBoth(t) { for (const v of videos()) { const d = durationOf(v); v.currentTime = d ? Math.min(t, d) : 0; } }
function restart() { seekBoth(0); if (clock.playing && !pausedSince) playBoth(); }
function setPlaying(on) {
  clock.playing = on; $("playpause").textContent = on ? "Pause (Space)" : "Play (Space)";
  if (on && !pausedSince) playBoth(); else videos().forEach((v) => v.pause());
}
function tick() {
  const lead = leader(), other = follower(), total = span();
  if (total && !clock.scrubbing) {
    if (clock.playing && !pausedSince) {
      if (lead.ended || lead.currentTime >= total - 0.001) restart();
      else if (lead.paused) lead.play().catch(() => {});  // the clock runs while the study plays
      const t = lead.currentTime, end = durationOf(other);
      if (t < end) {
        if (other.paused || other.ended) other.play().catch(() => {});
        if (Math.abs(other.currentTime - t) > 0.08) other.currentTime = t;
      } else if (end && !other.paused) other.pause();  // the shorter one holds its last frame
    }
    $("scrub").value = String(Math.round(1000 * lead.currentTime / total));
    $("clock").textContent = lead.currentTime.toFixed(2) + " / " + total.toFixed(2) + " s";
  }
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);
$("scrub").addEventListener("input", () => {
  clock.scrubbing = true; videos().forEach((v) => v.pause()); seekBoth(span() * Number($("scrub").value) / 1000);
});
$("scrub").addEventListener("change", () => {
  clock.scrubbing = false; $("scrub").blur(); if (clock.playing && !pausedSince) playBoth();
});
function stepBoth(seconds) {
  setPlaying(false); seekBoth(Math.max(0, Math.min(span(), leader().currentTime + seconds)));
}

// -- aspects ------------------------------------------------------------------------------------
function renderAspects() {
  const box = $("aspects"); box.replaceChildren();
  current.aspects.forEach((a, i) => {
    const row = document.createElement("div"); row.className = "aspect" + (i === step ? " current" : "");
    row.dataset.aspect = a.name;
    const title = document.createElement("span"); title.className = "title";
    const small = document.createElement("small"); small.textContent = a.question;
    title.append(a.title + (a.required ? "" : " (optional)"), small); row.append(title);
    for (const [choice, label] of CHOICES) {
      const b = document.createElement("button"); b.type = "button"; b.tabIndex = -1;
      b.dataset.aspect = a.name; b.dataset.choice = choice; b.textContent = label;
      b.id = "choose-" + a.name + "-" + choice.replace("_", "-");
      if (answers[a.name] === choice) b.className = "chosen";
      row.append(b);
    }
    box.append(row);
  });
}
function answer(index, choice) {
  if (!current || sending || pausedSince) return;
  const aspect = current.aspects[index];
  answers[aspect.name] = choice;
  if (aspect.required) { submit(); return; }
  step = Math.min(index + 1, current.aspects.length - 1); renderAspects();
}
function skip() {
  if (!current || current.aspects[step].required) return;
  delete answers[current.aspects[step].name]; step += 1; renderAspects();
}
function back() { if (current && step > 0) { step -= 1; renderAspects(); } }

async function send(vote) {
  // Retries until the server answers: the server ignores a round it already holds, so this never counts twice.
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

async function loadNext() {
  const r = await fetch("/api/next?annotator=" + encodeURIComponent(annotator));
  const data = await r.json();
  if (!r.ok) { overlay(data.error || "error", true); return; }
  setProgress(data.progress);
  if (data.done) { current = null; videos().forEach((v) => { v.pause(); v.removeAttribute("src"); });
    $("aspects").replaceChildren(); overlay("All pairs judged. Thank you!", true); return; }
  current = data; answers = {}; step = 0;
  $("prompt").textContent = data.prompt;
  renderAspects();
  $("left").src = data.left.url; $("right").src = data.right.url;
  videos().forEach((v) => v.load());
  restart();
  shownAt = performance.now(); pausedFor = 0;
}

async function submit() {
  sending = true;
  const vote = {annotator, pair_id: current.pair_id, answers: {...answers},
                seconds: Math.round(performance.now() - shownAt - pausedFor) / 1000};
  const result = await send(vote);
  if (result) setProgress(result.progress);
  sending = false;
  await loadNext();
}

function togglePause() {
  if (pausedSince) { pausedFor += performance.now() - pausedSince; pausedSince = 0; overlay("");
    if (clock.playing) playBoth(); }
  else { pausedSince = performance.now(); videos().forEach((v) => v.pause());
    overlay("Paused. Press P, Esc or click here to resume.", false); }
}

const KEYS = {arrowleft: "left", "1": "left", arrowright: "right", "2": "right", arrowdown: "tie", "3": "tie",
              t: "tie", b: "both_bad", "4": "both_bad"};
window.addEventListener("keydown", (e) => {
  // Capture phase, whatever has focus: the page has no text field, so every key is a vote key.
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const key = e.key.toLowerCase();
  let handled = true;
  if (key === "escape") closeOverlay();
  else if (key === "p") togglePause();
  else if (pausedSince || !current) handled = ["arrowleft", "arrowright", "arrowup", "arrowdown", " "].includes(key);
  else if (KEYS[key]) answer(step, KEYS[key]);
  else if (key === "s") skip();
  else if (key === "arrowup" || key === "backspace") back();
  else if (key === " ") setPlaying(!clock.playing);
  else if (key === "r") { setPlaying(true); restart(); }
  else if (key === ",") stepBoth(-1 / 8);
  else if (key === ".") stepBoth(1 / 8);
  else handled = false;
  if (handled) { e.preventDefault(); e.stopPropagation(); }
}, true);
// Buttons never take focus (mousedown would give it to them), so the keys keep working after a click.
document.addEventListener("mousedown", (e) => { if (e.target.closest("button")) e.preventDefault(); });
$("aspects").addEventListener("click", (e) => {
  const b = e.target.closest("button[data-choice]"); if (!b || !current) return;
  answer(current.aspects.findIndex((a) => a.name === b.dataset.aspect), b.dataset.choice);
});
$("pause").addEventListener("click", togglePause);
$("playpause").addEventListener("click", () => setPlaying(!clock.playing));
$("replay").addEventListener("click", () => { setPlaying(true); restart(); });
$("overlay-close").addEventListener("click", (e) => { e.stopPropagation(); closeOverlay(); });
$("overlay").addEventListener("click", () => { if (pausedSince) togglePause(); });

(async () => {
  const pending = localStorage.getItem(PENDING);
  if (pending) { const vote = JSON.parse(pending); if (vote.annotator === annotator) await send(vote);
                 else localStorage.removeItem(PENDING); }
  await loadNext();
})();
</script></main></body></html>"""
)
