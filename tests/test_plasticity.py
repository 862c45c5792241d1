"""J2 plasticity of LixSi at finite strain (anodemech.physics.plasticity) against closed forms.

* Biaxial film: a Si film bonded to a substrate, in-plane strain held at zero (the cell of
  an infinite film), lithiated and delithiated at uniform concentration. Elastically the
  in-plane stress is the biaxial value; for small swelling strain eps_s = J_s^(1/3) - 1,
  ``sigma = -E/(1 - nu) eps_s`` (Nix, Metall. Trans. A 20 (1989) 2217, eq. 1 with the
  swelling as the misfit strain). At finite strain the model's own elastic branch follows
  from tau_zz = 0 (solved here by root finding, Simo & Hughes, Computational Inelasticity,
  1998, Box 9.1). Once the von Mises stress reaches sigma_Y the film flows at
  ``sigma = -sigma_Y(theta)`` (in-plane stress equals the von Mises stress when
  sigma_zz = 0), and on delithiation it unloads elastically and reverses to
  ``+sigma_Y(theta)``: the stress-capacity loop of the substrate-curvature experiments
  (Sethuraman, Chon, Shimshak, Srinivasan & Guduru, J. Power Sources 195 (2010) 5062, fig. 3;
  Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804, sec. 4).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from mpi4py import MPI
from scipy.optimize import brentq

from anodemech.geometry import ThinFilmParams, build_thin_film

from anodemech.materials import DATABASE, PLASTICITY_DATABASE
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.post import PostProcessor


def _elastic_biaxial(theta, mat):
    """In-plane Cauchy stress [Pa] of the model's elastic branch: Fm = diag(a, a, b) with
    a = J_s^(-1/3) (zero total in-plane strain) and b from tau_zz = 0."""
    E = mat.E + (mat.E_full - mat.E) * theta
    mu = E / (2 * (1 + mat.nu))
    kappa = E / (3 * (1 - 2 * mat.nu))
    a = (1 + mat.Omega * mat.c_max * theta) ** (-1 / 3)

    def stresses(b):
        Je = a * a * b
        be = Je ** (-2 / 3) * np.array([a * a, a * a, b * b])
        s = mu * (be - be.mean())
        return (kappa * np.log(Je) + s) / Je

    b = brentq(lambda b: stresses(b)[2], 0.5, 2.0, xtol=1e-14)
    return stresses(b)[0]


def _elastic_stretch_at_yield(theta, mat, sigma):
    """In-plane elastic stretch a_e of the state Fe = diag(a, a, b) with in-plane Cauchy
    stress ``sigma`` [Pa] and sigma_zz = 0, under the model's elastic law."""
    from scipy.optimize import fsolve

    E = mat.E + (mat.E_full - mat.E) * theta
    mu = E / (2 * (1 + mat.nu))
    kappa = E / (3 * (1 - 2 * mat.nu))

    def stresses(ab):
        a, b = ab
        Je = a * a * b
        be = Je ** (-2 / 3) * np.array([a * a, a * a, b * b])
        return (kappa * np.log(Je) + mu * (be - be.mean())) / Je

    a, _ = fsolve(lambda ab: [(stresses(ab)[0] - sigma) / E, stresses(ab)[2] / E], [1.0, 1.0], xtol=1e-13)
    return a


@pytest.fixture(scope="module")
def film_cycle():
    comm = MPI.COMM_WORLD
    p = ThinFilmParams(film_thickness=20e-9, substrate_thickness=10e-9, half_width=20e-9, h_film=10e-9,
                       h_substrate=10e-9, variant="quarter")
    md = build_thin_film(comm, p)
    si = dataclasses.replace(DATABASE["LixSi"], D=1e-13, plasticity=PLASTICITY_DATABASE["LixSi"])
    cu = DATABASE["Cu"]
    pb = ChemoMechanicalProblem(comm, md, {"film": si, "substrate": cu},
                                PhysicsOptions(transport="fickian", stress_coupling=False, displacement_degree=1),
                                linear="direct", fixed_points={"side": {0: 0.0, 1: 0.0}})
    post = PostProcessor(pb)
    film = post._region_dofs["film"]
    rows = []
    for rate, dt, n in ((1.0, 5.0, 20), (1.0, 120.0, 26), (-1.0, 20.0, 10), (-1.0, 120.0, 24)):
        pb.set_galvanostatic(pb.flux_for_c_rate(rate))
        for _ in range(n):
            st = pb.step(dt)
            assert st.converged, (rate, len(rows), st.reason)
            pb.accept()
            post.update_fields()
            m = post.metrics()
            sxx = post.functions["sigma"].x.array.reshape(-1, 9)[film, 0]
            lo = comm.allreduce(float(sxx.min()) if sxx.size else np.inf, op=MPI.MIN)
            hi = comm.allreduce(float(sxx.max()) if sxx.size else -np.inf, op=MPI.MAX)
            rows.append((rate, m["soc_film"], 0.5 * (lo + hi), hi - lo, m["plastic_strain_mean_film"], st.newton_iterations))
    return si, np.array(rows)


