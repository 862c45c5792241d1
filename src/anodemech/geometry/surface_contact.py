"""Bodies on a plate: a faceted particle on a plane, a bonded thin film on a substrate, and a
block on a plate (flat-on-flat contact).

The three builders share one layout: the plate (substrate) lies below the plane z = 0 with
its bottom ``clamped``; the body sits above it, either bonded (the film: one fragmented
mesh with an ``interface``) or separated by a ``gap`` >= 0 (the particle and the block: two
disconnected bodies in one mesh, with a :class:`~anodemech.geometry.base.ContactPair`).
The footprint of a contact body is imprinted on ``plate_top`` (its edge is a mesh edge of
both surfaces) and refined there.

Reduced variants keep x >= 0 and y >= 0 (``"quarter"``) with ``symmetry_x`` and
``symmetry_y`` on the cut planes; 2D variants mesh a vertical section as the (x, y) plane,
y being the vertical (3D z) coordinate: ``"axisymmetric"`` for bodies of revolution
(x = r >= 0, ``axis`` at x = 0) and ``"plane_strain"`` for the half cross-section x >= 0
of prismatic bodies (``symmetry_x`` at x = 0). Everything is built in units of
``length_scale()`` and scaled back to metres.
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
_TOL = 1e-6  # model units: plane classification tolerance
_SLACK = 1 + 1e-9  # relative slack on limits derived from other fields ("100 um" * 100 vs "10 mm")


# ============================================================================ shared helpers
def _classify(gmsh, dim: int, bodies: dict[str, list[int]], namer, order: list[str]) -> dict:
    """Physical groups ``{(dim, name): tags}``: the regions ``bodies`` and their boundary
    entities named by ``namer(body, plane) -> name`` (``plane`` from :func:`plane_axis`,
    None for curved entities). Surfaces are added in ``order``; every name in ``order``
    must get entities, and no entity may get two names.

    Raises:
        RuntimeError: an entity with two names, or a name outside ``order`` (a builder bug).
    """
    names: dict[int, str] = {}
    for body, tags in bodies.items():
        for _, s in gmsh.model.getBoundary([(dim, t) for t in tags], combined=False, oriented=False):
            s = abs(s)
            name = namer(body, plane_axis(gmsh, dim - 1, s, gdim=dim))
            if names.setdefault(s, name) != name:
                raise RuntimeError(f"entity ({dim - 1}, {s}) is both {names[s]!r} and {name!r}")
            if name not in order:
                raise RuntimeError(f"unexpected boundary group {name!r} (expected {order})")
    groups: dict = {(dim, b): list(t) for b, t in bodies.items()}
    for name in order:
        groups[(dim - 1, name)] = sorted(s for s, n in names.items() if n == name)
    return groups


def _near(a: float, b: float) -> bool:
    return abs(a - b) < _TOL


def _flat_names(variant: str, two_d: bool) -> tuple[int, dict]:
    """Vertical axis index and ``{axis index: name}`` of the planes through the origin."""
    if two_d:
        return 1, {0: "axis" if variant == "axisymmetric" else "symmetry_x"}
    return 2, ({0: "symmetry_x", 1: "symmetry_y"} if variant == "quarter" else {})


def _point_tags(gmsh, coords) -> list[int]:
    """Tags of the geometry points at ``coords`` (model units); RuntimeError if one is missing."""
    pts = {t: np.array(gmsh.model.getValue(0, t, [])) for _, t in gmsh.model.getEntities(0)}
    out = []
    for c in coords:
        c = np.asarray(c, dtype=float)
        hit = [t for t, x in pts.items() if np.linalg.norm(x - c) < _TOL]
        if not hit:
            raise RuntimeError(f"no geometry point at {tuple(c)}")
        out.append(hit[0])
    return out


def _embed_points(gmsh, coords: dict[str, tuple], dim: int, tag: int) -> None:
    """Add points ``coords`` (model units) and embed them in entity ``(dim, tag)``."""
    occ = gmsh.model.occ
    tags = [occ.addPoint(*xyz) for xyz in coords.values()]
    occ.synchronize()
    gmsh.model.mesh.embed(0, tags, dim, tag)


def _supports(centre, reach: float) -> dict[str, tuple]:
    """3-2-1 support points around ``centre`` in the plane z = centre z (model units)."""
    x, y, z = centre
    return {"origin": (x, y, z), "x_axis": (x + reach, y, z), "y_axis": (x, y + reach, z)}


def _body_groups(gmsh, dim: int, tags) -> list[int]:
    return [t for d, t in tags if d == dim]


def _imprint(gmsh, dim: int, plate: int, footprint: int) -> list[int]:
    """Fragment the plate with a footprint entity (dimension ``dim - 1``) that lies on its
    top; returns the plate's entity tags (the footprint then splits ``plate_top``)."""
    occ = gmsh.model.occ
    _, out_map = occ.fragment([(dim, plate)], [(dim - 1, footprint)])
    occ.synchronize()
    plate_tags = _body_groups(gmsh, dim, out_map[0])
    # pieces of the footprint outside the plate (none expected) would be free entities
    bnd = {abs(t) for _, t in gmsh.model.getBoundary([(dim, t) for t in plate_tags], combined=False, oriented=False)}
    stray = [(d, t) for d, t in out_map[1] if d == dim - 1 and t not in bnd]
    if stray:
        raise RuntimeError(f"footprint {stray} is not on the plate top")
    return plate_tags


