"""Stack pressure from the case file (``[loads.pressure]``) against the finite-strain
hydrostatic state, and the contact-area fraction of a pair closed by it.

Reference: a homogeneous compressible neo-Hookean body with pressure ``p`` per current
area on every outer face is in the uniform state ``F = J^(1/3) I``, ``sigma = -p I``, with
``J`` the root of ``mu (J^(2/3) - 1) + lmbda ln J + p J = 0``: the model's energy
``psi = mu/2 (tr C - 3 - 2 ln J) + lmbda/2 (ln J)^2`` (``anodemech.physics.chemomech``)
has the Cauchy stress ``sigma = mu/J (b - I) + lmbda/J ln(J) I`` (Bonet & Wood,
*Nonlinear Continuum Mechanics for Finite Element Analysis*, 2nd ed. 2008, sec. 6.4.3;
:func:`anodemech.analytic.neo_hookean_hydrostatic_jacobian`).

The body is the octant of the composite cell (particle + electrolyte, both given
E = 1 GPa, nu = 0.3) loaded on ``top``, ``side_xmax`` and ``side_ymax``; the symmetry planes
hold the other faces. p = 200 MPa gives J = 0.8184, so the wrong physics is far off:
a pressure per reference area would give sigma = -p J^(-2/3) = -229 MPa (+14 %),
a sign error J > 1. A linear displacement is exact for this state, so the tolerances are
those of the Newton solve.
"""

from __future__ import annotations

import csv
import json

import pytest

from anodemech.analytic import neo_hookean_hydrostatic_jacobian

from conftest import run_anodemech

P = 200e6  # Pa
E, NU = 1e9, 0.3
R = 100e-9  # particle radius [m]

CASE = """
[case]
name = "{name}"

[geometry]
builder = "composite_cell"
variant = "octant"
interface = "{interface}"
radius = "100 nm"
coating_thickness = "0 nm"
gap = "{gap}"
cell_size = "310 nm"
h_fine = "25 nm"
h_coarse = "60 nm"

[regions.particle]
material = "LixSi"
E = "1 GPa"
E_full = "1 GPa"
nu = 0.3

[regions.electrolyte]
material = "Li6PS5Cl"
E = "1 GPa"
nu = 0.3

[loads.pressure]
top = "200 MPa"
side_xmax = "200 MPa"
side_ymax = "200 MPa"

[physics]
stress_coupling = false
displacement_degree = 1

[[stages]]
name = "hold"
mode = "potentiostatic"
surface_theta = 0.0
max_time = "1 s"

[time]
dt_initial = "1 s"
dt_min = "1e-3 s"
dt_max = "1 s"

[solver]
linear = "direct"
{solver}
[output]
render = false
plots = false
checkpoint = false
restart_every = 0
restart_minutes = 0.0
"""


def _run(tmp_path, name, interface, solver="", gap="0 nm", pressure=True):
    path = tmp_path / f"{name}.toml"
    text = CASE.format(name=name, interface=interface, solver=solver, gap=gap)
    if not pressure:
        text = text.replace('top = "200 MPa"\nside_xmax = "200 MPa"\nside_ymax = "200 MPa"\n', "")
    path.write_text(text)
    out = tmp_path / name
    res = run_anodemech(["run", str(path), "--out", str(out), "--no-progress"])
    assert res.returncode == 0, res.stderr[-3000:]
    with open(out / "history.csv") as fh:
        rows = [{k: (v if k == "stage" else float(v)) for k, v in r.items()} for r in csv.DictReader(fh)]
    return rows, json.loads((out / "run.json").read_text())


