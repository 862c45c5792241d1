"""Layered spheres: core-shell (Si@C), multi-shell (Si@SiO2@C), hollow and hollow core-shell.

All three share one Gmsh model: concentric spherical layers, optionally around a cavity,
as a full sphere, an octant with symmetry planes, or the axisymmetric (r, z) half-disc.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anodemech.geometry.base import GeometryParams, MeshData
from anodemech.geometry.gmsh_model import ModelInfo, add_groups, bbox, build_with_gmsh, plane_axis, refine

NM = 1e-9
SPHERE_VARIANTS = ("octant", "full", "axisymmetric")


@dataclass(frozen=True)
class _Layers:
    """Concentric layers in model units: ``radii[0]`` is the cavity radius (0 = solid),
    region ``names[i]`` spans ``radii[i] .. radii[i+1]``; ``inner`` names the cavity
    surface, ``interfaces[i]`` the surface at ``radii[i+1]`` between layers i and i+1."""

    radii: tuple[float, ...]
    names: tuple[str, ...]
    interfaces: tuple[str, ...]
    inner: str = "inner_surface"


def _fraction(variant: str) -> float:
    return {"octant": 1 / 8, "full": 1.0}.get(variant, 0.0)


def _expected(layers: _Layers, variant: str, L: float) -> dict[str, float]:
    """Analytic region volumes / surface areas (2D: areas / lengths) [SI]."""
    r = [x * L for x in layers.radii]
    out = {}
    surf = {}
    if r[0] > 0:
        surf[layers.inner] = r[0]
    for i, name in enumerate(layers.interfaces):
        surf[name] = r[i + 1]
    surf["outer_surface"] = r[-1]
    if variant == "axisymmetric":
        for i, name in enumerate(layers.names):
            out[name] = math.pi * (r[i + 1] ** 2 - r[i] ** 2) / 2
        out.update({k: math.pi * v for k, v in surf.items()})
        out["axis"] = 2 * (r[-1] - r[0])
        return out
    f = _fraction(variant)
    for i, name in enumerate(layers.names):
        out[name] = f * 4 / 3 * math.pi * (r[i + 1] ** 3 - r[i] ** 3)
    out.update({k: f * 4 * math.pi * v**2 for k, v in surf.items()})
    if variant == "octant":
        for ax in "xyz":
            out[f"symmetry_{ax}"] = math.pi * (r[-1] ** 2 - r[0] ** 2) / 4
    return out


def _layered_model(gmsh, layers: _Layers, variant: str, h_fine: float, h_coarse: float) -> ModelInfo:
    """Gmsh model of concentric layers (model units); returns the support points etc."""
    occ = gmsh.model.occ
    r = layers.radii
    R = r[-1]
    two_d = variant == "axisymmetric"
    dim = 2 if two_d else 3
    make = (lambda rad: occ.addDisk(0, 0, 0, rad, rad)) if two_d else (lambda rad: occ.addSphere(0, 0, 0, rad))
    ents = [(dim, make(rad)) for rad in r[1:]]
    if len(ents) > 1:
        ents, _ = occ.fragment(ents[-1:], ents[:-1])
    if r[0] > 0:
        ents, _ = occ.cut(ents, [(dim, make(r[0]))])
    if two_d:
        ents, _ = occ.intersect(ents, [(2, occ.addRectangle(0, -2 * R, 0, 2 * R, 4 * R))])
    elif variant == "octant":
        ents, _ = occ.intersect(ents, [(3, occ.addBox(0, 0, 0, 2 * R, 2 * R, 2 * R))])
    occ.synchronize()

    def rmax(d, tag):
        return float(np.abs(bbox(gmsh, d, tag)).max())

    bodies = [t for _, t in gmsh.model.getEntities(dim)]
    if len(bodies) != len(layers.names):
        raise RuntimeError(f"expected {len(layers.names)} layers, OpenCASCADE produced {len(bodies)}")
    groups: dict = {(dim, n): [] for n in layers.names}
    outer_radii = r[1:]
    for t in bodies:
        i = int(np.argmin([abs(rmax(dim, t) - x) for x in outer_radii]))
        groups.setdefault((dim, layers.names[i]), []).append(t)
    surf_radii = {"outer_surface": R, **{n: r[i + 1] for i, n in enumerate(layers.interfaces)}}
    if r[0] > 0:
        surf_radii[layers.inner] = r[0]
    for _, s in gmsh.model.getEntities(dim - 1):
        pa = plane_axis(gmsh, dim - 1, s, gdim=dim)
        if pa is not None and abs(pa[1]) < 1e-6:
            name = "axis" if two_d else "symmetry_" + "xyz"[pa[0]]
        elif pa is not None and two_d:
            continue  # not possible for these shapes
        else:
            # curved: its distance from the centre is constant; use a point on it
            lo, hi = bbox(gmsh, dim - 1, s)
            name = min(surf_radii, key=lambda n: abs(surf_radii[n] - max(np.abs(lo).max(), np.abs(hi).max())))
        groups.setdefault((dim - 1, name), []).append(s)
    add_groups(gmsh, groups)

    points = {}
    if variant == "full":  # 3-2-1 supports as mesh vertices of the innermost layer
        first = groups[(3, layers.names[0])][0]
        if r[0] == 0:
            rm = r[1] / 2
            pts = {"origin": (0.0, 0.0, 0.0), "x_axis": (rm, 0.0, 0.0), "y_axis": (0.0, rm, 0.0)}
        else:
            rm = (r[0] + r[1]) / 2
            pts = {"origin": (-rm, 0.0, 0.0), "x_axis": (rm, 0.0, 0.0), "y_axis": (0.0, rm, 0.0)}
        tags = [occ.addPoint(*xyz) for xyz in pts.values()]
        occ.synchronize()
        gmsh.model.mesh.embed(0, tags, 3, first)
        points = pts
    curved = [s for (d, n), ss in groups.items() if d == dim - 1 and not n.startswith(("symmetry", "axis")) for s in ss]
    refine(gmsh, h_fine, h_coarse, surfaces=curved if not two_d else (), curves=curved if two_d else ())
    # Li enters at the outer surface; if the outer layer is Li-inert, at the interface below it, etc.
    entry = [("outer_surface", layers.names[-1])]
    entry += [(layers.interfaces[i], layers.names[i]) for i in reversed(range(len(layers.interfaces)))]
    return ModelInfo(points=points, li_entry=tuple(entry))


def _layer_cells(p, layers: _Layers, L: float, h_fine: float, h_coarse: float) -> float:
    meas = _expected(layers, p.variant, L)
    vol = sum(meas[n] for n in layers.names)
    area = sum(v for k, v in meas.items() if k not in layers.names and not k.startswith(("symmetry", "axis")))
    return p.cell_estimate(vol, area, h_fine, h_coarse)


class _LayeredParams(GeometryParams):
    """Shared methods of the layered-sphere parameter classes: they define ``layers()`` (in
    units of ``length_scale()``) and ``SIZES = (fine field, coarse field)``."""

    SIZES: tuple[str, str] = ("h_surface", "h_core")
    VARIANTS = SPHERE_VARIANTS

    def regions(self) -> tuple[str, ...]:
        return self.layers().names

    def expected_measures(self) -> dict[str, float]:
        return _expected(self.layers(), self.variant, self.length_scale())

    def estimate_cells(self) -> float:
        fine, coarse = (getattr(self, k) for k in self.SIZES)
        return _layer_cells(self, self.layers(), self.length_scale(), fine, coarse)

    def model(self, gmsh, L: float) -> ModelInfo:
        """The Gmsh model in units of ``L`` (see :func:`_layered_model`)."""
        fine, coarse = (getattr(self, k) / L for k in self.SIZES)
        return _layered_model(gmsh, self.layers(), self.variant, fine, coarse)


# ============================================================================ core-shell
@dataclass(frozen=True)
class CoreShellParams(_LayeredParams):
    """Core-shell sphere, e.g. Si@C; all lengths in metres.

    Defaults: a Si core of 75 nm radius (150 nm particle, inside the 50-150 nm range of the
    micron-Si review, ``004`` L95-110) with a ~10 nm carbon coating (``004`` L100).

    Attributes:
        core_radius: core radius [m], 1 nm ... 100 um.
        shell_thickness: shell (coating) thickness [m], 0 (bare sphere) ... 10 core radii.
        h_core: element size in the interior [m], <= core_radius/2.
        h_surface: element size at the interface and the outer surface [m], <= h_core,
            <= core_radius/3 and <= shell_thickness.
        variant: "octant" (1/8 with symmetry planes), "full" (3-2-1 supports) or
            "axisymmetric" (2D (r, z) half-disc, axis at r = 0).
    """

    core_radius: float = 75 * NM
    shell_thickness: float = 10 * NM
    h_core: float = 12 * NM
    h_surface: float = 4 * NM
    variant: str = "octant"

    def layers(self) -> _Layers:
        """The layer description in units of the core radius."""
        t = self.shell_thickness / self.core_radius
        if t > 0:
            return _Layers((0.0, 1.0, 1.0 + t), ("core", "shell"), ("interface",))
        return _Layers((0.0, 1.0), ("core",), ())

    def length_scale(self) -> float:
        return self.core_radius

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range.
        """
        self.check_variant(prefix)
        r = self.check_length(prefix, "core_radius", 1e-9, 1e-4)
        t = self.check_length(prefix, "shell_thickness", 0.0, 10 * r, hi_expr="10*core_radius")
        limit = min(r / 3, t) if t > 0 else r / 3
        self.check_sizes(prefix, "h_surface", "h_core", limit, r / 2,
                         "(<= core_radius/3 and <= shell_thickness)", "(<= core_radius/2)")

    @classmethod
    def range_examples(cls) -> list:
        return [cls(5 * NM, 0.5 * NM, 1 * NM, 0.25 * NM), cls(10e-6, 1e-6, 2e-6, 0.5e-6),
                cls(50 * NM, 0.0, 10 * NM, 4 * NM), cls(30 * NM, 200 * NM, 10 * NM, 3 * NM, "axisymmetric")]


