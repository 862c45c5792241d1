"""Verification of Butler–Volmer kinetics (``mode = "kinetic"`` stages).

Reference: J. Crank, The Mathematics of Diffusion, 2nd ed. (1975), sec. 6.3.3: a sphere
whose surface exchanges with a medium, ``-D dC/dr = alpha (C - C0)``, eqs. 6.39 (profile)
and 6.40 (uptake M_t/M_inf); :func:`anodemech.analytic.crank_sphere_surface_exchange`,
itself checked in ``tests/test_analytic.py``. A Butler–Volmer flux at a fixed electrode
potential, linearised about the equilibrium, is this Robin condition with
``alpha = i0 (alpha_a + alpha_c) |dU/dc| / (R T)``.

Set-up: ``cases/verification/sphere_kinetic.toml``: a 75 nm LixSi sphere (octant,
small-strain limit, Fickian), theta 0.5 -> 0.51 under a linear OCV, overpotential below
2 mV (linear regime to 0.1 %), L = R alpha / D = 2 (mixed control). A second run with i0
x 1000 (L = 2000) shows that fast kinetics reduces to a fixed surface concentration (Crank
eqs. 6.18 and 6.20, the potentiostatic case).

Galvanostatic kinetic stages (the potential a global unknown): on a sphere the flux stays
uniform whatever the kinetics, so theta is Crank's constant-flux series (Crank 1975, ch. 6)
and the potential must be V = U(theta_s) - (2RT/F) asinh(i / (2 i0(theta_s))) (the
Butler–Volmer relation with alpha_a = alpha_c = 1/2 solved for the overpotential; Newman &
Thomas-Alyea 2004, eq. 8.6). ``cases/verification/sphere_kinetic_galvanostatic.toml``
checks that, the fast-kinetics limit V -> U(theta_s) with the same theta as the prescribed
flux, quadratic Newton (the exact rank-one Jacobian of the eliminated potential) and the
same history on 2 ranks.
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from anodemech.analytic import crank_sphere_surface_exchange
from anodemech.case import load_case
from anodemech.materials import FARADAY, GAS_CONSTANT

from conftest import ROOT, run_anodemech

CASE = ROOT / "cases" / "verification" / "sphere_kinetic.toml"
THETA0, THETA_EQ = 0.5, 0.51
TOL_UPTAKE = 0.015  # absolute, on M_t/M_inf (measured: 0.005 at L = 2)
TOL_PROFILE = 0.02  # absolute, on (theta - theta0)/(theta_eq - theta0)
SHORT = ["stages.0.max_time='56 s'"]  # D t/R^2 = 0.1 for the fast-kinetics runs
FAST = 1000.0  # i0 factor of the fast-kinetics runs: L = 2000


def _history(d):
    with open(d / "history.csv") as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0] if k != "stage"}


def _run(tmp, name, sets=(), ranks=1):
    out = tmp / name
    res = run_anodemech(["run", str(CASE), "--out", str(out), "--no-progress", "-q", *[f"--set={s}" for s in sets]],
                        ranks=ranks)
    assert res.returncode == 0, res.stderr[-3000:]
    return out


def _L(case, i0_factor=1.0):
    """L = R alpha / D of the case, from its kinetics data (the linearised flux)."""
    mat = case.materials["core"]
    kin = mat.kinetics
    (t0, u0), (t1, u1) = kin.ocv_table
    dU_dc = abs((u1 - u0) / (t1 - t0)) / mat.c_max
    T = case.physics.temperature
    alpha = i0_factor * kin.exchange_current_density * (kin.alpha_a + kin.alpha_c) * dU_dc / (GAS_CONSTANT * T)
    return case.geometry.core_radius * alpha / mat.D


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kinetics")
    case = load_case(CASE)
    i0 = case.materials["core"].kinetics.exchange_current_density
    fast = [*SHORT, f"regions.core.kinetics.exchange_current_density={FAST * i0}"]
    return {"case": case, "slow": _run(tmp, "slow"), "fast": _run(tmp, "fast", fast)}


def test_case_is_in_the_linear_regime(runs):
    case = runs["case"]
    kin = case.materials["core"].kinetics
    assert not kin.concentration_dependent and len(kin.ocv_table) == 2
    assert kin.equilibrium_theta(case.stages[0].potential) == pytest.approx(THETA_EQ, abs=1e-12)
    eta0 = case.stages[0].potential - kin.ocv(THETA0)
    assert abs(eta0) * FARADAY / (GAS_CONSTANT * case.physics.temperature) < 0.08
    assert _L(case) == pytest.approx(2.0, rel=1e-3)


@pytest.mark.parametrize("which, L_factor", [("slow", 1.0), ("fast", FAST)])
def test_uptake_matches_crank(runs, which, L_factor):
    """M_t/M_inf = (SOC - theta0)/(theta_eq - theta0) at every step with D t/R^2 >= 0.01
    against Crank eq. 6.40."""
    case, h = runs["case"], _history(runs[which])
    R, D, L = case.geometry.core_radius, case.materials["core"].D, _L(case, L_factor)
    m_fe = (h["soc"] - THETA0) / (THETA_EQ - THETA0)
    keep = D * h["time_s"] / R**2 >= 0.01
    m_ref = np.array([crank_sphere_surface_exchange(0.0, t, R, D, L)[1] for t in h["time_s"][keep]])
    err = np.abs(m_fe[keep] - m_ref)
    assert err.max() <= TOL_UPTAKE, (which, err.max())
    assert m_fe[-1] > (0.6 if which == "slow" else 0.55)  # a real uptake, not a vacuous match


def test_fast_kinetics_is_the_fixed_surface_concentration(runs):
    """L = 2000 uptake within 0.02 of Crank eq. 6.20 (surface held at theta_eq: the
    potentiostatic case), from D t/R^2 = 0.02 on: fast kinetics reduces to it."""
    case, h = runs["case"], _history(runs["fast"])
    R, D = case.geometry.core_radius, case.materials["core"].D
    tau = D * h["time_s"] / R**2
    keep = tau >= 0.02
    n = np.arange(1, 400)[:, None]
    m_dirichlet = 1.0 - 6.0 / np.pi**2 * np.sum(np.exp(-(n**2) * np.pi**2 * tau[keep]) / n**2, axis=0)  # Crank eq. 6.20
    m_fe = (h["soc"][keep] - THETA0) / (THETA_EQ - THETA0)
    assert np.abs(m_fe - m_dirichlet).max() <= 0.02


def test_profile_matches_crank(runs):
    """theta along the (1, 1, 1) ray at the end (D t/R^2 = 0.3) against Crank eq. 6.39."""
    from mpi4py import MPI

    from anodemech.probe import probe_line

    case = runs["case"]
    R, D, L = case.geometry.core_radius, case.materials["core"].D, _L(case)
    d = np.ones(3) / np.sqrt(3.0)
    t, pts, theta = probe_line(MPI.COMM_SELF, runs["slow"], "theta", (0, 0, 0), tuple(0.99 * R * d), 31)
    assert D * t / R**2 == pytest.approx(0.3, rel=2e-3)
    u_fe = (theta - THETA0) / (THETA_EQ - THETA0)
    u_ref, _ = crank_sphere_surface_exchange(np.linalg.norm(pts, axis=1), t, R, D, L)
    assert np.all(np.isfinite(u_fe)) and np.abs(u_fe - u_ref).max() <= TOL_PROFILE
    assert u_ref[-1] - u_ref[0] > 0.15  # the profile is not flat: diffusion matters


@pytest.mark.parametrize("which", ["slow", "fast"])
def test_current_is_the_li_uptake(runs, which):
    """history current_A = F x capacity x dSOC/dt (backward Euler: the step's uptake is the
    flux at its end), > 0 while lithiating, and the potential is the stage's."""
    h = _history(runs[which])
    cap = json.loads((runs[which] / "run.json").read_text())["capacity_mol"]
    rate = FARADAY * cap * np.diff(h["soc"]) / np.diff(h["time_s"])
    np.testing.assert_allclose(h["current_A"][1:], rate, rtol=1e-5)
    assert np.all(h["current_A"][1:] > 0)
    assert np.all(h["current_density_min_A_m2"][1:] <= h["current_density_mean_A_m2"][1:] * (1 + 1e-9))
    assert np.all(h["current_density_max_A_m2"][1:] >= h["current_density_mean_A_m2"][1:] * (1 - 1e-9))
    np.testing.assert_allclose(h["potential_V"][1:], runs["case"].stages[0].potential)
    assert (runs[which] / "history_kinetics.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "stage, region, key",
    [
        ({"mode": "kinetic", "max_time": 10.0}, {}, "stages[0].potential"),
        ({"mode": "kinetic", "potential": "9 V", "max_time": 10.0}, {}, "stages[0].potential"),
        ({"mode": "kinetic", "potential": "0.1 GPa", "max_time": 10.0}, {}, "stages[0].potential"),
        ({"mode": "kinetic", "potential": 0.1, "c_rate": 1.0, "max_time": 10.0}, {}, "stages[0].potential"),
        ({"mode": "kinetic", "potential": 0.1, "cutoff_potential": 0.05, "max_time": 10.0}, {},
         "stages[0].cutoff_potential"),
        ({"mode": "galvanostatic", "c_rate": 1.0, "cutoff_potential": 0.05, "max_time": 10.0}, {},
         "stages[0].cutoff_potential"),
        ({"mode": "galvanostatic", "c_rate": 1.0, "potential": 0.1, "max_time": 10.0}, {}, "stages[0].potential"),
        ({"mode": "kinetic", "potential": 0.1, "max_time": 10.0}, {"kinetics": False}, "regions.core.kinetics"),
        ({"mode": "kinetic", "potential": 0.1, "max_time": 10.0}, {"kinetics": {"speed": 1}}, "regions.core.kinetics.speed"),
        ({"mode": "kinetic", "potential": 0.1, "max_time": 10.0},
         {"kinetics": {"ocv_table": [[0.0, 0.3], [0.5, 0.4], [1.0, 0.1]]}}, "regions.core.kinetics.ocv_table"),
        ({"mode": "kinetic", "potential": 0.1, "max_time": 10.0},
         {"kinetics": {"exchange_current_density": "1 GPa"}}, "regions.core.kinetics.exchange_current_density"),
        ({"mode": "kinetic", "potential": 0.1, "max_time": 10.0},
         {"kinetics": {"alpha_a": 1.5}}, "regions.core.kinetics.alpha_a"),
    ],
)
def test_bad_kinetic_input_names_the_key(stage, region, key):
    import tomllib

    from anodemech.case import parse_case
    from anodemech.errors import CaseError

    raw = tomllib.loads(CASE.read_text())
    raw["stages"] = [stage]
    core = {k: v for k, v in raw["regions"]["core"].items() if k != "kinetics"}
    raw["regions"]["core"] = {**core, **region}
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key == key, (err.value.key, str(err.value))


