"""Frictionless penalty contact of a body against rigid analytic obstacles (finite strain).

A point ``X`` of the body's contact surface moves to ``x = X + u``. Its signed gap to the
obstacle is the distance from ``x`` to the closest point of the obstacle surface, positive
when apart (the closest-point projection is exact for planes, spheres and cylinders):

* plane through ``p`` with unit normal ``n`` pointing to the body's side: ``g = (x - p).n``;
* sphere of radius ``R`` about ``c``: ``g = |x - c| - R`` with ``n = (x - c)/|x - c|`` (body
  outside), or ``g = R - |x - c|`` with ``n = -(x - c)/|x - c|`` (body inside a cavity);
* cylinder of radius ``R``, axis through ``c`` along ``a``: as the sphere with
  ``x - c`` replaced by its part normal to ``a``.

The contact traction per unit reference area is ``t = kappa <-g> n`` (``<.>`` = Macaulay
bracket), the gradient of the penalty energy ``kappa/2 <-g>^2`` over the reference surface
(Wriggers, Computational Contact Mechanics, 2nd ed. 2006, sec. 6.3 (penalty method) and
sec. 4.1 (normal gap)). Its consistent linearisation comes from UFL, so Newton stays
quadratic while the active set is fixed. The penalty ``kappa = alpha E / h`` [Pa/m] scales
with the stiffest modulus of the body and the smallest element size on the contact
surface; the dimensionless ``alpha`` (default :data:`DEFAULT_ALPHA`) may be overridden.
The penetration then scales as ``p h / (alpha E)``.

Deformable-deformable pairs inside one mesh: :mod:`anodemech.physics.pair_contact`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import ufl
from mpi4py import MPI

OBSTACLE_KINDS = ("plane", "sphere", "cylinder")
DEFAULT_ALPHA = 10.0  # Hertz test: penetration 4e-12 m at a 2 nm approach (0.2 %), peak pressure +3 %
#: a point of a contact surface counts as touching (``contact_<name>_fraction``) while its gap
#: is below this fraction of the smallest element edge of that surface. Pair gaps at
#: contact carry geometric noise of a few pm (measured on the 20 nm mesh of
#: cases/composite_si_in_lpscl_stack_pressure.toml under 20 MPa: -2 ... +4 pm, where the
#: penalty penetration is < 1 pm), so the sign of the gap alone does not tell contact
#: from separation; a gap below 1 % of an element (0.14 nm there, about one atomic
#: spacing) is not a void.
TOUCH_FRACTION = 1e-2


@dataclass(frozen=True)
class Obstacle:
    """A rigid analytic obstacle and the body surface that may touch it (SI units).

    Attributes:
        name: label used in the history columns (``contact_<name>_...``).
        surface: facet group of the body (e.g. ``"particle_surface"``).
        kind: "plane", "sphere" or "cylinder".
        point: plane: a point on it; sphere: its centre; cylinder: a point on its axis [m],
            shape (3,).
        direction: plane: unit normal pointing to the body's side; cylinder: axis
            direction; unused for spheres. Shape (3,), normalised here.
        radius: sphere / cylinder radius [m].
        inside: the body lies inside the sphere / cylinder (a rigid cavity or tube).
        alpha: penalty multiplier (``kappa = alpha E / h``); None = :data:`DEFAULT_ALPHA`.
    """

    name: str
    surface: str
    kind: str
    point: tuple = (0.0, 0.0, 0.0)
    direction: tuple = (0.0, 0.0, 1.0)
    radius: float = 0.0
    inside: bool = False
    alpha: float | None = None

    def __post_init__(self):
        if self.kind not in OBSTACLE_KINDS:
            raise ValueError(f"unknown obstacle kind {self.kind!r}; accepted: {', '.join(OBSTACLE_KINDS)}")
        d = np.asarray(self.direction, dtype=float)
        if d.shape != (3,) or not np.isfinite(d).all() or np.linalg.norm(d) == 0:
            raise ValueError(f"obstacle {self.name!r}: direction must be a non-zero 3-vector")
        object.__setattr__(self, "direction", tuple(d / np.linalg.norm(d)))
        if self.kind != "plane" and not (math.isfinite(self.radius) and self.radius > 0):
            raise ValueError(f"obstacle {self.name!r}: a {self.kind} needs a radius > 0")

    def gap_normal(self, x):
        """Signed gap [m] and unit normal (UFL) at current positions ``x`` (UFL 3-vector).

        Returns:
            ``(g, n)``: ``g > 0`` apart, ``g < 0`` penetrating; ``n`` points from the
            obstacle to the body (the direction of the contact force on the body).
        """
        p = ufl.as_vector([float(v) for v in self.point])
        d = ufl.as_vector([float(v) for v in self.direction])
        if self.kind == "plane":
            return ufl.dot(x - p, d), d
        r = x - p
        if self.kind == "cylinder":
            r = r - ufl.dot(r, d) * d
        dist = ufl.sqrt(ufl.dot(r, r) + 1e-60)
        n = r / dist
        if self.inside:
            return self.radius - dist, -n
        return dist - self.radius, n


def penalty_stiffness(alpha: float, E: float, h: float) -> float:
    """``kappa = alpha E / h`` [Pa/m]: ``E`` [Pa] the body's largest Young's modulus, ``h``
    [m] the smallest element size on the contact surface.

    Raises:
        ValueError: a non-positive argument.
    """
    if not (alpha > 0 and E > 0 and h > 0):
        raise ValueError(f"penalty needs alpha, E, h > 0 (got {alpha}, {E}, {h})")
    return alpha * E / h


def macaulay(v):
    """``<v> = max(v, 0)`` (UFL)."""
    return ufl.conditional(ufl.gt(v, 0.0), v, 0.0)


def contact_pressure_reference(g, kappa):
    """Contact pressure per unit reference area ``kappa <-g>`` [Pa] (UFL)."""
    return kappa * macaulay(-g)


def patch_size(area: float, X: np.ndarray, near, planes, axis, comm) -> dict[str, float]:
    """Size of a contact patch from its area in the model and its touching points.

    Args:
        area: contact area in the model [m^2] (already summed over ranks).
        X: reference coordinates of this rank's touching points [m], shape ``(n, 3)``.
        near: distance [m] within which a point lies on a plane, scalar or shape ``(n,)``.
        planes: symmetry planes of the model, ``[(axis index, coordinate [m]), ...]``.
        axis: unit axis of a wire (line contact along it), shape ``(3,)``, or None.
        comm: communicator (collective).

    Returns:
        ``radius_m``: equivalent radius ``sqrt(A / (f pi))`` of a point contact's patch,
        ``f`` = 1/2 for each symmetry plane the patch reaches (e.g. 1/4 on the axis of a
        quarter model). With an ``axis`` also ``half_width_m``: ``b = A / (2 f_t l)`` of a
        line contact, ``l`` the patch's extent along the axis in the model and ``f_t`` = 1/2
        for each reached plane parallel to the axis (planes across it only shorten ``l``);
        0 while the patch has no length. Hertz: a circle of radius a, or a strip of
        half-width b (Johnson, Contact Mechanics, 1985, sec. 4.2).
    """
    X = np.asarray(X, dtype=float).reshape(-1, 3)
    near = np.broadcast_to(np.asarray(near, dtype=float), (len(X),))
    reached = [comm.allreduce(bool((np.abs(X[:, k] - c) < near).any()) if len(X) else False, op=MPI.LOR)
               for k, c in planes]
    out = {"radius_m": float(np.sqrt(area / (0.5 ** sum(reached) * np.pi)))}
    if axis is not None:
        a = np.asarray(axis, dtype=float)
        s = X @ a
        hi = comm.allreduce(float(s.max()) if len(s) else -np.inf, op=MPI.MAX)
        lo = comm.allreduce(float(s.min()) if len(s) else np.inf, op=MPI.MIN)
        length = hi - lo if hi > lo else 0.0
        across = sum(r for r, (k, _) in zip(reached, planes) if abs(a[k]) < 0.5)
        out["half_width_m"] = area / (2 * 0.5**across * length) if length > 0 else 0.0
    return out
