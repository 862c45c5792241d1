"""Run a case: mesh, coupled problem, loading stages with adaptive backward Euler, outputs.

Time stepping: with ``time.control = "error"`` (default) the step size follows a local
error estimate of backward Euler (:mod:`anodemech.timestep`); every stage starts with
``dt_initial``. Steps are further limited by the optional caps ``dt_max`` and ``max_dsoc``
(SOC per step; galvanostatic: exactly, from the applied current) and by the stage's end,
which galvanostatic stages hit exactly because the SOC grows linearly in time. A step whose
SNES solve fails is retried with ``dt * cutback``; below ``dt_min`` the run stops with
:class:`SolverFailure`, after writing the last converged state. With ``control =
"newton"``, steps that need at most ``easy_newton`` Newton iterations let the next step
grow by ``growth`` (no accuracy control).
"""

from __future__ import annotations

import json
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
from anodemech.timestep import StepController

log = logging.getLogger("anodemech")

#: galvanostatic cut-off (stage ``theta_limit``): a step that carries the extreme nodal theta
#: of the Li-storing regions past the limit is repeated shorter (secant), and the stage ends
#: once the extreme is within this distance of the limit, on its near side [-].
THETA_CUTOFF_TOL = 1e-3


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


def run_case(case: Case, out: str | Path, comm, progress: bool = True, restart: bool = False) -> RunResult:
    """Run ``case`` into the fresh directory ``out``, or (``restart=True``) continue the
    unfinished run in ``out`` from its newest restart point.

    A restart rebuilds the same Gmsh mesh, reads the state (u, theta) and the stepper's
    variables (time, step, next dt, stage, raised penalties), truncates ``history.csv`` to
    the restart step and goes on; it may use another number of ranks.

    Raises:
        CaseError: ``out`` is not a new or empty directory (a restart: not an unfinished
            run with a restart point, or the case differs from the run's inputs), or the
            geometry needs physics the solver does not have yet (2D variants); raised
            before ``out`` is made or changed.
        SolverFailure: the time step fell below ``time.dt_min`` (the directory keeps the
            last converged state and is marked failed).
    """
    check_runnable(case)  # before the run directory exists
    wall0 = time.perf_counter()
    if restart:
        rd = aio.RunDirectory.reopen(out, comm)
        _check_same_inputs(rd.info.get("inputs", {}), case.resolved())
        info = rd.info
        info.update(status="running", restarts=info.get("restarts", 0) + 1, ranks=comm.size)
    else:
        rd = aio.RunDirectory(out, comm)
        info = {"status": "running", "started": aio._now(), "ranks": comm.size, "versions": aio.versions(),
                "git_revision": aio.git_revision(Path(__file__).parent), "inputs": case.resolved()}
    rd.write_json(info)
    md = build_mesh(comm, case)
    if not restart:
        aio.write_mesh_xdmf(comm, rd.path / "mesh.xdmf", md)
    try:
        pb = ChemoMechanicalProblem(comm, md, case.materials, case.physics, linear=case.solver.linear,
                                    petsc_options=case.solver.petsc, obstacles=case.contact.obstacles,
                                    fixed_points=case.supports, pairs=case.contact.pairs, spring=case.contact.spring,
                                    pressures=case.loads.pressures())
    except (KeyError, ValueError) as exc:  # a surface or support the mesh does not have; a pressure on an interface
        msg = str(exc).strip("'\"")
        if msg.startswith("pressure"):
            raise CaseError("loads.pressure", msg) from None
        if isinstance(exc, ValueError):
            raise
        raise CaseError("contact" if ("obstacle" in msg or "contact pair" in msg) else "supports", msg) from None
    post = PostProcessor(pb)
    from anodemech.post import select_fields

    writer = aio.FieldWriter(comm, rd.path, md.mesh, select_fields(post.functions, case.output.fields),
                             checkpoint=case.output.checkpoint, restart=restart)
    ndofs = pb.W.dofmap.index_map.size_global * pb.W.dofmap.index_map_bs
    info.update(mesh={"cells": md.mesh.topology.index_map(3).size_global, "dofs": ndofs, "regions": md.cell_names,
                      "surfaces": md.facet_names},
                capacity_mol=pb.capacity, flux_surfaces=pb.flux_surfaces, flux_surface_area_m2=pb.flux_area,
                solver_prefix=pb.solver.prefix, petsc_options={k: str(v) for k, v in pb.solver.options.items()})
    rd.write_json(info)
    log.info("mesh: %d cells, %d dofs on %d rank(s); capacity %.4g mol", info["mesh"]["cells"], ndofs, comm.size, pb.capacity)

    stepper = _Stepper(case, pb, post, rd, writer, comm, progress, wall0)
    resume = None
    if restart:
        resume = stepper.resume()
        replayed = writer.replay(resume["time_s"])  # the fields before the kill join the new series
        if replayed:
            post.update_fields()
            log.info("restart: %d stored field times copied into fields.bp", replayed)
    try:
        _run_stages(case, stepper, rd, resume)
    except SolverFailure as exc:
        stepper.write_fields()  # the last converged state (w was reset to w_n)
        rd.finish("failed", failure={"message": str(exc), "time_s": exc.time, "dt_s": exc.dt, "reason": exc.reason},
                  wall_time_s=stepper.wall_time())
        raise
    finally:
        writer.close()
        stepper.close()
        pb.solver.destroy()
    if case.output.plots and comm.rank == 0:
        from anodemech import plotting

        plotting.history_plots(rd.path / "history.csv", rd.path)
    rd.finish("complete", wall_time_s=stepper.wall_time(), steps=stepper.step_no, final_soc=stepper.soc)
    log.info("run complete: %s (%d steps, %.1f s wall)", rd.path, stepper.step_no, stepper.wall_time())
    return RunResult(rd.path, "complete", stepper.step_no, stepper.t, stepper.soc, stepper.history)


