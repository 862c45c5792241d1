"""Checks of the reference solutions in anodemech.analytic against independent facts.

The finite-element tests compare against these references, so here each reference is
checked against something that does not come from its own formula: conservation,
boundary conditions, PDE/equilibrium/compatibility residuals by finite differences,
closed forms derived by hand (stated in each test) and limiting cases.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.integrate import simpson
from scipy.special import erf

from anodemech.analytic import (
    crank_sphere_constant_flux,
    crank_sphere_roots,
    crank_sphere_stress,
    crank_sphere_stress_series,
    free_swelling_jacobian,
    lame_core_shell,
    sphere_average,
    sphere_diffusion_stress,
)

# Silicon-like particle, SI units.
R = 5e-6  # m
D = 1e-14  # m^2/s
FLUX = 1e-4  # mol m^-2 s^-1, into the sphere
C0 = 1000.0  # mol/m^3
E = 80e9  # Pa
NU = 0.25
OMEGA = 3.5e-6  # m^3/mol
K_STRESS = OMEGA * E / (3.0 * (1.0 - NU))  # Pa m^3/mol
C_SCALE = FLUX * R / D  # mol/m^3
S_SCALE = K_STRESS * C_SCALE  # Pa


def t_of(tau):
    return tau * R**2 / D


# --------------------------------------------------------------------------------------
# Crank: constant-flux sphere
# --------------------------------------------------------------------------------------
def test_roots_satisfy_tan_alpha_equals_alpha():
    alphas = crank_sphere_roots(500)
    n = np.arange(1, 501)
    assert alphas.shape == (500,)
    assert np.all((alphas > n * np.pi) & (alphas < n * np.pi + np.pi / 2))
    assert np.all(np.diff(alphas) > 0)
    # residual of tan(a) = a written without poles, relative to a
    assert np.max(np.abs(np.sin(alphas) - alphas * np.cos(alphas)) / alphas) < 1e-12
    assert np.max(np.abs(np.tan(alphas[:50]) / alphas[:50] - 1.0)) < 1e-10
    # known first root of tan x = x
    assert alphas[0] == pytest.approx(4.493409457909064, rel=1e-14)
    # large-n asymptotics: alpha_n = q - 1/q - 2/(3 q^3) + O(q^-5), q = (n + 1/2) pi
    q = (n[100:] + 0.5) * np.pi
    assert np.max(np.abs(alphas[100:] - (q - 1 / q - 2 / (3 * q**3)))) < 1e-9
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError):
            crank_sphere_roots(bad)


@pytest.mark.parametrize("tau", [1e-3, 0.05, 1.0, 10.0])
def test_crank_uptake_equals_surface_flux_times_area_times_time(tau):
    t = t_of(tau)
    r = np.linspace(0.0, R, 4001)
    c = crank_sphere_constant_flux(r, t, R, D, FLUX, c0=C0)
    assert c.shape == r.shape
    uptake = simpson(4.0 * np.pi * r**2 * (c - C0), x=r)
    expected = 4.0 * np.pi * R**2 * FLUX * t
    assert uptake == pytest.approx(expected, rel=1e-8)
    # the same through the volume-average helper: mean rise = 3 flux t / R
    assert sphere_average(r, c, R) - C0 == pytest.approx(3.0 * FLUX * t / R, rel=1e-8)


@pytest.mark.parametrize("tau", [0.01, 0.05, 0.2])
def test_crank_surface_gradient_equals_flux(tau):
    t = t_of(tau)
    h = 1e-4 * R
    c = crank_sphere_constant_flux(np.array([R - 2 * h, R - h, R]), t, R, D, FLUX)
    dcdr = (3.0 * c[2] - 4.0 * c[1] + c[0]) / (2.0 * h)  # one-sided, O(h^2)
    assert D * dcdr == pytest.approx(FLUX, rel=1e-6)
    # symmetry at the centre: dc/dr(0) = 0 (one-sided, O(h^2))
    c_c = crank_sphere_constant_flux(np.array([0.0, h, 2 * h]), t, R, D, FLUX)
    assert abs(D * (-3.0 * c_c[0] + 4.0 * c_c[1] - c_c[2]) / (2.0 * h)) < 1e-6 * FLUX


def test_crank_satisfies_the_diffusion_equation():
    """dc/dt = D (c'' + 2 c'/r), by central differences in r and t."""
    tau = 0.05
    t = t_of(tau)
    dt = 1e-4 * t
    h = 1e-3 * R
    r = np.linspace(0.1, 0.95, 9) * R
    c = lambda rr, tt: crank_sphere_constant_flux(rr, tt, R, D, FLUX, c0=C0)  # noqa: E731
    dcdt = (c(r, t + dt) - c(r, t - dt)) / (2 * dt)
    cm, cc, cp = c(r - h, t), c(r, t), c(r + h, t)
    lap = (cp - 2 * cc + cm) / h**2 + 2.0 / r * (cp - cm) / (2 * h)
    rate_scale = 3.0 * FLUX / R  # the mean rate of rise
    assert np.max(np.abs(dcdt - D * lap)) < 1e-5 * rate_scale


def test_crank_long_time_parabolic_profile():
    """Pseudo-steady state: dc/dt = 3 flux/R everywhere, so D (r^2 c')'/r^2 = 3 flux/R,
    c' = flux r/(D R), c(r) - c(0) = flux r^2/(2 D R); c(R) - c(0) = flux R/(2 D)."""
    t = t_of(3.0)
    r = np.linspace(0.0, R, 51)
    c = crank_sphere_constant_flux(r, t, R, D, FLUX, c0=C0)
    assert c[-1] - c[0] == pytest.approx(FLUX * R / (2 * D), rel=1e-12)
    np.testing.assert_allclose(c - c[0], FLUX * r**2 / (2 * D * R), rtol=0, atol=1e-12 * C_SCALE)


@pytest.mark.parametrize("tau", [1e-4, 1e-3, 1e-2])
def test_crank_early_surface_concentration(tau):
    """Short times: with u = r (c - c0), u_t = D u_rr and, at r = R,
    u_r - u/R = flux R/D. Near the surface the sphere looks like a half-line; in
    Laplace space u_hat(R) = (flux R/D) / (s (sqrt(s/D) - 1/R)), whose inverse is
    (flux R/D) R sum_k tau^((k+1)/2)/Gamma((k+3)/2) = (flux R/D) R [exp(tau)(1 + erf(sqrt(tau))) - 1].
    The centre's influence is of order exp(-1/tau)."""
    t = t_of(tau)
    c_surface = crank_sphere_constant_flux(np.array([R]), t, R, D, FLUX)[0]
    expected = C_SCALE * (np.exp(tau) * (1.0 + erf(np.sqrt(tau))) - 1.0)
    assert c_surface == pytest.approx(expected, rel=1e-9)
    # the centre has not yet noticed: its rise is of order exp(-R^2/(4 D t))
    c_centre = crank_sphere_constant_flux(np.array([0.0]), t, R, D, FLUX, c0=C0)[0]
    assert abs(c_centre - C0) < (np.exp(-1.0 / (4.0 * tau)) + 1e-14) * C_SCALE  # + round-off


def test_crank_initial_state_sign_and_shape():
    r = np.linspace(0.0, R, 7)
    np.testing.assert_array_equal(crank_sphere_constant_flux(r, 0.0, R, D, FLUX, c0=C0), np.full(7, C0))
    t = t_of(0.1)
    up = crank_sphere_constant_flux(r, t, R, D, FLUX, c0=C0)
    down = crank_sphere_constant_flux(r, t, R, D, -FLUX, c0=C0)
    np.testing.assert_allclose(up - C0, -(down - C0), rtol=1e-14, atol=0)
    assert np.all(np.diff(up) > 0)  # filling from the surface: c increases outwards
    # scalar r works and gives a 0-d array
    assert np.ndim(crank_sphere_constant_flux(R, t, R, D, FLUX)) == 0
    # tiny round-off above R is accepted
    crank_sphere_constant_flux(np.array([R * (1 + 1e-15)]), t, R, D, FLUX)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(r=np.array([-1e-9, 0.0])),
        dict(r=np.array([0.0, 1.01 * R])),
        dict(r=np.array([np.nan])),
        dict(D=-1e-14),
        dict(D=0.0),
        dict(R=0.0),
        dict(t=-1.0),
        dict(flux=np.inf),
        dict(n_terms=0),
    ],
)
def test_crank_rejects_non_physical_input(kwargs):
    args = dict(r=np.array([0.0, R]), t=1.0, R=R, D=D, flux=FLUX, n_terms=200)
    args.update(kwargs)
    with pytest.raises(ValueError):
        crank_sphere_constant_flux(**args)


