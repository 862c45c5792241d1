"""Mesh data and parameter conventions shared by all geometry builders.

Every builder module defines

* a frozen parameter dataclass (lengths in metres, literature defaults, a docstring citing
  them) deriving from :class:`GeometryParams`, and
* ``build_<name>(comm, params, rank=0) -> MeshData``, which runs Gmsh (OpenCASCADE) on one
  rank through :func:`anodemech.geometry.gmsh_model.build_with_gmsh`.

Names that the physics and the post-processing understand (facet groups):

* ``symmetry_x`` / ``symmetry_y`` / ``symmetry_z``: zero normal displacement along that
  axis (symmetry planes of reduced variants, or the mid-plane of a wire segment);
* ``clamped``: zero displacement (e.g. the bottom of a current collector);
* ``outer_surface``: the free outer surface of a particle;
* the two surfaces of each :class:`ContactPair` (e.g. ``yolk_surface`` / ``shell_inner``).

2D variants: ``"axisymmetric"`` meshes the (r, z) half-plane as (x, y) with the symmetry
axis at x = 0 (facet group ``axis``); ``"plane_strain"`` meshes a cross-section in (x, y).

``"slab"`` (every builder with a ``"plane_strain"`` variant): the plane-strain section
extruded along z into one layer of thickness ``slab_thickness()`` (the smallest mesh
size), with ``symmetry_z`` on both faces. Zero normal displacement on both faces is
plane strain (eps_zz = 0), so the 3D solver runs the 2D problem; a named point of the
section stands for the line through it along z.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from anodemech.errors import CaseError

MAX_CELLS = 3_000_000
CELLS_PER_H3 = 5.5  # Gmsh tetrahedra per h^3 of volume (measured 4.8-5.9 on the core-shell meshes)
CELLS_PER_H2 = 2.3  # Gmsh triangles per h^2 of area (frontal-Delaunay, equilateral ~ 2.31)
TWO_D_VARIANTS = ("axisymmetric", "plane_strain")
SLAB = "slab"  # the plane-strain section as a one-layer 3D slab (module docstring)
SLACK = 1e-9  # relative tolerance of range checks: unit conversion rounds in the last digits


@dataclass(frozen=True)
class ContactPair:
    """Two surfaces that may come into contact.

    Attributes:
        name: pair name, e.g. ``"yolk_shell"``.
        surface_a: facet group name of the first surface (the "slave", usually the swelling
            body), e.g. ``"yolk_surface"``.
        surface_b: facet group name of the opposing surface, e.g. ``"shell_inner"``.
        gap: the initial minimum distance between the two surfaces [m], >= 0.
    """

    name: str
    surface_a: str
    surface_b: str
    gap: float


@dataclass
class MeshData:
    """A distributed mesh with named cell and facet tags.

    Attributes:
        mesh: ``dolfinx.mesh.Mesh``, coordinates in metres (gdim 3, or 2 for 2D variants).
        cell_tags: ``MeshTags`` of dimension ``tdim``; values are physical-group tags.
        facet_tags: ``MeshTags`` of dimension ``tdim - 1``.
        cell_names: region name -> tag, e.g. ``{"core": 1, "shell": 2}``.
        facet_names: surface name -> tag, e.g. ``{"interface": 3, "outer_surface": 4}``.
        points: named points [m] that are mesh vertices, shape ``(3,)`` each. ``origin``,
            ``x_axis`` and ``y_axis`` are 3-2-1 supports of a full body: ``x_axis - origin``
            is parallel to x and all three lie in one plane z = const.
        centre: the particle centre [m], shape ``(3,)``; radial/hoop stresses refer to it.
        variant: ``"full"``, a reduced variant (``"octant"``, ``"quarter"``, ``"half"``) or
            a 2D variant (``"axisymmetric"``, ``"plane_strain"``).
        axis: unit vector of the axis of a cylindrical body (wire, tube), shape ``(3,)``, or
            None for spherical bodies; radial/hoop then refer to the line through ``centre``.
        li_entry: ``((surface, region), ...)``: Li enters through ``surface`` if ``region``
            stores Li; the first entry whose region stores Li applies.
        contact_pairs: the :class:`ContactPair` s of the geometry.
        quality: ``{"min_gamma": ..., "min_sicn": ...}`` of the Gmsh mesh (1 = ideal).
        slab: thickness [m] of a plane-strain slab (variant ``"slab"``), else 0. Named
            points of a slab lie on its face z = 0 and stand for lines along z.
    """

    mesh: object
    cell_tags: object
    facet_tags: object
    cell_names: dict[str, int]
    facet_names: dict[str, int]
    points: dict[str, np.ndarray] = field(default_factory=dict)
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    variant: str = "full"
    axis: np.ndarray | None = None
    li_entry: tuple[tuple[str, str], ...] = (("outer_surface", "core"),)
    contact_pairs: tuple[ContactPair, ...] = ()
    quality: dict[str, float] = field(default_factory=dict)
    slab: float = 0.0

    def cells(self, name: str) -> np.ndarray:
        """Local cell indices (int32, shape ``(n,)``) of region ``name``; KeyError if unknown."""
        return self.cell_tags.find(self.cell_names[name])

    def facets(self, name: str) -> np.ndarray:
        """Local facet indices (int32, shape ``(n,)``) of surface ``name``; KeyError if unknown."""
        return self.facet_tags.find(self.facet_names[name])


class GeometryParams:
    """Mixin for builder parameter dataclasses (frozen, lengths in metres).

    Subclasses define the class attribute ``VARIANTS`` (the first one is the default), and
    the methods ``regions()``, ``validate(prefix)``, ``length_scale()``,
    ``expected_measures()``, ``estimate_cells()`` and optionally ``contact_pairs()`` and
    ``range_examples()``. Field metadata ``{"unit": "m"}`` marks lengths (the default for
    floats); ``{"unit": "-"}`` marks dimensionless numbers.
    """

    VARIANTS: tuple[str, ...] = ("full",)

    # -------------------------------------------------------------- interface
    def regions(self) -> tuple[str, ...]:
        """Names of the cell regions (each needs a material in a case)."""
        raise NotImplementedError

    def length_scale(self) -> float:
        """Model unit [m]: Gmsh builds in units of this length (its absolute tolerances
        fail at 1e-7 m), and the DOLFINx coordinates are scaled back to metres."""
        raise NotImplementedError

    def expected_measures(self) -> dict[str, float]:
        """Analytic measures of the variant: region -> volume [m^3] (2D: area [m^2]) and
        surface -> area [m^2] (2D: length [m]), for the groups that have a closed form."""
        raise NotImplementedError

    def estimate_cells(self) -> float:
        """Rough number of cells the size fields give (checked against ``MAX_CELLS``)."""
        raise NotImplementedError

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        """Contact pairs of the geometry (none by default)."""
        return ()

    def searched_pairs(self) -> tuple[ContactPair, ...]:
        """The contact pairs the contact search handles: those whose two surfaces bound
        separate bodies (all by default; a meshed void leaves its pair to the third medium)."""
        return self.contact_pairs()

    def physics_unsupported(self) -> str | None:
        """Why the coupled solver cannot run this geometry yet, or None if it can."""
        if self.variant in TWO_D_VARIANTS:
            return (f"variant {self.variant!r} is a 2D mesh; the coupled solver is 3D only so far "
                    "(mesh it with `anodemech mesh`)")
        return None

    @property
    def gdim(self) -> int:
        """Geometric dimension of the variant's mesh (2 or 3)."""
        return 2 if self.variant in TWO_D_VARIANTS else 3

    @property
    def is_slab(self) -> bool:
        """The variant is the plane-strain slab (module docstring)."""
        return self.variant == SLAB

    def section(self):
        """The parameters the Gmsh model is drawn from: the ``"plane_strain"`` section for a
        slab, else ``self``."""
        return dataclasses.replace(self, variant="plane_strain") if self.is_slab else self

    def slab_thickness(self) -> float:
        """Thickness [m] of the slab variant: the smallest mesh size (the smallest ``h_*``
        field), so the split prisms near the finest triangles are well shaped."""
        return float(min(getattr(self, f.name) for f in dataclasses.fields(self) if f.name.startswith("h_")))

    def measures(self) -> dict[str, float]:
        """``expected_measures()`` of the mesh actually built [SI]: for a slab, the section's
        areas and lengths times the thickness, plus ``symmetry_z`` (both faces)."""
        if not self.is_slab:
            return self.expected_measures()
        m, t = self.section().expected_measures(), self.slab_thickness()
        out = {k: v * t for k, v in m.items()}
        out["symmetry_z"] = 2 * sum(m[r] for r in self.regions() if r in m)
        return out

    def cells_estimate(self) -> float:
        """``estimate_cells()`` of the mesh actually built (a slab: three tetrahedra per
        triangle of its section)."""
        return 3 * self.section().estimate_cells() if self.is_slab else self.estimate_cells()

    @classmethod
    def range_examples(cls) -> list:
        """Parameter sets at the ends of the documented range (used by the tests)."""
        return []

    # -------------------------------------------------------------- helpers for validate()
    @staticmethod
    def fail(prefix: str, name: str, msg: str, accepted: str | None = None):
        """Raise ``CaseError(f"{prefix}.{name}", msg, accepted)``."""
        raise CaseError(f"{prefix}.{name}", msg, accepted)

    def check_length(self, prefix: str, name: str, lo: float, hi: float, lo_open: bool = False,
                     hi_expr: str = "") -> float:
        """Check that field ``name`` is a finite length in [lo, hi] m ((lo, hi] if ``lo_open``);
        ``hi_expr`` names the upper bound when it derives from other fields (e.g. "10*core_radius")."""
        v = getattr(self, name)
        slack = SLACK * max(abs(lo), abs(hi))  # "1.6 * 50 nm" vs "80 nm" after unit conversion
        ok = (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
              and (v > lo if lo_open else v >= lo - slack) and v <= hi + slack)
        if not ok:
            lb = "<" if lo_open else "<="
            upper = f"{hi_expr} = {hi:.3g}" if hi_expr else f"{hi:.3g}"
            self.fail(prefix, name, f"{v!r} m is out of range", f"{lo:.3g} {lb} {name} <= {upper} m")
        return float(v)

    @classmethod
    def variants(cls) -> tuple[str, ...]:
        """Accepted variants: ``VARIANTS``, plus ``"slab"`` where there is a plane-strain one."""
        return cls.VARIANTS + ((SLAB,) if "plane_strain" in cls.VARIANTS else ())

    def check_variant(self, prefix: str) -> None:
        """Check ``variant`` against :meth:`variants`."""
        if self.variant not in self.variants():
            self.fail(prefix, "variant", f"unknown variant {self.variant!r}", ", ".join(map(repr, self.variants())))
        if self.is_slab:  # the section must be a valid plane-strain model
            self.section().validate(prefix)
            touching = [c.name for c in self.contact_pairs() if not c.gap > 0]
            if touching:  # Gmsh's extrusion merges coincident nodes: the bodies would be welded
                self.fail(prefix, "variant", f"the slab variant needs a gap > 0 between the bodies of "
                          f"contact pair(s) {', '.join(touching)} (touching bodies would share mesh nodes)",
                          "variant = 'slab' with a positive initial gap (e.g. 0.01 nm)")

    def check_sizes(self, prefix: str, fine: str, coarse: str, max_fine: float, max_coarse: float,
                    what_fine: str = "", what_coarse: str = "") -> None:
        """Check mesh sizes: both positive, ``fine <= coarse``, each below its limit [m], and the
        cell estimate below ``MAX_CELLS`` (the key then names the size to increase)."""
        hf, hc = getattr(self, fine), getattr(self, coarse)
        for name, h in ((fine, hf), (coarse, hc)):
            if not (isinstance(h, (int, float)) and math.isfinite(h) and h > 0):
                self.fail(prefix, name, f"{h!r} m is not a positive length", f"0 < {name}")
        if hf > hc:
            self.fail(prefix, fine, f"{hf:.3g} m is larger than {coarse} = {hc:.3g} m", f"{fine} <= {coarse}")
        if hf > max_fine:
            self.fail(prefix, fine, f"{hf:.3g} m is too coarse{' ' + what_fine if what_fine else ''}",
                      f"0 < {fine} <= {max_fine:.3g} m")
        if hc > max_coarse:
            self.fail(prefix, coarse, f"{hc:.3g} m is too coarse{' ' + what_coarse if what_coarse else ''}",
                      f"0 < {coarse} <= {max_coarse:.3g} m")
        n = self.cells_estimate()
        if n > MAX_CELLS:  # name the size whose doubling helps most
            coarser = {k: dataclasses.replace(self, **{k: 2 * getattr(self, k)}).cells_estimate() for k in (fine, coarse)}
            key = min(coarser, key=coarser.get)
            self.fail(prefix, key, f"the mesh would have ~{n:.2g} cells; increase {prefix}.{fine} and/or {prefix}.{coarse}",
                      f"at most ~{MAX_CELLS:.0e} cells")

    def cell_estimate(self, volume: float, refined_area: float, h_fine: float, h_coarse: float) -> float:
        """Cells for a body of measure ``volume`` (2D: area) whose surfaces of measure
        ``refined_area`` (2D: length) carry ``h_fine``, ramping to ``h_coarse`` over
        ``h_fine + 2 h_coarse`` (the ramp of :func:`gmsh_model.refine`)."""
        d = h_fine + 2 * h_coarse
        near = min(volume, refined_area * d)
        if self.gdim == 2:
            return CELLS_PER_H2 * (near / (h_fine * h_coarse) + (volume - near) / h_coarse**2)
        return CELLS_PER_H3 * (near / (h_fine**2 * h_coarse) + (volume - near) / h_coarse**3)


def params_fields(cls) -> list[tuple[str, object, str, str]]:
    """``[(name, default, unit, description)]`` of a parameter dataclass (description from
    the docstring's ``Attributes:`` section)."""
    doc = cls.__doc__ or ""
    desc = {}
    if "Attributes:" in doc:
        current = None
        for line in doc.split("Attributes:", 1)[1].splitlines():
            s = line.strip()
            if not s:
                continue
            head, sep, rest = s.partition(":")
            if sep and " " not in head and head.isidentifier():
                current = head
                desc[current] = rest.strip()
            elif current:
                desc[current] += " " + s
    out = []
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else None
        unit = f.metadata.get("unit", "-" if isinstance(default, (str, bool, int)) and not isinstance(default, float) else "m")
        out.append((f.name, default, unit, desc.get(f.name, "")))
    return out
