"""Finite-strain chemo-mechanics in the reference configuration (UFL expressions).

Model (Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804, sec. 2;
Di Leo, Rejovitzky & Anand, J. Mech. Phys. Solids 70 (2014) 1, sec. 3):

* Kinematics: ``F = Fe Fs`` with the isotropic swelling stretch
  ``Fs = J_s**(1/3) I`` and ``J_s = 1 + Omega c_max (theta - theta0)`` (or tabulated).
* Elasticity: compressible neo-Hookean energy of ``Fe`` per unit stress-free volume,
  ``psi_e = mu/2 (tr(Ce) - 3 - 2 ln Je) + lmbda/2 (ln Je)**2``, so
  ``Pe = mu (Fe - Fe^-T) + lmbda ln(Je) Fe^-T`` and ``P = J_s Pe Fs^-T``.
* Li transport, Lagrangian mass balance ``c_max d(theta)/dt + Div J_R = 0`` with
  the chemical potential ``mu_c = mu0 + RT ln(theta/(1-theta)) - Omega sigma_h``
  ("ideal") or ``RT ln(theta) - Omega sigma_h`` ("fickian", dilute) and the spatial flux
  ``j = -(D c / RT) grad_x mu_c`` pulled back: ``J_R = -(D c_max m(theta) / RT) C^-1 Grad mu_c``,
  with ``m = theta (1 - theta)`` (ideal) or ``theta`` (fickian). For both laws the
  concentration part reduces to ``-D c_max C^-1 Grad theta``; stress coupling adds
  ``+ D c_max m Omega / (RT) C^-1 Grad sigma_h``. In the small-strain limit the fickian law
  is the model of Zhang, Shyy & Sastry, J. Electrochem. Soc. 154 (2007) A910, eq. 2.

``sigma_h`` is the hydrostatic Cauchy stress ``tr(sigma)/3``; the problem passes its
cell-wise gradient (see ``anodemech.model``).
"""

from __future__ import annotations

from dataclasses import dataclass

import ufl

from anodemech.materials import GAS_CONSTANT, Material

TRANSPORT_LAWS = ("ideal", "fickian")


@dataclass(frozen=True)
class Kinematics:
    """Deformation of one material point (UFL expressions).

    Attributes:
        F: deformation gradient, 3x3 [-].
        Fe: elastic part ``F / lambda_s`` [-].
        Js: swelling volume ratio [-].
        J: total volume ratio ``det F`` [-].
    """

    F: object
    Fe: object
    Js: object
    J: object


def kinematics(u, theta, material: Material, theta0: float) -> Kinematics:
    """Split ``F = I + Grad u`` into elastic and swelling parts for ``material``.

    Args:
        u: displacement [m] (UFL vector, 3 components).
        theta: normalised concentration [-] (UFL scalar).
        material: the region's material.
        theta0: stress-free reference value of theta [-].
    """
    d = len(u)
    F = ufl.variable(ufl.Identity(d) + ufl.grad(u))
    Js = material.volume_ratio(theta, theta0)
    lam_s = Js ** (1.0 / 3.0)
    return Kinematics(F=F, Fe=F / lam_s, Js=Js, J=ufl.det(F))


def first_piola(kin: Kinematics, theta, material: Material):
    """First Piola–Kirchhoff stress ``P`` [Pa] (3x3), neo-Hookean in ``Fe`` (module docstring)."""
    mu, lmbda = material.lame(theta)
    Fe = kin.Fe
    Je = ufl.det(Fe)
    FeinvT = ufl.inv(Fe).T
    Pe = mu * (Fe - FeinvT) + lmbda * ufl.ln(Je) * FeinvT
    lam_s = kin.Js ** (1.0 / 3.0)
    return kin.Js / lam_s * Pe  # J_s Pe Fs^-T with Fs = lam_s I


def cauchy(kin: Kinematics, theta, material: Material):
    """Cauchy stress ``sigma = P F^T / J`` [Pa] (3x3)."""
    return first_piola(kin, theta, material) * kin.F.T / kin.J