def test_crank_warns_when_series_is_truncated():
    with pytest.warns(RuntimeWarning, match="n_terms"):
        crank_sphere_constant_flux(np.array([R]), t_of(1e-6), R, D, FLUX)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crank_sphere_constant_flux(np.array([R]), t_of(1e-4), R, D, FLUX)


# --------------------------------------------------------------------------------------
# sphere_average
# --------------------------------------------------------------------------------------
def test_sphere_average_exact_cases_and_errors():
    r = np.linspace(0.0, R, 101)
    assert sphere_average(r, np.full(101, 7.0), R) == pytest.approx(7.0, rel=1e-14)
    assert sphere_average(r, r, R) == pytest.approx(0.75 * R, rel=1e-13)  # 3/R^3 * R^4/4
    assert sphere_average(r, r**2, R) == pytest.approx(0.6 * R**2, rel=1e-12)  # 3/R^3 * R^5/5
    graded = R * np.linspace(0.0, 1.0, 201) ** 0.7
    assert sphere_average(graded, np.full(201, 7.0), R) == pytest.approx(7.0, rel=1e-12)
    with pytest.raises(ValueError):
        sphere_average(r[1:], r[1:], R)  # does not start at 0
    with pytest.raises(ValueError):
        sphere_average(r[:-1], r[:-1], R)  # does not end at R
    with pytest.raises(ValueError):
        sphere_average(r[::-1], r, R)  # not increasing
    with pytest.raises(ValueError):
        sphere_average(r, r[:-1], R)  # shape mismatch


