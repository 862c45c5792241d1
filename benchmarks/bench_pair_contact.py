"""Share of deformable-pair contact (search + assembly) in the cost of one Newton iteration.

    ./containers/run python3 benchmarks/bench_pair_contact.py [h_nm ...]
    ./containers/run mpirun -n 2 python3 benchmarks/bench_pair_contact.py 3

A centred Si yolk in a carbon shell (octant; the scenario of tests/pair_cases.py with mesh
size ``h`` on yolk and cavity wall) is lithiated until the void has closed and most of the
cavity wall touches the yolk. At that state it times, per call: the contact search and
residual (projection of every slave integration point, forces added to the PETSc vector),
the contact Jacobian (MatSetValues of the active points), the full residual + Jacobian
assembly (UFL forms plus contact), and the time of one Newton iteration of the next step
(iterative preset). It prints a table.
"""

import dataclasses
import sys

from mpi4py import MPI

from _timing import best_time


from anodemech.geometry.yolk_shell import YolkShellParams, build_yolk_shell
from anodemech.materials import DATABASE
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.physics.pair_contact import ContactPairSpec

comm = MPI.COMM_WORLD
NM = 1e-9
SHELL = dataclasses.replace(DATABASE["carbon"], c_max=0.0, Omega=0.0)


def best(f, n=3):
    return best_time(comm, f, n)


rows = []
for h in [float(v) * NM for v in (sys.argv[1:] or ["5", "3", "2.4"])]:
    geo = YolkShellParams(yolk_radius=40 * NM, void_thickness=12 * NM, shell_thickness=10 * NM, variant="octant",
                          h_fine=h, h_coarse=2 * h, h_contact=h)
    md = build_yolk_shell(comm, geo)
    pb = ChemoMechanicalProblem(comm, md, {"yolk": DATABASE["LixSi"], "shell": SHELL},
                                PhysicsOptions(stress_coupling=False),
                                pairs=[ContactPairSpec("yolk_shell", "yolk_surface", "shell_inner")])
    pb.set_galvanostatic(pb.flux_for_c_rate(1.0))
    for _ in range(4):  # yolk SOC 0.5: the void has closed (at ~0.4)
        assert pb.step(0.125 * 3600).converged
        pb.accept()
    s, pair = pb.solver, pb.pairs["yolk_shell"]
    b = s._x.duplicate()
    A = s._A
    t_res = best(lambda: pair.add_residual(b, 1.0))
    t_jac = best(lambda: (A.zeroEntries(), pair.add_jacobian(A, 1.0), A.assemble()))
    t_full = best(lambda: (s._residual(s.snes, s._x, b), s._jacobian(s.snes, s._x, A, A)))
    stats = pb.step(0.025 * 3600)
    per_it = stats.total_time / max(stats.newton_iterations, 1)
    ndofs = pb.W.dofmap.index_map.size_global * pb.W.dofmap.index_map_bs
    n_pts = comm.allreduce(pair.w_ref.size, op=MPI.SUM)
    n_act = comm.allreduce(int(pair.evaluate()["active"].sum()), op=MPI.SUM)
    rows.append((ndofs, n_pts, n_act, per_it, t_full, t_res, t_jac, stats.newton_iterations))
if comm.rank == 0:
    print(f"ranks: {comm.size}")
    print("| dofs | slave points (active) | time per Newton iteration [s] | full assembly [s] | contact search + residual [s] "
          "| contact Jacobian [s] | contact share of an iteration |")
    print("|---|---|---|---|---|---|---|")
    for nd, npt, nact, it, tf, tr, tj, n in rows:
        print(f"| {nd:.3g} | {npt} ({nact}) | {it:.2f} | {tf:.2f} | {tr:.3f} | {tj:.3f} | {100 * (tr + tj) / it:.1f} % |")
