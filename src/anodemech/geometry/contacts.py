"""Point and line contacts: a sphere on a plate, two spheres, a cylinder (nanowire) on a plate.

The two bodies of each geometry are separate OpenCASCADE shapes that are never fragmented
together: the mesh holds two disconnected bodies, and the initial gap (>= 0) between them
is measurable on mesh vertices because the closest points (point contact) or the closest
line (line contact) are mesh vertices / edges on *both* surfaces. The contact zone is
refined with its own size ``h_contact``, which must resolve the Hertz contact radius
(point contact) or half-width (line contact), a few per cent of the (effective) radius for
the loads that swelling produces.

Conventions (all geometries): the contact normal is z (2D: y); the plate top is the plane
z = 0 with the plate below it; the particle / wire lies above at ``gap``. Reduced 3D
variants keep x >= 0 and y >= 0 (facet groups ``symmetry_x``, ``symmetry_y``).

Why the plate is truncated: a real Cu current collector is ~10 um thick and wide, about 100
nanoparticle radii. Relative to the contact pressure, the stress in the plate decays with
the distance d from a contact zone of size a like (a/d)^2 under a point contact and like
a/d under a line contact (Boussinesq and Flamant solutions; Johnson, Contact Mechanics,
1985, ch. 2-3): with a ~ 0.05 R, at d = 2 R that is < 1e-3 and ~3 %. A plate a few radii
thick and wide therefore carries the contact field; its clamped bottom stands in for the
rest of the foil, which is far stiffer as a whole than one nanoparticle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anodemech.geometry.base import CELLS_PER_H2, CELLS_PER_H3, ContactPair, GeometryParams, MeshData
from anodemech.geometry.gmsh_model import (ModelInfo, add_groups, bbox, build_with_gmsh, distance_threshold, plane_axis,
                                            refine)

NM = 1e-9
UM = 1e-6
#: Radius stretch of Si at full lithiation: (1 + 3.0)^(1/3) for ~300 % volume expansion
#: (Li15Si4; ``004`` L56, ``000`` L217). Plates must be wider than the swollen particle.
SWELL_STRETCH = 1.6
_TOL = 1e-6  # model-unit tolerance for classifying planar entities


# ============================================================================ helpers
def _check_range(p, prefix: str, name: str, lo: float, hi: float, lo_expr: str, hi_expr: str) -> float:
    """Field ``name`` is a finite length in [lo, hi] m, bounds named by ``lo_expr`` /
    ``hi_expr`` (e.g. "1.6*radius") in the message. The bounds derive from other fields, so
    they get a relative slack of 1e-9 ("80 nm" = 1.6 * "50 nm" despite rounding)."""
    v = getattr(p, name)
    if not (isinstance(v, (int, float)) and math.isfinite(v) and lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)):
        p.fail(prefix, name, f"{v!r} m is out of range",
               f"{lo_expr} = {lo:.3g} <= {name} <= {hi_expr} = {hi:.3g} m")
    return float(v)


def _check_h_contact(p, prefix: str, r_eff: float, r_name: str) -> float:
    """``h_contact`` in [r_eff/1000, r_eff/20] (resolves a Hertz zone of a few % of r_eff)."""
    return _check_range(p, prefix, "h_contact", 1e-3 * r_eff, r_eff / 20, f"{r_name}/1000", f"{r_name}/20")


def _h_contact_vs_fine(p, prefix: str) -> None:
    if p.h_contact > p.h_fine:
        p.fail(prefix, "h_contact", f"{p.h_contact:.3g} m is larger than h_fine = {p.h_fine:.3g} m",
               "h_contact <= h_fine")


def _point_cells(gdim: int, h_point: float, h_fine: float, solid_fraction: float) -> float:
    """Extra cells of a point refinement that grades from ``h_point`` to ``h_fine`` with
    slope ~1/2 (the ramp of :func:`gmsh_model.refine`), in ``solid_fraction`` of a ball."""
    ratio = max(2 * h_fine / max(h_point, 1e-300), 1.0)
    per = CELLS_PER_H2 * 8 * math.pi if gdim == 2 else CELLS_PER_H3 * 32 * math.pi
    return solid_fraction * per * math.log(ratio)


def _line_cells(length: float, h_line: float, h_fine: float, solid_fraction: float) -> float:
    """Extra tetrahedra along a refined line of ``length`` in ``solid_fraction`` of its
    surroundings: ~40 length / h_line for the full surroundings, measured on the cylinder on
    a plate (h_line R/20 ... R/100; far fewer than the size field's 5.5 / h^3 would give,
    since Gmsh grades faster than the field)."""
    inv = max(1 / max(h_line, 1e-300) - 1 / h_fine, 0.0)
    return solid_fraction * 40 * inv * length


def _box(occ, lo, hi) -> int:
    return occ.addBox(lo[0], lo[1], lo[2], hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2])


def _cut_quarter(occ, dimtags, big: float):
    """Keep x >= 0, y >= 0 of ``dimtags`` (one body: never pass two, OpenCASCADE would
    merge their touching vertices)."""
    out, _ = occ.intersect(dimtags, [(3, _box(occ, (0, 0, -big), (big, big, big)))])
    return out


def _boundary(gmsh, dim: int, ents: list[int]) -> list[int]:
    """Outer boundary entities of a body made of ``ents`` (internal faces cancel)."""
    out = gmsh.model.getBoundary([(dim, e) for e in ents], combined=True, oriented=False)
    return sorted({abs(t) for _, t in out})


def _classify(gmsh, dim: int, ents: list[int], name_of) -> dict[str, list[int]]:
    """``{name: [boundary entities]}`` of a body; ``name_of(plane, box)`` names one entity
    from ``plane_axis`` ((axis, value) or None) and its bounding box (model units)."""
    out: dict[str, list[int]] = {}
    for s in _boundary(gmsh, dim, ents):
        name = name_of(plane_axis(gmsh, dim - 1, s, tol=_TOL, gdim=dim), bbox(gmsh, dim - 1, s))
        out.setdefault(name, []).append(s)
    return out


def _near(a: float, b: float) -> bool:
    return abs(a - b) < _TOL


def _vertex_at(gmsh, dim: int, ents: list[int], xyz) -> int:
    """Tag of the model vertex of body ``ents`` at ``xyz`` (model units).

    Raises:
        RuntimeError: no such vertex (the contact point would not be a mesh vertex).
    """
    pts = gmsh.model.getBoundary([(dim, e) for e in ents], combined=False, oriented=False, recursive=True)
    for _, t in pts:
        if np.linalg.norm(np.asarray(gmsh.model.getValue(0, abs(t), [])) - np.asarray(xyz, float)) < _TOL:
            return abs(t)
    raise RuntimeError(f"no model vertex at {tuple(xyz)}: the contact point is not a mesh vertex")


def _contact_vertex(gmsh, dim: int, ents: list[int], faces: list[int], xyz) -> int:
    """The mesh vertex of body ``ents`` at ``xyz`` (model units): its model vertex if it has
    one there, else a new point embedded in the one of ``faces`` (boundary entities of the
    body) that passes through ``xyz``.

    Raises:
        RuntimeError: no boundary entity passes through ``xyz``.
    """
    try:
        return _vertex_at(gmsh, dim, ents, xyz)
    except RuntimeError:
        pass
    for f in faces:
        closest = gmsh.model.getClosestPoint(dim - 1, f, list(map(float, xyz)))[0]
        if np.linalg.norm(np.asarray(closest) - np.asarray(xyz, float)) < _TOL:
            tag = gmsh.model.occ.addPoint(*map(float, xyz))
            gmsh.model.occ.synchronize()
            gmsh.model.mesh.embed(0, [tag], dim - 1, f)
            return tag
    raise RuntimeError(f"no boundary entity through {tuple(xyz)}: the contact point cannot be a mesh vertex")


def _sphere(occ, zc: float, r: float) -> int:
    """Sphere centred at (0, 0, zc) with its poles (parametric singularities, badly shaped
    triangles around them) turned onto the y axis, away from the contact points on z."""
    s = occ.addSphere(0, 0, zc, r)
    occ.rotate([(3, s)], 0, 0, zc, 1, 0, 0, math.pi / 2)
    return s


def _curve_on(gmsh, ents: list[int], lo, hi) -> list[int]:
    """Boundary curves of the 3D body ``ents`` whose bounding box is the segment ``lo``-``hi``."""
    out = gmsh.model.getBoundary([(3, e) for e in ents], combined=False, oriented=False, recursive=False)
    faces = sorted({abs(t) for _, t in out})
    edges = gmsh.model.getBoundary([(2, f) for f in faces], combined=False, oriented=False)
    hits = []
    for c in sorted({abs(t) for _, t in edges}):
        b = bbox(gmsh, 1, c)
        if np.allclose(b[0], lo, atol=_TOL) and np.allclose(b[1], hi, atol=_TOL):
            hits.append(c)
    if not hits:
        raise RuntimeError(f"no model curve from {tuple(lo)} to {tuple(hi)}: the contact line is not a mesh edge")
    return hits


def _disjoint(gmsh, dim: int, a: list[int], b: list[int]) -> None:
    """Raise RuntimeError if the two bodies share a model vertex (they must stay disconnected)."""
    def verts(ents):
        out = gmsh.model.getBoundary([(dim, e) for e in ents], combined=False, oriented=False, recursive=True)
        return {abs(t) for _, t in out}

    if verts(a) & verts(b):
        raise RuntimeError("the two contact bodies share model vertices; they must be separate shapes")


def _embed_supports(gmsh, volume: int, pts: dict[str, tuple]) -> None:
    """Embed named points (model units) as mesh vertices in ``volume``."""
    tags = [gmsh.model.occ.addPoint(*xyz) for xyz in pts.values()]
    gmsh.model.occ.synchronize()
    gmsh.model.mesh.embed(0, tags, 3, volume)


def _supports(centre, d: float, suffix: str = "") -> dict[str, tuple]:
    """3-2-1 supports around ``centre`` (model units): origin, +d along x, +d along y."""
    x, y, z = centre
    return {f"origin{suffix}": (x, y, z), f"x_axis{suffix}": (x + d, y, z), f"y_axis{suffix}": (x, y + d, z)}


def _plate_namer(t: float, two_d: bool, end_x: float | None = None):
    """Names of plate boundary entities: ``plate_top`` at z = 0 (2D: y = 0), ``clamped`` at
    -t, symmetry planes through the origin (2D: ``axis``), ``plate_end`` at x = +-end_x (3D,
    if given), every other lateral face ``plate_side``."""
    vert = 1 if two_d else 2

    def name_of(plane, box):
        if plane is None:
            raise RuntimeError(f"curved plate face {box.tolist()}")
        ax, v = plane
        if ax == vert:
            if not (_near(v, 0.0) or _near(v, -t)):
                raise RuntimeError(f"plate face at {'yz'[vert - 1]} = {v} is neither the top nor the bottom")
            return "plate_top" if _near(v, 0.0) else "clamped"
        if _near(v, 0.0):
            return "axis" if two_d else "symmetry_" + "xyz"[ax]
        if end_x is not None and ax == 0:
            return "plate_end"
        return "plate_side"

    return name_of


def _round_namer(surface: str, two_d: bool):
    """Names of a round body's boundary: planes through the origin are symmetry planes (2D:
    ``axis``), planes elsewhere ``end_surface`` (wire ends), curved entities ``surface``."""

    def name_of(plane, box):
        if plane is None:
            return surface
        ax, v = plane
        if _near(v, 0.0):
            return "axis" if two_d else "symmetry_" + "xyz"[ax]
        if two_d:
            raise RuntimeError(f"unexpected straight boundary {box.tolist()} of {surface}")
        return "end_surface"

    return name_of


def _merge(groups: dict, dim: int, named: dict[str, list[int]], order: tuple[str, ...]) -> None:
    for name in order:
        if name in named:
            groups.setdefault((dim, name), []).extend(named[name])
    unknown = set(named) - set(order)
    if unknown:
        raise RuntimeError(f"unexpected boundary groups {sorted(unknown)}")


# ============================================================================ sphere on plane
@dataclass(frozen=True)
class SphereOnPlaneParams(GeometryParams):
    """A sphere (active particle) above a plate (current collector): point contact; metres.

    Defaults: a Si nanoparticle of 120 nm diameter, inside the 100-150 nm range of Si
    particles on a Cu foil and below the ~150 nm critical size for fracture (``004`` L58;
    point contact on a current collector: ``000`` L2327-2344), touching (gap 0) a plate
    2 radii thick and 2 radii half-wide (the Cu foil truncated: see the module docstring).
    ``h_contact`` = R/60 = 1 nm puts ~2-3 elements across a Hertz contact radius of a few
    per cent of R (Johnson, Contact Mechanics, 1985, ch. 4).

    Variants: "quarter" (x >= 0, y >= 0: the contact axis z lies in both symmetry planes),
    "full" (the particle gets 3-2-1 supports "origin" = its centre, "x_axis", "y_axis" at
    R/2 in its mid-plane; the plate is clamped at its bottom), "axisymmetric" (2D (r, z):
    a half-disc on a rectangle; the plate becomes a disc of radius ``plate_half_width``).
    No octant: the contact breaks the z -> -z symmetry.

    Attributes:
        radius: particle radius R [m], 1 nm ... 100 um.
        plate_thickness: plate thickness t [m], R/10 ... 10 R.
        plate_half_width: half-width of the square plate (axisymmetric: plate disc radius)
            [m], 1.6 R ... 10 R (1.6 R: wider than the particle swollen by 300 %).
        gap: initial gap between the particle and the plate top [m], 0 (touching) ... R.
        h_fine: element size at the particle surface and the plate top [m], <= h_coarse,
            <= R/3 and <= t/2.
        h_coarse: element size inside both bodies [m], <= R/2.
        h_contact: element size at the contact points [m], R/1000 ... R/20, <= h_fine.
        variant: "quarter" (symmetry_x, symmetry_y), "full", "axisymmetric" or "octant"
            (the quarter cut at the particle's equator z = R + gap, symmetry_z there: by
            mirror symmetry a particle pressed between two collectors, or two plates).
        contact_zone: radius of the zone around the contact points meshed at h_contact [m],
            0 (the points only) ... R/2; size it to the expected contact radius.
        plate: "elastic" (a meshed plate, contact pair particle_plate) or "rigid" (no plate
            body: the collector is a rigid plane z = 0 the solver treats as an obstacle; the
            particle centre is then a mesh vertex, point ``centre``, in the 3D variants).
    """

    radius: float = 60e-9
    plate_thickness: float = 120e-9
    plate_half_width: float = 120e-9
    gap: float = 0.0
    h_fine: float = 7.5e-9
    h_coarse: float = 15e-9
    h_contact: float = 1e-9
    variant: str = "quarter"
    contact_zone: float = 0.0
    plate: str = "elastic"

    VARIANTS = ("quarter", "full", "axisymmetric", "octant")

    def regions(self) -> tuple[str, ...]:
        return ("particle", "plate") if self.plate == "elastic" else ("particle",)

    def length_scale(self) -> float:
        return self.radius

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        if self.plate == "rigid":
            return ()
        return (ContactPair("particle_plate", "particle_surface", "plate_top", float(self.gap)),)

    def expected_measures(self) -> dict[str, float]:
        out = self._measures_with_plate()
        if self.plate == "rigid":
            R = self.radius
            keep = ("particle", "particle_surface", "symmetry_z")
            out = {k: v for k, v in out.items() if k in keep}
            if self.variant == "quarter":
                out["symmetry_x"] = out["symmetry_y"] = math.pi * R**2 / 2
            elif self.variant == "octant":
                out["symmetry_x"] = out["symmetry_y"] = out["symmetry_z"] = math.pi * R**2 / 4
            elif self.variant == "axisymmetric":
                out["axis"] = 2 * R
        return out

    def _measures_with_plate(self) -> dict[str, float]:
        if self.variant == "octant":  # the quarter's particle cut in half at its equator
            import dataclasses

            R = self.radius
            out = dataclasses.replace(self, variant="quarter")._measures_with_plate()
            out["particle"] /= 2
            out["particle_surface"] /= 2
            out["symmetry_x"] = out["symmetry_y"] = out["symmetry_x"] - math.pi * R**2 / 4
            out["symmetry_z"] = math.pi * R**2 / 4
            return out
        R, t, w = self.radius, self.plate_thickness, self.plate_half_width
        if self.variant == "axisymmetric":
            return {"particle": math.pi * R**2 / 2, "plate": w * t, "particle_surface": math.pi * R,
                    "plate_top": w, "clamped": w, "plate_side": t, "axis": 2 * R + t}
        f = 0.25 if self.variant == "quarter" else 1.0
        side = 2 * w if self.variant == "quarter" else 8 * w
        out = {"particle": f * 4 / 3 * math.pi * R**3, "plate": f * 4 * w**2 * t,
               "particle_surface": f * 4 * math.pi * R**2, "plate_top": f * 4 * w**2, "clamped": f * 4 * w**2,
               "plate_side": side * t}
        if self.variant == "quarter":
            out["symmetry_x"] = out["symmetry_y"] = math.pi * R**2 / 2 + w * t
        return out

    def estimate_cells(self) -> float:
        m = self._measures_with_plate()
        n = self.cell_estimate(m["particle"], m["particle_surface"], self.h_fine, self.h_coarse)
        if self.plate == "elastic":
            n += self.cell_estimate(m["plate"], m["plate_top"], self.h_fine, self.h_coarse)
        frac = {"quarter": 0.25, "octant": 0.25, "full": 1.0, "axisymmetric": 0.5}.get(self.variant, 1.0)
        zone = self.contact_zone  # a cap of radius ~zone meshed at h_contact
        zone_cells = (CELLS_PER_H3 * frac * 2 / 3 * math.pi * zone**3 / self.h_contact**3 if self.gdim == 3
                      else CELLS_PER_H2 * frac * math.pi * zone**2 / self.h_contact**2)
        return n + 2 * _point_cells(self.gdim, self.h_contact, self.h_fine, frac) + zone_cells

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters before meshing.

        Raises:
            CaseError: key ``f"{prefix}.<field>"`` and the accepted range, e.g. a negative
                gap (``gap``), a plate narrower than the swollen particle
                (``plate_half_width``), an element size that does not fit the plate
                (``h_fine``) or a contact size too coarse for the Hertz zone (``h_contact``).
        """
        self.check_variant(prefix)
        if self.plate not in ("elastic", "rigid"):
            self.fail(prefix, "plate", f"unknown plate {self.plate!r}", "'elastic', 'rigid'")
        r = self.check_length(prefix, "radius", 1e-9, 1e-4)
        self.check_length(prefix, "contact_zone", 0.0, r / 2, hi_expr="radius/2")
        t = _check_range(self, prefix, "plate_thickness", r / 10, 10 * r, "radius/10", "10*radius")
        _check_range(self, prefix, "plate_half_width", SWELL_STRETCH * r, 10 * r, f"{SWELL_STRETCH}*radius",
                     "10*radius")
        self.check_length(prefix, "gap", 0.0, r, hi_expr="radius")
        self.check_sizes(prefix, "h_fine", "h_coarse", min(r / 3, t / 2), r / 2,
                         "(<= radius/3 and <= plate_thickness/2)", "(<= radius/2)")
        _check_h_contact(self, prefix, r, "radius")
        _h_contact_vs_fine(self, prefix)

    @classmethod
    def range_examples(cls) -> list:
        return [
            # thinnest plate, narrowest plate, largest gap, smallest radius (2D: the thin plate needs fine cells)
            cls(1 * NM, 0.1 * NM, 1.6 * NM, 1 * NM, 0.05 * NM, 0.5 * NM, 0.05 * NM, "axisymmetric"),
            # largest radius, thickest and widest plate, finest contact size
            cls(1e-4, 1e-3, 1e-3, 0.0, 20 * UM, 50 * UM, 0.1 * UM, "axisymmetric"),
            # 3D quarter with a thin plate and a gap
            cls(50 * NM, 10 * NM, 80 * NM, 5 * NM, 5 * NM, 20 * NM, 2.5 * NM, "quarter"),
        ]


