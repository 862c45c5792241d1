"""Share of rigid-obstacle contact in the cost of one Newton iteration.

    ./containers/run python3 benchmarks/bench_contact.py [h_contact_nm ...]

For the Si sphere pressed on a rigid plane (tests/hertz_case.py geometry, mesh sizes set
by the arguments), it times, per Newton iteration, the assembly of the full residual and
Jacobian, the assembly of the contact terms alone, and one linear solve (iterative
preset), and prints a table. Rigid analytic obstacles need no contact search: the gap is a
closed-form expression inside the forms, so "contact" time here is assembly only.
"""

import sys

import ufl
from mpi4py import MPI

from _timing import best_time

import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc

from anodemech.geometry.contacts import SphereOnPlaneParams, build_sphere_on_plane
from anodemech.materials import DATABASE
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.physics import contact as ct

comm = MPI.COMM_WORLD


def best(f, n=3):
    return best_time(comm, f, n)


rows = []
for hc in [float(v) * 1e-9 for v in (sys.argv[1:] or ["0.6", "0.4"])]:
    params = SphereOnPlaneParams(radius=60e-9, h_fine=4e-9, h_coarse=12e-9 * hc / 0.6e-9, h_contact=hc,
                                 contact_zone=8e-9, plate="rigid", variant="quarter")
    md = build_sphere_on_plane(comm, params)
    plane = ct.Obstacle("collector", "particle_surface", "plane", (0, 0, 0), (0, 0, 1))
    pb = ChemoMechanicalProblem(comm, md, {"particle": DATABASE["LixSi"]}, PhysicsOptions(stress_coupling=False),
                                obstacles=[plane], fixed_points={"centre": {2: 0.0}})
    for delta in (1e-9, 2e-9):  # the approach of tests/hertz_case.py (which takes it in one step)
        pb.set_point_displacement("centre", 2, -delta)
        assert pb.step(1.0).converged
        pb.accept()
    # the contact part of the residual, as the problem writes it
    u, _, _ = pb.fields()
    v = ufl.TestFunctions(pb.W)[0]
    g, n = plane.gap_normal(ufl.SpatialCoordinate(pb.mesh) + u)
    Rc = -ct.contact_pressure_reference(g, pb.kappa["collector"]) * ufl.dot(n, v) / (pb.E_ref * pb.L_ref**2) \
        * pb.ds(md.facet_names["particle_surface"])
    Fc, Jc = fem.form(Rc), fem.form(ufl.derivative(Rc, pb.w))
    s = pb.solver
    A = fem_petsc.create_matrix(s._J)
    b = s._x.duplicate()
    t_full = best(lambda: (fem_petsc.assemble_matrix(A, s._J), A.assemble(), fem_petsc.assemble_vector(b, s._F)))
    Ac = fem_petsc.create_matrix(Jc)
    t_contact = best(lambda: (fem_petsc.assemble_matrix(Ac, Jc), Ac.assemble(), fem_petsc.assemble_vector(b, Fc)))
    pb.set_point_displacement("centre", 2, -2.2e-9)
    stats = pb.step(1.0)
    per_it = stats.total_time / max(stats.newton_iterations, 1)
    ndofs = pb.W.dofmap.index_map.size_global * pb.W.dofmap.index_map_bs
    rows.append((ndofs, per_it, t_full, t_contact, stats.newton_iterations))
if comm.rank == 0:
    print(f"ranks: {comm.size}")
    print("| dofs | time per Newton iteration [s] | full assembly [s] | contact assembly [s] | contact share of an iteration |")
    print("|---|---|---|---|---|")
    for nd, it, tf, tc, n in rows:
        print(f"| {nd:.3g} | {it:.2f} | {tf:.2f} | {tc:.3f} | {100 * tc / it:.1f} % |")
