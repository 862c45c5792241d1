"""Geometry builders: each returns a distributed mesh with named tags (``MeshData``).

``BUILDERS`` maps a case's ``geometry.builder`` to ``(ParamsClass, build_function)``; the
build function is called as ``build(comm, params, rank=0)``. ``anodemech geometries``
lists them with their parameters.
"""

from anodemech.geometry.base import ContactPair, GeometryParams, MeshData
from anodemech.geometry.spheres import (CoreShellParams, HollowSphereParams, MultiShellParams, build_core_shell,
                                        build_hollow_sphere, build_multi_shell)

BUILDERS = {
    "core_shell": (CoreShellParams, build_core_shell),
    "multi_shell": (MultiShellParams, build_multi_shell),
    "hollow_sphere": (HollowSphereParams, build_hollow_sphere),
}

__all__ = ["BUILDERS", "ContactPair", "CoreShellParams", "GeometryParams", "HollowSphereParams", "MeshData",
           "MultiShellParams", "build_core_shell", "build_hollow_sphere", "build_multi_shell"]
