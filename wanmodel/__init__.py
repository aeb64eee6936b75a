"""wanmodel: a clean PyTorch reimplementation of Wan 2.1 (the benchmark's reference model).

The architecture, checkpoint loading and samplers arrive with their own issues; this package
never imports wanbench.
"""
