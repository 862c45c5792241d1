"""Sample a stored field along a line, like ParaView's Plot Over Line.

Reads the run's adios4dolfinx checkpoint (``checkpoint.bp``). Coordinates are those of
run.json, i.e. SI metres in the reference (undeformed) configuration.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from anodemech.errors import CaseError

#: field name -> value shape (all fields are discontinuous P1)
FIELD_SHAPES = {"u": (3,), "sigma": (3, 3), "theta": (), "c": (), "J": (), "von_mises": (), "hydrostatic": (),
                "radial": (), "hoop": (), "region": ()}


def probe_line(comm, rundir: str | Path, field: str, p0, p1, n: int, time: float | None = None):
    """Values of ``field`` at ``n`` equally spaced points from ``p0`` to ``p1`` [m].

    Returns:
        ``(t, points, values)``: the stored time used [s], points of shape ``(n, 3)`` and
        values of shape ``(n,)`` or ``(n, k)`` (NaN outside the mesh).

    Raises:
        CaseError: unknown field, missing checkpoint, or ``n < 2``.
    """
    import adios4dolfinx
    import basix.ufl
    import dolfinx.fem as fem
    import dolfinx.geometry as dg

    ck = Path(rundir) / "checkpoint.bp"
    if field not in FIELD_SHAPES:
        raise CaseError("--field", f"unknown field {field!r}", ", ".join(FIELD_SHAPES))
    if not ck.exists():
        raise CaseError("RUNDIR", f"{ck} not found (was the run written with output.checkpoint = true?)")
    if n < 2:
        raise CaseError("--points", f"{n}", ">= 2")
    mesh = adios4dolfinx.read_mesh(ck, comm)
    shape = FIELD_SHAPES[field]
    V = fem.functionspace(mesh, basix.ufl.element("DG", mesh.basix_cell(), 1, shape=shape if shape else None))
    f = fem.Function(V)
    times = np.asarray(adios4dolfinx.read_timestamps(ck, comm, function_name=field))
    t = times[-1] if time is None else times[np.argmin(np.abs(times - time))]
    adios4dolfinx.read_function(ck, f, time=t, name=field)
    pts = np.linspace(np.asarray(p0, float), np.asarray(p1, float), n)
    tree = dg.bb_tree(mesh, mesh.topology.dim)
    cand = dg.compute_collisions_points(tree, pts)
    hits = dg.compute_colliding_cells(mesh, cand, pts)
    size = int(np.prod(shape)) if shape else 1
    vals = np.full((n, size), np.nan)
    idx = [i for i in range(n) if len(hits.links(i))]
    if idx:
        vals[idx] = f.eval(pts[idx], np.array([hits.links(i)[0] for i in idx], dtype=np.int32)).reshape(len(idx), size)
    # points found on several ranks: take any finite value
    from mpi4py import MPI

    vals = np.where(np.isnan(vals), -np.inf, vals)
    out = np.empty_like(vals)
    comm.Allreduce(vals, out, op=MPI.MAX)
    vals = out
    vals[np.isneginf(vals)] = np.nan
    return float(t), pts, (vals[:, 0] if size == 1 else vals)