# --------------------------------------------------------------------------------------
# diffusion-induced stress (Zhang-Shyy-Sastry / Cheng-Verbrugge form)
# --------------------------------------------------------------------------------------
def _smooth_profile(r):
    """An even, smooth, non-polynomial lithiation profile rising towards the surface."""
    return C0 + 2e4 * (1.0 - np.cos(np.pi * r / R)) / 2.0 + 3e3 * np.exp(-((r / R) ** 2))


def test_stress_uniform_concentration_is_stress_free():
    rng = np.random.default_rng(1)
    c_value = 2e4
    for n in (3, 4, 101, 1000):
        random_grid = R * np.sort(np.concatenate(([0.0, 1.0], rng.random(n - 2))))
        for grid in (np.linspace(0.0, R, n), random_grid):
            s_r, s_t = sphere_diffusion_stress(grid, np.full(n, c_value), R, E, NU, OMEGA)
            assert s_r.shape == s_t.shape == (n,)
            assert np.max(np.abs(s_r)) < 1e-10 * E * OMEGA * c_value
            assert np.max(np.abs(s_t)) < 1e-10 * E * OMEGA * c_value


def test_stress_boundary_and_centre_conditions_and_signs():
    r = np.linspace(0.0, R, 801)
    s_r, s_t = sphere_diffusion_stress(r, _smooth_profile(r), R, E, NU, OMEGA)
    scale = np.max(np.abs(s_t))
    assert s_r[-1] == 0.0  # traction-free surface
    assert s_r[0] == pytest.approx(s_t[0], rel=1e-12)  # isotropic at the centre
    # lithiated shell around a poorer core: core in tension, surface hoop compression
    assert s_r[0] > 0.01 * scale and s_t[-1] < -0.01 * scale


@pytest.mark.parametrize("profile", ["smooth", "crank"])
def test_stress_satisfies_equilibrium(profile):
    """d sigma_r/dr + 2 (sigma_r - sigma_t)/r = 0, by second-order finite differences."""
    r = np.linspace(0.0, R, 2001)
    if profile == "smooth":
        c = _smooth_profile(r)
    else:
        c = crank_sphere_constant_flux(r, t_of(0.02), R, D, FLUX, c0=C0)
    s_r, s_t = sphere_diffusion_stress(r, c, R, E, NU, OMEGA)
    scale = max(np.max(np.abs(s_r)), np.max(np.abs(s_t)))
    residual = np.gradient(s_r, r, edge_order=2) + 2.0 * (s_r - s_t) / np.where(r > 0, r, 1.0)
    away = r > 0.05 * R
    assert np.max(np.abs(residual[away])) * R < 1e-5 * scale


