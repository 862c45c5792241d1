"""Case files: TOML -> validated, SI-resolved :class:`Case`, before any computation.

Every table and key is checked: an unknown key, a wrong unit, a value out of its physical
range or an undefined material raises :class:`anodemech.errors.CaseError` naming the
dotted key and the accepted values. See README.md ("Case files") for the format.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from anodemech.errors import CaseError
from anodemech.geometry import BUILDERS
from anodemech.materials import Material, material_from_case
from anodemech.model import CONCENTRATION_UNKNOWNS, PhysicsOptions
from anodemech.physics.chemomech import TRANSPORT_LAWS
from anodemech.solver import LINEAR_PRESETS
from anodemech.units import to_si

TOP_LEVEL = ("case", "geometry", "regions", "physics", "stages", "time", "solver", "output", "contact", "supports",
             "loads", "sweep", "report")  # sweep and report are read by anodemech.sweep
AXES = {"x": 0, "y": 1, "z": 2}
STAGE_MODES = ("galvanostatic", "potentiostatic", "kinetic")
#: accepted surface pressure [Pa]: stack pressures of solid-state cells are 5-300 MPa
#: (literature/001 L920); above 1 GPa most solid electrolytes would fail
PRESSURE_RANGE = (0.0, 1e9)
#: facet groups that cannot carry a pressure (held by displacement conditions)
NO_LOAD_SURFACES = ("symmetry_x", "symmetry_y", "symmetry_z", "axis", "clamped")


@dataclass(frozen=True)
class Stage:
    """One loading stage.

    Attributes:
        name: label used in the history.
        mode: "galvanostatic" (uniform inward flux), "potentiostatic" (fixed surface
            theta) or "kinetic" (Butler–Volmer flux at a fixed electrode potential, or at
            the uniform potential that carries a fixed current).
        c_rate: signed C-rate [1/h] (> 0 lithiation), or None.
        current_density: signed current density on the flux surface [A/m^2], or None.
        surface_theta: potentiostatic surface value [-], or None.
        until_soc: the stage ends when the overall SOC reaches this value [-], or None.
        theta_limit: galvanostatic cut-off on the extreme nodal theta of the Li-storing regions,
            wherever it occurs (lithiation: max, delithiation: min); the last step is shortened
            to land within 1e-3 of it (anodemech.run.THETA_CUTOFF_TOL).
        max_time: the stage ends after this time [s], or None.
        potential: electrode potential of a potentiostatic kinetic stage [V vs Li/Li+], or None.
        cutoff_potential: a galvanostatic kinetic stage ends when the electrode potential
            reaches it (lithiation: falls to it; delithiation: rises to it) [V], or None.
    """

    name: str
    mode: str
    c_rate: float | None = None
    current_density: float | None = None
    surface_theta: float | None = None
    until_soc: float | None = None
    theta_limit: float | None = None
    max_time: float | None = None
    potential: float | None = None
    cutoff_potential: float | None = None

    @property
    def direction(self) -> int:
        """+1 lithiation, -1 delithiation, 0 unknown (potentiostatic)."""
        rate = self.c_rate if self.c_rate is not None else self.current_density
        if rate is None:
            return 0
        return 1 if rate > 0 else -1


@dataclass(frozen=True)
class TimeOptions:
    """Adaptive backward-Euler step control (all times in s).

    Attributes:
        control: ``"error"`` (default): the step follows a local error estimate
            (:mod:`anodemech.timestep`) with tolerances ``theta_tol`` and ``u_rtol``;
            ``"newton"``: the step grows by ``growth`` after steps with at most
            ``easy_newton`` Newton iterations (no accuracy control).
        theta_tol: local error of theta per step, relative to the range of theta in the
            particle (max - min, at least 0.1) [-]: stresses follow theta's variation.
        u_rtol: local error of the displacement per step, relative to its maximum [-].
        dt_max, max_dsoc: optional caps (s; SOC change per step); ``dt_initial`` also
            starts every stage.
        growth: largest step growth factor; cutback: factor after a failed Newton solve.
    """

    dt_initial: float = 1.0
    dt_min: float = 1e-3
    dt_max: float = 1e9
    max_dsoc: float = 0.02
    growth: float = 1.5
    cutback: float = 0.5
    easy_newton: int = 4
    control: str = "error"
    theta_tol: float = 0.01
    u_rtol: float = 0.01


@dataclass(frozen=True)
class SolverOptions:
    """Linear-solver preset ("iterative" or "direct") and PETSc option overrides."""

    linear: str = "iterative"
    petsc: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OutputOptions:
    """What a run writes besides history.csv and run.json.

    Attributes:
        fields_every: write the ParaView fields (and the probe checkpoint) every this many
            accepted steps (0 = never by count).
        fields_dsoc: ... and whenever the SOC has moved by this much since the last field
            time (0 = never by SOC). The initial state and the end of every stage are
            always field times.
        fields: names of the fields to write (default all but the full tensor ``sigma``;
            ``gap`` and ``contact_pressure`` select those of every contact).
        render, plots: the von Mises rendering and the history plots.
        checkpoint: the adios4dolfinx copy of the fields that ``anodemech probe`` reads
            (off by default: it doubles the output; restart points are separate).
        restart_every: write a restart point (state + stepper) every this many steps
            (0 = never by count).
        restart_minutes: ... and whenever this much wall time has passed since the last
            one [min] (0 = never by time). ``anodemech run --restart`` continues from it.
    """

    fields_every: int = 0
    fields_dsoc: float = 0.1
    render: bool = True
    plots: bool = True
    checkpoint: bool = False
    restart_every: int = 10
    restart_minutes: float = 30.0
    fields: tuple = ()


@dataclass(frozen=True)
class ContactOptions:
    """Contact: rigid obstacles, the geometry's deformable pairs, and their tolerances.

    Attributes:
        obstacles: :class:`anodemech.physics.contact.Obstacle` s.
        pairs: :class:`anodemech.physics.pair_contact.ContactPairSpec` s, one per contact
            pair of the geometry (``[contact.pairs.<name>]`` may set ``penalty``, and
            ``slave`` = the surface that carries the integration points).
        max_penetration: largest accepted penetration [m]; a step that exceeds it is
            repeated with the penalty doubled (at most 6 times).
        spring: relative stiffness of weak springs that tie every body to its reference
            position (``spring E / L^2`` per unit volume, ``L`` the model size), so that a
            body held only by contact (a free yolk, a particle on a plate) is not a
            rigid-body mode; default 1e-6 with pairs (stresses of order 1e-6 E, far below
            any contact stress), 0 without.
    """

    obstacles: tuple = ()
    pairs: tuple = ()
    max_penetration: float = 1e-10
    spring: float = 0.0


@dataclass(frozen=True)
class LoadOptions:
    """Mechanical loads on named surfaces (``[loads]``).

    Attributes:
        pressure: ``((surface, p [Pa]), ...)``: a follower pressure, normal traction
            ``-p n`` per current area (``ChemoMechanicalProblem(pressures=...)``), e.g. the
            stack pressure on a cell face; ``0 <= p <= 1 GPa``. It acts from t = 0: the run
            first brings the initial state into equilibrium with it.
    """

    pressure: tuple = ()

    def pressures(self) -> dict[str, float]:
        """``{surface: p [Pa]}``."""
        return dict(self.pressure)


@dataclass(frozen=True)
class Case:
    """A validated case, all values SI."""

    name: str
    description: str
    path: str
    builder: str
    geometry: object  # the builder's parameter dataclass
    materials: dict[str, Material]
    physics: PhysicsOptions
    stages: tuple[Stage, ...]
    time: TimeOptions
    solver: SolverOptions
    output: OutputOptions
    raw: dict
    contact: ContactOptions = ContactOptions()
    supports: dict = field(default_factory=dict)  # point name -> {axis: displacement [m]}
    loads: LoadOptions = LoadOptions()

    def resolved(self) -> dict:
        """JSON-ready dict of every resolved input (SI units), for run.json."""
        return {
            "name": self.name,
            "description": self.description,
            "case_file": self.path,
            "geometry": {"builder": self.builder, **dataclasses.asdict(self.geometry)},
            "materials": {k: {f.name: getattr(m, f.name) for f in dataclasses.fields(m)} | {"volume_expansion_full": m.volume_expansion_full}
                          for k, m in self.materials.items()},
            "physics": dataclasses.asdict(self.physics),
            "stages": [dataclasses.asdict(s) for s in self.stages],
            "time": dataclasses.asdict(self.time),
            "solver": dataclasses.asdict(self.solver),
            "output": dataclasses.asdict(self.output),
            "contact": {"max_penetration": self.contact.max_penetration, "spring": self.contact.spring,
                        "obstacles": [dataclasses.asdict(o) for o in self.contact.obstacles],
                        "pairs": [dataclasses.asdict(p) for p in self.contact.pairs]},
            "supports": {k: {str(a): v for a, v in d.items()} for k, d in self.supports.items()},
            "loads": {"pressure": self.loads.pressures()},
            "units": "SI (m, s, Pa, mol, A)",
        }


def load_case(path: str | Path, overrides: dict | None = None) -> Case:
    """Read and validate a case file.

    Args:
        path: the TOML file.
        overrides: optional nested dict merged over the file (e.g. from tests).

    Raises:
        CaseError: any problem with the file, naming the key.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise CaseError("case", f"file {str(path)!r} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise CaseError("case", f"{path}: not valid TOML ({exc})") from None
    if overrides:
        raw = _merge(raw, overrides)
    return parse_case(raw, str(path))


def parse_case(raw: dict, path: str = "<dict>") -> Case:
    """Validate a case given as a dict (see :func:`load_case`)."""
    _keys(raw, "", TOP_LEVEL, required=("geometry", "regions", "stages"))
    meta = raw.get("case", {})
    _keys(meta, "case", ("name", "description"))
    builder, geom = _geometry(raw["geometry"])
    materials = _regions(raw["regions"], builder, geom)
    physics = _physics(raw.get("physics", {}))
    stages = _stages(raw["stages"])
    if any(st.mode == "kinetic" for st in stages) and not any(m.kinetics for m in materials.values()):
        stores = [n for n, m in materials.items() if m.stores_li]
        raise CaseError(f"regions.{stores[0] if stores else 'core'}.kinetics",
                        "a kinetic stage needs Butler-Volmer data on the Li-storing region(s)",
                        "kinetics = true (database set) or a table { exchange_current_density, ocv_table }")
    time = _dataclass(TimeOptions, raw.get("time", {}), "time", {"dt_initial": "time", "dt_min": "time", "dt_max": "time"},
                      ranges={"max_dsoc": (1e-4, 0.5), "growth": (1.0, 4.0), "cutback": (0.05, 0.9), "easy_newton": (1, 50),
                              "control": ("error", "newton"), "theta_tol": (1e-6, 0.5), "u_rtol": (1e-6, 0.5)})
    if not time.dt_min <= time.dt_initial <= time.dt_max:
        raise CaseError("time.dt_initial", f"{time.dt_initial:g} s is outside [dt_min, dt_max]", "dt_min <= dt_initial <= dt_max")
    if time.dt_min <= 0:
        raise CaseError("time.dt_min", "must be positive", "> 0 s")
    solver = _solver(raw.get("solver", {}))
    output = _output(raw.get("output", {}))
    contact = _contact(raw.get("contact", {}), geom.searched_pairs())
    supports = _supports(raw.get("supports", {}))
    loads = _loads(raw.get("loads", {}), geom)
    name = meta.get("name", Path(path).stem)
    return Case(name=name, description=meta.get("description", ""), path=path, builder=builder, geometry=geom,
                materials=materials, physics=physics, stages=stages, time=time, solver=solver, output=output, raw=raw,
                contact=contact, supports=supports, loads=loads)


# --------------------------------------------------------------------------- parts
def _keys(table, key: str, allowed, required=()):
    if not isinstance(table, dict):
        raise CaseError(key or "case", f"expected a table, got {type(table).__name__}")
    for k in table:
        if k not in allowed:
            raise CaseError(f"{key}.{k}" if key else k, "unknown key", ", ".join(allowed))
    for k in required:
        if k not in table:
            raise CaseError(f"{key}.{k}" if key else k, "missing", None)


def _geometry(table):
    _keys(table, "geometry", ("builder", *_all_builder_fields()), required=("builder",))
    builder = table["builder"]
    if builder not in BUILDERS:
        raise CaseError("geometry.builder", f"unknown builder {builder!r}", ", ".join(sorted(BUILDERS)))
    params_cls, _ = BUILDERS[builder]
    fields = {f.name: f for f in dataclasses.fields(params_cls)}
    values = {}
    for k, v in table.items():
        if k == "builder":
            continue
        if k not in fields:
            raise CaseError(f"geometry.{k}", f"not a parameter of builder {builder!r}", ", ".join(fields))
        values[k] = _field_value(fields[k], v, f"geometry.{k}", default_dimension="length")
    missing = [n for n, f in fields.items() if n not in values and f.default is dataclasses.MISSING]
    if missing:
        raise CaseError(f"geometry.{missing[0]}", "missing", f"builder {builder!r} needs {', '.join(missing)}")
    params = params_cls(**values)
    params.validate("geometry")
    return builder, params


def _all_builder_fields():
    return sorted({f.name for cls, _ in BUILDERS.values() for f in dataclasses.fields(cls)})


def _regions(table, builder, geom):
    _keys(table, "regions", _region_names(geom))
    needed = _region_names(geom)
    for name in needed:
        if name not in table:
            raise CaseError(f"regions.{name}", "missing: every region of the geometry needs a material", ", ".join(needed))
    return {name: material_from_case(table[name], f"regions.{name}") for name in needed}


def _region_names(geom) -> tuple[str, ...]:
    return tuple(geom.regions())


def _physics(table):
    allowed = ("transport", "stress_coupling", "temperature", "initial_soc", "displacement_degree", "mass_lumping",
               "concentration_unknown")
    _keys(table, "physics", allowed)
    p = PhysicsOptions()
    transport = table.get("transport", p.transport)
    if transport not in TRANSPORT_LAWS:
        raise CaseError("physics.transport", f"unknown law {transport!r}", ", ".join(TRANSPORT_LAWS))
    coupling = table.get("stress_coupling", p.stress_coupling)
    if not isinstance(coupling, bool):
        raise CaseError("physics.stress_coupling", "expected true or false", "true, false")
    T = _number(table.get("temperature", p.temperature), "physics.temperature", (200.0, 400.0), "K")
    theta0 = _number(table.get("initial_soc", p.theta0), "physics.initial_soc", (0.0, 1.0))
    degree = table.get("displacement_degree", p.displacement_degree)
    if degree not in (1, 2):
        raise CaseError("physics.displacement_degree", f"{degree!r}", "1, 2")
    if coupling and degree < 2:
        raise CaseError("physics.stress_coupling", "needs displacement_degree = 2 (the gradient of the hydrostatic stress comes from second derivatives of u)",
                        "stress_coupling = false, or displacement_degree = 2")
    lumping = table.get("mass_lumping", p.mass_lumping)
    if not isinstance(lumping, bool):
        raise CaseError("physics.mass_lumping", "expected true or false", "true, false")
    unknown = table.get("concentration_unknown", p.concentration_unknown)
    if unknown not in CONCENTRATION_UNKNOWNS:
        raise CaseError("physics.concentration_unknown", f"{unknown!r}", ", ".join(CONCENTRATION_UNKNOWNS))
    return PhysicsOptions(transport=transport, stress_coupling=coupling, temperature=T, theta0=theta0,
                          displacement_degree=degree, mass_lumping=lumping, concentration_unknown=unknown)


def _stages(stages):
    if not isinstance(stages, list) or not stages:
        raise CaseError("stages", "expected a non-empty array of tables [[stages]]")
    allowed = ("name", "mode", "c_rate", "current_density", "surface_theta", "until_soc", "theta_limit", "max_time",
               "potential", "cutoff_potential")
    out = []
    for i, st in enumerate(stages):
        key = f"stages[{i}]"
        _keys(st, key, allowed, required=("mode",))
        mode = st["mode"]
        if mode not in STAGE_MODES:
            raise CaseError(f"{key}.mode", f"unknown mode {mode!r}", ", ".join(STAGE_MODES))
        v = {"name": str(st.get("name", f"stage{i}")), "mode": mode}
        if "c_rate" in st:
            v["c_rate"] = _number(st["c_rate"], f"{key}.c_rate", (-100.0, 100.0), "1/h")
            if v["c_rate"] == 0:
                raise CaseError(f"{key}.c_rate", "zero C-rate", "non-zero, > 0 lithiation, < 0 delithiation, |C| <= 100")
        if "current_density" in st:
            v["current_density"] = _ranged(to_si(st["current_density"], "current_density", f"{key}.current_density"), f"{key}.current_density", (-1e4, 1e4))
        if "surface_theta" in st:
            v["surface_theta"] = _number(st["surface_theta"], f"{key}.surface_theta", (0.0, 1.0))
        if "until_soc" in st:
            v["until_soc"] = _number(st["until_soc"], f"{key}.until_soc", (0.0, 1.0))
        if "theta_limit" in st:
            v["theta_limit"] = _number(st["theta_limit"], f"{key}.theta_limit", (0.0, 1.0))
        if "max_time" in st:
            v["max_time"] = _ranged(to_si(st["max_time"], "time", f"{key}.max_time"), f"{key}.max_time", (1e-6, 1e9))
        if "potential" in st:
            v["potential"] = _ranged(to_si(st["potential"], "potential", f"{key}.potential"), f"{key}.potential", (-1.0, 5.0))
            if mode != "kinetic":
                raise CaseError(f"{key}.potential", "only for kinetic stages", 'mode = "kinetic"')
        if "cutoff_potential" in st:
            v["cutoff_potential"] = _ranged(to_si(st["cutoff_potential"], "potential", f"{key}.cutoff_potential"),
                                            f"{key}.cutoff_potential", (-1.0, 5.0))
            if mode != "kinetic" or "potential" in v:
                raise CaseError(f"{key}.cutoff_potential", "only for galvanostatic kinetic stages",
                                'mode = "kinetic" with c_rate or current_density')
        if mode == "kinetic":
            given = [k for k in ("potential", "c_rate", "current_density") if k in v]
            if len(given) != 1:
                raise CaseError(f"{key}.potential", f"a kinetic stage needs exactly one of potential, c_rate, "
                                f"current_density (got {', '.join(given) or 'none'})",
                                "potential in [-1, 5] V vs Li/Li+ (potentiostatic), or c_rate / current_density (galvanostatic)")
            for other in ("surface_theta", "theta_limit"):
                if other in v:
                    raise CaseError(f"{key}.{other}", "not for kinetic stages", "potential or c_rate / current_density, "
                                    "cutoff_potential, until_soc, max_time")
        elif mode == "galvanostatic":
            if ("c_rate" in v) == ("current_density" in v):
                raise CaseError(f"{key}.c_rate", "a galvanostatic stage needs exactly one of c_rate, current_density")
            if "surface_theta" in v:
                raise CaseError(f"{key}.surface_theta", "only for potentiostatic stages")
        else:
            if "surface_theta" not in v:
                raise CaseError(f"{key}.surface_theta", "missing for a potentiostatic stage", "0 <= surface_theta <= 1")
            if "c_rate" in v or "current_density" in v:
                raise CaseError(f"{key}.c_rate", "only for galvanostatic stages")
        if "until_soc" not in v and "max_time" not in v:
            raise CaseError(f"{key}.until_soc", "a stage needs an end: until_soc and/or max_time")
        out.append(Stage(**v))
    return tuple(out)


def _contact(table, geometry_pairs=()):
    from anodemech.physics.contact import OBSTACLE_KINDS, Obstacle

    _keys(table, "contact", ("obstacles", "pairs", "max_penetration", "spring"))
    obstacles = table.get("obstacles", [])
    if not isinstance(obstacles, list):
        raise CaseError("contact.obstacles", "expected an array of tables [[contact.obstacles]]")
    out = []
    for i, ob in enumerate(obstacles):
        key = f"contact.obstacles[{i}]"
        _keys(ob, key, ("name", "surface", "kind", "point", "direction", "radius", "inside", "penalty"),
              required=("name", "surface", "kind"))
        if ob["kind"] not in OBSTACLE_KINDS:
            raise CaseError(f"{key}.kind", f"unknown obstacle {ob['kind']!r}", ", ".join(OBSTACLE_KINDS))
        point = ob.get("point", [0.0, 0.0, 0.0])
        if not isinstance(point, list) or len(point) != 3:
            raise CaseError(f"{key}.point", f"expected 3 lengths, got {point!r}", '["0 nm", "0 nm", "-60 nm"]')
        point = tuple(to_si(v, "length", f"{key}.point[{j}]") for j, v in enumerate(point))
        direction = ob.get("direction", [0.0, 0.0, 1.0])
        if (not isinstance(direction, list) or len(direction) != 3
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in direction)
                or not any(direction)):
            raise CaseError(f"{key}.direction", f"expected a non-zero vector of 3 numbers, got {direction!r}", "[0, 0, 1]")
        radius = 0.0
        if ob["kind"] != "plane":
            if "radius" not in ob:
                raise CaseError(f"{key}.radius", f"a {ob['kind']} obstacle needs a radius", "> 0 m")
            radius = _ranged(to_si(ob["radius"], "length", f"{key}.radius"), f"{key}.radius", (1e-10, 1.0))
        inside = ob.get("inside", False)
        if not isinstance(inside, bool):
            raise CaseError(f"{key}.inside", f"expected true or false, got {inside!r}", "true, false")
        alpha = _number(ob.get("penalty", 10.0), f"{key}.penalty", (1e-2, 1e5))
        out.append(Obstacle(name=str(ob["name"]), surface=str(ob["surface"]), kind=ob["kind"], point=point,
                            direction=tuple(float(v) for v in direction), radius=radius, inside=inside, alpha=alpha))
    names = [o.name for o in out]
    if len(set(names)) != len(names):
        raise CaseError("contact.obstacles", f"obstacle names must be unique: {names}")
    tol = ContactOptions().max_penetration
    if "max_penetration" in table:
        tol = _ranged(to_si(table["max_penetration"], "length", "contact.max_penetration"), "contact.max_penetration",
                      (1e-15, 1e-3))
    pairs = _pairs(table.get("pairs", {}), geometry_pairs)
    clash = {o.name for o in out} & {p.name for p in pairs}
    if clash:
        raise CaseError("contact.obstacles", f"obstacle names clash with the geometry's contact pairs: {sorted(clash)}")
    spring = 1e-6 if pairs else 0.0
    if "spring" in table:
        spring = _number(table["spring"], "contact.spring", (0.0, 1e-2))
    return ContactOptions(obstacles=tuple(out), pairs=pairs, max_penetration=tol, spring=spring)


