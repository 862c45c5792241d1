"""Measures of tagged groups of a :class:`~anodemech.geometry.base.MeshData` (collective).

Used by ``anodemech mesh`` (its ``mesh.json`` report) and by the geometry tests.
"""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

import dolfinx
import ufl


def facet_nodes(md, facets, owned: bool = False) -> np.ndarray:
    """Geometry node indices of ``facets``, shape ``(n, tdim)`` (DOLFINx 0.9's
    ``entities_to_geometry`` raises SIGFPE on an empty list, which a rank may have)."""
    mesh = md.mesh
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, mesh.topology.dim)
    facets = np.asarray(facets, dtype=np.int32)
    if owned:
        facets = facets[facets < mesh.topology.index_map(fdim).size_local]
    if len(facets) == 0:
        return np.zeros((0, fdim + 1), dtype=np.int32)
    return dolfinx.mesh.entities_to_geometry(mesh, fdim, facets, False)


def measure(md, name: str) -> float:
    """Volume of region / area of surface ``name`` (2D: area / length) [SI], summed over
    ranks. Surfaces use their owned facets' vertices, so interfaces count once.

    Raises:
        KeyError: ``name`` is not a group of ``md``.
    """
    comm = md.mesh.comm
    if name in md.cell_names:
        dx = ufl.Measure("dx", domain=md.mesh, subdomain_data=md.cell_tags)(md.cell_names[name])
        one = dolfinx.fem.Constant(md.mesh, 1.0)
        return comm.allreduce(dolfinx.fem.assemble_scalar(dolfinx.fem.form(one * dx)), op=MPI.SUM)
    if name not in md.facet_names:
        raise KeyError(name)
    nodes = facet_nodes(md, md.facets(name), owned=True)
    x = md.mesh.geometry.x
    if nodes.shape[1] == 2:  # segments
        local = np.linalg.norm(x[nodes[:, 1]] - x[nodes[:, 0]], axis=1).sum()
    else:
        e1, e2 = x[nodes[:, 1]] - x[nodes[:, 0]], x[nodes[:, 2]] - x[nodes[:, 0]]
        local = 0.5 * np.linalg.norm(np.cross(e1, e2), axis=1).sum()
    return comm.allreduce(float(local), op=MPI.SUM)


def count(md, name: str) -> int:
    """Global number of cells (region) or facets (surface) in group ``name``."""
    mesh = md.mesh
    tdim = mesh.topology.dim
    if name in md.cell_names:
        local = np.count_nonzero(md.cells(name) < mesh.topology.index_map(tdim).size_local)
    else:
        mesh.topology.create_entities(tdim - 1)
        local = np.count_nonzero(md.facets(name) < mesh.topology.index_map(tdim - 1).size_local)
    return mesh.comm.allreduce(int(local), op=MPI.SUM)


def report(md, params) -> dict:
    """JSON-ready summary: cell/vertex counts, per group count, measure and analytic value,
    quality, contact pairs (collective)."""
    mesh = md.mesh
    tdim = mesh.topology.dim
    expected = params.measures()
    groups = {}
    for kind, names in (("region", md.cell_names), ("surface", md.facet_names)):
        for name, tag in names.items():
            g = {"kind": kind, "tag": int(tag), "entities": count(md, name), "measure": measure(md, name)}
            if name in expected:
                g["analytic"] = expected[name]
                g["relative_error"] = g["measure"] / expected[name] - 1.0
            groups[name] = g
    return {
        "variant": md.variant,
        "gdim": int(mesh.geometry.dim),
        "cells": int(mesh.topology.index_map(tdim).size_global),
        "vertices": int(mesh.topology.index_map(0).size_global),
        "units": "m (measures: m^3 / m^2, 2D: m^2 / m)",
        "quality": md.quality,
        "groups": groups,
        "contact_pairs": [{"name": c.name, "surface_a": c.surface_a, "surface_b": c.surface_b, "gap_m": c.gap}
                          for c in md.contact_pairs],
        "points_m": {k: [float(x) for x in v] for k, v in md.points.items()},
        "li_entry": [list(e) for e in md.li_entry],
    }
