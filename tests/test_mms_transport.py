"""Code verification of the Li transport operator by the method of manufactured solutions.

Method: Roache, "Code verification by the method of manufactured solutions", J. Fluids
Eng. 124 (2002) 4; Salari & Knupp, "Code verification by the method of manufactured
solutions", Sandia report SAND2000-1444 (2000). A smooth ``theta_exact`` is chosen, the
source that makes it an exact steady solution is computed symbolically (UFL), and the
discrete solution's error must fall at the theoretical order under mesh refinement: for P1
Lagrange elements ``|| theta_h - theta_exact ||_L2 = O(h^2)`` and ``| . |_H1 = O(h)``.

The operator is the one anodemech assembles: the flux comes from
:func:`anodemech.physics.chemomech.li_flux` and the deformation gradient from
:func:`anodemech.physics.chemomech.kinematics` (not re-implemented here). Strong form of
the steady Lagrangian mass balance with a source,

    Div J_R(theta) = f,   J_R = -D(theta) c_max C^-1 (Grad theta - m(theta) Omega/(RT) Grad sigma_h),

and, integrating by parts with ``q = 0`` on the Dirichlet boundary (same sign convention as
``ChemoMechanicalProblem.residual``: ``c_max theta_t q - J_R . Grad q``),

    R(theta; q) = -(J_R(theta), Grad q) - (f, q) = 0.

Everything that could hide a bug is switched on and of order one: a prescribed, smooth,
non-trivial deformation ``F = I + Grad u_given`` (so ``C^-1 != I``; ``det F > 0`` is
checked), a theta-dependent diffusivity (``D_full = 2 D``), and stress coupling with the
"ideal" law (``m = theta (1 - theta)``) driven by an analytic ``sigma_h`` whose UFL gradient
is passed as ``grad_sigma_h``; ``Omega/(RT)`` is made order one through the temperature.

The second test shows the check has teeth: a flux that omits the finite-strain pull-back
(``F = I`` passed to ``li_flux`` while the source was built with the true ``F``) converges to
the wrong solution, so its error stalls instead of falling at order 2.

The nonlinear problem is solved by PETSc SNES with callbacks written here against
``dolfinx.fem.petsc``'s assembly functions (one code path for DOLFINx 0.9-0.11; only the
vector creation differs, handled by ``anodemech.compat``). Domain: a 3D slab
``[0,1] x [0,1] x [0,1/2]`` of tetrahedra with equal mesh spacing in all directions, to keep
the finest mesh small (~2 10^4 dofs).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import ufl
from mpi4py import MPI

import dolfinx.fem as fem
import dolfinx.mesh as dmesh

from anodemech import compat
from anodemech.materials import DATABASE, GAS_CONSTANT
from anodemech.solver import NonlinearSolver
from anodemech.physics import chemomech as cm

#: mesh divisions in x and y (z gets n/2 on the 1/2-thick slab: equal spacing h = 1/n)
DIVISIONS = (4, 8, 16, 32)
SLAB = 0.5
QDEG_RESIDUAL = 4  # residual/Jacobian quadrature (data are non-polynomial)
QDEG_ERROR = 6  # error norms: higher than the scheme's own quadrature
COUPLING = 1.5  # Omega / (R T), order one
LAW = "ideal"

#: LixSi with order-one values (units do not matter for MMS); D(theta) = 1 + theta
MATERIAL = dataclasses.replace(DATABASE["LixSi"], D=1.0, D_full=2.0, c_max=1.0, Omega=0.5)
TEMPERATURE = MATERIAL.Omega / (GAS_CONSTANT * COUPLING)


def _fields(x):
    """Manufactured fields as UFL expressions of the reference coordinate ``x``."""
    pi = ufl.pi
    # concentration: within [0.25, 0.75], not aligned with the mesh, non-zero boundary values
    theta = 0.5 + 0.25 * ufl.sin(2.0 * x[0] + x[1] + 0.5) * ufl.cos(x[0] - 1.5 * x[1] + 3.0 * x[2])
    # displacement: a 40 % stretch in x, shear and smooth bulges -> F far from I, det F > 0
    u = ufl.as_vector((
        0.4 * x[0] + 0.15 * ufl.sin(pi * x[1]) * ufl.cos(2.0 * x[2]),
        0.2 * x[0] * x[1] + 0.1 * ufl.cos(pi * x[0]) * (1 + x[2]),
        -0.1 * x[2] + 0.1 * ufl.sin(pi * (x[0] + x[2])) * x[1],
    ))
    # hydrostatic stress [order one after the Omega/(RT) scaling]
    sigma_h = ufl.cos(1.5 * pi * x[0]) * ufl.sin(pi * x[1] + 0.3) + 0.5 * x[2] * x[0]
    return theta, u, sigma_h


def _flux(theta, x, identity_pullback: bool = False):
    """``J_R(theta)`` as anodemech builds it (``kinematics`` + ``li_flux``)."""
    _, u, sigma_h = _fields(x)
    F = ufl.Identity(3) if identity_pullback else cm.kinematics(u, theta, MATERIAL, theta0=0.0).F
    return cm.li_flux(theta, ufl.grad(theta), ufl.grad(sigma_h), F, MATERIAL, LAW, TEMPERATURE, True)


def _norm(comm, integrand, dx):
    return float(np.sqrt(comm.allreduce(fem.assemble_scalar(fem.form(integrand * dx)), op=MPI.SUM)))


_RESULTS: dict = {}  # (comm size, n, identity_pullback) -> result: both tests use the n = 16 solve


def _solve_mms(comm, n: int, identity_pullback: bool = False):
    """Solve the manufactured problem on the ``n``-division slab (memoised).

    Returns:
        ``(L2 error, H1-seminorm error, diagnostics)``.
    """
    key = (comm.size, n, identity_pullback)
    if key not in _RESULTS:
        _RESULTS[key] = _solve_mms_uncached(comm, n, identity_pullback)
    return _RESULTS[key]


def _solve_mms_uncached(comm, n: int, identity_pullback: bool):
    mesh = dmesh.create_box(comm, [np.zeros(3), np.array([1.0, 1.0, SLAB])], [n, n, max(1, round(n * SLAB))],
                            dmesh.CellType.tetrahedron)
    x = ufl.SpatialCoordinate(mesh)
    theta_e, u_e, _ = _fields(x)
    V = fem.functionspace(mesh, ("Lagrange", 1))
    q = ufl.TestFunction(V)
    dx = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": QDEG_RESIDUAL})
    dx_err = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": QDEG_ERROR})

    f = ufl.div(_flux(theta_e, x))  # source from the exact solution, always with the true F
    theta = fem.Function(V)
    theta.x.array[:] = 0.5
    R = -ufl.inner(_flux(theta, x, identity_pullback), ufl.grad(q)) * dx - f * q * dx

    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    bfacets = dmesh.exterior_facet_indices(mesh.topology)
    g = fem.Function(V)
    g.interpolate(fem.Expression(theta_e, compat.interpolation_points(V.element)))
    bc = fem.dirichletbc(g, fem.locate_dofs_topological(V, tdim - 1, bfacets))
    bc.set(theta.x.array)

    # the project's own SNES driver (direct LU), as the coupled problem uses it
    solver = NonlinearSolver(comm, R, theta, [bc], linear="direct", petsc_options={"snes_rtol": 1e-10, "snes_max_it": 25})
    stats = solver.solve()
    solver.destroy()
    reason, its = stats.reason, stats.newton_iterations
    assert stats.converged, f"SNES did not converge on n={n}: reason {reason}"

    e_l2 = _norm(comm, (theta - theta_e) ** 2, dx_err)
    e_h1 = _norm(comm, ufl.inner(ufl.grad(theta - theta_e), ufl.grad(theta - theta_e)), dx_err)
    F = ufl.Identity(3) + ufl.grad(u_e)
    Cinv_dev = ufl.inv(F.T * F) - ufl.Identity(3)
    diag = {"newton": its, "Cinv_minus_I_L2": _norm(comm, ufl.inner(Cinv_dev, Cinv_dev), dx_err),
            "min_detF": _min_over_cells(comm, mesh, ufl.det(F))}
    return e_l2, e_h1, diag


def _min_over_cells(comm, mesh, expr):
    """Minimum of ``expr`` at cell midpoints over all ranks."""
    W = fem.functionspace(mesh, ("DG", 0))
    w = fem.Function(W)
    w.interpolate(fem.Expression(expr, compat.interpolation_points(W.element)))
    n_own = mesh.topology.index_map(mesh.topology.dim).size_local
    return comm.allreduce(float(w.x.array[:n_own].min(initial=np.inf)), op=MPI.MIN)


def _rates(errors):
    return [float(np.log2(a / b)) for a, b in zip(errors[:-1], errors[1:])]


def _report(comm, label, divisions, l2, h1, diags):
    if comm.rank == 0:
        print(f"\nMMS transport ({label}):")
        for k, n in enumerate(divisions):
            r2 = "" if k == 0 else f"  rate {np.log2(l2[k - 1] / l2[k]):5.2f}"
            r1 = "" if k == 0 else f"  rate {np.log2(h1[k - 1] / h1[k]):5.2f}"
            print(f"  h=1/{n:<3d} L2 {l2[k]:.3e}{r2}   H1 {h1[k]:.3e}{r1}   newton {diags[k]['newton']}"
                  f"   min det F {diags[k]['min_detF']:.3f}   |C^-1 - I|_L2 {diags[k]['Cinv_minus_I_L2']:.3f}")


def test_mms_transport_converges_at_design_order(comm):
    """P1: L2 error at order >= 1.9 and H1-seminorm error at order >= 0.9 on the finest pairs."""
    results = [_solve_mms(comm, n) for n in DIVISIONS]
    l2, h1, diags = (list(t) for t in zip(*results))
    _report(comm, "finite-strain pull-back, D(theta), stress coupling", DIVISIONS, l2, h1, diags)

    # the test is only meaningful if the pull-back is far from the identity and F is admissible
    assert diags[-1]["min_detF"] > 0.2
    assert diags[-1]["Cinv_minus_I_L2"] > 0.2
    assert all(d["newton"] <= 8 for d in diags)

    r_l2, r_h1 = _rates(l2), _rates(h1)
    assert min(r_l2[-2:]) >= 1.9, f"L2 rates {r_l2}"
    assert min(r_h1[-2:]) >= 0.9, f"H1 rates {r_h1}"
    assert l2[-1] < 1e-3


def test_mms_detects_missing_pullback(comm):
    """A flux without ``C^-1`` (``F = I`` in ``li_flux``) converges to the wrong field: the error stalls."""
    divisions = DIVISIONS[:-1]  # the stall shows on coarse meshes already
    results = [_solve_mms(comm, n, identity_pullback=True) for n in divisions]
    l2, h1, diags = (list(t) for t in zip(*results))
    _report(comm, "WRONG pull-back F = I, expected to stall", divisions, l2, h1, diags)
    r_l2 = _rates(l2)
    assert max(r_l2) < 1.0, f"L2 rates {r_l2}: a missing pull-back would go unnoticed"
    assert l2[-1] > 0.5 * l2[0]  # a plateau, not slow convergence
    # and it sits far above the correct operator's error on the same mesh
    l2_right, _, _ = _solve_mms(comm, divisions[-1])
    assert l2[-1] > 10 * l2_right, (l2[-1], l2_right)
