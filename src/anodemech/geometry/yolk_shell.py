"""Yolk-shell particle (Si@void@C): an active yolk inside a hollow shell, with a void between.

The shell is a hollow sphere centred at the origin (cavity radius ``R_c = yolk_radius +
void_thickness``, outer radius ``R_o = R_c + shell_thickness``). The yolk is a sphere on the
z-axis at ``(0, 0, z_y)``: centred (``z_y = 0``), offset (``z_y = -offset``) or resting on the
shell bottom (``z_y = -(void_thickness - contact_gap)``). Every configuration is a body of
revolution about z, so it is meshed as a full body, a quarter (x >= 0, y >= 0) or the
axisymmetric (r, z) half-plane; a centred yolk also as an octant.

The void is either empty (two disconnected bodies and a contact pair yolk_surface /
shell_inner) or meshed as its own region ``void`` (for third-medium contact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anodemech.geometry.base import CELLS_PER_H2, CELLS_PER_H3, ContactPair, GeometryParams, MeshData
from anodemech.geometry.gmsh_model import ModelInfo, add_groups, bbox, build_with_gmsh, plane_axis, refine

NM = 1e-9
YOLK_POSITIONS = ("centred", "offset", "resting")
VOID_MODES = ("empty", "meshed")
GAP_SIZE_RATIO = 2.0  # meshed void: element size <= this x the local void width (min gamma 0.23 at the
#                      limit gap = h_contact/2 of a 40 nm resting yolk; 0.16 at ratio 4, 0.105 at 8)


@dataclass(frozen=True)
class YolkShellParams(GeometryParams):
    """Yolk-shell particle, e.g. Si@void@C; all lengths in metres.

    Defaults follow the yolk-shell design of Liu et al., Nano Lett. 12 (2012) 3315: Si
    nanoparticles sealed in a thin carbon shell with a void sized so that the yolk can swell
    by ~300 % in volume (Si, ``000`` L217, ``004`` L56) without loading the shell. A free
    yolk of radius r then reaches r (1 + 3)^(1/3) = 1.587 r, so the cavity radius is taken
    as 1.6 r: a 40 nm Si yolk (80 nm particles, below the ~150 nm critical size of Si in
    liquid electrolyte, ``004`` L58), a 24 nm void (cavity radius 64 nm) and a ~10 nm
    carbon shell (``004`` L100). The default yolk is centred, the design configuration;
    ``yolk_position = "resting"`` lets it lie on the shell bottom, touching it at one point:
    the weak point-to-point contact of yolk-shell Si@void@C (``000`` L1727-1742; the
    "limited contact area between the Si yolk and the C-shell", ``004`` L163-172).

    Variants: "quarter" (x >= 0, y >= 0, facet groups symmetry_x, symmetry_y; any yolk
    position, since the yolk only moves along z), "full" (3-2-1 supports), "axisymmetric"
    (the (r, z) half-plane; every configuration is a body of revolution about z) and
    "octant" (x, y, z >= 0, symmetry_x/y/z) for a centred yolk only: an offset or resting
    yolk is not symmetric about z = 0. No "plane_strain" variant: the particle is not a
    prism.

    Attributes:
        yolk_radius: radius of the yolk [m], 1 nm ... 100 um.
        void_thickness: radial clearance between a centred yolk and the shell's inner
            surface [m], i.e. cavity radius = yolk_radius + void_thickness; > 0 and <= 10
            yolk radii.
        shell_thickness: thickness of the shell [m], > 0 and <= 10 yolk radii.
        yolk_position: "centred" (yolk centre at the origin), "offset" (centre at
            (0, 0, -offset)) or "resting" (the yolk lies on the shell bottom: its centre at
            (0, 0, -(void_thickness - contact_gap)), closest to the shell at
            (0, 0, -(cavity radius))).
        offset: yolk centre offset along -z for "offset" [m], 0 ... void_thickness -
            contact_gap (the yolk never comes closer than contact_gap to the shell); must be
            0 for the other positions.
        contact_gap: smallest yolk-shell gap allowed [m]: the gap at the contact point of a
            "resting" yolk, a lower bound on the gap otherwise; 0 ... void_thickness. A
            meshed void needs a minimum gap >= h_contact/2 (resting: contact_gap >=
            h_contact/2, so > 0).
        void: "empty" (yolk and shell are two disconnected bodies; contact pair yolk_shell
            = yolk_surface / shell_inner) or "meshed" (the void is region "void", bonded to
            both; for third-medium contact).
        h_fine: element size on the yolk surface, the shell's inner and outer surfaces [m],
            <= h_coarse, <= yolk_radius/3 and <= shell_thickness.
        h_coarse: largest element size [m], <= (cavity radius + shell_thickness)/4.
        h_contact: element size at the closest points of an offset or resting yolk [m],
            0 < h_contact <= h_fine. A meshed void also caps the size at twice its local
            width, but not below h_contact.
        variant: "quarter" (x, y >= 0 with symmetry planes), "full" (3-2-1 supports),
            "axisymmetric" (2D (r, z) half-plane, axis at r = 0) or "octant" (centred only).
    """

    yolk_radius: float = 40 * NM
    void_thickness: float = 24e-9
    shell_thickness: float = 10 * NM
    yolk_position: str = "centred"
    offset: float = 0.0
    contact_gap: float = 0.0
    void: str = "empty"
    h_fine: float = 4 * NM
    h_coarse: float = 10 * NM
    h_contact: float = 1 * NM
    variant: str = "quarter"

    VARIANTS = ("quarter", "full", "axisymmetric", "octant")

    # ------------------------------------------------------------------ derived geometry
    @property
    def cavity_radius(self) -> float:
        """Radius of the shell's inner surface [m]."""
        return self.yolk_radius + self.void_thickness

    @property
    def outer_radius(self) -> float:
        """Radius of the shell's outer surface [m]."""
        return self.cavity_radius + self.shell_thickness

    @property
    def yolk_centre_z(self) -> float:
        """z of the yolk centre [m] (the shell is centred at the origin)."""
        if self.yolk_position == "offset":
            return -self.offset
        if self.yolk_position == "resting":
            return -(self.void_thickness - self.contact_gap)
        return 0.0

    @property
    def min_gap(self) -> float:
        """Smallest distance between yolk and shell [m], at the bottom of the cavity."""
        return self.void_thickness - abs(self.yolk_centre_z)

    # ------------------------------------------------------------------ interface
    def regions(self) -> tuple[str, ...]:
        return ("yolk", "shell", "void") if self.void == "meshed" else ("yolk", "shell")

    def length_scale(self) -> float:
        return self.yolk_radius

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        """The yolk-shell pair, gap = :attr:`min_gap` (centred: void_thickness; offset:
        void_thickness - offset; resting: contact_gap). Declared for a meshed void too: the
        void region then stands in for contact (third medium)."""
        return (ContactPair("yolk_shell", "yolk_surface", "shell_inner", self.min_gap),)

    def searched_pairs(self) -> tuple[ContactPair, ...]:
        """None for a meshed void (the void medium carries the contact), else the pair."""
        return () if self.void == "meshed" else self.contact_pairs()

    def expected_measures(self) -> dict[str, float]:
        """Volumes / areas of spheres and spherical caps of the variant (2D: half-disc areas
        and half-circle / axis lengths); every group has a closed form."""
        r, rc, ro = self.yolk_radius, self.cavity_radius, self.outer_radius
        meshed = self.void == "meshed"
        out: dict[str, float] = {}
        if self.variant == "axisymmetric":
            out["yolk"] = math.pi * r**2 / 2
            out["shell"] = math.pi * (ro**2 - rc**2) / 2
            if meshed:
                out["void"] = math.pi * (rc**2 - r**2) / 2
            out.update(yolk_surface=math.pi * r, shell_inner=math.pi * rc, outer_surface=math.pi * ro)
            out["axis"] = 2 * ro if meshed else 2 * r + 2 * self.shell_thickness
            return out
        f = {"quarter": 0.25, "octant": 0.125}.get(self.variant, 1.0)
        out["yolk"] = f * 4 / 3 * math.pi * r**3
        out["shell"] = f * 4 / 3 * math.pi * (ro**3 - rc**3)
        if meshed:
            out["void"] = f * 4 / 3 * math.pi * (rc**3 - r**3)
        out.update(yolk_surface=f * 4 * math.pi * r**2, shell_inner=f * 4 * math.pi * rc**2,
                   outer_surface=f * 4 * math.pi * ro**2)
        # a symmetry plane cuts each body in a half (quarter: of the plane y >= 0 or x >= 0)
        # or quarter (octant) disc / annulus; the yolk centre lies in every such plane
        cut = (ro**2 if meshed else ro**2 - rc**2 + r**2) * math.pi
        if self.variant == "quarter":
            out["symmetry_x"] = out["symmetry_y"] = cut / 2
        elif self.variant == "octant":
            out["symmetry_x"] = out["symmetry_y"] = out["symmetry_z"] = cut / 4
        return out

    def estimate_cells(self) -> float:
        """Each region by :meth:`cell_estimate` with its refined surfaces, the coarse size
        capped at the size the ramp reaches half-way to the region's deepest point (the shell
        and the void are thin: the ramp never reaches h_coarse there), plus the refinement
        around the closest points and, for a meshed void, the gap-width size cap."""
        meas = self.expected_measures()
        hf, hc, hp = self.h_fine, self.h_coarse, self.h_contact

        def ramp(d):  # size at distance d from a refined surface (gmsh_model.refine)
            return min(hc, max(hf, hf + (d - hf) * (hc - hf) / (2 * hc)))

        bodies = [("yolk", meas["yolk_surface"], self.yolk_radius),
                  ("shell", meas["shell_inner"] + meas["outer_surface"], self.shell_thickness / 2)]
        if self.void == "meshed":
            bodies.append(("void", meas["yolk_surface"] + meas["shell_inner"], self.void_thickness / 2))
        n = sum(self.cell_estimate(meas[name], area, hf, ramp(depth / 2)) for name, area, depth in bodies)
        two_d = self.gdim == 2
        f = {"quarter": 0.25, "octant": 0.125}.get(self.variant, 1.0)
        s = np.linspace(0.0, self.outer_radius, 400)
        ds = s[1] - s[0]
        if self.yolk_position != "centred":  # point threshold around the closest points
            h = np.clip(hp + (s - hp) * (hc - hp) / (2 * hc), hp, hf)
            dens = (math.pi * s / h**2 * CELLS_PER_H2) if two_d else (4 * math.pi * f * s**2 / h**3 * CELLS_PER_H3)
            n += float(np.sum(dens[h < hf]) * ds)
        if self.void == "meshed":  # size <= ratio x local width near the closest points
            kappa = 1 / self.yolk_radius - 1 / self.cavity_radius
            if self.yolk_position == "centred":
                width = np.full_like(s, self.void_thickness)
            else:
                width = max(self.min_gap, 0.0) + kappa * s**2 / 2
            h = np.clip(GAP_SIZE_RATIO * width, hp, hf)
            layer = width + 2 * h  # the void plus one element on each side
            if self.yolk_position == "centred":
                if h[0] < hf:
                    vshell = meas["void"] + (meas["yolk_surface"] + meas["shell_inner"]) * h[0]
                    n += (CELLS_PER_H2 if two_d else CELLS_PER_H3) * vshell / h[0] ** self.gdim
            else:
                dens = (layer / h**2 * CELLS_PER_H2) if two_d else (2 * math.pi * f * s * layer / h**3 * CELLS_PER_H3)
                n += float(np.sum(dens[h < hf]) * ds)
        return n

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters (before Gmsh runs).

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range, e.g. a yolk
                that does not fit its cavity (``offset``, ``contact_gap``), a void that is
                too thin to mesh (``contact_gap``/``offset``/``void_thickness``), an octant
                of an off-centre yolk (``variant``) or mesh sizes out of range.
        """
        self.check_variant(prefix)
        if self.yolk_position not in YOLK_POSITIONS:
            self.fail(prefix, "yolk_position", f"unknown position {self.yolk_position!r}", ", ".join(map(repr, YOLK_POSITIONS)))
        if self.void not in VOID_MODES:
            self.fail(prefix, "void", f"unknown void mode {self.void!r}", ", ".join(map(repr, VOID_MODES)))
        tol = 1 + 1e-9  # derived upper bounds: accept values equal up to rounding
        r = self.check_length(prefix, "yolk_radius", 1e-9, 1e-4)
        v = self.check_length(prefix, "void_thickness", 0.0, 10 * r * tol, lo_open=True, hi_expr="10*yolk_radius")
        self.check_length(prefix, "shell_thickness", 0.0, 10 * r * tol, lo_open=True, hi_expr="10*yolk_radius")
        g = self.check_length(prefix, "contact_gap", 0.0, v, hi_expr="void_thickness")
        if self.yolk_position == "offset":
            self.check_length(prefix, "offset", 0.0, (v - g) * tol, hi_expr="void_thickness - contact_gap")
        elif self.offset != 0:
            self.fail(prefix, "offset", f"{self.offset!r} m is set, but yolk_position = {self.yolk_position!r} ignores it",
                      "offset = 0 unless yolk_position = 'offset'")
        if self.variant == "octant" and self.yolk_position != "centred":
            self.fail(prefix, "variant", f"an octant needs a centred yolk (yolk_position = {self.yolk_position!r} "
                      "is not symmetric about z = 0)", "'quarter', 'full', 'axisymmetric' (or yolk_position = 'centred')")
        hp = self.h_contact
        if not (isinstance(hp, (int, float)) and math.isfinite(hp) and hp > 0):
            self.fail(prefix, "h_contact", f"{hp!r} m is not a positive length", "0 < h_contact <= h_fine")
        self.check_sizes(prefix, "h_fine", "h_coarse", min(r / 3, self.shell_thickness), self.outer_radius / 4,
                         "(<= yolk_radius/3 and <= shell_thickness)", "(<= (cavity radius + shell_thickness)/4)")
        if hp > self.h_fine:
            self.fail(prefix, "h_contact", f"{hp:.3g} m is larger than h_fine = {self.h_fine:.3g} m", "0 < h_contact <= h_fine")
        if self.void == "meshed":
            need = hp / GAP_SIZE_RATIO
            key = {"centred": "void_thickness", "offset": "offset", "resting": "contact_gap"}[self.yolk_position]
            accepted = {"centred": f"void_thickness >= h_contact/{GAP_SIZE_RATIO:g} = {need:.3g} m",
                        "offset": f"offset <= void_thickness - h_contact/{GAP_SIZE_RATIO:g} = {v - need:.3g} m",
                        "resting": f"contact_gap >= h_contact/{GAP_SIZE_RATIO:g} = {need:.3g} m"}[self.yolk_position]
            if self.min_gap < need * (1 - 1e-9):  # rounding of void_thickness - offset
                self.fail(prefix, key, f"a meshed void needs a gap the mesh can resolve: the smallest gap "
                          f"{self.min_gap:.3g} m is below h_contact/{GAP_SIZE_RATIO:g} "
                          "(decrease h_contact or widen the gap)", accepted)

    @classmethod
    def range_examples(cls) -> list:
        """Ends of the range: 1 nm and 100 um yolks, thin voids and shells and 10-radii ones,
        the smallest meshable gap (h_contact/2), each position and void mode; reduced and 2D
        variants only, to stay cheap (the full variant is meshed at the defaults)."""
        return [
            cls(1 * NM, 0.5 * NM, 0.25 * NM, "resting", 0.0, 0.1 * NM, "meshed", 0.2 * NM, 0.4 * NM, 0.1 * NM, "axisymmetric"),
            cls(5 * NM, 1 * NM, 0.5 * NM, "centred", 0.0, 0.0, "meshed", 0.5 * NM, 1.5 * NM, 0.5 * NM, "octant"),
            cls(1e-6, 10e-6, 10e-6, "resting", 0.0, 0.0, "empty", 0.2e-6, 5e-6, 0.1e-6, "axisymmetric"),
            cls(100e-6, 60e-6, 10e-6, "offset", 50e-6, 0.0, "empty", 10e-6, 40e-6, 5e-6, "quarter"),
            cls(20 * NM, 10 * NM, 3 * NM, "offset", 9 * NM, 0.0, "meshed", 2.5 * NM, 6 * NM, 2 * NM, "quarter"),
        ]


# ============================================================================ Gmsh model
def _ball(occ, variant: str, zc: float, rad: float, big: float) -> list[tuple[int, int]]:
    """Ball (2D: disc) of radius ``rad`` centred at (0, 0, zc), cut to the variant's sector."""
    if variant == "axisymmetric":
        disc = occ.addDisk(0, zc, 0, rad, rad)
        out, _ = occ.intersect([(2, disc)], [(2, occ.addRectangle(0, -big, 0, big, 2 * big))])
        return out
    ball = occ.addSphere(0, 0, zc, rad)
    if variant == "full":
        return [(3, ball)]
    z0 = 0.0 if variant == "octant" else -big
    out, _ = occ.intersect([(3, ball)], [(3, occ.addBox(0, 0, z0, big, big, big - z0))])
    return out


