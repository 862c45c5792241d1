"""Local-error control of backward Euler (anodemech.timestep).

References:

* The estimate (Milne's device with a linear-extrapolation predictor): the local error of
  backward Euler is ``(dt^2/2) x''``, and ``dt / (2 dt + dt_prev) (x_c - x_p)`` estimates
  it to leading order (Hairer, Nørsett & Wanner, Solving ODEs I, 2nd ed. 1993, sec. II.4).
  Checked on ``x' = -k (x - 1)`` against the exact local error of one backward-Euler step
  from the exact solution.
* The verification case as shipped (``cases/verification/sphere_galvanostatic.toml``),
  run by the stepper to D t/R^2 = 0.1: sigma_r, sigma_theta and theta along a ray within
  1 % of their peaks from Crank's constant-flux series and the diffusion-induced stresses of
  Zhang, Shyy & Sastry, J. Electrochem. Soc. 154 (2007) A910, and Cheng & Verbrugge,
  J. Power Sources 190 (2009) 453 (:func:`anodemech.analytic.crank_sphere_stress_series`).
  The same run with the step-growth rule of earlier versions (``control = "newton"``) was
  5.5 % off in sigma_r (issue 18).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from anodemech.timestep import StepController

CASE_FILE = Path(__file__).resolve().parents[1] / "cases" / "verification" / "sphere_galvanostatic.toml"


# x' = -k (x - 1), x(0) = 0: a state relaxing to equilibrium (like theta in a hold). The
# state array is [x, 0]: the second entry stands for a theta pinned at 0 (a Li-inert
# coating), so the theta range is x itself.
K = 1.0


def _be_step(x, dt):
    return (x + K * dt) / (1.0 + K * dt)


def _exact_from(x, dt):
    return 1.0 - (1.0 - x) * np.exp(-K * dt)


def _controller(tol=1.0, growth=2.0):
    return StepController(MPI.COMM_SELF, theta_dofs=[0, 1], u_dofs=[], theta_tol=tol, u_rtol=1.0, growth=growth)


@pytest.mark.parametrize("ratio", [1.0, 0.5, 2.0])
def test_estimate_is_the_local_error_of_backward_euler(ratio):
    """The estimate tends to the exact local error of one backward-Euler step as dt -> 0
    (ratio -> 1 with an O(dt) defect), for equal and unequal step pairs."""
    defects = []
    for dt in (0.1, 0.05, 0.025):
        dt_prev = dt / ratio
        t_n = 1.0
        x_prev, x_n = 1.0 - np.exp(-K * (t_n - dt_prev)), 1.0 - np.exp(-K * t_n)  # exact history
        ctrl = _controller()
        ctrl.accepted(np.array([x_prev, 0.0]), dt_prev)
        x_c = _be_step(x_n, dt)
        est = ctrl.estimate(np.array([x_c, 0.0]), np.array([x_n, 0.0]), dt)
        exact = abs(x_c - _exact_from(x_n, dt)) / max(x_c, StepController.THETA_RANGE_MIN)  # range [0, x_c]
        defects.append(abs(est.theta / exact - 1.0))
    assert defects[-1] < 0.05, defects
    assert defects[-1] < 0.6 * defects[0], defects  # the defect falls with dt


def test_controlled_steps_meet_the_tolerance():
    """Integrating with the controller from a small first step: every accepted step's true
    local error is within a small factor of the tolerance, and the step grows as the
    solution approaches equilibrium (x'' -> 0)."""
    tol, t, dt, x = 1e-4, 0.0, 1e-3, 0.0
    ctrl = _controller(tol)
    dts, errs = [], []
    while t < 8.0:
        x_c = _be_step(x, dt)
        if ctrl.ready:
            est = ctrl.estimate(np.array([x_c, 0.0]), np.array([x, 0.0]), dt)
            if not est.accepted:
                dt = ctrl.propose(dt, est.err)
                continue
            errs.append(abs(x_c - _exact_from(x, dt)) / (tol * max(x_c, StepController.THETA_RANGE_MIN)))
            ctrl.accepted(np.array([x, 0.0]), dt)
            dt_next = ctrl.propose(dt, est.err)
        else:
            ctrl.accepted(np.array([x, 0.0]), dt)
            dt_next = dt
        dts.append(dt)
        x, t, dt = x_c, t + dt, dt_next
    assert max(errs) < 1.5, max(errs)
    assert dts[-1] > 5 * dts[len(dts) // 3], dts
    assert 20 < len(dts) < 400, len(dts)


def test_propose_rounds_and_limits():
    ctrl = _controller(growth=1.5)
    assert ctrl.propose(10.0, 0.0) == 15.0
    assert ctrl.propose(10.0, 1e6) == 2.0  # at most a factor 5 down
    assert ctrl.propose(1.234567, 0.81) == 1.23  # 0.9/sqrt(0.81) = 1: 3 significant digits
    with pytest.raises(RuntimeError):
        ctrl.estimate(np.zeros(2), np.zeros(2), 1.0)


@pytest.fixture(scope="module")
def shipped_verification_run(tmp_path_factory):
    """The verification case with its own [time] settings, run by the stepper to tau = 0.1."""
    from anodemech.case import load_case
    from anodemech.run import run_case

    R, D = 75e-9, 1e-17
    t_end = 0.1 * R**2 / D
    ov = {"stages": [{"name": "lithiation", "mode": "galvanostatic", "c_rate": 1.0, "max_time": t_end}],
          "output": {"checkpoint": True, "fields": ["sigma", "theta"], "plots": False, "render": False,
                     "fields_every": 1000, "restart_every": 0, "restart_minutes": 0.0}}
    case = load_case(CASE_FILE, ov)
    assert case.geometry.core_radius == pytest.approx(R) and case.materials["core"].D == pytest.approx(D)
    out = tmp_path_factory.mktemp("verification") / "run"
    res = run_case(case, out, MPI.COMM_WORLD, progress=False)
    return case, out, res, t_end


def test_shipped_verification_case_within_one_percent(shipped_verification_run):
    from anodemech.analytic import crank_sphere_stress_series
    from anodemech.probe import probe_line

    case, out, res, t_end = shipped_verification_run
    comm = MPI.COMM_WORLD
    R, mat = case.geometry.core_radius, case.materials["core"]
    flux = json.loads((out / "run.json").read_text())["applied_loading"][0]["flux_mol_m2_s"]
    d = np.ones(3) / np.sqrt(3.0)
    t, pts, S = probe_line(comm, out, "sigma", [0, 0, 0], 0.995 * R * d, 41)
    assert t == pytest.approx(t_end, rel=1e-9)  # the stage end is a field time
    _, _, theta = probe_line(comm, out, "theta", [0, 0, 0], 0.995 * R * d, 41)
    r = np.linalg.norm(pts, axis=1)
    S = S.reshape(-1, 3, 3)
    s_r = np.einsum("i,nij,j->n", d, S, d)
    s_t = (np.einsum("nii->n", S) - s_r) / 2.0
    c, sr, st = crank_sphere_stress_series(r, t, R, mat.D, flux, mat.E, mat.nu, mat.Omega)
    cf, srf, stf = crank_sphere_stress_series(np.linspace(0, R, 2001), t, R, mat.D, flux, mat.E, mat.nu, mat.Omega)
    err = {"sigma_r": np.max(np.abs(s_r - sr)) / np.abs(srf).max(),
           "sigma_t": np.max(np.abs(s_t - st)) / np.abs(stf).max(),
           "theta": np.max(np.abs(theta - c / mat.c_max)) / (cf / mat.c_max).max()}
    rows = list(csv.DictReader(open(out / "history.csv")))
    print(f"\nshipped verification case at tau = 0.1: {res.steps} steps, rejected {rows[-1]['rejected_steps']}; "
          + ", ".join(f"{k} {100 * v:.2f} %" for k, v in err.items()))
    for k, v in err.items():
        assert v <= 0.01, (k, v)
