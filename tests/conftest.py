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
    from anodemech.probe import evaluate

    return evaluate(comm, f, points)