def _pairs(table, geometry_pairs):
    """Deformable pairs: every contact pair of the geometry, with ``[contact.pairs.<name>]``
    overrides (``penalty``, ``slave``)."""
    from anodemech.physics.pair_contact import ContactPairSpec

    if not isinstance(table, dict):
        raise CaseError("contact.pairs", "expected a table of pairs, e.g. [contact.pairs.yolk_shell]")
    known = {p.name: p for p in geometry_pairs}
    for name in table:
        if name not in known:
            raise CaseError(f"contact.pairs.{name}", "the geometry has no such contact pair", ", ".join(known) or "none")
    out = []
    for name, gp in known.items():
        opts = table.get(name, {})
        key = f"contact.pairs.{name}"
        _keys(opts, key, ("penalty", "slave"))
        alpha = _number(opts.get("penalty", 10.0), f"{key}.penalty", (1e-2, 1e5))
        slave = opts.get("slave", gp.surface_a)
        if slave not in (gp.surface_a, gp.surface_b):
            raise CaseError(f"{key}.slave", f"{slave!r} is not a surface of the pair", f"{gp.surface_a!r}, {gp.surface_b!r}")
        master = gp.surface_b if slave == gp.surface_a else gp.surface_a
        out.append(ContactPairSpec(name=name, slave=slave, master=master, alpha=alpha))
    return tuple(out)


