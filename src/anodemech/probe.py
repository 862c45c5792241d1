"""Sample a stored field along a line, like ParaView's Plot Over Line.

Reads the run's adios4dolfinx checkpoint (``checkpoint.bp``). Coordinates are those of
run.json, i.e. SI metres in the reference (undeformed) configuration.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from anodemech import compat
from anodemech.errors import CaseError

#: field name -> value shape (all fields are discontinuous P1)
FIELD_SHAPES = {"u": (3,), "sigma": (3, 3), "theta": (), "c": (), "J": (), "von_mises": (), "hydrostatic": (),
                "radial": (), "hoop": (), "region": ()}


def locate_cells(mesh, points) -> np.ndarray:
    """For each point [m] (shape ``(n, 3)``), a local owned cell containing it, or -1.

    Bounding-box candidates are checked with barycentric coordinates (affine simplices),
    keeping the candidate whose smallest barycentric coordinate is largest. DOLFINx's
    ``compute_colliding_cells`` is not used: its absolute distance tolerance accepts every
    candidate on nanometre-sized meshes (measured with DOLFINx 0.9), so ``Function.eval``
    would extrapolate from a neighbour cell.
    """
    import dolfinx.geometry as dg

    tdim = mesh.topology.dim
    n_owned = mesh.topology.index_map(tdim).size_local
    x, dofmap = mesh.geometry.x[:, :tdim], compat.geometry_dofmap(mesh)
    tree = dg.bb_tree(mesh, tdim, entities=np.arange(n_owned, dtype=np.int32))
    points = np.asarray(points, dtype=np.float64)
    cand = dg.compute_collisions_points(tree, points)
    cells = np.full(len(points), -1, dtype=np.int32)
    for i, p in enumerate(points):
        best, best_min = -1, -1e-8
        for c in cand.links(i):
            X = x[dofmap[c][: tdim + 1]]
            lam = np.linalg.solve((X[1:] - X[0]).T, p[:tdim] - X[0])
            lmin = min(1.0 - lam.sum(), lam.min())
            if lmin > best_min:
                best, best_min = c, lmin
        cells[i] = best
    return cells


def evaluate(comm, f, points) -> np.ndarray:
    """Values of ``f`` at ``points`` [m] (shape ``(n, 3)``) on every rank.

    Returns:
        shape ``(n,)`` for scalars, ``(n, k)`` otherwise; NaN where no rank holds the point.
    """
    from mpi4py import MPI

    points = np.asarray(points, dtype=np.float64)
    cells = locate_cells(f.function_space.mesh, points)
    size = int(np.prod(f.ufl_shape)) if f.ufl_shape else 1
    vals = np.full((len(points), size), -np.inf)
    idx = np.flatnonzero(cells >= 0)
    if idx.size:
        vals[idx] = f.eval(points[idx], cells[idx]).reshape(idx.size, size)
    out = np.empty_like(vals)
    comm.Allreduce(vals, out, op=MPI.MAX)
    out[np.isneginf(out)] = np.nan
    return out[:, 0] if size == 1 else out


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
    return float(t), pts, evaluate(comm, f, pts)
