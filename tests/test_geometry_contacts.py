"""Point and line contacts: sphere on a plate, sphere-sphere, cylinder (nanowire) on a plate.

Every variant at the default parameters and the ends of the documented range mesh with
named groups non-empty, quality > 0.1 and measures within 1 % of the analytic ones:
sphere volume 4/3 pi R^3 and area 4 pi R^2 (x 1/4 for the quarter; the axisymmetric
half-disc has area pi R^2 / 2 and arc length pi R), cylinder volume pi R^2 l and mantle
2 pi R l (x 1/4: half the cross-section and half the length), plate volume and faces
from its box / rectangle dimensions, symmetry planes as the sums of the cut disc, half-disc
or rectangle of each body (see ``expected_measures`` of each parameter class).

The contact pair of each mesh has a minimum vertex distance equal to the requested gap
(the closest points / the closest line are mesh vertices on both surfaces) and facing
outward normals; the contact zone is refined to ``h_contact``.

Runs on any number of MPI ranks; every helper is collective.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from mpi4py import MPI

import dolfinx

from anodemech.errors import CaseError
from anodemech.geometry.contacts import (CylinderOnPlaneParams, SphereOnPlaneParams, SphereSphereParams,
                                         build_cylinder_on_plane, build_sphere_on_plane, build_sphere_sphere)

from geometry_checks import check_mesh, contact_geometry, facet_nodes, fingerprint

COMM = MPI.COMM_WORLD
NM = 1e-9
BUILD = {SphereOnPlaneParams: build_sphere_on_plane, SphereSphereParams: build_sphere_sphere,
         CylinderOnPlaneParams: build_cylinder_on_plane}
CASES = [(cls, v) for cls in BUILD for v in cls.VARIANTS]
IDS = [f"{c.__name__}-{v}" for c, v in CASES]


@pytest.fixture(scope="module")
def meshes():
    """``get(cls, variant) -> (params, MeshData)`` at the default parameters, each built once
    (collective: pytest runs the tests in the same order on every rank)."""
    cache = {}

    def get(cls, variant):
        if (cls, variant) not in cache:
            params = dataclasses.replace(cls(), variant=variant)
            cache[(cls, variant)] = (params, BUILD[cls](COMM, params))
        return cache[(cls, variant)]

    return get


# ---------------------------------------------------------------------------- helpers
def _min_dist(x: np.ndarray, point) -> float:
    """Smallest distance [m] from the local coordinates ``x`` to ``point``, over all ranks."""
    d = np.linalg.norm(x[:, : len(point)] - np.asarray(point), axis=1).min() if len(x) else np.inf
    return COMM.allreduce(float(d), op=MPI.MIN)


def _surface_x(md, name) -> np.ndarray:
    """Local vertex coordinates of the facets of surface ``name``."""
    return md.mesh.geometry.x[facet_nodes(md, md.facets(name)).ravel()]


def _region_x(md, name) -> np.ndarray:
    """Local vertex coordinates of the cells of region ``name``."""
    cells = md.cells(name)
    if len(cells) == 0:
        return np.zeros((0, 3))
    return md.mesh.geometry.x[dolfinx.mesh.entities_to_geometry(md.mesh, md.mesh.topology.dim, cells, False).ravel()]


def _edges_at(md, name, point, tol) -> float:
    """Longest edge [m] of the facets of ``name`` that touch ``point`` (over all ranks; 0 if none)."""
    nodes = facet_nodes(md, md.facets(name))
    x = md.mesh.geometry.x
    longest = 0.0
    if len(nodes):
        gd = len(point)
        touch = (np.linalg.norm(x[nodes][:, :, :gd] - np.asarray(point), axis=2) < tol).any(axis=1)
        for a in range(nodes.shape[1]):
            for b in range(a + 1, nodes.shape[1]):
                e = np.linalg.norm(x[nodes[touch, a]] - x[nodes[touch, b]], axis=1)
                longest = max(longest, float(e.max()) if len(e) else 0.0)
    return COMM.allreduce(longest, op=MPI.MAX)


def _contact_points(params):
    """The closest points (surface_a point, surface_b point) [m] of a point contact, in the
    mesh's coordinates (2D: (x, y))."""
    g = params.gap
    if isinstance(params, SphereSphereParams):
        r1 = params.radius_1
        pts = ((0.0, 0.0, r1), (0.0, 0.0, r1 + g))
    else:  # sphere / wire above the plate: the body's point at height gap, the plate's at 0
        pts = ((0.0, 0.0, g), (0.0, 0.0, 0.0))
    if params.gdim == 2:
        return tuple((p[0], p[2]) for p in pts)
    return pts


