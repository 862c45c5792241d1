"""Core-shell geometry: region volumes, surface areas, names, support points, determinism, errors.

Runs on any number of MPI ranks (``mpirun -n 2 python3 -m pytest tests/test_geometry.py``).
"""

import math

import numpy as np
import pytest
from mpi4py import MPI

import dolfinx
import ufl

from anodemech.errors import CaseError
from anodemech.geometry import BUILDERS, CoreShellParams, build_core_shell

COMM = MPI.COMM_WORLD
R, T = 75e-9, 10e-9
OCTANT = CoreShellParams(R, T, 15e-9, 5e-9, "octant")
FULL = CoreShellParams(R, T, 20e-9, 8e-9, "full")
BARE = CoreShellParams(R, 0.0, 15e-9, 5e-9, "octant")


@pytest.fixture(scope="module")
def octant():
    return build_core_shell(COMM, OCTANT)


@pytest.fixture(scope="module")
def full():
    return build_core_shell(COMM, FULL)


@pytest.fixture(scope="module")
def bare():
    return build_core_shell(COMM, BARE)


def volume(md, name):
    """Volume [m^3] of region ``name``, summed over ranks."""
    dx = ufl.Measure("dx", domain=md.mesh, subdomain_data=md.cell_tags)
    local = dolfinx.fem.assemble_scalar(dolfinx.fem.form(1.0 * dx(md.cell_names[name])))
    return COMM.allreduce(local, op=MPI.SUM)


def facet_nodes(mesh, facets):
    """Geometry node indices (shape ``(n, 3)``) of triangles ``facets``; DOLFINx 0.9's
    ``entities_to_geometry`` raises SIGFPE on an empty list, which a rank may well have."""
    if len(facets) == 0:
        return np.zeros((0, 3), dtype=np.int32)
    return dolfinx.mesh.entities_to_geometry(mesh, 2, facets, False)


def area(md, name):
    """Area [m^2] of surface ``name`` from the owned tagged triangles (works for interior facets
    on process boundaries too, unlike ``dS`` without ghost cells), summed over ranks."""
    mesh = md.mesh
    facets = md.facets(name)
    facets = facets[facets < mesh.topology.index_map(2).size_local]
    x = mesh.geometry.x[facet_nodes(mesh, facets)]
    local = 0.5 * np.linalg.norm(np.cross(x[:, 1] - x[:, 0], x[:, 2] - x[:, 0]), axis=1).sum()
    return COMM.allreduce(local, op=MPI.SUM)


def exterior_area(md, name):
    """Area [m^2] of an exterior surface by assembling ``ds``."""
    ds = ufl.Measure("ds", domain=md.mesh, subdomain_data=md.facet_tags)
    local = dolfinx.fem.assemble_scalar(dolfinx.fem.form(1.0 * ds(md.facet_names[name])))
    return COMM.allreduce(local, op=MPI.SUM)


def ball(r, frac):
    return frac * 4.0 / 3.0 * math.pi * r**3


def test_registry():
    assert BUILDERS["core_shell"] == (CoreShellParams, build_core_shell)


def test_names(octant, full, bare):
    assert octant.cell_names == {"core": 1, "shell": 2}
    assert set(octant.facet_names) == {"interface", "outer_surface", "symmetry_x", "symmetry_y", "symmetry_z"}
    assert full.cell_names == {"core": 1, "shell": 2}
    assert set(full.facet_names) == {"interface", "outer_surface"}
    assert bare.cell_names == {"core": 1}
    assert set(bare.facet_names) == {"outer_surface", "symmetry_x", "symmetry_y", "symmetry_z"}
    assert (octant.variant, full.variant) == ("octant", "full")
    for md in (octant, full, bare):
        np.testing.assert_array_equal(md.centre, np.zeros(3))


@pytest.mark.parametrize("which, frac", [("octant", 1 / 8), ("full", 1.0)])
def test_volumes_and_areas(which, frac, request):
    md = request.getfixturevalue(which)
    assert volume(md, "core") == pytest.approx(ball(R, frac), rel=0.015)
    assert volume(md, "shell") == pytest.approx(ball(R + T, frac) - ball(R, frac), rel=0.015)
    assert area(md, "interface") == pytest.approx(frac * 4 * math.pi * R**2, rel=0.02)
    assert area(md, "outer_surface") == pytest.approx(frac * 4 * math.pi * (R + T) ** 2, rel=0.02)
    assert exterior_area(md, "outer_surface") == pytest.approx(area(md, "outer_surface"), rel=1e-10)


