"""Does wan-tiny follow prompts? Score it, and the same architecture with random weights, on
held-out procedural camera prompts with wanbench's camera and motion metrics.

    .venv/bin/python scripts/evaluate_tiny_model.py     # after scripts/train_tiny_model.py
Writes runs/tiny-eval/ (runs, report) and wanbench/data/models/wan-tiny/evaluation.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_tiny_model import CFG, RENDER, VAE_LR, make_prompts  # noqa: E402

from wanbench.evaluation.read import load_evaluation  # noqa: E402
from wanbench.prompts.controlled import to_jsonl  # noqa: E402
from wanbench.report import write_report  # noqa: E402
from wanbench.run.runner import EvalConfig, run_eval  # noqa: E402
from wanmodel.dit import WanDiT  # noqa: E402
from wanmodel.vae import WanVAE  # noqa: E402

DIMS = ("camera_control", "large_motion")


def random_release(trained: Path, out: Path) -> Path:
    """Same architecture and text encoder, random DiT and VAE."""
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(123)
    save_file(
        {k: v.contiguous() for k, v in WanDiT(CFG.dit).state_dict().items()},
        str(out / "diffusion_pytorch_model.safetensors"),
    )
    torch.save(WanVAE(CFG.vae).state_dict(), out / "Wan2.1_VAE.pth")
    shutil.copyfile(trained / "models_t5_umt5-xxl-enc-bf16.pth", out / "models_t5_umt5-xxl-enc-bf16.pth")
    shutil.copytree(trained / "google", out / "google", dirs_exist_ok=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--model-dir",
        type=Path,
        default=ROOT / "wanbench" / "data" / "models" / "wan-tiny",
        help="the trained release folder; evaluation.json and the model card are written there",
    )
    parser.add_argument("--runs", type=Path, default=ROOT / "runs" / "tiny-eval")
    args = parser.parse_args()
    trained, runs = args.model_dir.resolve(), args.runs
    shutil.rmtree(runs, ignore_errors=True)  # a fresh evaluation of whatever weights are there now
    prompts = [p.__class__(**{**p.__dict__, "dimensions": DIMS}) for p in make_prompts(42, seed=1)]
    suite = runs / "heldout.jsonl"
    suite.parent.mkdir(parents=True, exist_ok=True)
    suite.write_text(to_jsonl(prompts), encoding="utf-8")
    random = random_release(trained, runs / "random-release")
    options = {"steps": 20, "frames": 9, "width": 64, "height": 48}
    for name, weights in (("wan-tiny", trained), ("wan-tiny-random", random)):
        run_eval(
            EvalConfig(
                model="wan-tiny",
                name=name,
                suite=str(suite),
                out=runs / name,
                dimensions=DIMS,
                model_options=options | {"weights": str(weights)},
            )
        )
    run_eval(
        EvalConfig(
            model="procedural",
            suite=str(suite),
            out=runs / "procedural",
            dimensions=DIMS,
            model_options={
                "width": 64,
                "height": 48,
                "frames": 9,
                "detail": RENDER.detail,
                "contrast": RENDER.contrast,
            },
        )
    )
    dirs = [runs / "wan-tiny", runs / "wan-tiny-random", runs / "procedural"]
    table = {}
    evaluation = load_evaluation(dirs, weighting="equal")
    results = evaluation.results[evaluation.results.status == "ok"]  # current versions only
    for s in evaluation.summaries:
        table[s.model] = {
            d: {
                "mean": s.dimensions[d].mean,
                "ci": [s.dimensions[d].ci_low, s.dimensions[d].ci_high],
                "n": s.dimensions[d].n,
            }
            for d in DIMS
        }
    write_report(dirs, runs / "report", weighting="equal", title="wan-tiny vs random weights (held-out prompts)")
    paired = {d: paired_difference(results, "wan-tiny", "wan-tiny-random", d) for d in DIMS}
    cameras = by_camera(results, {p.id: p.camera for p in prompts})
    (trained / "evaluation.json").write_text(
        json.dumps(
            {
                "prompts": len(prompts),
                "sampling": options,
                "results": table,
                "paired_trained_minus_random": paired,
                "by_asked_camera": cameras,
            },
            indent=2,
        )
    )
    for dimension, difference in paired.items():
        print(f"{dimension}, trained - random, paired over prompts:", difference)
    for model, dims in table.items():
        print(model, {d: round(v["mean"], 3) for d, v in dims.items()})
    write_model_card(trained, table, len(prompts), options, paired, cameras)


def by_camera(results, camera_of: dict) -> dict:
    """model -> dimension -> asked camera -> [mean, prompts]: does the motion follow what was asked?"""
    rows = results[results.status == "ok"].assign(camera=lambda r: r.prompt_id.map(camera_of))
    out: dict = {}
    for (model, dimension, camera), values in rows.groupby(["model", "dimension", "camera"])["value"]:
        out.setdefault(model, {}).setdefault(dimension, {})[camera] = [round(float(values.mean()), 3), int(len(values))]
    return out


def paired_difference(results, model: str, baseline: str, dimension: str, samples: int = 10000) -> dict:
    """Mean per-prompt difference model - baseline on the same prompts, with a bootstrap 95% CI."""
    import numpy as np

    rows = results[(results.dimension == dimension) & (results.status == "ok")]
    a = rows[rows.model == model].groupby("prompt_id")["value"].mean()
    b = rows[rows.model == baseline].groupby("prompt_id")["value"].mean()
    diff = (a - b).dropna().to_numpy()
    rng = np.random.default_rng(0)
    boots = diff[rng.integers(0, len(diff), (samples, len(diff)))].mean(axis=1)
    low, high = np.percentile(boots, [2.5, 97.5])
    return {
        "prompts": int(len(diff)),
        "mean": round(float(diff.mean()), 4),
        "ci": [round(float(low), 4), round(float(high), 4)],
        "better": int((diff > 0).sum()),
        "worse": int((diff < 0).sum()),
    }


def write_model_card(folder: Path, table: dict, n_prompts: int, options: dict, paired: dict, cameras: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    log = json.loads((folder / "training_log.json").read_text())
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, stage, title in (
        (axes[0], "vae", "VAE (L1 on frames + L1 on frame differences)"),
        (axes[1], "dit", "DiT (flow-matching MSE)"),
    ):
        rows = [r for r in log["log"] if r["stage"] == stage]
        steps, losses = [r["step"] for r in rows], [r["loss"] for r in rows]
        window = max(1, len(losses) // 50)
        smooth = [
            sum(losses[max(0, i - window) : i + 1]) / len(losses[max(0, i - window) : i + 1])
            for i in range(len(losses))
        ]
        ax.plot(steps, losses, alpha=0.25)
        ax.plot(steps, smooth)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("step")
        ax.set_yscale("log")
    fig.tight_layout()
    fig.savefig(folder / "loss_curve.png", dpi=100)
    plt.close(fig)

    def cell(v: dict) -> str:
        return f"{v['mean']:.3f} [{v['ci'][0]:.3f}, {v['ci'][1]:.3f}]"

    rows = "\n".join(f"| {m} | {cell(v['camera_control'])} | {cell(v['large_motion'])} |" for m, v in table.items())
    order = ["static", "pan_left", "pan_right", "lift_up", "lift_down", "zoom_in", "zoom_out"]
    camera_rows = "\n".join(
        f"| {d} | {m} | " + " | ".join(f"{cameras[m][d][c][0]:.2f}" if c in cameras[m][d] else "" for c in order) + " |"
        for d in DIMS
        for m in table
    )
    counts = cameras["wan-tiny"][DIMS[0]]
    camera_header = " | ".join(f"{c} ({counts[c][1]})" if c in counts else c for c in order)
    paired_rows = "\n".join(
        f"| {d} | {v['mean']:+.3f} | [{v['ci'][0]:+.3f}, {v['ci'][1]:+.3f}] | {v['better']} / {v['worse']} |"
        for d, v in paired.items()
    )
    args = log["args"]
    card = f"""# wan-tiny

