"""Parameter sweeps: expansion of a case's ``[sweep]`` table, resumable execution, index.

A sweep case is an ordinary case file with a ``[sweep]`` table::

    [sweep.grid]                       # Cartesian product
    "geometry.core_radius" = ["50 nm", "75 nm", "100 nm"]
    "geometry.shell_thickness" = ["5 nm", "10 nm", "20 nm"]

or an explicit list of points::

    [[sweep.points]]
    "geometry.core_radius" = "50 nm"
    "loading.c_rate" = 2.0

A key is any dotted case key (``regions.core.E``, ``stages.0.until_soc``). Two shorthands
address every galvanostatic stage at once: ``stages.*.c_rate`` and its alias
``loading.c_rate`` set the C-rate magnitude of every stage that has one and keep its sign
(lithiation > 0, delithiation < 0).

Every expanded run is validated like a case file before anything runs. Its identifier is
a hash of its swept values in SI (``"50 nm"`` and ``5e-8`` give the same run), so the
same sweep expands the same way twice.

Sweep directory (default ``results/<case>/sweep``)::

    sweep.json          the expansion: keys, runs (id, values, overrides), report settings
    runs/<id>/          one run directory per run (see anodemech.io: COMPLETE / INCOMPLETE)
    runs/<id>.lock      held (flock) by the process running it, released when it dies
    attempts/<id>-<k>/  earlier failed or interrupted attempts, kept for diagnosis
    logs/<id>.log       the run's stdout and stderr
    index.csv           one row per run (``anodemech sweep collect``); index.parquet too
                        when pyarrow is installed

A run counts as done only when its directory holds ``COMPLETE``, which a run creates by
an atomic rename after its last output; ``failed`` runs keep ``INCOMPLETE``. A second
invocation skips complete runs, continues killed runs that wrote a restart point
(``anodemech run --restart``), moves failed or other half-written ones to ``attempts/``
and runs them again, and never touches a run whose lock another live process holds.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import itertools
import json
import logging
import math
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from anodemech.errors import CaseError

log = logging.getLogger("anodemech")

#: shorthand keys -> the wildcard they stand for
ALIASES = {"loading.c_rate": "stages.*.c_rate"}
REPORT_KEYS = ("x", "y", "outputs", "limits", "render")


@dataclass(frozen=True)
class SweepRun:
    """One expanded run.

    Attributes:
        run_id: stable identifier (10 hex digits of a SHA-256 of the SI values).
        index: position in the expansion (0-based; SLURM array task id).
        values: swept key -> value as written in the case file.
        si: swept key -> value in SI (floats) or as written (strings, booleans).
        settings: ``--set`` strings that turn the base case into this run.
    """

    run_id: str
    index: int
    values: dict
    si: dict
    settings: tuple[str, ...]


@dataclass(frozen=True)
class Limit:
    """A design limit for the report: ``output`` must stay at or below ``max`` (SI)."""

    output: str
    max: float
    label: str


@dataclass(frozen=True)
class ReportSpec:
    """``[report]``: the design map's axes, the outputs to map, limits, renderings."""

    x: str | None = None
    y: str | None = None
    outputs: tuple[str, ...] = ()
    limits: tuple[Limit, ...] = ()
    render: int = 2


@dataclass(frozen=True)
class Sweep:
    """An expanded sweep.

    Attributes:
        case_path: the case file.
        name: the case name.
        keys: swept keys, in the order of the file.
        runs: the expanded runs.
        report: report settings.
    """

    case_path: str
    name: str
    keys: tuple[str, ...]
    runs: tuple[SweepRun, ...]
    report: ReportSpec = field(default_factory=ReportSpec)

    def run(self, index: int) -> SweepRun:
        """The run at ``index``; raises :class:`CaseError` (key ``--index``) if out of range."""
        if not 0 <= index < len(self.runs):
            raise CaseError("--index", f"{index} is not a run of this sweep", f"0..{len(self.runs) - 1}")
        return self.runs[index]


