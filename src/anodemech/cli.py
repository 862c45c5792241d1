"""The ``anodemech`` command line (argparse).

Commands: ``run``, ``mesh``, ``sweep`` (expand, run, collect, task), ``report``, ``slurm``, ``paraview``,
``probe``, ``geometries``, ``info``, ``materials``. Errors in the case file
or arguments print one line naming the key and exit with status 2 before any computation.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="anodemech", description="Finite-strain chemo-mechanics of swelling battery anodes.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a case file")
    r.add_argument("case", help="case file (TOML)")
    r.add_argument("--out", help="new run directory (default results/<case>/<UTC timestamp>)")
    r.add_argument("--restart", metavar="RUNDIR", help="continue this unfinished run from its newest restart point")
    r.add_argument("-n", "--ranks", type=int, default=1, help="MPI ranks (re-launches itself with mpirun)")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a case value (TOML syntax), e.g. --set geometry.h_core='20 nm' --set stages.0.until_soc=0.2")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("-q", "--quiet", action="store_true", help="warnings only")

    m = sub.add_parser("mesh", help="mesh a case's geometry: mesh.msh (Gmsh), mesh.xdmf (ParaView, with tags), mesh.json")
    m.add_argument("case")
    m.add_argument("--out", help="output directory (default results/<case>/mesh)")
    m.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a case value, e.g. --set geometry.variant='full'")

    g = sub.add_parser("geometries", help="list the geometry builders with their parameters, defaults and units")
    g.add_argument("builder", nargs="?", help="only this builder")

    pr = sub.add_parser("probe", help="sample a field along a line (like ParaView's Plot Over Line)")
    pr.add_argument("rundir")
    pr.add_argument("--field", required=True, help="u, sigma, theta, c, J, von_mises, hydrostatic, radial, hoop, region")
    pr.add_argument("--line", nargs=2, required=True, metavar=("X0,Y0,Z0", "X1,Y1,Z1"), help="end points in metres (reference configuration)")
    pr.add_argument("--points", type=int, default=101)
    pr.add_argument("--time", type=float, help="time [s] (nearest stored); default last")
    pr.add_argument("-o", "--output", help="CSV file (default stdout)")

    sw = sub.add_parser("sweep", help="parameter sweeps of a case with a [sweep] table")
    swsub = sw.add_subparsers(dest="sweep_command", required=True)
    e = swsub.add_parser("expand", help="list the runs of the sweep (id, values, status)")
    sr = swsub.add_parser("run", help="run the sweep locally (skips complete runs; resumable)")
    sc = swsub.add_parser("collect", help="write the results index (index.csv, index.parquet with pyarrow)")
    st = swsub.add_parser("task", help="run one run of the sweep by its index (a SLURM array task)")
    for q in (e, sr, sc, st):
        q.add_argument("case", help="case file with a [sweep] table")
        q.add_argument("--out", help="sweep directory (default results/<case>/sweep)")
    sr.add_argument("--jobs", type=int, default=1, help="runs at a time")
    sr.add_argument("--ranks-per-run", type=int, default=1, help="MPI ranks of each run")
    sr.add_argument("--no-progress", action="store_true")
    st.add_argument("--index", type=int, required=True, help="run index (0-based), e.g. $SLURM_ARRAY_TASK_ID")
    st.add_argument("--ranks", type=int, default=1, help="MPI ranks of the run")

    rp = sub.add_parser("report", help="Markdown + HTML report of a run or a sweep directory")
    rp.add_argument("path", metavar="SWEEP_OR_RUN")
    rp.add_argument("--format", choices=("md", "html", "both"), default="both")

    pv = sub.add_parser("paraview", help="write paraview_view.py (pvpython) with the standard views of a run or sweep")
    pv.add_argument("path", metavar="RUN_OR_SWEEP")

    sl = sub.add_parser("slurm", help="write (and submit) an sbatch job array for a sweep")
    sl.add_argument("case", help="case file with a [sweep] table")
    sl.add_argument("--out", help="sweep directory (default results/<case>/sweep)")
    sl.add_argument("--partition", required=True)
    sl.add_argument("--time", required=True, help="time limit per run, HH:MM:SS")
    sl.add_argument("--ntasks", type=int, default=1, help="MPI ranks per run")
    sl.add_argument("--array-max", type=int, help="at most this many runs at once")
    sl.add_argument("--container", help="Apptainer image (.sif) to run in")
    sl.add_argument("--mpi-launcher", default="mpirun", help="mpirun (default) or srun")
    sl.add_argument("--dry-run", action="store_true", help="write the script, do not submit")

    sub.add_parser("info", help="print versions")
    sub.add_parser("materials", help="list the material database with sources")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    from anodemech.errors import CaseError, SolverFailure

    try:
        return {"run": _run, "mesh": _mesh, "probe": _probe, "info": _info, "materials": _materials,
                "geometries": _geometries, "sweep": _sweep, "report": _report, "slurm": _slurm,
                "paraview": _paraview}[args.command](args)
    except CaseError as exc:
        print(f"anodemech: error: {exc}", file=sys.stderr)
        return 2
    except SolverFailure as exc:
        print(f"anodemech: solver failure: {exc}", file=sys.stderr)
        return 3


def _comm():
    from mpi4py import MPI

    return MPI.COMM_WORLD  # the CLI is the one place that picks the world communicator


def mpirun_command(n: int) -> list[str]:
    """``mpirun`` prefix for ``n`` ranks on this machine (root and oversubscription allowed),
    or ``srun --ntasks n`` when ``ANODEMECH_MPI_LAUNCHER=srun`` (set by ``anodemech slurm``)."""
    if os.environ.get("ANODEMECH_MPI_LAUNCHER") == "srun":
        return ["srun", "--ntasks", str(n)]
    exe = shutil.which("mpirun") or shutil.which("mpiexec")
    if exe is None:
        raise FileNotFoundError("mpirun not found: install openmpi-bin (containers/packages.txt)")
    cmd = [exe, "-n", str(n), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    return cmd


def _default_out(case_name: str) -> Path:
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    return Path("results") / case_name / stamp


def _run(args) -> int:
    from anodemech.case import load_case, settings_to_overrides

    case = load_case(args.case, settings_to_overrides(args.set))  # validate before anything, also before mpirun
    if "sweep" in case.raw and not os.environ.get("ANODEMECH_SWEEP_RUN"):
        from anodemech.sweep import load_sweep

        sw = load_sweep(args.case)  # a bad [sweep] table is an error here too
        print(f"anodemech: note: {args.case} defines a sweep of {len(sw.runs)} runs; this runs its base case only "
              "(anodemech sweep run runs the sweep)", file=sys.stderr)
    if args.restart and args.out:
        from anodemech.errors import CaseError

        raise CaseError("--restart", "give either --out (a new run) or --restart (an unfinished one)")
    out = Path(args.restart or args.out) if (args.restart or args.out) else _default_out(case.name)
    if args.ranks > 1:
        if args.ranks > 64:
            from anodemech.errors import CaseError

            raise CaseError("-n", f"{args.ranks} ranks", "1..64")
        cmd = [*mpirun_command(args.ranks), sys.executable, "-m", "anodemech", "run", args.case,
               "--restart" if args.restart else "--out", str(out)]
        cmd += [f"--set={s}" for s in args.set]
        cmd += ["--no-progress"] * args.no_progress + ["-q"] * args.quiet
        return subprocess.call(cmd)
    comm = _comm()
    import logging

    from anodemech.log import setup_logging
    from anodemech.run import run_case

    setup_logging(comm, logging.WARNING if args.quiet else logging.INFO)
    out = comm.bcast(out, root=0)
    res = run_case(case, out, comm, progress=not args.no_progress, restart=bool(args.restart))
    if comm.rank == 0:
        print(f"results: {res.path}")
    return 0


def _sweep_setup(args):
    from anodemech.sweep import SweepDirectory, load_sweep

    sweep = load_sweep(args.case)  # every run validated before anything runs
    return sweep, SweepDirectory(sweep, args.out or SweepDirectory.default_path(sweep))


def _sweep(args) -> int:
    import logging

    from anodemech import sweep as sw
    from anodemech.errors import CaseError
    from anodemech.log import setup_logging

    sweep, sd = _sweep_setup(args)
    setup_logging(_comm(), logging.INFO)
    if args.sweep_command == "expand":
        print(f"sweep {sweep.name}: {len(sweep.runs)} runs over {', '.join(sweep.keys)} -> {sd.path}")
        for r in sweep.runs:
            print(f"{r.index:4d}  {r.run_id}  {sd.status(r):10s}  " + "  ".join(f"{k}={v}" for k, v in r.values.items()))
        return 0
    if args.sweep_command == "collect":
        path, rows = sw.collect(sweep, sd)
        counts = {s: sum(r["status"] == s for r in rows) for s in ("complete", "failed", "incomplete", "pending")}
        print(f"index: {path} ({len(rows)} runs: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ")")
        return 0
    if args.sweep_command == "task":
        run = sweep.run(args.index)
        sd.prepare()
        outcome = sw.execute(sweep, sd, run, args.ranks)
        print(f"run {run.index} ({run.run_id}): {outcome}")
        return 0 if outcome in ("done", "complete", "busy") else 1
    for name, v in (("--jobs", args.jobs), ("--ranks-per-run", args.ranks_per_run)):
        if not 1 <= v <= 64:
            raise CaseError(name, f"{v}", "1..64")
    counts = sw.run_sweep(sweep, sd, jobs=args.jobs, ranks=args.ranks_per_run, progress=not args.no_progress)
    path, _ = sw.collect(sweep, sd)
    print(f"sweep {sd.path}: {counts['complete'] + counts['done']}/{len(sweep.runs)} complete, {counts['failed']} failed, "
          f"{counts['busy']} running elsewhere; index {path}")
    return 0 if counts["failed"] == 0 else 1


def _report(args) -> int:
    from anodemech.report import write_report

    fmts = ("md", "html") if args.format == "both" else (args.format,)
    for f in write_report(args.path, fmts):
        print(f"report: {f}")
    return 0


def _paraview(args) -> int:
    from anodemech.paraview import write_paraview_script

    print(f"ParaView script: {write_paraview_script(args.path)} (run it with pvpython, or in ParaView's Python shell)")
    return 0


def _slurm(args) -> int:
    from anodemech.slurm import sbatch_script, write_and_submit

    sweep, sd = _sweep_setup(args)
    script = sbatch_script(sweep, sd, args.partition, args.time, args.ntasks, args.array_max, args.container,
                           args.mpi_launcher)
    path, job = write_and_submit(sweep, sd, script, args.dry_run)
    print(f"sbatch script: {path}" + (f"; submitted as job {job}" if job else " (dry run, not submitted)"))
    return 0


def _mesh(args) -> int:
    from anodemech.case import load_case, settings_to_overrides
    from anodemech.geometry.export import export_mesh

    case = load_case(args.case, settings_to_overrides(args.set))
    comm = _comm()
    out = Path(args.out) if args.out else Path("results") / case.name / "mesh"
    md, rep = export_mesh(comm, case.builder, case.geometry, out, extra={"case": case.name})
    if comm.rank == 0:
        print(f"mesh: {out}/mesh.msh, mesh.xdmf, mesh.json ({rep['cells']} cells, min quality "
              f"{min(md.quality.values()):.3f}; regions {list(md.cell_names)}; surfaces {list(md.facet_names)})")
        for c in md.contact_pairs:
            print(f"contact pair {c.name}: {c.surface_a} / {c.surface_b}, gap {c.gap:.3g} m")
    return 0


def _format_value(value, unit: str) -> str:
    """A default for display: lengths in nm / um / m, as a case file may write them."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_format_value(v, unit) for v in value) + "]"
    if unit == "m" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == 0 or abs(value) >= 1e-3:
            return f'"{value:g} m"'
        scale, name = (1e-9, "nm") if abs(value) < 1e-6 else (1e-6, "um")
        return f'"{round(value / scale, 9):g} {name}"'
    return repr(value)


