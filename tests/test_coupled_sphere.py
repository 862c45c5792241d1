"""Verification: galvanostatic sphere with stress-coupled transport (two-way coupling).

Reference: the stress-enhanced diffusion of Zhang, Shyy & Sastry, J. Electrochem. Soc. 154
(2007) A910 (eqs. 2-8): with the dilute chemical potential ``RT ln c - Omega sigma_h`` and
the small-strain elastic sphere, ``sigma_h = 2 Omega E/(9(1 - nu)) (mean(c) - c)`` and the
flux is Fickian with ``D (1 + theta_s c)``, ``theta_s = 2 E Omega^2/(9 (1 - nu) RT)``.
:func:`anodemech.analytic.coupled_sphere_galvanostatic` solves that 1D problem by finite
volumes and BDF (checked against Crank's series in the uncoupled limit in
``tests/test_analytic.py``). The finite-element model solves the 3D finite-strain
equations with ``Grad sigma_h`` from the displacement, so agreement checks the coupling
term, its sign and its size, independently.

Set-up: ``cases/verification/sphere_galvanostatic.toml`` (75 nm sphere, here h = 7.5 nm,
Fickian) with stress coupling on, ``c_max = 1000 mol/m^3`` and ``Omega = 1e-5 m^3/mol``:
``Omega c_max = 1 %`` (small strain) and ``theta_s c_max = 0.92`` (strong coupling). 1C to
``D t/R^2 = 0.6``. theta, sigma_r and sigma_t along the (1,1,1) ray within 2 % of their
peak; the uncoupled reference (Crank) differs from the coupled one by more than that, so
the test fails if the coupling is missing or wrong. Once with each concentration unknown
(theta, logit).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from anodemech.analytic import coupled_sphere_galvanostatic, crank_sphere_stress_series
from anodemech.case import load_case
from anodemech.model import ChemoMechanicalProblem
from anodemech.post import PostProcessor
from anodemech.run import build_mesh
from test_sphere_galvanostatic import advance, sample

COMM = MPI.COMM_WORLD
CASE_FILE = Path(__file__).resolve().parents[1] / "cases" / "verification" / "sphere_galvanostatic.toml"
OVERRIDES = {"solver": {"linear": "direct"}, "physics": {"stress_coupling": True},
             "geometry": {"h_core": "7.5 nm", "h_surface": "7.5 nm"},
             "regions": {"core": {"c_max": "1000 mol/m^3", "Omega": "1e-5 m^3/mol"}}}
TOL = 0.02  # of the peak |value| (as tests/test_sphere_galvanostatic.py)
TAU = 0.6
STEPS = (4, 6)  # to D t/R^2 = 0.05, then to TAU (the early transient has decayed by TAU)
QUANTITIES = ("theta", "sigma_r", "sigma_t")


@pytest.fixture(scope="module", params=["theta", "logit"])
def run(request):
    case = load_case(CASE_FILE, OVERRIDES)
    case = replace(case, physics=replace(case.physics, concentration_unknown=request.param))
    (stage,) = case.stages
    mat = case.materials["core"]
    R, D = case.geometry.core_radius, mat.D
    md = build_mesh(COMM, case)
    pb = ChemoMechanicalProblem(COMM, md, case.materials, case.physics, linear="direct")
    post = PostProcessor(pb)
    flux = pb.flux_for_c_rate(stage.c_rate)
    pb.set_galvanostatic(flux)
    t = 0.0
    for t_end, n in zip((0.05 * R**2 / D, TAU * R**2 / D), STEPS):
        t = advance(pb, t, (t_end - t) / n, n)
    post.update_fields()
    d = np.ones(3) / np.sqrt(3.0)
    r = np.linspace(0.0, 0.995 * R, 41)
    theta, sigma = sample(md.mesh, [post.functions["theta"], post.functions["sigma"]], md.centre[None, :] + r[:, None] * d)
    S = sigma.reshape(-1, 3, 3)
    s_r = np.einsum("i,nij,j->n", d, S, d)
    fe = {"theta": theta[:, 0], "sigma_r": s_r, "sigma_t": (np.einsum("nii->n", S) - s_r) / 2.0}
    c0 = mat.c_max * pb.physics.theta0
    args = (t, R, D, flux, mat.E, mat.nu, mat.Omega)
    c, sr, st = coupled_sphere_galvanostatic(r, *args, case.physics.temperature, c0=c0)
    ref = {"theta": c / mat.c_max, "sigma_r": sr, "sigma_t": st}
    c1, sr1, st1 = crank_sphere_stress_series(r, *args, c0=c0)
    uncoupled = {"theta": c1 / mat.c_max, "sigma_r": sr1, "sigma_t": st1}
    peak = {q: np.max(np.abs(ref[q] - (pb.physics.theta0 if q == "theta" else 0.0))) for q in QUANTITIES}
    err = {q: float(np.max(np.abs(fe[q] - ref[q])) / peak[q]) for q in QUANTITIES}
    gap = {q: float(np.max(np.abs(uncoupled[q] - ref[q])) / peak[q]) for q in QUANTITIES}
    if COMM.rank == 0:
        print(f"\ncoupled sphere ({request.param}) at D t/R^2 = {TAU}: error / peak "
              + ", ".join(f"{q} {100 * e:.2f} %" for q, e in err.items())
              + "; uncoupled reference off by " + ", ".join(f"{q} {100 * e:.2f} %" for q, e in gap.items()))
    pb.solver.destroy()
    return err, gap


@pytest.mark.parametrize("quantity", QUANTITIES)
def test_matches_stress_enhanced_diffusion(run, quantity):
    err, _ = run
    assert err[quantity] <= TOL, f"{quantity}: {100 * err[quantity]:.2f} % of the peak > {100 * TOL:g} %"


@pytest.mark.parametrize("quantity", ("sigma_r", "sigma_t"))
def test_coupling_is_visible(run, quantity):
    """Without coupling the answer would be off by more than the tolerance."""
    _, gap = run
    assert gap[quantity] > 1.5 * TOL, f"{quantity}: coupled and uncoupled differ by only {100 * gap[quantity]:.2f} %"