def test_film_elastic_branch(film_cycle):
    si, rows = film_cycle
    elastic = rows[(rows[:, 0] > 0) & (rows[:, 4] == 0.0)]
    assert len(elastic) >= 3  # yield at eps_s ~ (1 - nu) sigma_Y / E ~ 2 %, i.e. theta ~ 0.02
    theta = elastic[0, 1]
    eps_s = (1 + si.Omega * si.c_max * theta) ** (1 / 3) - 1
    E = si.E + (si.E_full - si.E) * theta
    small = -E / (1 - si.nu) * eps_s
    print(f"theta {theta:.5f}: sigma {elastic[0, 2]:.5e} Pa, small strain {small:.5e} Pa")
    assert elastic[0, 2] == pytest.approx(small, rel=0.02)
    for r in elastic[1:]:  # the first step still carries a through-thickness gradient of theta/theta ~ 1e-3
        ref = _elastic_biaxial(r[1], si)
        print(f"theta {r[1]:.5f}: sigma {r[2]:.6e} Pa, finite-strain elastic {ref:.6e} Pa")
        assert r[2] == pytest.approx(ref, rel=2e-4)


def test_film_plateaus_and_reversal(film_cycle):
    si, rows = film_cycle
    pl = si.plasticity
    sy = lambda th: pl.yield_stress + (pl.yield_stress_full - pl.yield_stress) * th  # noqa: E731
    for r in rows:
        print(f"rate {r[0]:+.0f} theta {r[1]:.4f} sigma_xx {r[2] / 1e9:+.4f} GPa (spread {r[3] / 1e9:.1e}) "
              f"sigma_Y {sy(r[1]) / 1e9:.4f} eps_p {r[4]:.4f} newton {r[5]:.0f}")
    flowing = np.concatenate([[False], np.diff(rows[:, 4]) > 1e-9])  # plastic strain grew in the step
    lith = rows[flowing & (rows[:, 0] > 0)]
    delith = rows[flowing & (rows[:, 0] < 0)]
    # both plateaus span the cycle: yield at theta ~ 0.02 on lithiation, and after the
    # elastic reversal (~0.07 in theta at full charge) down to the end of delithiation
    assert lith[:, 1].min() < 0.03 and lith[:, 1].max() > 0.85
    assert delith[:, 1].max() > 0.75 and delith[:, 1].min() < 0.1
    np.testing.assert_allclose(lith[:, 2], -sy(lith[:, 1]), rtol=0.02)   # compressive plateau -sigma_Y(theta)
    np.testing.assert_allclose(delith[:, 2], +sy(delith[:, 1]), rtol=0.02)  # tensile plateau +sigma_Y(theta)
    assert np.all(np.abs(rows[:, 3]) < 1e-3 * np.abs(rows[:, 2]).max())  # uniform state
    # elastic unloading after the reversal: slope d sigma / d ln(lambda_s) = -E(theta)/(1 - nu)
    # (small elastic strain on top of the finite plastic one; the stress-dependent part of
    # the tangent is of order sigma/E ~ 4 %)
    i = np.flatnonzero(rows[:, 0] < 0)[:2]
    lam = lambda th: (1 + si.Omega * si.c_max * th) ** (1 / 3)  # noqa: E731
    slope = (rows[i[1], 2] - rows[i[0], 2]) / np.log(lam(rows[i[1], 1]) / lam(rows[i[0], 1]))
    E = si.E + (si.E_full - si.E) * rows[i[0], 1]
    print(f"unloading slope {slope:.4e} Pa, -E/(1-nu) = {-E / (1 - si.nu):.4e} Pa")
    assert slope == pytest.approx(-E / (1 - si.nu), rel=0.06)
    # plastic strain grows on both plateaus and stays put during the elastic reversal
    ep = rows[:, 4]
    assert np.all(np.diff(ep) >= -1e-12)
    assert rows[i[1], 4] == pytest.approx(rows[i[0] - 1, 4], abs=1e-12)
    # Equivalent plastic strain of the biaxial flow. With fixed principal axes the log
    # strains add: in-plane plastic log strain = -ln(lambda_s) - elastic log strain, out of
    # plane twice that, so eps_p = 2 (ln lambda_s - |ln a_e|), a_e the in-plane elastic
    # stretch on the yield surface (solved from the model's elastic law). The model's
    # eps_p is the algorithmic sum sqrt(2/3) dgamma of the b_e-based return (Simo & Hughes
    # 1998, Box 9.1), which equals the log-strain count only to first order in the elastic
    # strain: measured +3.3 % here (sigma_Y / mu ~ 1-6 %). The check is 5 % on rows past
    # the first yield steps.
    far = lith[lith[:, 1] > 0.05]
    expected = np.array([2 * (np.log(lam(th)) + np.log(_elastic_stretch_at_yield(th, si, -sy(th)))) for th in far[:, 1]])
    for r, e in zip(far, expected):
        print(f"theta {r[1]:.4f} eps_p {r[4]:.5f} log-strain count {e:.5f} ratio {r[4] / e:.4f}")
    np.testing.assert_allclose(far[:, 4], expected, rtol=0.05)
    assert rows[:, 5].max() <= 8  # consistent tangent: Newton stays quick


