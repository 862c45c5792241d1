"""Yolk-shell geometry (Si@void@C): every variant, yolk position and void mode meshes with
analytic measures, the contact pair has the requested gap with facing surfaces, the two
bodies of an empty void are disconnected, named points are mesh vertices, builds are
deterministic, the ends of the documented range mesh, and impossible parameters raise
CaseError naming the field.

Analytic values: a sphere of radius a has volume 4/3 pi a^3 and area 4 pi a^2 (quarter:
x 1/4, octant: x 1/8); the shell is the difference of the outer and cavity balls, a meshed
void the cavity ball minus the yolk ball (the yolk lies inside the cavity). Symmetry planes
through the z-axis cut every body in half discs / annuli (pi a^2 / 2), the octant's planes
in quarter discs. Axisymmetric: half discs (pi a^2 / 2), half circles (pi a), and the axis
covers the yolk (2 r) and the shell wall twice (2 t), or the whole diameter with a meshed
void. The minimum gap lies on the z-axis at the cavity bottom: void_thickness - |z_yolk|.

Runs on any number of MPI ranks (``mpirun -n 2 python3 -m pytest tests/test_geometry_yolk_shell.py``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from mpi4py import MPI

import dolfinx

from anodemech.errors import CaseError
from anodemech.geometry.base import params_fields
from anodemech.geometry.yolk_shell import YolkShellParams, build_yolk_shell

from geometry_checks import check_mesh, contact_geometry, facet_nodes, fingerprint

COMM = MPI.COMM_WORLD
NM = 1e-9
P = YolkShellParams()
R, V, T = P.yolk_radius, P.void_thickness, P.shell_thickness
RC, RO = R + V, R + V + T

CONFIGS = {
    # every variant at the defaults (centred yolk, empty void)
    "quarter": P,
    "full": dataclasses.replace(P, variant="full"),
    "axisymmetric": dataclasses.replace(P, variant="axisymmetric"),
    "octant": dataclasses.replace(P, variant="octant"),
    # a resting yolk: point contact at the cavity bottom (gap 0); the full one coarser (cheaper)
    "resting_quarter": dataclasses.replace(P, yolk_position="resting"),
    "resting_full": dataclasses.replace(P, yolk_position="resting", variant="full", h_fine=5 * NM, h_coarse=12 * NM),
    "resting_axisymmetric": dataclasses.replace(P, yolk_position="resting", variant="axisymmetric"),
    # an offset yolk: 10 nm gap at the bottom
    "offset_quarter": dataclasses.replace(P, yolk_position="offset", offset=14 * NM),
    "offset_axisymmetric": dataclasses.replace(P, yolk_position="offset", offset=14 * NM, variant="axisymmetric"),
    # meshed void (third medium); the full one coarser to stay cheap
    "meshed_quarter": dataclasses.replace(P, yolk_position="resting", contact_gap=1 * NM, void="meshed"),
    "meshed_axisymmetric": dataclasses.replace(P, yolk_position="resting", contact_gap=1 * NM, void="meshed",
                                               variant="axisymmetric"),
    "meshed_octant": dataclasses.replace(P, void="meshed", variant="octant"),
    "meshed_full": dataclasses.replace(P, yolk_position="offset", offset=20 * NM, void="meshed", variant="full",
                                       h_fine=5 * NM, h_coarse=12 * NM, h_contact=2 * NM),
}
NAMES = list(CONFIGS)


@pytest.fixture(scope="module")
def meshes():
    """Lazily built meshes, each built once per module (collective: every rank runs the
    same tests in the same order)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = build_yolk_shell(COMM, CONFIGS[name])
        return cache[name]

    return get


def vertices(md, surface):
    """Coordinates of the vertices of facet group ``surface``, gathered on every rank."""
    x = md.mesh.geometry.x[facet_nodes(md, md.facets(surface), owned=True).ravel()]
    return np.concatenate(COMM.allgather(x.reshape(-1, 3)))


def cell_vertices(md, region):
    """Global vertex indices of the owned cells of ``region``, gathered on every rank."""
    mesh = md.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim, 0)
    c2v = mesh.topology.connectivity(tdim, 0)
    cells = md.cells(region)
    cells = cells[cells < mesh.topology.index_map(tdim).size_local]
    local = np.unique(np.concatenate([c2v.links(c) for c in cells])) if len(cells) else np.zeros(0, dtype=np.int32)
    return set(np.concatenate(COMM.allgather(mesh.topology.index_map(0).local_to_global(local.astype(np.int32)))).tolist())


