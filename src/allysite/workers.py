"""Forked worker processes: one job per core, for the build's long and independent stages.

The build forks after it has loaded (or planned) what the jobs need, so each worker
inherits it for free and sends back only its answer, pickled through a pipe. Only one-off
builds fork (the command line, tests); the dev server, which runs threads, never does.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import pickle
import select
import signal
import struct
from collections.abc import Callable, Iterator
from typing import TypeVar

from allysite.cache import dumps

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1
YOUNG_OBJECTS = 200_000
"""Allocations between two collections of the youngest generation, during a build. What a
rendering process keeps of its pages (states, keys, entries) all survives, and each young
collection walks it once: with 50,000, three collections per process took 20-50 ms of a
1,000-partner build; with this, none (and peak memory is the same at 1,000 and 10,000
partners: what survives is kept anyway)."""


def available_cores() -> int:
    """The cores this process may use; 1 where it cannot fork (then nothing is forked)."""
    if not hasattr(os, "fork"):
        return 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def in_workers(
    count: int,
    job: Callable[[int], T],
    waiting: Callable[[], None] | None = None,
    here: bool = True,
    writes: bool = True,
) -> list[T]:
    """`job(0)` here and `job(1)`...`job(count - 1)` in forked processes, their results in order.

    `here=False`: job 0 runs in a forked process too, and only `count - 1` jobs run (this
    process only waits). `writes=False`: the jobs only read (the check of the output), so
    the workers need not be killed with this process (which takes loading ctypes, a few
    milliseconds of a build with nothing to do). `waiting` is called every tenth of a second
    while this process waits (to show the workers' progress). A worker's exception comes
    back as a RuntimeError with its traceback (an operating system error as the same
    OSError: see _failure); a worker never returns into the caller's code (it leaves with
    os._exit)."""
    children: list[tuple[int, int]] = []
    first = 1 if here else 0
    last = count if here else count - 1
    try:
        for worker in range(first, last):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker
                os.close(read_end)
                _run_worker(job, worker, write_end, writes)
            os.close(write_end)
            children.append((pid, read_end))
        results = [job(0)] if here else []
    finally:
        received = [_received(read_end, waiting) for _, read_end in children]
        answers = [_answer(data) for data in received]  # (while the workers exit: then waited)
        for pid, _ in children:
            os.waitpid(pid, 0)
    for kind, value in answers:
        if kind == "oserror":
            raise OSError(*value)  # type: ignore[misc]  (a full disk: the build says so)
        if kind != "ok":
            raise RuntimeError(f"a rendering process failed:\n{value}")
        results.append(value)
    return results


Send = Callable[[object], None]


def streamed_from_workers(
    count: int, job: Callable[[int, Send, Callable[[], None]], None], take: Send
) -> None:
    """`job(worker, send, drain)` here (worker 0) and in `count - 1` forked processes; each
    value a job sends reaches `take`, in this process, as soon as this process drains.

    Here, `send` is `take` itself, and `drain()` takes what the other processes sent so far
    (call it between pieces of work): this process reads their answers while they work, not
    all at the end, when it would keep the other cores waiting. A worker writes its answers
    to a file of its own in memory, which never makes it wait for this process. A worker's
    exception comes back as a RuntimeError with its traceback (an operating system error as
    the same OSError), once every worker is done."""
    streams: list[_Stream] = []
    failures: list[str] = []
    system_errors: list[tuple[object, ...]] = []

    def drain(finished: bool = False) -> None:
        for stream in streams:
            for kind, value in stream.answers(finished):
                if kind == "ok":
                    take(value)
                elif kind == "oserror":
                    system_errors.append(value)  # type: ignore[arg-type]
                else:
                    failures.append(value)  # type: ignore[arg-type]

    try:
        try:
            for worker in range(1, count):
                streams.append(stream := _Stream())
                stream.pid = os.fork()
                if stream.pid == 0:  # the worker
                    _stream_worker(job, worker, stream.fd)
            job(0, take, drain)
        finally:
            for stream in streams:
                status = os.waitpid(stream.pid, 0)[1] if stream.pid else 0
                # (1: the worker reported its own exception, among its answers)
                if os.WIFSIGNALED(status) or os.WEXITSTATUS(status) not in (0, 1):
                    failures.append(f"a worker process ended abnormally (wait status {status})")
        drain(finished=True)
    finally:
        for stream in streams:
            os.close(stream.fd)
    if failures:
        raise RuntimeError(f"a worker process failed:\n{failures[0]}")
    if system_errors:
        raise OSError(*system_errors[0])


HEADER = 8
"""Bytes before each answer: its size (little-endian)."""


class _Stream:
    """A worker's answers: frames (size, then pickle) appended to a file in memory, which
    this process reads from where it stopped (the worker's writes move the shared offset,
    reads here give their own)."""

    def __init__(self) -> None:
        if hasattr(os, "memfd_create"):
            self.fd = os.memfd_create("allysite-answers")
        else:  # (not Linux): a file nobody else sees
            import tempfile  # (here: a build with nothing to do streams nothing)

            self.fd, name = tempfile.mkstemp(prefix="allysite-answers-")
            os.unlink(name)
        self.pid = 0
        self._read = 0

    def answers(self, finished: bool) -> Iterator[tuple[str, object]]:
        """The whole frames written since the last call (all of them once `finished`)."""
        size = os.fstat(self.fd).st_size
        while size - self._read >= HEADER:
            length = int.from_bytes(os.pread(self.fd, HEADER, self._read), "little")
            if size - self._read - HEADER < length:
                if finished:
                    yield "error", "a worker process ended in the middle of its answer"
                    self._read = size
                break
            data = os.pread(self.fd, length, self._read + HEADER)
            self._read += HEADER + length
            yield pickle.loads(data)


def _stream_worker(
    job: Callable[[int, Send, Callable[[], None]], None], worker: int, fd: int
) -> None:
    status = 0
    try:
        _die_with_parent()
        with open(fd, "wb", closefd=False) as answers:

            def answer(kind: str, value: object) -> None:
                data = dumps((kind, value))
                answers.write(len(data).to_bytes(HEADER, "little") + data)
                answers.flush()  # whole, for the parent to take while this one goes on

            try:
                job(worker, lambda value: answer("ok", value), lambda: None)
            except BaseException as exc:  # reported by the parent
                answer(*_failure(exc))
                status = 1
    finally:
        os._exit(status)


class SharedCounts:
    """Numbers that forked workers set and their parent reads: an anonymous shared mapping,
    made before forking (for progress: how many pages each worker has done, of how many)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._map = mmap.mmap(-1, 8 * max(size, 1))

    def set(self, slot: int, value: int) -> None:
        struct.pack_into("q", self._map, 8 * slot, value)

    def get(self, slot: int) -> int:
        return int(struct.unpack_from("q", self._map, 8 * slot)[0])

    def total(self, slots: range) -> int:
        return sum(self.get(slot) for slot in slots)


