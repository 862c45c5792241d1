"""Reference floor: the main case's equations in plain DOLFINx + petsc4py, timed against anodemech.

Issue 18, item 1. ``FloorProblem`` below is a self-contained DOLFINx 0.9 script of the equations
that ``anodemech.model.ChemoMechanicalProblem`` assembles for ``cases/core_shell_si_c.toml``
(no anodemech physics, model or solver code is imported for it):

* mixed P2 displacement ``u`` (stored scaled, ``u / L_ref``) + P1 normalised concentration
  ``theta``, continuous across the core/shell interface; quadrature degree 4 on ``dx``/``ds``;
* finite-strain kinematics ``F = I + Grad u``, isotropic swelling stretch
  ``lam_s = J_s^(1/3)``, ``J_s = 1 + Omega c_max (theta - theta0)``, ``Fe = F / lam_s``;
  compressible neo-Hookean ``Pe = mu (Fe - Fe^-T) + lmbda ln(Je) Fe^-T``, ``P = J_s Pe / lam_s``,
  E linear in theta between ``E`` and ``E_full``;
* Lagrangian Li balance ``c_max dtheta/dt + Div J_R = 0`` with the ideal-solution flux
  pulled back, ``J_R = -D c_max C^-1 Grad theta`` (no stress coupling in the main case);
* galvanostatic inward flux ``C-rate x capacity / 3600 s / area`` on the Li entry surface
  (the first ``md.li_entry`` surface whose region stores Li: carbon stores Li, so the
  outer surface), symmetry (zero normal displacement) on the three octant planes;
* backward Euler; momentum divided by ``E_ref L_ref^2``, mass by ``c_ref L_ref^3``
  (``E_ref`` the largest E, ``c_ref`` the largest c_max, ``L_ref`` the cube root of the
  volume to 6 digits);
* PETSc SNES ``newtonls`` with the iterative preset's options (basic line search, rtol 1e-9;
  GMRES(200), rtol 1e-8; multiplicative fieldsplit, theta block BoomerAMG first, then
  the u block GAMG with the six rigid-body modes as near-nullspace, Chebyshev/Jacobi 3
  sweeps, threshold 0.01; preconditioner lagged 3, persisting across steps). As in the
  toolkit, the very first solve builds the preconditioner once (lag -2) and then lag 3 resumes.
  Residual: ``assemble_vector`` + ``apply_lifting`` + ``set_bc``, the textbook pattern.

Only *inputs* come from anodemech: the case's resolved materials and physics switches
(``anodemech.case.load_case``) and the mesh (``anodemech.run.build_mesh``). Both codes solve
on the same mesh object, so their dof layouts are identical and the states can be compared
dof by dof.

The driver builds both problems, then runs ``--steps`` steps of ``--dt`` seconds at
``--c-rate`` from the case's initial SOC, interleaved and alternating which code goes first
(toolkit, plain, plain, toolkit, ...), and prints Markdown tables: per Newton iteration the
assembly time (residual + Jacobian callbacks), solve time (the rest of the SNES solve: PC
set-up, Krylov, line search), Krylov iterations per Newton iteration, Newton iterations per
step, wall per step (step + accept), and the ratio toolkit/plain, over all steps and over
steps 2-N (step 1 builds the first preconditioners and pays the libraries' first-use costs,
and the toolkit always runs it first); then the agreement of SOC, max |u| and the state
vectors. Times are the slowest rank's.

Usage:
    ./containers/run python3 benchmarks/bench_floor.py                              # main case mesh, 5 x 60 s
    ./containers/run python3 benchmarks/bench_floor.py --steps 3 --h-core 25nm --h-surface 10nm   # coarse, while developing

No timing assertions: this only measures and prints. The exit status is 1 if a step fails or
the two answers differ by more than ``--rtol``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import ufl
from mpi4py import MPI
from petsc4py import PETSc

import basix.ufl
import dolfinx
import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc

# inputs and the toolkit side only
from anodemech.case import load_case
from anodemech.model import ChemoMechanicalProblem
from anodemech.run import build_mesh

from anodemech.solver import BASE_OPTIONS, LINEAR_PRESETS  # settings only: the same options in both codes

#: PETSc options of the plain script: anodemech's BASE_OPTIONS + "iterative" preset (an input,
#: like the case values: the comparison is only fair with identical solver settings)
FLOOR_OPTIONS = {**BASE_OPTIONS, **LINEAR_PRESETS["iterative"]}
FLOOR_OPTIONS.pop("snes_error_if_not_converged")  # PETSc default (false) in the plain script
JIT_OPTIONS = {"cffi_extra_compile_args": ["-O2"]}  # FFCx default; the toolkit uses -O3 -march=native (ANODEMECH_JIT_NATIVE=0: -O2)
QDEG = 4  # quadrature degree for P2 displacement


# ============================================================================ plain DOLFINx
class FloorProblem:
    """The main case in plain DOLFINx (see the module docstring).

    Args:
        comm: communicator of the mesh.
        mesh, cell_tags, facet_tags: the tagged mesh.
        regions: region name -> (cell tag, dict of material values: E, E_full, nu, c_max, Omega, D, D_full).
        symmetry_facets: [(axis, facet indices)] of the symmetry planes.
        entry_tag: facet tag of the Li entry surface (an exterior surface).
        theta0: initial (stress-free) theta.
        extra_options: PETSc options over :data:`FLOOR_OPTIONS` (keys without prefix).
    """

    def __init__(self, comm, mesh, cell_tags, facet_tags, regions, symmetry_facets, entry_tag, theta0,
                 extra_options=None):
        self.comm = comm
        cell = mesh.basix_cell()
        P2 = basix.ufl.element("Lagrange", cell, 2, shape=(3,))
        P1 = basix.ufl.element("Lagrange", cell, 1)
        W = fem.functionspace(mesh, basix.ufl.mixed_element([P2, P1]))
        self.W = W
        self.w, self.w_n = fem.Function(W), fem.Function(W)
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags, metadata={"quadrature_degree": QDEG})
        ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags, metadata={"quadrature_degree": QDEG})
        self.dt = fem.Constant(mesh, PETSc.ScalarType(1.0))
        self.flux = fem.Constant(mesh, PETSc.ScalarType(0.0))

        def total(form):
            return comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)

        store = {n: r for n, r in regions.items() if r[1]["c_max"] > 0}
        E_ref = max(m["E"] for _, m in regions.values())
        c_ref = max(m["c_max"] for _, m in store.values())
        L = float(f"{total(1.0 * dx) ** (1.0 / 3.0):.6g}")
        self.L_ref = L
        self.capacity = total(sum(m["c_max"] * dx(tag) for tag, m in store.values()))  # mol
        self.area = total(1.0 * ds(entry_tag))  # m^2

        # initial state: u = 0, theta = theta0
        self.V_u, self.u_dofs = W.sub(0).collapse()
        self.V_t, self.t_dofs = W.sub(1).collapse()
        self.w.x.array[:] = 0.0
        self.w.x.array[self.t_dofs] = theta0
        self.w.x.scatter_forward()
        self.w_n.x.array[:] = self.w.x.array

        # residual
        uh, th = ufl.split(self.w)
        _, th_n = ufl.split(self.w_n)
        v, q = ufl.TestFunctions(W)
        u = L * uh
        F = ufl.Identity(3) + ufl.grad(u)
        Cinv = ufl.inv(F.T * F)
        R = 0
        for tag, m in regions.values():
            Js = 1.0 + m["Omega"] * m["c_max"] * (th - theta0)
            lam = Js ** (1.0 / 3.0)
            Fe = F / lam
            E = m["E"] if m["E_full"] is None else m["E"] + (m["E_full"] - m["E"]) * th
            mu = E / (2.0 * (1.0 + m["nu"]))
            lmbda = E * m["nu"] / ((1.0 + m["nu"]) * (1.0 - 2.0 * m["nu"]))
            FeinvT = ufl.inv(Fe).T
            P = Js / lam * (mu * (Fe - FeinvT) + lmbda * ufl.ln(ufl.det(Fe)) * FeinvT)
            R += ufl.inner(P, ufl.grad(v)) / (E_ref * L**2) * dx(tag)
            if m["c_max"] > 0:
                D = m["D"] if m["D_full"] is None else m["D"] + (m["D_full"] - m["D"]) * th
                J_R = -D * m["c_max"] * Cinv * ufl.grad(th)
                R += (m["c_max"] * (th - th_n) * q - self.dt * ufl.inner(J_R, ufl.grad(q))) / (c_ref * L**3) * dx(tag)
        R += -self.dt * self.flux * q / (c_ref * L**3) * ds(entry_tag)
        self.F_form = fem.form(R, jit_options=JIT_OPTIONS)
        self.J_form = fem.form(ufl.derivative(R, self.w), jit_options=JIT_OPTIONS)

        # symmetry planes: u_axis = 0
        fdim = mesh.topology.dim - 1
        self.bcs = []
        for axis, facets in symmetry_facets:
            sub = W.sub(0).sub(axis)
            dofs = fem.locate_dofs_topological(sub, fdim, facets)
            self.bcs.append(fem.dirichletbc(PETSc.ScalarType(0.0), dofs, sub))

        # PETSc objects
        self.A = fem_petsc.create_matrix(self.J_form)
        self.b = fem_petsc.create_vector(self.F_form)
        self.x = self.w.x.petsc_vec.copy()
        self.prefix = "floor_"
        opts = PETSc.Options()
        for k, val in {**FLOOR_OPTIONS, **(extra_options or {})}.items():
            opts[self.prefix + k] = val
        snes = PETSc.SNES().create(comm)
        snes.setOptionsPrefix(self.prefix)
        snes.setFunction(self._F, self.b)
        snes.setJacobian(self._J, self.A, self.A)
        pc = snes.getKSP().getPC()
        pc.setType("fieldsplit")
        is_u, perm_u = self._owned_sorted_is(self.u_dofs)
        is_u.compose("nearnullspace", self._rigid_body_modes(perm_u))
        is_t, _ = self._owned_sorted_is(self.t_dofs)
        pc.setFieldSplitIS(("theta", is_t), ("u", is_u))  # theta first, as the toolkit
        snes.setFromOptions()
        self.snes = snes
        self._first_solve = True
        self._t_asm = 0.0

    # ---------------------------------------------------------------- set-up helpers
    def _owned_sorted_is(self, sub_dofs):
        """PETSc IS of the owned parent dofs ``sub_dofs`` (global, sorted: PCFIELDSPLIT needs
        sorted sets) and the collapsed indices in that order."""
        imap, bs = self.W.dofmap.index_map, self.W.dofmap.index_map_bs
        sub_dofs = np.asarray(sub_dofs)
        owned = np.flatnonzero(sub_dofs < imap.size_local * bs)
        owned = owned[np.argsort(sub_dofs[owned])]
        glob = (sub_dofs[owned] + imap.local_range[0] * bs).astype(PETSc.IntType)
        return PETSc.IS().createGeneral(glob, comm=self.comm), owned

    def _rigid_body_modes(self, perm):
        """Orthonormal near-nullspace of the u block: 3 translations + 3 rotations, in the split's order."""
        X = self.V_u.tabulate_dof_coordinates()
        node, comp = perm // 3, perm % 3
        x, y, z = X[node, 0], X[node, 1], X[node, 2]
        one, zero = np.ones(perm.size), np.zeros(perm.size)
        modes = [np.where(comp == 0, one, zero), np.where(comp == 1, one, zero), np.where(comp == 2, one, zero),
                 np.select([comp == 0, comp == 1], [-y, x], 0.0),
                 np.select([comp == 1, comp == 2], [-z, y], 0.0),
                 np.select([comp == 0, comp == 2], [z, -x], 0.0)]
        vecs = []
        for m in modes:  # modified Gram-Schmidt
            vec = PETSc.Vec().createMPI((perm.size, PETSc.DECIDE), comm=self.comm)
            vec.setArray(m)
            for p in vecs:
                vec.axpy(-vec.dot(p), p)
            vec.scale(1.0 / vec.norm())
            vecs.append(vec)
        return PETSc.NullSpace().create(vectors=vecs, comm=self.comm)

    # ---------------------------------------------------------------- SNES callbacks
    def _F(self, snes, x, b):
        t0 = time.perf_counter()
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        x.copy(self.w.x.petsc_vec)
        self.w.x.scatter_forward()
        with b.localForm() as loc:
            loc.set(0.0)
        fem_petsc.assemble_vector(b, self.F_form)
        fem_petsc.apply_lifting(b, [self.J_form], bcs=[self.bcs], x0=[x], alpha=-1.0)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem_petsc.set_bc(b, self.bcs, x, -1.0)
        self._t_asm += time.perf_counter() - t0

    def _J(self, snes, x, J, P):
        t0 = time.perf_counter()
        P.zeroEntries()
        fem_petsc.assemble_matrix(P, self.J_form, bcs=self.bcs)
        P.assemble()
        self._t_asm += time.perf_counter() - t0

    def _lag(self, lag):
        PETSc.Options()[self.prefix + "snes_lag_preconditioner"] = lag
        self.snes.setFromOptions()

    # ---------------------------------------------------------------- stepping
    def set_c_rate(self, c_rate):
        self.flux.value = c_rate * self.capacity / 3600.0 / self.area

    def step(self, dt):
        """One backward-Euler step; returns a dict of counters and times."""
        self.dt.value = dt
        self._t_asm = 0.0
        if self._first_solve:  # build the preconditioner once in the first solve, as the toolkit
            self._lag(-2)
        t0 = time.perf_counter()
        self.w.x.petsc_vec.copy(self.x)
        self.snes.solve(None, self.x)
        self.x.copy(self.w.x.petsc_vec)
        self.w.x.scatter_forward()
        total = time.perf_counter() - t0
        if self._first_solve:
            self._lag(FLOOR_OPTIONS["snes_lag_preconditioner"])
            self._first_solve = False
        reason = self.snes.getConvergedReason()
        return {"converged": reason > 0, "reason": reason, "newton": self.snes.getIterationNumber(),
                "krylov": self.snes.getLinearSolveIterations(), "asm": self._t_asm, "total": total}

    def accept(self):
        self.w_n.x.array[:] = self.w.x.array


