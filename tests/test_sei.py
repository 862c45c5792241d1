"""SEI as the outermost shell: the case cases/core_shell_si_c_sei.toml (issue 6, part 4).

The case's own mesh and materials (50 nm LixSi core, 10 nm carbon = shell_1, 15 nm SEI =
shell_2), loaded by a small uniform lithiation of the core and the carbon (one
quasi-static solve, small strain), give the fracture columns that the runs write to
history.csv (PostProcessor.metrics). They must exist and agree with each other, and the
SEI's stress must be the Lamé thick-walled sphere's. The SEI (inner radius a = 60 nm, outer
b = 75 nm) is Li-inert and loaded only through its inner surface; its outer surface is
free. So (Timoshenko & Goodier, Theory of Elasticity, 3rd ed. 1970, thick spherical shell)
sigma_r = A - B/r^3 and sigma_t = A + B/(2 r^3), with sigma_r(b) = 0 giving B = A b^3. The trace 3A
is uniform, so the SEI's volume change is dV/V = 3 (1 - 2 nu) A / E. Its largest
principal stress is the hoop stress at r = a, A (1 + b^3 / (2 a^3)), with
A = E dV/V / (3 (1 - 2 nu)). dV/V is taken from the solution (volume_change_shell_2_pct),
so the check is on the stress state inside the SEI, not on the core-carbon interaction.
"""

from __future__ import annotations

import numpy as np
import pytest

from anodemech.case import load_case
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.post import PostProcessor
from anodemech.run import build_mesh

from conftest import ROOT, sample

CASE = ROOT / "cases" / "core_shell_si_c_sei.toml"


def test_sei_case_fracture_columns_and_lame(comm):
    case = load_case(CASE)
    sei, carbon = case.materials["shell_2"], case.materials["shell_1"]
    assert sei.name == "SEI" and not sei.stores_li and sei.fracture.tensile_strength == pytest.approx(50e6)
    md = build_mesh(comm, case)
    pb = ChemoMechanicalProblem(comm, md, case.materials, PhysicsOptions(theta0=0.0, stress_coupling=False,
                                                                          transport="fickian"), linear="direct")
    pb.w.x.array[pb.theta_dofs] = 0.002  # core: 0.6 % volume strain (small strain); the SEI is pinned to 0
    pb.w.x.scatter_forward()
    pb.w_n.x.array[:] = pb.w.x.array
    assert pb.step(1.0).converged
    post = PostProcessor(pb)
    post.update_fields()
    m = post.metrics()

    # the columns of history.csv, and their consistency
    assert m["soc_shell_2"] == 0.0
    for region, mat in (("shell_1", carbon), ("shell_2", sei)):
        assert m[f"strength_index_{region}"] == pytest.approx(m[f"max_principal_max_{region}_Pa"] / mat.fracture.tensile_strength,
                                                              rel=1e-12)
    assert m["energy_release_rate_max_interface_1_core_J_m2"] == 0.0  # the core is compressed: its flaw stays shut
    assert m["energy_release_rate_index_core"] == 0.0

    # Lamé thick-walled sphere in the SEI
    a, b = 60e-9, 75e-9
    dv = m["volume_change_shell_2_pct"] / 100.0
    A = sei.E * dv / (3 * (1 - 2 * sei.nu))
    s1_ref = A * (1 + b**3 / (2 * a**3))
    d = np.ones(3) / np.sqrt(3)
    r = np.linspace(a + 0.1 * (b - a), b - 0.1 * (b - a), 5)
    hoop = sample(comm, post.functions["hoop"], r[:, None] * d)
    radial = sample(comm, post.functions["radial"], r[:, None] * d)
    hoop_ref, radial_ref = A * (1 + b**3 / (2 * r**3)), A * (1 - b**3 / r**3)
    s1 = m["max_principal_max_shell_2_Pa"]
    print(f"SEI dV/V = {dv:.4g}; max principal {s1 / 1e6:.4g} MPa vs Lame {s1_ref / 1e6:.4g} MPa "
          f"({100 * (s1 / s1_ref - 1):.3g} %); ray errors, % of the peak: hoop {100 * np.abs(hoop - hoop_ref).max() / s1_ref:.3g}, "
          f"radial {100 * np.abs(radial - radial_ref).max() / s1_ref:.3g}; strength index {m['strength_index_shell_2']:.4g}")
    assert 0 < dv < 0.01
    assert np.abs(hoop - hoop_ref).max() < 0.02 * s1_ref
    assert np.abs(radial - radial_ref).max() < 0.02 * s1_ref
    # the history column is a nodal extreme of the DG1 stress at the C/SEI interface and the
    # symmetry planes, with a larger error than the interior field (measured +4.4 %; the same
    # 5 % bound as the Lamé core-shell check in test_mechanics_reference.py)
    assert s1 == pytest.approx(s1_ref, rel=0.05)
