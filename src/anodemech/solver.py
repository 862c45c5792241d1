"""PETSc SNES for the monolithic problem, with an options prefix unique to each problem.

Two linear-solver presets (both overridable from the case file's ``[solver.petsc]``):

* ``"iterative"`` (default, for 3D sizes of 1e5-1e6 dofs): GMRES preconditioned by a
  multiplicative field split -- concentration (BoomerAMG), then displacement (GAMG with
  the rigid-body near-nullspace) -- with
  the preconditioner rebuilt every 3 Newton iterations and carried across steps.
  Measured in shared/notes/dolfinx-facts.md: flat Krylov counts with mesh size.
* ``"direct"``: MUMPS LU.

Newton iterations are PETSc's (``newtonls``, line search ``basic``; time-step cut-backs globalise).
"""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc

from anodemech import compat

_PROBLEM_IDS = itertools.count()  # unique option prefixes, never reset

#: portable JIT options (quadrature degree is set per measure in the forms)
JIT_OPTIONS = {"cffi_extra_compile_args": ["-O2", "-g0"]}


def jit_options() -> dict:
    """JIT options for the problem's residual and Jacobian kernels.

    By default the kernels are compiled with ``-O3 -march=native`` (measured: Jacobian
    assembly 23 % faster, a Newton iteration 12 % faster; shared/notes/performance-2026-12.md).
    Native code is tied to the CPU, so these kernels go to their own FFCx cache folder
    named after the CPU model and flags (``<cache>/anodemech-native-<key>``): a cache on
    a home directory shared by different cluster nodes never hands one node's code to
    another. ``ANODEMECH_JIT_NATIVE=0`` selects the portable ``-O2`` build (also used
    automatically when the compiler rejects the native flags, see :func:`compile_form`).

    Returns:
        dict for ``dolfinx.fem.form(..., jit_options=...)``.
    """
    import os

    if os.environ.get("ANODEMECH_JIT_NATIVE", "1") == "0":
        return dict(JIT_OPTIONS)
    from dolfinx.jit import DOLFINX_DEFAULT_JIT_OPTIONS

    return {"cffi_extra_compile_args": ["-O3", "-march=native", "-g0"],
            "cache_dir": str(Path(DOLFINX_DEFAULT_JIT_OPTIONS["cache_dir"][0]) / f"anodemech-native-{_cpu_key()}")}


def _cpu_key() -> str:
    """Short hash of this CPU's model name and instruction-set flags (``/proc/cpuinfo``)."""
    import hashlib
    import platform

    text = platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("model name", "flags", "Features", "CPU part")):
                    text += line
                elif not line.strip() and text != platform.machine():
                    break  # the first processor is enough
    except OSError:
        pass
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def compile_form(form, form_compiler_options=None):
    """``dolfinx.fem.form`` with :func:`jit_options`; if the C compiler rejects the native
    flags, warns once and compiles with the portable :data:`JIT_OPTIONS` instead.

    Raises:
        whatever ``dolfinx.fem.form`` raises with the portable options.
    """
    import cffi

    global _NATIVE_FAILED
    opts = dict(JIT_OPTIONS) if _NATIVE_FAILED else jit_options()
    try:
        return fem.form(form, form_compiler_options=form_compiler_options or {}, jit_options=opts)
    except (cffi.VerificationError, RuntimeError) as exc:  # RuntimeError: rank 0 failed under MPI
        if opts.get("cffi_extra_compile_args") == JIT_OPTIONS["cffi_extra_compile_args"]:
            raise
        _NATIVE_FAILED = True
        logging.getLogger("anodemech").warning("native JIT flags failed (%s); compiling with -O2", str(exc).splitlines()[0])
        return fem.form(form, form_compiler_options=form_compiler_options or {}, jit_options=dict(JIT_OPTIONS))


_NATIVE_FAILED = False

BASE_OPTIONS = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "basic",  # bt and l2 stalled on the first steps (measured); cut-backs globalise
    "snes_rtol": 1e-9,
    "snes_atol": 1e-12,
    "snes_stol": 0.0,
    "snes_max_it": 20,
    "snes_error_if_not_converged": False,
}

