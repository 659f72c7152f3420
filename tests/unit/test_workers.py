"""Forked workers: numbers dealt out through a pipe reach exactly one process each, and
answers streamed back arrive whole, while the workers work, or as an error."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from allysite import workers
from allysite.workers import Deal, Told, in_workers, streamed_from_workers


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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
@pytest.mark.parametrize("yes", [True, False])
def test_every_forked_process_hears_what_it_is_told_once_it_is_known(yes: bool) -> None:
    with Told(2) as told:

        def job(worker: int) -> bool:
            if worker == 0:
                time.sleep(0.05)  # (the others wait for it)
                told.tell(yes)
                return yes
            return told.heard()

        assert in_workers(3, job) == [yes, yes, yes]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_streamed_answers_arrive_whole_and_while_the_workers_work() -> None:
    taken: list[tuple[int, int, bytes]] = []
    seen_early: list[int] = []

    def job(worker: int, send: Callable[[object], None], drain: Callable[[], None]) -> None:
        for number in range(50):
            send((worker, number, bytes([number]) * 70_000))  # larger than a pipe's buffer
            if worker == 0:
                drain()
        if worker == 0:  # this process waits a little for the others, still draining
            deadline = time.monotonic() + 5
            while len(taken) < 150 and time.monotonic() < deadline:
                drain()
                time.sleep(0.01)
            seen_early.append(len(taken))

    streamed_from_workers(3, job, taken.append)  # type: ignore[arg-type]
    assert sorted((w, n) for w, n, _data in taken) == [(w, n) for w in range(3) for n in range(50)]
    assert all(data == bytes([n]) * 70_000 for _w, n, data in taken)
    assert seen_early == [150]  # taken by drain() as they came, not only at the end


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_a_failing_worker_is_reported_with_its_traceback() -> None:
    taken: list[object] = []

    def job(worker: int, send: Callable[[object], None], drain: Callable[[], None]) -> None:
        send(worker)
        if worker == 1:
            raise ValueError("broken folder")

    with pytest.raises(RuntimeError, match="ValueError: broken folder"):
        streamed_from_workers(2, job, taken.append)
    assert sorted(taken) == [0, 1]  # what it sent before it failed still arrived


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_a_worker_that_ends_abnormally_is_an_error() -> None:
    def job(worker: int, send: Callable[[object], None], drain: Callable[[], None]) -> None:
        if worker == 1:
            send("first")
            os._exit(3)  # as if it crashed: nothing more comes

    taken: list[object] = []
    with pytest.raises(RuntimeError, match="ended abnormally"):
        streamed_from_workers(2, job, taken.append)
    assert taken == ["first"]


@pytest.mark.parametrize("writes", [True, False])
def test_only_workers_that_write_are_bound_to_die_with_their_parent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, writes: bool
) -> None:
    """A worker that may write (into the staging folder) is killed with the build; one that
    only reads (the output's check) is not bound, and so loads no ctypes."""
    marks = tmp_path / "bound"

    def bound() -> None:
        with marks.open("a") as record:
            record.write(f"{os.getpid()}\n")

    monkeypatch.setattr(workers, "_die_with_parent", bound)
    assert in_workers(3, lambda worker: worker * 2, writes=writes) == [0, 2, 4]
    lines = marks.read_text().splitlines() if marks.exists() else []
    assert len(lines) == (2 if writes else 0)