# ============================================================================ faceted particle
FACETED_VARIANTS = ("quarter", "full", "axisymmetric")


@dataclass(frozen=True)
class FacetedOnPlaneParams(GeometryParams):
    """A sphere with one flat circular facet, resting facet-down on a plate; lengths in m.

    The sphere (radius ``radius``) is cut by a horizontal plane so that the flat facet has
    radius ``facet_radius``; the facet faces the plate top (z = 0) at height ``gap``, so the
    sphere centre is at z = gap + sqrt(radius^2 - facet_radius^2). The plate is a square
    ``2 plate_half_width`` wide and ``plate_thickness`` thick, clamped at its bottom.

    Defaults: a Si particle of 150 nm diameter (the critical size of ~150 nm: micron-Si
    review ``004`` L58) on a Cu current collector, the classic point/surface contact on a
    collector (contact review ``000`` L2327-2376). The facet radius 30 nm (0.4 R) is an
    assumed flattened contact patch (a point contact turning into a surface contact:
    ``000`` L1553-1565); no measured facet size is cited. The plate is the part of the
    collector under the particle: its clamped bottom stands in for the rest of the foil.

    Contact: one pair ``facet_plate`` = (``particle_facet``, ``plate_top``, gap). Only the
    facet is at distance ``gap`` initially; the curved ``particle_surface`` leaves the facet
    edge at the angle asin(facet_radius/radius) (24 deg by default) and can touch the plate
    only after the patch has grown past the facet edge. A contact solver that follows that
    growth should use ``particle_surface`` as a second slave surface against ``plate_top``;
    it is not listed as a pair because its initial gap is only reached at the facet edge.

    Variants: ``"quarter"`` (x, y >= 0, ``symmetry_x``/``symmetry_y``), ``"full"`` and
    ``"axisymmetric"`` (2D (r, z), ``axis`` at r = 0; the body is one of revolution and the
    plate a disc of radius ``plate_half_width``). No plane-strain variant: a cross-section
    would model a faceted cylinder, another body. No octant: z is not a symmetry plane.

    Attributes:
        radius: sphere radius [m], 5 nm ... 100 um.
        facet_radius: radius of the flat facet [m], 0 < facet_radius < radius.
        gap: distance between the facet and the plate top [m], 0 (touching) ... radius.
        plate_thickness: plate thickness [m], 0 < plate_thickness <= 100 radius.
        plate_half_width: half the side of the square plate (disc radius in 2D) [m],
            radius ... 100 radius.
        h_coarse: element size away from the surfaces [m], <= radius/2.
        h_fine: element size on the particle surface, the facet and the plate under it [m],
            <= h_coarse, <= radius/3 and <= plate_thickness.
        h_edge: element size at the facet edge (the flat-punch stress singularity) on both
            bodies [m], 0 < h_edge <= h_fine and <= facet_radius/2 (it resolves small facets).
        variant: "quarter" (symmetry planes x = 0, y = 0), "full" or "axisymmetric".
    """

    radius: float = 75 * NM
    facet_radius: float = 30 * NM
    gap: float = 0.0
    plate_thickness: float = 60 * NM
    plate_half_width: float = 120 * NM
    h_coarse: float = 15 * NM
    h_fine: float = 5 * NM
    h_edge: float = 2 * NM
    variant: str = "quarter"

    VARIANTS = FACETED_VARIANTS

    # geometry in metres
    def facet_depth(self) -> float:
        """Distance from the sphere centre down to the facet plane [m]."""
        return math.sqrt(self.radius**2 - self.facet_radius**2)

    def centre_height(self) -> float:
        """z of the sphere centre [m]."""
        return self.gap + self.facet_depth()

    def regions(self) -> tuple[str, ...]:
        return ("particle", "plate")

    def surfaces(self) -> tuple[str, ...]:
        """Facet groups of the variant, in tag order."""
        sym = {"quarter": ("symmetry_x", "symmetry_y"), "full": (), "axisymmetric": ("axis",)}[self.variant]
        return ("particle_facet", "particle_surface", "plate_top", "clamped", "plate_side", *sym)

    def length_scale(self) -> float:
        return self.radius

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        return (ContactPair("facet_plate", "particle_facet", "plate_top", float(self.gap)),)

    def expected_measures(self) -> dict[str, float]:
        R, a, t, W = self.radius, self.facet_radius, self.plate_thickness, self.plate_half_width
        d = self.facet_depth()
        cap = R - d  # height of the cap cut off
        phi = math.asin(a / R)  # half-angle of the cap seen from the centre
        segment = R**2 * math.acos(d / R) - d * a  # circular segment cut off a great circle
        if self.variant == "axisymmetric":
            return {"particle": (math.pi * R**2 - segment) / 2, "plate": W * t,
                    "particle_facet": a, "particle_surface": R * (math.pi - phi), "plate_top": W, "clamped": W,
                    "plate_side": t, "axis": (R + d) + t}
        f = 0.25 if self.variant == "quarter" else 1.0
        side = 2 * W if self.variant == "full" else W
        out = {"particle": f * (4 / 3 * math.pi * R**3 - math.pi * cap**2 * (3 * R - cap) / 3),
               "plate": f * (2 * W) ** 2 * t,
               "particle_facet": f * math.pi * a**2,
               "particle_surface": f * (4 * math.pi * R**2 - 2 * math.pi * R * cap),
               "plate_top": f * (2 * W) ** 2, "clamped": f * (2 * W) ** 2,
               "plate_side": (4 if self.variant == "full" else 2) * side * t}
        if self.variant == "quarter":
            for ax in ("x", "y"):
                out[f"symmetry_{ax}"] = (math.pi * R**2 - segment) / 2 + W * t
        return out

    def estimate_cells(self) -> float:
        meas = self.expected_measures()
        vol = meas["particle"] + meas["plate"]
        area = meas["particle_surface"] + 2 * meas["particle_facet"]
        n = self.cell_estimate(vol, area, self.h_fine, self.h_coarse)
        # the facet-edge tube (radius ~ h_edge + 2 h_fine) at h_edge, in 3D and 2D
        rim = 2 * math.pi * self.facet_radius * (0.25 if self.variant == "quarter" else 1.0)
        tube = (self.h_edge + 2 * self.h_fine) ** 2
        if self.gdim == 3:
            n += CELLS_PER_H3 * 2 * rim * tube / (self.h_edge**2 * self.h_fine)
        return n

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range, e.g. a facet
                as large as the sphere, a negative gap or a plate narrower than the particle.
        """
        self.check_variant(prefix)
        R = self.check_length(prefix, "radius", 5e-9, 1e-4)
        a = self.check_length(prefix, "facet_radius", 0.0, R * _SLACK, lo_open=True, hi_expr="radius")
        if a >= R:
            self.fail(prefix, "facet_radius", f"{a:.3g} m is not smaller than radius = {R:.3g} m (no sphere left)",
                      f"0 < facet_radius < radius = {R:.3g} m")
        self.check_length(prefix, "gap", 0.0, R * _SLACK, hi_expr="radius")
        t = self.check_length(prefix, "plate_thickness", 0.0, 100 * R * _SLACK, lo_open=True, hi_expr="100*radius")
        self.check_length(prefix, "plate_half_width", R / _SLACK, 100 * R * _SLACK, hi_expr="100*radius")
        self.check_sizes(prefix, "h_fine", "h_coarse", min(R / 3, t) * _SLACK, R / 2 * _SLACK,
                         "(<= radius/3 and <= plate_thickness)", "(<= radius/2)")
        he, limit = self.h_edge, min(self.h_fine, a / 2 * _SLACK)
        if not (isinstance(he, (int, float)) and math.isfinite(he) and 0 < he <= limit):
            self.fail(prefix, "h_edge", f"{he!r} m is out of range",
                      f"0 < h_edge <= min(h_fine, facet_radius/2) = {limit:.3g} m")

    @classmethod
    def range_examples(cls) -> list:
        return [cls(5 * NM, 1 * NM, 0.0, 1 * NM, 5 * NM, 1.5 * NM, 0.5 * NM, 0.2 * NM),
                cls(10 * UM, 9.5 * UM, 10 * UM, 5 * UM, 10 * UM, 3 * UM, 1 * UM, 0.5 * UM),
                cls(75 * NM, 5 * NM, 2 * NM, 100 * NM, 300 * NM, 25 * NM, 8 * NM, 1 * NM),
                cls(75 * NM, 40 * NM, 5 * NM, 30 * NM, 100 * NM, 25 * NM, 8 * NM, 3 * NM, "full"),
                cls(1 * UM, 0.999 * UM, 20 * NM, 1 * UM, 100 * UM, 0.5 * UM, 50 * NM, 10 * NM, "axisymmetric")]


def _faceted_model(gmsh, p: FacetedOnPlaneParams, L: float) -> ModelInfo:
    occ = gmsh.model.occ
    R, a, g = 1.0, p.facet_radius / L, p.gap / L
    t, W = p.plate_thickness / L, p.plate_half_width / L
    zc = p.centre_height() / L
    v = p.variant
    two_d = v == "axisymmetric"
    dim = 2 if two_d else 3
    big = 4 * (R + W + t + g)
    if two_d:
        ball = occ.addDisk(0, zc, 0, R, R)
        below = occ.addRectangle(-big, -big, 0, 2 * big, big + g)
        part, _ = occ.cut([(2, ball)], [(2, below)])
        part, _ = occ.intersect(part, [(2, occ.addRectangle(0, -big, 0, big, 2 * big))])
        plate = occ.addRectangle(0, -t, 0, W, t)
        footprint = occ.addLine(occ.addPoint(0, 0, 0), occ.addPoint(a, 0, 0))
    else:
        ball = occ.addSphere(0, 0, zc, R)
        below = occ.addBox(-big, -big, -big, 2 * big, 2 * big, big + g)
        part, _ = occ.cut([(3, ball)], [(3, below)])
        x0 = 0.0 if v == "quarter" else -W
        plate = occ.addBox(x0, x0, -t, W - x0, W - x0, t)
        footprint = occ.addDisk(0, 0, 0, a, a)
        if v == "quarter":
            part, _ = occ.intersect(part, [(3, occ.addBox(0, 0, -big, big, big, 2 * big))])
            footprint_q, _ = occ.intersect([(2, footprint)], [(2, occ.addRectangle(0, 0, 0, big, big))])
            footprint = footprint_q[0][1]
    occ.synchronize()
    part_tags = _body_groups(gmsh, dim, part)
    plate_tags = _imprint(gmsh, dim, plate, footprint)
    if len(part_tags) != 1 or len(plate_tags) != 1:
        raise RuntimeError(f"expected one particle and one plate, OpenCASCADE produced {part_tags}, {plate_tags}")

    up, flat = _flat_names(v, two_d)

    def namer(body, plane):
        if body == "particle":
            if plane is None:
                return "particle_surface"
            ax, val = plane
            if ax == up:
                return "particle_facet"
            return flat[ax]
        ax, val = plane
        if ax == up:
            return "plate_top" if _near(val, 0.0) else "clamped"
        if _near(val, 0.0) and ax in flat:
            return flat[ax]
        return "plate_side"

    groups = _classify(gmsh, dim, {"particle": part_tags, "plate": plate_tags}, namer, list(p.surfaces()))
    add_groups(gmsh, groups)

    # contact reference points: the facet centre and the point under it (mesh vertices)
    if two_d:
        centre = (0.0, zc, 0.0)
        points = {"facet_centre": (0.0, g, 0.0), "plate_centre": (0.0, 0.0, 0.0)}
    else:
        centre = (0.0, 0.0, zc)
        points = {"facet_centre": (0.0, 0.0, g), "plate_centre": (0.0, 0.0, 0.0)}
        if v == "full":
            _embed_points(gmsh, {"facet_centre": points["facet_centre"]}, 2, groups[(2, "particle_facet")][0])
            under = [s for s in groups[(2, "plate_top")] if float(np.abs(bbox(gmsh, 2, s)).max()) < a + _TOL]
            _embed_points(gmsh, {"plate_centre": points["plate_centre"]}, 2, under[0])
            supports = _supports(centre, R / 2)
            _embed_points(gmsh, supports, 3, part_tags[0])
            points.update(supports)

    # sizes: h_fine on the particle and on the plate under the facet, h_edge at the facet edge
    plate_under = [s for s in groups[(dim - 1, "plate_top")]
                   if float(np.abs(bbox(gmsh, dim - 1, s)[:, :2]).max()) < a + _TOL]
    fine = groups[(dim - 1, "particle_surface")] + groups[(dim - 1, "particle_facet")] + plate_under
    h_fine, h_coarse, h_edge = p.h_fine / L, p.h_coarse / L, p.h_edge / L
    if two_d:
        edge_pts = _point_tags(gmsh, [(a, g, 0.0), (a, 0.0, 0.0)])
        refine(gmsh, h_fine, h_coarse, curves=fine, points=edge_pts, h_point=h_edge)
    else:
        def rim(surfs):
            cs = {abs(c) for _, c in gmsh.model.getBoundary([(2, s) for s in surfs], combined=False, oriented=False)}
            return [c for c in cs if np.all(np.ptp(bbox(gmsh, 1, c), axis=0)[:2] > _TOL)]

        edges = rim(groups[(2, "particle_facet")]) + rim(plate_under)
        refine(gmsh, h_fine, h_coarse, surfaces=fine, extra_fields=[distance_threshold(gmsh, "CurvesList", edges, h_edge, h_coarse)])
    gmsh.option.setNumber("Mesh.MeshSizeMin", h_edge / 4)
    return ModelInfo(points=points, centre=centre, li_entry=(("particle_surface", "particle"),))


def build_faceted_on_plane(comm, params: FacetedOnPlaneParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a faceted particle above (or on) a plate and distribute it (collective);
    ``msh_file`` optionally names a Gmsh file to write as well.

    Returns:
        :class:`MeshData` with two disconnected bodies: regions ``particle`` and ``plate``;
        surfaces ``particle_facet``, ``particle_surface``, ``plate_top``, ``clamped`` (plate
        bottom), ``plate_side``, and ``symmetry_x/y`` (quarter) or ``axis`` (2D). ``points``:
        ``facet_centre`` and ``plate_centre`` (the contact reference vertices, distance
        ``gap`` apart) and, for ``"full"``, 3-2-1 supports in the particle (centre,
        centre + (R/2, 0, 0), centre + (0, R/2, 0)) for the in-plane rigid modes that
        frictionless contact leaves free. ``centre`` is the sphere centre; Li enters
        through ``particle_surface``; contact pair ``facet_plate``.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _faceted_model, "faceted_on_plane", rank, msh_file)


# ============================================================================ thin film
FILM_VARIANTS = ("quarter", "full", "plane_strain", "axisymmetric")


@dataclass(frozen=True)
class ThinFilmParams(GeometryParams):
    """A film bonded on a substrate: a square patch (2D: a strip section or a disc); lengths in m.

    The film (region ``film``) occupies 0 <= z <= film_thickness, the substrate (region
    ``substrate``) -substrate_thickness <= z <= 0, both over |x|, |y| <= half_width. They
    share the ``interface`` (bonded, one conforming mesh; no contact pair). Li enters
    through ``film_top``. The substrate bottom is ``clamped``. The outer side faces of both
    layers form one group ``side``: free edges (traction-free) unless a boundary condition
    is put on them; zero normal displacement on ``side`` (normal +-x or +-y) turns the patch
    into a cell of an infinite film, whose film is then in the uniform biaxial state the
    substrate-curvature experiments measure. Away from free sides the film approaches that
    state within a few (film + substrate) thicknesses.

    Defaults: a 150 nm amorphous-Si film on a 500 nm Cu layer, as sputtered in the Si/SPE
    cell of the alloy-anode review (``001`` L773: 150 nm a-Si, 500 nm Cu current
    collector); the in-situ substrate-curvature (MOS) studies of a-Si films used 100-200 nm
    films (Nadimpalli, Sethuraman, Bucci, Srinivasan, Bower & Guduru, arXiv:1309.2016) on
    thick substrates (Sethuraman et al., J. Power Sources 195 (2010) 5062; its film
    thickness could not be checked here, only its abstract). half_width = 1 um is ~7 film
    thicknesses (1.5 film + substrate thicknesses). A flat Si film bonded to a metal
    collector is the surface-to-surface contact of the contact review (``000`` L2360-2376,
    L2845).

    Variants: ``"quarter"`` (x, y >= 0, ``symmetry_x``/``symmetry_y``), ``"full"``,
    ``"plane_strain"`` (2D half section x >= 0 of a long strip, (x, z) meshed as (x, y),
    ``symmetry_x`` at x = 0) and ``"axisymmetric"`` (a disc of radius half_width, (r, z) as
    (x, y), ``axis`` at r = 0). No octant: z is not a symmetry plane.

    Attributes:
        film_thickness: film thickness [m], 1 nm ... 100 um.
        substrate_thickness: substrate thickness [m], 0 < substrate_thickness <= 1000 film_thickness.
        half_width: half the side of the square patch (disc radius, strip half-width) [m],
            film_thickness ... 1000 film_thickness.
        h_film: element size in the film and at the interface [m], <= film_thickness/2
            (two elements through the film) and <= substrate_thickness.
        h_substrate: element size deep in the substrate [m], h_film ... max(half_width,
            substrate_thickness)/2.
        variant: "quarter", "full", "plane_strain" or "axisymmetric".
    """

    film_thickness: float = 150 * NM
    substrate_thickness: float = 500 * NM
    half_width: float = 1 * UM
    h_film: float = 50 * NM
    h_substrate: float = 250 * NM
    variant: str = "quarter"

    VARIANTS = FILM_VARIANTS

    def regions(self) -> tuple[str, ...]:
        return ("film", "substrate")

    def surfaces(self) -> tuple[str, ...]:
        """Facet groups of the variant, in tag order."""
        sym = {"quarter": ("symmetry_x", "symmetry_y"), "full": (), "plane_strain": ("symmetry_x",),
               "axisymmetric": ("axis",)}[self.variant]
        return ("film_top", "interface", "clamped", "side", *sym)

    def length_scale(self) -> float:
        return self.film_thickness

    def expected_measures(self) -> dict[str, float]:
        hf, hs, W = self.film_thickness, self.substrate_thickness, self.half_width
        if self.gdim == 2:
            out = {"film": W * hf, "substrate": W * hs, "film_top": W, "interface": W, "clamped": W, "side": hf + hs}
            out["axis" if self.variant == "axisymmetric" else "symmetry_x"] = hf + hs
            return out
        side = W if self.variant == "quarter" else 2 * W
        n_sides = 2 if self.variant == "quarter" else 4
        out = {"film": side**2 * hf, "substrate": side**2 * hs, "film_top": side**2, "interface": side**2,
               "clamped": side**2, "side": n_sides * side * (hf + hs)}
        if self.variant == "quarter":
            out["symmetry_x"] = out["symmetry_y"] = W * (hf + hs)
        return out

    def estimate_cells(self) -> float:
        m = self.expected_measures()
        h = self.h_film
        # the whole film is at h_film (measured: 11k tetrahedra for the default quarter, 44k full)
        film = CELLS_PER_H2 * m["film"] / h**2 if self.gdim == 2 else CELLS_PER_H3 * m["film"] / h**3
        return film + self.cell_estimate(m["substrate"], m["interface"], h, self.h_substrate)

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range, e.g. a
                non-positive substrate, a patch narrower than the film is thick, or an
                element size that leaves fewer than two elements through the film.
        """
        self.check_variant(prefix)
        hf = self.check_length(prefix, "film_thickness", 1e-9, 1e-4)
        hs = self.check_length(prefix, "substrate_thickness", 0.0, 1000 * hf * _SLACK, lo_open=True,
                               hi_expr="1000*film_thickness")
        W = self.check_length(prefix, "half_width", hf / _SLACK, 1000 * hf * _SLACK, hi_expr="1000*film_thickness")
        self.check_sizes(prefix, "h_film", "h_substrate", min(hf / 2, hs) * _SLACK, max(W, hs) / 2 * _SLACK,
                         "(<= film_thickness/2 and <= substrate_thickness)",
                         "(<= max(half_width, substrate_thickness)/2)")

    @classmethod
    def range_examples(cls) -> list:
        return [cls(1 * NM, 0.5 * NM, 1 * NM, 0.5 * NM, 0.5 * NM),
                cls(100 * UM, 1e-3, 1e-3, 50 * UM, 500 * UM, "axisymmetric"),
                cls(200 * NM, 200 * UM, 200 * UM, 100 * NM, 100 * UM, "plane_strain"),
                cls(250 * NM, 2 * UM, 1 * UM, 125 * NM, 500 * NM, "full")]