# --------------------------------------------------------------------------- expansion
def load_sweep(path: str | Path) -> Sweep:
    """Read a case file with a ``[sweep]`` table and expand it.

    Raises:
        CaseError: no ``[sweep]`` table; an unknown key in it; an empty grid or point list;
            a grid whose values mix types (numbers, strings, booleans); points that do not
            all set the same keys; duplicate runs; or any expanded run that is not a valid
            case (the message names the run's values and the key).
    """
    from anodemech.case import _merge, load_case, parse_case, settings_to_overrides

    path = Path(path)
    base = load_case(path)  # the base case must be valid on its own
    raw = base.raw
    if "sweep" not in raw:
        raise CaseError("sweep", f"{path} has no [sweep] table", "[sweep.grid] or [[sweep.points]]")
    spec = raw["sweep"]
    if not isinstance(spec, dict):
        raise CaseError("sweep", "expected a table", "[sweep.grid] or [[sweep.points]]")
    for k in spec:
        if k not in ("grid", "points"):
            raise CaseError(f"sweep.{k}", "unknown key", "grid, points")
    if ("grid" in spec) == ("points" in spec):
        raise CaseError("sweep", "needs exactly one of grid and points")
    if "grid" in spec:
        keys, combos = _grid(spec["grid"])
    else:
        keys, combos = _points(spec["points"])
    runs, seen = [], {}
    for i, combo in enumerate(combos):
        values = dict(zip(keys, combo))
        settings = tuple(s for k, v in values.items() for s in _settings(k, v, raw))
        where = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        try:
            parse_case(_merge(_strip(raw), settings_to_overrides(list(settings))), str(path))
        except CaseError as exc:
            raise CaseError(f"sweep ({where})", str(exc)) from None
        si = {k: _si_value(v) for k, v in values.items()}
        run_id = hashlib.sha256(json.dumps(si, sort_keys=True).encode()).hexdigest()[:10]
        if run_id in seen:
            raise CaseError("sweep", f"runs {seen[run_id]} and {i} are the same point ({where})", "distinct points")
        seen[run_id] = i
        runs.append(SweepRun(run_id=run_id, index=i, values=values, si=si, settings=settings))
    return Sweep(case_path=str(path), name=base.name, keys=tuple(keys), runs=tuple(runs), report=_report(raw, keys))


def _strip(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k not in ("sweep", "report")}


def _flatten(table: dict, prefix: str = "") -> dict:
    """``{"geometry": {"core_radius": [...]}}`` -> ``{"geometry.core_radius": [...]}`` (TOML
    reads an unquoted dotted key as nested tables)."""
    out = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _kind(v) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return type(v).__name__


def _grid(table):
    if not isinstance(table, dict):
        raise CaseError("sweep.grid", "expected a table of key = [values]")
    flat = _flatten(table)
    if not flat:
        raise CaseError("sweep.grid", "empty grid", 'at least one key, e.g. "geometry.core_radius" = ["50 nm", "75 nm"]')
    for k, vals in flat.items():
        if not isinstance(vals, list) or not vals:
            raise CaseError(f"sweep.grid.{k}", f"expected a non-empty array of values, got {vals!r}", '["50 nm", "75 nm"]')
        kinds = {_kind(v) for v in vals}
        if len(kinds) > 1:
            raise CaseError(f"sweep.grid.{k}", f"values of conflicting types ({', '.join(sorted(kinds))}): {vals!r}",
                            "all numbers, all quantity strings or all booleans")
        if kinds - {"number", "string", "boolean"}:
            raise CaseError(f"sweep.grid.{k}", f"values must be numbers, strings or booleans, got {vals!r}")
    keys = list(flat)
    return keys, list(itertools.product(*(flat[k] for k in keys)))


def _points(points):
    if not isinstance(points, list) or not points:
        raise CaseError("sweep.points", "expected a non-empty array of tables [[sweep.points]]")
    flats = []
    for i, p in enumerate(points):
        if not isinstance(p, dict) or not p:
            raise CaseError(f"sweep.points[{i}]", "expected a non-empty table of key = value")
        flats.append(_flatten(p))
    keys = list(flats[0])
    for i, f in enumerate(flats):
        if set(f) != set(keys):
            raise CaseError(f"sweep.points[{i}]", f"sets keys {sorted(f)}, point 0 sets {sorted(keys)}",
                            "every point sets the same keys")
        for k, v in f.items():
            if _kind(v) not in ("number", "string", "boolean"):
                raise CaseError(f"sweep.points[{i}].{k}", f"expected a number, string or boolean, got {v!r}")
            if _kind(v) != _kind(flats[0][k]):
                raise CaseError(f"sweep.points[{i}].{k}", f"{_kind(v)} here, {_kind(flats[0][k])} in point 0",
                                "the same type in every point")
    return keys, [tuple(f[k] for k in keys) for f in flats]