def _sphere_on_plane_model(gmsh, p: SphereOnPlaneParams, L: float) -> ModelInfo:
    occ = gmsh.model.occ
    g, t, w = p.gap / L, p.plate_thickness / L, p.plate_half_width / L
    zc = 1.0 + g
    two_d = p.variant == "axisymmetric"
    dim = 2 if two_d else 3
    big = 4 * (2 + g + t + w)
    rigid = p.plate == "rigid"
    if two_d:
        disk = occ.addDisk(0, zc, 0, 1, 1)
        particle, _ = occ.intersect([(2, disk)], [(2, occ.addRectangle(0, zc - 2, 0, 2, 4))])
        plate = [] if rigid else [(2, occ.addRectangle(0, -t, 0, w, t))]
    else:
        particle = [(3, _sphere(occ, zc, 1.0))]
        if p.variant == "octant":  # lower half of the quarter: symmetry_z at the equator
            particle, _ = occ.intersect(_cut_quarter(occ, particle, big), [(3, _box(occ, (0, 0, -big), (big, big, zc)))])
            plate = [] if rigid else [(3, _box(occ, (0, 0, -t), (w, w, 0)))]
        elif p.variant == "quarter":
            particle = _cut_quarter(occ, particle, big)
            plate = [] if rigid else [(3, _box(occ, (0, 0, -t), (w, w, 0)))]
            if rigid:  # the centre becomes a vertex of the axis edge x = y = 0 (a loading point)
                out, _ = occ.fragment(particle, [(0, occ.addPoint(0.0, 0.0, zc))])
                particle = [e for e in out if e[0] == 3]
        else:
            plate = [] if rigid else [(3, _box(occ, (-w, -w, -t), (w, w, 0)))]
    occ.synchronize()
    pa, pb = [e for _, e in particle], [e for _, e in plate]
    if pb:
        _disjoint(gmsh, dim, pa, pb)

    groups: dict = {(dim, "particle"): pa}
    if pb:
        groups[(dim, "plate")] = pb
    order = ("particle_surface", "plate_top", "clamped", "plate_side", "symmetry_x", "symmetry_y", "symmetry_z", "axis")
    named = _classify(gmsh, dim, pa, _round_namer("particle_surface", two_d))
    if p.variant == "octant":
        named["symmetry_z"] = named.pop("end_surface")
    if pb:
        for k, v in _classify(gmsh, dim, pb, _plate_namer(t, two_d)).items():
            named.setdefault(k, []).extend(v)
    _merge(groups, dim - 1, named, order)
    add_groups(gmsh, groups)

    bottom = (0.0, g, 0.0) if two_d else (0.0, 0.0, g)
    contact_pts = [_contact_vertex(gmsh, dim, pa, named["particle_surface"], bottom)]
    if pb:
        contact_pts.append(_contact_vertex(gmsh, dim, pb, named["plate_top"], (0.0, 0.0, 0.0)))
    points = {}
    if p.variant == "full":
        points = _supports((0.0, 0.0, zc), 0.5)
        _embed_supports(gmsh, pa[0], points)
    elif rigid and p.variant == "quarter":
        points = {"centre": (0.0, 0.0, zc)}
    if rigid and p.variant == "full":
        points["centre"] = (0.0, 0.0, zc)
    fine = named["particle_surface"] + named.get("plate_top", [])
    refine(gmsh, p.h_fine / L, p.h_coarse / L, surfaces=() if two_d else fine, curves=fine if two_d else (),
           points=contact_pts, h_point=p.h_contact / L, point_reach=p.contact_zone / L)
    centre = (0.0, zc, 0.0) if two_d else (0.0, 0.0, zc)
    return ModelInfo(points=points, centre=centre, axis=None, li_entry=(("particle_surface", "particle"),))


