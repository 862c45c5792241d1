"""Bad case files are rejected before any computation, naming the key and accepted values."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from anodemech.case import load_case, parse_case
from anodemech.errors import CaseError

from conftest import ROOT, run_anodemech

REAL = ROOT / "cases" / "core_shell_si_c.toml"


def _raw():
    return tomllib.loads(REAL.read_text())


def test_real_case_resolves_to_si():
    case = load_case(REAL)
    assert case.geometry.core_radius == pytest.approx(75e-9)
    assert case.geometry.shell_thickness == pytest.approx(10e-9)
    si = case.materials["core"]
    assert si.volume_expansion_full == pytest.approx(3.0)  # ~300 % for Li15Si4 (materials.py sources)
    assert case.stages[0].c_rate == 1.0 and case.stages[-1].c_rate == -1.0


@pytest.mark.parametrize(
    "patch, key, accepted",
    [
        ({"geometry": {"core_radus": "75 nm"}}, "geometry.core_radus", "core_radius"),
        ({"geometry": {"core_radius": "75 GPa"}}, "geometry.core_radius", "length"),
        ({"geometry": {"core_radius": "-5 nm"}}, "geometry.core_radius", "1e-09"),
        ({"geometry": {"shell_thickness": "2 mm"}}, "geometry.shell_thickness", "10*core_radius"),
        ({"regions": {"core": {"material": "unobtainium"}}}, "regions.core.material", "LixSi"),
        ({"regions": {"core": {"material": "LixSi", "E": "80 nm"}}}, "regions.core.E", "pressure"),
        ({"regions": {"core": {"material": "LixSi", "nu": 0.7}}}, "regions.core.nu", "0.4999"),
        ({"regions": {"core": {"material": "LixSi", "colour": "red"}}}, "regions.core.colour", "Omega"),
        ({"physics": {"transport": "magic"}}, "physics.transport", "fickian"),
        ({"physics": {"initial_soc": 1.5}}, "physics.initial_soc", "[0, 1]"),
        ({"time": {"dt_min": "10 s", "dt_initial": "1 s"}}, "time.dt_initial", "dt_min"),
        ({"solver": {"linear": "cholesky"}}, "solver.linear", "iterative"),
        ({"output": {"render": "yes"}}, "output.render", "true"),
        ({"bogus": {}}, "bogus", "geometry"),
    ],
)
def test_bad_values_name_key(patch, key, accepted):
    raw = _raw()
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(raw.get(k), dict) and k != "regions":
            raw[k] = {**raw[k], **v}
        else:
            raw[k] = {**raw.get(k, {}), **v} if isinstance(v, dict) and k == "regions" else v
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key == key
    assert accepted in str(err.value)


def test_missing_region_material():
    raw = _raw()
    del raw["regions"]["shell"]
    with pytest.raises(CaseError, match="regions.shell"):
        parse_case(raw)


@pytest.mark.parametrize(
    "stage, key",
    [
        ({"mode": "galvanostatic", "until_soc": 1.0}, "stages[0].c_rate"),
        ({"mode": "galvanostatic", "c_rate": 0.0, "until_soc": 1.0}, "stages[0].c_rate"),
        ({"mode": "galvanostatic", "c_rate": 1.0}, "stages[0].until_soc"),
        ({"mode": "potentiostatic", "until_soc": 1.0}, "stages[0].surface_theta"),
        ({"mode": "galvanostatic", "c_rate": 1.0, "until_soc": 1.2}, "stages[0].until_soc"),
        ({"mode": "galvanostatic", "current_density": "3 GPa", "until_soc": 1.0}, "stages[0].current_density"),
        ({"mode": "sideways", "until_soc": 1.0}, "stages[0].mode"),
    ],
)
def test_bad_stages(stage, key):
    raw = _raw()
    raw["stages"] = [stage]
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key == key


def test_unmeshable_geometry_named():
    raw = _raw()
    raw["geometry"] = {**raw["geometry"], "h_surface": "20 nm"}  # coarser than the 10 nm shell
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key.startswith("geometry.h_")


def test_cli_bad_case_writes_nothing(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text(REAL.read_text().replace('core_radius = "75 nm"', 'core_radius = "75 kg"'))
    out = tmp_path / "run"
    res = run_anodemech(["run", str(bad), "--out", str(out)])
    assert res.returncode == 2, res.stderr
    assert "geometry.core_radius" in res.stderr
    assert not out.exists()


def test_cli_refuses_nonempty_out(tmp_path: Path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "something").write_text("x")
    res = run_anodemech(["run", str(REAL), "--out", str(out)])
    assert res.returncode == 2 and "--out" in res.stderr


CONTACT = ROOT / "cases" / "sphere_on_rigid_collector.toml"


@pytest.mark.parametrize(
    "patch, key",
    [
        ({"contact": {"obstacles": [{"name": "c", "surface": "particle_surface", "kind": "cone"}]}}, "contact.obstacles[0].kind"),
        ({"contact": {"obstacles": [{"name": "c", "surface": "particle_surface", "kind": "sphere"}]}}, "contact.obstacles[0].radius"),
        ({"contact": {"obstacles": [{"name": "c", "surface": "particle_surface", "kind": "plane", "direction": [0, 0, 0]}]}},
         "contact.obstacles[0].direction"),
        ({"contact": {"obstacles": [{"name": "c", "surface": "particle_surface", "kind": "plane", "point": ["1 GPa", 0, 0]}]}},
         "contact.obstacles[0].point[0]"),
        ({"contact": {"obstacles": [{"name": "c", "surface": "particle_surface", "kind": "plane", "penalty": -1.0}]}},
         "contact.obstacles[0].penalty"),
        ({"contact": {"obstacles": [{"name": "c", "kind": "plane"}]}}, "contact.obstacles[0].surface"),
        ({"contact": {"friction": 0.3}}, "contact.friction"),
        ({"contact": {"max_penetration": "1 s"}}, "contact.max_penetration"),
        ({"supports": {"centre": {"w": "0 nm"}}}, "supports.centre.w"),
        ({"supports": {"centre": {"z": "1 GPa"}}}, "supports.centre.z"),
    ],
)
def test_bad_contact_input_names_key(patch, key):
    """[contact] and [supports] are checked like every other table (case.py)."""
    raw = tomllib.loads(CONTACT.read_text())
    raw.update(patch)
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key == key


def test_contact_case_resolves_to_si():
    case = load_case(CONTACT)
    (ob,) = case.contact.obstacles
    assert ob.kind == "plane" and ob.surface == "particle_surface" and ob.direction == (0.0, 0.0, 1.0)
    assert case.contact.max_penetration == pytest.approx(0.2e-9)
    assert case.supports == {} and case.geometry.variant == "octant"


def test_unknown_support_point_fails_before_stepping(tmp_path):
    """A support point the mesh does not have is a case error (exit 2), not a crash."""
    res = run_anodemech(["run", str(CONTACT), "--out", str(tmp_path / "r"), "--no-progress",
                         "--set=supports={ middle = { z = '0 nm' } }"])
    assert res.returncode == 2, res.stderr[-2000:]
    assert "supports" in res.stderr and "middle" in res.stderr


PAIRS = ROOT / "cases" / "yolk_shell_centred_si_void_c.toml"


@pytest.mark.parametrize(
    "patch, key",
    [
        ({"pairs": {"yolk_core": {"penalty": 10.0}}}, "contact.pairs.yolk_core"),
        ({"pairs": {"yolk_shell": {"penalty": 0.0}}}, "contact.pairs.yolk_shell.penalty"),
        ({"pairs": {"yolk_shell": {"slave": "outer_surface"}}}, "contact.pairs.yolk_shell.slave"),
        ({"pairs": {"yolk_shell": {"friction": 0.2}}}, "contact.pairs.yolk_shell.friction"),
        ({"pairs": "yolk_shell"}, "contact.pairs"),
        ({"spring": 0.5}, "contact.spring"),
        ({"obstacles": [{"name": "yolk_shell", "surface": "outer_surface", "kind": "plane"}]}, "contact.obstacles"),
    ],
)
def test_bad_pair_input_names_key(patch, key):
    """[contact.pairs.<name>] must name a contact pair of the geometry; its keys are checked."""
    raw = tomllib.loads(PAIRS.read_text())
    raw["contact"] = {**raw.get("contact", {}), **patch}
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key == key


def test_pair_case_resolves():
    """Every contact pair of the geometry becomes a deformable pair; weak springs default on."""
    case = load_case(PAIRS)
    (pair,) = case.contact.pairs
    assert (pair.name, pair.slave, pair.master, pair.alpha) == ("yolk_shell", "yolk_surface", "shell_inner", 10.0)
    assert case.contact.spring == 1e-6 and case.contact.max_penetration == pytest.approx(0.05e-9)
    raw = tomllib.loads(PAIRS.read_text())
    raw["contact"]["pairs"]["yolk_shell"]["slave"] = "shell_inner"
    (swapped,) = parse_case(raw).contact.pairs
    assert (swapped.slave, swapped.master) == ("shell_inner", "yolk_surface")
    raw["geometry"]["void"] = "meshed"
    raw["regions"]["void"] = {"material": "void_medium"}
    del raw["contact"]["pairs"]
    assert parse_case(raw).contact.pairs == ()  # a meshed void: no contact search


COMPOSITE = ROOT / "cases" / "composite_si_in_lpscl_bonded.toml"


@pytest.mark.parametrize(
    "loads, key, accepted",
    [
        ({"pressure": {"bottom": "20 MPa"}}, "loads.pressure.bottom", "side_xmax"),  # the octant has no bottom face
        ({"pressure": {"symmetry_z": "20 MPa"}}, "loads.pressure.symmetry_z", "top"),
        ({"pressure": {"top": "20 nm"}}, "loads.pressure.top", "pressure"),
        ({"pressure": {"top": "-5 MPa"}}, "loads.pressure.top", "[0 MPa, 1000 MPa]"),
        ({"pressure": {"top": "5 GPa"}}, "loads.pressure.top", "[0 MPa, 1000 MPa]"),
        ({"pressure": {"top": True}}, "loads.pressure.top", "Pa"),
        ({"pressure": "20 MPa"}, "loads.pressure", "top = "),
        ({"traction": {"top": "20 MPa"}}, "loads.traction", "pressure"),
    ],
)
def test_bad_loads_name_key(loads, key, accepted):
    """[loads.pressure]: a loadable surface of the variant, a pressure in [0, 1 GPa]."""
    raw = tomllib.loads(COMPOSITE.read_text())
    raw["loads"] = loads
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key == key
    assert accepted in str(err.value)


def test_loads_resolve_to_si_and_sweep():
    """``loads.pressure.<surface>`` resolves to Pa, is recorded in the resolved inputs and
    is a sweepable key (``--set`` and ``[sweep.grid]`` address it the same way)."""
    from anodemech.case import settings_to_overrides

    case = load_case(COMPOSITE, overrides=settings_to_overrides(["loads.pressure.top='20 MPa'"]))
    assert case.loads.pressures() == {"top": pytest.approx(20e6)}
    assert case.resolved()["loads"] == {"pressure": {"top": pytest.approx(20e6)}}
    assert load_case(COMPOSITE).resolved()["loads"] == {"pressure": {}}


def test_pressure_on_bonded_interface_fails_before_stepping(tmp_path):
    """``interface`` of the bonded cell is a facet group, but inside the mesh: a pressure on
    it would be dropped silently, so the run stops with a case error (exit 2)."""
    res = run_anodemech(["run", str(COMPOSITE), "--out", str(tmp_path / "r"), "--no-progress",
                         "--set=loads.pressure.interface='20 MPa'", "--set=physics.displacement_degree=1"])
    assert res.returncode == 2, res.stderr[-2000:]
    assert "loads.pressure" in res.stderr and "interior facets" in res.stderr