def test_kinetics_on_an_inert_material_is_refused():
    from anodemech.errors import CaseError
    from anodemech.materials import material_from_case

    with pytest.raises(CaseError) as err:
        material_from_case({"material": "carbon_inert", "kinetics": True}, "regions.shell")
    assert err.value.key == "regions.shell.kinetics"
    si = material_from_case({"material": "LixSi", "kinetics": True}, "regions.core")
    assert si.kinetics.ocv(0.0) > si.kinetics.ocv(1.0) > 0  # database OCV (Verbrugge et al. 2016) decreases


# --------------------------------------------------------------------------- galvanostatic
GALV = ROOT / "cases" / "verification" / "sphere_kinetic_galvanostatic.toml"
TOL_V = 1e-3  # V, on the electrode potential (the overpotential is ~75 mV)


@pytest.fixture(scope="module")
def galv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kinetics_galv")
    case = load_case(GALV)
    short = ["stages.0.until_soc=0.25"]
    i0 = case.materials["core"].kinetics.exchange_current_density
    out = {"case": case}
    for name, sets, ranks in (("slow", [], 1), ("slow2", short, 2),
                              ("fast", [*short, f"regions.core.kinetics.exchange_current_density={FAST * i0}"], 1)):
        d = tmp / name
        res = run_anodemech(["run", str(GALV), "--out", str(d), "--no-progress", "-q", *[f"--set={s}" for s in sets]],
                            ranks=ranks)
        assert res.returncode == 0, res.stderr[-3000:]
        out[name] = d
    return out