def _supports(table):
    """``{point or surface: {"x"|"y"|"z": displacement}}`` -> ``{name: {axis: metres}}``
    (names are checked against the mesh when the run starts)."""
    if not isinstance(table, dict):
        raise CaseError("supports", "expected a table of points or surfaces, e.g. centre = { z = \"0 nm\" }")
    out = {}
    for point, comps in table.items():
        _keys(comps, f"supports.{point}", tuple(AXES))
        out[point] = {AXES[a]: to_si(v, "length", f"supports.{point}.{a}") for a, v in comps.items()}
    return out


def _loads(table, geom):
    """``[loads.pressure] <surface> = "<pressure>"`` -> :class:`LoadOptions`. The surface must
    be a loadable facet group of the geometry's variant (not a symmetry plane, axis or
    clamped face); whether it is an outer surface of the mesh is checked when the run
    builds the problem."""
    _keys(table, "loads", ("pressure",))
    pressure = table.get("pressure", {})
    if not isinstance(pressure, dict):
        raise CaseError("loads.pressure", f"expected a table of surface = pressure, got {pressure!r}", 'e.g. top = "20 MPa"')
    allowed = sorted(set(geom.measures()) - set(geom.regions()) - set(NO_LOAD_SURFACES)
                     | {s for p in geom.contact_pairs() for s in (p.surface_a, p.surface_b)})
    out = []
    for surface, value in pressure.items():
        key = f"loads.pressure.{surface}"
        if surface not in allowed:
            raise CaseError(key, f"{surface!r} is not a loadable surface of {geom.variant!r}", ", ".join(allowed))
        p = to_si(value, "pressure", key)
        lo, hi = PRESSURE_RANGE
        if not lo <= p <= hi:
            raise CaseError(key, f"{p:g} Pa is out of range (a compressive pressure)", "[0 MPa, 1000 MPa]")
        out.append((surface, p))
    return LoadOptions(pressure=tuple(out))


