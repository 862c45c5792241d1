"""SLURM job arrays for sweeps: one array task per sweep run.

The sbatch script written by :func:`sbatch_script` runs
``anodemech sweep task CASE --out SWEEP_DIR --index $SLURM_ARRAY_TASK_ID --ranks K`` in each
array task, inside Apptainer when an image is given. The task skips a complete run, and a
run that another live task holds (flock), so resubmitting the same script after a wall-time
kill only redoes what is missing. MPI ranks of one run start with ``mpirun`` (Open MPI
reads the SLURM allocation) or, with ``--mpi-launcher srun``, with ``srun``; a run stays on
one node (``--nodes=1``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from anodemech.errors import CaseError
from anodemech.sweep import Sweep, SweepDirectory

_TIME = re.compile(r"^(\d+-)?\d{1,3}:\d{2}:\d{2}$")


def sbatch_script(sweep: Sweep, sd: SweepDirectory, partition: str, walltime: str, ntasks: int,
                  array_max: int | None = None, container: str | None = None, mpi_launcher: str = "mpirun",
                  workdir: str | Path | None = None) -> str:
    """The text of the sbatch script of a sweep.

    Args:
        sweep, sd: the expanded sweep and its directory.
        partition: SLURM partition.
        walltime: time limit of one array task, ``HH:MM:SS`` or ``D-HH:MM:SS``.
        ntasks: MPI ranks per run (1..256).
        array_max: at most this many array tasks at once (``%M``), or None.
        container: an Apptainer image (``.sif``) to run each task in, or None.
        mpi_launcher: ``mpirun`` or ``srun``.
        workdir: the directory the tasks start in (default: the current one).

    Raises:
        CaseError: a bad partition, time, task count, array limit, launcher or image
            (keys ``--partition``, ``--time``, ``--ntasks``, ``--array-max``,
            ``--mpi-launcher``, ``--container``).
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", partition or ""):
        raise CaseError("--partition", f"{partition!r}", "a partition name (letters, digits, _ . -)")
    if not _TIME.match(walltime):
        raise CaseError("--time", f"{walltime!r}", "HH:MM:SS or D-HH:MM:SS")
    if not 1 <= ntasks <= 256:
        raise CaseError("--ntasks", f"{ntasks}", "1..256")
    if array_max is not None and array_max < 1:
        raise CaseError("--array-max", f"{array_max}", ">= 1")
    if mpi_launcher not in ("mpirun", "srun"):
        raise CaseError("--mpi-launcher", f"{mpi_launcher!r}", "mpirun, srun")
    if container is not None and not Path(container).is_file():
        raise CaseError("--container", f"{container} is not a file", "an Apptainer image, e.g. anodemech.sif")
    workdir = Path(workdir or os.getcwd()).resolve()
    n = len(sweep.runs)
    array = f"0-{n - 1}" + (f"%{array_max}" if array_max else "")
    src = Path(__file__).resolve().parents[1]
    case = Path(sweep.case_path).resolve()
    task = ["-m", "anodemech", "sweep", "task", str(case), "--out", str(sd.path), "--index", "$SLURM_ARRAY_TASK_ID",
            "--ranks", str(ntasks)]
    if container:
        binds = ",".join(sorted({str(workdir), str(sd.path), str(case.parent), str(src)}))
        python = ["apptainer", "exec", "--bind", binds, str(Path(container).resolve()), "python3"]
    else:
        python = [sys.executable]
    line = " ".join(shlex.quote(a) if not a.startswith("$") else f'"{a}"' for a in [*python, *task])
    lines = [
        "#!/bin/bash",
        f"# anodemech sweep {sweep.name}: {n} runs as a job array (written by anodemech slurm)",
        f"#SBATCH --job-name=anodemech-{sweep.name}"[:80],
        f"#SBATCH --partition={partition}",
        f"#SBATCH --time={walltime}",
        "#SBATCH --nodes=1",
        f"#SBATCH --ntasks={ntasks}",
        f"#SBATCH --array={array}",
        f"#SBATCH --output={sd.path}/slurm/%A_%a.out",
        "set -euo pipefail",
        f"cd {shlex.quote(str(workdir))}",
        "export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1",
        f"export PYTHONPATH={shlex.quote(str(src))}${{PYTHONPATH:+:$PYTHONPATH}}",
        f"export ANODEMECH_MPI_LAUNCHER={mpi_launcher}",
        "# a complete run is skipped, so resubmitting this script only redoes what is missing",
        line,
        "",
    ]
    return "\n".join(lines)


def write_and_submit(sweep: Sweep, sd: SweepDirectory, script: str, dry_run: bool) -> tuple[Path, str | None]:
    """Write ``<sweep dir>/slurm/submit.sbatch`` and, unless ``dry_run``, submit it.

    Returns:
        The script path and the job id (None for a dry run).

    Raises:
        CaseError: ``sbatch`` is missing or refuses the script (key ``slurm``).
    """
    sd.prepare()
    (sd.path / "slurm").mkdir(exist_ok=True)
    path = sd.path / "slurm" / "submit.sbatch"
    path.write_text(script)
    path.chmod(0o755)
    if dry_run:
        return path, None
    exe = shutil.which("sbatch")
    if exe is None:
        raise CaseError("slurm", "sbatch not found on this machine", "a SLURM login node, or --dry-run")
    res = subprocess.run([exe, "--parsable", str(path)], capture_output=True, text=True)
    if res.returncode != 0:
        raise CaseError("slurm", f"sbatch refused {path}: {res.stderr.strip()}")
    return path, res.stdout.strip().split(";")[0]