# ============================================================================ driver
def material_values(mat) -> dict:
    """Plain numbers of an anodemech Material (input only); refuse what the floor does not model."""
    if mat.volume_table is not None or mat.plasticity is not None or mat.kinetics is not None:
        raise SystemExit(f"bench_floor: material {mat.name!r} uses a volume table, plasticity or kinetics (not in the floor)")
    return {k: getattr(mat, k) for k in ("E", "E_full", "nu", "c_max", "Omega", "D", "D_full")}


def state_metrics(comm, w, u_dofs, t_dofs, L_ref):
    """(max |u| [m] over owned nodes, owned u block, owned theta block)."""
    n_own = w.function_space.dofmap.index_map.size_local * w.function_space.dofmap.index_map_bs
    u = w.x.array[u_dofs].reshape(-1, 3) * L_ref
    own = (np.asarray(u_dofs) < n_own).reshape(-1, 3).all(axis=1)
    umax = comm.allreduce(float(np.linalg.norm(u[own], axis=1).max()) if own.any() else 0.0, op=MPI.MAX)
    uo = w.x.array[np.asarray(u_dofs)[np.asarray(u_dofs) < n_own]]
    to = w.x.array[np.asarray(t_dofs)[np.asarray(t_dofs) < n_own]]
    return umax, uo, to