def _check_contact(md, params):
    """The pair's minimum vertex distance is the gap (to 1e-3 of the length scale) and the
    outward normals face each other there."""
    (pair,) = md.contact_pairs
    assert pair == params.contact_pairs()[0] and pair.gap >= 0
    geo = contact_geometry(md, pair)
    assert geo["min_distance"] == pytest.approx(params.gap, abs=1e-3 * params.length_scale()), geo
    assert geo["normal_dot"] < -0.9, geo


# ---------------------------------------------------------------------------- defaults
@pytest.mark.parametrize("cls, variant", CASES, ids=IDS)
def test_variant_meshes(cls, variant, meshes):
    """Groups non-empty, measures within 1 %, quality > 0.1; every group has an analytic
    measure; names, centre, axis and Li entry as documented."""
    params, md = meshes(cls, variant)
    check_mesh(md, params)
    assert set(md.cell_names) | set(md.facet_names) == set(params.expected_measures())
    assert tuple(md.cell_names) == params.regions()  # regions get the first tags
    assert md.variant == variant and md.mesh.geometry.dim == params.gdim
    assert ("axis" in md.facet_names) == (variant == "axisymmetric")
    assert ("symmetry_x" in md.facet_names) == ("symmetry_y" in md.facet_names) == (variant in ("quarter", "octant"))
    assert ("symmetry_z" in md.facet_names) == (variant == "octant")
    if cls is CylinderOnPlaneParams:
        assert md.li_entry == (("wire_surface", "wire"),)
        want_axis = (0, 0, 1) if variant == "plane_strain" else (1, 0, 0)
        np.testing.assert_allclose(md.axis, want_axis)
        z = params.radius + params.gap
        np.testing.assert_allclose(md.centre, (0, z, 0) if params.gdim == 2 else (0, 0, z), atol=1e-12 * z)
    elif cls is SphereOnPlaneParams:
        assert md.axis is None and md.li_entry == (("particle_surface", "particle"),)
        z = params.radius + params.gap
        np.testing.assert_allclose(md.centre, (0, z, 0) if params.gdim == 2 else (0, 0, z), atol=1e-12 * z)
    else:
        assert md.axis is None and md.li_entry == (("surface_1", "particle_1"), ("surface_2", "particle_2"))
        np.testing.assert_array_equal(md.centre, np.zeros(3))


@pytest.mark.parametrize("cls, variant", CASES, ids=IDS)
def test_planar_groups_lie_in_their_planes(cls, variant, meshes):
    """symmetry_x / axis at x = 0, symmetry_y at y = 0, plate_top at z = 0 and clamped at
    z = -plate_thickness (2D: y)."""
    params, md = meshes(cls, variant)
    vert = params.gdim - 1
    planes = {"symmetry_x": (0, 0.0), "symmetry_y": (1, 0.0), "axis": (0, 0.0)}
    if cls is not SphereSphereParams:
        planes.update(plate_top=(vert, 0.0), clamped=(vert, -params.plate_thickness))
    tol = 1e-9 * params.length_scale()
    for name, (ax, value) in planes.items():
        if name in md.facet_names:
            x = _surface_x(md, name)
            dev = np.abs(x[:, ax] - value).max() if len(x) else 0.0
            assert COMM.allreduce(float(dev), op=MPI.MAX) < tol, name


@pytest.mark.parametrize("cls, variant", CASES, ids=IDS)
def test_contact_pair(cls, variant, meshes):
    """min distance = gap (0 at the defaults), normals facing (normal_dot < -0.9)."""
    params, md = meshes(cls, variant)
    _check_contact(md, params)


