"""Composite cell (particle in a solid-electrolyte cube) and cluster of touching spheres.

Runs on any number of MPI ranks (``mpirun -n 2 python3 -m pytest tests/test_geometry_composite_cluster.py``);
every check of ``geometry_checks`` is collective. Analytic values: ``expected_measures()`` of
the params (ball volumes 4/3 pi r^3, sphere areas 4 pi r^2, cube a^3 and faces a^2, scaled by
1/8 in the octant; axisymmetric: half-disc areas pi r^2/2, half-circle lengths pi r, the
rectangle a/2 x a of the cylindrical cell's half-section), and the arrangement geometry
of :mod:`anodemech.geometry.cluster` (neighbours exactly 2 r + gap apart).
"""

import math

import numpy as np
import pytest
from mpi4py import MPI

import dolfinx

from anodemech.errors import CaseError
from anodemech.geometry.cluster import ClusterParams, build_cluster, regular_centres
from anodemech.geometry.composite import CompositeCellParams, build_composite_cell

from geometry_checks import check_mesh, contact_geometry, fingerprint, measure

COMM = MPI.COMM_WORLD
NM = 1e-9

# ---------------------------------------------------------------- composite cell builds
COMPOSITE = {
    "octant": CompositeCellParams(),
    "full": CompositeCellParams(variant="full"),
    "axisymmetric": CompositeCellParams(variant="axisymmetric"),
    # contact: coincident surfaces (gap 0), a coated particle with a gap, a coated 2D cell
    "contact_octant": CompositeCellParams(interface="contact"),
    "contact_full": CompositeCellParams(coating_thickness=10 * NM, cell_size=300 * NM, interface="contact", gap=10 * NM,
                                        h_fine=10 * NM, h_coarse=30 * NM, variant="full"),
    "contact_axisymmetric": CompositeCellParams(coating_thickness=10 * NM, cell_size=300 * NM, interface="contact",
                                                variant="axisymmetric"),
    "coated_octant": CompositeCellParams(coating_thickness=20 * NM, cell_size=300 * NM),
}
CLUSTER = {
    "default": ClusterParams(),
    "random": ClusterParams(n_particles=3, packing="random", seed=5, gap=5 * NM),
}


@pytest.fixture(scope="module")
def composite():
    """All composite builds, once per module (built lazily by key)."""
    cache = {}

    def get(key):
        if key not in cache:
            cache[key] = build_composite_cell(COMM, COMPOSITE[key])
        return cache[key]

    return get


@pytest.fixture(scope="module")
def cluster():
    cache = {}

    def get(key):
        if key not in cache:
            cache[key] = build_cluster(COMM, CLUSTER[key])
        return cache[key]

    return get


def _vertex_gids(md, region_names):
    """Global vertex indices of the cells of the given regions, gathered on all ranks."""
    mesh = md.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim, 0)
    c2v = mesh.topology.connectivity(tdim, 0)
    cells = np.concatenate([md.cells(n) for n in region_names])
    local = np.unique(np.concatenate([c2v.links(c) for c in cells])) if len(cells) else np.zeros(0, dtype=np.int32)
    gids = mesh.topology.index_map(0).local_to_global(local.astype(np.int32))
    return set(np.concatenate(COMM.allgather(gids)).tolist())


def _is_interior(md, surface):
    """True if some facet of ``surface`` has two cells (an interface inside one body)."""
    mesh = md.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    return COMM.allreduce(any(len(f2c.links(f)) == 2 for f in md.facets(surface)), op=MPI.LOR)


def _is_vertex(md, x, region):
    """True if ``x`` [m] is a vertex of a cell of ``region``."""
    mesh = md.mesh
    scale = COMM.allreduce(float(np.abs(mesh.geometry.x).max()), op=MPI.MAX)
    cells = md.cells(region)
    if len(cells):  # entities_to_geometry fails on an empty list (DOLFINx 0.9)
        coords = mesh.geometry.x[dolfinx.mesh.entities_to_geometry(mesh, mesh.topology.dim, cells, False).ravel()]
        d = float(np.linalg.norm(coords - x, axis=1).min())
    else:
        d = math.inf
    return COMM.allreduce(d, op=MPI.MIN) < 1e-9 * scale