def rel_norm_diff(comm, a, b):
    num = comm.allreduce(float(np.sum((a - b) ** 2)), op=MPI.SUM)
    den = comm.allreduce(float(np.sum(b**2)), op=MPI.SUM)
    return (num / den) ** 0.5 if den > 0 else num**0.5


def summarise(comm, rows) -> dict:
    """Per-Newton and per-step figures of a list of step rows (times: max over ranks)."""
    nits = sum(r["newton"] for r in rows)
    kits = sum(r["krylov"] for r in rows)
    asm = comm.allreduce(sum(r["asm"] for r in rows), op=MPI.MAX)
    tot = comm.allreduce(sum(r["total"] for r in rows), op=MPI.MAX)
    wall = comm.allreduce(sum(r["wall"] for r in rows), op=MPI.MAX)
    n = max(nits, 1)
    return {"newton_per_step": nits / len(rows), "krylov_per_newton": kits / n, "asm_per_newton": asm / n,
            "solve_per_newton": (tot - asm) / n, "total_per_newton": tot / n, "wall_per_step": wall / len(rows)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="cases/core_shell_si_c.toml", help="case file (inputs and mesh)")
    ap.add_argument("--steps", type=int, default=5, help="time steps, each timed")
    ap.add_argument("--dt", type=float, default=60.0, help="step size [s]")
    ap.add_argument("--c-rate", type=float, default=1.0)
    ap.add_argument("--h-core", default=None, help='override geometry.h_core, e.g. "25 nm" (coarser while developing)')
    ap.add_argument("--h-surface", default=None, help='override geometry.h_surface, e.g. "10 nm"')
    ap.add_argument("--rtol", type=float, default=1e-6, help="agreement tolerance for SOC and max |u|")
    ap.add_argument("--jsonl", default=None, help="append one JSON line with all figures to this file")
    args = ap.parse_args(argv)

    comm = MPI.COMM_WORLD
    say = (lambda *a: print(*a, flush=True)) if comm.rank == 0 else (lambda *a: None)
    geo = {k: v for k, v in (("h_core", args.h_core), ("h_surface", args.h_surface)) if v is not None}
    case = load_case(args.case, overrides={"geometry": geo} if geo else None)
    ph = case.physics
    if ph.stress_coupling or ph.displacement_degree != 2:
        raise SystemExit("bench_floor: the floor models the main case only (no stress coupling, P2 displacement)")
    say(f"# DOLFINx {dolfinx.__version__}, PETSc {'.'.join(map(str, PETSc.Sys.getVersion()))}, {comm.size} rank(s); "
        f"case {case.path}, h_core {case.geometry.h_core * 1e9:.3g} nm, h_surface {case.geometry.h_surface * 1e9:.3g} nm")

    t0 = time.perf_counter()
    md = build_mesh(comm, case)
    cells = md.mesh.topology.index_map(3).size_global
    say(f"mesh: {cells} cells, {time.perf_counter() - t0:.1f} s")

    # --- toolkit
    t0 = time.perf_counter()
    tk = ChemoMechanicalProblem(comm, md, case.materials, ph, linear=case.solver.linear, petsc_options=case.solver.petsc)
    tk.set_galvanostatic(tk.flux_for_c_rate(args.c_rate))
    setup_tk = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)

    # --- plain: inputs only from the case and the mesh data
    t0 = time.perf_counter()
    mats = case.materials
    regions = {n: (md.cell_names[n], material_values(mats[n])) for n in md.cell_names}
    entry = next(s for s, r in md.li_entry if s in md.facet_names and r in mats and mats[r].stores_li)
    sym = [(a, md.facets(f"symmetry_{c}")) for a, c in enumerate("xyz") if f"symmetry_{c}" in md.facet_names]
    fl = FloorProblem(comm, md.mesh, md.cell_tags, md.facet_tags, regions, sym, md.facet_names[entry], ph.theta0,
                      extra_options=case.solver.petsc)
    fl.set_c_rate(args.c_rate)
    setup_fl = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)

    dofs = fl.W.dofmap.index_map.size_global * fl.W.dofmap.index_map_bs
    say(f"dofs {dofs}; Li entry {entry!r}; symmetry planes {[f'xyz'[a] for a, _ in sym]}; "
        f"L_ref toolkit {tk.L_ref:.6g} / plain {fl.L_ref:.6g}; flux toolkit {float(tk.flux_in.value):.6g} / "
        f"plain {float(fl.flux.value):.6g} mol/m^2/s; set-up (incl. JIT) {setup_tk:.1f} / {setup_fl:.1f} s")

    def run_tk():
        t0 = time.perf_counter()
        s = tk.step(args.dt)
        if s.converged:
            tk.accept()
        return {"converged": s.converged, "reason": s.reason, "newton": s.newton_iterations, "krylov": s.krylov_iterations,
                "asm": s.assembly_time, "total": s.total_time, "wall": time.perf_counter() - t0}

    def run_fl():
        t0 = time.perf_counter()
        s = fl.step(args.dt)
        if s["converged"]:
            fl.accept()
        s["wall"] = time.perf_counter() - t0
        return s

    rows = {"toolkit": [], "plain": []}
    for k in range(args.steps):
        order = [("toolkit", run_tk), ("plain", run_fl)]
        if k % 2:
            order.reverse()
        for name, run in order:
            comm.barrier()
            rows[name].append(run())
        a, b = rows["toolkit"][-1], rows["plain"][-1]
        say(f"step {k + 1}: toolkit {a['newton']} Newton / {a['krylov']} Krylov / {a['wall']:.2f} s; "
            f"plain {b['newton']} / {b['krylov']} / {b['wall']:.2f} s")
        if not (a["converged"] and b["converged"]):
            say(f"FAILED at step {k + 1}: toolkit {a['reason']}, plain {b['reason']}")
            return 1

    # --- agreement
    soc_tk = tk.soc()
    theta = ufl.split(fl.w)[1]
    dx = ufl.Measure("dx", domain=md.mesh, subdomain_data=md.cell_tags, metadata={"quadrature_degree": QDEG})
    li = sum(m["c_max"] * theta * dx(tag) for tag, m in regions.values() if m["c_max"] > 0)
    soc_fl = comm.allreduce(fem.assemble_scalar(fem.form(li)), op=MPI.SUM) / fl.capacity
    umax_tk, u_tk, t_tk = state_metrics(comm, tk.w, tk.u_dofs, tk.theta_dofs, tk.L_ref)
    umax_fl, u_fl, t_fl = state_metrics(comm, fl.w, fl.u_dofs, fl.t_dofs, fl.L_ref)
    same_layout = comm.allreduce(bool(np.array_equal(tk.W.dofmap.list, fl.W.dofmap.list)), op=MPI.LAND)
    agree = {"soc_toolkit": soc_tk, "soc_plain": soc_fl, "soc_rel": abs(soc_tk - soc_fl) / abs(soc_fl),
             "umax_toolkit": umax_tk, "umax_plain": umax_fl, "umax_rel": abs(umax_tk - umax_fl) / umax_fl}
    if same_layout:
        agree["u_rel_l2"] = rel_norm_diff(comm, u_tk, u_fl)
        agree["theta_rel_l2"] = rel_norm_diff(comm, t_tk, t_fl)
    ok = agree["soc_rel"] <= args.rtol and agree["umax_rel"] <= args.rtol

    # --- tables
    # all steps, and without step 1 (it builds the first preconditioners and pays first-use costs)
    parts = [("all steps", slice(None))] + ([(f"steps 2-{args.steps}", slice(1, None))] if args.steps > 1 else [])
    summ = {label: (summarise(comm, rows["toolkit"][sl]), summarise(comm, rows["plain"][sl])) for label, sl in parts}
    cols = [("newton_per_step", "Newton its/step", ".2f"), ("krylov_per_newton", "Krylov its/Newton", ".1f"),
            ("asm_per_newton", "assembly s/Newton", ".3f"), ("solve_per_newton", "solve s/Newton", ".3f"),
            ("total_per_newton", "total s/Newton", ".3f"), ("wall_per_step", "wall s/step", ".2f")]
    say("")
    say(f"{dofs} dofs, {cells} cells, {comm.size} rank(s), {args.steps} steps of {args.dt:g} s at {args.c_rate:g}C "
        f"from SOC {ph.theta0:g}, interleaved; set-up incl. JIT: toolkit {setup_tk:.1f} s, plain {setup_fl:.1f} s")
    say("")
    say("| steps | code | " + " | ".join(c[1] for c in cols) + " |")
    say("|---|---|" + "---|" * len(cols))
    for label, (s_tk, s_fl) in summ.items():
        say(f"| {label} | toolkit (anodemech) | " + " | ".join(f"{s_tk[k]:{f}}" for k, _, f in cols) + " |")
        say(f"| {label} | plain DOLFINx | " + " | ".join(f"{s_fl[k]:{f}}" for k, _, f in cols) + " |")
        say(f"| {label} | **ratio toolkit/plain** | "
            + " | ".join(f"{s_tk[k] / s_fl[k]:.2f}" if s_fl[k] else "-" for k, _, _ in cols) + " |")
    say("")
    say("| step | toolkit Newton | toolkit Krylov | toolkit wall s | plain Newton | plain Krylov | plain wall s |")
    say("|---|---|---|---|---|---|---|")
    for k, (a, b) in enumerate(zip(rows["toolkit"], rows["plain"])):
        say(f"| {k + 1} | {a['newton']} | {a['krylov']} | {a['wall']:.2f} | {b['newton']} | {b['krylov']} | {b['wall']:.2f} |")
    say("")
    say(f"agreement after {args.steps} steps: SOC {soc_tk:.10g} (toolkit) vs {soc_fl:.10g} (plain), rel diff "
        f"{agree['soc_rel']:.2e}; max |u| {umax_tk:.10g} m vs {umax_fl:.10g} m, rel diff {agree['umax_rel']:.2e}"
        + (f"; state vectors rel. l2 diff u {agree['u_rel_l2']:.2e}, theta {agree['theta_rel_l2']:.2e}" if same_layout else "")
        + f" -> {'AGREE' if ok else 'DISAGREE'} (rtol {args.rtol:g})")
    if args.jsonl and comm.rank == 0:
        with open(args.jsonl, "a") as f:
            f.write(json.dumps({"dofs": dofs, "cells": cells, "ranks": comm.size, "steps": args.steps, "dt": args.dt,
                                "h_core": case.geometry.h_core, "h_surface": case.geometry.h_surface,
                                "summary": {k: {"toolkit": a, "plain": b} for k, (a, b) in summ.items()},
                                "rows": rows, "agreement": agree,
                                "setup_s": {"toolkit": setup_tk, "plain": setup_fl}}) + "\n")
    tk.solver.destroy()
    fl.snes.destroy()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