def _geometries(args) -> int:
    from anodemech.errors import CaseError
    from anodemech.geometry import BUILDERS
    from anodemech.geometry.base import params_fields

    names = sorted(BUILDERS)
    if args.builder:
        if args.builder not in BUILDERS:
            raise CaseError("builder", f"unknown builder {args.builder!r}", ", ".join(names))
        names = [args.builder]
    for name in names:
        cls, _ = BUILDERS[name]
        summary = (cls.__doc__ or "").strip().splitlines()[0]
        print(f"{name}: {summary}")
        print(f"    variants: {', '.join(cls.variants())} (default {cls.variants()[0]})")
        for field_name, default, unit, desc in params_fields(cls):
            print(f"    {field_name} = {_format_value(default, unit)}  [{unit}]  {desc}")
        print()
    return 0


def _probe(args) -> int:
    import numpy as np

    from anodemech.errors import CaseError
    from anodemech.probe import probe_line

    try:
        p0, p1 = ([float(v) for v in s.split(",")] for s in args.line)
    except ValueError:
        raise CaseError("--line", f"{args.line}", "two points X,Y,Z in metres") from None
    if len(p0) != 3 or len(p1) != 3:
        raise CaseError("--line", f"{args.line}", "two points X,Y,Z in metres")
    comm = _comm()
    t, pts, vals = probe_line(comm, args.rundir, args.field, p0, p1, args.points, args.time)
    if comm.rank != 0:
        return 0
    vals = vals.reshape(len(pts), -1)
    s = np.linalg.norm(pts - pts[0], axis=1)
    names = [args.field] if vals.shape[1] == 1 else [f"{args.field}_{i}" for i in range(vals.shape[1])]
    lines = [f"# time_s={t:.9g}", ",".join(["x_m", "y_m", "z_m", "arc_length_m", *names])]
    lines += [",".join(f"{v:.9g}" for v in (*p, si, *row)) for p, si, row in zip(pts, s, vals)]
    text = "\n".join(lines) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def _info(args) -> int:
    from anodemech.io import versions

    for k, v in versions().items():
        print(f"{k:14s} {v}")
    print(f"{'python':14s} {sys.version.split()[0]}")
    print(f"{'route':14s} {os.environ.get('ANODEMECH_ROUTE_USED', 'direct')}")
    return 0