def facing(md, pair, region_a, region_b):
    """``n_a . n_b`` at the closest vertex pair, with each surface's normal pointing out of
    its own region. Works for interfaces too: ``geometry_checks.contact_geometry`` orients a
    facet out of its first adjacent cell, which on an interface (meshed void) may be the
    void cell (reported to the lead)."""
    from scipy.spatial import cKDTree

    mesh = md.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    ctag = np.full(mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts, -1)
    ctag[md.cell_tags.indices] = md.cell_tags.values
    x = mesh.geometry.x

    def oriented(surface, region):
        facets = md.facets(surface)
        facets = facets[facets < mesh.topology.index_map(tdim - 1).size_local]
        nodes = facet_nodes(md, facets)
        if not len(facets):
            vx, vn = np.zeros((0, 3)), np.zeros((0, 3))
        else:
            own = [next(c for c in f2c.links(f) if ctag[c] == md.cell_names[region]) for f in facets]
            cmid = x[dolfinx.mesh.entities_to_geometry(mesh, tdim, np.array(own, dtype=np.int32), False)].mean(axis=1)
            if tdim == 3:
                nrm = np.cross(x[nodes[:, 1]] - x[nodes[:, 0]], x[nodes[:, 2]] - x[nodes[:, 0]])
            else:
                t = x[nodes[:, 1]] - x[nodes[:, 0]]
                nrm = np.stack([t[:, 1], -t[:, 0], np.zeros(len(t))], axis=1)
            nrm[np.einsum("ij,ij->i", nrm, x[nodes].mean(axis=1) - cmid) < 0] *= -1
            vx, vn = x[nodes.ravel()], np.repeat(nrm, nodes.shape[1], axis=0)
        vx, vn = np.concatenate(COMM.allgather(vx)), np.concatenate(COMM.allgather(vn))
        _, inv = np.unique(np.round(vx / RO, 12), axis=0, return_inverse=True)
        inv = inv.ravel()
        ux, un = np.zeros((inv.max() + 1, 3)), np.zeros((inv.max() + 1, 3))
        ux[inv] = vx
        np.add.at(un, inv, vn)
        return ux, un / np.linalg.norm(un, axis=1)[:, None]

    xa, na = oriented(pair.surface_a, region_a)
    xb, nb = oriented(pair.surface_b, region_b)
    d, j = cKDTree(xb).query(xa)
    close = d <= d.min() + 1e-9 * RO
    return float(np.einsum("ij,ij->i", na[close], nb[j[close]]).mean())


# ------------------------------------------------------------------ meshes
@pytest.mark.parametrize("name", NAMES)
def test_mesh(meshes, name):
    """Groups non-empty, measures within 1 % of the analytic ones (module docstring),
    quality > 0.1, the expected group names."""
    p, md = CONFIGS[name], meshes(name)
    check_mesh(md, p)
    regions = {"yolk", "shell", "void"} if p.void == "meshed" else {"yolk", "shell"}
    planes = {"quarter": {"symmetry_x", "symmetry_y"}, "octant": {"symmetry_x", "symmetry_y", "symmetry_z"},
              "axisymmetric": {"axis"}, "full": set()}[p.variant]
    assert set(md.cell_names) == regions
    assert set(md.facet_names) == {"yolk_surface", "shell_inner", "outer_surface"} | planes
    assert md.mesh.geometry.dim == p.gdim and md.variant == p.variant
    rmax = COMM.allreduce(float(np.linalg.norm(md.mesh.geometry.x, axis=1).max()), op=MPI.MAX)
    assert rmax == pytest.approx(RO, rel=1e-6)  # metres


@pytest.mark.parametrize("name", NAMES)
def test_contact_pair(meshes, name):
    """The vertex distance between yolk_surface and shell_inner equals the pair's gap
    (void_thickness - |z_yolk|: the closest points are vertices on the z-axis), and the
    outward normals face each other there."""
    p, md = CONFIGS[name], meshes(name)
    (pair,) = md.contact_pairs
    assert (pair.name, pair.surface_a, pair.surface_b) == ("yolk_shell", "yolk_surface", "shell_inner")
    assert pair.gap >= 0 and pair.gap == pytest.approx(p.min_gap, abs=1e-15)
    cg = contact_geometry(md, pair)
    assert cg["min_distance"] == pytest.approx(pair.gap, abs=1e-3 * p.length_scale())
    assert facing(md, pair, "yolk", "shell") < -0.9
    if p.void == "empty":  # exterior surfaces: the shared check orients them correctly
        assert cg["normal_dot"] < -0.9


