"""Spherical core-shell particle (e.g. a Si core with a carbon coating), meshed with Gmsh."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import numpy as np

from anodemech import compat
from anodemech.errors import CaseError
from anodemech.geometry.base import MeshData

MAX_CELLS = 3_000_000
CELLS_PER_H3 = 5.5  # Gmsh tetrahedra per h^3 of volume (measured 4.8-5.9 on these meshes)
CELL_TAGS = {"core": 1, "shell": 2}
FACET_TAGS = {"interface": 3, "outer_surface": 4, "symmetry_x": 5, "symmetry_y": 6, "symmetry_z": 7}


@dataclass(frozen=True)
class CoreShellParams:
    """Core-shell sphere parameters, all lengths in metres.

    Typical sizes (contact-interfaces review / Si micron-anode review): Si@C particles with a
    Si core of ~50-150 nm and a carbon coating of ~10 nm.

    Attributes:
        core_radius: core radius [m], accepted 1e-9 ... 1e-4.
        shell_thickness: shell (coating) thickness [m]; 0.0 gives a bare sphere.
        h_core: element size in the interior of the core [m].
        h_surface: element size at the core-shell interface and the outer surface [m].
        variant: ``"octant"`` (1/8 sector x, y, z >= 0 with symmetry planes) or ``"full"``.
    """

    core_radius: float
    shell_thickness: float
    h_core: float
    h_surface: float
    variant: str = "octant"

    def regions(self) -> tuple[str, ...]:
        """Names of the cell regions this geometry has (each needs a material)."""
        return ("core", "shell") if self.shell_thickness > 0 else ("core",)

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range, if a value is
                out of range, the sizes are inconsistent, or the mesh would have more than
                ~3e6 cells (then the key names the dominant size, h_core or h_surface).
        """
        r, t, hc, hs = self.core_radius, self.shell_thickness, self.h_core, self.h_surface

        def bad(name, msg, accepted):
            raise CaseError(f"{prefix}.{name}", msg, accepted)

        if not (math.isfinite(r) and 1e-9 <= r <= 1e-4):
            bad("core_radius", f"{r!r} m is out of range", "1e-9 <= core_radius <= 1e-4 m")
        if not (math.isfinite(t) and 0.0 <= t <= 10 * r):
            bad("shell_thickness", f"{t!r} m is out of range", f"0 <= shell_thickness <= 10*core_radius = {10 * r:.3g} m")
        if self.variant not in ("octant", "full"):
            bad("variant", f"unknown variant {self.variant!r}", "'octant' or 'full'")
        for name, h in (("h_core", hc), ("h_surface", hs)):
            if not (math.isfinite(h) and h > 0):
                bad(name, f"{h!r} m is not a positive length", f"0 < {name}")
        if hs > hc:
            bad("h_surface", f"{hs:.3g} m is larger than h_core = {hc:.3g} m", "h_surface <= h_core")
        if hc > r / 2:
            bad("h_core", f"{hc:.3g} m is too coarse for the core", f"h_core <= core_radius/2 = {r / 2:.3g} m")
        if hs > r / 3:
            bad("h_surface", f"{hs:.3g} m is too coarse", f"h_surface <= core_radius/3 = {r / 3:.3g} m")
        if t > 0 and hs > t:
            bad("h_surface", f"{hs:.3g} m is larger than the shell thickness {t:.3g} m", "h_surface <= shell_thickness")
        n_surf, n_core = self.estimate_cells()
        if n_surf + n_core > MAX_CELLS:
            name = "h_surface" if n_surf > n_core else "h_core"
            bad(name, f"the mesh would have ~{n_surf + n_core:.2g} cells; increase {prefix}.h_surface "
                f"and/or {prefix}.h_core", f"at most ~{MAX_CELLS:.0e} cells")

    def size_ramp(self) -> tuple[float, float]:
        """``(dist_min, dist_max)`` [m] of the size ramp h_surface -> h_core away from the surfaces."""
        return self.h_surface, self.h_surface + 2 * self.h_core

    def estimate_cells(self) -> tuple[float, float]:
        """Rough cell counts ``(near surfaces, far from them)`` from volume / h^3 of the size field."""
        r, t = self.core_radius, self.shell_thickness
        dmin, dmax = self.size_ramp()
        rad = np.linspace(0.0, r + t, 4001)
        d = np.abs(rad - r) if t == 0 else np.minimum(np.abs(rad - r), np.abs(rad - r - t))
        h = np.interp(d, [dmin, dmax], [self.h_surface, self.h_core])
        dens = CELLS_PER_H3 * 4 * np.pi * rad**2 / h**3 / (8 if self.variant == "octant" else 1)
        n = dens * np.gradient(rad)
        return float(n[d < dmax].sum()), float(n[d >= dmax].sum())


