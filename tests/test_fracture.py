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
