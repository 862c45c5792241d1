"""Wire geometries: nanowire / nanotube / coated nanowire, and a nanowire inside a nanotube.

Every variant meshes with the analytic measures (1 %), named groups and quality; the
wire-in-tube contact pair has the requested gap with facing surfaces and the contact line
(point) on both surfaces; the two bodies are disconnected; named points are mesh vertices;
builds are deterministic; the ends of the documented ranges mesh; impossible parameters raise
CaseError naming the field.

Analytic values (straight circular cylinders along z): an annulus r_in .. r_out has the
area pi (r_out^2 - r_in^2) and a circle of radius r the length 2 pi r; a segment of length l
has the volume pi (r_out^2 - r_in^2) l and the lateral area 2 pi r l. The quarter variant
keeps 1/4 of the section over l = length/2 (so 1/8 of the segment), the half variant 1/2 of
the section over length/2, the full variant the whole section over the length. The plane
x = 0 (y = 0) cuts a centred annulus along two strips (r_out - r_in) l wide; it cuts the
off-centre wire (whose offset lies along y, inside that plane) along a diameter, 2 r_w l.
End faces are the (partial) annuli; the full segment has two. The wire-in-tube gap is
tube_inner_radius - wire_radius - |wire_offset| (the wire axis is shifted along y).

Runs on any number of MPI ranks (``mpirun -n 2 python3 -m pytest tests/test_geometry_wires.py``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from mpi4py import MPI

from anodemech.errors import CaseError
from anodemech.geometry.wires import NanowireInTubeParams, NanowireParams, build_nanowire, build_nanowire_in_tube

from geometry_checks import check_mesh, contact_geometry, facet_nodes, fingerprint

COMM = MPI.COMM_WORLD
NM = 1e-9
W = NanowireParams()
T = NanowireInTubeParams()

CONFIGS = {
    # nanowire defaults: bare Si wire, every variant
    "wire_quarter": W,
    "wire_full": dataclasses.replace(W, variant="full"),
    "wire_plane_strain": dataclasses.replace(W, variant="plane_strain"),
    # coated nanotube (bore, interface, coating), shorter so the full one stays cheap
    "tube_quarter": dataclasses.replace(W, inner_radius=25 * NM, coating_thickness=10 * NM, length=100 * NM),
    "tube_full": dataclasses.replace(W, inner_radius=25 * NM, coating_thickness=10 * NM, length=60 * NM,
                                     variant="full"),
    "tube_plane_strain": dataclasses.replace(W, inner_radius=25 * NM, coating_thickness=10 * NM,
                                             variant="plane_strain"),
    # wire in tube: defaults (touching, gap 0), every variant
    "in_tube_half": T,
    "in_tube_full": dataclasses.replace(T, variant="full"),
    "in_tube_plane_strain": dataclasses.replace(T, variant="plane_strain"),
    # touching with a 2 nm gap; an explicit offset (6 nm gap)
    "gap_half": dataclasses.replace(T, contact_gap=2 * NM),
    "offset_plane_strain": dataclasses.replace(T, wire_offset=4 * NM, variant="plane_strain"),
}
IN_TUBE = [k for k, p in CONFIGS.items() if isinstance(p, NanowireInTubeParams)]
_CACHE: dict = {}


def build(params):
    if isinstance(params, NanowireParams):
        return build_nanowire(COMM, params)
    return build_nanowire_in_tube(COMM, params)


@pytest.fixture(scope="module")
def mesh():
    """``mesh(key)``: the mesh of ``CONFIGS[key]``, built once per module (collective)."""

    def get(key):
        if key not in _CACHE:
            _CACHE[key] = build(CONFIGS[key])
        return _CACHE[key]

    yield get
    _CACHE.clear()


def gather_points(md, name) -> np.ndarray:
    """Unique vertex coordinates [m] of facet group ``name``, gathered on every rank."""
    nodes = facet_nodes(md, md.facets(name))
    x = md.mesh.geometry.x[nodes.ravel()] if len(nodes) else np.zeros((0, 3))
    x = np.concatenate(COMM.allgather(x))
    return np.unique(np.round(x, 15), axis=0)


@pytest.mark.parametrize("key", list(CONFIGS))
def test_mesh_measures_and_quality(key, mesh):
    """Every group non-empty, measures within 1 % of the closed forms (module docstring),
    quality > 0.1, regions as declared."""
    md, p = mesh(key), CONFIGS[key]
    errors = check_mesh(md, p)
    assert set(errors) == set(p.expected_measures())
    assert md.variant == p.variant and md.mesh.geometry.dim == p.gdim


@pytest.mark.parametrize("key", list(CONFIGS))
def test_names_axis_centre(key, mesh):
    md, p = mesh(key), CONFIGS[key]
    np.testing.assert_array_equal(md.centre, np.zeros(3))
    np.testing.assert_allclose(md.axis, [0.0, 0.0, 1.0])
    surfaces = set(md.facet_names)
    if isinstance(p, NanowireParams):
        want = {"outer_surface"}
        want |= {"inner_surface"} if p.inner_radius > 0 else set()
        want |= {"interface"} if p.coating_thickness > 0 else set()
        want |= {"end_surface"} if p.gdim == 3 else set()
        want |= {"symmetry_x", "symmetry_y", "symmetry_z"} if p.variant == "quarter" else set()
        assert md.cell_names == ({"wire": 1, "coating": 2} if p.coating_thickness > 0 else {"wire": 1})
        entry = (("outer_surface", "coating"), ("interface", "wire")) if p.coating_thickness > 0 else \
            (("outer_surface", "wire"),)
        assert md.li_entry == entry
    else:
        want = {"wire_surface", "tube_inner", "tube_outer"}
        want |= {"wire_end", "tube_end"} if p.gdim == 3 else set()
        want |= {"symmetry_x", "symmetry_z"} if p.variant == "half" else set()
        assert md.cell_names == {"wire": 1, "tube": 2}
        assert md.li_entry[0] == ("wire_surface", "wire")
    assert surfaces == want


def test_coordinates_in_metres(mesh):
    md = mesh("wire_quarter")
    x = md.mesh.geometry.x
    r = COMM.allreduce(np.linalg.norm(x[:, :2], axis=1).max() if len(x) else 0.0, op=MPI.MAX)
    z = COMM.allreduce(x[:, 2].max() if len(x) else 0.0, op=MPI.MAX)
    assert r == pytest.approx(W.radius, rel=1e-6)
    assert z == pytest.approx(W.length / 2, rel=1e-9)


@pytest.mark.parametrize("key", ["wire_quarter", "tube_quarter", "in_tube_half"])
def test_planes(key, mesh):
    """Symmetry groups lie on their planes through the origin, end faces at z = length/2."""
    md, p = mesh(key), CONFIGS[key]
    tol = 1e-9 * p.length_scale()
    for name in md.facet_names:
        if name.startswith("symmetry_"):
            x = gather_points(md, name)
            assert np.abs(x[:, "xyz".index(name[-1])]).max() < tol, name
        elif name.endswith("_end") or name == "end_surface":
            x = gather_points(md, name)
            assert np.abs(x[:, 2] - p.length / 2).max() < tol, name


@pytest.mark.parametrize("key", [k for k in CONFIGS if not k.endswith(("quarter", "half"))])
def test_support_points_are_vertices(key, mesh):
    """Full variants: 3-2-1 supports (origin, x_axis parallel to x, all in z = 0); plane
    strain: origin and x_axis; wire in tube: the supports in the tube wall and wire_centre
    (plane strain: also wire_above, half a wire radius above wire_centre)."""
    md, p = mesh(key), CONFIGS[key]
    names = {"origin", "x_axis"} | ({"y_axis"} if p.gdim == 3 else set())
    names |= {"wire_centre"} if isinstance(p, NanowireInTubeParams) else set()
    names |= {"wire_above"} if isinstance(p, NanowireInTubeParams) and p.gdim == 2 else set()
    assert set(md.points) == names
    pts = md.points
    d = pts["x_axis"] - pts["origin"]
    assert abs(d[1]) < 1e-15 and abs(d[2]) < 1e-15 and d[0] > 0
    for q in pts.values():
        assert q[2] == 0.0
    x = md.mesh.geometry.x
    for name, q in pts.items():
        dist = np.linalg.norm(x - q, axis=1).min() if len(x) else np.inf
        assert COMM.allreduce(dist, op=MPI.MIN) < 1e-9 * p.length_scale(), name
    if isinstance(p, NanowireInTubeParams):  # supports in the tube wall, wire_centre on the wire axis
        rm = (p.tube_inner_radius + p.tube_outer_radius) / 2
        for name in names - {"wire_centre", "wire_above"}:
            assert np.linalg.norm(pts[name][:2]) == pytest.approx(rm)
        np.testing.assert_allclose(pts["wire_centre"], [0.0, -p.offset(), 0.0])
        if "wire_above" in names:
            np.testing.assert_allclose(pts["wire_above"], [0.0, -p.offset() + p.wire_radius / 2, 0.0], atol=1e-12 * rm)


@pytest.mark.parametrize("key", IN_TUBE)
def test_contact_pair_gap_and_facing(key, mesh):
    """The closest vertices of wire_surface and tube_inner are the requested gap apart and
    their outward normals face each other."""
    md, p = mesh(key), CONFIGS[key]
    (pair,) = md.contact_pairs
    assert (pair.name, pair.surface_a, pair.surface_b) == ("wire_tube", "wire_surface", "tube_inner")
    assert pair.gap == pytest.approx(p.tube_inner_radius - p.wire_radius - abs(p.offset()), abs=1e-18)
    assert pair.gap >= 0
    geo = contact_geometry(md, pair)
    assert geo["min_distance"] == pytest.approx(pair.gap, abs=1e-3 * p.length_scale())
    assert geo["normal_dot"] < -0.9


@pytest.mark.parametrize("key", [k for k in IN_TUBE if CONFIGS[k].gdim == 3])
def test_contact_line_on_both_surfaces(key, mesh):
    """The closest line (x = 0, on the touching side) carries the same equally spaced
    vertices on both surfaces, every h_contact or closer."""
    md, p = mesh(key), CONFIGS[key]
    lines = []
    for name, y in (("wire_surface", -p.offset() - p.wire_radius), ("tube_inner", -p.tube_inner_radius)):
        x = gather_points(md, name)
        on = x[(np.abs(x[:, 0]) < 1e-9 * p.length_scale()) & (np.abs(x[:, 1] - y) < 1e-9 * p.length_scale())]
        lines.append(np.sort(on[:, 2]))
    lz = p.length / 2 if p.variant == "half" else p.length
    assert len(lines[0]) == len(lines[1]) >= math.ceil(lz / p.h_contact) + 1
    np.testing.assert_allclose(lines[0], lines[1], atol=1e-9 * p.length_scale())
    assert np.diff(lines[0]).max() <= p.h_contact * (1 + 1e-9)


@pytest.mark.parametrize("key", IN_TUBE)
def test_bodies_disconnected(key, mesh):
    """The wire and the tube share no mesh vertex (two separate bodies)."""
    md = mesh(key)
    tdim = md.mesh.topology.dim
    md.mesh.topology.create_connectivity(tdim, 0)
    c2v = md.mesh.topology.connectivity(tdim, 0)
    verts = [set(np.concatenate([c2v.links(c) for c in md.cells(n)])) if len(md.cells(n)) else set()
             for n in ("wire", "tube")]
    assert not verts[0] & verts[1]


@pytest.mark.parametrize("key", ["wire_quarter", "in_tube_half"])
def test_deterministic(key, mesh):
    assert fingerprint(build(CONFIGS[key])) == fingerprint(mesh(key))


@pytest.mark.parametrize("index", range(len(NanowireParams.range_examples())))
def test_nanowire_range_examples(index):
    p = NanowireParams.range_examples()[index]
    check_mesh(build_nanowire(COMM, p), p)


@pytest.mark.parametrize("index", range(len(NanowireInTubeParams.range_examples())))
def test_nanowire_in_tube_range_examples(index):
    p = NanowireInTubeParams.range_examples()[index]
    md = build_nanowire_in_tube(COMM, p)
    check_mesh(md, p)
    geo = contact_geometry(md, md.contact_pairs[0])
    assert geo["min_distance"] == pytest.approx(p.gap(), abs=1e-3 * p.length_scale())
    assert geo["normal_dot"] < -0.9


def test_offset_and_gap():
    """Unset wire_offset is the touching state; the gap follows from the offset."""
    assert T.offset() == pytest.approx(T.tube_inner_radius - T.wire_radius)
    assert T.gap() == 0.0
    p = dataclasses.replace(T, contact_gap=3 * NM)
    assert p.offset() == pytest.approx(7 * NM) and p.gap() == pytest.approx(3 * NM)
    p = dataclasses.replace(T, wire_offset=-4 * NM)
    assert p.gap() == pytest.approx(6 * NM) and p.contact_pairs()[0].gap == pytest.approx(6 * NM)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(radius=5e-10), "radius"),
        (dict(radius=2e-4), "radius"),
        (dict(inner_radius=-1 * NM), "inner_radius"),
        (dict(inner_radius=50 * NM), "inner_radius"),  # no wall left
        (dict(inner_radius=60 * NM), "inner_radius"),
        (dict(coating_thickness=-1 * NM), "coating_thickness"),
        (dict(coating_thickness=600 * NM), "coating_thickness"),
        (dict(length=0.0), "length"),
        (dict(length=2e-3), "length"),
        (dict(h_fine=0.0), "h_fine"),
        (dict(h_fine=float("nan")), "h_fine"),
        (dict(h_coarse=-1 * NM), "h_coarse"),
        (dict(h_fine=14 * NM), "h_fine"),  # > h_coarse
        (dict(h_fine=11 * NM), "h_fine"),  # > radius/5
        (dict(inner_radius=48 * NM), "h_fine"),  # 2 nm wall thinner than h_fine
        (dict(inner_radius=10 * NM), "h_fine"),  # bore: h_fine > inner_radius/5
        (dict(coating_thickness=2 * NM), "h_fine"),  # coating thinner than h_fine
        (dict(length=15 * NM), "h_fine"),  # length < 4 h_fine (3D)
        (dict(h_coarse=30 * NM), "h_coarse"),  # > outer radius/2
        (dict(variant="half"), "variant"),
    ],
)
def test_nanowire_bad_parameters(kwargs, key):
    params = dataclasses.replace(W, **kwargs)
    with pytest.raises(CaseError) as info:
        params.validate()  # not build_nanowire: a missed check could mesh millions of cells
    assert info.value.key == f"geometry.{key}"
    assert info.value.accepted


def test_nanowire_too_many_cells():
    p = NanowireParams(radius=10e-6, length=1e-3, h_coarse=2e-6, h_fine=0.15e-6)
    with pytest.raises(CaseError) as info:
        p.validate()
    assert info.value.key in ("geometry.h_fine", "geometry.h_coarse")
    assert "cells" in str(info.value)


def test_nanowire_short_plane_strain_is_valid():
    """length only limits h_fine in 3D: a 2D section ignores it."""
    dataclasses.replace(W, length=15 * NM, variant="plane_strain").validate()


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(tube_inner_radius=0.5 * NM), "tube_inner_radius"),
        (dict(tube_inner_radius=2e-4), "tube_inner_radius"),
        (dict(tube_outer_radius=30 * NM), "tube_outer_radius"),  # no wall
        (dict(tube_outer_radius=301 * NM), "tube_outer_radius"),  # > 10 * tube_inner_radius
        (dict(wire_radius=31 * NM), "wire_radius"),  # does not fit the bore
        (dict(wire_radius=1 * NM), "wire_radius"),  # < tube_inner_radius/20
        (dict(wire_radius=float("inf")), "wire_radius"),
        (dict(wire_offset=10.5 * NM), "wire_offset"),  # pierces the tube wall
        (dict(wire_offset=-11 * NM), "wire_offset"),
        (dict(wire_offset=float("nan")), "wire_offset"),
        (dict(contact_gap=-1 * NM), "contact_gap"),  # negative gap
        (dict(contact_gap=10.5 * NM), "contact_gap"),  # wire beyond the far wall
        (dict(wire_offset=5 * NM, contact_gap=2 * NM), "contact_gap"),  # contradicts the offset
        (dict(length=0.0), "length"),
        (dict(h_contact=0.0), "h_contact"),
        (dict(h_contact=float("nan")), "h_contact"),
        (dict(h_contact=4 * NM), "h_contact"),  # > h_fine
        (dict(h_contact=1e-13), "h_contact"),  # millions of cells along the line
        (dict(h_fine=5 * NM), "h_fine"),  # > wire_radius/5
        (dict(tube_outer_radius=32 * NM), "h_fine"),  # 2 nm tube wall thinner than h_fine
        (dict(length=10 * NM), "h_fine"),  # length < 4 h_fine (3D)
        (dict(h_fine=9 * NM, h_coarse=8 * NM), "h_fine"),
        (dict(h_coarse=25 * NM), "h_coarse"),  # > tube_outer_radius/2
        (dict(variant="quarter"), "variant"),
    ],
)
def test_nanowire_in_tube_bad_parameters(kwargs, key):
    params = dataclasses.replace(T, **kwargs)
    with pytest.raises(CaseError) as info:
        params.validate()
    assert info.value.key == f"geometry.{key}"
    assert info.value.accepted


def test_build_validates_first():
    with pytest.raises(CaseError) as info:
        build_nanowire_in_tube(COMM, dataclasses.replace(T, wire_radius=40 * NM))
    assert info.value.key == "geometry.wire_radius"
    with pytest.raises(CaseError, match=r"geometry\.inner_radius"):
        build_nanowire(COMM, dataclasses.replace(W, inner_radius=W.radius))


def test_validate_prefix():
    with pytest.raises(CaseError, match=r"wires\[1\]\.wire_offset"):
        dataclasses.replace(T, wire_offset=20 * NM).validate(prefix="wires[1]")