def _vertex_on(gmsh, dim: int, ent: int, xyz, tol: float) -> int:
    """Tag of the model vertex of entity ``(dim, ent)`` at ``xyz``; a new point embedded in
    the entity if it has none there."""
    for _, t in gmsh.model.getBoundary([(dim, ent)], combined=False, oriented=False, recursive=True):
        if np.linalg.norm(np.asarray(gmsh.model.getValue(0, t, [])) - xyz) < tol:
            return t
    t = gmsh.model.occ.addPoint(*xyz)
    gmsh.model.occ.synchronize()
    gmsh.model.mesh.embed(0, [t], dim, ent)
    return t


def _yolk_shell_model(gmsh, p: YolkShellParams, L: float) -> ModelInfo:
    """Gmsh model in units of ``L``: regions yolk, shell (void), surfaces yolk_surface,
    shell_inner, outer_surface, symmetry_* / axis; returns the named points and li_entry."""
    occ = gmsh.model.occ
    r, rc, ro = p.yolk_radius / L, p.cavity_radius / L, p.outer_radius / L
    zc = p.yolk_centre_z / L
    hf, hc, hp = p.h_fine / L, p.h_coarse / L, p.h_contact / L
    variant, meshed = p.variant, p.void == "meshed"
    two_d = variant == "axisymmetric"
    dim = 2 if two_d else 3
    big = 2 * ro
    outer = _ball(occ, variant, 0.0, ro, big)
    cavity = _ball(occ, variant, 0.0, rc, big)
    yolk_in = _ball(occ, variant, zc, r, big)
    if meshed:
        _, children = occ.fragment(outer, cavity + yolk_in)
        kids = [{t for _, t in c} for c in children]
        yolk_c = set().union(*kids[len(outer) + len(cavity):])
        cav_c = set().union(*kids[len(outer):len(outer) + len(cavity)])
        out_c = set().union(*kids[:len(outer)])
        bodies = {"yolk": sorted(yolk_c), "shell": sorted(out_c - cav_c), "void": sorted(cav_c - yolk_c)}
    else:  # two disconnected bodies: the shell is not fragmented with the yolk
        shell, _ = occ.cut(outer, cavity)
        bodies = {"yolk": [t for _, t in yolk_in], "shell": [t for _, t in shell]}
    occ.synchronize()
    for name, tags in bodies.items():
        if not tags:
            raise RuntimeError(f"OpenCASCADE produced no {name} body")

    groups: dict = {(dim, n): list(t) for n, t in bodies.items()}
    surf: dict[str, list[int]] = {"yolk_surface": [], "shell_inner": [], "outer_surface": []}
    planes: dict[str, list[int]] = {}
    for name, tags in bodies.items():
        for _, s in gmsh.model.getBoundary([(dim, t) for t in tags], combined=False, oriented=False):
            s = abs(s)
            pa = plane_axis(gmsh, dim - 1, s, gdim=dim)
            if pa is not None:
                if abs(pa[1]) > 1e-6 or (two_d and pa[0] != 0):
                    raise RuntimeError(f"unexpected flat boundary ({dim - 1}, {s}) at {pa}")
                planes.setdefault("axis" if two_d else "symmetry_" + "xyz"[pa[0]], []).append(s)
            elif name == "yolk":
                surf["yolk_surface"].append(s)
            elif name == "shell":
                rmax = float(np.abs(bbox(gmsh, dim - 1, s)).max())
                surf["shell_inner" if abs(rmax - rc) < abs(rmax - ro) else "outer_surface"].append(s)
    for name, tags in {**surf, **planes}.items():
        groups[(dim - 1, name)] = sorted(set(tags))
    add_groups(gmsh, groups)

    points: dict[str, tuple] = {}
    contact_vertices = []
    if p.yolk_position != "centred":  # closest points: mesh vertices on both surfaces
        tol = 1e-6 * ro
        yolk_pt = (0.0, zc - r, 0.0) if two_d else (0.0, 0.0, zc - r)
        shell_pt = (0.0, -rc, 0.0) if two_d else (0.0, 0.0, -rc)
        for key, xyz, group in (("yolk_contact", yolk_pt, "yolk_surface"), ("shell_contact", shell_pt, "shell_inner")):
            ents = groups[(dim - 1, group)]
            near = [e for e in ents if np.all(bbox(gmsh, dim - 1, e)[0] <= np.array(xyz) + tol)
                    and np.all(bbox(gmsh, dim - 1, e)[1] >= np.array(xyz) - tol)]
            contact_vertices.append(_vertex_on(gmsh, dim - 1, near[0], np.array(xyz), tol))
            points[key] = xyz
    if variant == "full":  # 3-2-1 supports inside the shell wall (and inside an empty-void yolk)
        rm = (rc + ro) / 2
        sup = {"origin": (-rm, 0.0, 0.0), "x_axis": (rm, 0.0, 0.0), "y_axis": (0.0, rm, 0.0)}
        tags = [occ.addPoint(*xyz) for xyz in sup.values()]
        occ.synchronize()
        gmsh.model.mesh.embed(0, tags, 3, bodies["shell"][0])
        points.update(sup)
        if not meshed:
            ysup = {"yolk_origin": (0.0, 0.0, zc), "yolk_x_axis": (r / 2, 0.0, zc), "yolk_y_axis": (0.0, r / 2, zc)}
            tags = [occ.addPoint(*xyz) for xyz in ysup.values()]
            occ.synchronize()
            gmsh.model.mesh.embed(0, tags, 3, bodies["yolk"][0])
            points.update(ysup)

    extra = []
    if meshed:  # cap the size at the local void width (sum of the distances to both spheres)
        fd = gmsh.model.mesh.field
        if two_d:
            d_shell, d_yolk = "Sqrt(x^2+y^2)", f"Sqrt(x^2+(y-({zc!r}))^2)"
        else:
            d_shell, d_yolk = "Sqrt(x^2+y^2+z^2)", f"Sqrt(x^2+y^2+(z-({zc!r}))^2)"
        width = fd.add("MathEval")
        fd.setString(width, "F", f"{GAP_SIZE_RATIO!r}*(Fabs({rc!r}-{d_shell})+Fabs({d_yolk}-{r!r}))")
        floor = fd.add("MathEval")
        fd.setString(floor, "F", repr(float(hp)))
        cap = fd.add("Max")
        fd.setNumbers(cap, "FieldsList", [width, floor])
        extra.append(cap)
    curved = [s for n in surf for s in groups[(dim - 1, n)]]
    refine(gmsh, hf, hc, surfaces=() if two_d else curved, curves=curved if two_d else (),
           points=contact_vertices, h_point=hp, extra_fields=extra)
    # Li: the electrolyte fills the void (it permeates the porous carbon shell; SEI grows inside
    # the void, 000 L1727-1742), so Li enters the yolk over its whole surface. Only the first
    # matching entry applies, and the bodies are disconnected: a Li-storing shell listed first
    # would starve the yolk, so the yolk comes first; the shell's outer surface is used only
    # when the yolk stores no Li.
    return ModelInfo(points=points, centre=(0.0, 0.0, 0.0), axis=None,
                     li_entry=(("yolk_surface", "yolk"), ("outer_surface", "shell")))


