"""Run a case: mesh, coupled problem, loading stages with adaptive backward Euler, outputs.

Time stepping: each stage takes steps ``dt`` limited by ``dt_max``, by ``max_dsoc`` of SOC
per step (galvanostatic: exactly, from the applied current) and by the stage's end, which
galvanostatic stages hit exactly because the SOC grows linearly in time. A step whose SNES
solve fails is retried with ``dt * cutback``; below ``dt_min`` the run stops with
:class:`SolverFailure`, after writing the last converged state. Steps that need at most
``easy_newton`` Newton iterations let the next step grow by ``growth``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from anodemech import io as aio
from anodemech.case import Case, Stage
from anodemech.errors import CaseError, SolverFailure
from anodemech.geometry import BUILDERS
from anodemech.materials import FARADAY
from anodemech.model import ChemoMechanicalProblem
from anodemech.post import PostProcessor

log = logging.getLogger("anodemech")


@dataclass
class RunResult:
    """Summary of a finished (or failed) run."""

    path: Path
    status: str
    steps: int
    time: float  # s, simulated
    soc: float
    history: list[dict]


def build_mesh(comm, case: Case, msh_file=None):
    """The case's tagged mesh (built on rank 0, distributed over ``comm``); ``msh_file``
    optionally names a Gmsh file to write too."""
    _, builder = BUILDERS[case.builder]
    return builder(comm, case.geometry, msh_file=msh_file)


def check_runnable(case: Case) -> None:
    """Raise ``CaseError`` (key ``geometry.builder``) if the solver cannot run the case's
    geometry yet (2D variants); ``anodemech mesh`` still meshes it."""
    reason = case.geometry.physics_unsupported()
    if reason is not None:
        raise CaseError("geometry.builder", f"{case.builder!r} ({case.geometry.variant}) cannot be run yet: {reason}")


def run_case(case: Case, out: str | Path, comm, progress: bool = True) -> RunResult:
    """Run ``case`` into the fresh directory ``out``.

    Raises:
        CaseError: ``out`` is not a new or empty directory, or the geometry needs physics
            the solver does not have yet (2D variants); raised before ``out`` is made.
        SolverFailure: the time step fell below ``time.dt_min`` (the directory keeps the
            last converged state and is marked failed).
    """
    check_runnable(case)  # before the run directory exists
    rd = aio.RunDirectory(out, comm)
    wall0 = time.perf_counter()
    info = {"status": "running", "started": aio._now(), "ranks": comm.size, "versions": aio.versions(),
            "git_revision": aio.git_revision(Path(__file__).parent), "inputs": case.resolved()}
    rd.write_json(info)
    md = build_mesh(comm, case)
    aio.write_mesh_xdmf(comm, rd.path / "mesh.xdmf", md)
    try:
        pb = ChemoMechanicalProblem(comm, md, case.materials, case.physics, linear=case.solver.linear,
                                    petsc_options=case.solver.petsc, obstacles=case.contact.obstacles,
                                    fixed_points=case.supports, pairs=case.contact.pairs, spring=case.contact.spring)
    except KeyError as exc:  # an obstacle / pair surface or a support the mesh does not have
        msg = str(exc).strip("'\"")
        raise CaseError("contact" if ("obstacle" in msg or "contact pair" in msg) else "supports", msg) from None
    post = PostProcessor(pb)
    writer = aio.FieldWriter(comm, rd.path, md.mesh, post.functions, checkpoint=case.output.checkpoint)
    ndofs = pb.W.dofmap.index_map.size_global * pb.W.dofmap.index_map_bs
    info.update(mesh={"cells": md.mesh.topology.index_map(3).size_global, "dofs": ndofs, "regions": md.cell_names,
                      "surfaces": md.facet_names},
                capacity_mol=pb.capacity, flux_surfaces=pb.flux_surfaces, flux_surface_area_m2=pb.flux_area,
                solver_prefix=pb.solver.prefix, petsc_options={k: str(v) for k, v in pb.solver.options.items()})
    rd.write_json(info)
    log.info("mesh: %d cells, %d dofs on %d rank(s); capacity %.4g mol", info["mesh"]["cells"], ndofs, comm.size, pb.capacity)

    stepper = _Stepper(case, pb, post, rd, writer, comm, progress, wall0)
    try:
        _run_stages(case, stepper, rd)
    except SolverFailure as exc:
        writer.write(stepper.t)  # the last converged state (w was reset to w_n)
        rd.finish("failed", failure={"message": str(exc), "time_s": exc.time, "dt_s": exc.dt, "reason": exc.reason},
                  wall_time_s=time.perf_counter() - wall0)
        raise
    finally:
        writer.close()
        stepper.close()
        pb.solver.destroy()
    if case.output.plots and comm.rank == 0:
        from anodemech import plotting

        plotting.history_plots(rd.path / "history.csv", rd.path)
    rd.finish("complete", wall_time_s=time.perf_counter() - wall0, steps=stepper.step_no, final_soc=stepper.soc)
    log.info("run complete: %s (%d steps, %.1f s wall)", rd.path, stepper.step_no, time.perf_counter() - wall0)
    return RunResult(rd.path, "complete", stepper.step_no, stepper.t, stepper.soc, stepper.history)


def _run_stages(case: Case, stepper: "_Stepper", rd):
    stepper.record(stage="initial", stats=None, dt=0.0)
    for stage in case.stages:
        stepper.run_stage(stage)
        if stage.direction > 0 and case.output.render and not stepper.rendered:
            stepper.render_snapshot(rd.path / f"von_mises_end_of_{stage.name}.png")


class _Stepper:
    """Adaptive time stepping across stages, recording history and fields."""

    def __init__(self, case, pb, post, rd, writer, comm, progress, wall0):
        self.case, self.pb, self.post, self.rd, self.writer, self.comm = case, pb, post, rd, writer, comm
        self.t = 0.0
        self.dt = case.time.dt_initial
        self.step_no = 0
        self.history: list[dict] = []
        self.wall0 = wall0
        self.rendered = False
        self.alpha: dict[str, float] = {}  # raised penalties, per obstacle
        self.soc = post.soc()
        self.bar = None
        if progress and comm.rank == 0:
            from tqdm import tqdm

            self.bar = tqdm(total=None, unit="step", dynamic_ncols=True, leave=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()

    # ------------------------------------------------------------------ stages
    def run_stage(self, st: Stage):
        pb, tc = self.pb, self.case.time
        rate = 0.0  # dSOC/dt [1/s] for galvanostatic stages
        if st.mode == "galvanostatic":
            flux = pb.flux_for_c_rate(st.c_rate) if st.c_rate is not None else st.current_density / FARADAY
            pb.set_galvanostatic(flux)
            rate = flux * pb.flux_area / pb.capacity
            self.dt = max(self.dt, tc.dt_initial)  # after a hold that ended on tiny steps
            limit = st.theta_limit if st.theta_limit is not None else (1.0 if rate > 0 else 0.0)
        else:
            pb.set_potentiostatic(st.surface_theta)
            limit = None
            self.dt = min(self.dt, tc.dt_initial)  # the surface value jumps: start small
        applied = {"stage": st.name, "mode": st.mode, "start_time_s": self.t, "start_soc": self.soc}
        if st.mode == "galvanostatic":
            applied.update(flux_mol_m2_s=flux, current_density_A_m2=flux * FARADAY, soc_rate_per_s=rate,
                           c_rate=rate * 3600.0)
        else:
            applied.update(surface_theta=st.surface_theta)
        self.rd.info.setdefault("applied_loading", []).append(applied)
        self.rd.write_json(self.rd.info)
        target = st.until_soc
        sign = 0 if target is None else (1 if target > self.soc else -1)
        if target is not None and rate != 0 and sign != (1 if rate > 0 else -1):
            log.warning("stage %s: SOC %.4f is already past until_soc %.4f; stage skipped", st.name, self.soc, target)
            return
        log.info("stage %s (%s): from SOC %.4f, t = %.4g s", st.name, st.mode, self.soc, self.t)
        t_start = self.t
        dt = self.dt
        while True:
            dt = min(dt, tc.dt_max)
            if rate != 0:
                dt = min(dt, tc.max_dsoc / abs(rate))
            if target is not None and rate != 0:
                t_to_target = (target - self.soc) / rate
                if t_to_target <= dt * (1 + 1e-9):
                    dt = max(t_to_target, 0.0)
            if st.max_time is not None and self.t - t_start + dt >= st.max_time * (1 - 1e-12):
                dt = st.max_time - (self.t - t_start)
            if dt <= 0:
                break
            stats = pb.step(dt)
            if not stats.converged:
                dt *= tc.cutback
                log.info("step failed (%s) at t = %.6g s; cutting dt to %.3g s", stats.reason, self.t, dt)
                if dt < tc.dt_min:
                    raise SolverFailure(f"stage {st.name!r}: time step {dt:.3g} s fell below dt_min = {tc.dt_min:.3g} s "
                                        f"at t = {self.t:.6g} s, SOC = {self.soc:.4f} (last SNES reason {stats.reason})",
                                        time=self.t, dt=dt, reason=stats.reason)
                continue
            if self._too_deep(stats):
                continue
            soc_prev = self.soc
            if rate == 0 and target is not None:
                soc_new = self.post.soc()
                if sign * (soc_new - target) > 1e-4 and dt > tc.dt_min:  # overshoot: retry shorter (secant)
                    pb.w.x.array[:] = pb.w_n.x.array
                    dt = max(tc.dt_min, 0.95 * dt * (target - soc_prev) / (soc_new - soc_prev))
                    continue
            pb.accept()
            self.t += dt
            self.step_no += 1
            self.record(stage=st.name, stats=stats, dt=dt)
            if stats.newton_iterations <= tc.easy_newton:
                dt *= tc.growth
            if rate == 0 and abs(self.soc - soc_prev) > tc.max_dsoc:
                dt *= tc.max_dsoc / abs(self.soc - soc_prev)
            if st.max_time is not None and self.t - t_start >= st.max_time * (1 - 1e-12):
                break
            if target is not None and sign * (self.soc - target) >= -1e-9:
                break
            if limit is not None:
                lo, hi = self.post.surface_theta_range()
                if (rate > 0 and hi >= limit) or (rate < 0 and lo <= limit):
                    log.info("stage %s: surface theta reached the cut-off %.4g at SOC %.4f", st.name, limit, self.soc)
                    break
        self.dt = dt

    def _too_deep(self, stats) -> bool:
        """After a converged step: if an obstacle or pair is penetrated deeper than
        ``contact.max_penetration``, double its penalty and ask for the step again (at most
        six doublings; then :class:`SolverFailure`)."""
        pb, tol = self.pb, self.case.contact.max_penetration
        defaults = pb.contact_alphas()
        if not defaults:
            return False
        m = pb.contact_metrics()
        deep = [name for name in defaults if m[f"contact_{name}_penetration_max_m"] > tol]
        if not deep:
            return False
        pb.w.x.array[:] = pb.w_n.x.array
        for name in deep:
            alpha = self.alpha.get(name, defaults[name]) * 2
            if alpha > 64 * defaults[name]:
                raise SolverFailure(f"contact {name!r}: penetration {m[f'contact_{name}_penetration_max_m']:.3g} m "
                                    f"exceeds contact.max_penetration = {tol:.3g} m even with the penalty x64",
                                    time=self.t, dt=0.0, reason="penetration")
            self.alpha[name] = alpha
            pb.set_penalty(name, alpha)
            log.info("contact %s: penetration %.3g m > %.3g m; penalty alpha -> %g, step repeated", name,
                     m[f"contact_{name}_penetration_max_m"], tol, alpha)
        return True

    # ------------------------------------------------------------------ records
    def record(self, stage: str, stats, dt: float):
        self.post.update_fields()
        m = self.post.metrics()
        self.soc = m["soc"]
        row = {"step": self.step_no, "time_s": self.t, "dt_s": dt, "stage": stage, **m,
               "newton_iterations": stats.newton_iterations if stats else 0,
               "krylov_iterations": stats.krylov_iterations if stats else 0,
               "assembly_s": stats.assembly_time if stats else 0.0,
               "step_wall_s": stats.total_time if stats else 0.0,
               "wall_s": time.perf_counter() - self.wall0}
        self.history.append(row)
        self.rd.append_history(row)
        if self.step_no % self.case.output.fields_every == 0:
            self.writer.write(self.t)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{stage} SOC={self.soc:.3f} t={self.t:.4g}s dt={dt:.3g}s newton={row['newton_iterations']}")
            self.bar.update(1)

    def render_snapshot(self, path: Path):
        from anodemech import plotting

        try:
            plotting.render_von_mises(self.comm, self.post, path)
            self.rendered = True
        except Exception as exc:  # rendering is an extra; record why it is missing
            log.warning("rendering %s failed: %s", path.name, exc)
            self.rd.info.setdefault("warnings", []).append(f"rendering failed: {exc}")
