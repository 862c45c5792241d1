"""Deformable-pair contact scenarios shared by tests/test_contact_pairs.py (in-process, 1
rank) and its 2-rank checks (``mpirun -n 2 python3 tests/pair_cases.py SCENARIO OUT.json``).

* ``patch``: a LixSi block (E = 80 GPa) pressed on an LLZO block (E = 146 GPa) of the same
  footprint by moving its top face down by ``DELTA``; the plate bottom slides on a plane
  (u_z = 0), the sides are free, quarter model. The blocks' meshes do not match at the
  interface (different sizes, no shared nodes).
* ``yolk``: a centred Si yolk (r = 40 nm) in a carbon shell with a 52 nm cavity, octant
  model, lithiated at 1C through the yolk surface until the void has closed.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from mpi4py import MPI

from anodemech.geometry.surface_contact import BlockOnPlateParams, build_block_on_plate
from anodemech.geometry.yolk_shell import YolkShellParams, build_yolk_shell
from anodemech.materials import DATABASE
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.physics.pair_contact import ContactPairSpec
from anodemech.post import PostProcessor

NM, UM = 1e-9, 1e-6

# ----------------------------------------------------------------------------- patch test
PATCH_GEOMETRY = BlockOnPlateParams(width=1 * UM, depth=1 * UM, height=0.5 * UM, plate_width=1 * UM, plate_depth=1 * UM,
                                    plate_thickness=0.5 * UM, h_coarse=200 * NM, h_fine=110 * NM)
PATCH_MATERIALS = {"block": DATABASE["LixSi"], "plate": DATABASE["LLZO"]}
DELTA = 2 * NM  # downward displacement of the block top [m]


def patch_problem(comm, linear: str = "iterative") -> ChemoMechanicalProblem:
    md = build_block_on_plate(comm, PATCH_GEOMETRY)
    names = dict(md.facet_names)
    names["plate_bottom"] = names.pop("clamped")  # a roller, not a clamp: uniform uniaxial stress
    md = dataclasses.replace(md, facet_names=names)
    return ChemoMechanicalProblem(comm, md, PATCH_MATERIALS, PhysicsOptions(stress_coupling=False), linear=linear,
                                  fixed_points={"block_top": {2: -DELTA}, "plate_bottom": {2: 0.0}},
                                  pairs=[ContactPairSpec("block_plate", "block_bottom", "plate_top")])


def patch(comm) -> dict:
    """Press the block; returns the pair's metrics, the per-point pressures' range (over
    all ranks) and the penalty ``kappa``.

    Raises:
        RuntimeError: the solve did not converge.
    """
    pb = patch_problem(comm)
    stats = pb.step(1.0)
    if not stats.converged:
        raise RuntimeError(f"patch test did not converge: {stats.reason}")
    pair = pb.pairs["block_plate"]
    out = pb.contact_metrics()
    ev = pair.evaluate()
    p = ev["pressure"]
    out["point_pressure_min"] = comm.allreduce(float(p.min()) if len(p) else float("inf"), op=MPI.MIN)
    out["point_pressure_max"] = comm.allreduce(float(p.max()) if len(p) else 0.0, op=MPI.MAX)
    out["kappa"] = pair.kappa
    out["newton_iterations"] = stats.newton_iterations
    return out


# ----------------------------------------------------------------------------- yolk-shell
YOLK_GEOMETRY = YolkShellParams(yolk_radius=40 * NM, void_thickness=12 * NM, shell_thickness=10 * NM, variant="octant",
                                h_fine=5 * NM, h_coarse=10 * NM, h_contact=5 * NM)
# the shell takes no Li here (c_max = 0), so it does not swell and the closure SOC is the
# yolk's alone
YOLK_MATERIALS = {"yolk": DATABASE["LixSi"], "shell": dataclasses.replace(DATABASE["carbon"], c_max=0.0, Omega=0.0)}
YOLK_DSOC = 0.025  # yolk SOC per step
YOLK_END = 0.5  # stop when the yolk's mean SOC reaches this


def yolk_problem(comm, degree: int = 2) -> ChemoMechanicalProblem:
    md = build_yolk_shell(comm, YOLK_GEOMETRY)
    return ChemoMechanicalProblem(comm, md, YOLK_MATERIALS, PhysicsOptions(stress_coupling=False, displacement_degree=degree),
                                  pairs=[ContactPairSpec("yolk_shell", "yolk_surface", "shell_inner")])


def yolk(comm, pb: ChemoMechanicalProblem | None = None) -> dict:
    """Lithiate the yolk at 1C (of the yolk's capacity) until its mean SOC reaches
    ``YOLK_END``; returns ``{"history": [rows], "dt": last step [s]}``, each row with
    ``soc_yolk``, the pair's gap / area / force and the shell's interface hoop stress.

    Raises:
        RuntimeError: a step did not converge.
    """
    pb = pb or yolk_problem(comm)
    post = PostProcessor(pb)
    pb.set_galvanostatic(pb.flux_for_c_rate(1.0))
    dt = YOLK_DSOC * 3600.0
    rows = []
    while not rows or rows[-1]["soc_yolk"] < YOLK_END - 1e-9:
        stats = pb.step(dt)
        if not stats.converged:
            raise RuntimeError(f"yolk-shell step did not converge: {stats.reason}")
        pb.accept()
        post.update_fields()
        m = post.metrics()
        rows.append({k: m[k] for k in ("soc_yolk", "contact_yolk_shell_gap_min_m", "contact_yolk_shell_area_m2",
                                       "contact_yolk_shell_area_ref_m2", "contact_yolk_shell_force_N",
                                       "hoop_max_shell_inner_shell_Pa", "volume_change_yolk_pct")}
                    | {"newton": stats.newton_iterations})
    return {"history": rows, "dt": dt}


if __name__ == "__main__":
    comm = MPI.COMM_WORLD
    result = {"patch": patch, "yolk": yolk}[sys.argv[1]](comm)
    if comm.rank == 0:
        with open(sys.argv[2], "w") as f:
            json.dump(result, f)