def _check_same_inputs(stored: dict, now: dict):
    """A restart must continue the same problem: every resolved input but the case file's
    path, its description and the output settings must be equal."""
    ignore = {"case_file", "description", "output"}
    if "loads" not in stored and not now.get("loads", {}).get("pressure"):
        ignore.add("loads")  # a run written before [loads] existed, continued without loads
    a = json.loads(json.dumps({k: v for k, v in stored.items() if k not in ignore}, default=str))
    b = json.loads(json.dumps({k: v for k, v in now.items() if k not in ignore}, default=str))
    if a != b:
        diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        raise CaseError("--restart", f"the case differs from the run's inputs in {', '.join(diff)}",
                        "the same case file and --set values as the interrupted run (output.* may differ)")


def _run_stages(case: Case, stepper: "_Stepper", rd, resume: dict | None = None):
    first = 0
    if resume is None:
        stepper.preload()
        stepper.record(stage="initial", stats=None, dt=0.0)
    else:
        first = resume["stage_index"] + (1 if resume["stage_done"] else 0)
    for i, stage in enumerate(case.stages):
        if i < first:
            continue
        mid = resume is not None and i == resume["stage_index"] and not resume["stage_done"]
        stepper.run_stage(stage, i, resume_t0=resume["stage_t0"] if mid else None)
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
        self.wall_before = 0.0  # wall time of earlier segments of a restarted run [s]
        self.restarts = aio.RestartPoints(comm, rd.path) if (case.output.restart_every or case.output.restart_minutes) else None
        self.last_restart_wall = time.perf_counter()
        tc = case.time
        self.control = (StepController(comm, pb.theta_dofs, pb.u_dofs, tc.theta_tol, tc.u_rtol, tc.growth,
                                       theta_map=pb.theta_values)
                        if tc.control == "error" else None)
        self.rejected = 0  # steps repeated because their local error was too large
        self._fields_step, self._fields_soc = None, None  # step and SOC of the last field time
        self.bar = None
        if progress and comm.rank == 0:
            from tqdm import tqdm

            self.bar = tqdm(total=None, unit="step", dynamic_ncols=True, leave=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()

    def wall_time(self) -> float:
        """Wall time of the run over all its segments [s]."""
        return self.wall_before + time.perf_counter() - self.wall0

    # ------------------------------------------------------------------ restart
    def _state_functions(self):
        """Collapsed copies of u and theta (adios4dolfinx writes no mixed functions), and
        the plastic history (quadrature functions, stored as they are; dofs None)."""
        from dolfinx import fem

        pb = self.pb
        u, th = fem.Function(pb.V_u, name="u"), fem.Function(pb.V_theta, name="theta")
        out = {"u": (u, pb.u_dofs), "theta": (th, pb.theta_dofs)}
        if pb.history is not None:
            out["be_bar"] = (pb.history.be_bar, None)
            out["plastic_strain"] = (pb.history.alpha, None)
        return out

    def checkpoint_if_due(self, stage_index: int, stage_t0: float, stage_done: bool):
        """Write a restart point after an accepted step if ``output.restart_every`` steps or
        ``output.restart_minutes`` of wall time have passed (the decision is rank 0's)."""
        if self.restarts is None:
            return
        out = self.case.output
        due = (out.restart_every and self.step_no % out.restart_every == 0) or (
            out.restart_minutes and time.perf_counter() - self.last_restart_wall >= 60.0 * out.restart_minutes)
        if not self.comm.bcast(bool(due), root=0):
            return
        funcs = self._state_functions()
        for f, dofs in funcs.values():
            if dofs is not None:
                f.x.array[:] = self.pb.w.x.array[dofs]
        state = {"time_s": self.t, "dt_s": self.dt, "stage_index": stage_index, "stage_t0": stage_t0,
                 "stage_done": stage_done, "soc": self.soc, "alpha": self.alpha, "rendered": self.rendered,
                 "wall_s": self.wall_time(), "ranks": self.comm.size, "rejected": self.rejected,
                 "fields_step": self._fields_step, "fields_soc": self._fields_soc}
        out = {k: f for k, (f, _) in funcs.items()}
        if self.control is not None and self.control.ready and not stage_done:  # the error estimate's predictor
            state["dt_prev_s"] = self.control.dt_prev
            for k, f in self._previous_functions().items():
                out[k] = f
        self.restarts.write(self.step_no, out, state)
        self.last_restart_wall = time.perf_counter()

    def _previous_functions(self, fill: bool = True) -> dict:
        """u and theta of the state before the last accepted step (the predictor of the
        error estimate), as collapsed functions; ``fill`` copies them from the controller."""
        from dolfinx import fem

        pb = self.pb
        out = {"u_prev": fem.Function(pb.V_u, name="u_prev"), "theta_prev": fem.Function(pb.V_theta, name="theta_prev")}
        if fill:
            out["u_prev"].x.array[:] = self.control.prev[pb.u_dofs]
            out["theta_prev"].x.array[:] = self.control.prev[pb.theta_dofs]
        return out

    def resume(self) -> dict:
        """Load the newest restart point into the problem and the stepper; returns it."""
        funcs = self._state_functions()
        prev = self._previous_functions(fill=False) if self.control is not None else {}
        doc = self.restarts.read({k: f for k, (f, _) in funcs.items()}, optional=prev)
        w = self.pb.w
        for f, dofs in funcs.values():
            if dofs is not None:
                w.x.array[dofs] = f.x.array
        w.x.scatter_forward()
        if self.control is not None and "dt_prev_s" in doc:
            for f in prev.values():
                f.x.scatter_forward()
            x = w.x.array.copy()
            x[self.pb.u_dofs] = prev["u_prev"].x.array
            x[self.pb.theta_dofs] = prev["theta_prev"].x.array
            self.control.accepted(x, doc["dt_prev_s"])
        self.rejected = doc.get("rejected", 0)
        self._fields_step, self._fields_soc = doc.get("fields_step", doc["step"]), doc.get("fields_soc", doc["soc"])
        self.pb.w_n.x.array[:] = w.x.array
        self.t, self.dt, self.step_no, self.soc = doc["time_s"], doc["dt_s"], doc["step"], doc["soc"]
        self.rendered, self.wall_before = doc["rendered"], doc["wall_s"]
        for name, alpha in doc["alpha"].items():
            self.alpha[name] = alpha
            self.pb.set_penalty(name, alpha)
        self.history = self.rd.truncate_history(self.step_no)
        self.post.update_fields()
        log.info("restart from step %d: t = %.6g s, SOC %.4f, stage %d (written on %d rank(s))", self.step_no, self.t,
                 self.soc, doc["stage_index"], doc["ranks"])
        return doc

    # ------------------------------------------------------------------ loads
    def preload(self):
        """Bring the initial state into equilibrium with the surface pressures
        (``[loads.pressure]``) at t = 0, before the first stage: solves with no Li flux and a
        step of ``time.dt_min`` (the time is not advanced). The load is applied at once; if
        Newton fails, in increments (halved on each failure, at least 1/64 of the load).
        Contacts deeper than ``contact.max_penetration`` double their penalty, as in a step.

        Raises:
            SolverFailure: no convergence with increments of 1/64.
        """
        loads = {s: p for s, p in self.case.loads.pressures().items() if p > 0}
        if not loads:
            return
        pb = self.pb
        pb.set_galvanostatic(0.0)
        done, inc, solves = 0.0, 1.0, 0
        while done < 1.0:
            f = min(1.0, done + inc)
            for s, p in loads.items():
                pb.set_pressure(s, f * p)
            stats = pb.step(self.case.time.dt_min)
            solves += 1
            if stats.converged and self._too_deep(stats):  # contact.max_penetration: penalty doubled
                continue
            if stats.converged:
                pb.accept()
                done = f
                continue
            inc /= 2
            if inc < 1.0 / 64:
                raise SolverFailure(f"loads.pressure: no equilibrium at {f:.3g} x the load (increments down to 1/64)",
                                    time=0.0, dt=self.case.time.dt_min, reason=stats.reason)
        log.info("loads: pressure %s in equilibrium (%d solve(s))",
                 ", ".join(f"{s} = {p / 1e6:.4g} MPa" for s, p in loads.items()), solves)
        self.rd.info["preload"] = {"pressure_Pa": loads, "solves": solves}
        self.rd.write_json(self.rd.info)

    # ------------------------------------------------------------------ stages
    def run_stage(self, st: Stage, index: int = 0, resume_t0: float | None = None):
        """Run stage ``st`` (number ``index``) to its end; ``resume_t0`` (the stage's start
        time [s]) continues a stage that a restart point interrupted."""
        pb, tc = self.pb, self.case.time
        rate = 0.0  # dSOC/dt [1/s] for galvanostatic stages
        galvanostatic_kinetic = st.mode == "kinetic" and st.potential is None
        if st.mode == "galvanostatic" or galvanostatic_kinetic:
            flux = pb.flux_for_c_rate(st.c_rate) if st.c_rate is not None else st.current_density / FARADAY
            rate = flux * pb.flux_area / pb.capacity
            if galvanostatic_kinetic:  # the same Li rate, carried by Butler-Volmer at one potential
                pb.set_kinetic_galvanostatic(flux * pb.flux_area)
                limit = None
            else:
                pb.set_galvanostatic(flux)
                limit = st.theta_limit if st.theta_limit is not None else (1.0 if rate > 0 else 0.0)
            if resume_t0 is None:
                self.dt = tc.dt_initial if self.control else max(self.dt, tc.dt_initial)  # after a hold on tiny steps
        else:
            if st.mode == "kinetic":
                pb.set_kinetic(st.potential)
            else:
                pb.set_potentiostatic(st.surface_theta)
            limit = None
            if resume_t0 is None:
                self.dt = min(self.dt, tc.dt_initial)  # the surface value or potential jumps: start small
        applied = {"stage": st.name, "mode": st.mode, "start_time_s": self.t, "start_soc": self.soc}
        if st.mode == "galvanostatic" or galvanostatic_kinetic:
            applied.update(flux_mol_m2_s=flux, current_density_A_m2=flux * FARADAY, soc_rate_per_s=rate,
                           c_rate=rate * 3600.0)
            if galvanostatic_kinetic:
                applied.update(cutoff_potential_V=st.cutoff_potential)
        elif st.mode == "kinetic":
            applied.update(potential_V=st.potential)
        else:
            applied.update(surface_theta=st.surface_theta)
        if resume_t0 is None:
            self.rd.info.setdefault("applied_loading", []).append(applied)
            self.rd.write_json(self.rd.info)
        target = st.until_soc
        sign = 0 if target is None else (1 if target > self.soc else -1)
        if target is not None and rate != 0 and sign != (1 if rate > 0 else -1):
            log.warning("stage %s: SOC %.4f is already past until_soc %.4f; stage skipped", st.name, self.soc, target)
            return
        log.info("stage %s (%s): from SOC %.4f, t = %.4g s", st.name, st.mode, self.soc, self.t)
        if self.control is not None and resume_t0 is None:
            self.control.reset()  # the loading changes: the previous slope predicts nothing
        t_start = self.t if resume_t0 is None else resume_t0
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
            est = None
            if self.control is not None and self.control.ready:
                est = self.control.estimate(pb.w.x.array, pb.w_n.x.array, dt)
                if not est.accepted and dt > tc.dt_min:
                    pb.w.x.array[:] = pb.w_n.x.array
                    self.rejected += 1
                    log.debug("step rejected at t = %.6g s: local error %.3g x tolerance (theta %.3g, u %.3g)",
                              self.t, est.err, est.theta, est.u_rel)
                    dt = max(tc.dt_min, self.control.propose(dt, est.err))
                    continue
            if limit is not None:  # galvanostatic cut-off: land on it instead of stepping past it
                sgn = 1.0 if rate > 0 else -1.0
                ext = self._theta_extreme(sgn)
                if sgn * (ext - limit) > 0:
                    ext_n = self._theta_extreme(sgn, pb.w_n.x.array)
                    pb.w.x.array[:] = pb.w_n.x.array
                    if dt <= tc.dt_min * (1 + 1e-9) or sgn * (limit - ext_n) <= THETA_CUTOFF_TOL:
                        log.info("stage %s: theta %.6g is at the cut-off %.4g (SOC %.4f); stage ends at the last "
                                 "accepted step", st.name, ext_n, limit, self.soc)
                        self.write_fields()
                        self.checkpoint_if_due(index, t_start, True)
                        break
                    aim = limit - sgn * THETA_CUTOFF_TOL / 2
                    frac = min(0.9, max(0.05, (aim - ext_n) / (ext - ext_n)))
                    dt = max(tc.dt_min, dt * frac)
                    continue
            soc_prev = self.soc
            if rate == 0 and target is not None:
                soc_new = self.post.soc()
                if sign * (soc_new - target) > 1e-4 and dt > tc.dt_min:  # overshoot: retry shorter (secant)
                    pb.w.x.array[:] = pb.w_n.x.array
                    dt = max(tc.dt_min, 0.95 * dt * (target - soc_prev) / (soc_new - soc_prev))
                    continue
            if self.control is not None:
                self.control.accepted(pb.w_n.x.array, dt)
            pb.accept()
            self.t += dt
            self.step_no += 1
            self.record(stage=st.name, stats=stats, dt=dt, err=est.err if est is not None else float("nan"))
            if self.control is not None:
                if est is not None:
                    dt = self.control.propose(dt, est.err)
            elif stats.newton_iterations <= tc.easy_newton:
                dt *= tc.growth
            if rate == 0 and abs(self.soc - soc_prev) > tc.max_dsoc:
                dt *= tc.max_dsoc / abs(self.soc - soc_prev)
            done = st.max_time is not None and self.t - t_start >= st.max_time * (1 - 1e-12)
            done = done or (target is not None and sign * (self.soc - target) >= -1e-9)
            if not done and limit is not None:
                sgn = 1.0 if rate > 0 else -1.0
                ext = self._theta_extreme(sgn)
                if sgn * (ext - limit) >= -THETA_CUTOFF_TOL:
                    log.info("stage %s: theta %.6g reached the cut-off %.4g at SOC %.4f", st.name, ext, limit, self.soc)
                    done = True
            if not done and galvanostatic_kinetic and st.cutoff_potential is not None:
                V = float(pb.potential.value)
                if (rate > 0 and V <= st.cutoff_potential) or (rate < 0 and V >= st.cutoff_potential):
                    log.info("stage %s: potential %.4g V reached the cut-off %.4g V at SOC %.4f", st.name, V,
                             st.cutoff_potential, self.soc)
                    done = True
            self.dt = dt
            if done:
                self.write_fields()  # every stage's end is a field time
            self.checkpoint_if_due(index, t_start, done)
            if done:
                break
        self.dt = dt

    def _theta_extreme(self, sgn: float, x=None) -> float:
        """Largest (``sgn`` > 0) or smallest nodal theta of the Li-storing regions."""
        lo, hi = self.post.theta_range(x)
        return hi if sgn > 0 else lo

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
    def record(self, stage: str, stats, dt: float, err: float = float("nan")):
        self.post.update_fields()
        m = self.post.metrics()
        self.soc = m["soc"]
        row = {"step": self.step_no, "time_s": self.t, "dt_s": dt, "stage": stage, **m,
               "newton_iterations": stats.newton_iterations if stats else 0,
               "krylov_iterations": stats.krylov_iterations if stats else 0,
               "assembly_s": stats.assembly_time if stats else 0.0,
               "step_wall_s": stats.total_time if stats else 0.0,
               "local_error": err, "rejected_steps": self.rejected,
               "wall_s": self.wall_time()}
        self.history.append(row)
        self.rd.append_history(row)
        out = self.case.output
        if (self._fields_step is None or (out.fields_every and self.step_no % out.fields_every == 0)
                or (out.fields_dsoc and abs(self.soc - self._fields_soc) >= out.fields_dsoc * (1 - 1e-9))):
            self.write_fields()
        if self.bar is not None:
            self.bar.set_postfix_str(f"{stage} SOC={self.soc:.3f} t={self.t:.4g}s dt={dt:.3g}s newton={row['newton_iterations']}")
            self.bar.update(1)

    def write_fields(self):
        """Write the fields at the current time, once per step."""
        if self._fields_step != self.step_no:
            self.writer.write(self.t)
            self._fields_step, self._fields_soc = self.step_no, self.soc

    def render_snapshot(self, path: Path):
        from anodemech import plotting

        try:
            plotting.render_von_mises(self.comm, self.post, path)
            self.rendered = True
        except Exception as exc:  # rendering is an extra; record why it is missing
            log.warning("rendering %s failed: %s", path.name, exc)
            self.rd.info.setdefault("warnings", []).append(f"rendering failed: {exc}")
