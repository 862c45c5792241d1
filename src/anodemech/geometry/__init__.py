"""Geometry builders: each returns a distributed mesh with named tags (``MeshData``).

``BUILDERS`` maps a case's ``geometry.builder`` to ``(ParamsClass, build_function)``; the
build function is called as ``build(comm, params, rank=0, msh_file=None)``.
``anodemech geometries`` lists them with their parameters; ``docs/geometries.md`` shows them.
"""

from anodemech.geometry.base import ContactPair, GeometryParams, MeshData
from anodemech.geometry.cluster import ClusterParams, build_cluster
from anodemech.geometry.composite import CompositeCellParams, build_composite_cell
from anodemech.geometry.contacts import (CylinderOnPlaneParams, SphereOnPlaneParams, SphereSphereParams,
                                         build_cylinder_on_plane, build_sphere_on_plane, build_sphere_sphere)
from anodemech.geometry.spheres import (CoreShellParams, HollowSphereParams, MultiShellParams, build_core_shell,
                                        build_hollow_sphere, build_multi_shell)
from anodemech.geometry.surface_contact import (BlockOnPlateParams, FacetedOnPlaneParams, ThinFilmParams,
                                                build_block_on_plate, build_faceted_on_plane, build_thin_film)
from anodemech.geometry.wires import NanowireInTubeParams, NanowireParams, build_nanowire, build_nanowire_in_tube
from anodemech.geometry.yolk_shell import YolkShellParams, build_yolk_shell

BUILDERS = {
    # 1-2: layered spheres
    "core_shell": (CoreShellParams, build_core_shell),
    "multi_shell": (MultiShellParams, build_multi_shell),
    "hollow_sphere": (HollowSphereParams, build_hollow_sphere),
    # 3: yolk-shell
    "yolk_shell": (YolkShellParams, build_yolk_shell),
    # 4-5: nanowires, nanotubes, coated wires, nanowire-in-tube
    "nanowire": (NanowireParams, build_nanowire),
    "nanowire_in_tube": (NanowireInTubeParams, build_nanowire_in_tube),
    # 6-7: point and line contact
    "sphere_on_plane": (SphereOnPlaneParams, build_sphere_on_plane),
    "sphere_sphere": (SphereSphereParams, build_sphere_sphere),
    "cylinder_on_plane": (CylinderOnPlaneParams, build_cylinder_on_plane),
    # 8: surface contact and bonded films
    "faceted_on_plane": (FacetedOnPlaneParams, build_faceted_on_plane),
    "thin_film": (ThinFilmParams, build_thin_film),
    "block_on_plate": (BlockOnPlateParams, build_block_on_plate),
    # 9-10: composite cell (particle in a solid electrolyte) and clusters
    "composite_cell": (CompositeCellParams, build_composite_cell),
    "cluster": (ClusterParams, build_cluster),
}

__all__ = ["BUILDERS", "BlockOnPlateParams", "ClusterParams", "CompositeCellParams", "build_cluster", "build_composite_cell", "ContactPair", "CoreShellParams", "CylinderOnPlaneParams",
           "FacetedOnPlaneParams", "GeometryParams", "HollowSphereParams", "MeshData", "MultiShellParams", "NanowireInTubeParams", "NanowireParams", "build_nanowire", "build_nanowire_in_tube",
           "SphereOnPlaneParams", "SphereSphereParams", "ThinFilmParams", "YolkShellParams", "build_block_on_plate",
           "build_core_shell", "build_cylinder_on_plane", "build_faceted_on_plane", "build_hollow_sphere",
           "build_multi_shell", "build_sphere_on_plane", "build_sphere_sphere", "build_thin_film", "build_yolk_shell"]
