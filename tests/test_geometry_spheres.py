"""Layered spheres (core-shell, multi-shell, hollow): every variant and the ends of the
documented parameter range mesh, with volumes and areas within 1 % of the analytic ones
(sphere volume 4/3 pi r^3 and area 4 pi r^2, times 1/8 for the octant; the axisymmetric
half-disc has area pi r^2 / 2 and arc length pi r), named groups non-empty, quality > 0.1.

Runs on any number of MPI ranks.
"""

from __future__ import annotations

import dataclasses

import pytest
from mpi4py import MPI

from anodemech.errors import CaseError
from anodemech.geometry import CoreShellParams, HollowSphereParams, MultiShellParams
from anodemech.geometry.spheres import build_core_shell, build_hollow_sphere, build_multi_shell

from geometry_checks import check_mesh, fingerprint

COMM = MPI.COMM_WORLD
NM = 1e-9
BUILD = {CoreShellParams: build_core_shell, MultiShellParams: build_multi_shell, HollowSphereParams: build_hollow_sphere}
# the full variants are meshed at coarser sizes here (the default full multi-shell has 2.4e5
# cells); the octant and axisymmetric variants at the defaults
COARSE_FULL = {CoreShellParams: dict(h_core=20 * NM, h_surface=6 * NM), MultiShellParams: dict(h_core=20 * NM, h_surface=5 * NM),
               HollowSphereParams: dict(h_coarse=15 * NM, h_fine=6 * NM)}
CASES = [(cls, v) for cls in BUILD for v in cls.VARIANTS]


@pytest.mark.parametrize("cls, variant", CASES, ids=[f"{c.__name__}-{v}" for c, v in CASES])
def test_variant_meshes(cls, variant):
    params = cls(variant=variant)
    if variant == "full":
        params = dataclasses.replace(params, **COARSE_FULL[cls])
    md = BUILD[cls](COMM, params)
    check_mesh(md, params)
    if variant == "full":  # 3-2-1 supports: origin -> x_axis along x, all in z = 0
        p = md.points
        assert abs(p["x_axis"][1] - p["origin"][1]) < 1e-15 and p["x_axis"][0] > p["origin"][0]
        assert p["origin"][2] == p["x_axis"][2] == p["y_axis"][2] == 0.0
    if variant == "axisymmetric":
        assert md.mesh.geometry.dim == 2 and "axis" in md.facet_names


@pytest.mark.parametrize("cls", list(BUILD))
def test_range_examples(cls):
    """The ends of the documented range (nm to um, thin and thick shells, 6 shells)."""
    for params in cls.range_examples():
        check_mesh(BUILD[cls](COMM, params), params)


def test_deterministic():
    params = MultiShellParams()
    assert fingerprint(build_multi_shell(COMM, params)) == fingerprint(build_multi_shell(COMM, params))


def test_li_entry_order():
    """Li enters at the outer surface of the outermost layer, else at the interface below."""
    md = build_multi_shell(COMM, MultiShellParams(variant="axisymmetric"))
    assert md.li_entry == (("outer_surface", "shell_2"), ("interface_2", "shell_1"), ("interface_1", "core"))
    md = build_hollow_sphere(COMM, HollowSphereParams(variant="axisymmetric"))
    assert md.li_entry == (("outer_surface", "shell"), ("interface", "active"))


@pytest.mark.parametrize(
    "cls, kwargs, key",
    [
        (MultiShellParams, dict(shell_thicknesses=()), "geometry.shell_thicknesses"),
        (MultiShellParams, dict(shell_thicknesses=(5 * NM,) * 7), "geometry.shell_thicknesses"),
        (MultiShellParams, dict(shell_thicknesses=(5 * NM, -1 * NM)), "geometry.shell_thicknesses[1]"),
        (MultiShellParams, dict(shell_thicknesses=(1 * NM, 10 * NM)), "geometry.h_surface"),  # thinner than h_surface
        (MultiShellParams, dict(core_radius=0.1 * NM), "geometry.core_radius"),
        (MultiShellParams, dict(variant="quarter"), "geometry.variant"),
        (HollowSphereParams, dict(wall_thickness=0.0), "geometry.wall_thickness"),
        (HollowSphereParams, dict(cavity_radius=-1 * NM), "geometry.cavity_radius"),
        (HollowSphereParams, dict(shell_thickness=2 * NM), "geometry.h_fine"),  # coating thinner than h_fine
        (HollowSphereParams, dict(h_coarse=60 * NM), "geometry.h_coarse"),
        (HollowSphereParams, dict(h_fine=20 * NM, h_coarse=10 * NM), "geometry.h_fine"),
        (HollowSphereParams, dict(cavity_radius=50e-6, wall_thickness=50e-6, shell_thickness=0.0, h_fine=50 * NM,
                                  h_coarse=1e-6, variant="full"), "geometry.h_fine"),  # ~1e9 cells
    ],
)
def test_bad_parameters(cls, kwargs, key):
    with pytest.raises(CaseError) as err:
        dataclasses.replace(cls(), **kwargs).validate()
    assert err.value.key == key
    assert err.value.accepted