def build_yolk_shell(comm, params: YolkShellParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a yolk-shell particle and distribute it over ``comm`` (collective); ``msh_file``
    optionally names a Gmsh ``.msh`` file to write (in metres).

    Returns:
        :class:`MeshData` in metres: regions ``yolk``, ``shell`` (and ``void`` for a meshed
        void); surfaces ``yolk_surface``, ``shell_inner``, ``outer_surface`` and
        ``symmetry_x/y`` (quarter), ``symmetry_x/y/z`` (octant) or ``axis`` (2D).
        ``centre`` is the particle (shell) centre, the origin; the yolk centre is
        (0, 0, -offset) or (0, 0, -(void_thickness - contact_gap)). ``points``: for an offset
        or resting yolk the closest points ``yolk_contact`` (0, 0, z_y - yolk_radius) and
        ``shell_contact`` (0, 0, -cavity radius) (2D: (0, z, 0)), vertices of both surfaces;
        for "full" the shell's 3-2-1 supports ``origin`` (-r_m, 0, 0), ``x_axis``
        (r_m, 0, 0), ``y_axis`` (0, r_m, 0) at the mid-wall radius r_m, and with an empty void
        the yolk's own supports ``yolk_origin`` (its centre), ``yolk_x_axis`` and
        ``yolk_y_axis`` at half its radius along x and y: the yolk is a separate body, to be
        held by contact or by these points. ``contact_pairs``: yolk_shell = yolk_surface /
        shell_inner with the minimum gap. ``li_entry``: yolk_surface for a Li-storing yolk,
        else outer_surface of the shell.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _yolk_shell_model, "yolk_shell", rank, msh_file)


__all__ = ["YolkShellParams", "build_yolk_shell"]