def _thin_film_model(gmsh, p: ThinFilmParams, L: float) -> ModelInfo:
    occ = gmsh.model.occ
    hf, hs, W = 1.0, p.substrate_thickness / L, p.half_width / L
    v = p.variant
    two_d = p.gdim == 2
    dim = p.gdim
    if two_d:
        film = occ.addRectangle(0, 0, 0, W, hf)
        sub = occ.addRectangle(0, -hs, 0, W, hs)
    else:
        x0 = 0.0 if v == "quarter" else -W
        film = occ.addBox(x0, x0, 0, W - x0, W - x0, hf)
        sub = occ.addBox(x0, x0, -hs, W - x0, W - x0, hs)
    _, out_map = occ.fragment([(dim, film)], [(dim, sub)])
    occ.synchronize()
    bodies = {"film": _body_groups(gmsh, dim, out_map[0]), "substrate": _body_groups(gmsh, dim, out_map[1])}
    up, flat = _flat_names(v, two_d)

    def namer(body, plane):
        ax, val = plane
        if ax == up:
            return "film_top" if _near(val, hf) else "interface" if _near(val, 0.0) else "clamped"
        if _near(val, 0.0) and ax in flat:
            return flat[ax]
        return "side"

    groups = _classify(gmsh, dim, bodies, namer, list(p.surfaces()))
    add_groups(gmsh, groups)
    fine = groups[(dim - 1, "film_top")] + groups[(dim - 1, "interface")]
    kw = {"curves": fine} if two_d else {"surfaces": fine}
    refine(gmsh, p.h_film / L, p.h_substrate / L, **kw)
    return ModelInfo(points={}, centre=(0.0, 0.0, 0.0), li_entry=(("film_top", "film"),))


