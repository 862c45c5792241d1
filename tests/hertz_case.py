"""The Hertz scenario shared by tests/test_contact_hertz.py (in-process, 1 rank) and its
2-rank check (``mpirun -n 2 python3 tests/hertz_case.py OUT.json``).

A LixSi sphere (R = 60 nm, E = 80 GPa, nu = 0.22, no Li) is pushed onto a rigid plane by
prescribing the displacement of its centre; quarter model, penalty contact.
"""

from __future__ import annotations

import json
import sys

from mpi4py import MPI

from anodemech.geometry.contacts import SphereOnPlaneParams, build_sphere_on_plane
from anodemech.materials import DATABASE
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.physics.contact import DEFAULT_ALPHA, Obstacle

R = 60e-9
# centre displacement steps [m]; a/R ~ 0.12 at the last. One step: frictionless elastic
# contact does not depend on the load path. Measured, 1 rank: (1 nm, 2 nm) took 15 + 10
# Newton iterations, (2 nm,) 20, with the same final metrics (area, force, peak pressure
# and radius equal to 1e-10 relative).
APPROACH = (2.0e-9,)
GEOMETRY = SphereOnPlaneParams(radius=R, h_fine=4e-9, h_coarse=12e-9, h_contact=0.6e-9, contact_zone=8e-9,
                               plate="rigid", variant="quarter")
MATERIAL = DATABASE["LixSi"]


def build(comm) -> ChemoMechanicalProblem:
    md = build_sphere_on_plane(comm, GEOMETRY)
    plane = Obstacle("collector", "particle_surface", "plane", (0.0, 0.0, 0.0), (0.0, 0.0, 1.0), alpha=DEFAULT_ALPHA)
    return ChemoMechanicalProblem(comm, md, {"particle": MATERIAL}, PhysicsOptions(stress_coupling=False),
                                  obstacles=[plane], fixed_points={"centre": {2: 0.0}})


def press(pb: ChemoMechanicalProblem) -> dict:
    """Apply the approach steps; returns the contact metrics at the last one.

    Raises:
        RuntimeError: a step did not converge.
    """
    for delta in APPROACH:
        pb.set_point_displacement("centre", 2, -delta)
        stats = pb.step(1.0)
        if not stats.converged:
            raise RuntimeError(f"Hertz step {delta:g} m did not converge: {stats.reason}")
        pb.accept()
    return pb.contact_metrics()


if __name__ == "__main__":
    comm = MPI.COMM_WORLD
    metrics = press(build(comm))
    if comm.rank == 0:
        with open(sys.argv[1], "w") as f:
            json.dump(metrics, f)
