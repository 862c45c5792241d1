"""Wires and tubes: nanowires, nanotubes, coated nanowires and a nanowire inside a nanotube.

Both builders make straight circular segments along z (``ModelInfo.axis = (0, 0, 1)``, the
centre at the origin):

* ``nanowire`` (:class:`NanowireParams`): a solid wire, or a tube if ``inner_radius > 0``,
  optionally coated; a quarter of the cross-section over half the length with symmetry
  planes, the full segment, or the plane-strain cross-section.
* ``nanowire_in_tube`` (:class:`NanowireInTubeParams`): a wire inside a tube, shifted off
  the tube axis so that it rests on the tube wall along a line (line-to-line contact); the
  half x >= 0 over half the length, the full segment, or the plane-strain cross-section.
  The two bodies are separate meshes (not fragmented together); the line (3D) or point (2D)
  where they touch is a mesh edge (vertex) of both surfaces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anodemech.geometry.base import CELLS_PER_H2, CELLS_PER_H3, MAX_CELLS, ContactPair, GeometryParams, MeshData
from anodemech.geometry.gmsh_model import ModelInfo, add_groups, bbox, build_with_gmsh, plane_axis, refine

NM = 1e-9
Z_AXIS = (0.0, 0.0, 1.0)


def _radial_extent(gmsh, dim: int, tag: int) -> float:
    """Largest |x| or |y| of an entity's bounding box (model units): the radius of a
    circle, cylinder face or disc centred on the z axis."""
    return float(np.abs(bbox(gmsh, dim, tag)[:, :2]).max())


def _nearest(value: float, named: dict[str, float]) -> str:
    return min(named, key=lambda n: abs(named[n] - value))


def _cylinder_fields(gmsh, circles, h: float, h_coarse: float) -> list[int]:
    """Size fields for lateral surfaces of cylinders parallel to z (discs' circles in 2D):
    ``h`` within ``h`` of each circle ``(xc, yc, r)``, ramping to ``h_coarse`` at
    ``h + 2 h_coarse``, the ramp of :func:`gmsh_model.refine` (model units). The distance
    |sqrt((x-xc)^2 + (y-yc)^2) - r| is exact and cheap, unlike a sampled Distance field
    (which took 33 s to mesh the curves of a 100 radii long wire)."""
    fd = gmsh.model.mesh.field
    out = []
    for xc, yc, r in circles:
        dist = fd.add("MathEval")
        fd.setString(dist, "F", f"Fabs(Sqrt((x - ({xc!r}))^2 + (y - ({yc!r}))^2) - {r!r})")
        thr = fd.add("Threshold")
        for key, val in (("InField", dist), ("SizeMin", h), ("SizeMax", h_coarse), ("DistMin", h),
                         ("DistMax", h + 2 * h_coarse)):
            fd.setNumber(thr, key, val)
        out.append(thr)
    return out


# ============================================================================ nanowire
@dataclass(frozen=True)
class NanowireParams(GeometryParams):
    """Nanowire, nanotube or coated nanowire: a straight circular segment along z; metres.

    Defaults: a bare Si nanowire of 100 nm diameter, the size of the VLS-grown Si nanowire
    anodes of Chan et al., Nat. Nanotechnol. 3 (2008) 31 (pristine diameters of about
    90 nm), 300 nm long (three diameters: at the mid-length plane the free end's influence
    has decayed). ``inner_radius > 0`` makes a nanotube (double-walled
    Si-SiOx nanotubes: Wu et al., Nat. Nanotechnol. 7 (2012) 310, an active Si tube a few
    tens of nm thick inside a thin Li-permeable oxide wall of a few nm);
    ``coating_thickness > 0`` adds a coating (e.g. ~10 nm carbon as on Si@C, shared/literature
    ``004`` L100). Si nanowires on a current collector form line contacts (``000``
    L2347-2358); this builder models the free wire.

    Regions: ``wire`` (the active body; a tube if ``inner_radius > 0``) and ``coating``
    (if ``coating_thickness > 0``). Surfaces: ``outer_surface`` (outermost lateral surface),
    ``interface`` (wire | coating), ``inner_surface`` (the bore of a tube), ``end_surface``
    (free ends), ``symmetry_x/y/z`` (quarter).

    Variants: ``"quarter"`` (x >= 0, y >= 0, 0 <= z <= length/2: symmetry_x and symmetry_y on
    the cut planes, symmetry_z on the mid-length plane, the free end at z = length/2),
    ``"full"`` (-length/2 <= z <= length/2, both ends free, 3-2-1 supports in the wire at
    z = 0), ``"plane_strain"`` (the 2D disc / annulus cross-section in (x, y) of a long wire;
    2D supports ``origin`` and ``x_axis``). The quarter already is 1/8 of the segment (a
    quarter section times half the length), so there is no separate octant; there is no
    axisymmetric variant because a long wire's state is the plane-strain section and the
    end effects of a finite segment are in the 3D variants.

    Attributes:
        radius: outer radius of the active wire (tube) [m], 1 nm ... 100 um.
        inner_radius: radius of the bore [m], 0 (solid wire) or 0 < inner_radius < radius
            (nanotube).
        coating_thickness: thickness of the coating [m], 0 (bare) ... 10*radius.
        length: length of the wire segment [m], 1 nm ... 1 mm; 3D variants need
            length >= 4*h_fine.
        h_coarse: element size in the interior [m], h_fine ... outer radius/2.
        h_fine: element size at the lateral surfaces (bore, interface, outer surface) [m],
            <= radius/5, <= the wall (radius - inner_radius), <= inner_radius/5 (tubes),
            <= coating_thickness (coated) and <= length/4 (3D).
        variant: "quarter" (1/4 section over half the length, symmetry planes), "full"
            (3-2-1 supports), "plane_strain" (2D cross-section) or "slab" (that section as
            a one-layer 3D plane-strain slab, :mod:`anodemech.geometry.base`).
    """

    radius: float = 50 * NM
    inner_radius: float = 0.0
    coating_thickness: float = 0.0
    length: float = 300 * NM
    h_coarse: float = 12 * NM
    h_fine: float = 5 * NM
    variant: str = "quarter"

    VARIANTS = ("quarter", "full", "plane_strain")

    @property
    def outer_radius(self) -> float:
        """Radius of the outermost surface [m] (wire plus coating)."""
        return self.radius + self.coating_thickness

    def regions(self) -> tuple[str, ...]:
        return ("wire", "coating") if self.coating_thickness > 0 else ("wire",)

    def length_scale(self) -> float:
        return self.radius

    def _lateral(self) -> dict[str, float]:
        """Lateral (curved) surface name -> radius [m]."""
        out = {}
        if self.inner_radius > 0:
            out["inner_surface"] = self.inner_radius
        if self.coating_thickness > 0:
            out["interface"] = self.radius
        out["outer_surface"] = self.outer_radius
        return out

    def expected_measures(self) -> dict[str, float]:
        """Region volumes and surface areas [SI] (plane_strain: areas and lengths): annuli
        pi (r_out^2 - r_in^2) times the modelled length, lateral surfaces 2 pi r times the
        modelled length, each times the modelled fraction of the section (1/4 or 1)."""
        ri, r, ro = self.inner_radius, self.radius, self.outer_radius
        annuli = {"wire": (ri, r)}
        if self.coating_thickness > 0:
            annuli["coating"] = (r, ro)
        if self.variant == "plane_strain":
            out = {n: math.pi * (b**2 - a**2) for n, (a, b) in annuli.items()}
            out.update({n: 2 * math.pi * x for n, x in self._lateral().items()})
            return out
        quarter = self.variant == "quarter"
        f, lz = (0.25, self.length / 2) if quarter else (1.0, self.length)
        out = {n: f * math.pi * (b**2 - a**2) * lz for n, (a, b) in annuli.items()}
        out.update({n: f * 2 * math.pi * x * lz for n, x in self._lateral().items()})
        section = math.pi * (ro**2 - ri**2)
        if quarter:
            out["end_surface"] = section / 4
            out["symmetry_z"] = section / 4
            out["symmetry_x"] = out["symmetry_y"] = (ro - ri) * lz
        else:
            out["end_surface"] = 2 * section
        return out

    def estimate_cells(self) -> float:
        meas = self.expected_measures()
        vol = sum(meas[n] for n in self.regions())
        area = sum(meas[n] for n in self._lateral())
        return self.cell_estimate(vol, area, self.h_fine, self.h_coarse)

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range.
        """
        self.check_variant(prefix)
        r = self.check_length(prefix, "radius", 1e-9, 1e-4)
        ri = self.check_length(prefix, "inner_radius", 0.0, r, hi_expr="radius")
        if ri >= r:
            self.fail(prefix, "inner_radius", f"{ri!r} m leaves no wall (radius = {r:.3g} m)",
                      f"0 (solid wire) <= inner_radius < radius = {r:.3g} m")
        t = self.check_length(prefix, "coating_thickness", 0.0, 10 * r, hi_expr="10*radius")
        length = self.check_length(prefix, "length", 1e-9, 1e-3)
        # radius/5: >= 31 segments per circle, so circle areas are within 0.7 %
        limits = {"radius/5": r / 5, "the wall radius - inner_radius": r - ri}
        if ri > 0:
            limits["inner_radius/5"] = ri / 5
        if t > 0:
            limits["coating_thickness"] = t
        if self.gdim == 3:
            limits["length/4"] = length / 4
        self.check_sizes(prefix, "h_fine", "h_coarse", min(limits.values()) * (1 + 1e-9), (r + t) / 2 * (1 + 1e-9),
                         "(<= " + ", <= ".join(limits) + ")", "(<= outer radius/2)")

    @classmethod
    def range_examples(cls) -> list:
        return [
            cls(radius=5 * NM, coating_thickness=0.5 * NM, length=4 * NM, h_coarse=1.5 * NM, h_fine=0.5 * NM),
            cls(radius=10e-6, inner_radius=5e-6, coating_thickness=1e-6, length=10e-6, h_coarse=2.5e-6,
                h_fine=1e-6, variant="full"),
            cls(radius=100 * NM, inner_radius=95 * NM, coating_thickness=1000 * NM, h_coarse=100 * NM,
                h_fine=5 * NM, variant="plane_strain"),
            cls(radius=20 * NM, inner_radius=1.5 * NM, h_coarse=10 * NM, h_fine=0.3 * NM, variant="plane_strain"),
            cls(radius=20 * NM, length=2000 * NM, h_coarse=10 * NM, h_fine=4 * NM),
        ]


def _nanowire_model(gmsh, p: NanowireParams, L: float) -> ModelInfo:
    """Coaxial cylinders (discs in 2D) fragmented into layers, the bore cut out, the quarter
    intersected with x, y >= 0; groups named by plane or radius (model units)."""
    occ = gmsh.model.occ
    ri, r, ro = p.inner_radius / L, p.radius / L, p.outer_radius / L
    lh = p.length / L / 2
    two_d = p.variant == "plane_strain"
    quarter = p.variant == "quarter"
    dim = 2 if two_d else 3
    z0, lz = (0.0, lh) if quarter else (-lh, 2 * lh)

    def make(rad, extend=0.0):
        if two_d:
            return occ.addDisk(0, 0, 0, rad, rad)
        return occ.addCylinder(0, 0, z0 - extend, 0, 0, lz + 2 * extend, rad)

    ents = [(dim, make(x)) for x in ((r, ro) if p.coating_thickness > 0 else (r,))]
    if len(ents) > 1:
        ents, _ = occ.fragment(ents[-1:], ents[:-1])
    if ri > 0:  # the tool is longer than the wire: no coplanar end faces
        ents, _ = occ.cut(ents, [(dim, make(ri, extend=lh))])
    if quarter:
        ents, _ = occ.intersect(ents, [(3, occ.addBox(0, 0, -lh, 2 * ro, 2 * ro, 3 * lh))])
    occ.synchronize()

    regions = p.regions()
    bodies = [t for _, t in gmsh.model.getEntities(dim)]
    if len(bodies) != len(regions):
        raise RuntimeError(f"expected {len(regions)} bodies, OpenCASCADE produced {len(bodies)}")
    groups: dict = {(dim, n): [] for n in regions}
    region_radius = {"wire": r, "coating": ro}
    for t in bodies:
        groups[(dim, _nearest(_radial_extent(gmsh, dim, t), {n: region_radius[n] for n in regions}))].append(t)
    lateral = {n: x / L for n, x in p._lateral().items()}
    for _, s in gmsh.model.getEntities(dim - 1):
        pa = plane_axis(gmsh, dim - 1, s, gdim=dim)
        if pa is None or two_d:
            name = _nearest(_radial_extent(gmsh, dim - 1, s), lateral)
        elif pa[0] == 2 and not (quarter and abs(pa[1]) < 1e-6):
            name = "end_surface"
        else:
            name = "symmetry_" + "xyz"[pa[0]]
        groups.setdefault((dim - 1, name), []).append(s)
    add_groups(gmsh, groups)

    points = {}
    if p.variant in ("full", "plane_strain"):  # supports as vertices of the wire at z = 0
        if ri == 0:
            pts = {"origin": (0.0, 0.0, 0.0), "x_axis": (r / 2, 0.0, 0.0), "y_axis": (0.0, r / 2, 0.0)}
        else:
            rm = (ri + r) / 2
            pts = {"origin": (-rm, 0.0, 0.0), "x_axis": (rm, 0.0, 0.0), "y_axis": (0.0, rm, 0.0)}
        if two_d:  # 2D: origin (u = 0) and x_axis (u_y = 0) remove the rigid modes
            del pts["y_axis"]
        tags = [occ.addPoint(*xyz) for xyz in pts.values()]
        occ.synchronize()
        gmsh.model.mesh.embed(0, tags, dim, groups[(dim, "wire")][0])
        points = pts
    hf, hc = p.h_fine / L, p.h_coarse / L
    refine(gmsh, hf, hc, extra_fields=_cylinder_fields(gmsh, [(0.0, 0.0, x) for x in lateral.values()], hf, hc))
    entry = [("outer_surface", regions[-1])]
    if p.coating_thickness > 0:
        entry.append(("interface", "wire"))
    return ModelInfo(points=points, centre=(0.0, 0.0, 0.0), axis=Z_AXIS, li_entry=tuple(entry))


def build_nanowire(comm, params: NanowireParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a nanowire / nanotube / coated nanowire segment (collective); ``msh_file``
    optionally names a Gmsh file to write as well.

    Returns:
        :class:`MeshData` (metres; 3D, or 2D for ``"plane_strain"``): regions ``wire`` (and
        ``coating``); surfaces ``outer_surface``, ``interface`` (coated), ``inner_surface``
        (tube), ``end_surface`` (3D), ``symmetry_x/y/z`` (quarter). ``axis`` = z, ``centre``
        = origin. ``"full"``: points ``origin``, ``x_axis``, ``y_axis`` at z = 0 (solid:
        0, (r/2, 0, 0), (0, r/2, 0); tube: (-r_m, 0, 0), (r_m, 0, 0), (0, r_m, 0) with r_m
        the mid-wall radius); ``"plane_strain"``: ``origin`` and ``x_axis`` likewise.
        Li enters at ``outer_surface``, or at ``interface`` if the coating stores no Li.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _nanowire_model, "nanowire", rank, msh_file)


# ============================================================================ wire in tube
@dataclass(frozen=True)
class NanowireInTubeParams(GeometryParams):
    """A nanowire inside a nanotube, resting on the tube wall (line contact); metres.

    The architecture of SnO2 nanowires encapsulated in hydrogen-titanate nanotubes
    (SnO2@C-HTO, Chen et al. 2024, reviewed in shared/literature ``000`` L1477-1503:
    line-to-line contact along the wire, Li+ crossing the whole wire diameter). The review
    gives no dimensions: the defaults (a 40 nm SnO2 wire in a tube of 60 nm bore and 10 nm
    wall, 100 nm long) are assumed sizes of such wire-in-tube composites, not measured values.

    Geometry: the tube axis is the z axis; the wire axis is shifted by ``wire_offset`` along
    -y. Unset ``wire_offset`` (the default) gives the touching state: the wire rests on the
    tube wall at y < 0 with the gap ``contact_gap`` (0 = tangent, line contact), i.e.
    wire_offset = tube_inner_radius - wire_radius - contact_gap. The contact pair
    ``wire_tube`` (``wire_surface`` / ``tube_inner``) has the gap
    tube_inner_radius - wire_radius - |wire_offset|; the closest line (3D) or point (2D) of
    each surface is a mesh edge (vertex), with equally spaced vertices on both lines.

    Regions: ``wire``, ``tube``. Surfaces: ``wire_surface``, ``tube_inner``, ``tube_outer``,
    ``wire_end``, ``tube_end`` (3D free ends), ``symmetry_x``, ``symmetry_z`` (half).

    Variants: ``"half"`` (x >= 0, 0 <= z <= length/2: the offset lies in the symmetry plane
    x = 0, symmetry_z at the mid-length plane; the contact line is the edge of both bodies on
    x = 0), ``"full"`` (-length/2 <= z <= length/2; 3-2-1 supports ``origin``, ``x_axis``,
    ``y_axis`` in the tube wall at z = 0 and ``wire_centre`` on the wire axis), and
    ``"plane_strain"`` (2D cross-section; ``origin``, ``x_axis`` in the tube wall,
    ``wire_centre`` and ``wire_above``, half a wire radius above it). In the half variant the symmetry planes leave each body free to
    translate along y, and in the full variant the wire has no supports: a contact solver
    has to hold them (e.g. at ``wire_centre``). No quarter (the offset breaks the y
    symmetry) and no axisymmetric variant (the wire is off the axis).

    Attributes:
        wire_radius: radius of the wire [m], tube_inner_radius/20 ... tube_inner_radius
            (thinner wires would need h_fine <= wire_radius/5 all along the tube).
        tube_inner_radius: radius of the tube's bore [m], 1 nm ... 100 um.
        tube_outer_radius: outer radius of the tube [m], tube_inner_radius <
            tube_outer_radius <= 10*tube_inner_radius.
        length: length of the segment [m], 1 nm ... 1 mm; 3D variants need length >= 4*h_fine.
        wire_offset: shift of the wire axis along -y [m]; unset (default) = the touching
            state with contact_gap; else |wire_offset| <= tube_inner_radius - wire_radius.
        contact_gap: gap between wire and tube wall in the touching state [m],
            0 ... tube_inner_radius - wire_radius; must stay 0 if wire_offset is given.
        h_coarse: element size in the interior [m], h_fine ... tube_outer_radius/2.
        h_fine: element size at the lateral surfaces [m], <= wire_radius/5, <= the tube wall
            and <= length/4 (3D).
        h_contact: element size along the contact line (point) [m], 0 < h_contact <= h_fine.
        variant: "half" (x >= 0 and half the length, symmetry planes), "full",
            "plane_strain" (2D cross-section) or "slab" (that section as a one-layer 3D
            plane-strain slab, :mod:`anodemech.geometry.base`).
    """

    wire_radius: float = 20 * NM
    tube_inner_radius: float = 30 * NM
    tube_outer_radius: float = 40 * NM
    length: float = 100 * NM
    wire_offset: float | None = None
    contact_gap: float = 0.0
    h_coarse: float = 8 * NM
    h_fine: float = 3 * NM
    h_contact: float = 1.5 * NM
    variant: str = "half"

    VARIANTS = ("half", "full", "plane_strain")

    def offset(self) -> float:
        """The wire axis shift along -y [m] (``wire_offset``, or the touching state's)."""
        if self.wire_offset is None:
            return self.tube_inner_radius - self.wire_radius - self.contact_gap
        return float(self.wire_offset)

    def gap(self) -> float:
        """Smallest distance between the wire and the tube's bore [m], >= 0."""
        return max(0.0, self.tube_inner_radius - self.wire_radius - abs(self.offset()))

    def regions(self) -> tuple[str, ...]:
        return ("wire", "tube")

    def length_scale(self) -> float:
        return self.wire_radius

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        return (ContactPair("wire_tube", "wire_surface", "tube_inner", self.gap()),)

    def _modelled(self) -> tuple[float, float]:
        """(fraction of the section, modelled length [m]) of a 3D variant."""
        return (0.5, self.length / 2) if self.variant == "half" else (1.0, self.length)

    def expected_measures(self) -> dict[str, float]:
        """Region volumes and surface areas [SI] (plane_strain: areas and lengths): discs and
        annuli pi r^2, circles 2 pi r, times the modelled length and fraction; the plane
        x = 0 cuts the wire along a diameter (the offset lies in it) and the tube wall twice."""
        rw, ti, to = self.wire_radius, self.tube_inner_radius, self.tube_outer_radius
        wire, tube = math.pi * rw**2, math.pi * (to**2 - ti**2)
        lateral = {"wire_surface": 2 * math.pi * rw, "tube_inner": 2 * math.pi * ti, "tube_outer": 2 * math.pi * to}
        if self.variant == "plane_strain":
            return {"wire": wire, "tube": tube, **lateral}
        f, lz = self._modelled()
        out = {"wire": f * wire * lz, "tube": f * tube * lz, **{n: f * c * lz for n, c in lateral.items()}}
        if self.variant == "half":
            out.update(wire_end=wire / 2, tube_end=tube / 2, symmetry_z=(wire + tube) / 2,
                       symmetry_x=2 * (rw + to - ti) * lz)
        else:
            out.update(wire_end=2 * wire, tube_end=2 * tube)
        return out

    def _contact_cells(self) -> float:
        """Cells in the refined zone around the contact lines (points), an upper bound."""
        if self.gdim == 2:
            rz = self.h_contact + 2 * self.h_coarse
            return CELLS_PER_H2 * math.pi * rz**2 / (self.h_contact * self.h_coarse)
        f, lz = self._modelled()
        rz = self.h_contact + 2 * self.h_fine
        return CELLS_PER_H3 * math.pi * rz**2 * lz / self.h_contact**3

    def estimate_cells(self) -> float:
        meas = self.expected_measures()
        vol = meas["wire"] + meas["tube"]
        area = meas["wire_surface"] + meas["tube_inner"] + meas["tube_outer"]
        return self.cell_estimate(vol, area, self.h_fine, self.h_coarse) + self._contact_cells()

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters; the wire must fit inside the tube's bore.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range.
        """
        self.check_variant(prefix)
        ti = self.check_length(prefix, "tube_inner_radius", 1e-9, 1e-4)
        to = self.check_length(prefix, "tube_outer_radius", ti, 10 * ti, lo_open=True, hi_expr="10*tube_inner_radius")
        rw = self.wire_radius
        if not (isinstance(rw, (int, float)) and math.isfinite(rw) and ti / 20 <= rw <= ti):
            why = "the wire does not fit in the tube" if isinstance(rw, (int, float)) and rw > ti else "out of range"
            self.fail(prefix, "wire_radius", f"{rw!r} m: {why}",
                      f"tube_inner_radius/20 <= wire_radius <= tube_inner_radius = {ti:.3g} m")
        room = ti - rw
        self.check_length(prefix, "length", 1e-9, 1e-3)
        if self.wire_offset is None:
            self.check_length(prefix, "contact_gap", 0.0, room, hi_expr="tube_inner_radius - wire_radius")
        else:
            w = self.wire_offset
            if not (isinstance(w, (int, float)) and math.isfinite(w) and abs(w) <= room * (1 + 1e-9) + 1e-12 * ti):
                self.fail(prefix, "wire_offset",
                          f"{w!r} m: the wire does not fit in the tube "
                          "(wire_radius + |wire_offset| > tube_inner_radius)",
                          f"|wire_offset| <= tube_inner_radius - wire_radius = {room:.3g} m")
            if self.contact_gap != 0:
                self.fail(prefix, "contact_gap", "is only used when wire_offset is unset (the touching state); "
                          "with an explicit wire_offset the gap is tube_inner_radius - wire_radius - |wire_offset|",
                          "contact_gap = 0 when wire_offset is given")
        hk = self.h_contact
        if not (isinstance(hk, (int, float)) and math.isfinite(hk) and hk > 0):
            self.fail(prefix, "h_contact", f"{hk!r} m is not a positive length", "0 < h_contact <= h_fine")
        hf = self.h_fine
        if isinstance(hf, (int, float)) and math.isfinite(hf) and hf > 0 and self._contact_cells() > MAX_CELLS:
            self.fail(prefix, "h_contact", f"the contact zone alone would have ~{self._contact_cells():.2g} cells; "
                      f"increase {prefix}.h_contact", f"at most ~{MAX_CELLS:.0e} cells")
        limits = {"wire_radius/5": rw / 5, "the tube wall": to - ti}  # >= 31 segments per circle
        if self.gdim == 3:
            limits["length/4"] = self.length / 4
        self.check_sizes(prefix, "h_fine", "h_coarse", min(limits.values()) * (1 + 1e-9), to / 2 * (1 + 1e-9),
                         "(<= " + ", <= ".join(limits) + ")", "(<= tube_outer_radius/2)")
        if hk > hf:
            self.fail(prefix, "h_contact", f"{hk:.3g} m is larger than h_fine = {hf:.3g} m", "0 < h_contact <= h_fine")

    @classmethod
    def range_examples(cls) -> list:
        return [
            # the wire fills the bore: surface contact all round, gap 0
            cls(wire_radius=30 * NM, tube_inner_radius=30 * NM, tube_outer_radius=33 * NM, length=20 * NM,
                h_coarse=5 * NM, h_fine=3 * NM, h_contact=3 * NM),
            # a centred wire (gap = tube_inner_radius - wire_radius) in a tube of 10 bore radii
            cls(wire_radius=1e-6, tube_inner_radius=2e-6, tube_outer_radius=20e-6, wire_offset=0.0,
                h_coarse=10e-6, h_fine=0.2e-6, h_contact=0.2e-6, variant="plane_strain"),
            # the thinnest wire, tube_inner_radius/20, off-centre far from the wall
            cls(wire_radius=5e-6, tube_inner_radius=100e-6, tube_outer_radius=105e-6, wire_offset=-40e-6,
                h_coarse=50e-6, h_fine=1e-6, h_contact=1e-6, variant="plane_strain"),
            # touching with a small gap, full segment, micrometre scale
            cls(wire_radius=1e-6, tube_inner_radius=1.5e-6, tube_outer_radius=2e-6, length=2e-6,
                contact_gap=0.05e-6, h_coarse=0.5e-6, h_fine=0.2e-6, h_contact=0.1e-6, variant="full"),
            # offset along +y (negative wire_offset), 1 nm scale
            cls(wire_radius=1 * NM, tube_inner_radius=2 * NM, tube_outer_radius=3 * NM, length=4 * NM,
                wire_offset=-0.8 * NM, h_coarse=0.5 * NM, h_fine=0.2 * NM, h_contact=0.1 * NM),
        ]


def _contact_line_fields(gmsh, ys, h: float, h_out: float) -> list[int]:
    """Size fields for contact lines x = 0, y = y (parallel to z): ``h`` within ``h`` of each
    line, ramping to ``h_out`` at ``h + 2 h_out``, no constraint beyond (model units)."""
    fd = gmsh.model.mesh.field
    out = []
    for y in ys:
        dist = fd.add("MathEval")
        fd.setString(dist, "F", f"Sqrt(x^2 + (y - ({y!r}))^2)")
        thr = fd.add("Threshold")
        for key, val in (("InField", dist), ("SizeMin", h), ("SizeMax", h_out), ("DistMin", h),
                         ("DistMax", h + 2 * h_out), ("StopAtDistMax", 1)):
            fd.setNumber(thr, key, val)
        out.append(thr)
    return out


def _in_tube_model(gmsh, p: NanowireInTubeParams, L: float) -> ModelInfo:
    """Cross-sections of the wire (disc) and the tube (annulus) at z0, each extruded along z
    on its own (3D); the touching side is at -y (+y for a negative offset)."""
    occ = gmsh.model.occ
    rw, ti, to = p.wire_radius / L, p.tube_inner_radius / L, p.tube_outer_radius / L
    off = p.offset() / L
    lh = p.length / L / 2
    two_d = p.variant == "plane_strain"
    half = p.variant == "half"
    dim = 2 if two_d else 3
    z0, lz = (0.0, lh) if half else (-lh, 2 * lh)
    if two_d:
        z0 = 0.0
    cy = -off  # wire centre
    side = -1.0 if off >= 0 else 1.0  # the touching side
    y_wire, y_tube = cy + side * rw, side * ti  # the closest points of the two surfaces

    def disc(yc, rad):
        d = occ.addDisk(0, yc, z0, rad, rad)
        if not half:  # bring the circle's start vertex (at +x) to the touching side
            occ.rotate([(2, d)], 0, yc, z0, 0, 0, 1, side * math.pi / 2)
        return [(2, d)]

    wire = disc(cy, rw)
    tube, _ = occ.cut(disc(0.0, to), disc(0.0, ti))
    if half:
        wire, _ = occ.intersect(wire, [(2, occ.addRectangle(0, -2 * to, z0, 2 * to, 4 * to))])
        tube, _ = occ.intersect(tube, [(2, occ.addRectangle(0, -2 * to, z0, 2 * to, 4 * to))])
    if len(wire) != 1 or len(tube) != 1:
        raise RuntimeError(f"expected one wire and one tube section, OpenCASCADE produced {wire} and {tube}")
    bodies = {}
    for name, sec in (("wire", wire), ("tube", tube)):
        if two_d:
            bodies[name] = sec[0][1]
        else:
            out = occ.extrude(sec, 0, 0, lz)
            bodies[name] = next(t for d, t in out if d == 3)
    occ.synchronize()
    if len(gmsh.model.getEntities(dim)) != 2:
        raise RuntimeError(f"expected two bodies, found {gmsh.model.getEntities(dim)}")

    groups: dict = {(dim, "wire"): [bodies["wire"]], (dim, "tube"): [bodies["tube"]]}
    for name, body in bodies.items():
        for _, s in gmsh.model.getBoundary([(dim, body)], combined=False, oriented=False):
            s = abs(s)
            pa = None if two_d else plane_axis(gmsh, dim - 1, s)
            if pa is None:
                surf = "wire_surface" if name == "wire" else _nearest(_radial_extent(gmsh, dim - 1, s),
                                                                      {"tube_inner": ti, "tube_outer": to})
            elif pa[0] == 0:
                surf = "symmetry_x"
            elif pa[0] == 2 and half and abs(pa[1]) < 1e-6:
                surf = "symmetry_z"
            elif pa[0] == 2:
                surf = f"{name}_end"
            else:
                raise RuntimeError(f"unexpected plane surface {s} of the {name}: {pa}")
            groups.setdefault((dim - 1, surf), []).append(s)
    add_groups(gmsh, groups)

    def on_line(d, tag, y):
        """The entity lies on the line x = 0, y = y (parallel to z)."""
        box = bbox(gmsh, d, tag)
        return bool(np.abs(box[:, 0]).max() < 1e-6 and np.abs(box[:, 1] - y).max() < 1e-6)

    def closest(surface, y):
        ents = gmsh.model.getBoundary([(dim - 1, s) for s in groups[(dim - 1, surface)]], combined=False,
                                      oriented=False)
        found = sorted({abs(t) for d, t in ents if d == dim - 2 and on_line(d, abs(t), y)})
        if len(found) != 1:
            raise RuntimeError(f"no unique contact {'point' if two_d else 'line'} on {surface}: {found}")
        return found[0]

    contact = [closest("wire_surface", y_wire), closest("tube_inner", y_tube)]
    hf, hc, hk = p.h_fine / L, p.h_coarse / L, p.h_contact / L
    lateral = _cylinder_fields(gmsh, [(0.0, cy, rw), (0.0, 0.0, ti), (0.0, 0.0, to)], hf, hc)
    if two_d:
        refine(gmsh, hf, hc, points=contact, h_point=hk, extra_fields=lateral)
    else:
        n = max(2, math.ceil(lz / hk)) + 1  # the same vertices along both contact lines
        for c in contact:
            gmsh.model.mesh.setTransfiniteCurve(c, n)
        refine(gmsh, hf, hc, h_point=hk, extra_fields=[*lateral, *_contact_line_fields(gmsh, (y_wire, y_tube), hk, hf)])

    points = {}
    if not half:  # 3-2-1 supports in the tube wall at z = 0, opposite the contact; the wire axis
        rm = (ti + to) / 2
        pts = {"origin": (-rm, 0.0, 0.0), "x_axis": (rm, 0.0, 0.0), "y_axis": (0.0, -side * rm, 0.0)}
        if two_d:
            del pts["y_axis"]
        tags = {k: occ.addPoint(*xyz) for k, xyz in pts.items()}
        wpts = {"wire_centre": (0.0, cy, 0.0)}
        if two_d:  # on the wire's symmetry line x = 0: fixing x there stops its rotation
            wpts["wire_above"] = (0.0, cy + rw / 2, 0.0)
        wtags = [occ.addPoint(*xyz) for xyz in wpts.values()]
        occ.synchronize()
        gmsh.model.mesh.embed(0, list(tags.values()), dim, bodies["tube"])
        gmsh.model.mesh.embed(0, wtags, dim, bodies["wire"])
        points = {**pts, **wpts}
    return ModelInfo(points=points, centre=(0.0, 0.0, 0.0), axis=Z_AXIS,
                     li_entry=(("wire_surface", "wire"), ("tube_inner", "tube"), ("tube_outer", "tube")))


def build_nanowire_in_tube(comm, params: NanowireInTubeParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a nanowire inside a nanotube (collective); ``msh_file`` optionally names a Gmsh
    file to write as well.

    Returns:
        :class:`MeshData` (metres; 3D, or 2D for ``"plane_strain"``) of two separate bodies:
        regions ``wire``, ``tube``; surfaces ``wire_surface``, ``tube_inner``, ``tube_outer``,
        ``wire_end`` and ``tube_end`` (3D), ``symmetry_x`` and ``symmetry_z`` (half); the
        contact pair ``wire_tube``. ``centre`` = origin (the tube axis), ``axis`` = z. Full
        and plane-strain variants: points ``origin``, ``x_axis`` (and ``y_axis`` in 3D) in the
        tube wall, ``wire_centre`` on the wire axis, all at z = 0.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _in_tube_model, "nanowire_in_tube", rank, msh_file)


__all__ = ["NanowireInTubeParams", "NanowireParams", "build_nanowire", "build_nanowire_in_tube"]
