"""Fracture indicators: principal stress against strength, and the energy release rate of
an assumed surface flaw.

Both are post-processing of the computed Cauchy stress; they do not feed back on the
solution (no damage, no crack growth). Definitions:

* ``max_principal``: the largest eigenvalue ``sigma_1`` of the Cauchy stress [Pa], at the
  DG1 nodes of the stress field (numpy's symmetric eigensolver on each 3x3 tensor).
* Strength index of a region: ``max(sigma_1) / tensile_strength`` over the region's nodes
  (Rankine, maximum-principal-stress criterion for brittle solids). 1 or above means the
  stress reaches the stated strength somewhere in the region.
* Energy release rate of a surface flaw: a straight-fronted edge crack of depth ``a``
  normal to the free surface, opened by the tensile principal stress at its mouth, in
  plane strain. With the edge-crack stress intensity ``K_I = 1.1215 sigma_1 sqrt(pi a)``
  (semi-infinite plate, Tada, Paris & Irwin, *The Stress Analysis of Cracks Handbook*,
  3rd ed., ASME 2000, edge crack under uniform tension) and Irwin's relation
  ``G = (1 - nu^2) K_I^2 / E``::

      G = 1.1215^2 pi (1 - nu^2) max(sigma_1, 0)^2 a / E(theta)          [J/m^2]

  This is the Griffith approach of Zhao, Pharr, Vlassak & Suo, J. Appl. Phys. 108 (2010)
  073517, for a pre-existing flaw in the hoop-tension zone of an electrode particle:
  fracture is expected where ``G >= Gamma`` (the fracture energy). The formula takes the
  stress at the surface as uniform over the flaw depth, so it holds for ``a`` small
  against the particle size and the depth over which the stress changes; for a deeper
  flaw in a decaying stress field it overestimates ``G`` (conservative).
  The index reported is ``max(G) / Gamma`` over the region's named surfaces.
"""

from __future__ import annotations

import numpy as np

#: edge-crack geometry factor (Tada, Paris & Irwin 2000, edge crack in a semi-infinite plate)
EDGE_CRACK_FACTOR = 1.1215


def principal_max(sigma: np.ndarray) -> np.ndarray:
    """Largest principal value of each stress tensor.

    Args:
        sigma: array of shape (n, d*d) or (n, d, d) of Cauchy stresses [Pa], d = 2 or 3.

    Returns:
        Array of shape (n,) [Pa]: the largest eigenvalue of the symmetric part of each
        tensor (numpy.linalg.eigvalsh, ascending order, last taken).
    """
    s = np.asarray(sigma, dtype=float)
    n = s.shape[0]
    d = int(round(np.sqrt(s.size // max(n, 1)))) if n else 3
    s = s.reshape(n, d, d)
    if n == 0:
        return np.zeros(0)
    return np.linalg.eigvalsh(0.5 * (s + s.transpose(0, 2, 1)))[:, -1]


def surface_flaw_energy_release_rate(sigma_1, E, nu: float, flaw_size: float):
    """Energy release rate [J/m^2] of a shallow edge flaw opened by ``sigma_1``.

    Args:
        sigma_1: tensile principal stress at the flaw mouth [Pa], array of shape (n,)
            (compressive values give 0: the flaw is closed).
        E: Young's modulus at the same points [Pa], scalar or shape (n,).
        nu: Poisson's ratio [-].
        flaw_size: flaw depth ``a`` [m].

    Returns:
        ``G = 1.1215^2 pi (1 - nu^2) max(sigma_1, 0)^2 a / E``, shape (n,) (plane strain;
        Tada, Paris & Irwin 2000 for ``K_I``; Irwin's ``G = (1 - nu^2) K_I^2 / E``).
    """
    s = np.maximum(np.asarray(sigma_1, dtype=float), 0.0)
    return EDGE_CRACK_FACTOR**2 * np.pi * (1.0 - nu**2) * s**2 * flaw_size / np.asarray(E, dtype=float)


def sphere_steady_surface_hoop_stress(R: float, D: float, c_rate: float, E: float, nu: float,
                                      volume_expansion: float) -> float:
    """Surface hoop stress [Pa] of a bare elastic sphere under a constant flux, once the
    concentration profile is the steady parabola (times beyond ~0.2 R^2/D).

    Small strain, constant D and E, no stress coupling (Cheng & Verbrugge, J. Power Sources
    190 (2009) 453; the long-time limit of
    :func:`anodemech.analytic.crank_sphere_stress_series`): the surface is
    ``theta_avg - theta_s = c_rate R^2 / (15 * 3600 s * D)`` below the mean on
    delithiation, and with the thermal-stress analogy
    ``sigma_t(R) = E (Omega c_max) (theta_avg - theta_s) / (3 (1 - nu))``::

        sigma_t(R) = E * volume_expansion * |c_rate| R^2 / (3 (1 - nu) * 54000 s * D)

    tensile on delithiation, the same magnitude compressive on lithiation.

    Args:
        R: radius [m] > 0.
        D: diffusivity [m^2/s] > 0.
        c_rate: C-rate [1/h]; its magnitude is used.
        E: Young's modulus [Pa] (for a surface flaw: E at the surface SOC).
        nu: Poisson's ratio [-].
        volume_expansion: Omega c_max, dV/V0 at full charge [-].

    Returns:
        The tensile hoop stress magnitude [Pa].

    Raises:
        ValueError: R, D or E not > 0.
    """
    if not (R > 0 and D > 0 and E > 0):
        raise ValueError(f"R, D and E must be > 0, got R={R}, D={D}, E={E}")
    return E * volume_expansion * abs(c_rate) * R**2 / (3.0 * (1.0 - nu) * 15.0 * 3600.0 * D)


def sphere_critical_radius(D: float, c_rate: float, E: float, nu: float, volume_expansion: float,
                           fracture_energy: float, flaw_size: float) -> float:
    """Radius [m] of a bare elastic sphere at which a surface flaw reaches ``G = Gamma`` on
    delithiation, from :func:`sphere_steady_surface_hoop_stress` and
    :func:`surface_flaw_energy_release_rate`.

    ``G = k sigma^2 a / E`` with ``k = 1.1215^2 pi (1 - nu^2)``, so
    ``sigma_c = (Gamma E / (k a))^(1/2)`` and, since sigma ~ R^2 (G ~ R^4),
    ``R_c = (sigma_c 3 (1 - nu) 54000 s D / (E volume_expansion |c_rate|))^(1/2)``: the
    critical size scales as ``(D / c_rate)^(1/2) (Gamma / (E a))^(1/4)``. Small-strain,
    quasi-steady closed form (a check on the finite-strain sweep, not a replacement).

    Args:
        D, c_rate, E, nu, volume_expansion: as in :func:`sphere_steady_surface_hoop_stress`.
        fracture_energy: Gamma [J/m^2] > 0.
        flaw_size: flaw depth a [m] > 0.

    Returns:
        R_c [m].

    Raises:
        ValueError: a non-positive input.
    """
    if not (fracture_energy > 0 and flaw_size > 0 and volume_expansion > 0 and c_rate != 0):
        raise ValueError("fracture_energy, flaw_size, volume_expansion and |c_rate| must be > 0")
    k = EDGE_CRACK_FACTOR**2 * np.pi * (1.0 - nu**2)
    sigma_c = np.sqrt(fracture_energy * E / (k * flaw_size))
    return float(np.sqrt(sigma_c * 3.0 * (1.0 - nu) * 15.0 * 3600.0 * D / (E * volume_expansion * abs(c_rate))))