def build_sphere_on_plane(comm, params: SphereOnPlaneParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a sphere above a plate (point contact) and distribute it over ``comm`` (collective).

    Returns:
        :class:`MeshData` (metres): regions ``particle`` and ``plate`` (disconnected);
        surfaces ``particle_surface``, ``plate_top``, ``clamped`` (plate bottom, z = -t),
        ``plate_side`` (lateral plate faces), ``symmetry_x``/``symmetry_y`` (quarter) or
        ``axis`` (2D). The contact points (0, 0, 0) on the plate and (0, 0, gap) on the
        particle are mesh vertices (2D: (0, 0), (0, gap)). ``centre`` = particle centre
        (0, 0, R + gap); ``contact_pairs`` = particle_plate (particle_surface / plate_top);
        for ``"full"``, ``points`` holds the particle's 3-2-1 supports.

    ``msh_file`` optionally names a Gmsh ``.msh`` file to write as well (metres).

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _sphere_on_plane_model, "sphere_on_plane", rank, msh_file)


# ============================================================================ sphere-sphere
@dataclass(frozen=True)
class SphereSphereParams(GeometryParams):
    """Two spheres touching (or nearly) along the z axis: point contact; metres.

    Particle 1 (radius R1) is centred at the origin, particle 2 (radius R2) at
    (0, 0, R1 + gap + R2); the closest points are (0, 0, R1) and (0, 0, R1 + gap).

    Defaults: two Si nanoparticles of 120 nm diameter (100-150 nm Si particles, below the
    ~150 nm critical size: ``004`` L58; particle-particle point contacts: ``000``
    L2327-2344, L1553-1565), touching. ``h_contact`` = 1 nm ~ R*/30 with the effective
    radius R* = R1 R2 / (R1 + R2) = 30 nm, so a Hertz contact radius of a few % of R* spans
    ~1-2 elements and grows onto the refined zone as the particles swell (Johnson, Contact
    Mechanics, 1985, ch. 4).

    Variants: "quarter" (x >= 0, y >= 0: the line of centres lies in both symmetry planes),
    "full" (3-2-1 supports in each particle: "origin", "x_axis", "y_axis" in particle 1 at
    its centre and R1/2 along x, y; "origin_2", "x_axis_2", "y_axis_2" likewise in particle
    2), "axisymmetric" (2D: two half-discs on the axis x = 0), "octant" (the quarter with
    each particle cut at its equator, keeping the halves that face each other, symmetry_z
    on both cuts: by mirror symmetry a chain of particles in a column whose spacing the
    electrode holds, so that swelling presses neighbours together; for equal radii the
    contact plane is a symmetry plane too, which makes it sphere_on_plane's "octant" on a
    rigid collector).

    Attributes:
        radius_1: radius R1 of particle 1 [m], 1 nm ... 100 um.
        radius_2: radius R2 of particle 2 [m], R1/20 ... 20 R1 (a larger ratio is a
            sphere on a plane: use sphere_on_plane).
        gap: initial gap between the spheres [m], 0 (touching) ... max(R1, R2).
        h_fine: element size at both sphere surfaces [m], <= h_coarse, <= min(R1, R2)/3.
        h_coarse: element size inside the spheres [m], <= min(R1, R2)/2.
        h_contact: element size at the closest points [m], R*/1000 ... R*/20, <= h_fine
            (R* = R1 R2 / (R1 + R2)).
        variant: "quarter" (symmetry_x, symmetry_y), "full", "axisymmetric" or "octant"
            (quarter halves facing each other, symmetry_z at both equators).
    """

    radius_1: float = 60e-9
    radius_2: float = 60e-9
    gap: float = 0.0
    h_fine: float = 7.5e-9
    h_coarse: float = 15e-9
    h_contact: float = 1e-9
    variant: str = "quarter"

    VARIANTS = ("quarter", "full", "axisymmetric", "octant")

    def regions(self) -> tuple[str, ...]:
        return ("particle_1", "particle_2")

    def length_scale(self) -> float:
        return min(self.radius_1, self.radius_2)

    def effective_radius(self) -> float:
        """Hertz effective radius R* = R1 R2 / (R1 + R2) [m]."""
        return self.radius_1 * self.radius_2 / (self.radius_1 + self.radius_2)

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        return (ContactPair("particles", "surface_1", "surface_2", float(self.gap)),)

    def expected_measures(self) -> dict[str, float]:
        r1, r2 = self.radius_1, self.radius_2
        if self.variant == "axisymmetric":
            return {"particle_1": math.pi * r1**2 / 2, "particle_2": math.pi * r2**2 / 2,
                    "surface_1": math.pi * r1, "surface_2": math.pi * r2, "axis": 2 * (r1 + r2)}
        f = {"quarter": 0.25, "octant": 0.125}.get(self.variant, 1.0)
        out = {"particle_1": f * 4 / 3 * math.pi * r1**3, "particle_2": f * 4 / 3 * math.pi * r2**3,
               "surface_1": f * 4 * math.pi * r1**2, "surface_2": f * 4 * math.pi * r2**2}
        if self.variant in ("quarter", "octant"):
            out["symmetry_x"] = out["symmetry_y"] = f * 2 * math.pi * (r1**2 + r2**2)
        if self.variant == "octant":
            out["symmetry_z"] = math.pi * (r1**2 + r2**2) / 4
        return out

    def estimate_cells(self) -> float:
        m = self.expected_measures()
        n = sum(self.cell_estimate(m[f"particle_{i}"], m[f"surface_{i}"], self.h_fine, self.h_coarse) for i in (1, 2))
        frac = {"quarter": 0.125, "octant": 0.125, "full": 0.5, "axisymmetric": 0.25}.get(self.variant, 1.0)
        return n + 2 * _point_cells(self.gdim, self.h_contact, self.h_fine, frac)

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters before meshing.

        Raises:
            CaseError: key ``f"{prefix}.<field>"`` and the accepted range, e.g. a negative
                gap (``gap``), radii more than 20 apart (``radius_2``), cells larger than the
                smaller sphere allows (``h_fine``, ``h_coarse``) or a contact size too coarse
                for the Hertz zone (``h_contact``).
        """
        self.check_variant(prefix)
        r1 = self.check_length(prefix, "radius_1", 1e-9, 1e-4)
        r2 = _check_range(self, prefix, "radius_2", r1 / 20, 20 * r1, "radius_1/20", "20*radius_1")
        rmin = min(r1, r2)
        self.check_length(prefix, "gap", 0.0, max(r1, r2), hi_expr="max(radius_1, radius_2)")
        self.check_sizes(prefix, "h_fine", "h_coarse", rmin / 3, rmin / 2,
                         "(<= min(radius_1, radius_2)/3)", "(<= min(radius_1, radius_2)/2)")
        _check_h_contact(self, prefix, self.effective_radius(), "(radius_1*radius_2/(radius_1+radius_2))")
        _h_contact_vs_fine(self, prefix)

    @classmethod
    def range_examples(cls) -> list:
        return [
            # smallest radius, radius ratio 1/20, largest gap (2D)
            cls(20 * NM, 1 * NM, 20 * NM, 0.1 * NM, 0.5 * NM, 0.04 * NM, "axisymmetric"),
            # largest radii, ratio 20 the other way round, touching, finest contact size (2D)
            cls(5 * UM, 1e-4, 0.0, 0.5 * UM, 2 * UM, 5 * NM, "axisymmetric"),
            # 3D quarter, unequal radii with a gap
            cls(40 * NM, 80 * NM, 10 * NM, 5 * NM, 15 * NM, 1.2 * NM, "quarter"),
        ]


def _sphere_sphere_model(gmsh, p: SphereSphereParams, L: float) -> ModelInfo:
    occ = gmsh.model.occ
    r1, r2, g = p.radius_1 / L, p.radius_2 / L, p.gap / L
    z2 = r1 + g + r2
    two_d = p.variant == "axisymmetric"
    dim = 2 if two_d else 3
    big = 4 * (r1 + g + 2 * r2)
    bodies = []
    for zc, r in ((0.0, r1), (z2, r2)):
        if two_d:
            disk = occ.addDisk(0, zc, 0, r, r)
            ents, _ = occ.intersect([(2, disk)], [(2, occ.addRectangle(0, zc - 2 * r, 0, 2 * r, 4 * r))])
        else:
            ents = [(3, _sphere(occ, zc, r))]
            if p.variant == "quarter":
                ents = _cut_quarter(occ, ents, big)
                # the centre becomes a vertex of the axis edge x = y = 0 (a support point)
                out, _ = occ.fragment(ents, [(0, occ.addPoint(0.0, 0.0, zc))])
                ents = [e for e in out if e[0] == 3]
            elif p.variant == "octant":  # the halves facing each other
                lo, hi = (zc, big) if zc == 0.0 else (-big, zc)
                ents, _ = occ.intersect(_cut_quarter(occ, ents, big), [(3, _box(occ, (0, 0, lo), (big, big, hi)))])
        bodies.append(ents)
    occ.synchronize()
    b1, b2 = ([e for _, e in ents] for ents in bodies)
    _disjoint(gmsh, dim, b1, b2)

    groups: dict = {(dim, "particle_1"): b1, (dim, "particle_2"): b2}
    named = _classify(gmsh, dim, b1, _round_namer("surface_1", two_d))
    for k, v in _classify(gmsh, dim, b2, _round_namer("surface_2", two_d)).items():
        named.setdefault(k, []).extend(v)
    if "end_surface" in named:  # octant: particle 2's equator cut (particle 1's is at z = 0)
        named.setdefault("symmetry_z", []).extend(named.pop("end_surface"))
    _merge(groups, dim - 1, named, ("surface_1", "surface_2", "symmetry_x", "symmetry_y", "symmetry_z", "axis"))
    add_groups(gmsh, groups)

    def at(z):
        return (0.0, z, 0.0) if two_d else (0.0, 0.0, z)

    contact_pts = [_contact_vertex(gmsh, dim, b1, named["surface_1"], at(r1)),
                   _contact_vertex(gmsh, dim, b2, named["surface_2"], at(r1 + g))]
    points = {}
    if p.variant == "full":
        s1, s2 = _supports((0.0, 0.0, 0.0), r1 / 2), _supports((0.0, 0.0, z2), r2 / 2, "_2")
        _embed_supports(gmsh, b1[0], s1)
        _embed_supports(gmsh, b2[0], s2)
        points = {**s1, **s2}
    elif p.variant == "quarter":
        points = {"centre_1": (0.0, 0.0, 0.0), "centre_2": (0.0, 0.0, z2)}
    fine = named["surface_1"] + named["surface_2"]
    refine(gmsh, p.h_fine / L, p.h_coarse / L, surfaces=() if two_d else fine, curves=fine if two_d else (),
           points=contact_pts, h_point=p.h_contact / L)
    return ModelInfo(points=points, centre=(0.0, 0.0, 0.0), axis=None,
                     li_entry=(("surface_1", "particle_1"), ("surface_2", "particle_2")))


def build_sphere_sphere(comm, params: SphereSphereParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh two spheres in (near) point contact and distribute them over ``comm`` (collective).

    Returns:
        :class:`MeshData` (metres): regions ``particle_1`` (centred at the origin) and
        ``particle_2`` (centred at (0, 0, R1 + gap + R2)), disconnected; surfaces
        ``surface_1``, ``surface_2``, ``symmetry_x``/``symmetry_y`` (quarter, octant),
        ``symmetry_z`` (octant: both equators) or ``axis`` (2D). The closest points (0, 0, R1) and (0, 0, R1 + gap) are mesh vertices.
        ``centre`` = particle 1's centre (the origin); ``contact_pairs`` = particles
        (surface_1 / surface_2); for ``"full"``, ``points`` holds origin, x_axis, y_axis
        (particle 1) and origin_2, x_axis_2, y_axis_2 (particle 2); for ``"quarter"``, the
        centres ``centre_1`` and ``centre_2`` (vertices of the axis edge), which supports
        may hold so that swelling presses the particles together.

    ``msh_file`` optionally names a Gmsh ``.msh`` file to write as well (metres).

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _sphere_sphere_model, "sphere_sphere", rank, msh_file)


# ============================================================================ cylinder on plane
@dataclass(frozen=True)
class CylinderOnPlaneParams(GeometryParams):
    """A cylinder (nanowire) lying along x on a plate (current collector): line contact; metres.

    The wire segment spans -length/2 <= x <= length/2 with its axis at y = 0,
    z = radius + gap; the plate spans the same x range, |y| <= plate_half_width and
    -plate_thickness <= z <= 0. The contact line is y = 0 on the plate top (z = 0) and on
    the wire bottom (z = gap).

    Defaults: a Si nanowire of 100 nm diameter (nanowires on a current collector, line
    contact: ``000`` L2347-2360; Si nanowires of ~90 nm diameter before lithiation: Chan et
    al., Nat. Nanotechnol. 3 (2008) 31), a 200 nm segment (2 diameters; real wires are
    microns long: the segment's ends are cuts, see ``end_surface``) touching (gap 0) a plate
    2 radii thick and 2 radii half-wide (the Cu foil truncated: see the module docstring).
    ``h_contact`` = R/50 = 1 nm resolves a Hertz half-width of a few % of R with ~2
    elements (Johnson, Contact Mechanics, 1985, ch. 4).

    Variants: "quarter" (x >= 0: symmetry_x at mid-length, y >= 0: symmetry_y through the
    axis and the contact line), "full" (the wire gets 3-2-1 supports "origin" on its axis at
    mid-length, "x_axis" at (length/4, 0), "y_axis" at R/2 along y; the plate is clamped),
    "plane_strain" (2D cross-section in (x, y) = (y, z) of 3D: a disc on a rectangle; the
    contact line becomes the point (0, 0) / (0, gap)), "slab" (that section extruded along
    z into a one-layer plane-strain slab, :mod:`anodemech.geometry.base`; the contact line
    runs along z). No axisymmetric variant: the wire is not a body of revolution about the
    contact normal.

    Attributes:
        radius: wire radius R [m], 1 nm ... 100 um.
        length: wire (and plate) length along x [m], R ... 50 R. 3D only.
        plate_thickness: plate thickness t [m], R/10 ... 10 R.
        plate_half_width: plate half-width across the wire (along y) [m], 1.6 R ... 10 R
            (1.6 R: wider than the wire swollen by 300 %).
        gap: initial gap between the wire and the plate top [m], 0 (touching) ... R.
        h_fine: element size at the wire surface, its ends and the plate top [m],
            <= h_coarse, <= R/3 and <= t/2.
        h_coarse: element size inside both bodies [m], <= R/2.
        h_contact: element size along the contact line [m], R/1000 ... R/20, <= h_fine.
        variant: "quarter" (symmetry_x, symmetry_y), "full", "plane_strain" or "slab".
        plate: "elastic" (a meshed plate, contact pair wire_plate) or "rigid" (no plate body:
            the collector is the rigid plane y = 0 of the section, an obstacle for the
            solver; "plane_strain" and "slab" only). A rigid plate puts two named points in
            the wire: ``centre`` on its axis (a loading line in the slab) and ``above`` at
            R/2 above it (fixing its x displacement stops the rotation about the axis).
        contact_zone: half-width of the band around the contact line (2D: point) meshed at
            h_contact [m], 0 (the line only) ... R/2; size it to the expected half-width.
        half: "plane_strain" and "slab" only: keep the wire's lower half, below its axis
            plane y = R + gap, with ``symmetry_y`` there. By mirror symmetry the wire is
            pressed between two collectors (as the "octant" of ``sphere_on_plane``); the
            point ``centre`` on the cut (x = 0) can hold the x displacement, which the
            symmetry leaves free.
    """

    radius: float = 50e-9
    length: float = 200e-9
    plate_thickness: float = 100e-9
    plate_half_width: float = 100e-9
    gap: float = 0.0
    h_fine: float = 6.25e-9
    h_coarse: float = 12.5e-9
    h_contact: float = 1e-9
    variant: str = "quarter"
    plate: str = "elastic"
    contact_zone: float = 0.0
    half: bool = False

    VARIANTS = ("quarter", "full", "plane_strain")

    def regions(self) -> tuple[str, ...]:
        return ("wire", "plate") if self.plate == "elastic" else ("wire",)

    def length_scale(self) -> float:
        return self.radius

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        if self.plate == "rigid":
            return ()
        return (ContactPair("wire_plate", "wire_surface", "plate_top", float(self.gap)),)

    def expected_measures(self) -> dict[str, float]:
        R, ln, t, w = self.radius, self.length, self.plate_thickness, self.plate_half_width
        if self.variant == "plane_strain":
            f = 0.5 if self.half else 1.0
            out = {"wire": f * math.pi * R**2, "wire_surface": f * 2 * math.pi * R}
            if self.half:
                out["symmetry_y"] = 2 * R
            if self.plate == "elastic":
                out.update(plate=2 * w * t, plate_top=2 * w, clamped=2 * w, plate_side=2 * t)
            return out
        if self.variant == "quarter":
            h = ln / 2
            return {"wire": math.pi * R**2 / 2 * h, "plate": h * w * t, "wire_surface": math.pi * R * h,
                    "plate_top": h * w, "clamped": h * w, "plate_side": h * t, "end_surface": math.pi * R**2 / 2,
                    "plate_end": w * t, "symmetry_x": math.pi * R**2 / 2 + w * t, "symmetry_y": 2 * R * h + h * t}
        return {"wire": math.pi * R**2 * ln, "plate": 2 * w * ln * t, "wire_surface": 2 * math.pi * R * ln,
                "plate_top": 2 * w * ln, "clamped": 2 * w * ln, "plate_side": 2 * ln * t,
                "end_surface": 2 * math.pi * R**2, "plate_end": 4 * w * t}

    def estimate_cells(self) -> float:
        m = self.expected_measures()
        wire_area = m["wire_surface"] + m.get("end_surface", 0.0)
        n = self.cell_estimate(m["wire"], wire_area, self.h_fine, self.h_coarse)
        if "plate" in m:
            n += self.cell_estimate(m["plate"], m["plate_top"], self.h_fine, self.h_coarse)
        zone = self.contact_zone
        if self.gdim == 2:  # a half-disc of radius ~zone at h_contact on each body
            return n + 2 * _point_cells(2, self.h_contact, self.h_fine, 0.5) + 2 * CELLS_PER_H2 * math.pi * zone**2 / 2 / self.h_contact**2
        frac, ln = (0.25, self.length / 2) if self.variant == "quarter" else (0.5, self.length)
        zone_cells = 2 * CELLS_PER_H3 * frac * math.pi * zone**2 * ln / self.h_contact**3
        return n + 2 * _line_cells(ln, self.h_contact, self.h_fine, frac) + zone_cells

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters before meshing.

        Raises:
            CaseError: key ``f"{prefix}.<field>"`` and the accepted range, e.g. a negative
                gap (``gap``), a plate narrower than the swollen wire (``plate_half_width``),
                a segment shorter than its radius (``length``), an element size that does
                not fit the plate (``h_fine``), a contact size too coarse (``h_contact``) or a
                rigid plate outside the plane-strain variants (``plate``).
        """
        self.check_variant(prefix)
        if self.plate not in ("elastic", "rigid"):
            self.fail(prefix, "plate", f"unknown plate {self.plate!r}", "'elastic', 'rigid'")
        if self.plate == "rigid" and self.variant not in ("plane_strain", "slab"):
            self.fail(prefix, "plate", f"a rigid plate is not available for variant {self.variant!r}",
                      "plate = 'rigid' with variant 'plane_strain' or 'slab'")
        if not isinstance(self.half, bool):
            self.fail(prefix, "half", f"{self.half!r} is not a boolean", "true, false")
        if self.half and self.variant not in ("plane_strain", "slab"):
            self.fail(prefix, "half", f"a half section is not available for variant {self.variant!r}",
                      "half = true with variant 'plane_strain' or 'slab'")
        r = self.check_length(prefix, "radius", 1e-9, 1e-4)
        self.check_length(prefix, "contact_zone", 0.0, r / 2, hi_expr="radius/2")
        _check_range(self, prefix, "length", r, 50 * r, "radius", "50*radius")
        t = _check_range(self, prefix, "plate_thickness", r / 10, 10 * r, "radius/10", "10*radius")
        _check_range(self, prefix, "plate_half_width", SWELL_STRETCH * r, 10 * r, f"{SWELL_STRETCH}*radius",
                     "10*radius")
        self.check_length(prefix, "gap", 0.0, r, hi_expr="radius")
        self.check_sizes(prefix, "h_fine", "h_coarse", min(r / 3, t / 2), r / 2,
                         "(<= radius/3 and <= plate_thickness/2)", "(<= radius/2)")
        _check_h_contact(self, prefix, r, "radius")
        _h_contact_vs_fine(self, prefix)

    @classmethod
    def range_examples(cls) -> list:
        return [
            # smallest radius, thinnest and narrowest plate, largest gap (2D)
            cls(1 * NM, 5 * NM, 0.1 * NM, 1.6 * NM, 1 * NM, 0.05 * NM, 0.5 * NM, 0.05 * NM, "plane_strain"),
            # largest radius, thickest and widest plate, finest contact size (2D)
            cls(1e-4, 1e-3, 1e-3, 1e-3, 0.0, 20 * UM, 50 * UM, 0.1 * UM, "plane_strain"),
            # 3D quarter: shortest segment, thin plate, a gap
            cls(50 * NM, 50 * NM, 10 * NM, 80 * NM, 5 * NM, 5 * NM, 20 * NM, 2.5 * NM, "quarter"),
        ]


def _cylinder_on_plane_model(gmsh, p: CylinderOnPlaneParams, L: float) -> ModelInfo:
    occ = gmsh.model.occ
    g, t, w, ln = p.gap / L, p.plate_thickness / L, p.plate_half_width / L, p.length / L
    zc = 1.0 + g
    two_d = p.variant == "plane_strain"
    dim = 2 if two_d else 3
    rigid = p.plate == "rigid"
    if two_d:
        # an OpenCASCADE disk has one boundary vertex, at angle 0: turn it to the bottom
        disk = occ.addDisk(0, zc, 0, 1, 1)
        occ.rotate([(2, disk)], 0, zc, 0, 0, 0, 1, -math.pi / 2)
        wire = [(2, disk)]
        if p.half:  # below the axis plane; its point (0, zc) becomes a vertex of the cut
            wire, _ = occ.intersect(wire, [(2, occ.addRectangle(-2, zc - 2, 0, 4, 2))])
            out, _ = occ.fragment(wire, [(0, occ.addPoint(0.0, zc, 0.0))])
            wire = [e for e in out if e[0] == 2]
        plate = []
        if not rigid:
            corners = [(w, -t), (w, 0), (0, 0), (-w, 0), (-w, -t)]  # (0, 0) is a vertex of the top
            pts = [occ.addPoint(x, y, 0) for x, y in corners]
            lines = [occ.addLine(pts[i], pts[(i + 1) % len(pts)]) for i in range(len(pts))]
            plate = [(2, occ.addPlaneSurface([occ.addCurveLoop(lines)]))]
    else:
        # an OpenCASCADE cylinder along z has its seam at angle 0 (+x); turning the axis
        # onto x about y puts the seam at the bottom, where it becomes the contact line
        cyl = occ.addCylinder(0, 0, 0, 0, 0, ln, 1)
        occ.rotate([(3, cyl)], 0, 0, 0, 0, 1, 0, math.pi / 2)
        occ.translate([(3, cyl)], -ln / 2, 0, zc)
        wire = [(3, cyl)]
        if p.variant == "quarter":
            wire = _cut_quarter(occ, wire, 4 * (ln + w + t + 2))
            plate = [(3, _box(occ, (0, 0, -t), (ln / 2, w, 0)))]
        else:  # two halves sharing the face y = 0, so the contact line is an edge of the top
            halves = [(3, _box(occ, (-ln / 2, -w, -t), (ln / 2, 0, 0))),
                      (3, _box(occ, (-ln / 2, 0, -t), (ln / 2, w, 0)))]
            plate, _ = occ.fragment(halves[:1], halves[1:])
    occ.synchronize()
    pw, pb = [e for _, e in wire], [e for _, e in plate]
    if pb:
        _disjoint(gmsh, dim, pw, pb)

    groups: dict = {(dim, "wire"): pw}
    if pb:
        groups[(dim, "plate")] = pb
    order = ("wire_surface", "end_surface", "plate_top", "clamped", "plate_side", "plate_end", "symmetry_x",
             "symmetry_y")
    round_namer = _round_namer("wire_surface", two_d)

    def wire_namer(plane, box):  # the cut of a half section is its symmetry line
        if p.half and plane is not None and plane[0] == 1 and _near(plane[1], zc):
            return "symmetry_y"
        return round_namer(plane, box)

    named = _classify(gmsh, dim, pw, wire_namer)
    if pb:
        for k, v in _classify(gmsh, dim, pb, _plate_namer(t, two_d, end_x=None if two_d else ln / 2)).items():
            named.setdefault(k, []).extend(v)
    _merge(groups, dim - 1, named, order)
    add_groups(gmsh, groups)

    points = {}
    extra = []
    if two_d:
        contact_pts = [_vertex_at(gmsh, 2, pw, (0.0, g, 0.0))]
        if pb:
            contact_pts.append(_vertex_at(gmsh, 2, pb, (0.0, 0.0, 0.0)))
        if p.half:
            points = {"centre": (0.0, zc, 0.0)}  # a vertex of the cut
        elif not pb:  # loading and anti-rotation points of the wire (a rigid collector)
            points = {"centre": (0.0, zc, 0.0), "above": (0.0, zc + 0.5, 0.0)}
            tags = [occ.addPoint(*xyz) for xyz in points.values()]
            occ.synchronize()
            gmsh.model.mesh.embed(0, tags, 2, pw[0])
        fine = named["wire_surface"] + named.get("plate_top", [])
        refine(gmsh, p.h_fine / L, p.h_coarse / L, curves=fine, points=contact_pts, h_point=p.h_contact / L,
               point_reach=p.contact_zone / L)
    else:
        x0 = 0.0 if p.variant == "quarter" else -ln / 2
        lines = (_curve_on(gmsh, pw, (x0, 0, g), (ln / 2, 0, g)) + _curve_on(gmsh, pb, (x0, 0, 0), (ln / 2, 0, 0)))
        extra.append(distance_threshold(gmsh, "CurvesList", lines, p.h_contact / L, p.h_coarse / L, p.contact_zone / L))
        if p.variant == "full":
            points = {"origin": (0.0, 0.0, zc), "x_axis": (ln / 4, 0.0, zc), "y_axis": (0.0, 0.5, zc)}
            _embed_supports(gmsh, pw[0], points)
        fine = named["wire_surface"] + named["end_surface"] + named["plate_top"]
        refine(gmsh, p.h_fine / L, p.h_coarse / L, surfaces=fine, extra_fields=extra)
    centre = (0.0, zc, 0.0) if two_d else (0.0, 0.0, zc)
    axis = (0.0, 0.0, 1.0) if two_d else (1.0, 0.0, 0.0)
    return ModelInfo(points=points, centre=centre, axis=axis, li_entry=(("wire_surface", "wire"),))


def build_cylinder_on_plane(comm, params: CylinderOnPlaneParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a cylinder (nanowire) lying on a plate (line contact) and distribute it (collective).

    Returns:
        :class:`MeshData` (metres): regions ``wire`` and ``plate`` (disconnected); surfaces
        ``wire_surface``, ``end_surface`` (the wire's end cross-sections: free ends of a
        short wire, or cuts of a long one where a symmetry condition applies),
        ``plate_top``, ``clamped`` (plate bottom), ``plate_side`` (y = +-plate_half_width;
        2D: the rectangle's sides), ``plate_end`` (x = +-length/2), ``symmetry_x`` /
        ``symmetry_y`` (quarter). The contact line (y = 0 at z = 0 and z = gap) is a mesh
        edge of both bodies (2D: the points (0, 0), (0, gap)). ``centre`` = a point of the
        wire axis, ``axis`` = (1, 0, 0) (2D: (0, 0, 1), out of plane); ``contact_pairs`` =
        wire_plate (wire_surface / plate_top); for ``"full"``, ``points`` holds the wire's
        3-2-1 supports. ``"slab"``: the plane-strain section as a one-layer 3D slab along z
        (``symmetry_z`` on both faces). A rigid plate (``plate = "rigid"``) leaves the wire
        alone with points ``centre`` and ``above``; a half section (``half``) has
        ``symmetry_y`` on its cut and the point ``centre`` there.

    ``msh_file`` optionally names a Gmsh ``.msh`` file to write as well (metres).

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _cylinder_on_plane_model, "cylinder_on_plane", rank, msh_file)


__all__ = ["CylinderOnPlaneParams", "SphereOnPlaneParams", "SphereSphereParams", "build_cylinder_on_plane",
           "build_sphere_on_plane", "build_sphere_sphere"]
