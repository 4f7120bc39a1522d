"""Work spread over every core: worker processes for all cores but one, and this one.

The two costly, independent kinds of work of a cold build go through here: rendering
Markdown (~4 ms a document with Python-Markdown) and making QR codes (~1 ms a code).
At 10,000 notices each is tens of seconds on one core.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

Job = TypeVar("Job")
Result = TypeVar("Result")

PARALLEL_FROM = 64  # below this many jobs, starting worker processes costs more


CORES = "BANGTIN_CORES"  # at most this many cores (a province's sites, each on one)


def cores() -> int:
    """The cores this process may run on (``taskset`` counts), at most ``$BANGTIN_CORES``."""
    found = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    limit = os.environ.get(CORES, "")
    return max(1, min(found or 1, int(limit) if limit.isdigit() and int(limit) > 0 else 1 << 16))


def on_all_cores(
    work: Callable[[list[Job]], list[Result]],
    jobs: Sequence[Job],
    keep: Callable[[list[Job], list[Result]], None],
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    parallel_from: int = PARALLEL_FROM,
) -> None:
    """``keep(chunk, work(chunk))`` for chunks of ``jobs``, on every core when there are many.

    ``work`` and ``initializer`` must be module-level functions (they are sent to the
    workers by name); ``initializer(*initargs)`` runs once in each process that works,
    this one included.  Chunks go to workers as they finish; this process works on the
    next chunk whenever no worker result is waiting, so the load evens out (and one
    worker fewer is held in memory).  Results are kept chunk by chunk, never all at once.
    ``parallel_from``: fewer jobs than this are done here (costly jobs: a smaller number).
    """
    count = cores()
    if initializer is not None:
        initializer(*initargs)
    if len(jobs) < parallel_from or count < 2:
        if jobs:
            keep(list(jobs), work(list(jobs)))
        return
    size = max(1, min(256, -(-len(jobs) // (count * 4))))
    chunks = deque(list(jobs[i : i + size]) for i in range(0, len(jobs), size))
    # spawn, not fork: the caller may have threads (bangtin serve, the progress line)
    import multiprocessing  # here: a no-op imports this module, and never these
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("spawn")
    pool_options: dict[str, Any] = {"initializer": initializer, "initargs": initargs}
    with ProcessPoolExecutor(count - 1, mp_context=context, **pool_options) as pool:
        running: dict[Future[list[Result]], list[Job]] = {}
        while chunks or running:
            while chunks and len(running) < 2 * (count - 1):
                chunk = chunks.popleft()
                running[pool.submit(work, chunk)] = chunk
            done = [future for future in running if future.done()]
            if not done and chunks:
                chunk = chunks.popleft()  # nothing back yet: work on a chunk here
                keep(chunk, work(chunk))
                continue
            if not done:
                done = list(wait(running, return_when=FIRST_COMPLETED).done)
            for future in done:
                keep(running.pop(future), future.result())
