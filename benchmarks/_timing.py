"""Timing helper shared by the benchmark scripts."""

import time

from mpi4py import MPI


def best_time(comm, f, n: int = 3) -> float:
    """Shortest of ``n`` wall times [s] of ``f()``, each the slowest rank's (collective)."""
    ts = []
    for _ in range(n):
        comm.barrier()
        t0 = time.perf_counter()
        f()
        ts.append(comm.allreduce(time.perf_counter() - t0, op=MPI.MAX))
    return min(ts)