def _output(table):
    from anodemech.post import FIELD_NAMES

    if not isinstance(table, dict):
        raise CaseError("output", "expected a table")
    fields = table.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise CaseError("output.fields", f"expected an array of field names, got {fields!r}", ", ".join(FIELD_NAMES))
    for i, f in enumerate(fields):
        if f not in FIELD_NAMES:
            raise CaseError(f"output.fields[{i}]", f"unknown field {f!r}", ", ".join(FIELD_NAMES))
    rest = {k: v for k, v in table.items() if k != "fields"}
    out = _dataclass(OutputOptions, rest, "output", {}, ranges={"fields_every": (0, 10**6), "fields_dsoc": (0.0, 1.0),
                                                                "restart_every": (0, 10**6),
                                                                "restart_minutes": (0.0, 1e6)})
    return dataclasses.replace(out, fields=tuple(fields))


def _solver(table):
    _keys(table, "solver", ("linear", "petsc"))
    linear = table.get("linear", "iterative")
    if linear not in LINEAR_PRESETS:
        raise CaseError("solver.linear", f"unknown preset {linear!r}", ", ".join(LINEAR_PRESETS))
    petsc = table.get("petsc", {})
    if not isinstance(petsc, dict) or any(not isinstance(v, (str, int, float, bool)) for v in petsc.values()):
        raise CaseError("solver.petsc", "expected a table of PETSc options without the prefix", "e.g. { ksp_rtol = 1e-10 }")
    return SolverOptions(linear=linear, petsc=dict(petsc))


