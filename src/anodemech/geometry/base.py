"""Mesh data shared by all geometry builders."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class MeshData:
    """A distributed mesh with named cell and facet tags.

    Attributes:
        mesh: ``dolfinx.mesh.Mesh``, coordinates in metres.
        cell_tags: ``MeshTags`` of dimension ``tdim``; values are physical-group tags.
        facet_tags: ``MeshTags`` of dimension ``tdim - 1``.
        cell_names: region name -> tag, e.g. ``{"core": 1, "shell": 2}``.
        facet_names: surface name -> tag, e.g. ``{"interface": 3, "outer_surface": 4}``.
        points: named points [m] that are mesh vertices, shape ``(3,)`` each (e.g. the
            supports used to remove rigid-body modes of a full particle).
        centre: the particle centre [m], shape ``(3,)``; radial/hoop stresses refer to it.
        variant: ``"full"`` or a symmetry-reduced variant such as ``"octant"``.
    """

    mesh: object
    cell_tags: object
    facet_tags: object
    cell_names: dict[str, int]
    facet_names: dict[str, int]
    points: dict[str, np.ndarray] = field(default_factory=dict)
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    variant: str = "full"

    def cells(self, name: str) -> np.ndarray:
        """Local cell indices (int32, shape ``(n,)``) of region ``name``; KeyError if unknown."""
        return self.cell_tags.find(self.cell_names[name])

    def facets(self, name: str) -> np.ndarray:
        """Local facet indices (int32, shape ``(n,)``) of surface ``name``; KeyError if unknown."""
        return self.facet_tags.find(self.facet_names[name])
