"""Every case in cases/ validates, meshes, and takes its first time steps."""

from __future__ import annotations

from pathlib import Path

import pytest

from anodemech.case import load_case

from conftest import ROOT, run_anodemech

CASES = sorted((ROOT / "cases").rglob("*.toml"))


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(ROOT)) for p in CASES])
def test_case_validates(path):
    case = load_case(path)
    assert case.stages and case.materials


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(ROOT)) for p in CASES])
def test_case_runs_two_steps(path, tmp_path):
    """Coarsened mesh, the first stage cut to 2 % of the particle's capacity."""
    out = tmp_path / "run"
    sets = ["geometry.h_core='30 nm'", "geometry.h_surface='10 nm'", "stages.0.max_time='72 s'", "output.render=false",
            "output.plots=false", "physics.displacement_degree=1", "physics.stress_coupling=false"]
    case = load_case(path)
    if case.geometry.shell_thickness and case.geometry.shell_thickness < 10e-9:
        sets[1] = f"geometry.h_surface={case.geometry.shell_thickness}"
    res = run_anodemech(["run", str(path), "--out", str(out), "--no-progress", *[f"--set={s}" for s in sets],
                         f"--set=stages=[{_first_stage(case)}]"])
    assert res.returncode == 0, res.stderr[-3000:]
    assert (out / "COMPLETE").exists()
    lines = (out / "history.csv").read_text().splitlines()
    assert len(lines) >= 3  # header, initial state, >= 1 step


def _first_stage(case) -> str:
    s = case.stages[0]
    fields = [f"name='{s.name}'", f"mode='{s.mode}'", "max_time='72 s'"]
    if s.c_rate is not None:
        fields.append(f"c_rate={s.c_rate}")
    if s.surface_theta is not None:
        fields.append(f"surface_theta={s.surface_theta}")
    return "{" + ", ".join(fields) + "}"