# ======================================================================== composite cell
@pytest.mark.parametrize("key", list(COMPOSITE))
def test_composite_mesh(composite, key):
    """Groups non-empty, measures = expected_measures() within 1 %, quality > 0.1."""
    p = COMPOSITE[key]
    md = composite(key)
    check_mesh(md, p)
    assert set(md.cell_names) == set(p.regions())
    expected_surfaces = set(p.sphere_surfaces()) | set(p.face_names())
    assert set(md.facet_names) == expected_surfaces
    assert md.variant == p.variant
    np.testing.assert_array_equal(md.centre, np.zeros(3))
    assert md.axis is None


def test_composite_names():
    """The documented group names of each variant / interface."""
    assert COMPOSITE["octant"].VARIANTS == ("octant", "full", "axisymmetric")
    assert set(COMPOSITE["octant"].face_names()) == {"top", "side_xmax", "side_ymax", "symmetry_x", "symmetry_y",
                                                      "symmetry_z"}
    assert set(COMPOSITE["full"].face_names()) == {"top", "bottom", "side_xmin", "side_xmax", "side_ymin", "side_ymax"}
    assert set(COMPOSITE["axisymmetric"].face_names()) == {"top", "bottom", "side", "axis"}
    assert set(COMPOSITE["octant"].sphere_surfaces()) == {"interface"}
    assert set(COMPOSITE["contact_full"].sphere_surfaces()) == {"coating_interface", "particle_surface",
                                                                "electrolyte_inner"}
    assert COMPOSITE["coated_octant"].regions() == ("particle", "coating", "electrolyte")


@pytest.mark.parametrize("key", ["octant", "full", "axisymmetric", "coated_octant"])
def test_composite_bonded_interface_is_shared(composite, key):
    """Bonded: the interface facets lie inside one connected body (two cells each)."""
    md = composite(key)
    assert _is_interior(md, "interface")
    assert not COMPOSITE[key].contact_pairs()
    assert md.li_entry[0] == (("interface", "coating") if key == "coated_octant" else ("interface", "particle"))


@pytest.mark.parametrize("key", ["contact_octant", "contact_full", "contact_axisymmetric"])
def test_composite_contact_bodies_are_separate(composite, key):
    """Contact: particle and electrolyte share no vertex (DOLFINx did not merge the
    coincident surfaces); both contact surfaces are exterior facets."""
    p = COMPOSITE[key]
    md = composite(key)
    inner = [n for n in p.regions() if n != "electrolyte"]
    assert not (_vertex_gids(md, inner) & _vertex_gids(md, ["electrolyte"]))
    assert not _is_interior(md, "particle_surface")
    assert not _is_interior(md, "electrolyte_inner")
    assert md.li_entry[0][0] == "particle_surface"


@pytest.mark.parametrize("key", ["contact_octant", "contact_full", "contact_axisymmetric"])
def test_composite_contact_pair(composite, key):
    """The pair's surfaces are ``gap`` apart (gap 0: coincident vertices) and face each other."""
    p = COMPOSITE[key]
    md = composite(key)
    (pair,) = md.contact_pairs
    assert (pair.name, pair.surface_a, pair.surface_b, pair.gap) == ("particle_electrolyte", "particle_surface",
                                                                    "electrolyte_inner", p.gap)
    geo = contact_geometry(md, pair)
    assert geo["min_distance"] == pytest.approx(p.gap, abs=1e-3 * p.length_scale())
    assert geo["normal_dot"] < -0.9


def test_composite_contact_surfaces_match(composite):
    """Gap 0: the cavity mesh copies the particle-surface mesh (equal areas, to rounding)."""
    md = composite("contact_octant")
    assert measure(md, "electrolyte_inner") == pytest.approx(measure(md, "particle_surface"), rel=1e-9)


@pytest.mark.parametrize("key", ["full", "contact_full"])
def test_composite_supports(composite, key):
    """Full cells: 3-2-1 supports are vertices of the particle (and, for contact, of the electrolyte)."""
    p = COMPOSITE[key]
    md = composite(key)
    r = p.radius
    np.testing.assert_allclose(md.points["origin"], [0, 0, 0], atol=1e-15)
    np.testing.assert_allclose(md.points["x_axis"], [r / 2, 0, 0])
    np.testing.assert_allclose(md.points["y_axis"], [0, r / 2, 0])
    for name in ("origin", "x_axis", "y_axis"):
        assert _is_vertex(md, md.points[name], "particle")
    if p.interface == "contact":
        for name in ("matrix_origin", "matrix_x_axis", "matrix_y_axis"):
            assert _is_vertex(md, md.points[name], "electrolyte")
        assert md.points["matrix_x_axis"][0] - md.points["matrix_origin"][0] > 0
    else:
        assert set(md.points) == {"origin", "x_axis", "y_axis"}


