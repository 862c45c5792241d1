"""Composite cell: an active particle embedded in a solid-electrolyte matrix.

The representative cell of a composite anode of a solid-state battery: one (optionally
coated) sphere at the centre of a cube of solid electrolyte. The particle is either bonded
to the matrix (one connected mesh sharing the interface facets) or in contact with it (two
bodies whose spherical surfaces coincide, or face each other across an initial gap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anodemech.geometry.base import ContactPair, GeometryParams, MeshData
from anodemech.geometry.gmsh_model import ModelInfo, add_groups, bbox, build_with_gmsh, plane_axis, refine

NM = 1e-9
COMPOSITE_VARIANTS = ("octant", "full", "axisymmetric")
INTERFACES = ("bonded", "contact")
MIN_LIGAMENT = 0.1  # smallest electrolyte ligament between the cavity and a cell face, in cavity radii


@dataclass(frozen=True)
class CompositeCellParams(GeometryParams):
    """Active particle in a cube of solid electrolyte (composite anode cell); lengths in metres.

    Setting: Si particles mixed with a sulfide (Li6PS5Cl) or oxide solid electrolyte in a
    composite anode; the rigid electrolyte confines the swelling particle, the real contact
    shrinks to points and voids open on delithiation (``001`` L644-648, L775, L889-922,
    L973; ``002`` L169-200). Defaults: a Si particle of 200 nm diameter (radius 100 nm), the
    size that performed best in all-solid-state cells (``001`` L268-270), bare (the ~20 nm
    SiOx impurity layer reported on Si in Li6PS5Cl, ``001`` L777, can be added as a coating),
    in a 250 nm cube of electrolyte, i.e. a Si volume fraction of 27 %.

    Geometry: the particle (radius ``radius``, region ``particle``), an optional coating
    (region ``coating``, ``radius`` ... ``radius + coating_thickness``) and the electrolyte
    (region ``electrolyte``): the cube ``[-cell_size/2, cell_size/2]^3`` minus the
    cavity of radius ``radius + coating_thickness + gap``, all centred at the origin.

    ``interface = "bonded"``: the bodies are fragmented and share the facets of the
    surface ``interface`` (and ``coating_interface`` between particle and coating).
    ``interface = "contact"``: the coated particle and the electrolyte are two bodies (not
    fragmented; the coating stays bonded to the particle). The particle's outer surface
    ``particle_surface`` and the cavity ``electrolyte_inner`` are separate facet groups with
    separate mesh vertices: the cavity mesh is a copy of the particle-surface mesh (Gmsh
    periodic constraint, scaled by ``(outer radius + gap) / outer radius`` about the
    centre), so for ``gap = 0`` every vertex of one surface coincides with a vertex of the
    other and DOLFINx keeps them apart (its topology comes from the node indices, not from
    the coordinates). Contact pair ``particle_electrolyte`` with the requested ``gap``.

    Cell faces (for the stack pressure, which acts on ``top``): ``top`` (z = +cell_size/2),
    ``bottom`` (z = -cell_size/2), ``side_xmin``, ``side_xmax``, ``side_ymin``, ``side_ymax``
    in the full cell. The octant keeps ``top``, ``side_xmax``, ``side_ymax``; its bottom is
    the mid-plane ``symmetry_z`` (a cell compressed between ``top`` and its mirror image).

    Variants: ``"octant"`` (x, y, z >= 0; ``symmetry_x/y/z``), ``"full"`` (3-2-1 supports
    ``origin``, ``x_axis``, ``y_axis`` in the particle at (0, 0, 0), (r/2, 0, 0),
    (0, r/2, 0); with ``interface = "contact"`` the electrolyte body gets its own supports
    ``matrix_origin``, ``matrix_x_axis``, ``matrix_y_axis`` at (-r_m, 0, 0), (r_m, 0, 0),
    (0, r_m, 0), r_m = (cavity radius + cell_size/2)/2) and ``"axisymmetric"``: the (r, z)
    half-plane, x = r >= 0, y = z, axis group ``axis``. A cube is not a body of revolution:
    the axisymmetric cell is the cylinder of radius cell_size/2 and height cell_size
    (faces ``top``, ``bottom`` and the mantle ``side``), which holds 21 % less
    electrolyte than the cube (pi/4 of its volume) and has no corners. No quarter/half
    variants: the octant already uses all three symmetry planes of the cube; no
    plane-strain variant (a sphere has no constant cross-section).

    Attributes:
        radius: radius of the active particle [m], 1 nm ... 100 um.
        coating_thickness: coating around the particle [m], 0 (none) ... 10 radii.
        cell_size: edge length of the electrolyte cube [m], >= 2.2 (radius +
            coating_thickness + gap) (an electrolyte ligament of at least 0.1 cavity radii
            on each side) and <= 50 (radius + coating_thickness + gap).
        interface: "bonded" (shared interface facets) or "contact" (two bodies, contact pair).
        gap: initial gap between the particle's outer surface and the electrolyte [m],
            0 ... radius; only with interface = "contact" (0 for "bonded").
        h_fine: element size at the spherical surfaces [m], <= h_coarse, <= radius/3, <=
            coating_thickness (if any) and <= half the electrolyte ligament (cell_size/2 -
            radius - coating_thickness - gap).
        h_coarse: element size in the bulk [m], <= cell_size/4.
        variant: "octant" (1/8 with symmetry planes), "full" (3-2-1 supports) or
            "axisymmetric" (2D (r, z) half-plane of a cylindrical cell).
    """

    radius: float = 100 * NM
    coating_thickness: float = 0.0
    cell_size: float = 250 * NM
    interface: str = "bonded"
    gap: float = 0.0
    h_fine: float = 8 * NM
    h_coarse: float = 20 * NM
    variant: str = "octant"

    VARIANTS = COMPOSITE_VARIANTS

    # ------------------------------------------------------------------ derived lengths
    @property
    def outer_radius(self) -> float:
        """Radius of the (coated) particle [m]."""
        return self.radius + self.coating_thickness

    @property
    def cavity_radius(self) -> float:
        """Radius of the cavity in the electrolyte [m] (outer radius + gap)."""
        return self.outer_radius + self.gap

    def min_cell_size(self) -> float:
        """Smallest accepted ``cell_size`` [m]: the cavity plus a ligament of 0.1 cavity radii."""
        return 2 * (1 + MIN_LIGAMENT) * self.cavity_radius

    def sphere_surfaces(self) -> dict[str, float]:
        """Spherical surface groups -> radius [m] (each is refined with ``h_fine``)."""
        out = {}
        if self.coating_thickness > 0:
            out["coating_interface"] = self.radius
        if self.interface == "contact":
            out["particle_surface"] = self.outer_radius
            out["electrolyte_inner"] = self.cavity_radius
        else:
            out["interface"] = self.outer_radius
        return out

    def face_names(self) -> tuple[str, ...]:
        """Facet groups of the cell faces and symmetry planes of the variant."""
        if self.variant == "full":
            return ("top", "bottom", "side_xmin", "side_xmax", "side_ymin", "side_ymax")
        if self.variant == "octant":
            return ("top", "side_xmax", "side_ymax", "symmetry_x", "symmetry_y", "symmetry_z")
        return ("top", "bottom", "side", "axis")

    # ------------------------------------------------------------------ interface
    def regions(self) -> tuple[str, ...]:
        return ("particle", "coating", "electrolyte") if self.coating_thickness > 0 else ("particle", "electrolyte")

    def length_scale(self) -> float:
        return self.radius

    def expected_measures(self) -> dict[str, float]:
        """Analytic measures: 3D volumes / areas of the variant; axisymmetric: areas and
        lengths in the (r, z) half-plane (half-discs, the cylinder's half-section)."""
        r, ro, rc, a = self.radius, self.outer_radius, self.cavity_radius, self.cell_size
        h = a / 2
        out: dict[str, float] = {}
        if self.variant == "axisymmetric":
            out["particle"] = math.pi * r**2 / 2
            if self.coating_thickness > 0:
                out["coating"] = math.pi * (ro**2 - r**2) / 2
            out["electrolyte"] = h * a - math.pi * rc**2 / 2
            out.update({k: math.pi * v for k, v in self.sphere_surfaces().items()})
            out.update({"top": h, "bottom": h, "side": a, "axis": a - 2 * self.gap})
            return out
        f = 1 / 8 if self.variant == "octant" else 1.0
        out["particle"] = f * 4 / 3 * math.pi * r**3
        if self.coating_thickness > 0:
            out["coating"] = f * 4 / 3 * math.pi * (ro**3 - r**3)
        out["electrolyte"] = f * (a**3 - 4 / 3 * math.pi * rc**3)
        out.update({k: f * 4 * math.pi * v**2 for k, v in self.sphere_surfaces().items()})
        face = h**2 if self.variant == "octant" else a**2
        for name in self.face_names():
            # a symmetry plane holds the particle's quarter disc and the electrolyte, not the gap
            out[name] = face - math.pi / 4 * (rc**2 - ro**2) if name.startswith("symmetry") else face
        return out

    def estimate_cells(self) -> float:
        meas = self.expected_measures()
        vol = sum(meas[n] for n in self.regions())
        area = sum(meas[n] for n in self.sphere_surfaces())
        return self.cell_estimate(vol, area, self.h_fine, self.h_coarse)

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        if self.interface == "contact":
            return (ContactPair("particle_electrolyte", "particle_surface", "electrolyte_inner", self.gap),)
        return ()

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters before meshing.

        Raises:
            CaseError: key ``f"{prefix}.<field>"`` with the accepted range: unknown variant or
                interface; radius, coating or gap out of range; a gap with a bonded
                interface; a cube too small for the particle (the message names the minimum
                cell_size) or too large; mesh sizes too coarse or too many cells.
        """
        self.check_variant(prefix)
        if self.interface not in INTERFACES:
            self.fail(prefix, "interface", f"unknown interface {self.interface!r}", ", ".join(map(repr, INTERFACES)))
        r = self.check_length(prefix, "radius", 1e-9, 1e-4)
        t = self.check_length(prefix, "coating_thickness", 0.0, 10 * r, hi_expr="10*radius")
        g = self.check_length(prefix, "gap", 0.0, r, hi_expr="radius")
        if self.interface == "bonded" and g > 0:
            self.fail(prefix, "gap", f"{g:.3g} m: a bonded interface has no gap",
                      "gap = 0 with interface = 'bonded' (interface = 'contact' allows 0 <= gap <= radius)")
        a = self.cell_size
        a_min = self.min_cell_size()
        if not (isinstance(a, (int, float)) and math.isfinite(a)) or a < a_min:
            self.fail(prefix, "cell_size",
                      f"{_fmt(a)} m: the particle (radius + coating_thickness + gap = {r + t + g:.3g} m) does not fit "
                      f"with an electrolyte ligament of {MIN_LIGAMENT:g} cavity radii; "
                      f"the minimum cell_size is {a_min:.3g} m",
                      f"{a_min:.3g} m <= cell_size <= {50 * (r + t + g):.3g} m")
        self.check_length(prefix, "cell_size", a_min, 50 * (r + t + g), hi_expr="50*(radius+coating_thickness+gap)")
        ligament = a / 2 - (r + t + g)
        max_fine = min(r / 3, ligament / 2, t if t > 0 else math.inf)
        self.check_sizes(prefix, "h_fine", "h_coarse", max_fine, a / 4,
                         "(<= radius/3, <= coating_thickness and <= half the electrolyte ligament "
                         "cell_size/2 - radius - coating_thickness - gap)", "(<= cell_size/4)")

    @classmethod
    def range_examples(cls) -> list:
        return [
            # smallest particle, thin coating, thinnest ligament (cell_size just above 2.2 x 6.4 nm)
            cls(radius=5 * NM, coating_thickness=1.4 * NM, cell_size=14.1 * NM, h_fine=0.3 * NM, h_coarse=1 * NM),
            # largest particle in a dilute cell (cell_size = 50 radii), octant
            cls(radius=100e-6, cell_size=5e-3, h_fine=6e-6, h_coarse=1e-3),
            # contact with the largest gap and a thick coating, axisymmetric
            cls(radius=50 * NM, coating_thickness=100 * NM, cell_size=500 * NM, interface="contact", gap=50 * NM,
                h_fine=5 * NM, h_coarse=40 * NM, variant="axisymmetric"),
            # contact without a gap, full cell, coarse
            cls(radius=1e-6, cell_size=3e-6, interface="contact", h_fine=0.12e-6, h_coarse=0.3e-6, variant="full"),
        ]


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, (int, float)) else repr(v)


def _match_scaled(gmsh, dim: int, slaves: list[int], masters: list[int], s: float) -> list[tuple[int, int]]:
    """Pair each slave entity with the master entity whose bounding box scaled by ``s``
    (about the origin) is closest to its own."""
    pairs = []
    for t in slaves:
        box = bbox(gmsh, dim, t)
        err = [float(np.abs(box - s * bbox(gmsh, dim, m)).max()) for m in masters]
        pairs.append((t, masters[int(np.argmin(err))]))
    return pairs


def _composite_model(gmsh, p: CompositeCellParams, L: float) -> ModelInfo:
    """OpenCASCADE model of the composite cell in units of ``L`` (see
    :class:`CompositeCellParams` for the groups)."""
    occ = gmsh.model.occ
    r, ro, rc, h = p.radius / L, p.outer_radius / L, p.cavity_radius / L, p.cell_size / (2 * L)
    coated = p.coating_thickness > 0
    contact = p.interface == "contact"
    two_d = p.variant == "axisymmetric"
    dim = 2 if two_d else 3
    if two_d:
        def ball(rad):
            return occ.addDisk(0, 0, 0, rad, rad)

        cell = occ.addRectangle(0, -h, 0, h, 2 * h)
        clip = occ.addRectangle(0, -2 * rc, 0, 2 * rc, 4 * rc)  # the half-plane x >= 0
    else:
        def ball(rad):
            return occ.addSphere(0, 0, 0, rad)

        if p.variant == "octant":
            cell = occ.addBox(0, 0, 0, h, h, h)
            clip = occ.addBox(0, 0, 0, 2 * rc, 2 * rc, 2 * rc)
        else:
            cell, clip = occ.addBox(-h, -h, -h, 2 * h, 2 * h, 2 * h), None
    inner = [(dim, ball(x)) for x in ((r, ro) if coated else (r,))]
    if len(inner) > 1:
        inner, _ = occ.fragment(inner[-1:], inner[:-1])
    if clip is not None:
        inner, _ = occ.intersect(inner, [(dim, clip)])
    if contact:
        matrix, _ = occ.cut([(dim, cell)], [(dim, ball(rc))])
        matrix_tags = {t for _, t in matrix}
    else:
        occ.fragment([(dim, cell)], inner)
        matrix_tags = set()
    occ.synchronize()

    def rmax(d, tag):
        return float(np.abs(bbox(gmsh, d, tag)).max())

    # ---- regions: the electrolyte reaches the cell faces, the inner bodies by their radius
    groups: dict = {(dim, n): [] for n in p.regions()}
    body_radii = {"particle": r, "coating": ro} if coated else {"particle": r}
    for _, t in gmsh.model.getEntities(dim):
        if t in matrix_tags or (not contact and abs(rmax(dim, t) - h) < 1e-6 * h):
            groups[(dim, "electrolyte")].append(t)
        else:
            groups[(dim, min(body_radii, key=lambda n: abs(body_radii[n] - rmax(dim, t))))].append(t)
    n_found = sum(len(v) for v in groups.values())
    if n_found != len(p.regions()) or any(not v for v in groups.values()):
        raise RuntimeError(f"expected regions {p.regions()}, OpenCASCADE produced {dict(groups)}")

    # ---- surfaces
    spheres = {k: v / L for k, v in p.sphere_surfaces().items()}
    for name in spheres:
        groups[(dim - 1, name)] = []
    for name in p.face_names():
        groups[(dim - 1, name)] = []
    matrix_bnd = set()
    if contact:
        matrix_bnd = {abs(t) for _, t in gmsh.model.getBoundary([(dim, t) for t in matrix_tags], combined=False,
                                                                oriented=False)}
    plane_names = {(0, -1): "side_xmin", (0, 1): "side_xmax", (1, -1): "side_ymin", (1, 1): "side_ymax",
                   (2, -1): "bottom", (2, 1): "top"}
    if two_d:
        plane_names = {(0, 1): "side", (1, -1): "bottom", (1, 1): "top"}
    for _, s in gmsh.model.getEntities(dim - 1):
        pa = plane_axis(gmsh, dim - 1, s, gdim=dim)
        if pa is not None and abs(pa[1]) < 1e-6:
            name = "axis" if two_d else "symmetry_" + "xyz"[pa[0]]
        elif pa is not None and abs(abs(pa[1]) - h) < 1e-6 * h:
            name = plane_names[(pa[0], 1 if pa[1] > 0 else -1)]
        elif pa is not None:
            raise RuntimeError(f"unexpected flat boundary ({dim - 1}, {s}) at {pa}")
        elif contact and s in matrix_bnd:
            name = "electrolyte_inner"
        else:
            rad = rmax(dim - 1, s)
            cand = {k: v for k, v in spheres.items() if k != "electrolyte_inner"}
            name = min(cand, key=lambda n: abs(cand[n] - rad))
        groups[(dim - 1, name)].append(s)
    add_groups(gmsh, groups)

    # ---- contact: the cavity mesh is the particle-surface mesh scaled about the centre
    if contact:
        sc = rc / ro
        T = [sc, 0, 0, 0, 0, sc, 0, 0, 0, 0, sc, 0, 0, 0, 0, 1]
        for slave, master in _match_scaled(gmsh, dim - 1, groups[(dim - 1, "electrolyte_inner")],
                                           groups[(dim - 1, "particle_surface")], sc):
            gmsh.model.mesh.setPeriodic(dim - 1, [slave], [master], T)

    # ---- 3-2-1 supports of the full cell
    points = {}
    if p.variant == "full":
        pts = {"origin": (0.0, 0.0, 0.0), "x_axis": (r / 2, 0.0, 0.0), "y_axis": (0.0, r / 2, 0.0)}
        embed = {"particle": list(pts)}
        if contact:
            rm = (rc + h) / 2
            mpts = {"matrix_origin": (-rm, 0.0, 0.0), "matrix_x_axis": (rm, 0.0, 0.0), "matrix_y_axis": (0.0, rm, 0.0)}
            pts.update(mpts)
            embed["electrolyte"] = list(mpts)
        tags = {k: occ.addPoint(*xyz) for k, xyz in pts.items()}
        occ.synchronize()
        for region, names in embed.items():
            gmsh.model.mesh.embed(0, [tags[k] for k in names], 3, groups[(3, region)][0])
        points = pts
    curved = [s for name in spheres for s in groups[(dim - 1, name)]]
    refine(gmsh, p.h_fine / L, p.h_coarse / L, surfaces=() if two_d else curved, curves=curved if two_d else ())

    outer = "particle_surface" if contact else "interface"
    entry = [(outer, "coating"), ("coating_interface", "particle")] if coated else [(outer, "particle")]
    return ModelInfo(points=points, centre=(0.0, 0.0, 0.0), axis=None, li_entry=tuple(entry))


def build_composite_cell(comm, params: CompositeCellParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a composite cell (particle in a solid-electrolyte cube) and distribute it (collective);
    ``msh_file`` optionally names a Gmsh file to write as well.

    Returns:
        :class:`MeshData` in metres: regions ``particle``, (``coating``,) ``electrolyte``;
        surfaces ``interface`` (bonded) or ``particle_surface`` / ``electrolyte_inner``
        (contact, contact pair ``particle_electrolyte``), ``coating_interface`` (coated),
        the cell faces (``top``, ``bottom``, ``side_*``) and ``symmetry_x/y/z`` (octant)
        or ``axis`` (axisymmetric). Centre (0, 0, 0); Li enters the particle (or its
        Li-storing coating) through ``interface`` / ``particle_surface``.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _composite_model, "composite_cell", rank, msh_file)


__all__ = ["CompositeCellParams", "build_composite_cell"]
