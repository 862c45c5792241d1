"""Mesh a core-shell particle and write it to XDMF (mesh "mesh", tags "cell_tags"/"facet_tags").

Example (Si core of radius 75 nm with a 10 nm carbon coating, octant):
    containers/run python3 geometries/core_shell.py --core-radius-nm 75 --shell-thickness-nm 10 \
        --h-core-nm 8 --h-surface-nm 3 -o core_shell.xdmf
Runs under mpirun as well. Tag numbers and names are printed on rank 0.
"""

import argparse

from mpi4py import MPI

from dolfinx.io import XDMFFile

from anodemech.errors import CaseError
from anodemech.geometry import CoreShellParams, build_core_shell

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--core-radius-nm", type=float, default=75.0)
parser.add_argument("--shell-thickness-nm", type=float, default=10.0, help="0 for a bare sphere")
parser.add_argument("--h-core-nm", type=float, default=8.0, help="element size in the core interior")
parser.add_argument("--h-surface-nm", type=float, default=3.0, help="element size at interface and outer surface")
parser.add_argument("--variant", choices=["octant", "full"], default="octant")
parser.add_argument("-o", "--output", default="core_shell.xdmf")
a = parser.parse_args()

params = CoreShellParams(a.core_radius_nm * 1e-9, a.shell_thickness_nm * 1e-9, a.h_core_nm * 1e-9,
                         a.h_surface_nm * 1e-9, a.variant)
comm = MPI.COMM_WORLD
try:
    md = build_core_shell(comm, params)
except CaseError as exc:
    if comm.rank == 0:
        print(f"error: {exc}")
    raise SystemExit(2)
md.mesh.name, md.cell_tags.name, md.facet_tags.name = "mesh", "cell_tags", "facet_tags"
md.mesh.topology.create_connectivity(2, 3)
with XDMFFile(comm, a.output, "w") as f:
    f.write_mesh(md.mesh)
    f.write_meshtags(md.cell_tags, md.mesh.geometry)
    f.write_meshtags(md.facet_tags, md.mesh.geometry)
if comm.rank == 0:
    n = md.mesh.topology.index_map(3).size_global
    print(f"{a.output}: {n} tetrahedra, cells {md.cell_names}, facets {md.facet_names}")
