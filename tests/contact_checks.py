"""Checks shared by the contact verification tests (Hertz point and line contact)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT


def assert_penalty_independent(pb, metrics: dict, name: str, keys, alphas=(5.0, 20.0), default=10.0, rel=0.02):
    """Repeat the last step from the converged state with the penalty multiplier of ``name``
    halved and doubled; each of ``keys`` changes by less than ``rel``. Restores ``default``."""
    for alpha in alphas:
        pb.set_penalty(name, alpha)
        stats = pb.step(1.0)
        assert stats.converged, stats.reason
        pb.accept()
        m2 = pb.contact_metrics()
        for key in keys:
            assert m2[key] == pytest.approx(metrics[key], rel=rel), (alpha, key)
    pb.set_penalty(name, default)


def assert_same_on_two_ranks(script: str, metrics: dict, keys, tmp_path, rel=0.01):
    """Run ``tests/<script> OUT.json`` on 2 ranks; each of ``keys`` matches ``metrics``."""
    from anodemech.cli import mpirun_command

    out = tmp_path / "two_ranks.json"
    res = subprocess.run([*mpirun_command(2), sys.executable, str(ROOT / "tests" / script), str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert res.returncode == 0, res.stderr[-3000:]
    m2 = json.loads(out.read_text())
    for key in keys:
        assert m2[key] == pytest.approx(metrics[key], rel=rel), key