def _potential_reference(case, h, i0_factor=1.0):
    """V(t) = U(theta_s) - (2RT/F) asinh(i / (2 i0(theta_s))) with theta_s from Crank's
    constant-flux series at the FE's applied flux per reference area."""
    from anodemech.analytic import crank_sphere_constant_flux

    mat, T = case.materials["core"], case.physics.temperature
    kin = mat.kinetics
    R, D = case.geometry.core_radius, mat.D
    i = h["current_density_mean_A_m2"][1:]
    assert np.allclose(i, i[0], rtol=1e-9)  # galvanostatic: a constant current
    out = []
    for t in h["time_s"][1:]:
        th_s = crank_sphere_constant_flux(R, t, R, D, i[0] / FARADAY, c0=mat.c_max * THETA_G0) / mat.c_max
        i0 = i0_factor * kin.exchange_current_density * 2.0 * np.sqrt(th_s * (1.0 - th_s))  # alpha = 1/2, theta/0.5 form
        out.append(kin.ocv(float(th_s)) - 2.0 * GAS_CONSTANT * T / FARADAY * np.arcsinh(i[0] / (2.0 * i0)))
    return np.array(out)


THETA_G0 = 0.2


def test_galvanostatic_potential_matches_inverted_butler_volmer(galv):
    case, h = galv["case"], _history(galv["slow"])
    assert case.physics.theta0 == THETA_G0 and case.stages[0].c_rate == 1.0
    V_ref = _potential_reference(case, h)
    tau = case.materials["core"].D * h["time_s"][1:] / case.geometry.core_radius**2
    keep = tau >= 0.05
    err = np.abs(h["potential_V"][1:][keep] - V_ref[keep])
    assert err.max() <= TOL_V, err.max()
    eta = h["potential_V"][1:] - np.array([case.materials["core"].kinetics.ocv(float(t)) for t in h["soc"][1:]])
    assert eta.max() < -0.05  # a real overpotential, well above the tolerance
    assert h["soc"][-1] == pytest.approx(0.3, abs=1e-9)