def _toml_literal(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a TOML basic string
    return repr(float(v)) if isinstance(v, float) else str(v)


def _settings(key: str, value, raw: dict) -> list[str]:
    """``--set`` strings for one swept key (wildcards expanded over the stages)."""
    key = ALIASES.get(key, key)
    parts = key.split(".")
    if parts[0] == "sweep" or parts[0] == "report":
        raise CaseError(f"sweep.{key}", "cannot sweep the sweep or report settings")
    if len(parts) == 3 and parts[0] == "stages" and parts[1] == "*":
        name = parts[2]
        hits = [i for i, st in enumerate(raw.get("stages", [])) if name in st]
        if not hits:
            raise CaseError(f"sweep.{key}", f"no stage has {name!r}", "a key that some [[stages]] set")
        out = []
        for i in hits:
            v = value
            if name == "c_rate":
                if _kind(value) != "number" or value <= 0:
                    raise CaseError(f"sweep.{key}", f"{value!r}: a C-rate magnitude", "> 0 (the sign of each stage is kept)")
                v = math.copysign(float(value), raw["stages"][i]["c_rate"])
            out.append(f"stages.{i}.{name}={_toml_literal(v)}")
        return out
    if "*" in parts:
        raise CaseError(f"sweep.{key}", "a wildcard is only allowed as stages.*.<key>", "stages.*.c_rate, loading.c_rate")
    return [f"{key}={_toml_literal(value)}"]


def _si_value(value):
    """The swept value in SI: numbers as floats, quantity strings as "<magnitude> <base unit>",
    other strings and booleans as written."""
    if _kind(value) == "number":
        return float(value)
    if isinstance(value, str):
        from anodemech.units import _registry

        try:
            q = _registry().Quantity(value)
            if hasattr(q, "to_base_units"):
                q = q.to_base_units()
                return f"{q.magnitude:.12g} {q.units:~}".strip()
        except Exception:  # a plain string (a material name, a variant)
            pass
    return value


def _report(raw: dict, keys: list[str]) -> ReportSpec:
    from anodemech.units import to_si

    t = raw.get("report", {})
    if not isinstance(t, dict):
        raise CaseError("report", "expected a table")
    for k in t:
        if k not in REPORT_KEYS:
            raise CaseError(f"report.{k}", "unknown key", ", ".join(REPORT_KEYS))
    x = t.get("x", keys[0] if keys else None)
    y = t.get("y", keys[1] if len(keys) > 1 else None)
    if y == "":  # no second axis: curves over x (e.g. a points sweep whose keys change together)
        y = None
    for name, v in (("x", x), ("y", y)):
        if v is not None and v not in keys:
            raise CaseError(f"report.{name}", f"{v!r} is not a swept key", ", ".join(keys))
    limits = []
    for i, lim in enumerate(t.get("limits", [])):
        key = f"report.limits[{i}]"
        if not isinstance(lim, dict) or "output" not in lim or "max" not in lim:
            raise CaseError(key, "expected a table with output and max", '{ output = "hoop_max_shell_Pa", max = "1.2 GPa" }')
        for k in lim:
            if k not in ("output", "max", "label"):
                raise CaseError(f"{key}.{k}", "unknown key", "output, max, label")
        out = str(lim["output"])
        dim = "pressure" if out.endswith("_Pa") else "length" if out.endswith("_m") else "dimensionless"
        limits.append(Limit(output=out, max=to_si(lim["max"], dim, f"{key}.max"), label=str(lim.get("label", out))))
    outputs = t.get("outputs", [lim.output for lim in limits] or ["von_mises_max_overall_Pa"])
    if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
        raise CaseError("report.outputs", f"expected an array of index columns, got {outputs!r}")
    render = t.get("render", 2)
    if not isinstance(render, int) or isinstance(render, bool) or not 0 <= render <= 20:
        raise CaseError("report.render", f"{render!r}", "an integer 0..20 (runs rendered in the report)")
    return ReportSpec(x=x, y=y, outputs=tuple(outputs), limits=tuple(limits), render=render)


# --------------------------------------------------------------------------- directory
class SweepDirectory:
    """The files of one sweep (see the module docstring for the layout)."""

    def __init__(self, sweep: Sweep, path: str | Path):
        self.sweep = sweep
        self.path = Path(path).resolve()

    @staticmethod
    def default_path(sweep: Sweep) -> Path:
        return Path("results") / sweep.name / "sweep"

    def prepare(self):
        """Create the folders and write ``sweep.json`` (atomically)."""
        for sub in ("runs", "logs", "attempts"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        s = self.sweep
        doc = {"case": str(Path(s.case_path).resolve()), "name": s.name, "keys": list(s.keys),
               "report": {"x": s.report.x, "y": s.report.y, "outputs": list(s.report.outputs), "render": s.report.render,
                          "limits": [vars(lim) for lim in s.report.limits]},
               "runs": [{"id": r.run_id, "index": r.index, "values": r.values, "si": r.si, "settings": list(r.settings)}
                        for r in s.runs]}
        # one temporary file per process: the tasks of a SLURM array prepare the same sweep
        # at the same moment, and a shared name let one task rename another's file away
        # (FileNotFoundError in a resubmitted array, measured)
        tmp = self.path / f"sweep.json.{socket.gethostname()}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(doc, indent=2) + "\n")
        os.replace(tmp, self.path / "sweep.json")

    def run_dir(self, run: SweepRun) -> Path:
        return self.path / "runs" / run.run_id

    def status(self, run: SweepRun) -> str:
        """``complete``, ``failed``, ``incomplete`` (killed or running) or ``pending``."""
        d = self.run_dir(run)
        if (d / "COMPLETE").exists():
            return "complete"
        if not d.exists():
            return "pending"
        try:
            info = json.loads((d / "run.json").read_text())
        except (OSError, ValueError):
            return "incomplete"
        return "failed" if info.get("status") == "failed" else "incomplete"

    def lock(self, run: SweepRun):
        """An open file holding an exclusive flock on the run's lock file, or None if
        another live process holds it. The lock dies with the last process holding the fd."""
        fh = open(self.path / "runs" / f"{run.run_id}.lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            return None
        return fh

    def retire(self, run: SweepRun):
        """Move an unfinished attempt to ``attempts/<id>-<k>`` (call with the lock held)."""
        d = self.run_dir(run)
        if not d.exists():
            return
        k = 1
        while (self.path / "attempts" / f"{run.run_id}-{k}").exists():
            k += 1
        os.replace(d, self.path / "attempts" / f"{run.run_id}-{k}")


def run_command(sweep: Sweep, sd: SweepDirectory, run: SweepRun, ranks: int, restart: bool = False) -> list[str]:
    """The ``anodemech run`` command line of one sweep run (``restart``: continue it from its
    newest restart point)."""
    cmd = [sys.executable, "-m", "anodemech", "run", str(Path(sweep.case_path).resolve()),
           "--restart" if restart else "--out", str(sd.run_dir(run)), "--no-progress", "-q", "-n", str(ranks)]
    return cmd + [f"--set={s}" for s in run.settings]


def execute(sweep: Sweep, sd: SweepDirectory, run: SweepRun, ranks: int = 1) -> str:
    """Run one sweep run unless it is complete or locked by a live process.

    Returns:
        ``"complete"`` (already done), ``"busy"`` (another process runs it), or the outcome
        of this attempt: ``"done"`` or ``"failed"``.
    """
    if sd.status(run) == "complete":
        return "complete"
    fh = sd.lock(run)
    if fh is None:
        return "busy"
    try:
        status = sd.status(run)
        if status == "complete":  # finished between the check and the lock
            return "complete"
        # a killed run with a restart point continues from it; anything else starts afresh
        restart = status == "incomplete" and (sd.run_dir(run) / "restart" / "restart.json").exists()
        if not restart:
            sd.retire(run)
        env = {**os.environ, "ANODEMECH_SWEEP_RUN": run.run_id,
               "PYTHONPATH": str(Path(__file__).resolve().parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        with open(sd.path / "logs" / f"{run.run_id}.log", "a" if restart else "w") as logf:
            # the child inherits the locked descriptor: the lock outlives this process if it is killed
            rc = subprocess.call(run_command(sweep, sd, run, ranks, restart), stdout=logf, stderr=subprocess.STDOUT,
                                 env=env, pass_fds=(fh.fileno(),))
        return "done" if rc == 0 and sd.status(run) == "complete" else "failed"
    finally:
        fh.close()


def run_sweep(sweep: Sweep, sd: SweepDirectory, jobs: int = 1, ranks: int = 1, progress: bool = True) -> dict:
    """Run every run that is not complete, ``jobs`` at a time (each with ``ranks`` MPI ranks).

    Returns:
        Counts ``{"complete", "done", "failed", "busy"}``; ``complete`` counts runs that were
        already complete before this call.
    """
    sd.prepare()
    counts = {"complete": 0, "done": 0, "failed": 0, "busy": 0}
    todo = []
    for r in sweep.runs:
        if sd.status(r) == "complete":
            counts["complete"] += 1
        else:
            todo.append(r)
    log.info("sweep %s: %d runs, %d complete, %d to run (%d at a time, %d rank(s) each)", sweep.name, len(sweep.runs),
             counts["complete"], len(todo), jobs, ranks)
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="run", dynamic_ncols=True)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(execute, sweep, sd, r, ranks): r for r in todo}
        for fut in as_completed(futures):
            outcome = fut.result()
            counts[outcome] += 1
            if outcome == "failed":
                log.warning("run %s failed: see %s", futures[fut].run_id, sd.path / "logs" / f"{futures[fut].run_id}.log")
            if bar is not None:
                bar.set_postfix_str(f"done {counts['done']} failed {counts['failed']} busy {counts['busy']}")
                bar.update(1)
    if bar is not None:
        bar.close()
    log.info("sweep %s: %d done, %d failed, %d busy elsewhere, %d were complete (%.1f s)", sweep.name, counts["done"],
             counts["failed"], counts["busy"], counts["complete"], time.perf_counter() - t0)
    return counts


# --------------------------------------------------------------------------- index
def summarize_run(run_dir: Path) -> dict:
    """Key outputs of one run directory (SI), from ``history.csv`` and ``run.json``.

    Keys: ``status``; per region ``von_mises_max_<r>_Pa``, ``hoop_max_<r>_Pa`` (largest
    hoop stress on any named surface of the region), ``max_principal_max_<r>_Pa`` and, where
    the region has fracture data, ``strength_index_<r>`` and ``energy_release_rate_index_<r>``
    (:mod:`anodemech.fracture`), each with ``<column>_stage`` (the stage of the largest value)
    and ``<column>_exceeded_soc`` (SOC of the first step at which the index is >= 1, NaN if
    never), and ``energy_release_rate_max_<r>_J_m2`` (largest G on any named surface of the
    region [J/m^2]), ``volume_change_<r>_pct`` (final) and
    ``volume_change_max_<r>_pct``; ``von_mises_max_overall_Pa``, ``hydrostatic_min_Pa``,
    ``hydrostatic_max_Pa``; ``contact_onset_soc`` (SOC of the first step with a contact
    area, NaN without contact), ``contact_pressure_max_Pa``; with contacts,
    ``contact_fraction_final`` (last step) and ``contact_fraction_min`` (over the cycle) of
    the part of the contact surface in contact, the smallest over the contacts; ``final_soc``, ``steps``,
    ``sim_time_s``, ``wall_time_s``; ``failure`` (message of a failed run). Maxima are taken
    over the whole cycle (all recorded steps).
    """
    out: dict = {"status": "pending"}
    info = {}
    try:
        info = json.loads((run_dir / "run.json").read_text())
    except (OSError, ValueError):
        pass
    if (run_dir / "COMPLETE").exists():
        out["status"] = "complete"
    elif info:
        out["status"] = "failed" if info.get("status") == "failed" else "incomplete"
    if "failure" in info:
        out["failure"] = info["failure"].get("message", "")
    rows = []
    try:
        with open(run_dir / "history.csv") as fh:
            rows = list(csv.DictReader(fh))
    except OSError:
        pass
    if not rows:
        return out
    cols = list(rows[0])
    num = {c: [float(r[c]) for r in rows] for c in cols if c != "stage"}
    regions = [c[len("soc_"):] for c in cols if c.startswith("soc_")]
    vm_all = []
    for r in regions:
        if f"von_mises_max_{r}_Pa" in num:
            out[f"von_mises_max_{r}_Pa"] = max(num[f"von_mises_max_{r}_Pa"])
            vm_all.append(out[f"von_mises_max_{r}_Pa"])
        hoops = [c for c in num if c.startswith("hoop_max_") and c.endswith(f"_{r}_Pa")]
        if hoops:
            out[f"hoop_max_{r}_Pa"] = max(max(num[c]) for c in hoops)
        for c in (f"max_principal_max_{r}_Pa", f"strength_index_{r}", f"energy_release_rate_index_{r}"):
            if c in num:  # fracture indicators: largest over the cycle
                out[c] = max(num[c])
        for c in (f"strength_index_{r}", f"energy_release_rate_index_{r}"):
            if c in num:  # where the largest value is, and the first SOC at which it reaches 1
                i_max = max(range(len(rows)), key=lambda i: num[c][i])
                out[f"{c}_stage"] = rows[i_max]["stage"]
                out[f"{c}_exceeded_soc"] = next((num["soc"][i] for i in range(len(rows)) if num[c][i] >= 1.0), float("nan"))
        errs = [c for c in num if c.startswith("energy_release_rate_max_") and c.endswith(f"_{r}_J_m2")]
        if errs:
            out[f"energy_release_rate_max_{r}_J_m2"] = max(max(num[c]) for c in errs)
        if f"volume_change_{r}_pct" in num:
            out[f"volume_change_{r}_pct"] = num[f"volume_change_{r}_pct"][-1]
            out[f"volume_change_max_{r}_pct"] = max(num[f"volume_change_{r}_pct"])
    if vm_all:
        out["von_mises_max_overall_Pa"] = max(vm_all)
    for c in ("hydrostatic_min_Pa", "hydrostatic_max_Pa"):
        if c in num:
            out[c] = (min if c.endswith("min_Pa") else max)(num[c])
    areas = [c for c in num if c.startswith("contact_") and c.endswith("_area_m2")]
    onset = float("nan")
    for i in range(len(rows)):
        if any(num[c][i] > 0 for c in areas):
            onset = num["soc"][i]
            break
    out["contact_onset_soc"] = onset
    pres = [c for c in num if c.startswith("contact_") and c.endswith("_pressure_max_Pa")]
    out["contact_pressure_max_Pa"] = max(max(num[c]) for c in pres) if pres else 0.0
    fractions = [c for c in num if c.startswith("contact_") and c.endswith("_fraction")]
    if fractions:  # the smallest over the contacts
        out["contact_fraction_final"] = min(num[c][-1] for c in fractions)
        out["contact_fraction_min"] = min(min(num[c]) for c in fractions)
    out["final_soc"] = num["soc"][-1]
    out["steps"] = int(num["step"][-1])
    out["sim_time_s"] = num["time_s"][-1]
    out["wall_time_s"] = info.get("wall_time_s", float("nan"))
    return out


def collect(sweep: Sweep, sd: SweepDirectory) -> tuple[Path, list[dict]]:
    """Write ``index.csv`` (and ``index.parquet`` if pyarrow is installed): one row per run
    with ``run_id``, ``index``, the swept values (as written and, for quantities, in SI as
    ``<key> [SI]``), and :func:`summarize_run`'s outputs. Returns the CSV path and the rows."""
    sd.prepare()
    rows = []
    for r in sweep.runs:
        row = {"run_id": r.run_id, "index": r.index}
        for k in sweep.keys:
            row[k] = r.values[k]
            if isinstance(r.si[k], str) and r.si[k] != r.values[k]:
                row[f"{k} [SI]"] = float(r.si[k].split()[0])
        row.update(summarize_run(sd.run_dir(r)))
        rows.append(row)
    cols: list[str] = []
    for row in rows:
        cols += [c for c in row if c not in cols]
    path = sd.path / "index.csv"
    tmp = sd.path / "index.csv.tmp"
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, restval="")
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, path)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        pq = None
    if pq is not None:
        table = pa.Table.from_pylist([{c: (str(row.get(c)) if c in sweep.keys else row.get(c)) for c in cols} for row in rows])
        pq.write_table(table, sd.path / "index.parquet")
    return path, rows


def read_sweep_json(path: Path) -> dict:
    """``sweep.json`` of a sweep directory (raises CaseError if ``path`` is not one)."""
    try:
        return json.loads((Path(path) / "sweep.json").read_text())
    except (OSError, ValueError):
        raise CaseError("SWEEP_OR_RUN", f"{path} is not a sweep directory (no readable sweep.json)") from None