def test_composite_deterministic(composite):
    again = build_composite_cell(COMM, COMPOSITE["contact_octant"])
    assert fingerprint(again) == fingerprint(composite("contact_octant"))


@pytest.mark.parametrize("index", range(len(CompositeCellParams.range_examples())))
def test_composite_range_examples(index):
    p = CompositeCellParams.range_examples()[index]
    md = build_composite_cell(COMM, p)
    check_mesh(md, p)
    for pair in md.contact_pairs:
        geo = contact_geometry(md, pair)
        assert geo["min_distance"] == pytest.approx(pair.gap, abs=1e-3 * p.length_scale())
        assert geo["normal_dot"] < -0.9


COMPOSITE_BAD = [
    (dict(variant="half"), "geometry.variant"),
    (dict(interface="glued"), "geometry.interface"),
    (dict(radius=5e-10), "geometry.radius"),
    (dict(radius=2e-4), "geometry.radius"),
    (dict(coating_thickness=-1 * NM), "geometry.coating_thickness"),
    (dict(coating_thickness=2e-6), "geometry.coating_thickness"),
    (dict(gap=-1 * NM, interface="contact"), "geometry.gap"),
    (dict(gap=5 * NM), "geometry.gap"),  # a gap with a bonded interface
    (dict(gap=150 * NM, interface="contact", cell_size=1e-6), "geometry.gap"),  # gap > radius
    (dict(cell_size=200 * NM), "geometry.cell_size"),  # the particle (200 nm) does not fit
    (dict(cell_size=250 * NM, interface="contact", gap=20 * NM), "geometry.cell_size"),  # nor with the gap
    (dict(cell_size=250 * NM, coating_thickness=20 * NM), "geometry.cell_size"),  # nor with the coating
    (dict(cell_size=6e-6), "geometry.cell_size"),  # > 50 radii
    (dict(cell_size=float("nan")), "geometry.cell_size"),
    (dict(h_fine=0.0), "geometry.h_fine"),
    (dict(h_fine=25 * NM, h_coarse=20 * NM), "geometry.h_fine"),
    (dict(h_fine=15 * NM), "geometry.h_fine"),  # > half the 25 nm ligament
    (dict(coating_thickness=5 * NM, cell_size=300 * NM), "geometry.h_fine"),  # > coating
    (dict(h_coarse=70 * NM), "geometry.h_coarse"),  # > cell_size/4
    (dict(radius=1e-4, cell_size=1e-3, h_fine=0.5e-6, h_coarse=2e-5, variant="full"), "geometry.h_fine"),  # cells
]


@pytest.mark.parametrize("kwargs, key", COMPOSITE_BAD)
def test_composite_bad_parameters(kwargs, key):
    """Each impossible combination fails before Gmsh, naming the field and the range."""
    params = CompositeCellParams(**{**CompositeCellParams().__dict__, **kwargs})
    with pytest.raises(CaseError) as info:
        params.validate()
    assert info.value.key == key
    assert info.value.accepted


def test_composite_cell_size_error_names_minimum():
    with pytest.raises(CaseError) as info:
        CompositeCellParams(cell_size=200 * NM).validate()
    assert "minimum cell_size is 2.2e-07 m" in str(info.value)


def test_composite_build_validates_first():
    with pytest.raises(CaseError, match=r"geometry\.cell_size"):
        build_composite_cell(COMM, CompositeCellParams(cell_size=100 * NM))


def test_composite_validate_prefix():
    with pytest.raises(CaseError, match=r"cells\[1\]\.gap"):
        CompositeCellParams(gap=1 * NM).validate(prefix="cells[1]")


# ======================================================================== cluster
NEIGHBOURS = {2: 1, 3: 3, 4: 6, 5: 9, 6: 12, 7: 15, 8: 12}


