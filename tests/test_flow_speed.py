"""RAFT's fast defaults compute exactly the fields RAFT gives at 20 iterations, pair by pair (pairs
that tile the clip: frames i and j, several frames apart).

The defaults are RAFT's 20 iterations; that batching pairs and leaving out the backward pass changes
no field is checked at 3 iterations (the same code path, a seventh of the time on a shared CPU).
"""

import numpy as np
import pytest
import torch

from tests.conftest import pan_clip, tiny_video
from wanbench.backbones.base import BACKBONES


@pytest.fixture
def raft_options(tiny_vision_home, monkeypatch):
    home, options = tiny_vision_home
    monkeypatch.setenv("WANBENCH_HOME", str(home))
    return options["flow-raft"]


def test_forward_only_batched_raft_equals_raft_alone_on_every_pair(raft_options) -> None:
    defaults = BACKBONES.get("flow-raft")(**raft_options)
    assert defaults.iterations == 20 and not defaults.backward and defaults.span_seconds == 0.5
    assert "forward only" in defaults.backend() and "iters 20" in defaults.backend()
    assert "tiles<=0.5s" in defaults.backend()
    flow = BACKBONES.get("flow-raft")(max_side=128, max_pairs=2, iterations=3, **raft_options)
    video = tiny_video(pan_clip(2.0, frames=9, height=64, width=64))
    field = flow.compute(video)
    assert field.backward is None and field.forward.shape == (2, 128, 128, 2)
    assert field.pair_index.tolist() == [0, 4] and field.ends.tolist() == [4, 8]  # 2 pairs tile 9 frames
    model = flow.model()
    for pair, (i, j) in enumerate(zip(field.pair_index, field.ends)):
        frames = torch.from_numpy(video.frames[[i, j]]).permute(0, 3, 1, 2).float()
        frames = (
            torch.nn.functional.interpolate(
                frames, size=(128, 128), mode="bilinear", antialias=True, align_corners=False
            )
            / 127.5
            - 1.0
        )
        with torch.inference_mode():
            alone = model(frames[:1], frames[1:], num_flow_updates=3)[-1][0].permute(1, 2, 0).numpy()
        end_point_error = np.linalg.norm(field.forward[pair] - alone, axis=-1).mean()
        assert end_point_error < 1e-3, (pair, end_point_error)
