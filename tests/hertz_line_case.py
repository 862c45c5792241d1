"""The plane-strain Hertz line-contact scenario of tests/test_contact_hertz_line.py (in
process, 1 rank) and its 2-rank check (``mpirun -n 2 python3 tests/hertz_line_case.py OUT.json``).

A LixSi cylinder (nanowire, R = 50 nm, E = 80 GPa, nu = 0.22, no Li) is pushed onto a rigid
plane y = 0 by prescribing the displacement of its axis (a line load); the model is the
"slab" variant of ``cylinder_on_plane``: the cross-section extruded into one layer with
symmetry_z on both faces, which is plane strain. The point ``above`` (R/2 above the axis)
has zero x displacement, which stops the rotation about the axis without carrying load.
"""

from __future__ import annotations

import json
import sys

from mpi4py import MPI

from anodemech.geometry.contacts import CylinderOnPlaneParams, build_cylinder_on_plane
from anodemech.materials import DATABASE
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.physics.contact import DEFAULT_ALPHA, Obstacle

R = 50e-9
# axis displacement steps [m]; b/R ~ 0.1 at the last. One step: frictionless elastic
# contact does not depend on the load path. Measured, 1 rank, same process: (0.4 nm,
# 0.8 nm) took 12 + 8 Newton iterations, (0.8 nm,) 12, with the same final metrics (area,
# force, half-width, peak and mean pressure equal to 1e-14 relative).
APPROACH = (0.8e-9,)
GEOMETRY = CylinderOnPlaneParams(radius=R, h_fine=2.5e-9, h_coarse=6e-9, h_contact=0.4e-9, contact_zone=7e-9,
                                 plate="rigid", variant="slab")
MATERIAL = DATABASE["LixSi"]


def build(comm) -> ChemoMechanicalProblem:
    md = build_cylinder_on_plane(comm, GEOMETRY)
    plane = Obstacle("collector", "wire_surface", "plane", (0.0, 0.0, 0.0), (0.0, 1.0, 0.0), alpha=DEFAULT_ALPHA)
    return ChemoMechanicalProblem(comm, md, {"wire": MATERIAL}, PhysicsOptions(stress_coupling=False),
                                  linear="direct", obstacles=[plane],
                                  fixed_points={"centre": {0: 0.0, 1: 0.0}, "above": {0: 0.0}})


def press(pb: ChemoMechanicalProblem) -> dict:
    """Apply the approach steps; returns the contact metrics at the last one, with the
    slab thickness ``slab_m`` [m].

    Raises:
        RuntimeError: a step did not converge.
    """
    for delta in APPROACH:
        pb.set_point_displacement("centre", 1, -delta)
        stats = pb.step(1.0)
        if not stats.converged:
            raise RuntimeError(f"Hertz line step {delta:g} m did not converge: {stats.reason}")
        pb.accept()
    return {**pb.contact_metrics(), "slab_m": pb.md.slab}


if __name__ == "__main__":
    comm = MPI.COMM_WORLD
    metrics = press(build(comm))
    if comm.rank == 0:
        with open(sys.argv[1], "w") as f:
            json.dump(metrics, f)
