"""Shared test helpers. Tests take the communicator explicitly (MPI.COMM_WORLD here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def comm():
    from mpi4py import MPI

    return MPI.COMM_WORLD


def run_anodemech(args: list[str], ranks: int = 1, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess (with mpirun for ranks > 1); returns the completed process."""
    from anodemech.cli import mpirun_command

    cmd = [sys.executable, "-m", "anodemech", *args]
    if ranks > 1:
        cmd = [*mpirun_command(ranks), *cmd]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def sample(comm, f, points):
    """Values of ``f`` at ``points`` (shape (n, 3)) gathered over all ranks; NaN outside the mesh."""
    import numpy as np
    from mpi4py import MPI

    import dolfinx.geometry as dg

    mesh = f.function_space.mesh
    tree = dg.bb_tree(mesh, mesh.topology.dim)
    hits = dg.compute_colliding_cells(mesh, dg.compute_collisions_points(tree, points), points)
    size = int(np.prod(f.ufl_shape)) if f.ufl_shape else 1
    vals = np.full((len(points), size), -np.inf)
    idx = [i for i in range(len(points)) if len(hits.links(i))]
    if idx:
        cells = np.array([hits.links(i)[0] for i in idx], dtype=np.int32)
        vals[idx] = f.eval(points[idx], cells).reshape(len(idx), size)
    out = np.empty_like(vals)
    comm.Allreduce(vals, out, op=MPI.MAX)
    out[np.isneginf(out)] = np.nan
    return out[:, 0] if size == 1 else out
