"""Unit conversion at the edges: case files may say "75 nm", "1 GPa", "2 h"; the code uses SI.

Quantities are parsed with pint. A bare number is taken to be in the SI unit of its
dimension (m, Pa, s, m^3/mol, ...).
"""

from __future__ import annotations

from functools import lru_cache

from anodemech.errors import CaseError

#: dimension name -> (SI unit string, pint dimensionality string)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "length": ("m", "[length]"),
    "pressure": ("Pa", "[mass] / [length] / [time] ** 2"),
    "time": ("s", "[time]"),
    "molar_volume": ("m**3/mol", "[length] ** 3 / [substance]"),
    "concentration": ("mol/m**3", "[substance] / [length] ** 3"),
    "diffusivity": ("m**2/s", "[length] ** 2 / [time]"),
    "current_density": ("A/m**2", "[current] / [length] ** 2"),
    "flux": ("mol/m**2/s", "[substance] / [length] ** 2 / [time]"),
    "energy_per_area": ("J/m**2", "[mass] / [time] ** 2"),
    "potential": ("V", "[mass] * [length] ** 2 / [current] / [time] ** 3"),
    "dimensionless": ("", "dimensionless"),
}


@lru_cache(maxsize=1)
def _registry():
    import pint

    return pint.UnitRegistry()


def to_si(value, dimension: str, key: str) -> float:
    """Convert a case value to SI.

    Args:
        value: a number (already SI) or a string "<number> <unit>", e.g. ``"75 nm"``.
        dimension: one of :data:`DIMENSIONS`.
        key: dotted case key, used in the error message.

    Returns:
        The value in the SI unit of ``dimension`` (float).

    Raises:
        CaseError: the value is not a number or quantity, its unit is unknown, or its
            unit has the wrong dimension.
    """
    si_unit, _ = DIMENSIONS[dimension]
    if isinstance(value, bool):
        raise CaseError(key, f"expected a {dimension} quantity, got a boolean", f"a number in {si_unit or '1'} or a string such as '{_example(dimension)}'")
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise CaseError(key, f"expected a {dimension} quantity, got {type(value).__name__}", f"a number in {si_unit or '1'} or a string such as '{_example(dimension)}'")
    ureg = _registry()
    try:
        q = ureg.Quantity(value)
    except Exception as exc:  # pint raises several error types for unparsable strings
        raise CaseError(key, f"cannot read quantity {value!r} ({exc})", f"a string such as '{_example(dimension)}'") from None
    if not hasattr(q, "to"):
        return float(q)
    try:
        return float(q.to(si_unit if si_unit else "dimensionless").magnitude)
    except Exception:
        raise CaseError(key, f"{value!r} is not a {dimension} (its unit is {q.units:~})", f"units of {dimension}, e.g. '{_example(dimension)}'") from None


def _example(dimension: str) -> str:
    return {
        "length": "75 nm",
        "pressure": "80 GPa",
        "time": "1 h",
        "molar_volume": "9.6e-6 m^3/mol",
        "concentration": "3.1e5 mol/m^3",
        "diffusivity": "1e-17 m^2/s",
        "current_density": "2 A/m^2",
        "flux": "1e-5 mol/m^2/s",
        "energy_per_area": "10 J/m^2",
        "potential": "0.1 V",
        "dimensionless": "0.5",
    }[dimension]
