"""Bodies on a plate: faceted particle on a plane, thin film on a substrate, block on a plate.

Every variant at the default parameters and every range example meshes with its groups
non-empty, quality > 0.1 and measures within 1 % of the analytic ones
(``expected_measures``): boxes and rectangles exactly; the truncated sphere from the ball
4/3 pi R^3 minus the cap pi h^2 (3R - h)/3 and the sphere area 4 pi R^2 minus the cap area
2 pi R h (h = R - sqrt(R^2 - a^2), a the facet radius), the facet disc pi a^2, and in the
symmetry planes / the (r, z) section the great-circle disc pi R^2 minus the circular
segment R^2 acos(d/R) - d a (d = R - h) cut off by the facet chord; the axisymmetric arc
length R (pi - asin(a/R)). The contact pairs are flat-on-flat, so the least vertex distance
is the requested gap (the embedded centre points and the imprinted footprint edges are
vertices of both surfaces) and the outward normals are opposite (dot -1).

Runs on any number of MPI ranks (every check is collective).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from mpi4py import MPI

from anodemech.errors import CaseError
from anodemech.geometry.surface_contact import (BlockOnPlateParams, FacetedOnPlaneParams, ThinFilmParams,
                                                build_block_on_plate, build_faceted_on_plane, build_thin_film)

from geometry_checks import check_mesh, contact_geometry, facet_nodes, fingerprint

COMM = MPI.COMM_WORLD
NM, UM = 1e-9, 1e-6
BUILD = {FacetedOnPlaneParams: build_faceted_on_plane, ThinFilmParams: build_thin_film,
         BlockOnPlateParams: build_block_on_plate}
CASES = [(cls, v) for cls in BUILD for v in cls.VARIANTS]
IDS = [f"{c.__name__}-{v}" for c, v in CASES]
EXAMPLES = [(cls, i) for cls in BUILD for i in range(len(cls.range_examples()))]


@pytest.fixture(scope="module")
def meshes():
    """Default-parameter meshes, built once per (class, variant) on first use."""
    cache = {}

    def get(cls, variant):
        if (cls, variant) not in cache:
            params = cls(variant=variant)
            cache[(cls, variant)] = (params, BUILD[cls](COMM, params))
        return cache[(cls, variant)]

    return get


def _on_mesh(md, point) -> bool:
    """``point`` [m] is a mesh vertex (1e-9 of the length scale), on some rank."""
    x = md.mesh.geometry.x[:, : md.mesh.geometry.dim]
    d = np.linalg.norm(x - np.asarray(point)[: x.shape[1]], axis=1).min() if len(x) else np.inf
    return COMM.allreduce(float(d), op=MPI.MIN) < 1e-9 * np.abs(md.mesh.geometry.x).max()


def _check_contacts(md, params):
    """Each pair: least vertex distance = gap (1e-3 of the length scale), facing normals."""
    assert md.contact_pairs == params.contact_pairs()
    for pair in md.contact_pairs:
        assert pair.gap >= 0
        g = contact_geometry(md, pair)
        assert g["min_distance"] == pytest.approx(pair.gap, abs=1e-3 * params.length_scale()), pair
        assert g["normal_dot"] < -0.9, (pair, g)


@pytest.mark.parametrize("cls, variant", CASES, ids=IDS)
def test_default_variants(cls, variant, meshes):
    params, md = meshes(cls, variant)
    check_mesh(md, params)
    assert list(md.cell_names) == list(params.regions())
    assert list(md.facet_names) == list(params.surfaces())
    assert md.variant == variant and md.mesh.geometry.dim == params.gdim
    _check_contacts(md, params)


@pytest.mark.parametrize("cls, variant", CASES, ids=IDS)
def test_planes_where_named(cls, variant, meshes):
    """symmetry_x / axis lie in x = 0, symmetry_y in y = 0, clamped at the plate bottom."""
    params, md = meshes(cls, variant)
    x = md.mesh.geometry.x
    up = 1 if params.gdim == 2 else 2
    bottom = -(params.substrate_thickness if cls is ThinFilmParams else params.plate_thickness)
    where = {"symmetry_x": (0, 0.0), "axis": (0, 0.0), "symmetry_y": (1, 0.0), "clamped": (up, bottom)}
    for name, (axis, value) in where.items():
        if name in md.facet_names:
            nodes = facet_nodes(md, md.facets(name))
            dev = float(np.abs(x[nodes.ravel(), axis] - value).max()) if nodes.size else 0.0
            assert COMM.allreduce(dev, op=MPI.MAX) < 1e-9 * params.length_scale(), name


@pytest.mark.parametrize("cls, i", EXAMPLES, ids=[f"{c.__name__}-{i}" for c, i in EXAMPLES])
def test_range_examples(cls, i):
    """The ends of the documented ranges (nm to mm, touching and gap = the largest allowed,
    facet radius 0.07 R ... 0.999 R, film patches 1 ... 1000 film thicknesses wide)."""
    params = cls.range_examples()[i]
    md = BUILD[cls](COMM, params)
    check_mesh(md, params)
    _check_contacts(md, params)


def test_deterministic(meshes):
    params, md = meshes(FacetedOnPlaneParams, "quarter")
    assert fingerprint(build_faceted_on_plane(COMM, params)) == fingerprint(md)


@pytest.mark.parametrize("cls", [FacetedOnPlaneParams, BlockOnPlateParams])
def test_contact_bodies_are_disconnected(cls, meshes):
    """The two bodies of a contact pair share no vertex (no fragment: two bodies in one mesh)."""
    _, md = meshes(cls, "quarter")
    shared = _shared_vertices(md, *md.cell_names)
    assert COMM.allreduce(shared, op=MPI.SUM) == 0


def test_film_is_bonded(meshes):
    """Film and substrate share the interface vertices (one conforming mesh)."""
    _, md = meshes(ThinFilmParams, "quarter")
    assert COMM.allreduce(_shared_vertices(md, "film", "substrate"), op=MPI.SUM) > 0


def _shared_vertices(md, a, b) -> int:
    import dolfinx

    tdim = md.mesh.topology.dim

    def verts(name):
        cells = md.cells(name)
        if len(cells) == 0:
            return set()
        return set(dolfinx.mesh.entities_to_geometry(md.mesh, tdim, cells, False).ravel().tolist())

    return len(verts(a) & verts(b))


@pytest.mark.parametrize("cls, variant", [c for c in CASES if c[0] is not ThinFilmParams],
                         ids=[i for c, i in zip(CASES, IDS) if c[0] is not ThinFilmParams])
def test_contact_reference_points(cls, variant, meshes):
    """The centre of the body's contact face and the point under it are vertices, ``gap``
    apart; full variants carry 3-2-1 supports in the body (origin -> x_axis along x, one
    plane z = const)."""
    params, md = meshes(cls, variant)
    a, b = ("facet_centre", "plate_centre") if cls is FacetedOnPlaneParams else ("block_bottom_centre", "plate_centre")
    assert np.linalg.norm(md.points[a] - md.points[b]) == pytest.approx(params.gap, abs=1e-12)
    for name, p in md.points.items():
        assert _on_mesh(md, p), name
    if variant == "full":
        p = md.points
        assert p["x_axis"][0] > p["origin"][0] and p["x_axis"][1] == p["origin"][1]
        assert p["origin"][2] == p["x_axis"][2] == p["y_axis"][2] == pytest.approx(md.centre[2])


def test_centres_and_li_entry(meshes):
    """Sphere centre at gap + sqrt(R^2 - a^2) above the plate; Li enters the particle
    through its free curved surface, the film through its top, the block as chosen."""
    p, md = meshes(FacetedOnPlaneParams, "quarter")
    assert md.centre[2] == pytest.approx(p.gap + math.sqrt(p.radius**2 - p.facet_radius**2), rel=1e-12)
    assert md.li_entry == (("particle_surface", "particle"),) and md.axis is None
    _, md2 = meshes(FacetedOnPlaneParams, "axisymmetric")
    assert md2.centre[1] == pytest.approx(md.centre[2], rel=1e-12)
    _, film = meshes(ThinFilmParams, "quarter")
    assert film.li_entry == (("film_top", "film"),) and not film.contact_pairs
    p, block = meshes(BlockOnPlateParams, "quarter")
    assert block.li_entry == (("block_top", "block"),)
    assert block.centre[2] == pytest.approx(p.gap + p.height / 2)


def test_facet_edge_is_refined(meshes):
    """Facet edges within 2 h_edge of the facet rim are about h_edge long (flat-punch edge)."""
    p, md = meshes(FacetedOnPlaneParams, "quarter")
    x = md.mesh.geometry.x
    nodes = facet_nodes(md, md.facets("particle_facet"), owned=True)
    tri = x[nodes]
    lengths = np.linalg.norm(tri - np.roll(tri, 1, axis=1), axis=2).mean(axis=1)
    rim = np.abs(np.hypot(tri[:, :, 0], tri[:, :, 1]).mean(axis=1) - p.facet_radius) < 2 * p.h_edge
    total = COMM.allreduce(float(lengths[rim].sum()), op=MPI.SUM)
    n = COMM.allreduce(int(rim.sum()), op=MPI.SUM)
    assert n > 0 and total / n < 1.5 * p.h_edge


def test_gap_moves_the_body():
    """A gap lifts the particle: the measured facet/plate distance follows it (axisymmetric)."""
    params = FacetedOnPlaneParams(gap=7 * NM, variant="axisymmetric")
    md = build_faceted_on_plane(COMM, params)
    check_mesh(md, params)
    _check_contacts(md, params)


F, T, B = FacetedOnPlaneParams, ThinFilmParams, BlockOnPlateParams


@pytest.mark.parametrize("cls, kwargs, key", [
    (F, dict(radius=1e-9), "radius"),
    (F, dict(facet_radius=75 * NM), "facet_radius"),          # no sphere left
    (F, dict(facet_radius=80 * NM), "facet_radius"),          # facet larger than the sphere
    (F, dict(facet_radius=0.0), "facet_radius"),
    (F, dict(gap=-1 * NM), "gap"),                            # negative gap
    (F, dict(gap=100 * NM), "gap"),
    (F, dict(plate_half_width=50 * NM), "plate_half_width"),  # plate narrower than the particle
    (F, dict(plate_thickness=0.0), "plate_thickness"),
    (F, dict(h_fine=6 * NM, plate_thickness=5 * NM), "h_fine"),
    (F, dict(h_edge=6 * NM), "h_edge"),                       # coarser than h_fine
    (F, dict(h_edge=3 * NM, facet_radius=5 * NM), "h_edge"),  # does not resolve the facet
    (F, dict(h_fine=20 * NM), "h_fine"),
    (F, dict(h_coarse=40 * NM), "h_coarse"),
    (F, dict(variant="octant"), "variant"),
    (F, dict(radius=1e-4, facet_radius=5e-5, plate_thickness=1e-4, plate_half_width=1e-4, h_coarse=1e-5, h_fine=1e-7,
             h_edge=1e-7, variant="full"), "h_fine"),          # ~1e8 cells
    (T, dict(film_thickness=0.5 * NM), "film_thickness"),
    (T, dict(substrate_thickness=0.0), "substrate_thickness"),  # no substrate
    (T, dict(substrate_thickness=-1 * NM), "substrate_thickness"),
    (T, dict(substrate_thickness=200 * UM), "substrate_thickness"),
    (T, dict(half_width=100 * NM), "half_width"),             # narrower than the film is thick
    (T, dict(half_width=200 * UM), "half_width"),
    (T, dict(h_film=100 * NM), "h_film"),                     # < 2 elements through the film
    (T, dict(h_film=40 * NM, substrate_thickness=30 * NM), "h_film"),
    (T, dict(h_substrate=30 * NM), "h_film"),                 # h_film > h_substrate
    (T, dict(h_substrate=600 * NM), "h_substrate"),
    (T, dict(variant="octant"), "variant"),
    (B, dict(plate_width=1 * UM), "plate_width"),             # block wider than the plate
    (B, dict(plate_depth=1 * UM), "plate_depth"),
    (B, dict(gap=-1 * NM), "gap"),                            # negative gap
    (B, dict(gap=2 * UM), "gap"),
    (B, dict(width=0.0), "width"),
    (B, dict(height=2e-3), "height"),
    (B, dict(plate_thickness=0.0), "plate_thickness"),
    (B, dict(h_fine=600 * NM, h_coarse=800 * NM), "h_fine"),  # more than half the block height
    (B, dict(h_fine=80 * NM, plate_thickness=50 * NM), "h_fine"),
    (B, dict(h_coarse=2 * UM), "h_coarse"),
    (B, dict(li_entry_surface="plate_top"), "li_entry_surface"),
    (B, dict(variant="axisymmetric"), "variant"),
])
def test_bad_parameters(cls, kwargs, key):
    """Impossible combinations are caught by validate() (not by Gmsh), naming the field."""
    params = dataclasses.replace(cls(), **kwargs)
    with pytest.raises(CaseError) as info:
        params.validate()
    assert info.value.key == f"geometry.{key}"
    assert info.value.accepted


def test_unit_round_off_accepted():
    """Limits derived from other fields tolerate the round-off of unit conversion
    (100 * 40e-6 m vs 4e-3 m)."""
    um, mm = 1e-6, 1e-3
    assert 100 * (100 * um) < 10 * mm  # the round-off in question
    B(width=100 * um, depth=100 * um, height=100 * um, plate_width=10 * mm, plate_depth=10 * mm,
      plate_thickness=100 * um, h_coarse=50 * um, h_fine=20 * um, variant="plane_strain").validate()
    F(radius=75e-9, gap=75 * 1e-9, facet_radius=30e-9, plate_half_width=75 * 1e-9).validate()


def test_validate_prefix():
    with pytest.raises(CaseError, match=r"particles\[0\]\.gap"):
        F(gap=-1e-9).validate(prefix="particles[0]")


def test_build_validates_first():
    with pytest.raises(CaseError) as info:
        build_block_on_plate(COMM, B(plate_width=1 * UM))
    assert info.value.key == "geometry.plate_width"