def _run_worker(job: Callable[[int], object], worker: int, write_end: int, writes: bool) -> None:
    status = 0
    try:
        if writes:
            _die_with_parent()
        try:
            data = dumps(("ok", job(worker)))
        except BaseException as exc:  # reported by the parent
            data = pickle.dumps(_failure(exc))
            status = 1
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(status)


def _failure(exc: BaseException) -> tuple[str, object]:
    """A worker's exception as its parent takes it: an operating system error (a full disk,
    a file that cannot be read) by its number, text and file, for the parent to raise again
    and the build to report as such; anything else with its traceback."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return "oserror", (exc.errno, exc.strerror, exc.filename, None, exc.filename2)
    import traceback

    return "error", traceback.format_exc()


def _die_with_parent() -> None:
    """Linux: be killed when the process that forked this one is (a build killed with
    kill -9 leaves no worker writing into the folder the next build clears)."""
    with contextlib.suppress(Exception):
        import ctypes  # here: a build with nothing to do never needs it

        libc = ctypes.CDLL(None, use_errno=True)  # the C library is loaded already
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _received(read_end: int, waiting: Callable[[], None] | None) -> bytes:
    """What a worker wrote, once it closed its end (just before it exits)."""
    if waiting is not None:
        while not select.select([read_end], [], [], 0.1)[0]:
            waiting()
    with os.fdopen(read_end, "rb") as pipe:
        return pipe.read()


def _answer(data: bytes) -> tuple[str, object]:
    try:
        answer = pickle.loads(data)
    except Exception:
        return ("error", "the process ended without an answer")
    return answer  # type: ignore[no-any-return]


@contextlib.contextmanager
def long_lived_heap() -> Iterator[Callable[[], None]]:
    """Python's cycle collector for a build: fewer collections, and none of what stays.

    A build holds a million objects until it ends (the content, the views); each full
    collection walks all of them, which cost a sixth of a cold build. Inside, collections are
    rarer, and calling the function it gives moves everything alive into the permanent
    generation (`gc.freeze`): do it once the site is loaded, before forking (the workers
    then share those pages instead of copying them). Both are undone at the end."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], YOUNG_OBJECTS), *thresholds[1:])
    try:
        yield gc.freeze
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class Told:
    """A yes or no that this process tells the processes it forks once it knows it (`tell`,
    in a `finally`: they wait for it), which each of `readers` of them waits for where it
    needs it (`heard`): a pipe made before they fork. Should this process end first, they
    hear no."""

    def __init__(self, readers: int) -> None:
        self._readers = readers
        self._read, self._write = os.pipe()

    def tell(self, yes: bool) -> None:
        """In the process that made it, once."""
        with os.fdopen(self._write, "wb", buffering=0) as pipe:
            pipe.write((b"1" if yes else b"0") * self._readers)
        self._write = -1

    def heard(self) -> bool:
        """In a forked process, once."""
        if self._write >= 0:  # (its own copy: closed, so that the read ends with the teller)
            os.close(self._write)
        return os.read(self._read, 1) == b"1"

    def __enter__(self) -> Told:
        return self

    def __exit__(self, *_exc: object) -> None:
        os.close(self._read)
        if self._write >= 0:
            os.close(self._write)


class Deal:
    """Numbers 0..count-1 for processes to take turns at: each reads the next from a pipe
    filled before they were forked (a read of two bytes is atomic), until it is empty."""

    MOST = 16_384
    """Numbers a pipe holds without blocking its writer (its 64 KiB buffer)."""

    def __init__(self, count: int) -> None:
        assert count <= self.MOST
        self._read, write = os.pipe()
        with os.fdopen(write, "wb") as pipe:  # closed: an empty pipe then reads as its end
            pipe.write(b"".join(number.to_bytes(2, "little") for number in range(count)))

    def __enter__(self) -> Deal:
        return self

    def __exit__(self, *_exc: object) -> None:
        os.close(self._read)

    def __iter__(self) -> Iterator[int]:
        while len(data := os.read(self._read, 2)) == 2:
            yield int.from_bytes(data, "little")