@pytest.mark.parametrize("name", [n for n in NAMES if CONFIGS[n].yolk_position != "centred"])
def test_closest_points_are_vertices(meshes, name):
    """``yolk_contact`` (0, 0, z_yolk - r) is a vertex of yolk_surface and ``shell_contact``
    (0, 0, -R_c) one of shell_inner (2D: (0, z, 0))."""
    p, md = CONFIGS[name], meshes(name)
    zy = p.yolk_centre_z - R
    want = {"yolk_contact": (zy, "yolk_surface"), "shell_contact": (-RC, "shell_inner")}
    for key, (z, surface) in want.items():
        xyz = np.array([0.0, z, 0.0] if p.gdim == 2 else [0.0, 0.0, z])
        np.testing.assert_allclose(md.points[key], xyz, atol=1e-12 * R)
        assert np.linalg.norm(vertices(md, surface) - xyz, axis=1).min() < 1e-9 * R


@pytest.mark.parametrize("name", ["quarter", "resting_full", "resting_axisymmetric", "meshed_quarter"])
def test_bodies(meshes, name):
    """Empty void: yolk and shell share no vertex (two bodies, even when touching). Meshed
    void: the void is bonded to both."""
    p, md = CONFIGS[name], meshes(name)
    yolk, shell = cell_vertices(md, "yolk"), cell_vertices(md, "shell")
    assert not yolk & shell
    if p.void == "meshed":
        void = cell_vertices(md, "void")
        assert yolk & void and shell & void


@pytest.mark.parametrize("name", ["full", "resting_full", "meshed_full"])
def test_full_supports(meshes, name):
    """3-2-1 supports of the shell at the mid-wall radius; with an empty void also the
    yolk's own (its centre and r/2 along x and y); all are mesh vertices of their body,
    x_axis - origin is along x and each triple lies in one plane z = const."""
    p, md = CONFIGS[name], meshes(name)
    rm, zy = (RC + RO) / 2, p.yolk_centre_z
    want = {"origin": ((-rm, 0, 0), "shell"), "x_axis": ((rm, 0, 0), "shell"), "y_axis": ((0, rm, 0), "shell")}
    if p.void == "empty":
        want.update(yolk_origin=((0, 0, zy), "yolk"), yolk_x_axis=((R / 2, 0, zy), "yolk"),
                    yolk_y_axis=((0, R / 2, zy), "yolk"))
    else:
        assert not any(k.startswith("yolk_origin") for k in md.points)
    x = md.mesh.geometry.x
    for key, (xyz, region) in want.items():
        np.testing.assert_allclose(md.points[key], xyz, atol=1e-12 * R)
        cells = md.cells(region)
        nodes = dolfinx.mesh.entities_to_geometry(md.mesh, 3, cells, False).ravel() if len(cells) else np.zeros(0, dtype=np.int32)
        d = np.linalg.norm(x[nodes] - np.array(xyz), axis=1).min() if len(nodes) else np.inf
        assert COMM.allreduce(d, op=MPI.MIN) < 1e-9 * R, key
    for a, b, c in (("origin", "x_axis", "y_axis"), ("yolk_origin", "yolk_x_axis", "yolk_y_axis")):
        if a in md.points:
            pa, pb, pc = md.points[a], md.points[b], md.points[c]
            assert pb[0] > pa[0] and pb[1] == pa[1] and pa[2] == pb[2] == pc[2]


@pytest.mark.parametrize("name", ["quarter", "meshed_axisymmetric"])
def test_centre_axis_li_entry(meshes, name):
    """The particle (shell) centre is the origin; no cylinder axis; Li enters a Li-storing
    yolk through its surface (electrolyte in the void), else the shell at its outer surface."""
    md = meshes(name)
    np.testing.assert_array_equal(md.centre, np.zeros(3))
    assert md.axis is None
    assert md.li_entry == (("yolk_surface", "yolk"), ("outer_surface", "shell"))


def test_deterministic(meshes):
    params = CONFIGS["resting_quarter"]
    assert fingerprint(build_yolk_shell(COMM, params)) == fingerprint(meshes("resting_quarter"))


@pytest.mark.parametrize("index", range(len(YolkShellParams.range_examples())))
def test_range_examples(index):
    """The ends of the documented range: 1 nm and 100 um yolks, thin and 10-radii voids and
    shells, the smallest meshable gap of a meshed void."""
    p = YolkShellParams.range_examples()[index]
    md = build_yolk_shell(COMM, p)
    check_mesh(md, p)
    cg = contact_geometry(md, md.contact_pairs[0])
    assert cg["min_distance"] == pytest.approx(p.min_gap, abs=1e-3 * p.length_scale())
    assert facing(md, md.contact_pairs[0], "yolk", "shell") < -0.9


