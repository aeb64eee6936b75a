"""VBench as a second benchmark of the harness, run through VBench's own evaluators (vbench 0.1.5).

environment: VBench's own venv (its pins clash with the project's) · worker: the process that calls
VBench's ``compute_<dimension>`` · client/runner: the harness side, rows into our store ·
dimensions/naming: VBench's 16 dimensions and sample names · weights: its checkpoints ·
scores: Quality / Semantic / Total as VBench computes them, with bootstrap CIs over prompts.
"""
