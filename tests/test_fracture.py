"""Fracture indicators (anodemech.fracture): the principal-stress kernel and the case input.

Their values on a full solution are checked against the Lamé core–shell closed form in
test_mechanics_reference.py::test_lame_core_shell.
"""

from __future__ import annotations

import numpy as np
import pytest

from anodemech.errors import CaseError
from anodemech.fracture import principal_max, surface_flaw_energy_release_rate
from anodemech.materials import FRACTURE_DATABASE, material_from_case


def test_principal_max_of_rotated_tensors():
    """sigma = R diag(l) R^T has the eigenvalues l whatever the rotation R."""
    rng = np.random.default_rng(0)
    lam = rng.normal(size=(50, 3)) * 1e9
    q, _ = np.linalg.qr(rng.normal(size=(50, 3, 3)))
    sigma = np.einsum("nij,nj,nkj->nik", q, lam, q)
    np.testing.assert_allclose(principal_max(sigma.reshape(50, 9)), lam.max(axis=1), rtol=1e-10)
    # 2D tensors (plane sections), and a hydrostatic state (all eigenvalues equal)
    np.testing.assert_allclose(principal_max(np.array([[1.0, 2.0, 2.0, 1.0]])), [3.0])
    np.testing.assert_allclose(principal_max(-2e9 * np.eye(3).reshape(1, 9)), [-2e9])
    assert principal_max(np.zeros((0, 9))).shape == (0,)


def test_energy_release_rate_is_the_edge_crack_value():
    """G = (1 - nu^2) K_I^2 / E with K_I = 1.1215 sigma sqrt(pi a) (Tada, Paris & Irwin 2000);
    closed flaws (compression) release nothing."""
    E, nu, a = 100e9, 0.3, 20e-9
    sigma = np.array([1e9, -1e9, 0.0])
    K = 1.1215 * sigma[0] * np.sqrt(np.pi * a)
    G = surface_flaw_energy_release_rate(sigma, E, nu, a)
    np.testing.assert_allclose(G, [(1 - nu**2) * K**2 / E, 0.0, 0.0])


@pytest.mark.parametrize("table, key", [
    ({"material": "LixSi", "fracture": {"toughness": "1 MPa"}}, "regions.core.fracture.toughness"),
    ({"material": "LixSi", "fracture": {"tensile_strength": "1 nm"}}, "regions.core.fracture.tensile_strength"),
    ({"material": "LixSi", "fracture": {"flaw_size": "5 m"}}, "regions.core.fracture.flaw_size"),
    ({"material": "LixSi", "fracture": {"fracture_energy": "1 GPa"}}, "regions.core.fracture.fracture_energy"),
    ({"material": "SiO2", "fracture": {"fracture_energy": "5 J/m^2"}}, "regions.core.fracture.flaw_size"),
    ({"material": "SiO2", "fracture": True}, "regions.core.fracture"),
    ({"material": "SiO2", "fracture": {}}, "regions.core.fracture"),
    ({"material": "LixSi", "fracture": "Griffith"}, "regions.core.fracture"),
])
def test_bad_fracture_input(table, key):
    with pytest.raises(CaseError) as e:
        material_from_case(table, "regions.core")
    assert key in str(e.value)


def test_fracture_input():
    assert material_from_case({"material": "LixSi"}, "r").fracture is None  # off by default
    assert material_from_case({"material": "LixSi", "fracture": True}, "r").fracture == FRACTURE_DATABASE["LixSi"]
    m = material_from_case({"material": "SiO2", "fracture": {"tensile_strength": "0.2 GPa"}}, "r")
    assert m.fracture.tensile_strength == pytest.approx(2e8) and m.fracture.flaw_size is None
    m = material_from_case({"material": "LixSi", "fracture": {"flaw_size": "20 nm", "fracture_energy": "8 J/m^2"}}, "r")
    assert m.fracture.flaw_size == pytest.approx(2e-8) and m.fracture.fracture_energy == pytest.approx(8.0)


def test_sei_material_is_li_inert_with_a_strength():
    """The SEI set: Li-inert (Li+ crosses it, none is stored), every value sourced, and a
    tensile strength so that ``fracture = true`` gives the region a strength index."""
    from anodemech.materials import DATABASE

    sei = DATABASE["SEI"]
    assert not sei.stores_li and sei.Omega == 0.0 and sei.D == 0.0
    assert 1e6 <= sei.E <= 1e10  # inside the reported AFM range 1 MPa - 10 GPa (Kuznetsov et al. 2015)
    assert {"E", "nu", "c_max"} <= set(sei.sources)
    m = material_from_case({"material": "SEI", "fracture": True}, "regions.shell_2")
    assert m.fracture.tensile_strength == pytest.approx(50e6) and m.fracture.fracture_energy is None
    assert "tensile_strength" in m.fracture.sources


