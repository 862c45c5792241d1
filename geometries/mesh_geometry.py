"""Mesh any anodemech geometry from the command line, without a case file.

    ./containers/run python3 geometries/mesh_geometry.py --list
    ./containers/run python3 geometries/mesh_geometry.py core_shell core_radius='"50 nm"' variant=full -o out/
    ./containers/run mpirun -n 2 python3 geometries/mesh_geometry.py hollow_sphere wall_thickness='"30 nm"' -o out/

Parameters are ``key=value`` with case-file syntax (TOML values; lengths with units, e.g.
"40 nm", quoted; bare numbers are metres; unquoted words are taken as strings) and are
validated like a case file's [geometry] table.
Writes out/mesh.msh (Gmsh), out/mesh.xdmf (ParaView, tags "regions"/"surfaces") and
out/mesh.json (counts, measures against analytic values, quality, contact pairs).
The builders themselves live in src/anodemech/geometry/ (one module per family).
"""

import argparse
import sys
import tomllib

from mpi4py import MPI

from anodemech.case import _geometry
from anodemech.errors import CaseError
from anodemech.geometry import BUILDERS
from anodemech.geometry.export import export_mesh


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("builder", nargs="?", choices=sorted(BUILDERS))
    ap.add_argument("params", nargs="*", metavar="KEY=VALUE")
    ap.add_argument("-o", "--out", default="mesh_out", help="output directory")
    ap.add_argument("--list", action="store_true", help="list builders (see also `anodemech geometries`)")
    a = ap.parse_args()
    comm = MPI.COMM_WORLD
    if a.list or a.builder is None:
        if comm.rank == 0:
            print("\n".join(f"{k}: {BUILDERS[k][0].__doc__.strip().splitlines()[0]}" for k in sorted(BUILDERS)))
        return 0
    table = {"builder": a.builder}
    try:
        for item in a.params:
            key, sep, value = item.partition("=")
            if not sep:
                raise CaseError(item, "not KEY=VALUE")
            try:
                table[key.strip()] = tomllib.loads(f"v = {value}")["v"]
            except tomllib.TOMLDecodeError:
                table[key.strip()] = value
        _, params = _geometry(table)
        md, rep = export_mesh(comm, a.builder, params, a.out)
    except CaseError as exc:
        if comm.rank == 0:
            print(f"error: {exc}", file=sys.stderr)
        return 2
    if comm.rank == 0:
        print(f"{a.out}/mesh.msh, mesh.xdmf, mesh.json: {rep['cells']} cells, regions {list(md.cell_names)}, "
              f"surfaces {list(md.facet_names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
