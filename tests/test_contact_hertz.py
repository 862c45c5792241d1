"""Penalty contact against a rigid plane, verified by Hertz theory.

Reference: Hertz contact of a sphere (radius R) on a rigid plane, Johnson, *Contact
Mechanics* (Cambridge, 1985), section 4.2: contact radius a = (3 F R / (4 E*))^(1/3) and
peak pressure p0 = 3 F / (2 pi a^2), E* = E / (1 - nu^2) for a rigid counter-body.
The total force F = 4 x the quarter model's; a comes from the measured contact area
(current configuration) as sqrt(4 A / pi). a/R ~ 0.12 at the final load, where the
small-strain Hertz solution holds to about 1 %. Both relations use only F, so the way the
load is applied (a prescribed displacement of the sphere's centre) does not enter.
"""

from __future__ import annotations

import math

import pytest

from hertz_case import MATERIAL, R, build, press

from contact_checks import assert_penalty_independent, assert_same_on_two_ranks


@pytest.fixture(scope="module")
def pressed():
    from mpi4py import MPI

    pb = build(MPI.COMM_WORLD)
    return pb, press(pb)


def hertz(F):
    Es = MATERIAL.E / (1 - MATERIAL.nu**2)
    a = (3 * F * R / (4 * Es)) ** (1 / 3)
    return a, 3 * F / (2 * math.pi * a**2)


def test_hertz_contact_radius_and_peak_pressure(pressed):
    _, m = pressed
    F = 4 * m["contact_collector_force_N"]
    a_ref, p0_ref = hertz(F)
    assert 0.08 < m["contact_collector_radius_m"] / R < 0.2  # small-load regime, resolved by ~12 elements
    assert m["contact_collector_radius_m"] == pytest.approx(a_ref, rel=0.05)
    assert m["contact_collector_pressure_max_Pa"] == pytest.approx(p0_ref, rel=0.10)
    # mean pressure over the patch is 2/3 p0 for the Hertz ellipsoidal distribution
    assert m["contact_collector_pressure_mean_Pa"] == pytest.approx(2 / 3 * p0_ref, rel=0.05)


def test_penetration_is_small(pressed):
    """The penalty (alpha = 10) leaves a penetration far below the 2 nm approach."""
    _, m = pressed
    assert 0 < m["contact_collector_penetration_max_m"] < 2e-3 * 2e-9
    assert m["contact_collector_gap_min_m"] == pytest.approx(-m["contact_collector_penetration_max_m"])


def test_penalty_parameter_independence(pressed):
    """Halving or doubling the penalty changes contact area and force by less than 2 %."""
    pb, m = pressed
    assert_penalty_independent(pb, m, "collector", ("contact_collector_area_m2", "contact_collector_force_N"))


@pytest.mark.mpi
def test_two_ranks_same_contact_area(pressed, tmp_path):
    """The same scenario on 2 ranks gives the same contact area and force (1 %)."""
    _, m = pressed
    assert_same_on_two_ranks("hertz_case.py", m, ("contact_collector_area_m2", "contact_collector_force_N"), tmp_path)
