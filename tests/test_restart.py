"""Checkpoint and restart: a run killed mid-way (SIGKILL to its process group) and restarted
from its newest restart point ends with the history of an uninterrupted run, to 1e-8
relative, on the same number of ranks and on another one (1 -> 2, N-to-M)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_anodemech
from sweep_cases import write_case

# Lithiate to SOC 0.5 and back to 0.3 in ~15 steps, a restart point every 2 steps; tight
# solver tolerances so that the 1- and 2-rank solutions agree far below the tolerance.
SETS = ["stages=[{name='lith', mode='galvanostatic', c_rate=2.0, until_soc=0.5}, "
        "{name='delith', mode='galvanostatic', c_rate=-2.0, until_soc=0.3}]",
        "time.max_dsoc=0.04", "output.restart_every=2", "output.restart_minutes=0.0",
        "solver.petsc={ksp_rtol = 1e-11, snes_rtol = 1e-11}"]
# local_error: a difference of two nearby states (cancellation), equal across rank counts
# to ~1e-6 only; the step sizes made from it are rounded and are compared (time_s, dt_s)
IGNORE = {"wall_s", "step_wall_s", "assembly_s", "krylov_iterations", "stage", "local_error"}


def _rows(d):
    with open(d / "history.csv") as fh:
        return list(csv.DictReader(fh))


def _args(case, *extra, plastic=False):
    # the elastic runs keep a checkpoint, from which a restart copies the earlier fields into
    # one series; the plastic runs have none and keep them as fields.part1.bp
    sets = SETS + (["regions.core.plasticity=true"] if plastic else ["output.checkpoint=true"])
    return ["run", str(case), "--no-progress", "-q", *extra, *[f"--set={s}" for s in sets]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return _kill_and_restart(tmp_path_factory.mktemp("restart"), plastic=False)


@pytest.fixture(scope="module")
def plastic_runs(tmp_path_factory):
    """The same with J2 plasticity in the core: the restart point also carries the plastic
    history (quadrature functions)."""
    return _kill_and_restart(tmp_path_factory.mktemp("restart_plastic"), plastic=True)


def _kill_and_restart(d, plastic):
    case = write_case(d, "restart_case", sweep="")
    full = d / "full"
    res = run_anodemech(_args(case, "--out", str(full), plastic=plastic))
    assert res.returncode == 0, res.stderr[-3000:]
    killed = d / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-m", "anodemech", *_args(case, "--out", str(killed), plastic=plastic)],
                            cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    t0, step = time.time(), 0
    while time.time() - t0 < 600 and proc.poll() is None:
        try:
            step = json.loads((killed / "restart" / "restart.json").read_text())["step"]
        except (OSError, ValueError, KeyError):
            step = 0
        if step >= 6:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "COMPLETE").exists() and (killed / "INCOMPLETE").exists()
    written = len(_rows(killed)) - 1  # steps in history.csv at the kill (>= the restart step)
    out = {"case": case, "full": full, "killed_steps": written, "restart_step": step}
    for n in (1, 2):
        dn = d / f"restart{n}"
        shutil.copytree(killed, dn)
        res = run_anodemech(_args(case, "--restart", str(dn), plastic=plastic), ranks=n)
        assert res.returncode == 0, res.stderr[-3000:]
        out[n] = dn
    return out


@pytest.mark.parametrize("model", ["elastic", "plastic"])
@pytest.mark.parametrize("ranks", [1, 2])
def test_restart_matches_uninterrupted(request, model, ranks):
    runs = request.getfixturevalue("runs" if model == "elastic" else "plastic_runs")
    full, rest = _rows(runs["full"]), _rows(runs[ranks])
    if model == "plastic":
        # the core did flow, just past yield near its surface (mean over the core: 1.5e-6 on
        # DOLFINx 0.9, 9.1e-7 on 0.11; so close to yield onset the value is sensitive)
        assert float(full[-1]["plastic_strain_mean_core"]) > 1e-7
    assert len(full) == len(rest), (len(full), len(rest))  # nothing lost or duplicated
    assert len(full) - 1 > runs["restart_step"] >= 6
    for ra, rb in zip(full, rest):
        assert ra["stage"] == rb["stage"]
        for k, va in ra.items():
            if k in IGNORE:
                continue
            a, b = float(va), float(rb[k])
            assert abs(a - b) <= 1e-8 * max(abs(a), abs(b)) + 1e-20, (ranks, ra["step"], k, a, b)
    info = json.loads((runs[ranks] / "run.json").read_text())
    assert info["status"] == "complete" and info["restarts"] == 1 and info["ranks"] == ranks
    assert (runs[ranks] / "COMPLETE").exists() and not (runs[ranks] / "INCOMPLETE").exists()
    if model == "plastic":
        assert (runs[ranks] / "fields.part1.bp").exists() and (runs[ranks] / "fields.bp").exists()
    else:
        _check_one_series(runs["full"], runs[ranks], runs["restart_step"])


def _check_one_series(full, rest, restart_step):
    """The restarted run's fields.bp and checkpoint.bp hold every stored time of the
    uninterrupted run (those before the restart point copied from the killed run's series),
    with the same values, and no part files are left."""
    import adios4dolfinx
    import numpy as np
    from mpi4py import MPI

    from anodemech.probe import probe_line

    assert not list(rest.glob("*.part*.bp")) and (rest / "fields.bp").is_dir()
    ta = np.asarray(adios4dolfinx.read_timestamps(full / "checkpoint.bp", MPI.COMM_SELF, function_name="von_mises"))
    tb = np.asarray(adios4dolfinx.read_timestamps(rest / "checkpoint.bp", MPI.COMM_SELF, function_name="von_mises"))
    assert len(ta) == len(tb) and np.allclose(ta, tb, rtol=1e-12, atol=0.0), (ta, tb)
    # a line through the core and the shell, off mesh vertices and facets (DG1 fields jump there)
    p0, p1 = (1.1e-9, 2.3e-9, 3.7e-9), (41.3e-9, 29.9e-9, 19.1e-9)
    for t in (ta[restart_step // 2], ta[restart_step], ta[-1]):  # replayed, at the restart point, after it
        for field in ("von_mises", "theta", "hoop", "u"):
            _, _, va = probe_line(MPI.COMM_SELF, full, field, p0, p1, 25, time=float(t))
            _, _, vb = probe_line(MPI.COMM_SELF, rest, field, p0, p1, 25, time=float(t))
            assert np.all(np.isfinite(va)) and np.allclose(va, vb, rtol=1e-7, atol=1e-9 * np.abs(va).max()), (t, field)


def test_restart_refusals(runs, tmp_path):
    res = run_anodemech(_args(runs["case"], "--restart", str(runs["full"])))
    assert res.returncode == 2 and "complete" in res.stderr
    res = run_anodemech(_args(runs["case"], "--restart", str(tmp_path)))
    assert res.returncode == 2 and "--restart" in res.stderr
    # a different problem cannot continue another run's state
    d = tmp_path / "other"
    shutil.copytree(runs[1], d)
    (d / "COMPLETE").unlink()
    res = run_anodemech(_args(runs["case"], "--restart", str(d), "--set=geometry.core_radius='50 nm'"))
    assert res.returncode == 2 and "geometry" in res.stderr
