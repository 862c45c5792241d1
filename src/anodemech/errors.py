"""Exceptions anodemech raises for bad input and for solver failure."""

from __future__ import annotations


class CaseError(ValueError):
    """A case file or parameter is wrong.

    Attributes:
        key: dotted case key that is wrong, e.g. ``"geometry.core_radius"``.
        accepted: human-readable description of the accepted values or range.
    """

    def __init__(self, key: str, message: str, accepted: str | None = None):
        self.key = key
        self.accepted = accepted
        text = f"{key}: {message}"
        if accepted:
            text += f" (accepted: {accepted})"
        super().__init__(text)


class SolverFailure(RuntimeError):
    """The nonlinear solve failed after all time-step cut-backs.

    Attributes:
        time: last converged time [s].
        dt: the step [s] that failed at the floor.
        reason: PETSc's converged reason or a description.
    """

    def __init__(self, message: str, time: float, dt: float, reason: str):
        self.time = time
        self.dt = dt
        self.reason = reason
        super().__init__(message)