def mandel(kin: Kinematics, theta, material: Material):
    """Mandel stress of the elastic part ``Me = Fe^T Pe`` [Pa] (3x3)."""
    mu, lmbda = material.lame(theta)
    Ce = kin.Fe.T * kin.Fe
    Je = ufl.det(kin.Fe)
    return mu * (Ce - ufl.Identity(3)) + lmbda * ufl.ln(Je) * ufl.Identity(3)


def hydrostatic(sigma):
    """Hydrostatic stress ``tr(sigma)/3`` [Pa]."""
    return ufl.tr(sigma) / 3.0


def von_mises(sigma):
    """Von Mises stress ``sqrt(3/2 dev(sigma):dev(sigma))`` [Pa]."""
    s = ufl.dev(sigma)
    return ufl.sqrt(1.5 * ufl.inner(s, s) + 1e-30)


def radial_hoop(sigma, x, centre, axis=None):
    """Radial and hoop stress [Pa] at current position ``x`` (UFL vectors, m).

    Sphere (``axis`` None): ``radial = n . sigma n`` with ``n = (x - centre)/|x - centre|``;
    ``hoop`` is the mean tangential normal stress ``(tr sigma - radial)/2`` (equal to
    sigma_theta = sigma_phi in a spherically symmetric state).
    Cylinder (``axis`` a unit vector, e.g. a nanowire along z): ``n`` is the unit vector from
    the axis line through ``centre``, ``radial = n . sigma n`` and
    ``hoop = e . sigma e`` with ``e = axis x n`` (Timoshenko & Goodier, Theory of
    Elasticity, 3rd ed., sec. 28: polar components).
    Where no direction exists (at the centre / on the axis) both are the mean of the
    transverse normal stresses.
    """
    r = x - centre
    tiny = 1e-30  # m^2: below any mesh size of interest
    if axis is None:
        rr = ufl.dot(r, r)
        n = r / ufl.sqrt(rr + tiny)
        radial = ufl.conditional(ufl.gt(rr, tiny), ufl.dot(n, sigma * n), ufl.tr(sigma) / 3.0)
        return radial, (ufl.tr(sigma) - radial) / 2.0
    a = ufl.as_vector([float(v) for v in axis])
    r = r - ufl.dot(r, a) * a
    rr = ufl.dot(r, r)
    n = r / ufl.sqrt(rr + tiny)
    e = ufl.cross(a, n)
    transverse = (ufl.tr(sigma) - ufl.dot(a, sigma * a)) / 2.0
    radial = ufl.conditional(ufl.gt(rr, tiny), ufl.dot(n, sigma * n), transverse)
    hoop = ufl.conditional(ufl.gt(rr, tiny), ufl.dot(e, sigma * e), transverse)
    return radial, hoop


def li_flux(theta, grad_theta, grad_sigma_h, F, material: Material, law: str, temperature: float, stress_coupling: bool):
    """Reference-configuration Li flux ``J_R`` [mol m^-2 s^-1] (module docstring).

    Args:
        theta: normalised concentration (UFL).
        grad_theta: ``Grad theta`` [1/m] (UFL vector).
        grad_sigma_h: ``Grad sigma_h`` [Pa/m] or None when ``stress_coupling`` is False.
        F: deformation gradient (UFL 3x3); ``C^-1 = F^-1 F^-T``.
        law: "ideal" or "fickian".
        temperature: [K].

    Raises:
        ValueError: unknown ``law``.
    """
    if law not in TRANSPORT_LAWS:
        raise ValueError(f"transport law {law!r} not in {TRANSPORT_LAWS}")
    Cinv = ufl.inv(F.T * F)
    D = material.diffusivity(theta)
    drive = grad_theta
    if stress_coupling:
        m = theta * (1 - theta) if law == "ideal" else theta
        drive = drive - m * material.Omega / (GAS_CONSTANT * temperature) * grad_sigma_h
    return -D * material.c_max * Cinv * drive
