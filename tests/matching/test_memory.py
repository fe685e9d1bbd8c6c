"""Memory: a reader reads each id once, remembers missing ones, and forgets past its limit."""

from __future__ import annotations

from musaic.matching.memory import Memory


class _CountingRead:
    """A read of {id: id * 10} for the ids that exist (below 100), recording what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[int]] = []

    def __call__(self, ids: list[int]) -> dict[int, int]:
        self.asked.append(ids)
        return {i: i * 10 for i in ids if i < 100}


def test_a_second_lookup_reads_only_the_ids_not_read_before() -> None:
    memory: Memory[int] = Memory()
    read = _CountingRead()
    assert memory.lookup([3, 1, 500], read) == {1: 10, 3: 30}
    assert memory.lookup([500, 2, 1], read) == {1: 10, 2: 20}
    assert read.asked == [[1, 3, 500], [2]]  # 500 is known to be missing, 1 is known


def test_remembered_values_need_no_read() -> None:
    memory: Memory[int] = Memory()
    memory.remember([7, 8], {7: 70})
    read = _CountingRead()
    assert memory.lookup([7, 8], read) == {7: 70}
    assert read.asked == []


def test_past_its_limit_memory_starts_afresh() -> None:
    memory: Memory[int] = Memory(limit=2)
    read = _CountingRead()
    memory.lookup([1, 2, 3], read)
    assert memory.lookup([1], read) == {1: 10}
    assert read.asked == [[1, 2, 3], [1]]