def test_galvanostatic_current_is_the_applied_one(galv):
    """The eliminated potential makes the Butler-Volmer current carry exactly 1C, and the
    Jacobian's rank-one Schur term is exact: Newton converges in at most 3 iterations
    (Fickian transport is linear; with the rank-one term dropped it does not converge
    quadratically)."""
    h = _history(galv["slow"])
    cap = json.loads((galv["slow"] / "run.json").read_text())["capacity_mol"]
    np.testing.assert_allclose(h["current_A"][1:], FARADAY * cap * 1.0 / 3600.0, rtol=1e-8)
    assert h["newton_iterations"][1:].max() <= 3
    assert np.all(np.diff(h["potential_V"][1:]) < 0)  # lithiation lowers the potential


def test_fast_kinetics_reduces_to_the_prescribed_flux(galv):
    """i0 x 1000: the same SOC history (the Li rate is the prescribed one) and the
    overpotential vanishes: V = U(theta_s) within 1 mV."""
    case, fast, slow = galv["case"], _history(galv["fast"]), _history(galv["slow"])
    n = len(fast["soc"])
    np.testing.assert_allclose(fast["soc"], np.interp(fast["time_s"], slow["time_s"], slow["soc"]), atol=1e-9)
    V_ref = _potential_reference(case, fast, i0_factor=FAST)
    tau = case.materials["core"].D * fast["time_s"][1:] / case.geometry.core_radius**2
    assert np.abs(fast["potential_V"][1:][tau >= 0.05] - V_ref[tau >= 0.05]).max() <= TOL_V
    assert n > 3