def test_stress_satisfies_compatibility_with_hookes_law():
    """Independent of the stress formula's derivation: strains from Hooke's law plus the
    swelling strain Omega c/3 must come from a radial displacement u, i.e.
    eps_t = u/r and eps_r = du/dr = d(r eps_t)/dr."""
    r = np.linspace(0.0, R, 2001)
    c = _smooth_profile(r)
    s_r, s_t = sphere_diffusion_stress(r, c, R, E, NU, OMEGA)
    eps_r = (s_r - 2.0 * NU * s_t) / E + OMEGA * c / 3.0
    eps_t = (s_t - NU * (s_r + s_t)) / E + OMEGA * c / 3.0
    residual = eps_r - np.gradient(r * eps_t, r, edge_order=2)
    strain_scale = OMEGA * np.ptp(c)
    assert np.max(np.abs(residual[1:-1])) < 1e-6 * strain_scale


def test_stress_parabolic_and_quartic_closed_forms():
    """By hand, with k = Omega E/(3(1-nu)) and m(r) = r^-3 int_0^r c s^2 ds:
    c = c1 + A r^2: m = c1/3 + A r^2/5, so
        sigma_r = 2kA (R^2 - r^2)/5,  sigma_t = 2kA (R^2 - 2 r^2)/5;
    c = c1 + B r^4: m = c1/3 + B r^4/7, so
        sigma_r = 2kB (R^4 - r^4)/7,  sigma_t = kB (2 R^4 - 6 r^4)/7."""
    A = 1e4 / R**2
    for r in (np.linspace(0.0, R, 101), R * np.linspace(0.0, 1.0, 101) ** 0.5, np.linspace(0.0, R, 3)):
        s_r, s_t = sphere_diffusion_stress(r, 500.0 + A * r**2, R, E, NU, OMEGA)
        scale = K_STRESS * A * R**2
        np.testing.assert_allclose(s_r, 2 * K_STRESS * A * (R**2 - r**2) / 5, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(s_t, 2 * K_STRESS * A * (R**2 - 2 * r**2) / 5, rtol=0, atol=1e-12 * scale)

    B = 1e4 / R**4
    scale = K_STRESS * B * R**4
    for n, tol in ((101, 1e-7), (401, 1e-9)):
        r = np.linspace(0.0, R, n)
        s_r, s_t = sphere_diffusion_stress(r, 500.0 + B * r**4, R, E, NU, OMEGA)
        np.testing.assert_allclose(s_r, 2 * K_STRESS * B * (R**4 - r**4) / 7, rtol=0, atol=tol * scale)
        np.testing.assert_allclose(s_t, K_STRESS * B * (2 * R**4 - 6 * r**4) / 7, rtol=0, atol=tol * scale)


def test_stress_rejects_bad_input():
    r = np.linspace(0.0, R, 11)
    c = np.full(11, C0)
    with pytest.raises(ValueError):
        sphere_diffusion_stress(r + 0.01 * R, c, R + 0.01 * R + 1e-9, E, NU, OMEGA)  # r[0] != 0
    with pytest.raises(ValueError):
        sphere_diffusion_stress(r, c, 1.1 * R, E, NU, OMEGA)  # r[-1] != R
    with pytest.raises(ValueError):
        sphere_diffusion_stress(r[[0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10]], c, R, E, NU, OMEGA)
    with pytest.raises(ValueError):
        sphere_diffusion_stress(r, c[:-1], R, E, NU, OMEGA)
    with pytest.raises(ValueError):
        sphere_diffusion_stress(r, c, R, -E, NU, OMEGA)
    with pytest.raises(ValueError):
        sphere_diffusion_stress(r, c, R, E, 0.6, OMEGA)
    with pytest.raises(ValueError):
        sphere_diffusion_stress(r[:2], c[:2], R, E, NU, OMEGA)


# --------------------------------------------------------------------------------------
# constant-flux sphere: stress by quadrature and by the term-by-term series
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("tau", [1e-3, 0.05, 1.0])
def test_crank_stress_quadrature_matches_series(tau):
    t = t_of(tau)
    r = np.linspace(0.0, R, 157)
    c_q, sr_q, st_q = crank_sphere_stress(r, t, R, D, FLUX, E, NU, OMEGA, c0=C0)
    c_s, sr_s, st_s = crank_sphere_stress_series(r, t, R, D, FLUX, E, NU, OMEGA, c0=C0)
    np.testing.assert_allclose(c_q, c_s, rtol=0, atol=1e-12 * C_SCALE)
    np.testing.assert_allclose(sr_q, sr_s, rtol=0, atol=1e-9 * S_SCALE)
    np.testing.assert_allclose(st_q, st_s, rtol=0, atol=1e-9 * S_SCALE)


def test_crank_stress_series_boundary_centre_steady_state_and_t0():
    r = np.linspace(0.0, R, 1001)
    for tau in (1e-3, 0.05, 0.5):
        _, s_r, s_t = crank_sphere_stress_series(r, t_of(tau), R, D, FLUX, E, NU, OMEGA, c0=C0)
        assert abs(s_r[-1]) < 1e-12 * S_SCALE
        assert s_r[0] == pytest.approx(s_t[0], rel=1e-12)
        residual = np.gradient(s_r, r, edge_order=2) + 2.0 * (s_r - s_t) / np.where(r > 0, r, 1.0)
        assert np.max(np.abs(residual[r > 0.05 * R])) * R < 1e-5 * S_SCALE
    # steady state = parabolic profile c - c(0) = flux r^2/(2 D R), i.e. A = flux/(2 D R)
    # in the closed form of test_stress_parabolic_and_quartic_closed_forms
    _, s_r, s_t = crank_sphere_stress_series(r, t_of(5.0), R, D, FLUX, E, NU, OMEGA)
    A = FLUX / (2 * D * R)
    np.testing.assert_allclose(s_r, 2 * K_STRESS * A * (R**2 - r**2) / 5, rtol=0, atol=1e-12 * S_SCALE)
    np.testing.assert_allclose(s_t, 2 * K_STRESS * A * (R**2 - 2 * r**2) / 5, rtol=0, atol=1e-12 * S_SCALE)
    # t = 0: uniform c0, no stress
    c, s_r, s_t = crank_sphere_stress_series(r, 0.0, R, D, FLUX, E, NU, OMEGA, c0=C0)
    assert np.all(c == C0) and not np.any(s_r) and not np.any(s_t)
    c, s_r, s_t = crank_sphere_stress(r, 0.0, R, D, FLUX, E, NU, OMEGA, c0=C0)
    assert np.all(c == C0) and np.max(np.abs(s_r)) < 1e-12 * S_SCALE and np.max(np.abs(s_t)) < 1e-12 * S_SCALE
    with pytest.raises(ValueError):
        crank_sphere_stress_series(r, 1.0, R, D, FLUX, E, 0.5001, OMEGA)
    with pytest.raises(ValueError):
        crank_sphere_stress(r, 1.0, R, D, FLUX, E, NU, OMEGA, n_grid=3)


# --------------------------------------------------------------------------------------
# Lamé core-shell
# --------------------------------------------------------------------------------------
A_CORE, B_SHELL = 2e-6, 3e-6
E_C, NU_C, E_S, NU_S = 80e9, 0.22, 150e9, 0.3
EPS = 0.02


def _bulk(E_, nu_):
    return E_ / (3.0 * (1.0 - 2.0 * nu_))


def _shear(E_, nu_):
    return E_ / (2.0 * (1.0 + nu_))


def test_lame_boundary_and_interface_conditions():
    res = lame_core_shell(np.array([0.0, 0.5 * A_CORE, A_CORE, np.nextafter(A_CORE, 1.0), B_SHELL]),
                          A_CORE, B_SHELL, E_C, NU_C, E_S, NU_S, EPS)
    p = res["p_interface"]
    assert p > 0  # a swelling core pushes on the shell
    s_r, s_t, u = res["sigma_r"], res["sigma_t"], res["u"]
    assert abs(s_r[-1]) < 1e-12 * p  # traction-free outer surface
    np.testing.assert_allclose(s_r[:3], -p, rtol=1e-14)  # hydrostatic core
    np.testing.assert_allclose(s_t[:3], -p, rtol=1e-14)
    assert s_r[3] == pytest.approx(s_r[2], rel=1e-12)  # sigma_r continuous at a
    assert u[3] == pytest.approx(u[2], rel=1e-12)  # bonded: u continuous at a
    assert s_t[3] > 0  # hoop tension in the shell at the interface
    assert u[0] == 0.0


def test_lame_soft_and_rigid_shell_limits():
    K_c = _bulk(E_C, NU_C)
    soft = lame_core_shell(np.array([A_CORE]), A_CORE, B_SHELL, E_C, NU_C, 1e-9 * E_C, NU_S, EPS)
    assert soft["p_interface"] < 1e-8 * 3 * K_c * EPS
    assert soft["u"][0] == pytest.approx(A_CORE * EPS, rel=1e-8)  # free swelling
    rigid = lame_core_shell(np.array([A_CORE]), A_CORE, B_SHELL, E_C, NU_C, 1e9 * E_C, NU_S, EPS)
    # core swelling fully suppressed, u(a) = 0: eps_star - p/(3 K_c) = 0
    assert rigid["p_interface"] == pytest.approx(3 * K_c * EPS, rel=1e-7)
    assert abs(rigid["u"][0]) < 1e-7 * A_CORE * EPS


def test_lame_equal_materials_match_thermal_sphere_with_step_concentration():
    """Same material everywhere: a sphere of radius b with c = c1 for r < a and 0 outside,
    eps_star = Omega c1/3. From the sphere stress formula with m(r) = c1/3 (r < a),
    c1 a^3/(3 r^3) (r > a) and k = Omega E/(3(1-nu)) = E eps_star/(c1 (1-nu)), by hand:
        core:  sigma_r = sigma_t = -p,  p = 2 E eps_star (1 - a^3/b^3) / (3 (1 - nu))
        shell: sigma_r = (2 E eps_star/(3(1-nu))) (a^3/b^3 - a^3/r^3)
               sigma_t = (E eps_star/(3(1-nu))) (2 a^3/b^3 + a^3/r^3)."""
    r = np.linspace(0.0, B_SHELL, 301)
    res = lame_core_shell(r, A_CORE, B_SHELL, E_C, NU_C, E_C, NU_C, EPS)
    g = E_C * EPS / (3.0 * (1.0 - NU_C))
    ratio = A_CORE**3 / B_SHELL**3
    p = 2.0 * g * (1.0 - ratio)
    assert res["p_interface"] == pytest.approx(p, rel=1e-13)
    core = r <= A_CORE
    rs = r[~core]
    np.testing.assert_allclose(res["sigma_r"][core], -p, rtol=1e-13)
    np.testing.assert_allclose(res["sigma_r"][~core], 2 * g * (ratio - A_CORE**3 / rs**3), rtol=0, atol=1e-12 * p)
    np.testing.assert_allclose(res["sigma_t"][~core], g * (2 * ratio + A_CORE**3 / rs**3), rtol=1e-12)


def test_lame_large_shell_gives_eshelby_inclusion():
    """b -> infinity: misfitting sphere in an infinite matrix,
    p = eps_star / (1/(3 K_core) + 1/(4 G_matrix))."""
    b = 1e4 * A_CORE
    res = lame_core_shell(np.array([0.0]), A_CORE, b, E_C, NU_C, E_S, NU_S, EPS)
    expected = EPS / (1.0 / (3.0 * _bulk(E_C, NU_C)) + 1.0 / (4.0 * _shear(E_S, NU_S)))
    assert res["p_interface"] == pytest.approx(expected, rel=1e-10)


def test_lame_equilibrium_and_hookes_law_in_both_regions():
    r = np.linspace(A_CORE, B_SHELL, 4001)[1:]
    res = lame_core_shell(r, A_CORE, B_SHELL, E_C, NU_C, E_S, NU_S, EPS)
    p = res["p_interface"]
    s_r, s_t, u = res["sigma_r"], res["sigma_t"], res["u"]
    residual = np.gradient(s_r, r, edge_order=2) + 2.0 * (s_r - s_t) / r
    assert np.max(np.abs(residual)) * B_SHELL < 1e-6 * p
    # shell: stresses from the displacement by kinematics and isotropic Hooke's law
    eps_r = np.gradient(u, r, edge_order=2)
    eps_t = u / r
    lam = E_S * NU_S / ((1 + NU_S) * (1 - 2 * NU_S))
    G = _shear(E_S, NU_S)
    tr = eps_r + 2 * eps_t
    np.testing.assert_allclose(lam * tr + 2 * G * eps_r, s_r, rtol=0, atol=1e-6 * p)
    np.testing.assert_allclose(lam * tr + 2 * G * eps_t, s_t, rtol=0, atol=1e-6 * p)
    # core: u/r = eps_star - p/(3 K_core)
    rc = np.linspace(0.1, 1.0, 5) * A_CORE
    uc = lame_core_shell(rc, A_CORE, B_SHELL, E_C, NU_C, E_S, NU_S, EPS)["u"]
    np.testing.assert_allclose(uc / rc, EPS - p / (3 * _bulk(E_C, NU_C)), rtol=1e-13)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(a=B_SHELL),
        dict(a=2 * B_SHELL),
        dict(a=0.0),
        dict(E_core=0.0),
        dict(E_shell=-1.0),
        dict(nu_core=0.51),
        dict(nu_shell=-1.0),
        dict(eps_star=-1.0),
        dict(r=np.array([0.0, 1.1 * B_SHELL])),
    ],
)
def test_lame_rejects_bad_input(kwargs):
    args = dict(r=np.array([0.0, B_SHELL]), a=A_CORE, b=B_SHELL, E_core=E_C, nu_core=NU_C,
                E_shell=E_S, nu_shell=NU_S, eps_star=EPS)
    args.update(kwargs)
    with pytest.raises(ValueError):
        lame_core_shell(**args)