def _core_shell_model(gmsh, p: CoreShellParams, L: float) -> ModelInfo:
    return p.model(gmsh, L)


def build_core_shell(comm, params: CoreShellParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a core-shell sphere and distribute it over ``comm`` (collective); ``msh_file``
    optionally names a Gmsh file to write as well.

    Returns:
        :class:`MeshData`: regions ``core`` (and ``shell``); surfaces ``interface`` (with a
        shell), ``outer_surface``, ``symmetry_x/y/z`` (octant) or ``axis`` (2D). For
        ``"full"``, ``points`` holds the 3-2-1 supports origin, (r/2, 0, 0), (0, r/2, 0).

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _core_shell_model, "core_shell", rank, msh_file)


# ============================================================================ multi-shell
@dataclass(frozen=True)
class MultiShellParams(_LayeredParams):
    """Core with several concentric shells, e.g. Si@SiO2@C; all lengths in metres.

    Defaults: a 50 nm Si core radius, a 5 nm native/thermal SiO2 layer and a 10 nm carbon
    coating (Si@C coatings ~10 nm: ``004`` L100; SiOx interlayers of a few nm in Si@SiOx@C
    designs: ``003``).

    Attributes:
        core_radius: core radius [m], 1 nm ... 100 um.
        shell_thicknesses: thickness of each shell from the inside out [m], 1 ... 6 shells,
            each > 0 and <= 10 core radii. Regions ``shell_1``, ``shell_2``, ...
        h_core: element size in the interior [m], <= core_radius/2.
        h_surface: element size at interfaces and the outer surface [m], <= h_core, <= the
            thinnest shell and <= core_radius/3.
        variant: "octant", "full" or "axisymmetric".
    """

    core_radius: float = 50 * NM
    shell_thicknesses: tuple = (5 * NM, 10 * NM)
    h_core: float = 10 * NM
    h_surface: float = 2.5 * NM
    variant: str = "octant"

    def layers(self) -> _Layers:
        """The layer description in units of the core radius."""
        radii = [0.0, 1.0]
        for t in self.shell_thicknesses:
            radii.append(radii[-1] + t / self.core_radius)
        n = len(self.shell_thicknesses)
        return _Layers(tuple(radii), ("core", *(f"shell_{i + 1}" for i in range(n))),
                       tuple(f"interface_{i + 1}" for i in range(n)))

    def length_scale(self) -> float:
        return self.core_radius

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range.
        """
        self.check_variant(prefix)
        r = self.check_length(prefix, "core_radius", 1e-9, 1e-4)
        ts = self.shell_thicknesses
        if not isinstance(ts, (tuple, list)) or not 1 <= len(ts) <= 6:
            self.fail(prefix, "shell_thicknesses", f"{ts!r} is not a list of 1 to 6 lengths", "1 ... 6 thicknesses > 0")
        for i, t in enumerate(ts):
            if not (isinstance(t, (int, float)) and math.isfinite(t) and 0 < t <= 10 * r):
                self.fail(prefix, f"shell_thicknesses[{i}]", f"{t!r} m is out of range", f"0 < thickness <= 10*core_radius = {10 * r:.3g} m")
        self.check_sizes(prefix, "h_surface", "h_core", min(r / 3, min(ts)), r / 2,
                         "(<= core_radius/3 and <= the thinnest shell)", "(<= core_radius/2)")

    @classmethod
    def range_examples(cls) -> list:
        return [cls(20 * NM, (1 * NM, 2 * NM, 3 * NM), 5 * NM, 1 * NM),
                cls(1e-6, (50 * NM,) * 6, 250 * NM, 50 * NM, "axisymmetric")]


def _multi_shell_model(gmsh, p: MultiShellParams, L: float) -> ModelInfo:
    return p.model(gmsh, L)


def build_multi_shell(comm, params: MultiShellParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a multi-shell sphere (collective).

    Returns:
        :class:`MeshData`: regions ``core``, ``shell_1`` ... ``shell_n``; surfaces
        ``interface_1`` (core | shell_1) ... ``interface_n`` (shell_n-1 | shell_n; the last
        shell's inner surface), ``outer_surface``, and ``symmetry_x/y/z`` or ``axis``.

    Raises:
        CaseError: bad parameters or a Gmsh failure.
    """
    return build_with_gmsh(comm, params, _multi_shell_model, "multi_shell", rank, msh_file)