def _hill(r, a, b, c, sy):
    """Elastic-perfectly-plastic thick-walled sphere under internal pressure, plastic zone
    a <= r <= c (Hill, The Mathematical Theory of Plasticity, 1950, ch. V sec. 2, eqs. (5)-(8)):
    returns (p, sigma_r(r), sigma_theta(r)) [Pa]."""
    p = 2 * sy * np.log(c / a) + 2 * sy / 3 * (1 - c**3 / b**3)
    r = np.asarray(r, dtype=float)
    k = 2 * sy * c**3 / (3 * b**3)
    sr = np.where(r <= c, -p + 2 * sy * np.log(r / a), -k * (b**3 / r**3 - 1))
    st = np.where(r <= c, -p + 2 * sy * np.log(r / a) + sy, k * (b**3 / (2 * r**3) + 1))
    return p, sr, st


@pytest.mark.parametrize("c_over_a", [1.5])
def test_thick_sphere_internal_pressure(comm, c_over_a):
    """Hill's elastic-plastic thick-walled sphere: plastic radius and stresses within 2 %."""
    from anodemech.geometry import HollowSphereParams, build_hollow_sphere

    from conftest import sample

    a, b = 50e-9, 100e-9
    md = build_hollow_sphere(comm, HollowSphereParams(cavity_radius=a, wall_thickness=b - a, shell_thickness=0.0,
                                                      h_coarse=10e-9, h_fine=5e-9, variant="octant"))
    base = DATABASE["LixSi"]
    sy = 1e-3 * base.E  # small strain: the reference is a small-deformation solution
    mat = dataclasses.replace(base, E_full=None, Omega=0.0, D=1e-16,
                              plasticity=dataclasses.replace(PLASTICITY_DATABASE["LixSi"], yield_stress=sy,
                                                             yield_stress_full=None))
    pb = ChemoMechanicalProblem(comm, md, {"active": mat}, PhysicsOptions(transport="fickian", stress_coupling=False),
                                linear="direct", pressures={"inner_surface": 0.0})
    pb.set_galvanostatic(0.0)
    post = PostProcessor(pb)
    p_final, _, _ = _hill(a, a, b, c_over_a * a, sy)
    p_yield = 2 * sy / 3 * (1 - a**3 / b**3)
    # The load path is monotonic and proportional (radial return is exact on it), so the
    # result does not depend on the increments: measured with 8 increments from p_yield to
    # p_final (9 steps, 48 Newton iterations): c 0.49 %, sigma_r 1.30 %, sigma_t 1.29 % of
    # p_final; with 1 (3 steps, 12 iterations): 0.49 %, 1.25 %, 1.24 %.
    for p in (0.9 * p_yield, p_yield, p_final):
        pb.set_pressure("inner_surface", p)
        st = pb.step(1.0)
        assert st.converged, st.reason
        pb.accept()
    post.update_fields()
    m = post.metrics()
    # plastic radius from the plastic volume of the octant: V_p = pi/6 (c^3 - a^3)
    ep = post.functions["equivalent_plastic_strain"]
    import ufl
    Vp = pb.integrate(ufl.conditional(ufl.gt(pb.history.alpha, 1e-12), 1.0, 0.0) * pb.dx)
    c_fe = (6 * Vp / np.pi + a**3) ** (1 / 3)
    print(f"plastic radius {c_fe / a:.4f} a (Hill {c_over_a:.4f} a), mean eps_p {m['plastic_strain_mean_active']:.3e}")
    assert c_fe == pytest.approx(c_over_a * a, rel=0.02)
    d = np.array([1.0, 1.0, 1.0]) / np.sqrt(3.0)
    r = np.linspace(a + 0.05 * (b - a), b - 0.05 * (b - a), 10)
    _, sr, st = _hill(r, a, b, c_over_a * a, sy)
    radial = sample(comm, post.functions["radial"], r[:, None] * d)
    hoop = sample(comm, post.functions["hoop"], r[:, None] * d)
    for i in range(len(r)):
        print(f"r/a {r[i] / a:.3f}: sigma_r {radial[i] / sy:+.4f} (Hill {sr[i] / sy:+.4f}) sigma_t {hoop[i] / sy:+.4f} "
              f"(Hill {st[i] / sy:+.4f}) [sigma_Y]")
    # the DG1 projection smears the kink of the stresses at the elastic-plastic radius over
    # one element: points within h_fine (0.1 a) of it are left out (there the error is 2.1 %)
    keep = np.abs(r - c_over_a * a) > 5e-9
    assert np.abs(radial - sr)[keep].max() < 0.02 * p_final
    assert np.abs(hoop - st)[keep].max() < 0.02 * p_final
    assert ep.x.array.max() > 0


