"""Closed-form and series reference solutions for testing the finite-element code.

Everything here is pure numpy/scipy and in SI units:

* lengths [m], time [s], diffusivity [m^2/s], concentration [mol/m^3],
  molar flux [mol m^-2 s^-1], partial molar volume Omega [m^3/mol],
  Young's modulus and stresses [Pa], Poisson's ratio [-].

Radial arrays ``r`` have shape ``(n,)``; results have the same shape. Stresses are
positive in tension. Non-physical input raises :class:`ValueError`.

The functions are references, not models: they are only as good as their
assumptions (small strain, linear elasticity, Fickian diffusion with constant D,
no stress-enhanced diffusion, no plasticity), and they do not clip results to a
physical range. ``tests/test_analytic.py`` checks each one against facts that do
not depend on the formula being tested (conservation, boundary conditions, PDE and
equilibrium residuals, compatibility, limiting cases).

Contents:

* :func:`crank_sphere_roots` - positive roots of ``tan(alpha) = alpha``.
* :func:`crank_sphere_constant_flux` - concentration in a sphere with a constant
  surface flux (Crank).
* :func:`sphere_average` - volume average over a sphere on a radial grid.
* :func:`sphere_diffusion_stress` - diffusion-induced stress in a traction-free
  elastic sphere for a given radial concentration profile.
* :func:`crank_sphere_stress` - concentration and stress for the constant-flux
  sphere, by quadrature of the profile.
* :func:`crank_sphere_stress_series` - the same, from a series derived here by
  integrating Crank's series term by term.
* :func:`lame_core_shell` - bonded swelling elastic core in an elastic shell (Lamé).
* :func:`free_swelling_jacobian` - ``J = 1 + Omega (c - c0)``.
* :func:`neo_hookean_hydrostatic_jacobian` - ``J`` of a compressible neo-Hookean solid
  under an external hydrostatic pressure (finite strain).
* :func:`coupled_sphere_galvanostatic` - galvanostatic sphere with stress-coupled
  (stress-enhanced) diffusion, solved numerically in 1D (finite volumes + BDF).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
from scipy.integrate import simpson
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq

__all__ = [
    "crank_sphere_roots",
    "crank_sphere_constant_flux",
    "sphere_average",
    "sphere_diffusion_stress",
    "crank_sphere_stress",
    "crank_sphere_stress_series",
    "lame_core_shell",
    "free_swelling_jacobian",
    "neo_hookean_hydrostatic_jacobian",
    "coupled_sphere_galvanostatic",
]

# Truncation-error level (in units of the dimensionless series bracket, which is O(1))
# above which the series functions warn that n_terms is too small for the given time.
_SERIES_TAIL_WARN = 1e-8


# --------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------
def _positive(name: str, value) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return value


def _finite(name: str, value) -> float:
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def _poisson(name: str, value) -> float:
    value = float(value)
    if not np.isfinite(value) or not (-1.0 < value <= 0.5):
        raise ValueError(f"{name} must lie in (-1, 0.5], got {value!r}")
    return value


def _radii(r, R: float, name: str = "r") -> np.ndarray:
    """Return r as a float array, checked to lie in [0, R].

    Values above R by at most 1e-12 R (round-off from building grids) are set to R.
    """
    r = np.asarray(r, dtype=float)
    if not np.all(np.isfinite(r)):
        raise ValueError(f"{name} must be finite")
    tol = 1e-12 * R
    if np.any(r < 0.0) or np.any(r > R + tol):
        raise ValueError(f"{name} must lie in [0, {R!r}] (got min {r.min()!r}, max {r.max()!r})")
    return np.minimum(r, R)


def _radial_grid(r, R: float) -> np.ndarray:
    """Check a grid for radial quadrature: shape (n,), n >= 3, strictly increasing,
    r[0] = 0 and r[-1] = R (relative tolerance 1e-12)."""
    r = np.asarray(r, dtype=float)
    if r.ndim != 1 or r.size < 3:
        raise ValueError(f"r must have shape (n,) with n >= 3, got shape {r.shape}")
    if not np.all(np.isfinite(r)):
        raise ValueError("r must be finite")
    if not np.all(np.diff(r) > 0.0):
        raise ValueError("r must be strictly increasing")
    if abs(r[0]) > 1e-12 * R:
        raise ValueError(f"r[0] must be 0, got {r[0]!r}")
    if abs(r[-1] - R) > 1e-12 * R:
        raise ValueError(f"r[-1] must equal R = {R!r}, got {r[-1]!r}")
    r = r.copy()
    r[0], r[-1] = 0.0, R
    return r


def _values_on_grid(name: str, f, r: np.ndarray) -> np.ndarray:
    f = np.asarray(f, dtype=float)
    if f.shape != r.shape:
        raise ValueError(f"{name} must have the same shape as r {r.shape}, got {f.shape}")
    if not np.all(np.isfinite(f)):
        raise ValueError(f"{name} must be finite")
    return f


# --------------------------------------------------------------------------------------
# Crank: sphere with constant surface flux
# --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _roots_cached(n_terms: int) -> np.ndarray:
    def g(alpha: float) -> float:
        # tan(a) = a  <=>  sin(a) - a cos(a) = 0, without the poles of tan.
        return np.sin(alpha) - alpha * np.cos(alpha)

    roots = np.empty(n_terms)
    for n in range(1, n_terms + 1):
        lo, hi = n * np.pi, n * np.pi + 0.5 * np.pi
        roots[n - 1] = brentq(g, lo, hi, xtol=1e-15, rtol=4.0 * np.finfo(float).eps, maxiter=200)
    roots.setflags(write=False)
    return roots


def crank_sphere_roots(n_terms: int) -> np.ndarray:
    """Positive roots of ``alpha cot(alpha) = 1`` (equivalently ``tan(alpha) = alpha``).

    These are the eigenvalues of Crank's constant-flux sphere series; the trivial root
    ``alpha = 0`` is excluded. The n-th root (n = 1, 2, ...) lies in
    ``(n pi, n pi + pi/2)`` and is found there with :func:`scipy.optimize.brentq`
    applied to ``sin(alpha) - alpha cos(alpha)`` (no poles). The first root is
    4.493409457909064...

    Args:
        n_terms: number of roots, an integer >= 1.

    Returns:
        Read-only array of shape ``(n_terms,)`` [-], increasing. Results are cached.

    Raises:
        ValueError: ``n_terms`` is not an integer >= 1.

    Source: Crank, The Mathematics of Diffusion, 2nd ed. (1975), chapter 6 (diffusion in
    a sphere), constant surface flux: "alpha_n are the positive roots of
    alpha_n cot alpha_n = 1" (Crank writes the roots with the radius a absorbed).
    """
    if isinstance(n_terms, bool) or int(n_terms) != n_terms or int(n_terms) < 1:
        raise ValueError(f"n_terms must be an integer >= 1, got {n_terms!r}")
    return _roots_cached(int(n_terms))


def _crank_common(r, t, R, D, flux, c0, n_terms):
    """Validate the Crank inputs; return (x, tau, alphas, decay, scale)."""
    R = _positive("R", R)
    D = _positive("D", D)
    t = _finite("t", t)
    if t < 0.0:
        raise ValueError(f"t must be >= 0, got {t!r}")
    flux = _finite("flux", flux)
    _finite("c0", c0)
    r = _radii(r, R)
    alphas = crank_sphere_roots(n_terms)
    tau = D * t / R**2
    decay = np.exp(-(alphas**2) * tau)
    if tau > 0.0:
        # Tail bound: sum_{n>N} 2 exp(-a_n^2 tau)/a_n, with a_{n+1}^2 - a_n^2 > 2 pi a_{N+1}
        # for n > N (geometric ratio q); a_{N+1} ~ (N + 1/2) pi.
        a_next = (len(alphas) + 1.5) * np.pi
        q = np.exp(-2.0 * np.pi * a_next * tau)
        tail = 2.0 * np.exp(-(a_next**2) * tau) / a_next / max(1.0 - q, 1e-300)
        if tail > _SERIES_TAIL_WARN:
            warnings.warn(
                f"Crank series truncated at n_terms={len(alphas)} for D t/R^2 = {tau:.3g}: "
                f"estimated truncation error {tail:.2g} x flux R/D; increase n_terms "
                f"(need roughly alpha_N^2 D t/R^2 > 20, alpha_N ~ N pi)",
                RuntimeWarning,
                stacklevel=3,
            )
    return r / R, tau, alphas, decay, flux * R / D


def _sinc_term(alphas: np.ndarray, x: np.ndarray) -> np.ndarray:
    """S(alpha x) = sin(alpha x)/(alpha x), shape (len(x), len(alphas)); S(0) = 1."""
    return np.sinc(np.multiply.outer(x, alphas) / np.pi)


def _h_term(alphas: np.ndarray, x: np.ndarray) -> np.ndarray:
    """h(y) = (sin y - y cos y)/y^3 at y = alpha x, shape (len(x), len(alphas)); h(0) = 1/3.

    h(y) = (1/y^3) * integral_0^y s sin(s) ds. Taylor series for y < 0.5 (cancellation).
    """
    y = np.multiply.outer(x, alphas)
    out = np.empty_like(y)
    small = y < 0.5
    ys = y[small] ** 2
    # sum_k (-1)^(k+1) 2k/(2k+1)! y^(2k-2), k = 1..6
    coeffs = (1.0 / 3.0, -1.0 / 30.0, 1.0 / 840.0, -1.0 / 45360.0, 1.0 / 3991680.0, -12.0 / 6227020800.0)
    acc = np.full_like(ys, coeffs[-1])
    for coeff in coeffs[-2::-1]:  # Horner in y^2
        acc = acc * ys + coeff
    out[small] = acc
    yl = y[~small]
    out[~small] = (np.sin(yl) - yl * np.cos(yl)) / yl**3
    return out


def crank_sphere_constant_flux(r, t, R, D, flux, c0=0.0, n_terms=200):
    """Concentration in a sphere with a constant surface flux (Crank's series).

    Fick's law with constant diffusivity in a sphere of radius ``R``, uniform initial
    concentration ``c0``, and a constant molar flux ``flux`` across the surface
    (positive = into the sphere) from ``t = 0``. With ``x = r/R``, ``tau = D t/R^2``::

        c - c0 = (flux R/D) [ 3 tau + x^2/2 - 3/10
                              - 2 sum_n sin(alpha_n x) / (x alpha_n^2 sin alpha_n)
                                        * exp(-alpha_n^2 tau) ]

    with ``alpha_n`` the positive roots of ``alpha cot alpha = 1``
    (:func:`crank_sphere_roots`). At ``r = 0`` the limit
    ``sin(alpha x)/x -> alpha`` is used (via ``numpy.sinc``); at ``t = 0`` the exact
    value ``c0`` is returned (the series converges only like 1/N there).

    Truncation: terms beyond ``n_terms`` are of order ``exp(-(N pi)^2 tau)/(N pi)``;
    a :class:`RuntimeWarning` is issued if the estimated truncation error exceeds
    1e-8 * flux R/D. The default 200 terms suffice for ``tau >= 4e-5``.

    The solution is linear and does not know about physical bounds: it is valid only
    while c stays within [0, c_max] for the material; it is not clipped. For long
    times the profile tends to ``c0 + 3 flux t/R + (flux R/D)(x^2/2 - 3/10)``.

    Args:
        r: radii [m], array-like of any shape (normally ``(n,)``), each in ``[0, R]``.
        t: time [s], scalar >= 0.
        R: sphere radius [m], > 0.
        D: diffusivity [m^2/s], > 0.
        flux: inward molar flux [mol m^-2 s^-1]; negative for extraction.
        c0: initial uniform concentration [mol/m^3].
        n_terms: number of series terms, integer >= 1.

    Returns:
        c [mol/m^3], float array with the shape of ``r``.

    Raises:
        ValueError: ``R <= 0``, ``D <= 0``, ``t < 0``, ``r`` outside ``[0, R]``,
            non-finite input, or ``n_terms < 1``.

    Source: J. Crank, The Mathematics of Diffusion, 2nd ed., Oxford (1975), chapter 6
    (diffusion in a sphere), solution for a constant flux F0 at the surface
    (no equation number quoted here).
    """
    x, tau, alphas, decay, scale = _crank_common(r, t, R, D, flux, c0, n_terms)
    if tau == 0.0:
        return np.full(x.shape, float(c0))
    xf = x.ravel()
    weights = decay / (alphas * np.sin(alphas))  # shape (N,)
    series = _sinc_term(alphas, xf) @ weights  # sin(a x)/(x a^2 sin a) = S(a x)/(a sin a)
    bracket = 3.0 * tau + 0.5 * xf**2 - 0.3 - 2.0 * series
    return (float(c0) + scale * bracket).reshape(x.shape)


# --------------------------------------------------------------------------------------
# quadrature helpers
# --------------------------------------------------------------------------------------
def sphere_average(r, f, R):
    """Volume average of a radial field over a sphere: ``(3/R^3) int_0^R f r^2 dr``.

    Composite Simpson rule (:func:`scipy.integrate.simpson`, non-uniform grids allowed);
    exact for ``f`` polynomial of degree <= 1 in r on any grid, and error O(h^4) for
    smooth ``f`` on a uniform grid.

    Args:
        r: radial grid [m], shape ``(n,)``, n >= 3, strictly increasing, ``r[0] = 0``,
            ``r[-1] = R`` (relative tolerance 1e-12).
        f: field values at ``r``, shape ``(n,)``, any unit.
        R: sphere radius [m], > 0.

    Returns:
        The volume average (float), in the unit of ``f``.

    Raises:
        ValueError: bad grid (see above), shape mismatch, non-finite values, ``R <= 0``.

    Source: definition of the volume average in spherical coordinates (dV = 4 pi r^2 dr).
    """
    R = _positive("R", R)
    r = _radial_grid(r, R)
    f = _values_on_grid("f", f, r)
    return float(3.0 / R**3 * simpson(f * r**2, x=r))


def _cumulative_r2_integral(r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """int_0^r c(s) s^2 ds at every grid point (shape (n,), value 0 at r[0] = 0).

    Product integration: on each interval [r_i, r_{i+1}] c is replaced by the cubic
    through the four nearest grid points (r_{i-1} .. r_{i+2}, shifted at the ends;
    quadratic if n = 3), and cubic * s^2 (degree 5) is integrated exactly with
    3-point Gauss-Legendre. Exact for c a polynomial of degree <= 3 in r on any
    grid; O(h^4) otherwise. Near r = 0 this keeps (1/r^3) int_0^r c s^2 ds accurate
    (a plain Simpson rule on c s^2 is only O(h^2) there after division by r^3).
    """
    n = r.size
    s = min(4, n)
    i = np.arange(n - 1)
    start = np.clip(i - 1, 0, n - s)
    idx = start[:, None] + np.arange(s)[None, :]  # (n-1, s) stencil indices
    X, Y = r[idx], c[idx]
    gx, gw = np.polynomial.legendre.leggauss(3)
    lo, hi = r[:-1], r[1:]
    half = 0.5 * (hi - lo)
    G = 0.5 * (hi + lo)[:, None] + half[:, None] * gx[None, :]  # (n-1, 3) Gauss points
    interp = np.zeros_like(G)
    for j in range(s):
        basis = np.ones_like(G)
        for m in range(s):
            if m != j:
                basis *= (G - X[:, m : m + 1]) / (X[:, j : j + 1] - X[:, m : m + 1])
        interp += basis * Y[:, j : j + 1]
    pieces = half * np.sum(gw[None, :] * interp * G**2, axis=1)
    return np.concatenate(([0.0], np.cumsum(pieces)))


# --------------------------------------------------------------------------------------
# diffusion-induced stress in a sphere (thermal-stress analogy)
# --------------------------------------------------------------------------------------
def sphere_diffusion_stress(r, c, R, E, nu, Omega):
    """Radial and hoop stress in a traction-free elastic sphere with a radial c(r).

    Small strain, isotropic linear elasticity, stress-free state at c = 0 and a
    concentration-induced isotropic strain ``Omega c / 3`` (volume strain ``Omega c``;
    only differences from a uniform c produce stress). With
    ``k = Omega E / (3 (1 - nu))``, ``m(r) = (1/r^3) int_0^r c s^2 ds`` and
    ``m(R) = (1/R^3) int_0^R c s^2 ds = mean(c)/3``::

        sigma_r = 2 k [ m(R) - m(r) ]
        sigma_t = k [ 2 m(R) + m(r) - c(r) ]      (sigma_t = sigma_theta = sigma_phi)

    and at the centre ``m(0) = c(0)/3``, so ``sigma_r(0) = sigma_t(0)``. This is the
    thermal-stress solution for a sphere with ``alpha T -> Omega c / 3``.

    Numerics: ``int_0^r c s^2 ds`` is computed by product integration of the local
    cubic interpolant of c (4-point stencil per interval, exact Gauss quadrature of
    cubic * s^2). This is exact, to round-off, when c is a polynomial of degree <= 3
    in r (so uniform and parabolic c are reproduced exactly on any grid) and O(h^4)
    for smooth c; the division by r^3 near the centre keeps that order. The grid must
    resolve c: e.g. for c ~ r^4 a uniform grid of 101 points gives ~1e-8 and 401
    points ~1e-11 of the stress scale; for the early constant-flux profile, whose
    surface layer has width ``sqrt(D t)``, ~10 grid spacings across the layer give
    ~1e-10. Strongly graded grids that are coarse at the centre converge more slowly.
    A discontinuous c (e.g. a sharp core/shell step) is smeared over one or two
    intervals: use :func:`lame_core_shell` for that case.

    Args:
        r: radial grid [m], shape ``(n,)``, n >= 3, strictly increasing, ``r[0] = 0``,
            ``r[-1] = R``.
        c: concentration [mol/m^3] at ``r``, shape ``(n,)``.
        R: sphere radius [m], > 0.
        E: Young's modulus [Pa], > 0.
        nu: Poisson's ratio, in (-1, 0.5].
        Omega: partial molar volume [m^3/mol] (any sign; 0 gives zero stress).

    Returns:
        ``(sigma_r, sigma_t)`` [Pa], each of shape ``(n,)``; tension positive.

    Raises:
        ValueError: bad grid, shape mismatch, non-finite input, ``R <= 0``, ``E <= 0``,
            ``nu`` outside (-1, 0.5].

    Sources: X. Zhang, W. Shyy, A. M. Sastry, J. Electrochem. Soc. 154 (2007) A910
    (stress expressions for a spherical particle); Y.-T. Cheng, M. W. Verbrugge,
    J. Power Sources 190 (2009) 453 (same expressions for sigma_r and sigma_theta);
    both follow the thermal-stress solution for a sphere in Timoshenko & Goodier,
    Theory of Elasticity, 3rd ed. (1970), chapter on thermal stress (sphere with a
    radially symmetric temperature). No equation numbers are quoted here.
    """
    R = _positive("R", R)
    E = _positive("E", E)
    nu = _poisson("nu", nu)
    Omega = _finite("Omega", Omega)
    r = _radial_grid(r, R)
    c = _values_on_grid("c", c, r)

    integral = _cumulative_r2_integral(r, c)
    m = np.empty_like(r)
    m[0] = c[0] / 3.0
    m[1:] = integral[1:] / r[1:] ** 3
    m_R = m[-1]
    k = Omega * E / (3.0 * (1.0 - nu))
    sigma_r = 2.0 * k * (m_R - m)
    sigma_r[-1] = 0.0  # exactly traction-free (m_R - m[-1] is 0 by construction)
    sigma_t = k * (2.0 * m_R + m - c)
    return sigma_r, sigma_t


def _check_elastic(E, nu, Omega):
    return _positive("E", E), _poisson("nu", nu), _finite("Omega", Omega)


def crank_sphere_stress(r, t, R, D, flux, E, nu, Omega, c0=0.0, n_terms=200, n_grid=4001):
    """Concentration and diffusion-induced stress for the constant-flux sphere.

    ``c`` is evaluated at ``r`` with :func:`crank_sphere_constant_flux`; the stresses are
    computed with :func:`sphere_diffusion_stress` on an internal uniform grid of
    ``n_grid`` points on ``[0, R]`` and interpolated to ``r`` with a cubic spline.
    Accuracy, measured against :func:`crank_sphere_stress_series`, relative to the
    stress scale ``Omega E flux R / (3 (1 - nu) D)``: ~1e-10 when the layer
    ``sqrt(D t)`` spans >= 10 internal grid spacings (default ``n_grid = 4001``:
    ``D t/R^2 >= 1e-4``), ~1e-12 or better for ``D t/R^2 >= 1e-3``.

    Args:
        r: radii [m], shape ``(n,)``, each in ``[0, R]`` (any order).
        t, R, D, flux, c0, n_terms: as in :func:`crank_sphere_constant_flux`.
        E: Young's modulus [Pa], > 0.
        nu: Poisson's ratio, in (-1, 0.5].
        Omega: partial molar volume [m^3/mol].
        n_grid: internal grid size, integer >= 5.

    Returns:
        ``(c, sigma_r, sigma_t)``: concentration [mol/m^3] and stresses [Pa], each with
        the shape of ``r``.

    Raises:
        ValueError: as :func:`crank_sphere_constant_flux` and
            :func:`sphere_diffusion_stress`, or ``n_grid < 5``.

    Sources: Crank (1975) chapter 6 for c; Zhang, Shyy & Sastry (2007) and Cheng &
    Verbrugge (2009) for the stress (see :func:`sphere_diffusion_stress`).
    """
    E, nu, Omega = _check_elastic(E, nu, Omega)
    if isinstance(n_grid, bool) or int(n_grid) != n_grid or int(n_grid) < 5:
        raise ValueError(f"n_grid must be an integer >= 5, got {n_grid!r}")
    R = _positive("R", R)
    c = crank_sphere_constant_flux(r, t, R, D, flux, c0=c0, n_terms=n_terms)
    r_arr = _radii(r, R)
    grid = np.linspace(0.0, R, int(n_grid))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # already warned above if needed
        c_grid = crank_sphere_constant_flux(grid, t, R, D, flux, c0=c0, n_terms=n_terms)
    s_r, s_t = sphere_diffusion_stress(grid, c_grid, R, E, nu, Omega)
    sigma_r = CubicSpline(grid, s_r)(r_arr)
    sigma_t = CubicSpline(grid, s_t)(r_arr)
    return c, sigma_r, sigma_t


def crank_sphere_stress_series(r, t, R, D, flux, E, nu, Omega, c0=0.0, n_terms=200):
    """Concentration and stress for the constant-flux sphere as a series (no quadrature).

    Derived here by inserting Crank's series (see :func:`crank_sphere_constant_flux`)
    into the stress formulas of :func:`sphere_diffusion_stress` and integrating term by
    term, using ``int_0^x s sin(alpha s) ds = (sin(alpha x) - alpha x cos(alpha x))/alpha^2``
    and ``sin(alpha_n) = alpha_n cos(alpha_n)``. With ``x = r/R``, ``tau = D t/R^2``,
    ``S(y) = sin(y)/y``, ``h(y) = (sin y - y cos y)/y^3`` (``h(0) = 1/3``),
    ``w_n = exp(-alpha_n^2 tau)/(alpha_n sin alpha_n)``, ``k = Omega E/(3(1 - nu))`` and
    ``F = flux R / D``::

        (1/x^3) int_0^x (c - c0) s^2 ds / F = tau - 1/10 + x^2/10 - 2 sum_n w_n h(alpha_n x)
        mean(c) - c0 = 3 flux t / R             (the sum vanishes at x = 1)
        sigma_r = 2 k F [ (1 - x^2)/10   + 2 sum_n w_n h(alpha_n x) ]
        sigma_t =   k F [ (1 - 2 x^2)/5  + 2 sum_n w_n (S(alpha_n x) - h(alpha_n x)) ]

    ``sigma_r(R) = 0`` exactly since ``h(alpha_n) = 0``. For long times this tends to the
    steady parabolic-profile stresses ``sigma_r = k F (1 - x^2)/5``,
    ``sigma_t = k F (1 - 2 x^2)/5``. These expressions have the structure of Cheng &
    Verbrugge's galvanostatic stresses (J. Power Sources 190 (2009) 453) but were
    derived independently here; at ``t = 0`` exact zeros are returned.

    Args:
        r: radii [m], array-like of any shape (normally ``(n,)``), each in ``[0, R]``.
        t, R, D, flux, c0, n_terms: as in :func:`crank_sphere_constant_flux`.
        E: Young's modulus [Pa], > 0.
        nu: Poisson's ratio, in (-1, 0.5].
        Omega: partial molar volume [m^3/mol].

    Returns:
        ``(c, sigma_r, sigma_t)`` [mol/m^3, Pa, Pa], each with the shape of ``r``.

    Raises:
        ValueError: as :func:`crank_sphere_constant_flux` and
            :func:`sphere_diffusion_stress`.
    """
    E, nu, Omega = _check_elastic(E, nu, Omega)
    x, tau, alphas, decay, scale = _crank_common(r, t, R, D, flux, c0, n_terms)
    if tau == 0.0:
        zeros = np.zeros(x.shape)
        return np.full(x.shape, float(c0)), zeros, zeros.copy()
    xf = x.ravel()
    w = decay / (alphas * np.sin(alphas))
    S = _sinc_term(alphas, xf)
    h = _h_term(alphas, xf)
    sum_S = S @ w
    sum_h = h @ w
    k = Omega * E / (3.0 * (1.0 - nu))
    c = float(c0) + scale * (3.0 * tau + 0.5 * xf**2 - 0.3 - 2.0 * sum_S)
    sigma_r = 2.0 * k * scale * ((1.0 - xf**2) / 10.0 + 2.0 * sum_h)
    sigma_t = k * scale * ((1.0 - 2.0 * xf**2) / 5.0 + 2.0 * (sum_S - sum_h))
    return c.reshape(x.shape), sigma_r.reshape(x.shape), sigma_t.reshape(x.shape)


# --------------------------------------------------------------------------------------
# Lamé: swelling core bonded in an elastic shell
# --------------------------------------------------------------------------------------
def lame_core_shell(r, a, b, E_core, nu_core, E_shell, nu_shell, eps_star):
    """Stress and displacement of a swelling elastic core bonded inside an elastic shell.

    A solid sphere (core, radius ``a``) with a uniform isotropic eigenstrain
    ``eps_star`` (linear strain; for lithiation ``Omega * delta_c / 3``) is perfectly
    bonded to a concentric shell ``a <= r <= b`` without eigenstrain; the outer surface
    is traction-free; small strain, isotropic linear elasticity.

    Core (``r <= a``): hydrostatic, ``sigma_r = sigma_t = -p``,
    ``u = r (eps_star - p (1 - 2 nu_core)/E_core)``.
    Shell (``a < r <= b``), Lamé thick-walled sphere under internal pressure ``p``::

        sigma_r = -p a^3/(b^3 - a^3) (b^3/r^3 - 1)
        sigma_t =  p a^3/(b^3 - a^3) (b^3/(2 r^3) + 1)
        u = p a^3/(b^3 - a^3) [ (1 - 2 nu_s)/E_s r + (1 + nu_s)/(2 E_s) b^3/r^2 ]

    ``p`` follows from ``u_core(a) = u_shell(a)``::

        p = eps_star / [ (1 - 2 nu_c)/E_c
                         + ( a^3 (1 - 2 nu_s)/E_s + b^3 (1 + nu_s)/(2 E_s) ) / (b^3 - a^3) ]

    Limits: soft shell ``p -> 0``; rigid shell ``p -> 3 K_c eps_star`` with
    ``K_c = E_c/(3(1 - 2 nu_c))``; ``b -> inf`` gives Eshelby's misfitting sphere
    ``p = eps_star / (1/(3 K_c) + 1/(4 G_s))``.

    At ``r == a`` the core-side value is returned (``sigma_t`` jumps there; ``sigma_r``
    and ``u`` are continuous).

    Args:
        r: radii [m], array-like (normally shape ``(n,)``), each in ``[0, b]``.
        a: core radius [m], ``0 < a < b``.
        b: outer radius of the shell [m].
        E_core, E_shell: Young's moduli [Pa], > 0.
        nu_core, nu_shell: Poisson's ratios in (-1, 0.5].
        eps_star: eigenstrain of the core [-] (linear, any sign; > -1).

    Returns:
        dict with ``"sigma_r"``, ``"sigma_t"`` [Pa] and ``"u"`` [m] (arrays with the
        shape of ``r``) and ``"p_interface"`` [Pa] (float, positive = compressive
        pressure on the interface, i.e. the swelling core pushes on the shell).

    Raises:
        ValueError: ``a <= 0``, ``a >= b``, ``E <= 0``, ``nu`` outside (-1, 0.5],
            ``eps_star <= -1``, ``r`` outside ``[0, b]``, non-finite input.

    Source: Lamé solution for a thick-walled spherical shell under internal pressure,
    Timoshenko & Goodier, Theory of Elasticity, 3rd ed. (1970), chapter on
    axisymmetric problems, "thick spherical shell" (no equation number quoted);
    the core/shell compatibility condition is imposed here.
    """
    a = _positive("a", a)
    b = _positive("b", b)
    if a >= b:
        raise ValueError(f"need 0 < a < b, got a={a!r}, b={b!r}")
    E_c = _positive("E_core", E_core)
    E_s = _positive("E_shell", E_shell)
    nu_c = _poisson("nu_core", nu_core)
    nu_s = _poisson("nu_shell", nu_shell)
    eps_star = _finite("eps_star", eps_star)
    if eps_star <= -1.0:
        raise ValueError(f"eps_star must be > -1, got {eps_star!r}")
    r = _radii(r, b)

    a3, b3 = a**3, b**3
    comp_core = (1.0 - 2.0 * nu_c) / E_c  # 1/(3 K_core)
    comp_shell = (a3 * (1.0 - 2.0 * nu_s) / E_s + b3 * (1.0 + nu_s) / (2.0 * E_s)) / (b3 - a3)
    p = eps_star / (comp_core + comp_shell)

    core = r <= a
    rs = np.where(core, b, r)  # avoid r = 0 in the shell expressions
    f = p * a3 / (b3 - a3)
    shell_sr = -f * (b3 / rs**3 - 1.0)
    shell_st = f * (b3 / (2.0 * rs**3) + 1.0)
    shell_u = f * ((1.0 - 2.0 * nu_s) / E_s * rs + (1.0 + nu_s) / (2.0 * E_s) * b3 / rs**2)
    core_u = r * (eps_star - p * comp_core)
    return {
        "sigma_r": np.where(core, -p, shell_sr),
        "sigma_t": np.where(core, -p, shell_st),
        "u": np.where(core, core_u, shell_u),
        "p_interface": float(p),
    }


# --------------------------------------------------------------------------------------
# finite-strain free swelling
# --------------------------------------------------------------------------------------
def free_swelling_jacobian(Omega, c, c0=0.0):
    """Volume ratio of stress-free swelling, ``J = det F = 1 + Omega (c - c0)``.

    Linear volumetric swelling law of finite-strain chemo-mechanics: the volume
    changes by ``Omega`` per mole inserted (relative to the reference state at
    ``c0``); the isotropic stretch is ``J**(1/3)``.

    Args:
        Omega: partial molar volume [m^3/mol], scalar or array broadcastable with ``c``.
        c: concentration [mol/m^3] (per reference volume), scalar or array.
        c0: reference concentration [mol/m^3], scalar or array.

    Returns:
        J [-], float or array of the broadcast shape.

    Raises:
        ValueError: any ``J <= 0`` (no physical volume), or non-finite input.

    Source: the volumetric swelling law used in finite-strain models of lithiation,
    e.g. Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804 (there
    written with a normalised concentration and an expansion coefficient; no equation
    number quoted here).
    """
    Omega_a = np.asarray(Omega, dtype=float)
    c_a = np.asarray(c, dtype=float)
    c0_a = np.asarray(c0, dtype=float)
    if not (np.all(np.isfinite(Omega_a)) and np.all(np.isfinite(c_a)) and np.all(np.isfinite(c0_a))):
        raise ValueError("Omega, c and c0 must be finite")
    J = 1.0 + Omega_a * (c_a - c0_a)
    if np.any(J <= 0.0):
        raise ValueError(f"J = 1 + Omega (c - c0) must be > 0, got min J = {np.min(J)!r}")
    return float(J) if J.ndim == 0 else J


# --------------------------------------------------------------------------------------
# Crank: sphere with surface exchange (Robin condition) -- linearised Butler-Volmer
# --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _robin_roots_cached(L: float, n_terms: int) -> np.ndarray:
    def g(beta: float) -> float:
        # beta cot(beta) + L - 1 = 0, multiplied by sin(beta): no poles
        return beta * np.cos(beta) + (L - 1.0) * np.sin(beta)

    roots = np.empty(n_terms)
    for n in range(1, n_terms + 1):
        lo, hi = (n - 1) * np.pi, n * np.pi
        lo = lo + 1e-12 * max(1.0, lo) if n > 1 else 1e-9  # g(0+) = L beta > 0
        roots[n - 1] = brentq(g, lo, hi, xtol=1e-15, rtol=4.0 * np.finfo(float).eps, maxiter=200)
    roots.setflags(write=False)
    return roots


def crank_sphere_surface_exchange(r, t, R, D, L, n_terms=400):
    """Normalised uptake of a sphere whose surface exchanges with a medium at a fixed
    equilibrium concentration: ``-D dC/dr = alpha (C - C0)`` at ``r = R``, ``C = C1`` at
    ``t = 0``.

    A linearised Butler–Volmer flux gives this Robin condition: with the flux of
    :class:`anodemech.materials.Kinetics` linearised about the equilibrium at the electrode
    potential, ``N = alpha (c_eq - c_s)`` with ``alpha = i0 (alpha_a + alpha_c) |dU/dc| / (R_gas T)``
    [m/s] (``dU/dc = dU/dtheta / c_max``), so ``L = R alpha / D``.

    Args:
        r: radii [m], scalar or array in [0, R].
        t: time [s], >= 0.
        R: sphere radius [m].
        D: diffusivity [m^2/s].
        L: ``R alpha / D`` [-], > 0 (L -> infinity: fixed surface concentration).
        n_terms: series terms.

    Returns:
        ``(u, m)``: ``u = (C - C1)/(C0 - C1)`` at ``r`` (same shape as ``r``) and the uptake
        fraction ``m = M_t / M_inf`` (float).

    Raises:
        ValueError: non-positive R, D or L, negative t, or r outside [0, R].

    Source: Crank, The Mathematics of Diffusion, 2nd ed. (1975), sec. 6.3.3 (sphere,
    surface evaporation), eqs. 6.39 (concentration) and 6.40 (uptake), with ``beta_n`` the
    positive roots of ``beta cot(beta) + L - 1 = 0``.
    """
    R = _positive("R", R)
    D = _positive("D", D)
    L = _positive("L", L)
    t = _finite("t", t)
    if t < 0.0:
        raise ValueError(f"t must be >= 0, got {t!r}")
    r = _radii(r, R)
    beta = _robin_roots_cached(float(L), int(n_terms))
    tau = D * t / R**2
    decay = np.exp(-(beta**2) * tau)
    denom = beta**2 + L * (L - 1.0)
    m = 1.0 - float(np.sum(6.0 * L**2 * decay / (beta**2 * denom)))
    x = np.atleast_1d(r / R)
    # sin(beta x)/x -> beta at the centre
    sx = np.where(x[:, None] > 0, np.sin(np.outer(x, beta)) / np.maximum(x[:, None], 1e-300), beta[None, :])
    u = 1.0 - 2.0 * L * np.sum(decay * sx / (denom * np.sin(beta)), axis=1)
    return (float(u[0]) if np.ndim(r) == 0 else u), m
# finite-strain hydrostatic compression
# --------------------------------------------------------------------------------------
def neo_hookean_hydrostatic_jacobian(p, E, nu):
    """Volume ratio ``J`` of a compressible neo-Hookean body under external pressure ``p``.

    The energy is that of :mod:`anodemech.physics.chemomech`,
    ``psi = mu/2 (tr C - 3 - 2 ln J) + lmbda/2 (ln J)**2``, whose Cauchy stress is
    ``sigma = mu/J (b - I) + lmbda/J ln(J) I`` (Bonet & Wood, *Nonlinear Continuum
    Mechanics for Finite Element Analysis*, 2nd ed. 2008, sec. 6.4.3). A homogeneous
    stretch ``F = J**(1/3) I`` gives ``b = J**(2/3) I`` and the uniform stress
    ``sigma = [mu (J**(2/3) - 1) + lmbda ln J] / J I``. A pressure ``p`` per current area
    on every outer face needs ``sigma = -p I``, so ``J`` is the root in ``(0, 1]`` of
    ``mu (J**(2/3) - 1) + lmbda ln J + p J = 0`` (the left side grows monotonically
    in ``J`` for ``p >= 0``).

    Args:
        p: pressure [Pa], >= 0 (compressive), scalar.
        E: Young's modulus [Pa], > 0.
        nu: Poisson's ratio [-], in (-1, 0.5).

    Returns:
        J [-] (float, ``0 < J <= 1``).

    Raises:
        ValueError: ``p < 0``, ``E <= 0``, ``nu`` outside (-1, 0.5), or non-finite input.
    """
    p = _finite("p", p)
    if p < 0:
        raise ValueError(f"p must be >= 0 (compressive), got {p!r}")
    E = _positive("E", E)
    nu = _poisson("nu", nu)
    if nu >= 0.5:
        raise ValueError(f"nu must be < 0.5 (a compressible solid), got {nu!r}")
    mu, lmbda = E / (2 * (1 + nu)), E * nu / ((1 + nu) * (1 - 2 * nu))
    if p == 0:
        return 1.0

    def f(J):
        return mu * (J ** (2.0 / 3.0) - 1.0) + lmbda * np.log(J) + p * J

    return float(brentq(f, 1e-12, 1.0, xtol=1e-15, rtol=1e-14))


# --------------------------------------------------------------------------------------
# stress-coupled diffusion in a sphere (stress-enhanced diffusivity)
# --------------------------------------------------------------------------------------
def coupled_sphere_galvanostatic(r, t, R, D, flux, E, nu, Omega, temperature, c0=0.0, n_cells=800):
    """Concentration and stress of a galvanostatic sphere with stress-coupled diffusion.

    Model (Zhang, Shyy & Sastry, J. Electrochem. Soc. 154 (2007) A910, eqs. 2-8): dilute
    (Fickian) chemical potential ``mu = RT ln c - Omega sigma_h``, flux
    ``J = -D (grad c - c Omega/(RT) grad sigma_h)``, and the small-strain elastic sphere of
    :func:`sphere_diffusion_stress`, whose hydrostatic stress is
    ``sigma_h = 2 Omega E/(9 (1 - nu)) (mean(c) - c)``. Inserted, the flux is Fickian with
    the stress-enhanced diffusivity ``D (1 + theta_s c)``,
    ``theta_s = 2 E Omega^2 / (9 (1 - nu) R_gas T)``::

        dc/dt = (1/r^2) d/dr ( r^2 D (1 + theta_s c) dc/dr ),  dc/dr(0) = 0,
        D (1 + theta_s c) dc/dr (R) = flux,   c(r, 0) = c0.

    Solved here by a different method from the finite-element code: cell-centred finite
    volumes in r (``n_cells`` equal cells, face diffusivity at the mean of the two cell
    values; second order) and stiff time integration with :func:`scipy.integrate.solve_ivp`
    (BDF, rtol 1e-9). Values at ``r`` are interpolated linearly from the cell centres and
    the surface value (one-sided from the flux condition). Stresses from the profile by
    :func:`sphere_diffusion_stress`.

    Args:
        r: radii [m], shape ``(n,)``, each in ``[0, R]``.
        t: time [s], >= 0.
        R, D, flux: radius [m], diffusivity [m^2/s], inward surface flux [mol m^-2 s^-1].
        E, nu, Omega: Young's modulus [Pa], Poisson's ratio, partial molar volume [m^3/mol].
        temperature: [K], > 0.
        c0: initial uniform concentration [mol/m^3].
        n_cells: finite-volume cells (>= 50).

    Returns:
        ``(c, sigma_r, sigma_t)`` [mol/m^3, Pa, Pa] at ``r``.

    Raises:
        ValueError: non-physical input; RuntimeError: the time integration failed.
    """
    from scipy.integrate import solve_ivp
    from scipy.sparse import diags

    R, D = _positive("R", R), _positive("D", D)
    E, nu, Omega = _check_elastic(E, nu, Omega)
    T = _positive("temperature", temperature)
    flux, c0, t = _finite("flux", flux), _finite("c0", c0), _finite("t", t)
    if t < 0:
        raise ValueError(f"t must be >= 0, got {t}")
    if int(n_cells) < 50:
        raise ValueError(f"n_cells must be >= 50, got {n_cells}")
    r = _radii(r, R)
    n = int(n_cells)
    theta_s = 2.0 * E * Omega**2 / (9.0 * (1.0 - nu) * 8.314462618 * T)
    faces = np.linspace(0.0, R, n + 1)
    centres = 0.5 * (faces[1:] + faces[:-1])
    h = R / n
    area = faces**2  # per unit solid angle
    vol = (faces[1:] ** 3 - faces[:-1] ** 3) / 3.0

    def rhs(_, c):
        d_face = D * (1.0 + theta_s * 0.5 * (c[1:] + c[:-1]))
        inward = np.zeros(n + 1)  # inward (towards -r) flux through each face, per area
        inward[1:-1] = d_face * (c[1:] - c[:-1]) / h
        inward[-1] = flux
        return (area[1:] * inward[1:] - area[:-1] * inward[:-1]) / vol

    sparsity = diags([np.ones(n - 1), np.ones(n), np.ones(n - 1)], [-1, 0, 1])
    c_init = np.full(n, c0)
    if t == 0.0:
        c_cells = c_init
    else:
        sol = solve_ivp(rhs, (0.0, t), c_init, method="BDF", rtol=1e-9, atol=1e-12 * max(1.0, abs(c0)) + 1e-9 * abs(flux) * R / D,
                        jac_sparsity=sparsity, t_eval=[t])
        if not sol.success:
            raise RuntimeError(f"coupled_sphere_galvanostatic: time integration failed: {sol.message}")
        c_cells = sol.y[:, -1]
    c_surface = c_cells[-1] + flux * (h / 2) / (D * (1.0 + theta_s * c_cells[-1]))
    grid = np.concatenate(([0.0], centres, [R]))
    c_grid = np.concatenate(([c_cells[0]], c_cells, [c_surface]))
    s_r, s_t = sphere_diffusion_stress(grid, c_grid, R, E, nu, Omega)
    return np.interp(r, grid, c_grid), np.interp(r, grid, s_r), np.interp(r, grid, s_t)
