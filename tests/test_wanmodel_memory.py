"""The computed peak-memory model behind docs/models.md's table (meta-device models: no memory)."""

from wanmodel.configs import get_config
from wanmodel.memory import GB, memory_terms


def test_memory_modes_order_and_the_documented_figures() -> None:
    small = memory_terms(get_config("t2v-1.3b"), 832, 480, 81)
    big = memory_terms(get_config("t2v-14b"), 1280, 720, 81)
    for terms in (small, big):
        everything, t5_cpu = terms.peak(), terms.peak(t5_cpu=True)
        assert terms.peak(offload=True, t5_cpu=True) <= t5_cpu < everything
        assert terms.peak(ulysses=8) < terms.peak(ulysses=4) < everything
    assert round(small.text_encoder / GB, 1) == 11.4 and round(small.dit / GB, 1) == 2.9
    assert [
        round(small.peak(**mode) / GB, 1) for mode in ({}, {"t5_cpu": True}, {"offload": True, "t5_cpu": True})
    ] == [18.7, 7.4, 6.2]
    assert round(big.peak() / GB, 1) == 57.9 and round(big.peak(ulysses=8) / GB, 1) == 16.2
