"""The plane-strain slab variant: every builder with a "plane_strain" section also meshes it
as a one-layer 3D slab (:mod:`anodemech.geometry.base`).

Analytic values: the section's areas and lengths (``expected_measures()`` of the
"plane_strain" variant) times the slab thickness, and both faces (``symmetry_z``) = twice
the section's area.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from mpi4py import MPI

from anodemech.errors import CaseError
from anodemech.geometry import BUILDERS

from geometry_checks import check_mesh, contact_geometry

COMM = MPI.COMM_WORLD
NM = 1e-9
SLAB_BUILDERS = sorted(n for n, (cls, _) in BUILDERS.items() if "plane_strain" in cls.VARIANTS)
GAP_FIELD = {"cylinder_on_plane": "gap", "nanowire_in_tube": "contact_gap", "block_on_plate": "gap"}


def slab_params(name):
    cls, _ = BUILDERS[name]
    p = dataclasses.replace(cls(), variant="slab")
    if name in GAP_FIELD:  # touching bodies are refused in a slab (test below)
        p = dataclasses.replace(p, **{GAP_FIELD[name]: 0.05 * NM})
    return p


def test_slab_builders_listed():
    assert set(SLAB_BUILDERS) >= {"cylinder_on_plane", "nanowire", "nanowire_in_tube", "thin_film", "block_on_plate"}
    for name in SLAB_BUILDERS:
        assert "slab" in BUILDERS[name][0].variants()


@pytest.mark.parametrize("name", SLAB_BUILDERS)
def test_slab_meshes(name):
    """Measures of the extruded section within 1 %, one layer of thickness slab_thickness(),
    faces z = 0 and z = t in symmetry_z, the section's names and contact pairs kept."""
    params = slab_params(name)
    md = BUILDERS[name][1](COMM, params)
    check_mesh(md, params)
    assert md.mesh.geometry.dim == 3 and md.slab == pytest.approx(params.slab_thickness())
    z = md.mesh.geometry.x[:, 2]
    zs = np.unique(np.round(np.concatenate(COMM.allgather(z)) / md.slab, 9))
    assert list(zs) == [0.0, 1.0]  # every vertex on one of the two faces: one layer
    section = BUILDERS[name][0].section(params)
    assert set(md.facet_names) == set(section.expected_measures()) - set(params.regions()) | {"symmetry_z"}
    for pair in md.contact_pairs:
        geo = contact_geometry(md, pair)
        assert geo["min_distance"] == pytest.approx(pair.gap, abs=1e-3 * params.length_scale()), geo
    for x0 in md.points.values():  # named points lie on the face z = 0
        assert x0[2] == 0.0


@pytest.mark.parametrize("plate", ["rigid", "elastic"])
def test_half_section_slab(plate):
    """The lower half of the wire section (mirror symmetry about its axis plane): measures,
    symmetry_y on the cut at y = R + gap, the point centre on it."""
    cls, build = BUILDERS["cylinder_on_plane"]
    params = dataclasses.replace(cls(), variant="slab", plate=plate, half=True, gap=0.05 * NM)
    md = build(COMM, params)
    check_mesh(md, params)
    assert {"symmetry_y", "symmetry_z"} <= set(md.facet_names) and set(md.points) == {"centre"}
    np.testing.assert_allclose(md.points["centre"], (0.0, params.radius + params.gap, 0.0))
    from geometry_checks import facet_nodes

    y = md.mesh.geometry.x[facet_nodes(md, md.facets("symmetry_y")).ravel(), 1]
    assert np.allclose(y, params.radius + params.gap)


def test_slab_refuses_touching_bodies():
    """Gmsh's extrusion would merge coincident nodes of touching bodies: refused, key named."""
    cls, build = BUILDERS["cylinder_on_plane"]
    with pytest.raises(CaseError) as err:
        build(COMM, dataclasses.replace(cls(), variant="slab"))
    assert err.value.key == "geometry.variant" and "gap > 0" in str(err.value)


def test_slab_of_3d_only_builder_refused():
    cls, _ = BUILDERS["core_shell"]
    with pytest.raises(CaseError) as err:
        dataclasses.replace(cls(), variant="slab").validate()
    assert err.value.key == "geometry.variant"


def test_rigid_plate_only_in_plane_strain():
    cls, _ = BUILDERS["cylinder_on_plane"]
    with pytest.raises(CaseError) as err:
        dataclasses.replace(cls(), plate="rigid").validate()
    assert err.value.key == "geometry.plate"
    rigid = dataclasses.replace(cls(), plate="rigid", variant="slab")
    rigid.validate()
    assert rigid.regions() == ("wire",) and rigid.contact_pairs() == ()
    with pytest.raises(CaseError) as err:
        dataclasses.replace(cls(), half=True).validate()
    assert err.value.key == "geometry.half"