# ============================================================================ hollow
@dataclass(frozen=True)
class HollowSphereParams(_LayeredParams):
    """Hollow sphere, optionally coated (hollow core-shell); all lengths in metres.

    Defaults: interconnected hollow Si nanospheres of ~175 nm outer diameter with a ~25 nm
    wall (Yao et al., Nano Lett. 11 (2011) 2949), here with a 10 nm carbon coating
    (``004`` L100). The cavity gives the wall room to swell inwards (``000`` L1171-1176).

    Attributes:
        cavity_radius: radius of the inner cavity [m], 1 nm ... 100 um.
        wall_thickness: thickness of the active wall [m], > 0, <= 10 cavity radii.
        shell_thickness: coating thickness [m], 0 (bare hollow sphere) ... 10 cavity radii.
        h_coarse: largest element size [m], <= outer radius / 4.
        h_fine: element size at every spherical surface [m], <= h_coarse, <= cavity_radius/3,
            <= the wall and (if any) the coating thickness.
        variant: "octant", "full" or "axisymmetric".
    """

    cavity_radius: float = 62.5 * NM
    wall_thickness: float = 25 * NM
    shell_thickness: float = 10 * NM
    h_coarse: float = 10 * NM
    h_fine: float = 4 * NM
    variant: str = "octant"

    SIZES = ("h_fine", "h_coarse")

    def layers(self) -> _Layers:
        """The layer description in units of the cavity radius."""
        w = 1.0 + self.wall_thickness / self.cavity_radius
        if self.shell_thickness > 0:
            return _Layers((1.0, w, w + self.shell_thickness / self.cavity_radius), ("active", "shell"), ("interface",))
        return _Layers((1.0, w), ("active",), ())

    def length_scale(self) -> float:
        return self.cavity_radius

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters.

        Raises:
            CaseError: with key ``f"{prefix}.<field>"`` and the accepted range.
        """
        self.check_variant(prefix)
        a = self.check_length(prefix, "cavity_radius", 1e-9, 1e-4)
        w = self.check_length(prefix, "wall_thickness", 0.0, 10 * a, lo_open=True, hi_expr="10*cavity_radius")
        t = self.check_length(prefix, "shell_thickness", 0.0, 10 * a, hi_expr="10*cavity_radius")
        outer = a + w + t
        self.check_sizes(prefix, "h_fine", "h_coarse", min(w, t, a / 3) if t > 0 else min(w, a / 3), outer / 4,
                         "(<= wall_thickness, <= shell_thickness and <= cavity_radius/3)", "(<= outer radius/4)")

    @classmethod
    def range_examples(cls) -> list:
        return [cls(5 * NM, 2 * NM, 1 * NM, 2 * NM, 0.5 * NM), cls(1e-6, 9e-6, 0.0, 2.5e-6, 0.2e-6),
                cls(200 * NM, 10 * NM, 2 * NM, 50 * NM, 2 * NM, "axisymmetric")]


def _hollow_model(gmsh, p: HollowSphereParams, L: float) -> ModelInfo:
    return p.model(gmsh, L)


def build_hollow_sphere(comm, params: HollowSphereParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a (coated) hollow sphere (collective).

    Returns:
        :class:`MeshData`: regions ``active`` (and ``shell``); surfaces ``inner_surface``
        (the cavity), ``interface`` (with a coating), ``outer_surface`` and
        ``symmetry_x/y/z`` or ``axis``. For ``"full"``, supports in the wall at
        (-r_m, 0, 0), (r_m, 0, 0), (0, r_m, 0) with r_m the mid-wall radius.

    Raises:
        CaseError: bad parameters or a Gmsh failure.
    """
    return build_with_gmsh(comm, params, _hollow_model, "hollow_sphere", rank, msh_file)


__all__ = ["CoreShellParams", "HollowSphereParams", "MultiShellParams", "build_core_shell", "build_hollow_sphere",
           "build_multi_shell"]