@pytest.mark.parametrize("table, key", [
    ({"material": "LixSi", "plasticity": {"yield": "1 GPa"}}, "regions.core.plasticity.yield"),
    ({"material": "LixSi", "plasticity": {"yield_stress": "1 nm"}}, "regions.core.plasticity.yield_stress"),
    ({"material": "LixSi", "plasticity": {"yield_stress": "100 GPa"}}, "regions.core.plasticity.yield_stress"),
    ({"material": "carbon_inert", "plasticity": True}, "regions.core.plasticity"),
    ({"material": "carbon_inert", "plasticity": {"hardening": "1 GPa"}}, "regions.core.plasticity.yield_stress"),
    ({"material": "LixSi", "plasticity": "J2"}, "regions.core.plasticity"),
])
def test_bad_plasticity_input(table, key):
    from anodemech.errors import CaseError
    from anodemech.materials import material_from_case

    with pytest.raises(CaseError) as e:
        material_from_case(table, "regions.core")
    assert key in str(e.value)


def test_plasticity_input():
    from anodemech.materials import material_from_case

    assert material_from_case({"material": "LixSi"}, "r").plasticity is None  # off by default
    assert material_from_case({"material": "LixSi", "plasticity": True}, "r").plasticity == PLASTICITY_DATABASE["LixSi"]
    m = material_from_case({"material": "carbon", "plasticity": {"yield_stress": "1.5 GPa"}}, "r")
    assert m.plasticity.yield_stress == pytest.approx(1.5e9) and m.plasticity.yield_stress_full is None
    m = material_from_case({"material": "LixSi", "plasticity": {"yield_stress_full": "500 MPa"}}, "r")
    assert m.plasticity.yield_stress == 2e9 and m.plasticity.yield_stress_full == pytest.approx(5e8)
