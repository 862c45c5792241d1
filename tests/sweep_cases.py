"""A small, fast sweep case for the sweep, report and SLURM tests: the octant Si@C particle
of ``cases/sweep_core_shell_si_c.toml`` on a coarse P1 mesh, lithiated at 2C to SOC 0.3."""

from __future__ import annotations

from pathlib import Path

BASE = """
[case]
name = "{name}"

[geometry]
builder = "core_shell"
variant = "octant"
core_radius = "60 nm"
shell_thickness = "10 nm"
h_core = "20 nm"
h_surface = "5 nm"

[regions.core]
material = "LixSi"

[regions.shell]
material = "carbon"

[physics]
stress_coupling = false
displacement_degree = 1

[[stages]]
name = "lithiation"
mode = "galvanostatic"
c_rate = 2.0
until_soc = 0.3

[time]
dt_initial = "60 s"
max_dsoc = 0.1

[output]
render = {render}
plots = false
checkpoint = false

{sweep}
"""

GRID_2x2 = """
[sweep.grid]
"geometry.core_radius" = ["40 nm", "60 nm"]
"geometry.shell_thickness" = ["5 nm", "10 nm"]

[report]
outputs = ["hoop_max_shell_Pa"]
render = 1

[[report.limits]]
output = "hoop_max_shell_Pa"
max = "1 GPa"
label = "shell strength"
"""

POINTS_3 = """
[[sweep.points]]
"geometry.core_radius" = "40 nm"
[[sweep.points]]
"geometry.core_radius" = "50 nm"
[[sweep.points]]
"geometry.core_radius" = "60 nm"
"""


def write_case(folder: Path, name: str = "tiny_sweep", sweep: str = GRID_2x2, render: bool = False) -> Path:
    """Write the small sweep case into ``folder``; returns its path."""
    path = Path(folder) / f"{name}.toml"
    path.write_text(BASE.format(name=name, sweep=sweep, render="true" if render else "false"))
    return path
