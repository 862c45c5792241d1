"""Local-error control of the backward-Euler time step.

Backward Euler is first order; its local error per step is ``(dt^2 / 2) x''``. Predicting
the step by linear extrapolation through the two previous accepted states,

    x_p = x_n + (dt / dt_prev) (x_n - x_{n-1}),

the predictor's error is ``(dt (dt + dt_prev) / 2) x''``, so the difference between the
corrector (the backward-Euler solution ``x_c``) and the predictor estimates the local
error of backward Euler without a second solve (Milne's device):

    e = dt / (2 dt + dt_prev) (x_c - x_p)

(Hairer, Nørsett & Wanner, Solving Ordinary Differential Equations I, 2nd ed. (1993),
sec. II.4; Gresho, Griffiths & Silvester, SIAM J. Sci. Comput. 30 (2008) 2018, sec. 3,
for the same estimate with the trapezoidal rule). The error is measured on theta, relative
to the range of theta over the particle but at least 0.1 (``time.theta_tol``; the stresses
follow the variation of theta, not its level; below a range of 0.1 the tolerance is
absolute, so that the first steps of a stage, where the range is still small, are not cut
to nothing), and on
the displacement, relative to the largest displacement but at least 1 % of the particle's
size (``time.u_rtol``); the stresses are
functions of theta and the displacement gradient, so a step whose theta and u are accurate
has accurate stresses. A step is accepted when the scaled error

    err = max(|e_theta|_inf / (theta_tol max(range theta, 0.1)), |e_u|_inf / (u_rtol max(|u|_inf, 0.01 L)))

(L: the problem's length scale, ``ChemoMechanicalProblem.L_ref``, the cube root of its volume).

is at most 1, and the next step is ``dt * min(growth, max(0.2, 0.9 / sqrt(err)))`` (the
local error scales as dt^2). A rejected step is repeated with that smaller dt.

The first step of a stage has no predictor (the loading changes at a stage boundary, so the
previous slope does not apply); it is taken with ``time.dt_initial`` and not estimated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mpi4py import MPI


@dataclass
class ErrorEstimate:
    """Scaled local error of one step (``err <= 1``: accept) and its parts."""

    err: float
    theta: float  # max |e_theta| / range of theta [-]
    u_rel: float  # max |e_u| / max |u| [-]

    @property
    def accepted(self) -> bool:
        return self.err <= 1.0


class StepController:
    """Milne-device error estimate and step-size proposal for backward Euler.

    Args:
        comm: communicator of the problem.
        theta_dofs: local indices of theta in the mixed state array (owned and ghost).
        u_dofs: local indices of the displacement components in the state array (the state
            holds u / L_ref, see :attr:`U_SCALE_MIN`).
        theta_tol: tolerance of theta's local error per step, relative to the range of
            theta over the state (at least :attr:`THETA_RANGE_MIN`) [-] (> 0).
        u_rtol: relative tolerance of the displacement's local error per step [-] (> 0).
        growth: largest factor by which a step may grow (>= 1).
        theta_map: nodal theta of an array of nodal concentration unknowns (default: they
            are theta; see ``PhysicsOptions.concentration_unknown``).

    The state arrays are the local arrays of the mixed function (``w.x.array``); ghost
    entries appear on two ranks, which does not change a maximum.
    """

    SAFETY = 0.9
    SHRINK_MIN = 0.2
    #: smallest theta range the theta error is measured against [-] (below: absolute)
    THETA_RANGE_MIN = 0.1
    #: smallest displacement the displacement error is measured against, in the units of
    #: the state (the problem scales u by its length L_ref: 1 % of the particle size)
    U_SCALE_MIN = 0.01

    def __init__(self, comm, theta_dofs, u_dofs, theta_tol: float, u_rtol: float, growth: float, theta_map=None):
        self.comm = comm
        self.theta_map = theta_map if theta_map is not None else (lambda x: x)
        self.theta_dofs = np.asarray(theta_dofs, dtype=np.int64)
        self.u_dofs = np.asarray(u_dofs, dtype=np.int64)
        self.theta_tol, self.u_rtol, self.growth = float(theta_tol), float(u_rtol), float(growth)
        self.prev = None  # x_{n-1}: state array before the last accepted step
        self.dt_prev = None  # [s] the last accepted step

    def reset(self):
        """Forget the previous step (a stage starts: its first step is not estimated)."""
        self.prev, self.dt_prev = None, None

    @property
    def ready(self) -> bool:
        """True when a predictor exists (a step of this stage was accepted before)."""
        return self.prev is not None

    def accepted(self, x_n: np.ndarray, dt: float):
        """Record an accepted step of size ``dt`` [s] that started from state ``x_n``."""
        self.prev = np.array(x_n, copy=True)
        self.dt_prev = float(dt)

    def estimate(self, x_c: np.ndarray, x_n: np.ndarray, dt: float) -> ErrorEstimate:
        """Scaled local error of the step ``x_n -> x_c`` of size ``dt`` [s]. Collective.

        Raises:
            RuntimeError: no previous step (check :attr:`ready` first).
        """
        if self.prev is None:
            raise RuntimeError("no previous step: the first step of a stage is not estimated")
        r = dt / self.dt_prev
        x_p = x_n + r * (x_n - self.prev)
        e = (dt / (2.0 * dt + self.dt_prev)) * (x_c - x_p)
        th = self.theta_map(x_c[self.theta_dofs])
        e_theta = (dt / (2.0 * dt + self.dt_prev)) * (th - self.theta_map(x_p[self.theta_dofs]))
        local = np.array([np.abs(e_theta).max(initial=0.0), np.abs(e[self.u_dofs]).max(initial=0.0),
                          np.abs(x_c[self.u_dofs]).max(initial=0.0), th.max(initial=-np.inf), -th.min(initial=np.inf)])
        self.comm.Allreduce(MPI.IN_PLACE, local, op=MPI.MAX)
        e_th, e_u, u_max, th_max, th_min = local
        th_range = max(th_max + th_min, self.THETA_RANGE_MIN)
        u_rel = e_u / max(u_max, self.U_SCALE_MIN)
        return ErrorEstimate(max(e_th / (self.theta_tol * th_range), u_rel / self.u_rtol), float(e_th / th_range),
                             float(u_rel))

    def propose(self, dt: float, err: float) -> float:
        """The next step size [s] after a step of ``dt`` with scaled error ``err``, rounded
        to 3 significant digits: the estimate differs between rank counts in its last
        digits (it is a difference of two nearby states), and a rounded step keeps the
        time grid, and so the results, independent of the number of ranks."""
        f = self.growth if err <= 0 else min(self.growth, max(self.SHRINK_MIN, self.SAFETY / np.sqrt(err)))
        return float(f"{dt * f:.3g}")
