"""Mesh a geometry to files: ``mesh.msh`` (Gmsh, metres, physical groups), ``mesh.xdmf``
(+ ``.h5``, with the tags "regions" and "surfaces", for ParaView) and ``mesh.json`` (the
:func:`anodemech.geometry.measure.report`). Used by ``anodemech mesh`` and ``geometries/``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

FILES = ("mesh.json", "mesh.msh", "mesh.xdmf", "mesh.h5")


def export_mesh(comm, builder: str, params, out: Path, extra: dict | None = None):
    """Build ``builder`` with ``params`` and write the three files into ``out`` (collective).

    ``mesh.json`` is written last, so its presence marks a complete export; stale files
    from an earlier export are removed first.

    Returns:
        ``(MeshData, report dict)``.

    Raises:
        CaseError: bad parameters or a Gmsh failure (nothing new is written then).
        KeyError: unknown builder.
    """
    from anodemech.geometry import BUILDERS
    from anodemech.geometry.measure import report
    from anodemech.io import write_mesh_xdmf

    _, build = BUILDERS[builder]
    params.validate()
    out = Path(out)
    if comm.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        for f in FILES:
            (out / f).unlink(missing_ok=True)
    comm.barrier()
    md = build(comm, params, msh_file=out / "mesh.msh")
    write_mesh_xdmf(comm, out / "mesh.xdmf", md)
    rep = report(md, params)
    rep.update(builder=builder, parameters_m={k: list(v) if isinstance(v, tuple) else v
                                               for k, v in dataclasses.asdict(params).items()}, **(extra or {}))
    if comm.rank == 0:
        (out / "mesh.json").write_text(json.dumps(rep, indent=2) + "\n")
    return md, rep
