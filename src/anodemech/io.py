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
    fields.part<k>.bp the field series written before the k-th restart, only for runs
                      written without a checkpoint (with one, a restart copies the
                      earlier times into fields.bp and checkpoint.bp: one series)
    mesh.xdmf         mesh with region and surface tags
    *.png             history plots and the von Mises rendering
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

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

    On a restart (``restart=True``) the series written before the kill are first moved to
    ``fields.part1.bp`` / ``checkpoint.part1.bp``; :meth:`replay` then copies the stored
    times up to the restart point from ``checkpoint.part1.bp`` into the new series and
    deletes the parts, so that a restarted run still has one time series. A run written
    with ``output.checkpoint = false`` has no copy to replay: its earlier fields stay in
    ``fields.part<k>.bp``.
    """

    def __init__(self, comm, path: Path, mesh, functions: dict, checkpoint: bool = True, restart: bool = False):
        from anodemech import compat

        self.comm, self.path = comm, Path(path)
        self._replay_from: Path | None = None
        if restart:
            if comm.rank == 0:
                if (path / "checkpoint.part1.bp").exists():
                    # a replay was interrupted: the new series are partial copies of part1
                    for stem in ("fields", "checkpoint"):
                        shutil.rmtree(path / f"{stem}.bp", ignore_errors=True)
                else:
                    k = 1
                    while (path / f"fields.part{k}.bp").exists():
                        k += 1
                    for stem in ("fields", "checkpoint"):
                        if (path / f"{stem}.bp").exists():
                            os.replace(path / f"{stem}.bp", path / f"{stem}.part{k}.bp")
            comm.barrier()
            if checkpoint and (path / "checkpoint.part1.bp").exists():
                self._replay_from = path / "checkpoint.part1.bp"
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

    def replay(self, t_restart: float) -> int:
        """After a restart: write the fields stored before the kill at times <= ``t_restart``
        [s] into the new series, then delete the ``*.part1.bp`` copies. The functions are
        overwritten (call the post-processor's ``update_fields`` afterwards).

        Returns:
            The number of times replayed (0 without a checkpoint copy).
        """
        if self._replay_from is None:
            return 0
        import adios4dolfinx

        src = self._replay_from
        old_mesh = adios4dolfinx.read_mesh(src, self.comm)
        transfer = _DG1Transfer(self.comm, old_mesh, next(iter(self.functions.values())).function_space.mesh)
        first = next(iter(self.functions))
        times = np.asarray(adios4dolfinx.read_timestamps(src, self.comm, function_name=first), dtype=float)
        times = times[times <= t_restart * (1 + 1e-12) + 1e-300]
        old = {name: transfer.old_function(f) for name, f in self.functions.items()}
        for t in times:
            for name, f in self.functions.items():
                adios4dolfinx.read_function(src, old[name], time=float(t), name=name)
                transfer.apply(old[name], f)
            self.write(float(t))
        self.comm.barrier()
        if self.comm.rank == 0:
            for stem in ("fields", "checkpoint"):
                shutil.rmtree(self.path / f"{stem}.part1.bp", ignore_errors=True)
        self.comm.barrier()
        self._replay_from = None
        return len(times)

    def close(self):
        for w in self.writers:
            w.close()


class _DG1Transfer:
    """Exact copy of DG1 fields between two distributions of the same mesh: the mesh read
    back from a checkpoint (``old``) and the one the restarted run built with Gmsh
    (``new``), whose cell numbering and partition differ.

    Cells are matched by their centroids and the nodes of a cell by their coordinates (the
    two meshes hold the same float64 coordinates). The old values of every owned cell are
    gathered on all ranks, which costs memory of the order of one field on every rank; it
    is done once per field and stored time of a restart.

    Raises:
        RuntimeError: a cell or node of the new mesh has no counterpart in the old one.
    """

    def __init__(self, comm, old_mesh, new_mesh):
        import basix.ufl
        from dolfinx import fem
        from scipy.spatial import cKDTree

        self.comm, self.old_mesh = comm, old_mesh
        tdim = old_mesh.topology.dim
        Vo = fem.functionspace(old_mesh, basix.ufl.element("DG", old_mesh.basix_cell(), 1))
        Vn = fem.functionspace(new_mesh, basix.ufl.element("DG", new_mesh.basix_cell(), 1))
        n_owned = old_mesh.topology.index_map(tdim).size_local
        self._old_nodes = Vo.dofmap.list[:n_owned]  # (cells, nodes per cell)
        xo = Vo.tabulate_dof_coordinates()[self._old_nodes]  # (cells, nodes, 3)
        xo_all = np.concatenate(comm.allgather(xo))
        xn_nodes = Vn.dofmap.list  # every local cell, ghosts included
        xn = Vn.tabulate_dof_coordinates()[xn_nodes]
        dist, cell = cKDTree(xo_all.mean(axis=1)).query(xn.mean(axis=1))
        scale = float(np.ptp(xo_all.reshape(-1, 3), axis=0).max()) if xo_all.size else 1.0
        # node k of new cell i is node perm[i, k] of old cell cell[i]
        d = np.linalg.norm(xn[:, :, None, :] - xo_all[cell][:, None, :, :], axis=-1)
        perm = d.argmin(axis=2)
        bad = (dist > 1e-9 * scale) | (d.min(axis=2).max(axis=1, initial=0.0) > 1e-9 * scale)
        if comm.allreduce(int(bad.sum())):
            raise RuntimeError("restart: the checkpoint's mesh does not match the run's mesh")
        self._new_nodes = xn_nodes.ravel()
        self._src = (cell[:, None] * xo_all.shape[1] + perm).ravel()

    def old_function(self, f):
        """A DG1 function on the old mesh with the value shape of ``f``."""
        import basix.ufl
        from dolfinx import fem

        shape = tuple(f.ufl_shape)
        el = basix.ufl.element("DG", self.old_mesh.basix_cell(), 1, shape=shape if shape else None)
        return fem.Function(fem.functionspace(self.old_mesh, el), name=f.name)

    def apply(self, old, new):
        """Copy the values of ``old`` (old mesh) into ``new`` (new mesh)."""
        bs = int(np.prod(new.ufl_shape)) if new.ufl_shape else 1
        vals = old.x.array.reshape(-1, bs)[self._old_nodes].reshape(-1, bs)
        vals = np.concatenate(self.comm.allgather(vals))
        new.x.array.reshape(-1, bs)[self._new_nodes] = vals[self._src]


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
            doc = {**state, "step": step, "file": bp.name, "functions": list(functions), "written": _now()}
            tmp = self.dir / "restart.json.tmp"
            tmp.write_text(json.dumps(doc, indent=2, default=_json_default) + "\n")
            os.replace(tmp, self.dir / "restart.json")
            points = sorted(self.dir.glob("state_*.bp"), key=lambda p: int(p.stem.split("_")[1]))
            for old in points[:-2]:
                shutil.rmtree(old, ignore_errors=True)
        self.comm.barrier()

    def read(self, functions: dict, optional: dict | None = None) -> dict:
        """Fill ``functions`` from the newest restart point, and those of ``optional`` that
        the point holds; returns its state dict."""
        import adios4dolfinx

        doc = self.comm.bcast(json.loads((self.dir / "restart.json").read_text()) if self.comm.rank == 0 else None, root=0)
        stored = doc.get("functions", list(functions))
        for name, f in {**functions, **{k: v for k, v in (optional or {}).items() if k in stored}}.items():
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
