"""Running Gmsh for the builders: one rank builds, all ranks get the distributed mesh.

A builder supplies a *model function* ``model(gmsh, params, L) -> ModelInfo`` that creates
the OpenCASCADE geometry in units of ``L = params.length_scale()``, adds the named physical
groups (:func:`add_groups`) and the size fields (:func:`refine`). :func:`build_with_gmsh`
does the rest: deterministic options, meshing, optimisation, the quality check, the
conversion to DOLFINx and the scaling back to metres.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from anodemech import compat
from anodemech.errors import CaseError
from anodemech.geometry.base import MeshData

MIN_QUALITY = 0.1  # lowest accepted min SICN / gamma after optimisation


@dataclass
class ModelInfo:
    """What a model function reports besides the Gmsh model (lengths in model units).

    Attributes:
        points: named mesh vertices, shape ``(3,)`` each (see :class:`MeshData`).
        centre: particle centre, shape ``(3,)``.
        axis: axis direction of a cylindrical body, shape ``(3,)``, or None.
        li_entry: see :class:`MeshData`.
    """

    points: dict[str, tuple] = field(default_factory=dict)
    centre: tuple = (0.0, 0.0, 0.0)
    axis: tuple | None = None
    li_entry: tuple[tuple[str, str], ...] = (("outer_surface", "core"),)


def add_groups(gmsh, groups: dict[tuple[int, str], list[int]], order: list[str] | None = None) -> dict[str, int]:
    """Add physical groups ``{(dim, name): [entity tags]}`` with tags 1, 2, ... in the order
    regions (highest dimension) first, then surfaces, each in insertion order.

    Raises:
        RuntimeError: a group has no entities (a builder bug or a degenerate geometry).
    """
    tags = {}
    for dim in sorted({d for d, _ in groups}, reverse=True):
        for (d, name), ents in groups.items():
            if d != dim:
                continue
            if not ents:
                raise RuntimeError(f"physical group {name!r} has no entities")
            tags[name] = gmsh.model.addPhysicalGroup(dim, sorted(set(ents)), tag=len(tags) + 1, name=name)
    return tags


def distance_threshold(gmsh, kind: str, entities, h: float, h_coarse: float, reach: float | None = None) -> int:
    """Size field (model units): ``h`` within ``reach`` (default ``h``) of the entities,
    ramping linearly to ``h_coarse`` at ``reach + 2 h_coarse``. ``kind`` is
    "SurfacesList", "CurvesList" or "PointsList". Returns the Threshold field tag (not yet
    the background mesh)."""
    reach = h if reach is None else max(reach, h)
    fd = gmsh.model.mesh.field
    dist = fd.add("Distance")
    fd.setNumbers(dist, kind, list(entities))
    if kind != "PointsList":
        dim = 2 if kind == "SurfacesList" else 1
        extent = max(float(np.ptp(bbox(gmsh, dim, e), axis=0).max()) for e in entities)
        fd.setNumber(dist, "Sampling", sampling(extent, h))
    thr = fd.add("Threshold")
    for key, val in (("InField", dist), ("SizeMin", h), ("SizeMax", h_coarse), ("DistMin", reach),
                     ("DistMax", reach + 2 * h_coarse)):
        fd.setNumber(thr, key, val)
    return thr


def refine(gmsh, h_fine: float, h_coarse: float, surfaces=(), curves=(), points=(), h_point: float | None = None,
           extra_fields=(), point_reach: float | None = None) -> int:
    """Background size field: ``h_fine`` within ``h_fine`` of the given entities, ramping to
    ``h_coarse`` at ``h_fine + 2 h_coarse`` (model units). ``points`` may get the finer size
    ``h_point`` (contact points), within ``point_reach`` of them (a contact zone).
    Returns the field tag (already the background mesh)."""
    parts = list(extra_fields)
    fd = gmsh.model.mesh.field
    if surfaces:
        parts.append(distance_threshold(gmsh, "SurfacesList", surfaces, h_fine, h_coarse))
    if curves:
        parts.append(distance_threshold(gmsh, "CurvesList", curves, h_fine, h_coarse))
    if points:
        parts.append(distance_threshold(gmsh, "PointsList", points, h_point or h_fine, h_coarse, point_reach))
    if not parts:
        const = fd.add("MathEval")
        fd.setString(const, "F", repr(float(h_coarse)))
        parts.append(const)
    top = parts[0]
    if len(parts) > 1:
        top = fd.add("Min")
        fd.setNumbers(top, "FieldsList", parts)
    fd.setAsBackgroundMesh(top)
    for opt, val in (("MeshSizeFromPoints", 0), ("MeshSizeFromCurvature", 0), ("MeshSizeExtendFromBoundary", 0),
                     ("MeshSizeMax", h_coarse), ("MeshSizeMin", min(h_fine, h_point or h_fine) / 4)):
        gmsh.option.setNumber(f"Mesh.{opt}", val)
    return top


def surfaces_of(gmsh, volumes) -> list[int]:
    """Boundary surface tags of the given volume tags (oriented duplicates removed)."""
    out = gmsh.model.getBoundary([(3, v) for v in volumes], combined=False, oriented=False)
    return sorted({abs(t) for _, t in out})


def bbox(gmsh, dim: int, tag: int) -> np.ndarray:
    """Bounding box of an entity, shape ``(2, 3)``: rows min, max."""
    return np.array(gmsh.model.getBoundingBox(dim, tag)).reshape(2, 3)


def plane_axis(gmsh, dim: int, tag: int, tol: float = 1e-6, gdim: int = 3) -> tuple[int, float] | None:
    """``(axis, value)`` if the entity lies in a plane (2D models: a line) x_axis = value,
    else None; only the first ``gdim`` coordinates count."""
    box = bbox(gmsh, dim, tag)[:, :gdim]
    flat = np.flatnonzero(np.ptp(box, axis=0) < tol)
    if len(flat) != 1:
        return None
    return int(flat[0]), float(box[0, flat[0]])


def mesh_quality(gmsh, dim: int) -> dict[str, float]:
    """Minimum Gmsh element qualities ``{"min_gamma", "min_sicn"}`` over all ``dim`` elements."""
    q = {}
    for kind in ("gamma", "minSICN"):
        worst = 1.0
        for _, tag in gmsh.model.getEntities(dim):
            types, elems, _ = gmsh.model.mesh.getElements(dim, tag)
            for e in elems:
                if len(e):
                    worst = min(worst, float(np.min(gmsh.model.mesh.getElementQualities(e, kind))))
        q["min_gamma" if kind == "gamma" else "min_sicn"] = worst
    return q


def extrude_slab(gmsh, thickness: float) -> list[int]:
    """Turn a 2D model (cross-section in (x, y), physical groups of dimensions 2 and 1) into
    a plane-strain slab: every surface is extruded along z by ``thickness`` (model units)
    as one structured layer of prisms split into tetrahedra. Regions become the volumes,
    curve groups the lateral faces, and the two faces z = 0 and z = thickness form the new
    group ``symmetry_z`` (zero normal displacement on both: plane strain, eps_zz = 0).
    Gmsh's extrusion of the mesh reuses nodes at equal positions, so bodies that touch in the
    section would share nodes; :meth:`GeometryParams.check_variant` refuses them.

    Returns:
        the source (z = 0) surface tags, whose 2D mesh sets the slab's quality.
    """
    model, occ = gmsh.model, gmsh.model.occ
    groups = {(d, model.getPhysicalName(d, t)): [int(e) for e in model.getEntitiesForPhysicalGroup(d, t)]
              for d, t in model.getPhysicalGroups() if d in (1, 2)}
    model.removePhysicalGroups()
    sources = [t for _, t in model.getEntities(2)]
    occ.extrude([(2, t) for t in sources], 0, 0, thickness, numElements=[1], recombine=False)
    occ.synchronize()
    volume_of = {}  # source surface -> volume
    for _, v in model.getEntities(3):
        for _, f in model.getBoundary([(3, v)], combined=False, oriented=False):
            if abs(f) in sources:
                volume_of[abs(f)] = v
    lateral_of, tops = {}, []  # source curve -> lateral surfaces; the faces z = thickness
    for _, f in model.getEntities(2):
        if f in sources:
            continue
        box = bbox(gmsh, 2, f)
        if abs(box[0, 2] - thickness) < 1e-6 * max(thickness, 1.0) and abs(box[1, 2] - thickness) < 1e-6 * max(thickness, 1.0):
            tops.append(f)
            continue
        for _, c in model.getBoundary([(2, f)], combined=False, oriented=False):
            lateral_of.setdefault(abs(c), []).append(f)
    new: dict = {}
    for (d, name), ents in groups.items():
        new[(d + 1, name)] = [volume_of[e] for e in ents] if d == 2 else [f for e in ents for f in lateral_of.get(e, [])]
    if (2, "symmetry_z") in new:
        raise RuntimeError("a plane-strain slab needs the name symmetry_z for its faces")
    new[(2, "symmetry_z")] = sources + tops
    add_groups(gmsh, new)
    return sources


def _mesh(gmsh, dim: int, slab_sources=None) -> dict[str, float]:
    """Generate and optimise; in 3D retry with HXT if Delaunay leaves slivers (measured on
    a thin-walled full hollow sphere: min gamma 0.003 with Delaunay, 0.12 with HXT).

    A plane-strain slab (``slab_sources``: its z = 0 surfaces) is meshed by extrusion, not
    optimised (that would break the layer), and rated by the quality of its 2D section:
    the split prisms are flat where the section is coarse, which costs conditioning, not
    accuracy (a z-independent field is interpolated as on the triangles)."""
    if slab_sources is not None:
        gmsh.option.setNumber("Mesh.Algorithm", 6)
        gmsh.model.mesh.generate(3)
        q = {}
        for kind, key in (("gamma", "min_gamma"), ("minSICN", "min_sicn")):
            q[key] = min(float(np.min(gmsh.model.mesh.getElementQualities(e, kind)))
                         for s in slab_sources for e in gmsh.model.mesh.getElements(2, s)[1] if len(e))
        return q
    algorithms = (1, 10) if dim == 3 else (6,)
    for alg in algorithms:
        gmsh.option.setNumber(f"Mesh.Algorithm{'3D' if dim == 3 else ''}", alg)
        gmsh.model.mesh.generate(dim)
        gmsh.model.mesh.optimize("")
        q = mesh_quality(gmsh, dim)
        if min(q.values()) < MIN_QUALITY:  # more passes (Debian's Gmsh has no Netgen optimiser)
            gmsh.model.mesh.optimize("", niter=5)
            q = mesh_quality(gmsh, dim)
        if min(q.values()) >= MIN_QUALITY or alg == algorithms[-1]:
            break
        gmsh.model.mesh.clear()
    for _, tag in gmsh.model.getEntities(dim):
        if gmsh.model.getPhysicalGroupsForEntity(dim, tag).size and len(gmsh.model.mesh.getElements(dim, tag)[1]) == 0:
            raise RuntimeError(f"entity ({dim}, {tag}) has no elements")
    return q


def build_with_gmsh(comm, params, model, name: str, rank: int = 0, msh_file=None) -> MeshData:
    """Validate ``params``, build the Gmsh model on ``rank`` and distribute the mesh.

    Args:
        comm: MPI communicator (collective).
        params: a :class:`~anodemech.geometry.base.GeometryParams` dataclass (metres).
        model: ``model(gmsh, params, L) -> ModelInfo`` (see module docstring).
        name: Gmsh model name (used in messages).
        rank: the rank that runs Gmsh.
        msh_file: optional path of a Gmsh ``.msh`` file to write (model units scaled to
            metres, physical groups included), written by ``rank``.

    Returns:
        :class:`MeshData` in metres, first-order simplices (gdim ``params.gdim``).

    Raises:
        CaseError: bad parameters (``geometry.<field>``), a Gmsh failure or a mesh with
            min quality below 0.1 (key ``geometry``). All ranks raise together.
        ValueError: ``rank`` is not a rank of ``comm``.
    """
    params.validate()
    if not 0 <= rank < comm.size:
        raise ValueError(f"rank {rank} is not in 0..{comm.size - 1}")
    import gmsh

    L = params.length_scale()
    gdim = params.gdim
    result, err = None, None
    try:
        if comm.rank == rank:
            try:
                kw = {"interruptible": False} if "interruptible" in inspect.signature(gmsh.initialize).parameters else {}
                gmsh.initialize(**kw)
                for opt, val in (("General.Terminal", 0), ("General.NumThreads", 1), ("Mesh.RandomSeed", 1),
                                 ("Mesh.ElementOrder", 1), ("Geometry.OCCParallel", 0)):
                    gmsh.option.setNumber(opt, val)
                gmsh.model.add(name)
                info = model(gmsh, params.section(), L)
                slab = extrude_slab(gmsh, params.slab_thickness() / L) if params.is_slab else None
                quality = _mesh(gmsh, gdim, slab)
                if min(quality.values()) < MIN_QUALITY:
                    raise RuntimeError(f"mesh quality too low after optimisation ({quality}); refine the mesh sizes")
                names = {d: {gmsh.model.getPhysicalName(d, t): t for _, t in gmsh.model.getPhysicalGroups(d)}
                         for d in (gdim - 1, gdim)}
                result = (names[gdim], names[gdim - 1], info, quality)
                if msh_file is not None:
                    _write_msh(gmsh, msh_file, L)
            except Exception as exc:  # Gmsh raises a bare Exception
                err = f"Gmsh failed to mesh {name!r} ({params}): {exc}"
        err = comm.bcast(err, root=rank)  # all ranks raise together instead of hanging
        if err is not None:
            raise CaseError("geometry", err)
        cell_names, facet_names, info, quality = comm.bcast(result, root=rank)
        mesh, cell_tags, facet_tags = compat.model_to_mesh(gmsh.model, comm, rank, gdim=gdim)
    finally:
        if comm.rank == rank and gmsh.isInitialized():
            gmsh.finalize()
    mesh.geometry.x[:] *= L

    def vec(v):
        return np.asarray(v, dtype=float) * L

    axis = None if info.axis is None else np.asarray(info.axis, dtype=float) / np.linalg.norm(info.axis)
    return MeshData(mesh, cell_tags, facet_tags, cell_names, facet_names,
                    points={k: vec(v) for k, v in info.points.items()}, centre=vec(info.centre),
                    variant=params.variant, axis=axis, li_entry=tuple(info.li_entry),
                    contact_pairs=tuple(params.contact_pairs()), quality=quality,
                    slab=params.slab_thickness() if params.is_slab else 0.0)


def _write_msh(gmsh, path, L: float) -> None:
    """Write the mesh in metres (the model is in units of ``L``); the model is restored."""
    gmsh.option.setNumber("Mesh.SaveAll", 0)
    gmsh.option.setNumber("Mesh.ScalingFactor", L)
    try:
        gmsh.write(str(path))
    finally:
        gmsh.option.setNumber("Mesh.ScalingFactor", 1.0)


def sampling(length: float, h: float) -> int:
    """Distance-field sampling per parametric direction for an entity of extent ``length``
    meshed at size ``h`` (about 2 samples per element, 20 ... 500)."""
    return max(20, min(500, math.ceil(2 * math.pi * length / h)))
