"""Geometry builders: each returns a distributed mesh with named tags (``MeshData``).

``BUILDERS`` maps a case's ``geometry.type`` to ``(ParamsClass, build_function)``; the
build function is called as ``build(comm, params, rank=0)``.
"""

from anodemech.geometry.base import MeshData
from anodemech.geometry.core_shell import CoreShellParams, build_core_shell

BUILDERS = {"core_shell": (CoreShellParams, build_core_shell)}

__all__ = ["BUILDERS", "CoreShellParams", "MeshData", "build_core_shell"]