@pytest.mark.parametrize("cls, variant", CASES, ids=IDS)
def test_contact_zone_is_embedded_and_refined(cls, variant, meshes):
    """The closest points are vertices of both surfaces and the facets touching them have
    edges <= 2 h_contact; for the 3D line contact, both surfaces carry vertices along the
    whole contact line, spaced <= 2 h_contact."""
    params, md = meshes(cls, variant)
    pair = md.contact_pairs[0]
    L = params.length_scale()
    h = params.h_contact
    if cls is CylinderOnPlaneParams and params.gdim == 3:
        x0 = 0.0 if variant == "quarter" else -params.length / 2
        for name, z in ((pair.surface_a, params.gap), (pair.surface_b, 0.0)):
            x = _surface_x(md, name)
            on = x[(np.abs(x[:, 1]) < 1e-9 * L) & (np.abs(x[:, 2] - z) < 1e-9 * L), 0]
            xs = np.unique(np.round(np.concatenate(COMM.allgather(on)) / L, 9)) * L
            assert xs[0] == pytest.approx(x0, abs=1e-9 * L) and xs[-1] == pytest.approx(params.length / 2, rel=1e-9)
            assert np.diff(xs).max() <= 2 * h, (name, np.diff(xs).max())
        return
    for name, point in zip((pair.surface_a, pair.surface_b), _contact_points(params)):
        assert _min_dist(_surface_x(md, name), point) < 1e-9 * L, (name, point)
        longest = _edges_at(md, name, point, 1e-9 * L)
        assert 0 < longest <= 2 * h, (name, longest, h)


@pytest.mark.parametrize("cls", list(BUILD))
def test_full_supports(cls, meshes):
    """3-2-1 supports of the free body (both particles for sphere-sphere) are mesh vertices
    of that body's region; x_axis - origin is along x and all three share one z."""
    params, md = meshes(cls, "full")
    bodies = {SphereOnPlaneParams: {"": "particle"}, CylinderOnPlaneParams: {"": "wire"},
              SphereSphereParams: {"": "particle_1", "_2": "particle_2"}}[cls]
    assert set(md.points) == {f"{n}{s}" for s in bodies for n in ("origin", "x_axis", "y_axis")}
    L = params.length_scale()
    for suffix, region in bodies.items():
        o, xa, ya = (md.points[f"{n}{suffix}"] for n in ("origin", "x_axis", "y_axis"))
        assert xa[0] > o[0] and xa[1] == o[1] and ya[1] > o[1] and ya[0] == o[0]
        assert o[2] == xa[2] == ya[2]
        xr = _region_x(md, region)
        for p in (o, xa, ya):
            assert _min_dist(xr, p) < 1e-9 * L, (region, p)
    # the free body's centre plane: origin is the particle / wire-axis centre
    np.testing.assert_allclose(md.points["origin"], md.centre, atol=1e-12 * L)


def test_sphere_sphere_second_centre(meshes):
    """Particle 2's origin support sits at its centre (0, 0, R1 + gap + R2)."""
    params, md = meshes(SphereSphereParams, "full")
    np.testing.assert_allclose(md.points["origin_2"], (0, 0, params.radius_1 + params.gap + params.radius_2),
                               atol=1e-12 * params.length_scale())


def test_bodies_are_disconnected(meshes):
    """The two bodies share no mesh vertex even where they touch (gap 0): the vertices of
    the particle and the plate at the contact point are distinct."""
    params, md = meshes(SphereOnPlaneParams, "quarter")
    tdim = md.mesh.topology.dim
    md.mesh.topology.create_connectivity(tdim, 0)
    c2v = md.mesh.topology.connectivity(tdim, 0)
    imap = md.mesh.topology.index_map(0)

    def global_vertices(region):
        cells = md.cells(region)
        local = np.unique(np.concatenate([c2v.links(c) for c in cells])) if len(cells) else np.zeros(0, np.int32)
        return set(imap.local_to_global(local.astype(np.int32)).tolist())

    a = COMM.allgather(global_vertices("particle"))
    b = COMM.allgather(global_vertices("plate"))
    assert not set().union(*a) & set().union(*b)


@pytest.mark.parametrize("cls", list(BUILD))
def test_deterministic(cls, meshes):
    """Two builds of the default variant give the same mesh."""
    params, md = meshes(cls, cls.VARIANTS[0])
    assert fingerprint(BUILD[cls](COMM, params)) == fingerprint(md)


# ---------------------------------------------------------------------------- range ends
@pytest.mark.parametrize("cls", list(BUILD))
def test_range_examples(cls):
    """The ends of the documented range (1 nm to 100 um, thinnest / thickest plate, largest
    gap, radius ratio 20) mesh, with measures within 1 % and the gap on vertices."""
    for params in cls.range_examples():
        md = BUILD[cls](COMM, params)
        check_mesh(md, params)
        _check_contact(md, params)