LINEAR_PRESETS = {
    "direct": {
        "ksp_type": "preonly",
        "pc_type": "lu",
        "pc_factor_mat_solver_type": "mumps",
    },
    "iterative": {
        "ksp_type": "gmres",
        "ksp_gmres_restart": 200,
        "ksp_rtol": 1e-8,
        "ksp_atol": 1e-14,
        "ksp_max_it": 400,
        "pc_type": "fieldsplit",
        "pc_fieldsplit_type": "multiplicative",
        "snes_lag_preconditioner": 3,
        "snes_lag_preconditioner_persists": True,
        "fieldsplit_theta_ksp_type": "preonly",
        "fieldsplit_theta_pc_type": "hypre",
        "fieldsplit_theta_pc_hypre_type": "boomeramg",
        "fieldsplit_u_ksp_type": "preonly",
        "fieldsplit_u_pc_type": "gamg",
        "fieldsplit_u_pc_gamg_threshold": 0.01,
        "fieldsplit_u_mg_levels_ksp_type": "chebyshev",
        "fieldsplit_u_mg_levels_pc_type": "jacobi",
        "fieldsplit_u_mg_levels_ksp_max_it": 3,
    },
}


@dataclass
class SolveStats:
    """Counters of one nonlinear solve."""

    converged: bool
    newton_iterations: int
    krylov_iterations: int
    reason: str
    assembly_time: float  # s, residual + Jacobian assembly
    total_time: float  # s


