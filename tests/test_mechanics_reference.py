"""Mechanics against closed-form solutions.

* Free swelling: an unconstrained body with uniform concentration has J = 1 + Omega (c - c0)
  and no stress, also at 300 % volume change (Bower, Guduru & Sethuraman, J. Mech. Phys.
  Solids 59 (2011) 804, sec. 2: F = Fe Fs with Fs = J_s^(1/3) I).
* Bonded core–shell, small strain, uniform core swelling: shell stresses against the Lamé
  thick-walled sphere (Timoshenko & Goodier, Theory of Elasticity, 3rd ed. 1970, thick
  spherical shell) with displacement continuity at the interface
  (``anodemech.analytic.lame_core_shell``, itself tested in test_analytic.py).
* Fracture indicators on the same Lamé solution: the core is under uniform pressure, so its
  largest principal stress is sigma_r(a); the shell's is its hoop stress, largest at the
  interface; the energy release rate of a surface flaw of depth a_f at the outer surface
  is G = 1.1215^2 pi (1 - nu^2) sigma_t(b)^2 a_f / E (edge crack, Tada, Paris & Irwin,
  The Stress Analysis of Cracks Handbook, 3rd ed. 2000; Irwin's plane-strain G).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from anodemech.analytic import lame_core_shell
from anodemech.geometry import CoreShellParams, build_core_shell
from anodemech.materials import DATABASE, FRACTURE_DATABASE, Fracture
from anodemech.model import ChemoMechanicalProblem, PhysicsOptions
from anodemech.post import PostProcessor

from conftest import sample


def _uniform_theta(pb, theta):
    pb.w.x.array[pb.theta_dofs] = theta
    pb.w.x.scatter_forward()
    pb.w_n.x.array[:] = pb.w.x.array


@pytest.mark.parametrize("variant, theta", [("octant", 1.0), ("full", 0.5)])
def test_free_swelling(comm, variant, theta):
    md = build_core_shell(comm, CoreShellParams(75e-9, 0.0, 25e-9, 12e-9, variant))
    si = DATABASE["LixSi"]
    pb = ChemoMechanicalProblem(comm, md, {"core": si}, PhysicsOptions(theta0=0.0, displacement_degree=2), linear="direct")
    _uniform_theta(pb, theta)
    stats = pb.step(1.0)
    assert stats.converged, stats.reason
    post = PostProcessor(pb)
    post.update_fields()
    J = post.functions["J"].x.array
    expected = 1.0 + si.Omega * si.c_max * theta  # 4.0 at theta = 1 (300 %)
    np.testing.assert_allclose(J, expected, rtol=1e-8)
    vm_max = comm.allreduce(float(np.abs(post.functions["von_mises"].x.array).max()), op=__import__("mpi4py").MPI.MAX)
    assert vm_max < 1e-6 * si.E  # stress-free to solver tolerance
    m = post.metrics()
    assert m["volume_change_core_pct"] == pytest.approx(100 * (expected - 1), rel=1e-8)


def test_lame_core_shell(comm):
    a, t = 60e-9, 20e-9
    b = a + t
    md = build_core_shell(comm, CoreShellParams(a, t, 15e-9, 3e-9, "octant"))
    vol_strain = 3e-4  # small strain
    si = dataclasses.replace(DATABASE["LixSi"], E_full=None, Omega=vol_strain / DATABASE["LixSi"].c_max)
    # Li-inert, stiff; nu = 0.35 so that the (1 - nu^2) of the energy release rate is 12 % off 1
    flaw = 10e-9
    shell = dataclasses.replace(DATABASE["SiO2"], nu=0.35,
                                fracture=Fracture(tensile_strength=0.05e9, fracture_energy=1e-3, flaw_size=flaw))
    si = dataclasses.replace(si, fracture=FRACTURE_DATABASE["LixSi"])
    pb = ChemoMechanicalProblem(comm, md, {"core": si, "shell": shell},
                                PhysicsOptions(theta0=0.0, stress_coupling=False, transport="fickian"), linear="direct")
    _uniform_theta(pb, 1.0)  # inert shell dofs are pinned back to theta0 by the solve
    assert pb.step(1.0).converged
    post = PostProcessor(pb)
    post.update_fields()
    eps_star = (1 + vol_strain) ** (1 / 3) - 1
    d = np.ones(3) / np.sqrt(3)
    r = np.concatenate([np.linspace(0.2 * a, 0.9 * a, 6), np.linspace(a + 0.1 * t, b - 0.1 * t, 7)])
    ref = lame_core_shell(r, a, b, si.E, si.nu, shell.E, shell.nu, eps_star)
    radial = sample(comm, post.functions["radial"], r[:, None] * d)
    hoop = sample(comm, post.functions["hoop"], r[:, None] * d)
    peak = max(np.abs(ref["sigma_r"]).max(), np.abs(ref["sigma_t"]).max())
    print("errors % of peak", 100 * np.abs(radial - ref["sigma_r"]) / peak, 100 * np.abs(hoop - ref["sigma_t"]) / peak)
    assert np.abs(radial - ref["sigma_r"]).max() < 0.02 * peak
    assert np.abs(hoop - ref["sigma_t"]).max() < 0.02 * peak
    # The shell's hoop stress is tensile and largest at the interface (Lame, sign check)
    assert hoop[6] > 0 and hoop[6] > hoop[-1]

    # Fracture indicators against the same closed form
    m = post.metrics()
    edge = lame_core_shell(np.array([a * (1 - 1e-9), a * (1 + 1e-9), b]), a, b, si.E, si.nu, shell.E, shell.nu, eps_star)
    core_s1, shell_s1, outer_hoop = edge["sigma_r"][0], edge["sigma_t"][1], edge["sigma_t"][2]
    G_ref = 1.1215**2 * np.pi * (1 - shell.nu**2) * outer_hoop**2 * flaw / shell.E
    print("max principal core / shell, G outer:", m["max_principal_max_core_Pa"], core_s1,
          m["max_principal_max_shell_Pa"], shell_s1, m["energy_release_rate_max_outer_surface_shell_J_m2"], G_ref)
    assert core_s1 < 0 < shell_s1
    # the field at the sample points: sigma_r in the (uniformly compressed) core, sigma_t in the shell
    s1 = sample(comm, post.functions["max_principal"], r[:, None] * d)
    s1_ref = np.where(r < a, ref["sigma_r"], ref["sigma_t"])
    print("max principal errors % of peak", 100 * np.abs(s1 - s1_ref) / peak)
    assert np.abs(s1 - s1_ref).max() < 0.02 * peak
    # history maxima are nodal extremes: they carry the DG1 stress error at the interface and
    # the symmetry planes (measured 3.9 % of the peak in the core, which has no gradient)
    assert abs(m["max_principal_max_core_Pa"] - core_s1) < 0.05 * peak
    assert abs(m["max_principal_max_shell_Pa"] - shell_s1) < 0.05 * peak
    assert m["strength_index_shell"] == pytest.approx(m["max_principal_max_shell_Pa"] / 0.05e9, rel=1e-12)
    assert m["energy_release_rate_max_outer_surface_shell_J_m2"] == pytest.approx(G_ref, rel=0.05)
    assert m["energy_release_rate_max_interface_core_J_m2"] == 0.0  # compressed core: the flaw stays shut
    assert m["energy_release_rate_index_shell"] == pytest.approx(
        max(m["energy_release_rate_max_outer_surface_shell_J_m2"], m["energy_release_rate_max_interface_shell_J_m2"]) / 1e-3)
