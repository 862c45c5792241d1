"""Mesh every builder in every variant at its default parameters; print a table.

    ./containers/run python3 benchmarks/bench_meshing.py
    ./containers/run mpirun -n 2 python3 benchmarks/bench_meshing.py   # distribution over 2 ranks

Columns: cells, vertices, min quality (Gmsh min of SICN and gamma) and wall time of the
whole build (Gmsh on rank 0 + conversion and distribution by DOLFINx), max over ranks.
"""

import time

from mpi4py import MPI

from anodemech.geometry import BUILDERS

comm = MPI.COMM_WORLD
rows, total = [], 0.0
for name in BUILDERS:
    cls, build = BUILDERS[name]
    for variant in cls.VARIANTS:
        comm.barrier()
        t0 = time.perf_counter()
        md = build(comm, cls(variant=variant))
        dt = comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)
        total += dt
        tdim = md.mesh.topology.dim
        rows.append((name, variant, md.mesh.topology.index_map(tdim).size_global,
                     md.mesh.topology.index_map(0).size_global, min(md.quality.values()), dt))
if comm.rank == 0:
    print(f"ranks: {comm.size}")
    print(f"| {'builder':18s} | {'variant':13s} | {'cells':>7s} | {'vertices':>8s} | min quality | time [s] |")
    print(f"|{'-' * 20}|{'-' * 15}|{'-' * 9}|{'-' * 10}|{'-' * 13}|{'-' * 10}|")
    for r in rows:
        print(f"| {r[0]:18s} | {r[1]:13s} | {r[2]:7d} | {r[3]:8d} | {r[4]:11.2f} | {r[5]:8.2f} |")
    print(f"total: {total:.1f} s for {len(rows)} meshes")
