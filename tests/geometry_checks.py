"""Checks shared by the geometry tests (any number of MPI ranks; every function is collective).

* :func:`measure`: region volume / surface area (2D: area / length) summed over ranks;
* :func:`check_mesh`: every named group non-empty, analytic measures within ``rtol``,
  Gmsh quality above 0.1;
* :func:`contact_geometry`: min distance between the two surfaces of a contact pair and
  whether their outward normals face each other there;
* :func:`fingerprint`: a rank-independent digest of a mesh (determinism checks).
"""

from __future__ import annotations

import hashlib

import numpy as np
from mpi4py import MPI

import dolfinx

from anodemech.geometry.measure import count, facet_nodes, measure  # noqa: F401  (re-exported for the tests)


def check_mesh(md, params, rtol: float = 0.01) -> dict[str, float]:
    """Assert the general geometry requirements; returns ``{group: relative error}``.

    Raises:
        AssertionError: an empty group, a measure off by more than ``rtol``, a region of the
            params missing from the mesh, or min quality <= 0.1.
    """
    for name in list(md.cell_names) + list(md.facet_names):
        assert count(md, name) > 0, f"group {name!r} is empty"
    assert set(params.regions()) == set(md.cell_names), (params.regions(), md.cell_names)
    errors = {}
    for name, expected in params.measures().items():
        assert name in md.cell_names or name in md.facet_names, f"expected group {name!r} missing"
        got = measure(md, name)
        errors[name] = got / expected - 1.0
        assert abs(errors[name]) <= rtol, f"{name}: measured {got:.6g}, analytic {expected:.6g} ({errors[name]:+.3%})"
    assert min(md.quality.values()) > 0.1, md.quality
    for pair in md.contact_pairs:
        assert pair.surface_a in md.facet_names and pair.surface_b in md.facet_names, pair
    return errors


def _surface_vertices_normals(md, name):
    """Owned+ghost vertex coordinates of surface ``name`` with area-weighted outward normals,
    gathered on every rank: ``(x (n, 3), n (n, 3))``."""
    mesh = md.mesh
    tdim = mesh.topology.dim
    nodes = facet_nodes(md, md.facets(name), owned=True)
    x = mesh.geometry.x
    if len(nodes):
        f2c = mesh.topology.connectivity(tdim - 1, tdim)
        # the body a surface belongs to: on an interface with a meshed void ("void" region,
        # third-medium contact) the cell that is not in the void
        n_cells = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
        in_void = np.zeros(n_cells, dtype=bool)
        if "void" in md.cell_names:
            in_void[md.cells("void")] = True
        owned = md.facets(name)[md.facets(name) < mesh.topology.index_map(tdim - 1).size_local]
        cells = np.array([next((c for c in f2c.links(f) if not in_void[c]), f2c.links(f)[0]) for f in owned])
        cnodes = dolfinx.mesh.entities_to_geometry(mesh, tdim, cells.astype(np.int32), False)
        cmid = x[cnodes].mean(axis=1)
        fmid = x[nodes].mean(axis=1)
        if tdim == 3:
            nrm = np.cross(x[nodes[:, 1]] - x[nodes[:, 0]], x[nodes[:, 2]] - x[nodes[:, 0]])
        else:
            t = x[nodes[:, 1]] - x[nodes[:, 0]]
            nrm = np.stack([t[:, 1], -t[:, 0], np.zeros(len(t))], axis=1)
        flip = np.einsum("ij,ij->i", nrm, fmid - cmid) < 0
        nrm[flip] *= -1
        vx = x[nodes.ravel()]
        vn = np.repeat(nrm, nodes.shape[1], axis=0)
    else:
        vx, vn = np.zeros((0, 3)), np.zeros((0, 3))
    allx = np.concatenate(mesh.comm.allgather(vx))
    alln = np.concatenate(mesh.comm.allgather(vn))
    key = np.round(allx / max(np.abs(allx).max(), 1e-30), 12)
    _, inv = np.unique(key, axis=0, return_inverse=True)
    inv = inv.ravel()
    n_unique = inv.max() + 1
    ux = np.zeros((n_unique, 3))
    un = np.zeros((n_unique, 3))
    ux[inv] = allx
    np.add.at(un, inv, alln)
    un /= np.linalg.norm(un, axis=1)[:, None]
    return ux, un


def contact_geometry(md, pair) -> dict[str, float]:
    """Distance and orientation between the two surfaces of ``pair`` (collective).

    Returns:
        ``{"min_distance": m, "normal_dot": n_a . n_b at the closest vertex pair}``; facing
        surfaces give ``normal_dot`` near -1 (outward normals, i.e. out of each body; on an
        interface with a meshed "void" region, out of the solid into the void).
    """
    from scipy.spatial import cKDTree

    xa, na = _surface_vertices_normals(md, pair.surface_a)
    xb, nb = _surface_vertices_normals(md, pair.surface_b)
    d, j = cKDTree(xb).query(xa)
    i = int(np.argmin(d))
    # average normals over all near-closest vertices (a point contact may hit an edge vertex)
    close = d <= d[i] + 1e-9 * max(np.abs(xa).max(), 1e-30)
    dots = np.einsum("ij,ij->i", na[close], nb[j[close]])
    return {"min_distance": float(d[i]), "normal_dot": float(dots.mean())}


def fingerprint(md) -> str:
    """Digest of sorted cell-vertex coordinates and tag values, independent of the
    partition (collective)."""
    mesh = md.mesh
    tdim = mesh.topology.dim
    n_own = mesh.topology.index_map(tdim).size_local
    cells = np.arange(n_own, dtype=np.int32)
    nodes = dolfinx.mesh.entities_to_geometry(mesh, tdim, cells, False) if n_own else np.zeros((0, tdim + 1), dtype=np.int32)
    mids = mesh.geometry.x[nodes].mean(axis=1) if n_own else np.zeros((0, 3))
    tag = np.zeros(n_own)
    tag_map = dict(zip(md.cell_tags.indices, md.cell_tags.values))
    tag[:] = [tag_map.get(c, 0) for c in cells]
    scale = mesh.comm.allreduce(float(np.abs(mesh.geometry.x).max()), op=MPI.MAX)
    rows = np.concatenate(mesh.comm.allgather(np.column_stack([np.round(mids / scale, 9), tag])))
    rows = rows[np.lexsort(rows.T[::-1])]
    return hashlib.sha256(rows.tobytes()).hexdigest()