def _materials(args) -> int:
    from anodemech.materials import DATABASE

    for name, m in DATABASE.items():
        print(f"{name}: E={m.E / 1e9:g} GPa" + (f" -> {m.E_full / 1e9:g} GPa at theta=1" if m.E_full else "")
              + f", nu={m.nu}, c_max={m.c_max:.4g} mol/m^3, Omega={m.Omega:.4g} m^3/mol"
              + f" (dV/V0 = {100 * m.volume_expansion_full:.0f} %), D={m.D:.3g} m^2/s")
        for k, src in m.sources.items():
            print(f"    {k}: {src}")
        if m.note:
            print(f"    note: {m.note}")
    from anodemech.materials import FRACTURE_DATABASE, KINETICS_DATABASE, PLASTICITY_DATABASE

    for title, db in (("plasticity sets (region key plasticity = true; SI: Pa)", PLASTICITY_DATABASE),
                      ("fracture sets (region key fracture = true; SI: Pa, J/m^2, m)", FRACTURE_DATABASE),
                      ("kinetics sets (region key kinetics = true; SI: A/m^2, V)", KINETICS_DATABASE)):
        print(f"\n{title}:")
        for name, d in db.items():
            vals = {f.name: getattr(d, f.name) for f in dataclasses.fields(d) if f.name != "sources"}
            print(f"{name}: " + ", ".join(f"{k}={_short(v)}" for k, v in vals.items() if v is not None))
            for k, src in d.sources.items():
                print(f"    {k}: {src}")
    return 0


def _short(value) -> str:
    """A database value for a one-line listing (numbers in %g, tables by their end rows)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, tuple)):
        return str(value)
    if isinstance(value, tuple):
        return f"[{value[0]} ... {value[-1]}] ({len(value)} rows)"
    return f"{value:g}"