def test_galvanostatic_profile_matches_crank(galv):
    """theta along the (1, 1, 1) ray at SOC 0.3 against Crank's constant-flux series, within
    2 % of its swing."""
    from mpi4py import MPI

    from anodemech.analytic import crank_sphere_constant_flux
    from anodemech.probe import probe_line

    case, h = galv["case"], _history(galv["slow"])
    mat = case.materials["core"]
    R = case.geometry.core_radius
    d = np.ones(3) / np.sqrt(3.0)
    t, pts, theta = probe_line(MPI.COMM_SELF, galv["slow"], "theta", (0, 0, 0), tuple(0.99 * R * d), 31)
    flux = h["current_density_mean_A_m2"][-1] / FARADAY
    ref = crank_sphere_constant_flux(np.linalg.norm(pts, axis=1), t, R, mat.D, flux, c0=mat.c_max * THETA_G0) / mat.c_max
    swing = ref.max() - ref.min()
    assert swing > 0.01 and np.abs(theta - ref).max() <= 0.02 * swing


def test_galvanostatic_two_ranks_match_one(galv):
    """The 2-rank run (stopped at SOC 0.25) repeats the 1-rank history step by step."""
    a, b = _history(galv["slow"]), _history(galv["slow2"])
    n = len(b["soc"]) - 1  # the last step is cut to end at SOC 0.25
    assert n > 3 and np.allclose(a["time_s"][:n], b["time_s"][:n], rtol=1e-12)
    assert b["soc"][-1] == pytest.approx(0.25, abs=1e-9)
    for k in ("soc", "potential_V", "current_A", "current_density_min_A_m2", "current_density_max_A_m2"):
        np.testing.assert_allclose(b[k][1:n], a[k][1:n], rtol=1e-6, err_msg=k)


# --------------------------------------------------------------------------- stress term
def test_stress_shifts_the_equilibrium_potential():
    """Stress in the overpotential (physics.stress_coupling): a bare sphere under an external
    follower pressure p, held at a fixed potential V. Free swelling under a uniform
    pressure is a homogeneous state with sigma = -p I (finite strain, exact), so the
    surface equilibrium moves to U(theta_eq) + Omega sigma_h / F = V, i.e.
    U(theta_eq) = V + Omega p / F (chemical potential mu0 + RT ln(theta/(1-theta)) -
    Omega sigma_h, Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804). With a
    linear OCV (-0.5 V per unit theta) and Omega p / F = 50 mV, theta goes from 0.5 to 0.4
    (without the stress term it would stay at 0.5, the equilibrium of V)."""
    from mpi4py import MPI

    from anodemech.model import ChemoMechanicalProblem
    from anodemech.run import build_mesh

    overrides = {
        "geometry": {"core_radius": "50 nm", "h_core": "16 nm", "h_surface": "16 nm"},
        "regions": {"core": {"material": "LixSi", "E": "80 GPa", "E_full": "80 GPa", "D": "1e-16 m^2/s",
                             "Omega": f"{3.0 / 310945.27} m^3/mol",
                             "kinetics": {"exchange_current_density": "1 A/m^2", "ocv_table": [[0.0, 0.5], [1.0, 0.0]],
                                          "concentration_dependent": False}}},
        "physics": {"stress_coupling": True, "displacement_degree": 2, "transport": "ideal"},
        "solver": {"linear": "direct"},
    }
    case = load_case(CASE, overrides)
    mat = case.materials["core"]
    assert mat.Omega * mat.c_max == pytest.approx(3.0)  # the real LixSi swelling: finite strain
    V = 0.25  # U(0.5)
    p = 0.05 * FARADAY / mat.Omega  # Omega p / F = 50 mV (p = 0.5 GPa)
    md = build_mesh(MPI.COMM_WORLD, case)
    pb = ChemoMechanicalProblem(MPI.COMM_WORLD, md, case.materials, case.physics, linear="direct",
                                pressures={"outer_surface": p})
    pb.set_kinetic(V)
    for dt in (5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0):  # L-stable backward Euler to the equilibrium
        stats = pb.step(dt)  # (the kinetic time constant R / (3 alpha) is ~26 s)
        assert stats.converged, stats.reason
        pb.accept()
    soc = pb.soc()
    pb.solver.destroy()
    theta_eq = (0.5 - (V + mat.Omega * p / FARADAY)) / 0.5
    assert theta_eq == pytest.approx(0.4)
    print(f"stress-shifted equilibrium: SOC {soc:.5f}, expected {theta_eq:.5f}")
    assert soc == pytest.approx(theta_eq, abs=2e-3)  # without the stress term it would stay at 0.5