# ------------------------------------------------------------------ parameters (no meshing)
def test_gap_and_measures_without_meshing():
    """Pair gap per position; quarter/octant measures are 1/4 and 1/8 of the full ones."""
    assert P.contact_pairs()[0].gap == pytest.approx(V)
    assert dataclasses.replace(P, yolk_position="offset", offset=10 * NM).contact_pairs()[0].gap == pytest.approx(V - 10 * NM)
    assert dataclasses.replace(P, yolk_position="resting", contact_gap=2 * NM).contact_pairs()[0].gap == pytest.approx(2 * NM)
    assert dataclasses.replace(P, yolk_position="resting").contact_pairs()[0].gap == 0.0
    full = dataclasses.replace(P, variant="full").expected_measures()
    for variant, f in (("quarter", 0.25), ("octant", 0.125)):
        m = dataclasses.replace(P, variant=variant).expected_measures()
        for k in ("yolk", "shell", "yolk_surface", "shell_inner", "outer_surface"):
            assert m[k] == pytest.approx(f * full[k])
    assert full["yolk"] == pytest.approx(4 / 3 * math.pi * R**3)
    ax = dataclasses.replace(P, variant="axisymmetric", void="meshed").expected_measures()
    assert ax["axis"] == pytest.approx(2 * RO) and ax["void"] == pytest.approx(math.pi * (RC**2 - R**2) / 2)
    for name, _, unit, desc in params_fields(YolkShellParams):
        assert desc, name
    assert P.physics_unsupported() is None  # 3D with a contact pair: runs (pair contact)
    assert dataclasses.replace(P, variant="axisymmetric").physics_unsupported() is not None  # 2D: mesh only
    assert [c.name for c in P.searched_pairs()] == ["yolk_shell"]
    assert dataclasses.replace(P, void="meshed").searched_pairs() == ()  # the void medium carries it


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(yolk_radius=0.5e-9), "geometry.yolk_radius"),
        (dict(yolk_radius=2e-4), "geometry.yolk_radius"),
        (dict(void_thickness=0.0), "geometry.void_thickness"),  # no void: a core-shell particle
        (dict(void_thickness=-1e-9), "geometry.void_thickness"),  # a negative gap
        (dict(void_thickness=500e-9), "geometry.void_thickness"),
        (dict(shell_thickness=0.0), "geometry.shell_thickness"),
        (dict(shell_thickness=1e-6), "geometry.shell_thickness"),
        (dict(yolk_position="floating"), "geometry.yolk_position"),
        (dict(void="filled"), "geometry.void"),
        (dict(contact_gap=-1e-9), "geometry.contact_gap"),  # negative contact gap
        (dict(yolk_position="resting", contact_gap=30e-9), "geometry.contact_gap"),  # gap beyond the void
        (dict(yolk_position="offset", offset=30e-9), "geometry.offset"),  # yolk crosses the shell
        (dict(yolk_position="offset", offset=-1e-9), "geometry.offset"),
        (dict(yolk_position="offset", offset=20e-9, contact_gap=5e-9), "geometry.offset"),  # gap 4 nm < 5 nm
        (dict(offset=5e-9), "geometry.offset"),  # set but ignored by a centred yolk
        (dict(yolk_position="resting", variant="octant"), "geometry.variant"),  # not symmetric about z = 0
        (dict(yolk_position="offset", offset=5e-9, variant="octant"), "geometry.variant"),
        (dict(variant="plane_strain"), "geometry.variant"),
        (dict(void="meshed", yolk_position="resting"), "geometry.contact_gap"),  # touching: nothing to mesh
        (dict(void="meshed", yolk_position="resting", contact_gap=0.2e-9), "geometry.contact_gap"),  # < h_contact/2
        (dict(void="meshed", yolk_position="offset", offset=23.8e-9), "geometry.offset"),
        (dict(void="meshed", void_thickness=0.3e-9), "geometry.void_thickness"),
        (dict(h_fine=0.0), "geometry.h_fine"),
        (dict(h_fine=12e-9), "geometry.h_fine"),  # coarser than h_coarse
        (dict(shell_thickness=3e-9), "geometry.h_fine"),  # h_fine = 4 nm > shell
        (dict(h_fine=float("nan")), "geometry.h_fine"),
        (dict(h_coarse=30e-9, h_fine=8e-9), "geometry.h_coarse"),  # > outer radius / 4
        (dict(h_contact=0.0), "geometry.h_contact"),
        (dict(h_contact=5e-9), "geometry.h_contact"),  # > h_fine
    ],
)
def test_invalid(kwargs, key):
    params = dataclasses.replace(P, **kwargs)
    with pytest.raises(CaseError) as err:
        params.validate()
    assert err.value.key == key, str(err.value)
    with pytest.raises(CaseError) as err:  # the builder validates before Gmsh runs
        build_yolk_shell(COMM, params)
    assert err.value.key == key


def test_too_many_cells():
    params = dataclasses.replace(P, variant="full", h_fine=0.1e-9, h_coarse=0.2e-9, h_contact=0.1e-9)
    with pytest.raises(CaseError) as err:
        params.validate()
    assert err.value.key in ("geometry.h_fine", "geometry.h_coarse")