# --------------------------------------------------------------------------------------
# free swelling
# --------------------------------------------------------------------------------------
def test_free_swelling_jacobian_values_and_errors():
    assert free_swelling_jacobian(OMEGA, 2e4) == pytest.approx(1.07, rel=1e-15)
    assert free_swelling_jacobian(OMEGA, 2e4, c0=1e4) == pytest.approx(1.035, rel=1e-15)
    J = free_swelling_jacobian(OMEGA, np.array([0.0, 1e5, 3e5]))
    np.testing.assert_allclose(J, [1.0, 1.35, 2.05], rtol=1e-15)
    # delithiation below the reference state shrinks
    assert free_swelling_jacobian(OMEGA, 0.0, c0=1e5) == pytest.approx(0.65, rel=1e-14)
    with pytest.raises(ValueError):
        free_swelling_jacobian(OMEGA, 0.0, c0=1.0 / OMEGA)  # J = 0
    with pytest.raises(ValueError):
        free_swelling_jacobian(OMEGA, np.array([0.0, -4e5]))  # J < 0 somewhere
    with pytest.raises(ValueError):
        free_swelling_jacobian(OMEGA, np.nan)


# --------------------------------------------------------------------------------------
# Crank sec. 6.3.3: sphere with surface exchange (the linearised Butler-Volmer reference)
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("L", [0.5, 2.0, 50.0])
def test_surface_exchange_solves_pde_and_robin_condition(L):
    """Crank (1975) eqs. 6.39/6.40 against their own problem: the diffusion equation in the
    sphere (finite differences), the Robin condition -du/dr = L (u - 1) at r = R, and the
    uptake fraction equal to 3 int u r^2 dr (R = D = 1)."""
    from anodemech.analytic import crank_sphere_surface_exchange as ref

    t, h, dt = 0.05, 1e-4, 1e-6
    r = np.array([0.3, 0.6, 0.9])
    u_t = (ref(r, t + dt, 1.0, 1.0, L)[0] - ref(r, t - dt, 1.0, 1.0, L)[0]) / (2 * dt)
    up, u0, um = (ref(r + s, t, 1.0, 1.0, L)[0] for s in (h, 0.0, -h))
    lap = (up - 2 * u0 + um) / h**2 + 2.0 / r * (up - um) / (2 * h)
    assert np.max(np.abs(u_t - lap)) < 1e-5
    us = ref(1.0, t, 1.0, 1.0, L)[0]
    dudr = (3 * us - 4 * ref(1 - h, t, 1.0, 1.0, L)[0] + ref(1 - 2 * h, t, 1.0, 1.0, L)[0]) / (2 * h)
    assert -dudr == pytest.approx(L * (us - 1.0), rel=1e-4)
    rr = np.linspace(0.0, 1.0, 4001)
    m = ref(0.5, t, 1.0, 1.0, L)[1]
    assert m == pytest.approx(3 * simpson(ref(rr, t, 1.0, 1.0, L)[0] * rr**2, x=rr), rel=1e-6)