def _dataclass(cls, table, key, dims, ranges):
    names = [f.name for f in dataclasses.fields(cls)]
    _keys(table, key, names)
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in table:
            continue
        v = table[f.name]
        if f.name in dims:
            values[f.name] = to_si(v, dims[f.name], f"{key}.{f.name}")
        elif isinstance(f.default, bool):
            if not isinstance(v, bool):
                raise CaseError(f"{key}.{f.name}", f"expected true or false, got {v!r}", "true, false")
            values[f.name] = v
        elif isinstance(f.default, int):
            if not isinstance(v, int) or isinstance(v, bool):
                raise CaseError(f"{key}.{f.name}", f"expected an integer, got {v!r}", str(ranges.get(f.name, "")))
            values[f.name] = _ranged(v, f"{key}.{f.name}", ranges[f.name])
        elif isinstance(f.default, str):
            allowed = ranges[f.name]
            if v not in allowed:
                raise CaseError(f"{key}.{f.name}", f"{v!r} is not a valid choice", ", ".join(map(repr, allowed)))
            values[f.name] = v
        else:
            values[f.name] = _number(v, f"{key}.{f.name}", ranges.get(f.name, (-float("inf"), float("inf"))))
    return cls(**values)


def _field_value(f, v, key, default_dimension):
    if isinstance(f.default, tuple) or f.type in ("tuple", tuple):
        if not isinstance(v, list) or not v:
            raise CaseError(key, f"expected a non-empty array, got {v!r}", 'e.g. ["5 nm", "10 nm"]')
        return tuple(_field_value(_Scalar(f.metadata), x, f"{key}[{i}]", default_dimension) for i, x in enumerate(v))
    if isinstance(f.default, bool) or f.type in ("bool", bool):
        if not isinstance(v, bool):
            raise CaseError(key, f"expected true or false, got {v!r}", "true, false")
        return v
    if isinstance(f.default, str) or f.type in ("str", str):
        if not isinstance(v, str):
            raise CaseError(key, f"expected a string, got {v!r}")
        return v
    if f.type in ("int", int):
        if not isinstance(v, int) or isinstance(v, bool):
            raise CaseError(key, f"expected an integer, got {v!r}")
        return v
    if f.metadata.get("unit") == "-":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise CaseError(key, f"expected a number, got {v!r}")
        return float(v)
    return to_si(v, f.metadata.get("dimension", default_dimension), key)