def test_index_fracture_columns(tmp_path):
    """summarize_run: the largest index over the cycle, the stage where it is largest, the
    first SOC at which it reaches 1, and the largest G over the region's surfaces."""
    from anodemech.sweep import summarize_run

    rows = [  # step, time, stage, soc, strength index, G outer, G interface, G / Gamma
        (0, 0, "initial", 0.0, 0.0, 0.0, 0.0, 0.0),
        (1, 10, "lithiation", 0.3, 0.5, 1.0, 2.0, 0.2),
        (2, 20, "lithiation", 0.6, 1.2, 3.0, 1.0, 0.3),
        (3, 30, "delithiation", 0.4, 0.9, 12.0, 0.5, 1.2),
        (4, 40, "delithiation", 0.2, 0.1, 8.0, 0.5, 0.8),
    ]
    cols = ("step,time_s,stage,soc,soc_core,strength_index_core,energy_release_rate_max_outer_surface_core_J_m2,"
            "energy_release_rate_max_interface_core_J_m2,energy_release_rate_index_core")
    text = cols + "\n" + "\n".join(f"{s},{t},{st},{soc},{soc},{si},{g1},{g2},{gi}" for s, t, st, soc, si, g1, g2, gi in rows)
    (tmp_path / "history.csv").write_text(text + "\n")
    out = summarize_run(tmp_path)
    assert out["strength_index_core"] == 1.2 and out["strength_index_core_stage"] == "lithiation"
    assert out["strength_index_core_exceeded_soc"] == 0.6
    assert out["energy_release_rate_index_core"] == 1.2 and out["energy_release_rate_index_core_stage"] == "delithiation"
    assert out["energy_release_rate_index_core_exceeded_soc"] == 0.4
    assert out["energy_release_rate_max_core_J_m2"] == 12.0


def test_limit_crossing():
    """Critical size from a sweep: for a power law y = (x / x0)^4 (G ~ R^4 at a fixed C-rate
    and flaw size, small-gradient limit of Cheng & Verbrugge 2009 with G ~ sigma^2) the
    log-log interpolation between two runs is exact; otherwise linear; None if not bracketed."""
    from anodemech.report import limit_crossing

    x0 = 104e-9
    xs = [25e-9, 50e-9, 75e-9, 100e-9, 150e-9, 250e-9]
    ys = [(x / x0) ** 4 for x in xs]
    xc, lo, hi = limit_crossing(xs[::-1], ys[::-1], 1.0)  # order of the runs does not matter
    assert xc == pytest.approx(x0, rel=1e-12) and (lo, hi) == (100e-9, 150e-9)
    assert limit_crossing([1.0, 2.0], [-1.0, 1.0], 0.5)[0] == pytest.approx(1.75)  # linear (y <= 0)
    assert limit_crossing([1.0, 2.0, 3.0], [0.1, 0.2, float("nan")], 1.0) is None  # never reached
    assert limit_crossing([1.0, 2.0], [1.5, 2.0], 1.0) is None  # the smallest run is already above


def test_steady_sphere_stress_and_critical_radius():
    """Closed forms for the critical-size sweep: the steady surface hoop stress equals the
    long-time limit of the constant-flux series (Crank 1975 ch. 6 with the Cheng & Verbrugge
    2009 stresses, anodemech.analytic), and at R_c the edge-flaw G equals Gamma."""
    from anodemech.analytic import crank_sphere_stress_series
    from anodemech.fracture import sphere_critical_radius, sphere_steady_surface_hoop_stress
    from anodemech.materials import DATABASE

    si = DATABASE["LixSi"]
    R, D, E, nu = 100e-9, si.D, si.E, si.nu
    flux = -1.0 * si.c_max * R / (3 * 3600.0)  # 1C delithiation, mol/m^2/s
    _, _, s_t = crank_sphere_stress_series(np.array([R]), 3 * R**2 / D, R, D, flux, E, nu, si.Omega)
    s = sphere_steady_surface_hoop_stress(R, D, -1.0, E, nu, si.volume_expansion_full)
    assert s > 0 and s_t[0] == pytest.approx(s, rel=1e-6)  # transient decayed by exp(-20.2 * 3)
    fr = FRACTURE_DATABASE["LixSi"]
    Rc = sphere_critical_radius(D, 1.0, E, nu, si.volume_expansion_full, fr.fracture_energy, fr.flaw_size)
    s_c = sphere_steady_surface_hoop_stress(Rc, D, 1.0, E, nu, si.volume_expansion_full)
    assert surface_flaw_energy_release_rate(s_c, E, nu, fr.flaw_size) == pytest.approx(fr.fracture_energy, rel=1e-12)
    # G ~ R^4: four times the rate halves R_c
    assert sphere_critical_radius(D, 4.0, E, nu, 3.0, 10.0, 5e-9) == pytest.approx(
        sphere_critical_radius(D, 1.0, E, nu, 3.0, 10.0, 5e-9) / 2, rel=1e-12)
    print(f"LixSi, 1C, D = {D:g} m^2/s, a = 5 nm, Gamma = 10 J/m^2: R_c = {Rc * 1e9:.4g} nm; "
          f"sigma_t(100 nm) = {s / 1e9:.4g} GPa")
    with pytest.raises(ValueError):
        sphere_steady_surface_hoop_stress(0.0, D, 1.0, E, nu, 3.0)
    with pytest.raises(ValueError):
        sphere_critical_radius(D, 1.0, E, nu, 3.0, 10.0, 0.0)


def test_materials_cli_lists_fracture_sets():
    """``anodemech materials`` prints every fracture set with its sources (the SEI's included)."""
    from conftest import run_anodemech

    res = run_anodemech(["materials"])
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout
    assert "fracture sets" in out and "SEI: tensile_strength=5e+07" in out
    assert "Pharr, Suo & Vlassak" in out and "Kuznetsov et al." in out