@pytest.mark.parametrize("n", range(2, 9))
@pytest.mark.parametrize("gap", [0.0, 0.3])
def test_regular_arrangements(n, gap):
    """Regular arrangements (no meshing): the documented number of touching pairs, all
    exactly 2 + gap apart, no overlaps, one connected cluster, sphere 1 at the origin."""
    p = ClusterParams(radius=1.0, n_particles=n, gap=gap, h_coarse=0.5, h_fine=0.3, h_contact=0.1)
    c = p.centres()
    pairs = p.neighbours()
    assert len(pairs) == NEIGHBOURS[n]
    np.testing.assert_array_equal(c[0], 0.0)
    d = np.linalg.norm(c[:, None] - c[None], axis=2)
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) in pairs:
                assert d[i, j] == pytest.approx(2 + gap, rel=1e-12)
            else:
                assert d[i, j] > 2 + gap + 0.1  # clearly apart (pentagonal bipyramid: +0.103 (2 + gap))
    reached, todo = {0}, [0]
    while todo:
        k = todo.pop()
        for i, j in pairs:
            for a, b in ((i, j), (j, i)):
                if a == k and b not in reached:
                    reached.add(b)
                    todo.append(b)
    assert reached == set(range(n))


def test_regular_centres_range():
    with pytest.raises(ValueError):
        regular_centres(9, 2.0)


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_random_arrangement(seed):
    """Random aggregate: deterministic for a seed, a tree of N - 1 contacts, clearance r/4."""
    kw = dict(radius=1.0, n_particles=8, gap=0.1, packing="random", h_coarse=0.5, h_fine=0.3, h_contact=0.1)
    p = ClusterParams(seed=seed, **kw)
    c = p.centres()
    np.testing.assert_array_equal(c, ClusterParams(seed=seed, **kw).centres())
    assert not np.allclose(c, ClusterParams(seed=seed + 1, **kw).centres())
    pairs = p.neighbours()
    assert len(pairs) == 7
    assert all(i < j for i, j in pairs)
    assert {j for _, j in pairs} == set(range(1, 8))  # every later sphere touches an earlier one
    d = np.linalg.norm(c[:, None] - c[None], axis=2)
    for i in range(8):
        for j in range(i + 1, 8):
            if (i, j) not in pairs:
                assert d[i, j] >= 2.1 + 0.25 - 1e-12


@pytest.mark.parametrize("key", list(CLUSTER))
def test_cluster_mesh(cluster, key):
    """Groups, N sphere volumes and areas within 1 %, quality; names and supports."""
    p = CLUSTER[key]
    md = cluster(key)
    check_mesh(md, p)
    n = p.n_particles
    assert list(md.cell_names) == [f"particle_{k + 1}" for k in range(n)]
    assert list(md.facet_names) == [f"surface_{k + 1}" for k in range(n)]
    assert md.variant == "full" and md.axis is None
    np.testing.assert_allclose(md.centre, p.centres()[0])
    assert set(md.points) == {"origin", "x_axis", "y_axis"}
    for name in md.points:
        assert _is_vertex(md, md.points[name], "particle_1")
    np.testing.assert_allclose(md.points["x_axis"] - md.points["origin"], [p.radius / 2, 0, 0], atol=1e-12 * p.radius)
    assert md.li_entry[0] == ("surface_1", "particle_1")
    for k in range(n):  # separate bodies: no facet of a sphere surface is shared
        assert not _is_interior(md, f"surface_{k + 1}")


@pytest.mark.parametrize("key", list(CLUSTER))
def test_cluster_contacts(cluster, key):
    """One pair per touching neighbour pair; closest vertices ``gap`` apart, facing each other,
    and each contact point is a vertex of both spheres."""
    p = CLUSTER[key]
    md = cluster(key)
    pairs = p.neighbours()
    assert [c.name for c in md.contact_pairs] == [f"p{i + 1}_p{j + 1}" for i, j in pairs]
    c = p.centres()
    for pair, (i, j) in zip(md.contact_pairs, pairs):
        assert (pair.surface_a, pair.surface_b, pair.gap) == (f"surface_{i + 1}", f"surface_{j + 1}", p.gap)
        geo = contact_geometry(md, pair)
        assert geo["min_distance"] == pytest.approx(p.gap, abs=1e-3 * p.radius)
        assert geo["normal_dot"] < -0.9
        u = (c[j] - c[i]) / np.linalg.norm(c[j] - c[i])
        assert _is_vertex(md, c[i] + p.radius * u, f"particle_{i + 1}")
        assert _is_vertex(md, c[j] - p.radius * u, f"particle_{j + 1}")


