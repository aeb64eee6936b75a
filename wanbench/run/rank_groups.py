"""Ranks in groups for sequence-parallel models: W ranks with Ulysses size U make W/U groups.

Each group generates its own share of the prompts (group g of W/U is shard g, exactly as a rank is
a shard without ``--ulysses``); inside a group the U ranks run one model together (FSDP2 and
Ulysses, ``wanmodel/parallel.py``). Only the group's leader (its first rank) runs the evaluation
loop, writes videos and scores them; the other ranks follow: the leader sends each (prompt, seed)
it is about to generate over a CPU (gloo) group, and a ``None`` when it is done.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from wanbench.run.shards import BARRIER_TIMEOUT, Shard

if TYPE_CHECKING:
    from torch.distributed import ProcessGroup


@dataclass(frozen=True)
class RankGroups:
    rank: int = 0
    world: int = 1
    ulysses: int = 1

    def __post_init__(self) -> None:
        if self.ulysses < 1 or self.world % self.ulysses:
            raise ValueError(f"--ulysses {self.ulysses} must divide the number of ranks ({self.world})")
        if not 0 <= self.rank < self.world:
            raise ValueError(f"rank {self.rank} outside 0..{self.world - 1}")

    @property
    def group(self) -> int:
        return self.rank // self.ulysses

    @property
    def groups(self) -> int:
        return self.world // self.ulysses

    @property
    def leader(self) -> bool:
        return self.rank % self.ulysses == 0

    @property
    def members(self) -> list[int]:
        return list(range(self.group * self.ulysses, (self.group + 1) * self.ulysses))

    @property
    def shard(self) -> Shard:
        """The prompts this rank's group generates."""
        return Shard(self.group, self.groups)

    @classmethod
    def from_env(cls, ulysses: int = 1) -> RankGroups:
        return cls(int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1")), ulysses)


class Follower(Protocol):
    def generate_frames(self, text: str, seed: int) -> Any: ...


@runtime_checkable
class FollowingAdapter(Protocol):
    """An adapter whose non-leader ranks generate along with their group's leader (wan with --ulysses)."""

    def follow(self) -> int: ...


class SequenceGroup:
    """The process groups of one rank: the default group (started here if the launcher did not), the
    (groups x U) device mesh, and the gloo group that carries the leader's jobs to its followers.
    Every rank must build this at start-up, before any work: creating groups is collective."""

    def __init__(self, ulysses: int, device_type: str) -> None:
        import torch.distributed as dist

        from wanmodel.parallel import sequence_mesh

        if not dist.is_initialized():
            backend = "cpu:gloo,cuda:nccl" if device_type == "cuda" else "gloo"
            dist.init_process_group(backend, timeout=BARRIER_TIMEOUT)
        self.ranks = RankGroups(dist.get_rank(), dist.get_world_size(), ulysses)
        self.mesh = sequence_mesh(ulysses, device_type)
        self.control: ProcessGroup | None = None
        for group in range(self.ranks.groups):  # every rank creates every group, in the same order
            members = list(range(group * ulysses, (group + 1) * ulysses))
            created = dist.new_group(members, backend="gloo", timeout=BARRIER_TIMEOUT)
            if group == self.ranks.group and isinstance(created, dist.ProcessGroup):  # a member gets its group
                self.control = created

    def _broadcast(self, message: Any) -> Any:
        import torch.distributed as dist

        box = [message]
        dist.broadcast_object_list(box, src=self.ranks.members[0], group=self.control)
        return box[0]

    def announce(self, text: str, seed: int) -> None:
        """Leader: tell the followers which video to make next."""
        if self.ranks.leader and self.ranks.ulysses > 1:
            self._broadcast({"text": text, "seed": int(seed)})

    def release(self) -> None:
        """Leader: no more videos; the followers return."""
        if self.ranks.leader and self.ranks.ulysses > 1:
            self._broadcast(None)

    def follow(self, model: Follower) -> int:
        """Follower: make every video the leader announces, until it releases us; returns the count."""
        count = 0
        while (job := self._broadcast(None)) is not None:
            model.generate_frames(job["text"], job["seed"])
            count += 1
        return count


def follow_leader(model: str, options: dict[str, Any], barrier: bool) -> int:
    """A non-leader rank's whole run: build the adapter (joining the process groups), generate what
    the leader announces, then meet the other ranks at the merge barrier if the leaders will."""
    from wanbench.adapters.base import make_adapter
    from wanbench.run.shards import torchrun_barrier

    adapter = make_adapter(model, **options)
    if not isinstance(adapter, FollowingAdapter):
        raise TypeError(f"model {model!r} cannot run on a follower rank: its adapter has no follow()")
    count = adapter.follow()
    if barrier:
        torchrun_barrier()
    return count