@pytest.mark.parametrize("cls, gap", [(SphereOnPlaneParams, 15 * NM), (SphereSphereParams, 15 * NM),
                                      (CylinderOnPlaneParams, 12.5 * NM)])
def test_gap_on_axisymmetric_and_plane_strain(cls, gap):
    """A gap of R/4 is reproduced in the 2D variant (cheap)."""
    params = dataclasses.replace(cls(), variant=cls.VARIANTS[2], gap=gap)
    md = BUILD[cls](COMM, params)
    check_mesh(md, params)
    _check_contact(md, params)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "cls, kwargs, key",
    [
        # sphere on plane
        (SphereOnPlaneParams, dict(gap=-1 * NM), "geometry.gap"),  # overlapping bodies
        (SphereOnPlaneParams, dict(gap=70 * NM), "geometry.gap"),  # no longer a contact (> radius)
        # narrower than the swollen particle
        (SphereOnPlaneParams, dict(plate_half_width=60 * NM), "geometry.plate_half_width"),
        (SphereOnPlaneParams, dict(plate_thickness=5 * NM), "geometry.plate_thickness"),  # < radius/10
        (SphereOnPlaneParams, dict(plate_thickness=1e-6), "geometry.plate_thickness"),  # > 10 radius
        (SphereOnPlaneParams, dict(plate_thickness=10 * NM), "geometry.h_fine"),  # h_fine does not fit the plate
        (SphereOnPlaneParams, dict(h_coarse=40 * NM), "geometry.h_coarse"),  # > radius/2
        (SphereOnPlaneParams, dict(h_contact=5 * NM), "geometry.h_contact"),  # > radius/20: Hertz zone unresolved
        (SphereOnPlaneParams, dict(h_fine=2 * NM, h_contact=2.5 * NM), "geometry.h_contact"),  # > h_fine
        (SphereOnPlaneParams, dict(radius=0.5 * NM), "geometry.radius"),
        (SphereOnPlaneParams, dict(variant="half"), "geometry.variant"),
        (SphereOnPlaneParams, dict(plate="glass"), "geometry.plate"),
        (SphereOnPlaneParams, dict(contact_zone=40e-9), "geometry.contact_zone"),
        (SphereOnPlaneParams, dict(radius=100e-6, plate_thickness=1e-3, plate_half_width=1e-3, h_fine=1e-6,
                                   h_coarse=50e-6, h_contact=0.5e-6, variant="full"), "geometry.h_fine"),  # ~1e8 cells
        # sphere-sphere
        (SphereSphereParams, dict(gap=-1 * NM), "geometry.gap"),
        (SphereSphereParams, dict(radius_2=2 * NM), "geometry.radius_2"),  # ratio > 20: a sphere on a plane
        (SphereSphereParams, dict(radius_2=20 * NM), "geometry.h_fine"),  # h_fine > smaller radius/3
        (SphereSphereParams, dict(h_contact=2 * NM), "geometry.h_contact"),  # > R*/20 = 1.5 nm
        (SphereSphereParams, dict(variant="plane_strain"), "geometry.variant"),
        # cylinder on plane
        (CylinderOnPlaneParams, dict(gap=-1 * NM), "geometry.gap"),
        (CylinderOnPlaneParams, dict(length=40 * NM), "geometry.length"),  # shorter than the radius
        (CylinderOnPlaneParams, dict(plate_half_width=50 * NM), "geometry.plate_half_width"),
        (CylinderOnPlaneParams, dict(plate_thickness=10 * NM), "geometry.h_fine"),
        (CylinderOnPlaneParams, dict(h_contact=3 * NM), "geometry.h_contact"),
        (CylinderOnPlaneParams, dict(radius=float("nan")), "geometry.radius"),
        (CylinderOnPlaneParams, dict(variant="axisymmetric"), "geometry.variant"),  # not a body of revolution
    ],
)
def test_bad_parameters(cls, kwargs, key):
    with pytest.raises(CaseError) as err:
        dataclasses.replace(cls(), **kwargs).validate()
    assert err.value.key == key
    assert err.value.accepted


def test_bad_parameters_stop_the_build():
    """build_* validates before Gmsh runs (all ranks raise the same CaseError)."""
    with pytest.raises(CaseError) as err:
        build_sphere_on_plane(COMM, SphereOnPlaneParams(gap=-1 * NM))
    assert err.value.key == "geometry.gap"
