"""wanmodel/parallel.py on this CPU: gloo groups of 2 and 4 processes, tiny config.

Each group runs tests/parallel_worker.py: the Ulysses forward equals the single-process forward
(odd token counts padded and unpadded), an FSDP2 training step (and FSDP2 + Ulysses) equals the
single-process step, and sharded generation (W/2 prompt groups, Ulysses 2, FSDP2 DiT and umT5)
gives the unsharded uint8 frames. Tolerances are 1e-5 absolute (float32 everywhere).
"""

from pathlib import Path

import pytest
import torch.distributed as dist
import torch.multiprocessing as mp

from tests import parallel_worker
from tests.wanmodel_helpers import write_tiny_release

pytestmark = pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(), reason="needs gloo")


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wan-tiny-parallel")
    write_tiny_release(folder)
    return folder


@pytest.mark.parametrize("world", [2, 4])
def test_parallel_equals_single_process(world: int, release: Path, tmp_path: Path) -> None:
    mp.start_processes(
        parallel_worker.run,
        args=(world, str(tmp_path / "rendezvous"), str(release)),
        nprocs=world,
        start_method="spawn",
    )
