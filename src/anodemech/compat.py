"""The one place that knows which DOLFINx version is installed (0.9, 0.10, 0.11).

Everything else in anodemech calls these helpers instead of branching on versions.
Differences handled here (measured on Debian trixie 0.9.0 and sid 0.11):

* Gmsh I/O: ``dolfinx.io.gmshio.model_to_mesh`` (0.9) returns a tuple; from 0.10 the
  module is ``dolfinx.io.gmsh`` and returns a ``MeshData`` object.
* ``dolfinx.fem.petsc.create_vector`` takes a form in 0.9 and a function space (or a
  list of spaces) from 0.10.
* ``dolfinx.fem.petsc.NonlinearProblem`` is a Newton-solver problem in 0.9 and an SNES
  wrapper from 0.10. anodemech drives PETSc SNES itself (``anodemech.solver``) and only
  needs the assembly functions, which are stable over 0.9-0.11.
"""

from __future__ import annotations

import dolfinx
import dolfinx.fem.petsc as _fem_petsc

DOLFINX_VERSION: tuple[int, int] = tuple(int(p) for p in dolfinx.__version__.split(".")[:2])  # type: ignore[assignment]

# FFCx waits at most ``timeout`` seconds (default 10) for another process that compiles the
# same form, then raises TimeoutError. Parallel test workers and sweep runs compile the same
# forms at once, and an -O3 compile of a Jacobian takes longer than 10 s on a loaded
# machine (measured: a kinetic run failed at start-up that way), so wait up to 10 minutes.
JIT_TIMEOUT_S = 600
import dolfinx.jit as _jit  # noqa: E402

_jit.DOLFINX_DEFAULT_JIT_OPTIONS["timeout"] = (JIT_TIMEOUT_S, _jit.DOLFINX_DEFAULT_JIT_OPTIONS["timeout"][1])


def model_to_mesh(model, comm, rank: int, gdim: int):
    """Convert the current Gmsh model to a distributed DOLFINx mesh.

    Args:
        model: ``gmsh.model`` holding a meshed model with physical groups (on ``rank``).
        comm: MPI communicator the mesh is distributed over.
        rank: rank that holds the Gmsh model.
        gdim: geometric dimension (2 or 3).

    Returns:
        ``(mesh, cell_tags, facet_tags)``; the tags' values are the Gmsh physical-group tags.
        Cells sharing a facet across ranks are ghosted, so interior-facet integrals (``dS``
        over an interface) are complete in parallel.
    """
    from dolfinx.mesh import GhostMode, create_cell_partitioner

    if DOLFINX_VERSION >= (0, 10):  # from 0.10 the partitioner also takes the facet-to-cell link limit
        partitioner = create_cell_partitioner(GhostMode.shared_facet, 2)
    else:
        partitioner = create_cell_partitioner(GhostMode.shared_facet)
    if DOLFINX_VERSION >= (0, 10):
        from dolfinx.io import gmsh as gmsh_io

        data = gmsh_io.model_to_mesh(model, comm, rank, gdim=gdim, partitioner=partitioner)
        return data.mesh, data.cell_tags, data.facet_tags
    from dolfinx.io import gmshio

    mesh, cell_tags, facet_tags = gmshio.model_to_mesh(model, comm, rank, gdim=gdim, partitioner=partitioner)
    return mesh, cell_tags, facet_tags


def create_vector(form, space):
    """A PETSc vector compatible with the compiled linear ``form`` on ``space``."""
    if DOLFINX_VERSION >= (0, 10):
        return _fem_petsc.create_vector(space)
    return _fem_petsc.create_vector(form)


def interpolation_points(element):
    """Reference interpolation points of a DOLFINx finite element (method in 0.9, property later)."""
    pts = element.interpolation_points
    return pts() if callable(pts) else pts


def vtx_writer(comm, filename, functions, engine: str = "BP4"):
    """A ``dolfinx.io.VTXWriter`` for ``functions`` (all on one space), with the same call on all versions."""
    return dolfinx.io.VTXWriter(comm, str(filename), functions, engine=engine)


def geometry_dofmap(mesh):
    """Cell -> geometry-node array, shape ``(num_cells, nodes_per_cell)`` (``dofmap`` is deprecated from 0.10)."""
    g = mesh.geometry
    if DOLFINX_VERSION >= (0, 10):
        dm = g.dofmaps
        return dm(0) if callable(dm) else dm[0]
    return g.dofmap


def adios2_mode(name: str):
    """``adios2.Mode.<name>`` as adios4dolfinx resolves it (the enum sits in ``adios2`` or in
    ``adios2.bindings`` depending on the ADIOS2 version)."""
    from adios4dolfinx import adios2_helpers

    return getattr(adios2_helpers.adios2.Mode, name)
