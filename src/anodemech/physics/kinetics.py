"""Galvanostatic Butler–Volmer operation: one electrode potential for the whole particle.

In a galvanostatic kinetic stage the total Li uptake rate ``Q`` [mol/s] is fixed and the
electrode potential ``V`` [V vs Li/Li+] is the one global unknown that makes the
Butler–Volmer flux carry it::

    G(w, V) = sum over kinetic surfaces of  int N(theta_s(w), V) dA  -  Q = 0,

so that the current redistributes over the surface as theta_s varies (the potential is
uniform: an electronically well-connected particle). ``G`` is monotonic in ``V`` (the flux
falls as ``V`` rises), so ``V(w)`` is unique. It is eliminated inside every residual
evaluation: a scalar Newton solve of ``G(w, V) = 0`` at the current fields (surface
integrals only), then the field residual ``R(w, V(w))``. The exact Jacobian of the
reduced system is the rank-one update of the field Jacobian

    dR/dw = A + b c^T,   b = dR/dV,   c = dV/dw = -(dG/dw) / (dG/dV)

(the Schur complement of the bordered system ``[[A, b], [dG/dw, dG/dV]]``), applied by
:class:`anodemech.solver.NonlinearSolver` as a PETSc shell operator preconditioned by
``A``, so Newton stays quadratic. This is the static condensation of the global unknown
used for, e.g., the potential of a particle in single-particle models (Doyle, Fuller &
Newman, J. Electrochem. Soc. 140 (1993) 1526: the solid-phase potential is uniform in a
well-conducting particle).
"""

from __future__ import annotations

import numpy as np
import ufl
from mpi4py import MPI

import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc


class PotentialConstraint:
    """The galvanostatic Butler–Volmer constraint of a :class:`ChemoMechanicalProblem`.

    Args:
        problem: the problem (its kinetic surfaces, ``potential``, ``kinetic_on``, scales).

    Attributes:
        active: True in a galvanostatic kinetic stage (else the problem's potential is
            fixed, or kinetics is off, and the rank-one term is zero).
        rate: the Li uptake rate ``Q`` [mol/s] to carry (> 0 lithiating).
    """

    MAX_NEWTON = 60

    def __init__(self, problem):
        self.pb = problem
        self.active = False
        self.rate = 0.0
        _, theta, _ = problem.fields()
        V = ufl.variable(problem.potential)
        fluxes = problem._kinetic_fluxes(theta, V)
        if not fluxes:
            raise ValueError("no Li entry surface has Butler-Volmer kinetics")
        q = ufl.TestFunctions(problem.W)[1]
        c, L = problem.c_ref, problem.L_ref
        total = sum(N * m for m, N in fluxes)
        dtotal = sum(ufl.diff(N, V) * m for m, N in fluxes)
        self._G = fem.form(total)  # int N dA [mol/s] at the current w and V
        self._G_V = fem.form(dtotal)  # d/dV [mol/(s V)]
        self._G_w = fem.form(ufl.derivative(total, problem.w, ufl.TestFunction(problem.W)))
        # d(residual)/dV: the kinetic term of ChemoMechanicalProblem.residual differentiated in V
        R_V = 0
        for m, N in fluxes:
            qf = q if m.integral_type() == "exterior_facet" else q("+")
            R_V += -problem.dt * problem.kinetic_on * ufl.diff(N, V) * qf / (c * L**3) * m
        self._R_V = fem.form(R_V)

    def _integrate(self, form) -> float:
        return self.pb.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def solve_potential(self):
        """Set ``problem.potential`` so that the surface flux carries ``rate`` at the current
        fields (scalar Newton, steps limited to 50 mV; collective).

        Raises:
            RuntimeError: no potential carries the rate (e.g. a surface that is full on
                lithiation), after the iteration limit.
        """
        if not self.active:
            return
        pot = self.pb.potential
        V = float(pot.value)
        scale = max(abs(self.rate), 1e-300)
        for _ in range(self.MAX_NEWTON):
            pot.value = V
            g = self._integrate(self._G) - self.rate
            if abs(g) <= 1e-12 * scale:
                return
            dg = self._integrate(self._G_V)
            if not np.isfinite(g) or not np.isfinite(dg) or dg >= 0:
                break
            step = float(np.clip(-g / dg, -0.05, 0.05))
            V += step
            if abs(step) <= 1e-13 * max(1.0, abs(V)):
                return
        raise RuntimeError(f"no electrode potential carries the Li rate {self.rate:.4g} mol/s "
                           f"(last V = {V:.4g} V, mismatch {g:.3g} mol/s)")

    def rank_one(self, b, c, bcs):
        """Fill the PETSc vectors ``b = dR/dV`` and ``c = dV/dw`` at the current state (zero
        when inactive, and at the Dirichlet dofs ``bcs``)."""
        for vec in (b, c):
            with vec.localForm() as loc:
                loc.set(0.0)
        if not self.active:
            return
        fem_petsc.assemble_vector(b, self._R_V)
        fem_petsc.assemble_vector(c, self._G_w)
        for vec in (b, c):
            vec.ghostUpdate(addv=_add(), mode=_reverse())
        c.scale(-1.0 / self._integrate(self._G_V))
        for bc in bcs:
            dofs, n_owned = bc.dof_indices()
            for vec in (b, c):
                vec.array_w[dofs[:n_owned]] = 0.0


def _add():
    from petsc4py import PETSc

    return PETSc.InsertMode.ADD


def _reverse():
    from petsc4py import PETSc

    return PETSc.ScatterMode.REVERSE
