"""The ``anodemech`` command line (argparse).

Commands: ``run``, ``mesh``, ``probe``, ``info``, ``materials``. Errors in the case file
or arguments print one line naming the key and exit with status 2 before any computation.
"""

from __future__ import annotations

import argparse
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

    sub.add_parser("info", help="print versions")
    sub.add_parser("materials", help="list the material database with sources")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    from anodemech.errors import CaseError, SolverFailure

    try:
        return {"run": _run, "mesh": _mesh, "probe": _probe, "info": _info, "materials": _materials,
                "geometries": _geometries}[args.command](args)
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
    """``mpirun`` prefix for ``n`` ranks on this machine (root and oversubscription allowed)."""
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
    out = Path(args.out) if args.out else _default_out(case.name)
    if args.ranks > 1:
        if args.ranks > 64:
            from anodemech.errors import CaseError

            raise CaseError("-n", f"{args.ranks} ranks", "1..64")
        cmd = [*mpirun_command(args.ranks), sys.executable, "-m", "anodemech", "run", args.case, "--out", str(out)]
        cmd += [f"--set={s}" for s in args.set]
        cmd += ["--no-progress"] * args.no_progress + ["-q"] * args.quiet
        return subprocess.call(cmd)
    comm = _comm()
    import logging

    from anodemech.log import setup_logging
    from anodemech.run import run_case

    setup_logging(comm, logging.WARNING if args.quiet else logging.INFO)
    out = comm.bcast(out, root=0)
    res = run_case(case, out, comm, progress=not args.no_progress)
    if comm.rank == 0:
        print(f"results: {res.path}")
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
    return 0