class NonlinearSolver:
    """PETSc SNES on a mixed DOLFINx function ``w`` with residual form ``F``.

    Args:
        comm: communicator of the mesh.
        F: UFL residual form.
        w: the unknown (``dolfinx.fem.Function`` on a mixed space).
        bcs: list of ``DirichletBC`` on ``w``'s space.
        linear: "iterative" or "direct" (see module docstring).
        splits: for "iterative", ``{name: (W.sub(i), collapsed_space)}`` in split order
            ("theta", "u"); the "u" split gets the rigid-body near-nullspace.
        petsc_options: overrides, keys without the prefix (e.g. ``{"ksp_rtol": 1e-10}``).
        extra_terms: objects with ``add_residual(b)``, ``add_jacobian(A)``, ``new_couplings()``
            and ``coupled_blocks()`` (see :meth:`_update_pattern`) that add
            terms assembled outside UFL (pair contact) through PETSc with global indices;
            the Jacobian then accepts new non-zeros.
        constraint: optional global scalar constraint eliminated from the system (the
            galvanostatic Butler–Volmer potential, :class:`anodemech.physics.kinetics.PotentialConstraint`):
            ``solve_potential()`` runs before every residual, and the Jacobian becomes the
            shell operator ``A + b c^T`` (``rank_one(b, c, bcs)``), preconditioned by the
            assembled ``A``. The direct preset then runs GMRES with the LU of ``A`` as
            preconditioner (two iterations for a rank-one update) instead of a single LU solve.

    Raises:
        ValueError: unknown ``linear`` preset.
    """

    def __init__(self, comm, F, w, bcs, linear: str = "iterative", splits=None, petsc_options=None, form_compiler_options=None,
                 extra_terms=(), constraint=None):
        if linear not in LINEAR_PRESETS:
            raise ValueError(f"linear solver {linear!r} not in {sorted(LINEAR_PRESETS)}")
        self.comm = comm
        self.w = w
        self.bcs = bcs
        self.prefix = f"anodemech_{next(_PROBLEM_IDS)}_"
        fco = form_compiler_options or {}
        J = __import__("ufl").derivative(F, w)
        self._F = compile_form(F, fco)
        self._J = compile_form(J, fco)
        self._b = compat.create_vector(self._F, w.function_space)
        self._A = fem_petsc.create_matrix(self._J)
        self.extra_terms = list(extra_terms)
        if self.extra_terms:
            self._A.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)
            self._A.setOption(PETSc.Mat.Option.NEW_NONZERO_LOCATION_ERR, False)
        self._x = w.x.petsc_vec.copy()
        self._assembly_time = 0.0

        opts = PETSc.Options()
        self._option_keys = []
        preset = dict(LINEAR_PRESETS[linear])
        if constraint is not None and preset.get("ksp_type") == "preonly":  # LU of A alone misses b c^T
            preset.update(ksp_type="gmres", ksp_rtol=1e-12, ksp_atol=1e-30, ksp_max_it=50)
        merged = {**BASE_OPTIONS, **preset, **(petsc_options or {})}
        if splits is None or linear == "direct":
            merged = {k: v for k, v in merged.items() if not k.startswith("fieldsplit_")}
        for k, v in merged.items():
            opts[self.prefix + k] = v
            self._option_keys.append(self.prefix + k)
        self.options = merged

        snes = PETSc.SNES().create(comm)
        snes.setOptionsPrefix(self.prefix)
        snes.setFunction(self._residual, self._b)
        self.constraint = constraint
        self._J_shell = None
        if constraint is not None:
            self._rank_b, self._rank_c = self._b.duplicate(), self._b.duplicate()
            self._J_shell = PETSc.Mat().createPython(self._A.getSizes(), _RankOneUpdate(self), comm=comm)
            self._J_shell.setUp()
        snes.setJacobian(self._jacobian, self._J_shell or self._A, self._A)
        if merged.get("pc_type") == "fieldsplit":
            pc = snes.getKSP().getPC()
            pc.setType("fieldsplit")
            pc.setFieldSplitIS(*[(name, self._split_is(sub, V, name)) for name, (sub, V) in splits.items()])
        snes.setFromOptions()
        self.snes = snes
        self._lag = int(merged.get("snes_lag_preconditioner", 1))
        self._rebuild = False

    def limit_update(self, dofs, max_change: float):
        """Scale every Newton update so that no entry of ``dofs`` (local indices of ``w``)
        changes by more than ``max_change`` (a SNES line-search pre-check; collective).

        For logarithmic unknowns (``concentration_unknown = "logit"``): a full Newton step
        in ``ln(theta/(1-theta))`` from a nearly empty or full state overshoots by orders of
        magnitude; limiting the change per iteration to a few units is the standard
        remedy for such variables (the potential update limit of semiconductor device
        simulation, Selberherr, Analysis and Simulation of Semiconductor Devices,
        Springer 1984, sec. 7.1).
        """
        W = self.w.function_space
        n_owned = W.dofmap.index_map.size_local * W.dofmap.index_map_bs
        dofs = np.asarray(dofs, dtype=np.int64)
        owned = dofs[dofs < n_owned]
        comm, limit = self.comm, float(max_change)

        def precheck(x, y):
            a = y.getArray(readonly=True)
            local = float(np.abs(a[owned]).max(initial=0.0))
            m = comm.allreduce(local, op=MPI.MAX)
            if m > limit:
                y.scale(limit / m)

        self.snes.setLineSearchPreCheck(precheck)

    # -------------------------------------------------------------- fieldsplit helpers
    def _split_is(self, sub, V, name):
        """Sorted global indices of the owned dofs of sub-space ``sub`` (PETSc IS)."""
        W = self.w.function_space
        _, dofs = sub.collapse()
        dofs = np.asarray(dofs, dtype=np.int32)
        imap = W.dofmap.index_map
        bs = W.dofmap.index_map_bs
        n_owned = imap.size_local * bs
        owned = dofs < n_owned
        order = np.argsort(dofs[owned])
        glob = (dofs[owned][order] + imap.local_range[0] * bs).astype(PETSc.IntType)
        iset = PETSc.IS().createGeneral(glob, comm=self.comm)
        if name == "u":
            iset.compose("nearnullspace", self._rigid_modes(V, np.flatnonzero(owned)[order]))
        return iset

    def _rigid_modes(self, V, local_order):
        """Six rigid-body modes of the collapsed vector space ``V``, in the split's order."""
        bs = V.dofmap.index_map_bs
        x = V.tabulate_dof_coordinates()
        n_nodes = V.dofmap.index_map.size_local
        n = n_nodes * bs
        modes = np.zeros((6, n))
        xo = x[:n_nodes]
        for k in range(3):
            modes[k, k::3] = 1.0
        modes[3, 0::3], modes[3, 1::3] = -xo[:, 1], xo[:, 0]
        modes[4, 1::3], modes[4, 2::3] = -xo[:, 2], xo[:, 1]
        modes[5, 0::3], modes[5, 2::3] = xo[:, 2], -xo[:, 0]
        # collapsed dof i -> position of its W-dof in the sorted split
        if local_order.size and local_order.max() >= n:
            raise RuntimeError("collapsed displacement space and mixed space disagree on dof ownership")
        modes = modes[:, local_order]
        vecs = []
        for m in modes:
            v = PETSc.Vec().createMPI((m.size, PETSc.DECIDE), comm=self.comm)
            v.setArray(m)
            vecs.append(v)
        # Orthonormalise with PETSc's own routine
        ns = PETSc.NullSpace().create(vectors=_orthonormal(vecs), comm=self.comm)
        return ns

    # -------------------------------------------------------------- SNES callbacks
    def _residual(self, snes, x, b):
        t0 = time.perf_counter()
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        x.copy(self.w.x.petsc_vec)
        self.w.x.scatter_forward()
        if self.constraint is not None:
            self.constraint.solve_potential()
        with b.localForm() as loc:
            loc.set(0.0)
        fem_petsc.assemble_vector(b, self._F)
        # No apply_lifting: solve() starts from an iterate that already holds every Dirichlet
        # value, and Newton updates vanish on those rows, so the lifting term A (g - x) is
        # zero (it cost 0.19 s per residual against 0.03 s for the assembly; measured).
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        for term in self.extra_terms:
            term.add_residual(b)
        fem_petsc.set_bc(b, self.bcs, x, -1.0)
        self._assembly_time += time.perf_counter() - t0

    def _jacobian(self, snes, x, J, P):
        t0 = time.perf_counter()
        A = P  # the assembled field Jacobian (J is A itself, or the rank-one shell around it)
        A.zeroEntries()
        fem_petsc.assemble_matrix(A, self._J, bcs=self.bcs)
        if self.extra_terms:
            A.assemblyBegin(PETSc.Mat.AssemblyType.FLUSH)
            A.assemblyEnd(PETSc.Mat.AssemblyType.FLUSH)
            for term in self.extra_terms:
                term.add_jacobian(A)
        A.assemble()
        if self.constraint is not None:
            self.constraint.rank_one(self._rank_b, self._rank_c, self.bcs)
            J.assemble()
        self._assembly_time += time.perf_counter() - t0

    # -------------------------------------------------------------- public
    def request_preconditioner_rebuild(self):
        """Rebuild a lagged preconditioner at the next Jacobian (after a change of boundary
        conditions or a failed step, when the carried-over one no longer fits)."""
        self._rebuild = self._lag != 1

    def solve(self) -> SolveStats:
        """Solve from the current ``w``; on failure ``w`` holds the last iterate (caller restores)."""
        self._assembly_time = 0.0
        if self._rebuild:
            self._set_lag(-2)  # PETSc: rebuild at the next chance, then keep
        self._rebuild = False
        t0 = time.perf_counter()
        for bc in self.bcs:  # the Dirichlet values into the first iterate (no lifting needed)
            bc.set(self.w.x.array)
        self.w.x.scatter_forward()
        self.w.x.petsc_vec.copy(self._x)
        if self.extra_terms:
            self._update_pattern()
        try:
            self.snes.solve(None, self._x)
            reason = self.snes.getConvergedReason()
        except PETSc.Error as exc:  # e.g. a failed factorisation or NaN in the line search
            reason = -100
            self._last_error = str(exc)
        self._x.copy(self.w.x.petsc_vec)
        self.w.x.scatter_forward()
        if self._lag != 1:
            self._set_lag(self._lag)
        if reason <= 0:
            self.request_preconditioner_rebuild()
        return SolveStats(
            converged=reason > 0,
            newton_iterations=self.snes.getIterationNumber(),
            krylov_iterations=self.snes.getLinearSolveIterations(),
            reason=_reason_name(reason),
            assembly_time=self._assembly_time,
            total_time=time.perf_counter() - t0,
        )

    def _update_pattern(self):
        """Give the Jacobian room for the couplings the extra terms may create in this step.

        Inserting new non-zeros into an assembled PETSc AIJ matrix reallocates it, which
        made a contact step take minutes (measured). When a term reports new couplings, a
        new matrix is made whose exact pattern (``MatMPIAIJSetPreallocationCSR``) is the
        union of the current pattern and all coupled blocks, and SNES is given it.
        Collective."""
        grew = any([term.new_couplings() for term in self.extra_terms])
        if not self.comm.allreduce(grew, op=__import__("mpi4py").MPI.LOR):
            return
        # petsc4py destroys some parallel objects lazily; flush them here, where every rank
        # is, so that no rank starts that collective clean-up alone (a 2-rank deadlock
        # otherwise, measured)
        PETSc.garbage_cleanup(self.comm)
        A = self._A
        A.zeroEntries()
        fem_petsc.assemble_matrix(A, self._J, bcs=self.bcs)
        A.assemble()
        rs, re = A.getOwnershipRange()
        N = A.getSize()[0]
        rows_old, cols_old = [], []
        for i in range(rs, re):  # MatGetRow: no temporary PETSc objects
            cols, _ = A.getRow(i)
            rows_old.append(np.full(len(cols), i - rs, dtype=np.int64))
            cols_old.append(cols.astype(np.int64))
        keys = [np.concatenate(rows_old) * N + np.concatenate(cols_old)]
        for term in self.extra_terms:
            a, b = term.coupled_blocks()
            a = np.concatenate(self.comm.allgather(a))
            b = np.concatenate(self.comm.allgather(b))
            for rows, cols in ((a, b), (b, a), (a, a), (b, b)):
                r = np.repeat(rows, cols.shape[1], axis=1).ravel()
                c = np.tile(cols, (1, rows.shape[1])).ravel()
                own = (r >= rs) & (r < re)
                keys.append((r[own] - rs) * N + c[own])
        keys = np.unique(np.concatenate(keys))
        rows, cols = keys // N, keys % N
        ia = np.zeros(re - rs + 1, dtype=PETSc.IntType)
        np.add.at(ia, rows + 1, 1)
        ia = np.cumsum(ia).astype(PETSc.IntType)
        B = PETSc.Mat().create(comm=self.comm)
        B.setSizes(A.getSizes())
        B.setType(PETSc.Mat.Type.AIJ)
        B.setPreallocationCSR((ia, cols.astype(PETSc.IntType)))
        B.setLGMap(*A.getLGMap())
        B.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)
        B.setOption(PETSc.Mat.Option.NEW_NONZERO_LOCATION_ERR, False)
        self.snes.setJacobian(self._jacobian, self._J_shell or B, B)
        A.destroy()
        self._A = B
        PETSc.garbage_cleanup(self.comm)
        if self._lag != 1:  # a new matrix: build a lagged preconditioner afresh (lag 1, the
            self._set_lag(-2)  # direct preset, rebuilds anyway; -2 would freeze its first LU)

    def _set_lag(self, lag: int):
        # petsc4py 3.22 has no SNES.setLagPreconditioner: go through the options database
        PETSc.Options()[self.prefix + "snes_lag_preconditioner"] = lag
        self.snes.setFromOptions()

    def destroy(self):
        """Free PETSc objects and remove this problem's options."""
        opts = PETSc.Options()
        for k in self._option_keys:
            opts.delValue(k)
        extra = (self._J_shell, self._rank_b, self._rank_c) if self._J_shell is not None else ()
        for obj in (self.snes, self._A, self._b, self._x, *extra):
            obj.destroy()


class _RankOneUpdate:
    """petsc4py Python-matrix context: ``y = A x + b (c . x)`` with the solver's current
    assembled Jacobian ``A`` and rank-one vectors ``b``, ``c`` (a global constraint
    eliminated by its Schur complement)."""

    def __init__(self, solver):
        self.solver = solver

    def mult(self, mat, x, y):
        s = self.solver
        s._A.mult(x, y)
        y.axpy(s._rank_c.dot(x), s._rank_b)


def _orthonormal(vecs):
    """Modified Gram–Schmidt on PETSc vectors (PETSc needs an orthonormal near-nullspace)."""
    out = []
    for v in vecs:
        for q in out:
            v.axpy(-v.dot(q), q)
        nrm = v.norm()
        if nrm > 1e-12:
            v.scale(1.0 / nrm)
            out.append(v)
    return out


def _reason_name(reason: int) -> str:
    if reason == -100:
        return "PETSC_ERROR"
    names = {v: k for k, v in vars(PETSc.SNES.ConvergedReason).items() if isinstance(v, int)}
    return names.get(reason, str(reason))
