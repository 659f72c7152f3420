"""Forked workers: numbers dealt out through a pipe reach exactly one process each."""

from __future__ import annotations

import os

import pytest

from allysite.workers import Deal, in_workers


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_each_number_is_dealt_to_exactly_one_process() -> None:
    with Deal(2_000) as deal:

        def job(worker: int) -> tuple[int, list[int]]:
            return os.getpid(), list(deal)

        parts = in_workers(3, job)
    taken = [number for _pid, numbers in parts for number in numbers]
    assert sorted(taken) == list(range(2_000))  # none lost, none twice
    assert len({pid for pid, _numbers in parts}) == 3  # (who took how many is up to timing)


def test_a_deal_runs_out_and_stays_empty() -> None:
    with Deal(3) as deal:
        assert list(deal) == [0, 1, 2]
        assert list(deal) == []
    with pytest.raises(AssertionError):
        Deal(Deal.MOST + 1)