A tiny Wan 2.1 text-to-video model (the `tiny` config of wanmodel: DiT dim 48, 2 layers; VAE base
dim 8, z_dim 4), trained on this 2-core CPU in {log["seconds"] / 60:.0f} minutes by
`make tiny-model` (`scripts/train_tiny_model.py`, then `scripts/evaluate_tiny_model.py`).

- Data: {args["clips"]} procedural clips (wanbench's `procedural` adapter, 9 frames at 64x48, 16 fps):
  the camera pans left/right, lifts up/down, zooms in/out or stays still over textured scenes,
  with coarse, high-contrast textures (`detail=0.25`, `contrast=3`), half with a moving subject; captions
  like "a dog running , the camera pans left over a forest".
- Text: a random, frozen tiny umT5 over a word tokenizer built from the captions (official `.pth`
  and tokenizer folder layout).
- VAE: {args["vae_steps"]} AdamW steps (batch 4, lr {VAE_LR:g} after a 50-step warm-up), deterministic
  autoencoding (decoding the mean, as inference does) with L1 on frames and, weighted
  {args.get("motion_weight", "1.0")}, on frame differences, so motion counts; its reconstructions keep the asked
  camera motion in
  {log["vae_camera_check"]["reconstructions"]} of {log["vae_camera_check"]["clips"]} held-out clips
  (the originals: {log["vae_camera_check"]["originals"]}). Latents then standardised per channel by
  folding their mean and std into the 1x1 convolutions around the latent.
- DiT: {args["dit_steps"]} AdamW steps (batch 16, lr 1e-3, logit-normal timesteps shifted by 3, 10% caption
  dropout for classifier-free guidance) with `wanmodel.train.Trainer`.
- Files: `diffusion_pytorch_model.safetensors`, `Wan2.1_VAE.pth`, `models_t5_umt5-xxl-enc-bf16.pth`,
  `google/umt5-xxl/` (official release layout), `training_log.json`, `loss_curve.png`, `evaluation.json`.

![loss curves](loss_curve.png)

## Does it follow prompts?

{n_prompts} held-out procedural prompts (other seeds than training), generated with
{options["steps"]} UniPC steps, guidance 5, {options["frames"]} frames at {options["width"]}x{options["height"]};
scored by wanbench (Camera Control from optical flow, with 95% bootstrap CI; Large Motion). The random
row is the same architecture and text encoder with random DiT and VAE weights; `procedural` is the
oracle that rendered the training data.

| model | camera control | large motion |
|---|---:|---:|
{rows}

Trained minus random on the same prompts (mean of per-prompt differences, bootstrap 95% CI):

| dimension | difference | 95% CI | prompts better / worse |
|---|---:|---|---:|
{paired_rows}

By the camera the prompt asks for (number of prompts in brackets):

| dimension | model | {camera_header} |
|---|---|{"---:|" * len(order)}
{camera_rows}

Large Motion counts only tracked flow (metric v2, docs/dimensions.md): random weights make frames
that flicker from one to the next, which v1 read as a lot of motion. The trained model moves little
when the camera should stay still and most on pans and lifts, so on static prompts scoring below
random weights on Large Motion is the right answer (its other prompts below random are mostly
zooms). Zooms are its weak spot: its VAE keeps a zoom in 8 of 14 held-out reconstructions, but the
DiT's samples do not zoom (docs/models.md).

Generation is bit-identical on one machine, but a clip's camera label flips when its flow sits on a
classifier threshold: for the previous checkpoint, perturbing the initial noise by 1e-6 moved camera
control from 0.211 to 0.208 (one prompt of 42), so other CPUs, whose float rounding differs, give a
few hundredths either way.
"""
    (folder / "README.md").write_text(card, encoding="utf-8")


if __name__ == "__main__":
    main()
