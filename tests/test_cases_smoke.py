"""Every case in cases/ validates, and either takes its first time steps or, if its
geometry needs physics the solver does not have yet (2D variants), is refused by
``anodemech run`` before any output and is meshed and checked by ``anodemech mesh``."""

from __future__ import annotations

import json

import pytest

from anodemech.case import load_case

from conftest import ROOT, run_anodemech

CASES = sorted((ROOT / "cases").rglob("*.toml"))
IDS = [str(p.relative_to(ROOT)) for p in CASES]


@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_case_validates(path):
    case = load_case(path)
    assert case.stages and case.materials


@pytest.mark.parametrize("path", CASES, ids=IDS)
def test_case_smoke(path, tmp_path):
    """Runnable cases: the first stage cut to 72 s, linear displacements (the case's own
    mesh). Mesh-only cases: refused by ``run`` (exit 2, no directory), then meshed."""
    case = load_case(path)
    out = tmp_path / "run"
    if case.geometry.physics_unsupported() is None:
        sets = ["output.render=false", "output.plots=false", "physics.displacement_degree=1",
                "physics.stress_coupling=false", f"stages=[{_first_stage(case)}]"]
        res = run_anodemech(["run", str(path), "--out", str(out), "--no-progress", *[f"--set={s}" for s in sets]])
        assert res.returncode == 0, res.stderr[-3000:]
        assert (out / "COMPLETE").exists()
        lines = (out / "history.csv").read_text().splitlines()
        assert len(lines) >= 3  # header, initial state, >= 1 step
        return
    res = run_anodemech(["run", str(path), "--out", str(out), "--no-progress"])
    assert res.returncode == 2, res.stderr[-2000:]
    assert "geometry.builder" in res.stderr and "anodemech mesh" in res.stderr
    assert not out.exists()
    res = run_anodemech(["mesh", str(path), "--out", str(tmp_path / "mesh")])
    assert res.returncode == 0, res.stderr[-3000:]
    rep = json.loads((tmp_path / "mesh" / "mesh.json").read_text())
    for f in ("mesh.msh", "mesh.xdmf", "mesh.h5"):
        assert (tmp_path / "mesh" / f).stat().st_size > 0
    assert set(rep["groups"]) >= set(case.geometry.regions())
    for name, g in rep["groups"].items():
        assert g["entities"] > 0, name
        if "analytic" in g:
            assert abs(g["relative_error"]) < 0.01, (name, g)
    assert min(rep["quality"].values()) > 0.1
    for pair in case.geometry.contact_pairs():
        assert {pair.surface_a, pair.surface_b} <= set(rep["groups"])


def _first_stage(case) -> str:
    s = case.stages[0]
    fields = [f"name='{s.name}'", f"mode='{s.mode}'", "max_time='72 s'"]
    if s.c_rate is not None:
        fields.append(f"c_rate={s.c_rate}")
    if s.current_density is not None:
        fields.append(f"current_density={s.current_density}")
    if s.surface_theta is not None:
        fields.append(f"surface_theta={s.surface_theta}")
    if s.potential is not None:
        fields.append(f"potential={s.potential}")
    return "{" + ", ".join(fields) + "}"