@dataclass(frozen=True)
class _Scalar:
    """Stand-in field for the items of a tuple-valued geometry parameter."""

    metadata: dict
    default: float = 0.0
    type: str = "float"


def _number(v, key, rng, unit=""):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CaseError(key, f"expected a number{' in ' + unit if unit else ''}, got {v!r}", f"[{rng[0]:g}, {rng[1]:g}]")
    return _ranged(float(v), key, rng)


def _ranged(v, key, rng):
    lo, hi = rng
    if not lo <= v <= hi:
        raise CaseError(key, f"value {v:g} is out of range", f"[{lo:g}, {hi:g}]")
    return v


def settings_to_overrides(settings: list[str]) -> dict:
    """``["geometry.h_core='20 nm'", "stages.0.until_soc=0.2"]`` -> nested override dict.

    Values use TOML syntax (strings quoted); a numeric path part indexes ``[[stages]]``.

    Raises:
        CaseError: malformed setting (key ``--set``).
    """
    out: dict = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CaseError("--set", f"{item!r} is not KEY=VALUE", "e.g. geometry.h_core='20 nm'")
        try:
            parsed = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = value.strip()
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = parsed
    return out


def _merge(a, b):
    if isinstance(a, list) and isinstance(b, dict) and all(k.isdigit() for k in b):
        out = list(a)
        for k, v in b.items():
            i = int(k)
            if i >= len(out):
                raise CaseError(f"stages[{i}]", "no such stage to override", f"0..{len(out) - 1}")
            out[i] = _merge(out[i], v)
        return out
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return b
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if k in out else v
    return out
