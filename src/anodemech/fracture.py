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