def test_hydrostatic_stack_pressure_bonded(tmp_path):
    """Bonded cell: uniform Cauchy stress -p (rel. 1e-6) and the analytic J (abs. 1e-6) in
    both regions, at t = 0 (the preload) and after the step; run.json records the load."""
    J = neo_hookean_hydrostatic_jacobian(P, E, NU)
    assert J == pytest.approx(0.81843, abs=1e-5)
    rows, info = _run(tmp_path, "hydrostatic_bonded", "bonded")
    assert info["inputs"]["loads"]["pressure"] == {"top": P, "side_xmax": P, "side_ymax": P}
    assert info["preload"]["solves"] >= 1
    for row in (rows[0], rows[-1]):
        print(f"step {row['step']:.0f}: sigma_h in [{row['hydrostatic_min_Pa']:.9g}, {row['hydrostatic_max_Pa']:.9g}] Pa, "
              f"dV/V0 = {row['volume_change_particle_pct']:.9g} / {row['volume_change_electrolyte_pct']:.9g} %, "
              f"analytic {100 * (J - 1):.9g} %; reference-area traction would give {-P * J ** (-2 / 3):.6g} Pa")
        assert row["hydrostatic_min_Pa"] == pytest.approx(-P, rel=1e-6)
        assert row["hydrostatic_max_Pa"] == pytest.approx(-P, rel=1e-6)
        for region in ("particle", "electrolyte"):
            assert row[f"volume_change_{region}_pct"] / 100 + 1 == pytest.approx(J, abs=1e-6)
            assert row[f"von_mises_max_{region}_Pa"] < 1e-6 * P  # no shear: a hydrostatic state


def test_stack_pressure_closes_contact(tmp_path):
    """Contact cell (gap 0; default penalty, raised by the 0.1 nm penetration limit to
    alpha = 40 in the preload, so the penalty compliance is ~5e-4 of the strain): the
    pressure reaches the particle through the pair, the whole particle surface is in
    contact (fraction 1), the reference area of that surface is the octant's pi R^2 / 2
    within the facet error (2 %; measured -1.1 % at h = R/4), the mean contact pressure is
    p (1 %), the stress is hydrostatic -p (1 %) and J is the analytic one (2e-3)."""
    J = neo_hookean_hydrostatic_jacobian(P, E, NU)
    # the pair Jacobian drops the variation of the master normal (README, Caveats): Newton
    # converges linearly at p = 0.2 E, so it gets more iterations (same tolerances)
    rows, info = _run(tmp_path, "hydrostatic_contact", "contact", "[solver.petsc]\nsnes_max_it = 60\n")
    k = "contact_particle_electrolyte"
    for row in (rows[0], rows[-1]):
        print(f"step {row['step']:.0f}: fraction {row[f'{k}_fraction']:.9g}, area_ref {row[f'{k}_area_ref_m2']:.6g} m^2 "
              f"(pi R^2/2 = {3.141592653589793 * R**2 / 2:.6g}), mean pressure {row[f'{k}_pressure_mean_Pa']:.6g} Pa, "
              f"sigma_h in [{row['hydrostatic_min_Pa']:.6g}, {row['hydrostatic_max_Pa']:.6g}] Pa, "
              f"J {row['volume_change_particle_pct'] / 100 + 1:.6f} / {row['volume_change_electrolyte_pct'] / 100 + 1:.6f} "
              f"(analytic {J:.6f})")
        assert row[f"{k}_fraction"] == pytest.approx(1.0, abs=1e-12)
        assert row[f"{k}_area_ref_m2"] == pytest.approx(3.141592653589793 * R**2 / 2, rel=0.02)
        assert row[f"{k}_pressure_mean_Pa"] == pytest.approx(P, rel=0.01)
        assert row["hydrostatic_min_Pa"] == pytest.approx(-P, rel=0.01)
        assert row["hydrostatic_max_Pa"] == pytest.approx(-P, rel=0.01)
        for region in ("particle", "electrolyte"):
            assert row[f"volume_change_{region}_pct"] / 100 + 1 == pytest.approx(J, abs=2e-3)


def test_open_gap_has_no_contact(tmp_path):
    """The same contact cell with a 2 nm gap and no load: nothing touches (fraction 0,
    contact area 0), so the fraction column does not report contact where there is none."""
    rows, info = _run(tmp_path, "open_gap", "contact", gap="2 nm", pressure=False)
    assert info["inputs"]["loads"]["pressure"] == {}
    k = "contact_particle_electrolyte"
    for row in (rows[0], rows[-1]):
        assert row[f"{k}_fraction"] == 0.0 and row[f"{k}_area_m2"] == 0.0
        assert row[f"{k}_gap_min_m"] == pytest.approx(2e-9, rel=0.05)
