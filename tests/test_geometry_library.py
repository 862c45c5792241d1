"""The geometry library as a whole: the registry, 1 vs 2 ranks, the CLI commands.

Per-builder checks (measures against analytic values, quality, contact pairs, errors) live
in tests/test_geometry*.py next to each family.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import sys

import pytest
from mpi4py import MPI

from anodemech.errors import CaseError
from anodemech.geometry import BUILDERS, GeometryParams
from anodemech.geometry.base import params_fields

from conftest import ROOT, run_anodemech

NAMES = sorted(BUILDERS)

# these tests start their own 1- and 2-rank processes; under mpirun they would nest MPI
pytestmark = pytest.mark.skipif(MPI.COMM_WORLD.size > 1, reason="starts its own 1- and 2-rank runs")


@pytest.mark.parametrize("name", NAMES)
def test_registry_entry(name):
    """Each builder: a frozen GeometryParams dataclass whose defaults validate, variants,
    documented fields, and a ``build(comm, params, rank=0, msh_file=None)`` function."""
    cls, build = BUILDERS[name]
    assert dataclasses.is_dataclass(cls) and issubclass(cls, GeometryParams)
    assert cls.__dataclass_params__.frozen
    params = cls()
    params.validate()
    assert params.variant == cls.VARIANTS[0]
    for v in cls.VARIANTS:
        dataclasses.replace(params, variant=v).validate()
    for fname, _, _, desc in params_fields(cls):
        assert desc, f"{name}.{fname} is not documented in the Attributes section"
    assert list(inspect.signature(build).parameters)[:4] == ["comm", "params", "rank", "msh_file"]
    with pytest.raises(CaseError) as err:
        dataclasses.replace(params, variant="no_such_variant").validate()
    assert err.value.key == "geometry.variant"
    for pair in params.contact_pairs():
        assert pair.gap >= 0


def test_one_and_two_ranks_same_measures(tmp_path):
    """Every group of every default mesh has the same measure (1e-9 relative) and the same
    number of entities on 1 and 2 ranks."""
    script = str(ROOT / "tests" / "mesh_measures.py")
    results = {}
    for ranks in (1, 2):
        out = tmp_path / f"m{ranks}.json"
        from anodemech.cli import mpirun_command

        import subprocess

        cmd = [*(mpirun_command(ranks) if ranks > 1 else []), sys.executable, script, str(out)]
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
        assert res.returncode == 0, res.stderr[-3000:]
        results[ranks] = json.loads(out.read_text())
    assert set(results[1]) == set(results[2]) == set(NAMES)
    for name in NAMES:
        for group, v1 in results[1][name].items():
            v2 = results[2][name][group]
            assert v2["count"] == v1["count"], (name, group)
            assert v2["measure"] == pytest.approx(v1["measure"], rel=1e-9), (name, group)


def test_cli_geometries_lists_every_builder_and_parameter():
    res = run_anodemech(["geometries"])
    assert res.returncode == 0, res.stderr
    for name in NAMES:
        assert f"{name}:" in res.stdout
        for fname, *_ in params_fields(BUILDERS[name][0]):
            assert f"    {fname} = " in res.stdout
    res = run_anodemech(["geometries", "no_such_builder"])
    assert res.returncode == 2 and "builder" in res.stderr


def test_cli_mesh_writes_msh_xdmf_and_report(tmp_path):
    """``anodemech mesh`` writes a Gmsh file in metres with the physical groups, XDMF with
    the tags and a JSON report whose measures match the analytic ones."""
    out = tmp_path / "mesh"
    res = run_anodemech(["mesh", "cases/core_shell_si_c.toml", "--out", str(out), "--set=geometry.variant='axisymmetric'"])
    assert res.returncode == 0, res.stderr[-3000:]
    rep = json.loads((out / "mesh.json").read_text())
    assert rep["gdim"] == 2 and rep["variant"] == "axisymmetric"
    for name in ("core", "shell", "interface", "outer_surface", "axis"):
        assert abs(rep["groups"][name]["relative_error"]) < 0.01
    import meshio

    msh = meshio.read(out / "mesh.msh")
    assert abs(abs(msh.points[:, :2]).max() - 85e-9) < 1e-12  # metres: 75 nm core + 10 nm shell
    assert {"core", "shell", "interface", "outer_surface", "axis"} <= set(msh.field_data)
    xdmf = (out / "mesh.xdmf").read_text()
    assert "regions" in xdmf and "surfaces" in xdmf
