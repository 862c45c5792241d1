"""Cost per Newton iteration of the 3D core-shell problem versus mesh size, ranks and linear solver.

Problem: octant of a 75 nm Si core with a 10 nm carbon shell, P2 displacement + P1 theta,
``PhysicsOptions(stress_coupling=False, transport="ideal")``, galvanostatic 1C. ``--models``
also times the core with J2 plasticity: ``plastic`` (the database LixSi yield stress, 2 GPa
-> 0.43 GPa: the core stays elastic over the few timed steps, so this is the cost of the
return-map forms alone) and ``plastic_flowing`` (yield stress 20 MPa: the core flows in
every timed step). Per
configuration: one start-up step, then ``--steps`` timed steps of ``--dt`` seconds; only the
timed steps are reported.

Mesh sizes are chosen from target total dof counts (``--targets``) with the geometry's own cell
estimate (``CoreShellParams.estimate_cells``) and ``--dofs-per-cell``; the actual dofs are
printed. ``h_surface = --surface-ratio * h_core``, capped at the shell thickness.

Peak memory is ``ru_maxrss`` (max over ranks) read after each configuration. It is the
process's peak so far: run one size per process (the default loop in RESULTS.md does) and
list the iterative solver first, so that its figure is not inflated by a direct factorisation.

Usage:
    ./containers/run python3 benchmarks/bench_core_shell.py --targets 2e4 5e4 --linear iterative direct
    ./containers/run mpirun -n 2 python3 benchmarks/bench_core_shell.py --targets 5e5 --linear iterative
    ./containers/run python3 benchmarks/bench_core_shell.py --targets 2e4 5e4 --linear iterative --models elastic plastic plastic_flowing

No timing assertions: this only measures and prints.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time

import numpy as np
from mpi4py import MPI

import dolfinx

from anodemech.geometry.spheres import CoreShellParams, build_core_shell
import dataclasses

from anodemech.materials import DATABASE, PLASTICITY_DATABASE
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions

CORE_RADIUS = 75e-9
SHELL = 10e-9


def params_for_target(target_dofs: float, dofs_per_cell: float, surface_ratio: float) -> CoreShellParams:
    """Mesh sizes whose estimated dof count is ``target_dofs`` (bisection on h_core, log scale)."""

    def make(hc):
        return CoreShellParams(core_radius=CORE_RADIUS, shell_thickness=SHELL, h_core=hc,
                               h_surface=min(surface_ratio * hc, SHELL), variant="octant")

    def est(hc):
        return dofs_per_cell * make(hc).estimate_cells()

    lo, hi = math.log(CORE_RADIUS / 200), math.log(CORE_RADIUS / 2)  # est decreases with h
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if est(math.exp(mid)) > target_dofs:
            lo = mid
        else:
            hi = mid
    return make(math.exp(0.5 * (lo + hi)))


def peak_rss_gb(comm) -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return comm.allreduce(kb, op=MPI.MAX) / 1024**2


#: core material per --models name (the shell is elastic carbon throughout)
CORE_MODELS = {
    "elastic": DATABASE["LixSi"],
    "plastic": dataclasses.replace(DATABASE["LixSi"], plasticity=PLASTICITY_DATABASE["LixSi"]),
    "plastic_flowing": dataclasses.replace(DATABASE["LixSi"], plasticity=dataclasses.replace(
        PLASTICITY_DATABASE["LixSi"], yield_stress=20e6, yield_stress_full=20e6)),
}


def run_config(comm, md, linear: str, steps: int, dt: float, c_rate: float, model: str = "elastic") -> dict:
    mats = {"core": CORE_MODELS[model], "shell": DATABASE["carbon"]}
    phys = PhysicsOptions(stress_coupling=False, transport="ideal", displacement_degree=2)
    t0 = time.perf_counter()
    prob = ChemoMechanicalProblem(comm, md, mats, phys, linear=linear)
    setup = time.perf_counter() - t0
    prob.set_galvanostatic(prob.flux_for_c_rate(c_rate))
    imap = prob.W.dofmap.index_map
    dofs = imap.size_global * prob.W.dofmap.index_map_bs

    rows = []
    for k in range(steps + 1):  # step 0 is the start-up step
        s = prob.step(dt)
        if not s.converged:
            return {"linear": linear, "model": model, "dofs": dofs, "failed": f"step {k}: {s.reason}", "setup_s": setup}
        prob.accept()
        rows.append(s)
    timed = rows[1:]
    # timings: max over ranks (the slowest rank sets the pace)
    asm = comm.allreduce(sum(s.assembly_time for s in timed), op=MPI.MAX)
    tot = comm.allreduce(sum(s.total_time for s in timed), op=MPI.MAX)
    nits = sum(s.newton_iterations for s in timed)
    kits = sum(s.krylov_iterations for s in timed)
    out = {
        "linear": linear, "model": model, "dofs": dofs, "ranks": comm.size, "setup_s": setup,
        "newton_per_step": [s.newton_iterations for s in timed],
        "startup_newton": rows[0].newton_iterations, "startup_s": comm.allreduce(rows[0].total_time, op=MPI.MAX),
        "krylov_per_newton": kits / max(nits, 1),
        "asm_per_newton": asm / max(nits, 1), "solve_per_newton": (tot - asm) / max(nits, 1),
        "total_per_newton": tot / max(nits, 1),
        "peak_gb": peak_rss_gb(comm), "soc": prob.soc(),
    }
    if prob.history is not None:  # largest equivalent plastic strain at the quadrature points
        alpha = prob.history.alpha.x.array
        out["plastic_strain_max"] = comm.allreduce(float(alpha.max()) if alpha.size else 0.0, op=MPI.MAX)
    prob.solver.destroy()
    return out


def slope(rows) -> float | None:
    pts = [(r["dofs"], r["total_per_newton"]) for r in rows if "failed" not in r]
    if len({d for d, _ in pts}) < 2:
        return None
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


def table(rows) -> str:
    head = ("| dofs | cells | h_core / h_surface [nm] | ranks | linear | core model | Newton its/step | Krylov its/Newton "
            "| assembly s/Newton | solve s/Newton | total s/Newton | peak mem GB (max rank) |")
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        geo = f"{r['h_core'] * 1e9:.2f} / {r['h_surface'] * 1e9:.2f}"
        model = r.get("model", "elastic")
        if "plastic_strain_max" in r:
            model += f" (max eps_p {r['plastic_strain_max']:.2g})"
        if "failed" in r:
            lines.append(f"| {r['dofs']:.3g} | {r['cells']} | {geo} | {r['ranks']} | {r['linear']} | {model} | FAILED: {r['failed']} | | | | | |")
            continue
        lines.append(
            f"| {r['dofs']:.3g} | {r['cells']} | {geo} | {r['ranks']} | {r['linear']} | {model} "
            f"| {','.join(map(str, r['newton_per_step']))} | {r['krylov_per_newton']:.1f} "
            f"| {r['asm_per_newton']:.3g} | {r['solve_per_newton']:.3g} | {r['total_per_newton']:.3g} | {r['peak_gb']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=float, nargs="+", default=[2e4, 5e4, 1e5, 2.5e5, 5e5],
                    help="target total dofs (actual dofs are printed)")
    ap.add_argument("--linear", nargs="+", default=["iterative", "direct"], choices=["iterative", "direct"])
    ap.add_argument("--direct-max", type=float, default=1.5e5,
                    help="skip the direct solver above this many target dofs (memory/time)")
    ap.add_argument("--models", nargs="+", default=["elastic"], choices=sorted(CORE_MODELS),
                    help="core material models to time (elastic, plastic, plastic_flowing)")
    ap.add_argument("--steps", type=int, default=3, help="timed steps after the start-up step")
    ap.add_argument("--dt", type=float, default=30.0)
    ap.add_argument("--c-rate", type=float, default=1.0)
    ap.add_argument("--dofs-per-cell", type=float, default=5.2, help="calibration of target dofs -> mesh size")
    ap.add_argument("--surface-ratio", type=float, default=0.5, help="h_surface / h_core")
    ap.add_argument("--jsonl", default=None, help="append one JSON line per configuration to this file")
    ap.add_argument("--report", nargs="+", default=None, metavar="JSONL",
                    help="only print the table and growth exponents from earlier --jsonl files")
    args = ap.parse_args(argv)

    comm = MPI.COMM_WORLD
    if args.report:
        if comm.rank == 0:
            rows = [json.loads(line) for fn in args.report for line in open(fn) if line.strip()]
            rows.sort(key=lambda r: (r["ranks"], r["linear"] != "iterative", r["dofs"]))
            print(table(rows))
            for ranks in sorted({r["ranks"] for r in rows}):
                for linear in ("iterative", "direct"):
                    s = slope([r for r in rows if r["linear"] == linear and r["ranks"] == ranks
                               and r.get("model", "elastic") == "elastic"])
                    if s is not None:
                        print(f"\ngrowth exponent of time per Newton iteration vs dofs ({linear}, {ranks} rank(s)): {s:.2f}")
        return 0
    say = (lambda *a: print(*a, flush=True)) if comm.rank == 0 else (lambda *a: None)
    say(f"# DOLFINx {dolfinx.__version__}, PETSc {'.'.join(map(str, __import__('petsc4py').PETSc.Sys.getVersion()))}, "
        f"{comm.size} rank(s)")
    rows, skipped = [], []
    for target in args.targets:
        p = params_for_target(target, args.dofs_per_cell, args.surface_ratio)
        t0 = time.perf_counter()
        md = build_core_shell(comm, p)
        tmesh = time.perf_counter() - t0
        cells = md.mesh.topology.index_map(3).size_global
        say(f"## target {target:.3g}: h_core={p.h_core * 1e9:.2f} nm h_surface={p.h_surface * 1e9:.2f} nm, "
            f"{cells} cells, mesh {tmesh:.1f} s")
        for linear in args.linear:
            if linear == "direct" and target > args.direct_max:
                skipped.append(f"direct skipped at target {target:.3g} dofs (> --direct-max {args.direct_max:.3g})")
                say(skipped[-1])
                continue
            for model in args.models:
                r = run_config(comm, md, linear, args.steps, args.dt, args.c_rate, model)
                r.update(ranks=comm.size, cells=cells, h_core=p.h_core, h_surface=p.h_surface, target=target,
                         mesh_s=tmesh)
                rows.append(r)
                say(json.dumps(r))
                if args.jsonl and comm.rank == 0:
                    with open(args.jsonl, "a") as f:
                        f.write(json.dumps(r) + "\n")
    say("")
    say(table(rows))
    for linear in args.linear:
        for model in args.models:
            s = slope([r for r in rows if r["linear"] == linear and r.get("model", "elastic") == model])
            if s is not None:
                say(f"\ngrowth exponent of time per Newton iteration vs dofs ({linear}, {model}, {comm.size} rank(s)): {s:.2f}")
    for s in skipped:
        say(f"\nnote: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