def build_thin_film(comm, params: ThinFilmParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a film bonded on a substrate and distribute it (collective); ``msh_file``
    optionally names a Gmsh file to write as well.

    Returns:
        :class:`MeshData`: regions ``film``, ``substrate``; surfaces ``film_top`` (Li entry),
        ``interface`` (film | substrate, interior facets), ``clamped`` (substrate bottom),
        ``side`` (free outer side faces of both layers), and ``symmetry_x/y`` (quarter),
        ``symmetry_x`` (plane strain) or ``axis`` (axisymmetric). ``centre`` is the origin
        (centre of the interface); no contact pairs.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _thin_film_model, "thin_film", rank, msh_file)


# ============================================================================ block on plate
BLOCK_VARIANTS = ("quarter", "full", "plane_strain")
BLOCK_LI_SURFACES = ("block_top", "block_bottom")


@dataclass(frozen=True)
class BlockOnPlateParams(GeometryParams):
    """A rectangular block above (or on) a larger plate: flat-on-flat contact; lengths in m.

    The block (region ``block``, |x| <= width/2, |y| <= depth/2, gap <= z <= gap + height)
    faces the plate (region ``plate``, |x| <= plate_width/2, |y| <= plate_depth/2,
    -plate_thickness <= z <= 0) across the ``gap``; the plate bottom is ``clamped``. The
    block footprint is imprinted on ``plate_top`` (its edges are mesh edges of both
    surfaces), and both contact faces are refined: this is the geometry of the contact
    patch test.

    Defaults: a 1 um thick Si layer, as the PECVD Si anode on a garnet solid electrolyte of
    the micron-Si review (``004`` L441), cut to a 2 um x 2 um block, on a plate twice as
    wide and 1 um thick (LLZO, or a Cu collector); the stack pressure that presses it on
    the plate is tens of MPa (15-75 MPa, ~70 MPa keeps the ionic network of a sulfide
    electrolyte continuous: alloy-anode review ``001`` L920).

    Variants: ``"quarter"`` (x, y >= 0, ``symmetry_x``/``symmetry_y``), ``"full"`` and
    ``"plane_strain"`` (2D half section x >= 0 of a long block, (x, z) meshed as (x, y),
    ``symmetry_x`` at x = 0). No axisymmetric variant: the block is not a body of
    revolution.

    Attributes:
        width: block extent along x [m], 1 nm ... 1 mm.
        depth: block extent along y [m], 1 nm ... 1 mm (unused by "plane_strain").
        height: block extent along z [m], 1 nm ... 1 mm.
        gap: distance between block bottom and plate top [m], 0 (touching) ... height.
        plate_width: plate extent along x [m], width ... 100 width.
        plate_depth: plate extent along y [m], depth ... 100 depth (unused by "plane_strain").
        plate_thickness: plate thickness [m], 0 < plate_thickness <= 100 height.
        h_coarse: element size away from the contact faces [m], <= max(width, depth,
            height)/2.
        h_fine: element size on block_bottom and the plate under it [m], <= h_coarse,
            <= half the smallest block edge and <= plate_thickness.
        li_entry_surface: where Li enters the block: "block_top" (an electrolyte above, a
            Cu plate below) or "block_bottom" (Li from a solid-electrolyte plate).
        variant: "quarter", "full" or "plane_strain".
    """

    width: float = 2 * UM
    depth: float = 2 * UM
    height: float = 1 * UM
    gap: float = 0.0
    plate_width: float = 4 * UM
    plate_depth: float = 4 * UM
    plate_thickness: float = 1 * UM
    h_coarse: float = 200 * NM
    h_fine: float = 80 * NM
    li_entry_surface: str = "block_top"
    variant: str = "quarter"

    VARIANTS = BLOCK_VARIANTS

    def regions(self) -> tuple[str, ...]:
        return ("block", "plate")

    def surfaces(self) -> tuple[str, ...]:
        """Facet groups of the variant, in tag order."""
        sym = {"quarter": ("symmetry_x", "symmetry_y"), "full": (), "plane_strain": ("symmetry_x",)}[self.variant]
        return ("block_bottom", "block_top", "block_side", "plate_top", "clamped", "plate_side", *sym)

    def length_scale(self) -> float:
        return self.height

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        return (ContactPair("block_plate", "block_bottom", "plate_top", float(self.gap)),)

    def expected_measures(self) -> dict[str, float]:
        w, d, H = self.width, self.depth, self.height
        pw, pd, T = self.plate_width, self.plate_depth, self.plate_thickness
        if self.variant == "plane_strain":
            return {"block": w / 2 * H, "plate": pw / 2 * T, "block_bottom": w / 2, "block_top": w / 2,
                    "block_side": H, "plate_top": pw / 2, "clamped": pw / 2, "plate_side": T, "symmetry_x": H + T}
        f = 0.25 if self.variant == "quarter" else 1.0
        g = 0.5 if self.variant == "quarter" else 2.0  # perimeter factor: 2 (w + d) full, (w + d)/2 quarter
        out = {"block": f * w * d * H, "plate": f * pw * pd * T, "block_bottom": f * w * d, "block_top": f * w * d,
               "block_side": g * (w + d) * H, "plate_top": f * pw * pd, "clamped": f * pw * pd,
               "plate_side": g * (pw + pd) * T}
        if self.variant == "quarter":
            out["symmetry_x"] = d / 2 * H + pd / 2 * T
            out["symmetry_y"] = w / 2 * H + pw / 2 * T
        return out

    def estimate_cells(self) -> float:
        m = self.expected_measures()
        return self.cell_estimate(m["block"] + m["plate"], 2 * m["block_bottom"], self.h_fine, self.h_coarse)

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range, e.g. a plate
                narrower than the block, a negative gap or an unknown Li entry surface.
        """
        self.check_variant(prefix)
        if self.li_entry_surface not in BLOCK_LI_SURFACES:
            self.fail(prefix, "li_entry_surface", f"unknown surface {self.li_entry_surface!r}",
                      ", ".join(map(repr, BLOCK_LI_SURFACES)))
        w = self.check_length(prefix, "width", 1e-9, 1e-3)
        d = self.check_length(prefix, "depth", 1e-9, 1e-3)
        H = self.check_length(prefix, "height", 1e-9, 1e-3)
        self.check_length(prefix, "gap", 0.0, H * _SLACK, hi_expr="height")
        self.check_length(prefix, "plate_width", w / _SLACK, 100 * w * _SLACK, hi_expr="100*width")
        self.check_length(prefix, "plate_depth", d / _SLACK, 100 * d * _SLACK, hi_expr="100*depth")
        T = self.check_length(prefix, "plate_thickness", 0.0, 100 * H * _SLACK, lo_open=True, hi_expr="100*height")
        smallest = min(w, H) if self.variant == "plane_strain" else min(w, d, H)
        largest = max(w, H) if self.variant == "plane_strain" else max(w, d, H)
        self.check_sizes(prefix, "h_fine", "h_coarse", min(smallest / 2, T) * _SLACK, largest / 2 * _SLACK,
                         "(<= half the smallest block edge and <= plate_thickness)",
                         "(<= max(width, depth, height)/2)")

    @classmethod
    def range_examples(cls) -> list:
        return [cls(2 * NM, 2 * NM, 1 * NM, 0.0, 2 * NM, 2 * NM, 0.5 * NM, 0.5 * NM, 0.25 * NM),
                cls(100 * UM, 40 * UM, 100 * UM, 100 * UM, 100 * (100 * UM), 100 * (40 * UM), 100 * UM, 50 * UM,
                    20 * UM, "block_bottom", "plane_strain"),
                cls(1 * UM, 1 * UM, 1 * UM, 0.0, 1 * UM, 100 * UM, 0.5 * UM, 0.5 * UM, 0.25 * UM),
                cls(1 * UM, 1 * UM, 1 * UM, 50 * NM, 1 * UM, 1 * UM, 1 * UM, 250 * NM, 100 * NM, variant="full"),
                cls(1 * UM, 1 * UM, 0.5 * UM, 20 * NM, 3 * UM, 3 * UM, 1 * UM, 250 * NM, 50 * NM,
                    variant="plane_strain")]


def _block_model(gmsh, p: BlockOnPlateParams, L: float) -> ModelInfo:
    occ = gmsh.model.occ
    w, d, H, g = p.width / L, p.depth / L, 1.0, p.gap / L
    pw, pd, T = p.plate_width / L, p.plate_depth / L, p.plate_thickness / L
    v = p.variant
    two_d = v == "plane_strain"
    dim = 2 if two_d else 3
    if two_d:
        block = occ.addRectangle(0, g, 0, w / 2, H)
        plate = occ.addRectangle(0, -T, 0, pw / 2, T)
        footprint = occ.addLine(occ.addPoint(0, 0, 0), occ.addPoint(w / 2, 0, 0))
    else:
        q = v == "quarter"
        bx, by, px, py = (0.0, 0.0, 0.0, 0.0) if q else (-w / 2, -d / 2, -pw / 2, -pd / 2)
        block = occ.addBox(bx, by, g, w / 2 - bx, d / 2 - by, H)
        plate = occ.addBox(px, py, -T, pw / 2 - px, pd / 2 - py, T)
        footprint = occ.addRectangle(bx, by, 0, w / 2 - bx, d / 2 - by)
    occ.synchronize()
    plate_tags = _imprint(gmsh, dim, plate, footprint)
    up, flat = _flat_names(v, two_d)
    top = g + H

    def namer(body, plane):
        ax, val = plane
        if body == "block":
            if ax == up:
                return "block_top" if _near(val, top) else "block_bottom"
            return flat[ax] if _near(val, 0.0) and ax in flat else "block_side"
        if ax == up:
            return "plate_top" if _near(val, 0.0) else "clamped"
        return flat[ax] if _near(val, 0.0) and ax in flat else "plate_side"

    groups = _classify(gmsh, dim, {"block": [block], "plate": plate_tags}, namer, list(p.surfaces()))
    add_groups(gmsh, groups)

    zc = g + H / 2
    if two_d:
        centre = (0.0, zc, 0.0)
        points = {"block_bottom_centre": (0.0, g, 0.0), "plate_centre": (0.0, 0.0, 0.0)}
    else:
        centre = (0.0, 0.0, zc)
        points = {"block_bottom_centre": (0.0, 0.0, g), "plate_centre": (0.0, 0.0, 0.0)}
        if v == "full":
            _embed_points(gmsh, {"b": points["block_bottom_centre"]}, 2, groups[(2, "block_bottom")][0])
            under = [s for s in groups[(2, "plate_top")]
                     if np.all(np.abs(bbox(gmsh, 2, s)[:, :2]) <= np.array([w / 2, d / 2]) + _TOL)]
            _embed_points(gmsh, {"p": points["plate_centre"]}, 2, under[0])
            supports = _supports(centre, min(w, d) / 4)
            _embed_points(gmsh, supports, 3, block)
            points.update(supports)
    # refine both contact faces: block_bottom and the footprint on plate_top
    half = np.array([w / 2, d / 2])[: 1 if two_d else 2]
    under = [s for s in groups[(dim - 1, "plate_top")]
             if np.all(np.abs(bbox(gmsh, dim - 1, s)[:, : len(half)]) <= half + _TOL)]
    fine = groups[(dim - 1, "block_bottom")] + under
    kw = {"curves": fine} if two_d else {"surfaces": fine}
    refine(gmsh, p.h_fine / L, p.h_coarse / L, **kw)
    return ModelInfo(points=points, centre=centre, li_entry=((p.li_entry_surface, "block"),))


def build_block_on_plate(comm, params: BlockOnPlateParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a block above (or on) a plate and distribute it (collective); ``msh_file``
    optionally names a Gmsh file to write as well.

    Returns:
        :class:`MeshData` with two disconnected bodies: regions ``block`` and ``plate``;
        surfaces ``block_bottom``, ``block_top``, ``block_side``, ``plate_top``, ``clamped``
        (plate bottom), ``plate_side`` and ``symmetry_x/y`` (quarter) or ``symmetry_x``
        (plane strain). ``points``: ``block_bottom_centre`` and ``plate_centre`` (contact
        reference vertices ``gap`` apart) and, for ``"full"``, 3-2-1 supports in the block
        plane z = gap + height/2 (for the in-plane rigid modes frictionless contact leaves
        free). ``centre`` is the block centre; contact pair ``block_plate``.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _block_model, "block_on_plate", rank, msh_file)


__all__ = ["BlockOnPlateParams", "FacetedOnPlaneParams", "ThinFilmParams", "build_block_on_plate",
           "build_faceted_on_plane", "build_thin_film"]