def test_cluster_default_is_tetrahedron():
    p = ClusterParams()
    assert (p.n_particles, p.packing, p.gap, p.VARIANTS) == (4, "regular", 0.0, ("full",))
    assert len(p.contact_pairs()) == 6


def test_cluster_deterministic(cluster):
    again = build_cluster(COMM, CLUSTER["random"])
    assert fingerprint(again) == fingerprint(cluster("random"))


@pytest.mark.parametrize("index", range(len(ClusterParams.range_examples())))
def test_cluster_range_examples(index):
    p = ClusterParams.range_examples()[index]
    md = build_cluster(COMM, p)
    check_mesh(md, p)
    for pair in md.contact_pairs:
        geo = contact_geometry(md, pair)
        assert geo["min_distance"] == pytest.approx(pair.gap, abs=1e-3 * p.radius)
        assert geo["normal_dot"] < -0.9


CLUSTER_BAD = [
    (dict(variant="octant"), "geometry.variant"),
    (dict(n_particles=1), "geometry.n_particles"),
    (dict(n_particles=9), "geometry.n_particles"),
    (dict(n_particles=2.5), "geometry.n_particles"),
    (dict(n_particles=True), "geometry.n_particles"),
    (dict(packing="hexagonal"), "geometry.packing"),
    (dict(seed=-1), "geometry.seed"),
    (dict(seed=1.5), "geometry.seed"),
    (dict(radius=5e-10), "geometry.radius"),
    (dict(radius=2e-4), "geometry.radius"),
    (dict(gap=-1 * NM), "geometry.gap"),
    (dict(gap=60 * NM), "geometry.gap"),  # > radius
    (dict(h_contact=0.0), "geometry.h_contact"),
    (dict(h_contact=8 * NM), "geometry.h_contact"),  # > h_fine
    (dict(h_fine=20 * NM, h_coarse=25 * NM), "geometry.h_fine"),  # > radius/3
    (dict(h_fine=10 * NM, h_coarse=8 * NM), "geometry.h_fine"),  # > h_coarse
    (dict(h_coarse=30 * NM), "geometry.h_coarse"),  # > radius/2
    (dict(n_particles=8, h_fine=0.2 * NM, h_contact=0.1 * NM), "geometry.h_fine"),  # too many cells
]


@pytest.mark.parametrize("kwargs, key", CLUSTER_BAD)
def test_cluster_bad_parameters(kwargs, key):
    """Each impossible combination fails before Gmsh, naming the field and the range."""
    params = ClusterParams(**{**ClusterParams().__dict__, **kwargs})
    with pytest.raises(CaseError) as info:
        params.validate()
    assert info.value.key == key
    assert info.value.accepted


def test_cluster_build_validates_first():
    with pytest.raises(CaseError, match=r"geometry\.n_particles"):
        build_cluster(COMM, ClusterParams(n_particles=12))


def test_cluster_validate_prefix():
    with pytest.raises(CaseError, match=r"clusters\[0\]\.gap"):
        ClusterParams(gap=-1.0).validate(prefix="clusters[0]")


def test_measures_formulas():
    """expected_measures() against hand-written formulas for one case of each builder."""
    p = CompositeCellParams(coating_thickness=10 * NM, cell_size=300 * NM, interface="contact", gap=10 * NM)
    m = p.expected_measures()
    assert m["electrolyte"] == pytest.approx(((300e-9) ** 3 - 4 / 3 * math.pi * (120e-9) ** 3) / 8)
    assert m["symmetry_x"] == pytest.approx((150e-9) ** 2 - math.pi / 4 * ((120e-9) ** 2 - (110e-9) ** 2))
    a = CompositeCellParams(interface="contact", gap=10 * NM, cell_size=300 * NM,
                            variant="axisymmetric").expected_measures()
    assert a["axis"] == pytest.approx(280e-9) and a["side"] == pytest.approx(300e-9)
    c = ClusterParams(n_particles=3).expected_measures()
    assert c["particle_3"] == pytest.approx(4 / 3 * math.pi * (50e-9) ** 3)
    assert c["surface_2"] == pytest.approx(4 * math.pi * (50e-9) ** 2)
