"""Finite-strain J2 plasticity of a swelling solid (UFL expressions and history storage).

Model (rate-independent, isotropic hardening), one material point:

* Kinematics ``F = Fe Fp Fs`` with the isotropic swelling stretch ``Fs = J_s**(1/3) I``
  (Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804, sec. 2). The
  mechanical part is ``Fm = F / J_s**(1/3) = Fe Fp`` with ``det Fp = 1``, so
  ``Je = det Fm``.
* Elastic energy per unit stress-free volume, decoupled neo-Hookean
  ``psi = kappa/2 (ln Je)**2 + mu/2 (tr(be_bar) - 3)`` with the isochoric elastic left
  Cauchy–Green tensor ``be_bar = Je**(-2/3) Fe Fe^T``. The Kirchhoff stress of the
  stress-free volume is ``tau_e = kappa ln(Je) I + s``, ``s = mu dev(be_bar)``;
  ``sigma = tau_e / Je`` and ``P = J_s tau_e F^-T``. (Simo & Hughes, Computational
  Inelasticity, Springer 1998, sec. 9.2 and Box 9.1; the small-strain limit has the same
  E and nu as the elastic model of :mod:`anodemech.physics.chemomech`.)
* Yield function on the Cauchy stress, as in Bower et al. (2011) eq. (2.12):
  ``f = |s| - sqrt(2/3) Je (sigma_Y(theta) + H alpha)``, i.e. von Mises stress
  ``sigma_e = sigma_Y + H alpha``. ``sigma_Y(theta)`` is linear in theta between the
  unlithiated and the fully lithiated values (:class:`anodemech.materials.Plasticity`).
* Return mapping: the radial return of Simo & Hughes (1998) Box 9.1, steps 1-5, with the
  relative deformation ``f_rel = Fm Fm_n^-1`` of the step. The trial state is
  ``be_bar_tr = f_bar be_bar_n f_bar^T`` with ``f_bar = det(f_rel)**(-1/3) f_rel``; the
  plastic multiplier is closed-form, ``dgamma = <f_tr> / (2 mu_bar + 2/3 Je H)`` with
  ``mu_bar = mu tr(be_bar_tr)/3``. The equivalent plastic strain grows by
  ``sqrt(2/3) dgamma``.

Because the return map is closed-form, it is written as one UFL expression of the
unknowns (u, theta) and the history (``be_bar_n``, ``alpha_n``, stored at quadrature
points), and UFL's derivative of it is the consistent (algorithmic) tangent: Newton keeps
its quadratic convergence. The hydrostatic stress ``kappa ln(Je)/Je`` does not depend on
the history (plastic flow is isochoric), so stress-coupled diffusion still takes its
gradient from the displacement.

Rate dependence (Bower et al. 2011, power-law viscoplasticity) is not included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl

import basix.ufl
import dolfinx.fem as fem

from anodemech import compat
from anodemech.materials import Material
from anodemech.physics.chemomech import Kinematics

SQRT23 = float(np.sqrt(2.0 / 3.0))


@dataclass(frozen=True)
class ReturnMap:
    """Result of the radial return at one material point (UFL expressions).

    Attributes:
        tau: Kirchhoff stress of the stress-free volume ``tau_e`` [Pa] (3x3).
        be_bar: updated isochoric elastic left Cauchy–Green tensor [-] (3x3).
        alpha: updated equivalent plastic strain [-].
        dgamma: plastic multiplier of the step [-] (0 where the step is elastic).
        Je: elastic volume ratio ``det Fm`` [-].
    """

    tau: object
    be_bar: object
    alpha: object
    dgamma: object
    Je: object


def bulk_shear(material: Material, theta):
    """UFL shear and bulk moduli ``(mu, kappa)`` [Pa] of ``material`` at ``theta``."""
    mu, lmbda = material.lame(theta)
    return mu, lmbda + 2.0 * mu / 3.0


def return_map(kin: Kinematics, kin_n: Kinematics, be_bar_n, alpha_n, theta, material: Material) -> ReturnMap:
    """Radial return (module docstring) from the previous converged state.

    Args:
        kin, kin_n: kinematics of the current iterate and of the previous converged step
            (``kin.Fe`` is the mechanical part ``Fm = F / J_s**(1/3)``).
        be_bar_n: isochoric elastic left Cauchy–Green tensor of the previous step (3x3).
        alpha_n: equivalent plastic strain of the previous step [-].
        theta: normalised concentration of the current iterate [-].
        material: a material with ``plasticity`` set.

    Raises:
        ValueError: the material has no plasticity parameters.
    """
    pl = material.plasticity
    if pl is None:
        raise ValueError(f"material {material.name!r} has no plasticity parameters")
    I = ufl.Identity(3)
    mu, kappa = bulk_shear(material, theta)
    Fm, Fm_n = kin.Fe, kin_n.Fe
    Je = ufl.det(Fm)
    f_rel = Fm * ufl.inv(Fm_n)
    f_bar = ufl.det(f_rel) ** (-1.0 / 3.0) * f_rel
    be_tr = f_bar * be_bar_n * f_bar.T
    s_tr = mu * ufl.dev(be_tr)
    # |s_tr| regularised at s_tr = 0 (the stress-free start) so that its derivative exists;
    # the offset is 1e-12 of the shear modulus, far below any stress of interest
    norm_tr = ufl.sqrt(ufl.inner(s_tr, s_tr) + (1e-12 * material.E) ** 2)
    flow = pl.yield_stress_at(theta) + pl.hardening * alpha_n
    f_tr = norm_tr - SQRT23 * Je * flow
    mu_bar = mu * ufl.tr(be_tr) / 3.0
    dgamma = ufl.conditional(ufl.gt(f_tr, 0.0), f_tr / (2.0 * mu_bar + 2.0 / 3.0 * Je * pl.hardening), 0.0)
    s = s_tr - 2.0 * mu_bar * dgamma * s_tr / norm_tr
    tau = kappa * ufl.ln(Je) * I + s
    be_new = s / mu + ufl.tr(be_tr) / 3.0 * I
    be_bar = ufl.det(be_new) ** (-1.0 / 3.0) * be_new
    return ReturnMap(tau=tau, be_bar=be_bar, alpha=alpha_n + SQRT23 * dgamma, dgamma=dgamma, Je=Je)


def first_piola(rm: ReturnMap, kin: Kinematics):
    """First Piola–Kirchhoff stress ``P = J_s tau_e F^-T`` [Pa] (3x3)."""
    return kin.Js * rm.tau * ufl.inv(kin.F).T


def cauchy(rm: ReturnMap):
    """Cauchy stress ``sigma = tau_e / Je`` [Pa] (3x3)."""
    return rm.tau / rm.Je


def hydrostatic(kin: Kinematics, theta, material: Material):
    """Hydrostatic Cauchy stress ``kappa ln(Je) / Je`` [Pa]; independent of the history."""
    _, kappa = bulk_shear(material, theta)
    Je = ufl.det(kin.Fe)
    return kappa * ufl.ln(Je) / Je


class History:
    """Internal variables at the quadrature points of ``mesh`` (all cells).

    Attributes:
        be_bar: isochoric elastic left Cauchy–Green tensor [-], quadrature space of
            shape (3, 3); identity at the start.
        alpha: equivalent plastic strain [-], scalar quadrature space; 0 at the start.

    The quadrature rule is the default rule of ``degree``, the same as the problem's
    ``dx`` measure; forms that use these functions must integrate with that degree.
    """

    def __init__(self, mesh, degree: int):
        cell = mesh.basix_cell()
        self.degree = degree
        Qt = fem.functionspace(mesh, basix.ufl.quadrature_element(cell, value_shape=(3, 3), degree=degree))
        Qs = fem.functionspace(mesh, basix.ufl.quadrature_element(cell, value_shape=(), degree=degree))
        self.be_bar = fem.Function(Qt, name="be_bar")
        self.alpha = fem.Function(Qs, name="equivalent_plastic_strain")
        self.points = compat.interpolation_points(Qs.element)  # the quadrature points
        self.reset()
        self._updates = {}  # region -> (cells, be_bar expression, alpha expression)

    def reset(self):
        """Identity ``be_bar``, zero ``alpha`` everywhere."""
        nq = self.be_bar.x.array.size // 9
        self.be_bar.x.array[:] = np.tile(np.eye(3).ravel(), nq)
        self.alpha.x.array[:] = 0.0

    def add_region(self, region: str, cells, rm: ReturnMap, comm):
        """Register (or replace) the update of region ``region``'s ``cells`` (local indices)
        from ``rm``. Only owned cells are assembled, so ghost values never matter."""
        self._updates[region] = ((np.asarray(cells, dtype=np.int32),
                              fem.Expression(rm.be_bar, self.points, comm=comm),
                              fem.Expression(rm.alpha, self.points, comm=comm)))

    def update(self, mesh):
        """Store the converged step's ``be_bar`` and ``alpha`` (call before ``w_n = w``).

        Every rank evaluates its own and its ghost cells from the ghosted state, so the
        values do not depend on the partition and no communication is needed.
        """
        new = []
        for cells, e_be, e_al in self._updates.values():
            if len(cells) == 0:
                continue
            new.append((cells, e_be.eval(mesh, cells), e_al.eval(mesh, cells)))
        for cells, be, al in new:  # evaluate all first: the expressions read the old history
            dof_t = self.be_bar.function_space.dofmap.list[cells]  # (ncells, nq)
            dof_s = self.alpha.function_space.dofmap.list[cells]
            nq = dof_s.shape[1]
            bt = self.be_bar.x.array.reshape(-1, 9)
            bt[dof_t.ravel()] = be.reshape(len(cells) * nq, 9)
            self.alpha.x.array[dof_s.ravel()] = al.reshape(len(cells) * nq)