def _gmsh_model(gmsh, p: CoreShellParams) -> tuple[dict, dict]:
    """Build and mesh the model in units of the core radius; returns (cell_names, facet_names)."""
    occ, t = gmsh.model.occ, p.shell_thickness / p.core_radius
    hc, hs = p.h_core / p.core_radius, p.h_surface / p.core_radius
    vols = [(3, occ.addSphere(0, 0, 0, 1.0))]
    if t > 0:
        vols, _ = occ.fragment([(3, occ.addSphere(0, 0, 0, 1.0 + t))], vols)
    if p.variant == "octant":
        vols, _ = occ.intersect(vols, [(3, occ.addBox(0, 0, 0, 2 + t, 2 + t, 2 + t))])
    occ.synchronize()

    def rmax(dim, tag):
        return max(abs(v) for v in gmsh.model.getBoundingBox(dim, tag))

    vols = sorted(tag for _, tag in gmsh.model.getEntities(3))
    if len(vols) != (2 if t > 0 else 1):
        raise RuntimeError(f"expected {2 if t > 0 else 1} volumes, OpenCASCADE produced {len(vols)}")
    core = min(vols, key=lambda v: rmax(3, v))
    groups = {(3, "core"): [core]}
    if t > 0:
        groups[(3, "shell")] = [v for v in vols if v != core]
    radii = {"interface": 1.0, "outer_surface": 1.0 + t} if t > 0 else {"outer_surface": 1.0}
    for _, s in gmsh.model.getEntities(2):
        box = np.array(gmsh.model.getBoundingBox(2, s)).reshape(2, 3)
        flat = np.flatnonzero(np.ptp(box, axis=0) < 1e-5)
        if len(flat) == 1 and abs(occ.getCenterOfMass(2, s)[flat[0]]) < 1e-5:
            name = "symmetry_" + "xyz"[flat[0]]
        else:
            name = min(radii, key=lambda n: abs(radii[n] - rmax(2, s)))
        groups.setdefault((2, name), []).append(s)
    tags = {**CELL_TAGS, **FACET_TAGS}
    for (dim, name), ents in groups.items():
        gmsh.model.addPhysicalGroup(dim, ents, tag=tags[name], name=name)

    if p.variant == "full":  # 3-2-1 support points as mesh vertices of the core
        pts = [occ.addPoint(*xyz) for xyz in ((0, 0, 0), (0.5, 0, 0), (0, 0.5, 0))]
        occ.synchronize()
        gmsh.model.mesh.embed(0, pts, 3, core)

    fd = gmsh.model.mesh.field
    dist = fd.add("Distance")
    fd.setNumbers(dist, "SurfacesList", groups[(2, "outer_surface")] + groups.get((2, "interface"), []))
    fd.setNumber(dist, "Sampling", min(500, math.ceil(2 * math.pi * (1 + t) / hs)))
    thr = fd.add("Threshold")
    dmin, dmax = (x / p.core_radius for x in p.size_ramp())
    for key, val in (("InField", dist), ("SizeMin", hs), ("SizeMax", hc), ("DistMin", dmin), ("DistMax", dmax)):
        fd.setNumber(thr, key, val)
    fd.setAsBackgroundMesh(thr)
    opts = {"MeshSizeFromPoints": 0, "MeshSizeFromCurvature": 0, "MeshSizeExtendFromBoundary": 0,
            "MeshSizeMax": hc, "ElementOrder": 1}
    for opt, val in opts.items():
        gmsh.option.setNumber(f"Mesh.{opt}", val)
    gmsh.model.mesh.generate(3)
    gmsh.model.mesh.optimize()
    for v in vols:
        if len(gmsh.model.mesh.getElements(3, v)[1]) == 0:
            raise RuntimeError(f"volume {v} has no tetrahedra")

    names = {dim: {gmsh.model.getPhysicalName(dim, tag): tag for d, tag in gmsh.model.getPhysicalGroups(dim)}
             for dim in (2, 3)}
    return names[3], names[2]


def build_core_shell(comm, params: CoreShellParams, rank: int = 0) -> MeshData:
    """Mesh a core-shell sphere (first-order tetrahedra) and distribute it over ``comm``.

    Gmsh builds the model on ``rank`` only, in units of the core radius (its absolute
    tolerances fail at 1e-7 m); the DOLFINx coordinates are then scaled to metres.
    Collective on ``comm``.

    Args:
        comm: MPI communicator.
        params: geometry and mesh sizes [m].
        rank: rank that runs Gmsh.

    Returns:
        ``MeshData`` with regions ``core`` (tag 1) and ``shell`` (2, if any), surfaces
        ``interface`` (if a shell), ``outer_surface`` and, for the octant,
        ``symmetry_x/y/z`` (planes x/y/z = 0); for ``"full"``, ``points`` holds
        ``origin``, ``x_axis`` = (r/2, 0, 0) and ``y_axis`` = (0, r/2, 0) [m], shape (3,).

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
        ValueError: ``rank`` is not a rank of ``comm``.
    """
    params.validate()
    if not 0 <= rank < comm.size:
        raise ValueError(f"rank {rank} is not in 0..{comm.size - 1}")
    import gmsh

    names, err = None, None
    try:
        if comm.rank == rank:
            try:
                kw = {"interruptible": False} if "interruptible" in inspect.signature(gmsh.initialize).parameters else {}
                gmsh.initialize(**kw)
                for opt, val in (("General.Terminal", 0), ("General.NumThreads", 1), ("Mesh.RandomSeed", 1)):
                    gmsh.option.setNumber(opt, val)
                gmsh.model.add("core_shell")
                names = _gmsh_model(gmsh, params)
            except Exception as exc:  # Gmsh raises a bare Exception
                err = f"Gmsh failed to mesh the core-shell particle ({params}): {exc}"
        err = comm.bcast(err, root=rank)  # all ranks raise together instead of hanging
        if err is not None:
            raise CaseError("geometry", err)
        cell_names, facet_names = comm.bcast(names, root=rank)
        mesh, cell_tags, facet_tags = compat.model_to_mesh(gmsh.model, comm, rank, gdim=3)
    finally:
        if comm.rank == rank and gmsh.isInitialized():
            gmsh.finalize()
    r = params.core_radius
    mesh.geometry.x[:] *= r
    points = {}
    if params.variant == "full":
        points = {"origin": np.zeros(3), "x_axis": np.array([r / 2, 0, 0]), "y_axis": np.array([0, r / 2, 0])}
    return MeshData(mesh, cell_tags, facet_tags, cell_names, facet_names, points, np.zeros(3), params.variant)
