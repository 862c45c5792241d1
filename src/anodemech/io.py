"""Run directories, history, ParaView fields and checkpoints. Files are written on rank 0
only, except the parallel ADIOS2 writers, which every rank enters collectively.

A run directory is marked ``INCOMPLETE`` from its creation until the run finishes; only
then is ``COMPLETE`` created (atomically, by rename) and ``run.json``'s ``status`` set to
``"complete"``. A failed run keeps ``INCOMPLETE`` and gets ``status = "failed"`` with a
report; a killed run keeps ``INCOMPLETE`` and ``status = "running"``.

Layout::

    run.json          resolved inputs (SI), versions, ranks, git revision, status
    history.csv       one row per accepted time step
    fields.bp/        VTX time series (ParaView: open with the ADIOS2VTXReader)
    checkpoint.bp/    adios4dolfinx checkpoint of the same fields (used by ``anodemech probe``)
    restart/          restart points: state_<step>.bp (u and theta, input ordering, so a
                      restart may use another number of ranks) and restart.json (stepper)
    fields.part<k>.bp, checkpoint.part<k>.bp
                      the field series written before the k-th restart
    mesh.xdmf         mesh with region and surface tags
    *.png             history plots and the von Mises rendering
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import os
import subprocess
from pathlib import Path

from anodemech.errors import CaseError


class RunDirectory:
    """A fresh run directory (created on rank 0, path shared with all ranks).

    Args:
        path: directory to create; must not exist or be empty.
        comm: communicator.

    Raises:
        CaseError: the directory exists and is not empty (key ``--out``).
    """

    def __init__(self, path: str | Path, comm):
        self.path = Path(path).resolve()
        self.comm = comm
        err = None
        if comm.rank == 0:
            if self.path.exists() and any(self.path.iterdir()):
                err = f"{self.path} exists and is not empty"
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                (self.path / "INCOMPLETE").write_text("This run has not finished; its results are partial.\n")
        err = comm.bcast(err, root=0)
        if err:
            raise CaseError("--out", err, "a new or empty directory")
        self.info: dict = {}
        self._history_keys: list[str] | None = None

    @classmethod
    def reopen(cls, path: str | Path, comm) -> "RunDirectory":
        """An existing, unfinished run directory with a restart point (``--restart``).

        Raises:
            CaseError: no such run, already complete, or no restart point (key ``--restart``).
        """
        self = cls.__new__(cls)
        self.path = Path(path).resolve()
        self.comm = comm
        err = None
        if comm.rank == 0:
            if not (self.path / "run.json").exists():
                err = f"{self.path} is not a run directory (no run.json)"
            elif (self.path / "COMPLETE").exists():
                err = f"{self.path} is complete; nothing to restart"
            elif not (self.path / "restart" / "restart.json").exists():
                err = f"{self.path} has no restart point (output.restart_every / restart_minutes)"
        err = comm.bcast(err, root=0)
        if err:
            raise CaseError("--restart", err, "an unfinished run directory with restart/restart.json")
        self.info = json.loads((self.path / "run.json").read_text())
        self._history_keys = None
        return self

    def truncate_history(self, steps: int) -> list[dict]:
        """Keep the header and the rows of steps <= ``steps`` in ``history.csv`` (rank 0
        rewrites it atomically); returns the kept rows (on every rank)."""
        rows = None
        if self.comm.rank == 0:
            with open(self.path / "history.csv", newline="") as fh:
                reader = csv.DictReader(fh)
                keys = list(reader.fieldnames or [])
                rows = [r for r in reader if int(r["step"]) <= steps]
            tmp = self.path / "history.csv.tmp"
            with open(tmp, "w", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=keys)
                w.writeheader()
                w.writerows(rows)
            os.replace(tmp, self.path / "history.csv")
            self._history_keys = keys
        return self.comm.bcast(rows, root=0)

    def write_json(self, info: dict):
        """Write ``run.json`` (rank 0) atomically."""
        self.info = info
        if self.comm.rank == 0:
            tmp = self.path / "run.json.tmp"
            tmp.write_text(json.dumps(info, indent=2, default=_json_default) + "\n")
            os.replace(tmp, self.path / "run.json")

    def append_history(self, row: dict):
        """Append one row to ``history.csv`` (rank 0); the first row fixes the columns."""
        if self.comm.rank != 0:
            return
        new = self._history_keys is None
        if new:
            self._history_keys = list(row)
        with open(self.path / "history.csv", "a", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=self._history_keys, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow(row)
            fh.flush()

    def finish(self, status: str, **extra):
        """Record the final status; ``"complete"`` also swaps INCOMPLETE for COMPLETE."""
        self.write_json({**self.info, "status": status, "finished": _now(), **extra})
        if self.comm.rank == 0 and status == "complete":
            tmp = self.path / "COMPLETE.tmp"
            tmp.write_text("finished\n")
            os.replace(tmp, self.path / "COMPLETE")
            (self.path / "INCOMPLETE").unlink(missing_ok=True)
        self.comm.barrier()


class FieldWriter:
    """VTX time series plus an adios4dolfinx checkpoint of the post-processed fields.

    On a restart (``restart=True``) the series written so far are kept as
    ``fields.part<k>.bp`` / ``checkpoint.part<k>.bp`` and new ones begin."""

    def __init__(self, comm, path: Path, mesh, functions: dict, checkpoint: bool = True, restart: bool = False):
        from anodemech import compat

        if restart:
            if comm.rank == 0:
                k = 1
                while (path / f"fields.part{k}.bp").exists():
                    k += 1
                for stem in ("fields", "checkpoint"):
                    if (path / f"{stem}.bp").exists():
                        os.replace(path / f"{stem}.bp", path / f"{stem}.part{k}.bp")
            comm.barrier()
        self.functions = functions
        # Discontinuous P1 fields of different shapes share one VTX file (one element family/degree).
        self.writers = [compat.vtx_writer(comm, path / "fields.bp", list(functions.values()))]
        self.checkpoint = path / "checkpoint.bp" if checkpoint else None
        if self.checkpoint is not None:
            import adios4dolfinx

            adios4dolfinx.write_mesh(self.checkpoint, mesh)
        self.times: list[float] = []

    def write(self, t: float):
        """Write all fields at time ``t`` [s]."""
        for w in self.writers:
            w.write(t)
        if self.checkpoint is not None:
            import adios4dolfinx

            for f in self.functions.values():
                adios4dolfinx.write_function(self.checkpoint, f, time=t, name=f.name)
        self.times.append(t)

    def close(self):
        for w in self.writers:
            w.close()


class RestartPoints:
    """Restart points of a run: the state (u, theta) and the stepper's variables.

    Each point is its own ``restart/state_<step>.bp``, written with
    ``adios4dolfinx.write_function_on_input_mesh`` (the mesh's input ordering, so that any
    number of ranks can read it onto the same Gmsh mesh), and only then named in
    ``restart/restart.json`` (atomic rename): a run killed while writing keeps the previous
    point. The two newest points are kept.
    """

    def __init__(self, comm, path: Path):
        self.comm = comm
        self.dir = Path(path) / "restart"
        if comm.rank == 0:
            self.dir.mkdir(exist_ok=True)
        comm.barrier()

    def write(self, step: int, functions: dict, state: dict):
        """Write the functions (collapsed, non-mixed) and ``state`` (JSON-ready) as the
        restart point of ``step``."""
        import adios4dolfinx

        from anodemech.compat import adios2_mode

        bp = self.dir / f"state_{step}.bp"
        for i, (name, f) in enumerate(functions.items()):
            adios4dolfinx.write_function_on_input_mesh(bp, f, mode=adios2_mode("Write" if i == 0 else "Append"),
                                                       time=0.0, name=name)
        self.comm.barrier()
        if self.comm.rank == 0:
            doc = {**state, "step": step, "file": bp.name, "written": _now()}
            tmp = self.dir / "restart.json.tmp"
            tmp.write_text(json.dumps(doc, indent=2, default=_json_default) + "\n")
            os.replace(tmp, self.dir / "restart.json")
            import shutil

            points = sorted(self.dir.glob("state_*.bp"), key=lambda p: int(p.stem.split("_")[1]))
            for old in points[:-2]:
                shutil.rmtree(old, ignore_errors=True)
        self.comm.barrier()

    def read(self, functions: dict) -> dict:
        """Fill ``functions`` from the newest restart point; returns its state dict."""
        import adios4dolfinx

        doc = self.comm.bcast(json.loads((self.dir / "restart.json").read_text()) if self.comm.rank == 0 else None, root=0)
        for name, f in functions.items():
            adios4dolfinx.read_function(self.dir / doc["file"], f, time=0.0, name=name)
        return doc


def write_mesh_xdmf(comm, path: Path, md):
    """Mesh with its cell and facet tags (names in the XDMF tag attributes) for ParaView."""
    from dolfinx.io import XDMFFile

    md.mesh.topology.create_connectivity(md.mesh.topology.dim - 1, md.mesh.topology.dim)
    md.cell_tags.name = "regions"
    md.facet_tags.name = "surfaces"
    with XDMFFile(comm, str(path), "w") as xf:
        xf.write_mesh(md.mesh)
        xf.write_meshtags(md.cell_tags, md.mesh.geometry)
        xf.write_meshtags(md.facet_tags, md.mesh.geometry)


def versions() -> dict:
    """Versions of anodemech and its numerical stack."""
    import dolfinx
    import gmsh
    import petsc4py
    from petsc4py import PETSc

    import anodemech

    v = {"anodemech": anodemech.__version__, "dolfinx": dolfinx.__version__, "petsc": "%d.%d.%d" % PETSc.Sys.getVersion(),
         "petsc4py": petsc4py.__version__, "gmsh": gmsh.__version__}
    for mod in ("basix", "ufl", "ffcx", "mpi4py", "numpy", "adios4dolfinx", "pyvista", "matplotlib"):
        try:
            v[mod] = __import__(mod).__version__
        except Exception:  # optional packages
            v[mod] = None
    return v


def git_revision(path: Path) -> str | None:
    """``git describe --always --dirty`` of the tree holding ``path``, or None."""
    try:
        out = subprocess.run(["git", "-C", str(path), "describe", "--always", "--dirty", "--abbrev=12"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _json_default(o):
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)
