"""Sweeps: expansion and its errors, resumable execution (killed and resumed: the same index
as an uninterrupted sweep, nothing lost or duplicated), the results index and the report."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anodemech.errors import CaseError
from anodemech.sweep import load_sweep

from conftest import ROOT, run_anodemech
from sweep_cases import BASE, GRID_2x2, write_case

SWEEP_CASE = ROOT / "cases" / "sweep_core_shell_si_c.toml"


# --------------------------------------------------------------------------- expansion
def test_expand_grid_is_stable():
    a, b = load_sweep(SWEEP_CASE), load_sweep(SWEEP_CASE)
    assert len(a.runs) == 9 and a.keys == ("geometry.core_radius", "geometry.shell_thickness")
    assert [r.run_id for r in a.runs] == [r.run_id for r in b.runs]
    assert len({r.run_id for r in a.runs}) == 9
    # Cartesian product in file order: the last key varies fastest
    assert [r.values["geometry.shell_thickness"] for r in a.runs[:3]] == ["5 nm", "10 nm", "15 nm"]
    assert a.runs[0].si["geometry.core_radius"] == "4e-08 m"


def test_id_depends_on_si_values_only(tmp_path):
    nm = write_case(tmp_path, "a", sweep='[sweep.grid]\n"geometry.core_radius" = ["40 nm", "60 nm"]\n')
    si = write_case(tmp_path, "b", sweep='[sweep.grid]\n"geometry.core_radius" = ["4e-8 m", "0.06 um"]\n')
    assert [r.run_id for r in load_sweep(nm).runs] == [r.run_id for r in load_sweep(si).runs]


def test_expand_points_and_c_rate_wildcard(tmp_path):
    text = BASE.format(name="w", render="false", sweep='[[sweep.points]]\n"loading.c_rate" = 0.5\n'
                       '[[sweep.points]]\n"loading.c_rate" = 3.0\n')
    text = text.replace('until_soc = 0.3\n', 'until_soc = 0.3\n\n[[stages]]\nname = "d"\nmode = "galvanostatic"\n'
                        'c_rate = -1.0\nuntil_soc = 0.0\n', 1)
    p = tmp_path / "w.toml"
    p.write_text(text)
    sw = load_sweep(p)
    assert [r.settings for r in sw.runs] == [("stages.0.c_rate=0.5", "stages.1.c_rate=-0.5"),
                                             ("stages.0.c_rate=3.0", "stages.1.c_rate=-3.0")]


@pytest.mark.parametrize("sweep, key", [
    ('[sweep.grid]\n"geometry.core_radiu" = ["40 nm"]\n', "geometry.core_radiu"),          # unknown key
    ('[sweep.grid]\n"regions.core.E" = ["-3 GPa"]\n', "regions.core.E"),                   # out of range
    ('[sweep.grid]\n"geometry.core_radius" = ["40 nm", "2 s"]\n', "geometry.core_radius"),  # wrong unit
    ("[sweep.grid]\n", "sweep.grid"),                                                      # empty grid
    ('[sweep.grid]\n"geometry.core_radius" = []\n', "sweep.grid.geometry.core_radius"),   # empty values
    ('[sweep.grid]\n"geometry.core_radius" = ["40 nm", 6e-8]\n', "sweep.grid.geometry.core_radius"),  # mixed types
    ('[[sweep.points]]\n"geometry.core_radius" = "40 nm"\n[[sweep.points]]\n"geometry.shell_thickness" = "5 nm"\n',
     "sweep.points[1]"),                                                                   # points disagree
    ('[[sweep.points]]\n"geometry.core_radius" = "40 nm"\n[[sweep.points]]\n"geometry.core_radius" = 4e-8\n',
     "sweep.points[1].geometry.core_radius"),                                             # conflicting types
    ('[sweep.grid]\n"geometry.core_radius" = ["40 nm", "4e-8 m"]\n', "sweep"),             # the same run twice
    ('[sweep]\nsteps = 3\n', "sweep.steps"),                                               # unknown sweep key
    ('[sweep.grid]\n"geometry.core_radius" = ["40 nm"]\n[report]\nx = "geometry.h_core"\n', "report.x"),
])
def test_bad_sweeps_name_the_key(tmp_path, sweep, key):
    p = write_case(tmp_path, sweep=sweep)
    with pytest.raises(CaseError) as err:
        load_sweep(p)
    assert key in str(err.value)


def test_bad_sweep_cli_exit_2_nothing_written(tmp_path):
    p = write_case(tmp_path, sweep='[sweep.grid]\n"geometry.core_radius" = ["40 nm", "-1 nm"]\n')
    res = run_anodemech(["sweep", "run", str(p), "--out", str(tmp_path / "sw")])
    assert res.returncode == 2 and "geometry.core_radius" in res.stderr
    assert not (tmp_path / "sw").exists()


# --------------------------------------------------------------------------- execution
def _index(sweep_dir: Path) -> list[dict]:
    with open(sweep_dir / "index.csv") as fh:
        return list(csv.DictReader(fh))


def _sweep_cmd(case, out, jobs=2):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return [sys.executable, "-m", "anodemech", "sweep", "run", str(case), "--out", str(out), "--jobs", str(jobs),
            "--no-progress"], env


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """The 2 x 2 sweep run without interruption (A) and killed, then resumed (B)."""
    folder = tmp_path_factory.mktemp("sweep")
    case = write_case(folder, render=True)
    a, b = folder / "A", folder / "B"
    res = run_anodemech(["sweep", "run", str(case), "--out", str(a), "--jobs", "2", "--no-progress"])
    assert res.returncode == 0, res.stderr[-3000:]
    cmd, env = _sweep_cmd(case, b)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    t0 = time.time()
    while time.time() - t0 < 600:  # kill once one run is complete and another is under way
        runs = [d for d in (b / "runs").glob("*") if d.is_dir()] if (b / "runs").exists() else []
        done = [d for d in runs if (d / "COMPLETE").exists()]
        busy = [d for d in runs if (d / "history.csv").exists() and not (d / "COMPLETE").exists()]
        if done and busy:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed = {d.name: (d / "COMPLETE").exists() for d in (b / "runs").glob("*") if d.is_dir()}
    res = run_anodemech(["sweep", "collect", str(case), "--out", str(b)])
    assert res.returncode == 0, res.stderr
    partial = _index(b)
    res = run_anodemech(["sweep", "run", str(case), "--out", str(b), "--jobs", "2", "--no-progress"])
    assert res.returncode == 0, res.stderr[-3000:]
    return {"case": case, "A": a, "B": b, "killed": killed, "partial": partial}


def test_killed_sweep_left_partial_state(sweeps):
    killed, partial = sweeps["killed"], sweeps["partial"]
    assert any(killed.values()) and not all(killed.values())  # killed with one run done, one under way
    statuses = [r["status"] for r in partial]
    assert "complete" in statuses and set(statuses) - {"complete"}  # a half-written run is not complete


def test_resumed_sweep_equals_uninterrupted(sweeps):
    ia, ib = _index(sweeps["A"]), _index(sweeps["B"])
    assert [r["run_id"] for r in ia] == [r["run_id"] for r in ib]
    assert all(r["status"] == "complete" for r in ia + ib)
    skip = {"wall_time_s"}
    for ra, rb in zip(ia, ib):
        for k, va in ra.items():
            if k in skip:
                continue
            try:
                fa, fb = float(va), float(rb[k])
            except ValueError:
                assert va == rb[k], k
                continue
            assert fb == pytest.approx(fa, rel=1e-9, abs=1e-12, nan_ok=True), (k, fa, fb)
    # nothing duplicated: every run's history has the steps of the uninterrupted run, once
    for r in ia:
        ha = (sweeps["A"] / "runs" / r["run_id"] / "history.csv").read_text().splitlines()
        hb = (sweeps["B"] / "runs" / r["run_id"] / "history.csv").read_text().splitlines()
        assert len(ha) == len(hb)
    # the interrupted attempts were kept aside, not mixed in
    retired = list((sweeps["B"] / "attempts").glob("*"))
    unfinished = [k for k, v in sweeps["killed"].items() if not v]
    assert {p.name.rsplit("-", 1)[0] for p in retired} == set(unfinished)


def test_second_invocation_skips_complete_runs(sweeps):
    a = sweeps["A"]
    stamps = {d.name: (d / "COMPLETE").stat().st_mtime_ns for d in (a / "runs").glob("*") if d.is_dir()}
    res = run_anodemech(["sweep", "run", str(sweeps["case"]), "--out", str(a), "--no-progress"])
    assert res.returncode == 0 and "4/4 complete" in res.stdout, res.stdout + res.stderr[-2000:]
    assert stamps == {d.name: (d / "COMPLETE").stat().st_mtime_ns for d in (a / "runs").glob("*") if d.is_dir()}


def test_index_contents(sweeps):
    rows = _index(sweeps["A"])
    sw = load_sweep(sweeps["case"])
    assert [r["run_id"] for r in rows] == [r.run_id for r in sw.runs]
    for row, run in zip(rows, sw.runs):
        assert row["geometry.core_radius"] == run.values["geometry.core_radius"]
        h = list(csv.DictReader(open(sweeps["A"] / "runs" / row["run_id"] / "history.csv")))
        hoop = max(float(x[c]) for x in h for c in x if c.startswith("hoop_max_") and c.endswith("_shell_Pa"))
        assert float(row["hoop_max_shell_Pa"]) == pytest.approx(hoop, rel=1e-12)
        assert float(row["von_mises_max_core_Pa"]) == pytest.approx(max(float(x["von_mises_max_core_Pa"]) for x in h))
        assert float(row["final_soc"]) == pytest.approx(0.3, abs=1e-9)
        assert float(row["volume_change_core_pct"]) == pytest.approx(float(h[-1]["volume_change_core_pct"]))
        assert float(row["wall_time_s"]) > 0
    # physics sanity across the map: a thicker shell at the same core carries a lower hoop stress
    by = {(r["geometry.core_radius"], r["geometry.shell_thickness"]): float(r["hoop_max_shell_Pa"]) for r in rows}
    assert by[("60 nm", "10 nm")] < by[("60 nm", "5 nm")]


def test_sweep_report(sweeps):
    res = run_anodemech(["report", str(sweeps["A"])])
    assert res.returncode == 0, res.stderr[-2000:]
    rep = sweeps["A"] / "report"
    md, html = (rep / "report.md").read_text(), (rep / "report.html").read_text()
    assert "## Design maps" in md and "<h2>Design maps</h2>" in html
    assert (rep / "map_hoop_max_shell_Pa_0.png").stat().st_size > 10_000
    assert (rep / "histories.png").stat().st_size > 10_000
    assert "map_hoop_max_shell_Pa_0.png" in md and "histories.png" in html
    renders = list(rep.glob("*_von_mises_end_of_*.png"))
    assert renders and renders[0].name in md
    rows = _index(sweeps["A"])
    for r in rows:  # the index values are in the report's table, in GPa
        assert f"{float(r['hoop_max_shell_Pa']) / 1e9:.4g}" in md
    assert "shell strength" in md and "safe" in md


def test_run_report(sweeps):
    run = next(d for d in (sweeps["A"] / "runs").glob("*") if d.is_dir())
    res = run_anodemech(["report", str(run), "--format", "md"])
    assert res.returncode == 0, res.stderr[-2000:]
    md = (run / "report" / "report.md").read_text()
    assert "history_stress.png" in md and (run / "report" / "history_stress.png").exists()
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "complete"


def test_report_refuses_other_folders(tmp_path):
    res = run_anodemech(["report", str(tmp_path)])
    assert res.returncode == 2 and "SWEEP_OR_RUN" in res.stderr


def test_paraview_script(sweeps):
    res = run_anodemech(["paraview", str(sweeps["A"])])
    assert res.returncode == 0, res.stderr[-2000:]
    text = (sweeps["A"] / "paraview_view.py").read_text()
    compile(text, "paraview_view.py", "exec")  # valid Python (ParaView itself is not installed here)
    ns: dict = {}
    exec(text.split("def load")[0].split("\n", 3)[-1], ns)  # the data block: RUNS, CONTACT
    assert len(ns["RUNS"]) == 4 and all(p.endswith("fields.bp") and os.path.isdir(p) for _, p, _ in ns["RUNS"])
    assert {lab for lab, _, _ in ns["RUNS"]} >= {"core_radius=40 nm, shell_thickness=5 nm"}
    assert '"von_mises"' in text and '"theta"' in text


def test_stack_pressure_sweep_and_contact_fraction_index(tmp_path):
    """``loads.pressure.top`` is a sweepable key (cases/composite_si_in_lpscl_stack_pressure.toml),
    and the index takes ``contact_fraction_final`` (last row) and ``contact_fraction_min``
    (over the cycle) from the ``contact_<pair>_fraction`` history column, the smallest over
    the contacts."""
    from anodemech.sweep import summarize_run

    sw = load_sweep(ROOT / "cases" / "composite_si_in_lpscl_stack_pressure.toml")
    assert [r.values["loads.pressure.top"] for r in sw.runs] == ["0 MPa", "5 MPa", "20 MPa", "50 MPa", "100 MPa"]
    assert sw.runs[1].settings == ('loads.pressure.top="5 MPa"',)
    assert float(sw.runs[1].si["loads.pressure.top"].split()[0]) == 5e6  # the index column "[SI]"
    assert sw.report.x == "loads.pressure.top" and "contact_fraction_final" in sw.report.outputs
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.csv").write_text(
        "step,time_s,soc,stage,contact_a_area_m2,contact_a_fraction,contact_b_area_m2,contact_b_fraction\n"
        "0,0,0.0,initial,1,1.0,1,1.0\n"
        "1,10,0.2,lithiation,1,0.9,1,1.0\n"
        "2,20,0.0,delithiation,1,0.95,1,0.97\n")
    out = summarize_run(run)
    assert out["contact_fraction_final"] == 0.95 and out["contact_fraction_min"] == 0.9