def test_surface_exchange_limits():
    """L -> infinity gives the fixed-surface-concentration sphere (Crank eq. 6.18); slow
    exchange (small L) gives uniform uptake at the rate 3 L u_s with u_s ~ 0 early."""
    from anodemech.analytic import crank_sphere_surface_exchange as ref

    t, r = 0.05, np.array([0.2, 0.5, 0.8])
    n = np.arange(1, 2000)
    dirichlet = 1 + 2 / (np.pi * r) * np.sum((-1.0) ** n / n * np.sin(np.outer(r, n * np.pi)) *
                                             np.exp(-(n**2) * np.pi**2 * t), axis=1)
    np.testing.assert_allclose(ref(r, t, 1.0, 1.0, 1e5)[0], dirichlet, atol=2e-4)
    L, t = 1e-3, 0.01
    assert ref(0.5, t, 1.0, 1.0, L)[1] == pytest.approx(3 * L * t, rel=1e-2)
def test_neo_hookean_hydrostatic_jacobian():
    """Small-strain limit J = 1 - p/K (K = E / (3 (1 - 2 nu))), the stress the root gives back,
    monotone in p, and bad input."""
    from anodemech.analytic import neo_hookean_hydrostatic_jacobian

    E, nu = 22e9, 0.3
    K = E / (3 * (1 - 2 * nu))
    mu, lam = E / (2 * (1 + nu)), E * nu / ((1 + nu) * (1 - 2 * nu))
    assert neo_hookean_hydrostatic_jacobian(0.0, E, nu) == 1.0
    p = 1e6
    assert 1 - neo_hookean_hydrostatic_jacobian(p, E, nu) == pytest.approx(p / K, rel=1e-3)
    for p in (1e8, 5e9):
        J = neo_hookean_hydrostatic_jacobian(p, E, nu)
        assert (mu * (J ** (2 / 3) - 1) + lam * np.log(J)) / J == pytest.approx(-p, rel=1e-10)
    Js = [neo_hookean_hydrostatic_jacobian(p, E, nu) for p in (1e8, 1e9, 1e10)]
    assert Js[0] > Js[1] > Js[2] > 0
    for bad in ((-1.0, E, nu), (1e6, -E, nu), (1e6, E, 0.5), (float("nan"), E, nu)):
        with pytest.raises(ValueError):
            neo_hookean_hydrostatic_jacobian(*bad)