def test_symmetry_planes(octant, bare):
    for md, rout in ((octant, R + T), (bare, R)):
        for name in ("symmetry_x", "symmetry_y", "symmetry_z"):
            assert exterior_area(md, name) == pytest.approx(math.pi * rout**2 / 4, rel=0.02)
            axis = "xyz".index(name[-1])
            nodes = facet_nodes(md.mesh, md.facets(name))
            assert np.all(np.abs(md.mesh.geometry.x[nodes.ravel(), axis]) < 1e-6 * R)


def test_bare_sphere(bare):
    assert volume(bare, "core") == pytest.approx(ball(R, 1 / 8), rel=0.015)
    assert area(bare, "outer_surface") == pytest.approx(4 * math.pi * R**2 / 8, rel=0.02)


def test_full_support_points_are_vertices(full):
    assert set(full.points) == {"origin", "x_axis", "y_axis"}
    np.testing.assert_allclose(full.points["x_axis"], [R / 2, 0, 0])
    np.testing.assert_allclose(full.points["y_axis"], [0, R / 2, 0])
    x = full.mesh.geometry.x
    for p in full.points.values():
        d = np.linalg.norm(x - p, axis=1).min() if len(x) else np.inf
        assert COMM.allreduce(d, op=MPI.MIN) < 1e-9 * R


def test_deterministic(octant):
    again = build_core_shell(COMM, OCTANT)
    for dim in (0, 3):
        assert again.mesh.topology.index_map(dim).size_global == octant.mesh.topology.index_map(dim).size_global


def test_coordinates_in_metres(octant):
    rmax = np.linalg.norm(octant.mesh.geometry.x, axis=1).max()
    assert COMM.allreduce(rmax, op=MPI.MAX) == pytest.approx(R + T, rel=1e-6)


@pytest.mark.parametrize(
    "kwargs, key",
    [
        (dict(core_radius=5e-10), "geometry.core_radius"),
        (dict(core_radius=2e-4), "geometry.core_radius"),
        (dict(shell_thickness=-1e-9), "geometry.shell_thickness"),
        (dict(shell_thickness=1e-6), "geometry.shell_thickness"),
        (dict(h_core=0.0), "geometry.h_core"),
        (dict(h_surface=-1e-9), "geometry.h_surface"),
        (dict(h_surface=float("nan")), "geometry.h_surface"),
        (dict(h_surface=20e-9, h_core=15e-9), "geometry.h_surface"),
        (dict(h_core=40e-9), "geometry.h_core"),
        (dict(h_surface=30e-9, h_core=35e-9, shell_thickness=50e-9), "geometry.h_surface"),
        (dict(h_surface=12e-9), "geometry.h_surface"),
        (dict(variant="half"), "geometry.variant"),
        (dict(core_radius=1e-4, shell_thickness=0.0, h_core=1e-6, h_surface=1e-6, variant="full"), "geometry.h_core"),
        (dict(core_radius=1e-6, shell_thickness=1e-6, h_core=2e-7, h_surface=1e-8, variant="full"), "geometry.h_surface"),
    ],
)
def test_bad_parameters(kwargs, key):
    params = CoreShellParams(**{**OCTANT.__dict__, **kwargs})
    with pytest.raises(CaseError) as info:
        params.validate()  # not build_core_shell: a missed check would mesh millions of cells
    assert info.value.key == key
    assert key in str(info.value)
    assert info.value.accepted


def test_build_validates_first():
    with pytest.raises(CaseError, match=r"geometry\.shell_thickness"):
        build_core_shell(COMM, CoreShellParams(R, -1e-9, 15e-9, 5e-9))


def test_validate_prefix():
    with pytest.raises(CaseError, match=r"particles\[0\]\.h_core"):
        CoreShellParams(R, T, 0.0, 5e-9).validate(prefix="particles[0]")


def test_gmsh_failure_is_case_error(monkeypatch):
    import gmsh

    from anodemech.geometry import spheres

    def broken(gmsh_module, params, length_scale):
        raise Exception("synthetic OpenCASCADE failure")

    monkeypatch.setattr(spheres, "_core_shell_model", broken)
    with pytest.raises(CaseError, match="synthetic OpenCASCADE failure") as info:
        build_core_shell(COMM, OCTANT)
    assert info.value.key == "geometry"
    assert not gmsh.isInitialized()
