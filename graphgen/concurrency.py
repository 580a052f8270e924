"""Independent pieces of a stage run side by side: numpy and Arrow release the GIL in their loops.

Each task that draws random numbers gets its own named stream (``stage_rng``), so the output does not
depend on which thread runs first.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

WORKERS = 2  # the machines graphgen targets; more threads would mostly contend for memory bandwidth


def run_parallel(*tasks: Callable[[], Any]) -> list[Any]:
    """Run the tasks on a small thread pool and return their results in order."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(task) for task in tasks]
        return [f.result() for f in futures]
