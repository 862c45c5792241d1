"""Print, as JSON on rank 0, the measure of every group of every builder's default mesh.

Run by tests/test_geometry_library.py on 1 and on 2 ranks (not a test module itself):
    mpirun -n 2 python3 tests/mesh_measures.py OUT.json [builder ...]
"""

import json
import sys

from mpi4py import MPI

from anodemech.geometry import BUILDERS
from anodemech.geometry.measure import count, measure

comm = MPI.COMM_WORLD
out = {}
for name in sys.argv[2:] or sorted(BUILDERS):
    cls, build = BUILDERS[name]
    md = build(comm, cls())
    groups = list(md.cell_names) + list(md.facet_names)
    out[name] = {g: {"measure": measure(md, g), "count": count(md, g)} for g in groups}
if comm.rank == 0:
    with open(sys.argv[1], "w") as f:
        json.dump(out, f, indent=1)
