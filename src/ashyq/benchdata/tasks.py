"""The worker's baseline for benchmarks (benchmarks/drain_bench.py): a task doing no work, run through the same
queue, claim and bookkeeping as every other task, so the drain's figures can be read against it, as the pages'
are read against /bench/trivial."""

from ashyq.core.tasks import task


@task()
def trivial() -> None:
    """Nothing: what remains of its cost is the queue's own per task."""