# ------------------------------------------------------------ coupled sphere (1D numerical)
def test_coupled_sphere_uncoupled_limit_matches_crank_series():
    """With Omega -> 0 the stress-enhanced diffusivity is D: the finite-volume/BDF solution
    must reproduce Crank's series (an independent closed form) to the grid error."""
    from anodemech.analytic import coupled_sphere_galvanostatic

    R, D, E, nu = 75e-9, 1e-17, 80e9, 0.22
    flux = 1000.0 * R / 3 / 3600  # 1C for c_max = 1000 mol/m^3
    r = np.linspace(0, 0.995 * R, 41)
    for tau in (0.05, 0.6):
        t = tau * R**2 / D
        c, sr, st = coupled_sphere_galvanostatic(r, t, R, D, flux, E, nu, 1e-12, 298.15)
        c2, sr2, st2 = crank_sphere_stress_series(r, t, R, D, flux, E, nu, 1e-12)
        assert np.max(np.abs(c - c2)) <= 1e-4 * np.max(np.abs(c2))
        assert np.max(np.abs(sr - sr2)) <= 1e-4 * np.max(np.abs(sr2))
        assert np.max(np.abs(st - st2)) <= 1e-4 * np.max(np.abs(st2))


def test_coupled_sphere_conserves_li_and_flattens_the_profile():
    """Li uptake = flux x area x time for any coupling (conservation), and the coupling
    raises the effective diffusivity, so the profile is flatter than Crank's (Zhang, Shyy
    & Sastry 2007, sec. 3)."""
    from anodemech.analytic import coupled_sphere_galvanostatic

    R, D, E, nu, Omega = 75e-9, 1e-17, 80e9, 0.22, 1e-5
    flux = 1000.0 * R / 3 / 3600
    t = 0.6 * R**2 / D
    r = np.linspace(0, R, 2001)
    c, _, _ = coupled_sphere_galvanostatic(r, t, R, D, flux, E, nu, Omega, 298.15, n_cells=2000)
    uptake = 4 * np.pi * simpson(c * r**2, x=r)
    assert uptake == pytest.approx(4 * np.pi * R**2 * flux * t, rel=1e-4)
    c2, _, _ = crank_sphere_stress_series(r, t, R, D, flux, E, nu, Omega)
    assert (c[-1] - c[0]) < 0.97 * (c2[-1] - c2[0])
