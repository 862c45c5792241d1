"""Material models and the material database.

A :class:`Material` holds SI values and returns UFL expressions of the normalised
concentration ``theta`` (state of charge of that material, c / c_max). Case files pick a
database entry by name and may override any value (see :func:`material_from_case`).

Constitutive choices (sources):

* Swelling: isotropic swelling stretch ``lambda_s = (1 + Omega * c_max * (theta - theta0))**(1/3)``,
  i.e. the volume ratio ``J_s = 1 + Omega (c - c0)``; Bower, Guduru & Sethuraman,
  J. Mech. Phys. Solids 59 (2011) 804, sec. 2 (multiplicative split F = Fe Fs).
  Optionally ``J_s(theta)`` is tabulated (piecewise linear) instead.
* Young's modulus linear in theta between ``E`` (theta = 0) and ``E_full`` (theta = 1):
  for LixSi the softening found by Shenoy, Johari & Qi, J. Power Sources 195 (2010) 6825.
* Diffusivity constant, or linear in theta between ``D`` and ``D_full``.

Every database value below names its source in ``Material.sources``. Where only a range or
an order of magnitude is known, the note says so: replace those values with your own data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import ufl

from anodemech.errors import CaseError
from anodemech.units import to_si

FARADAY = 96485.33212  # C/mol (CODATA 2018)
GAS_CONSTANT = 8.314462618  # J/(mol K) (CODATA 2018)


@dataclass(frozen=True)
class Plasticity:
    """J2 plasticity parameters of one material (SI), see :mod:`anodemech.physics.plasticity`.

    Attributes:
        yield_stress: yield stress (von Mises, Cauchy) at theta = 0 [Pa].
        yield_stress_full: yield stress at theta = 1 [Pa]; None = constant ``yield_stress``.
            Linear in theta in between.
        hardening: linear isotropic hardening modulus ``H`` [Pa]
            (``sigma_e = sigma_Y(theta) + H alpha``); 0 = perfectly plastic.
        sources: value name -> citation.
    """

    yield_stress: float
    yield_stress_full: float | None = None
    hardening: float = 0.0
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def yield_stress_at(self, theta):
        """UFL (or float) yield stress [Pa] at normalised concentration ``theta``."""
        if self.yield_stress_full is None:
            return self.yield_stress
        return self.yield_stress + (self.yield_stress_full - self.yield_stress) * theta


@dataclass(frozen=True)
class Fracture:
    """Fracture data of one material (SI), for the indicators of :mod:`anodemech.fracture`.

    Attributes:
        tensile_strength: strength against the largest principal stress [Pa]; None = no
            strength index for the region.
        fracture_energy: Griffith fracture energy ``Gamma`` [J/m^2]; None = no
            energy-release-rate index.
        flaw_size: depth ``a`` of the assumed surface flaw [m]; None = no energy release
            rate. It is an assumption about the particle's surface, not a material value.
        sources: value name -> citation.
    """

    tensile_strength: float | None = None
    fracture_energy: float | None = None
    flaw_size: float | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Kinetics:
    """Butler–Volmer kinetics of Li insertion at the surface of a Li-storing material (SI).

    The inward molar flux per unit reference area at electrode potential ``V`` [V vs Li/Li+]
    is (Newman & Thomas-Alyea, *Electrochemical Systems*, 3rd ed. 2004, eq. 8.6, written
    for the insertion reaction Li+ + e- -> Li(host))::

        N = i0(theta) / F * (exp(-alpha_c f eta) - exp(alpha_a f eta)),
        eta = V - U(theta) [- Omega sigma_n / F],   f = F / (R T)

    so that ``V < U`` (cathodic overpotential) lithiates. ``i0(theta) = i0_ref (theta /
    0.5)^alpha_c ((1 - theta) / 0.5)^alpha_a`` when ``concentration_dependent`` (the
    concentration dependence of Doyle, Fuller & Newman, J. Electrochem. Soc. 140 (1993)
    1526, eq. 9, at fixed electrolyte concentration, normalised at theta = 0.5), with theta
    clipped to [1e-3, 1 - 1e-3] so that an empty or full particle still reacts; else
    ``i0 = i0_ref``.

    Attributes:
        exchange_current_density: ``i0_ref`` [A/m^2], the exchange current density at theta = 0.5.
        ocv_table: ((theta_0, U_0 [V]), ...) open-circuit potential, piecewise linear in theta.
        alpha_a, alpha_c: anodic and cathodic transfer coefficients [-].
        concentration_dependent: i0 depends on theta as above (else constant).
        sources: value name -> citation.
    """

    exchange_current_density: float
    ocv_table: tuple[tuple[float, float], ...]
    alpha_a: float = 0.5
    alpha_c: float = 0.5
    concentration_dependent: bool = True
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def ocv(self, theta):
        """UFL (or float) open-circuit potential U(theta) [V]."""
        if isinstance(theta, (int, float)):
            return _interp(float(theta), self.ocv_table)
        return piecewise_linear(theta, self.ocv_table)

    def exchange_current(self, theta):
        """UFL exchange current density i0(theta) [A/m^2]."""
        if not self.concentration_dependent:
            return self.exchange_current_density
        th = ufl.max_value(ufl.min_value(theta, 1.0 - 1e-3), 1e-3)
        return self.exchange_current_density * (th / 0.5) ** self.alpha_c * ((1.0 - th) / 0.5) ** self.alpha_a

    def flux(self, theta, potential, temperature: float, eta_extra=0.0):
        """UFL inward Li flux N [mol m^-2 s^-1] per reference area at surface ``theta``,
        electrode potential ``potential`` [V] and temperature [K]; ``eta_extra`` [V] is added
        to the overpotential (e.g. a stress term)."""
        f = FARADAY / (GAS_CONSTANT * temperature)
        eta = potential - self.ocv(theta) + eta_extra
        return self.exchange_current(theta) / FARADAY * (ufl.exp(-self.alpha_c * f * eta) - ufl.exp(self.alpha_a * f * eta))

    def equilibrium_theta(self, potential: float) -> float:
        """theta at which U(theta) = ``potential`` [V] (the OCV table must be monotonic).

        Raises:
            ValueError: ``potential`` is outside the table's range of U.
        """
        import numpy as np

        th = np.array([p[0] for p in self.ocv_table])
        U = np.array([p[1] for p in self.ocv_table])
        order = np.argsort(U)
        if not U[order][0] <= potential <= U[order][-1]:
            raise ValueError(f"potential {potential} V is outside the OCV table's range [{U.min()}, {U.max()}] V")
        return float(np.interp(potential, U[order], th[order]))


@dataclass(frozen=True)
class Material:
    """An isotropic, swelling, Li-storing (or Li-inert) solid. All values SI.

    Attributes:
        name: database key.
        E: Young's modulus at theta = 0 [Pa].
        nu: Poisson's ratio [-].
        c_max: Li concentration at theta = 1, per unit reference (unlithiated) volume
            [mol/m^3]; 0 means Li-inert.
        Omega: partial molar volume of Li [m^3/mol]; ``Omega * c_max`` is the volume
            expansion at full lithiation.
        D: Li diffusivity [m^2/s] at theta = 0.
        E_full: Young's modulus at theta = 1 [Pa]; None = constant ``E``.
        D_full: diffusivity at theta = 1 [m^2/s]; None = constant ``D``.
        volume_table: optional ((theta_0, dV/V0_0), ...) table of the volume expansion
            against theta, used instead of ``Omega`` for the swelling (piecewise linear).
        plasticity: J2 plasticity parameters when the case switches plasticity on for the
            region (``plasticity = true`` takes :data:`PLASTICITY_DATABASE`); None = elastic.
        fracture: fracture data for the indicators (``fracture = true`` takes
            :data:`FRACTURE_DATABASE`); None = only the principal stress is reported.
        kinetics: Butler–Volmer surface kinetics for ``mode = "kinetic"`` stages
            (``kinetics = true`` takes :data:`KINETICS_DATABASE`); None = none.
        sources: value name -> citation (paper, table/equation).
        note: caveats about the data.
    """

    name: str
    E: float
    nu: float
    c_max: float
    Omega: float
    D: float
    E_full: float | None = None
    D_full: float | None = None
    volume_table: tuple[tuple[float, float], ...] | None = None
    plasticity: Plasticity | None = None
    fracture: Fracture | None = None
    kinetics: Kinetics | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    note: str = ""

    @property
    def stores_li(self) -> bool:
        """True when the material takes up Li (``c_max > 0``)."""
        return self.c_max > 0.0

    @property
    def volume_expansion_full(self) -> float:
        """Volume expansion dV/V0 at theta = 1 [-]."""
        if self.volume_table:
            return self.volume_table[-1][1]
        return self.Omega * self.c_max

    def youngs_modulus(self, theta):
        """UFL Young's modulus [Pa] at normalised concentration ``theta``."""
        if self.E_full is None:
            return self.E
        return self.E + (self.E_full - self.E) * theta

    def lame(self, theta):
        """UFL Lame parameters ``(mu, lmbda)`` [Pa] at ``theta``."""
        E = self.youngs_modulus(theta)
        return E / (2 * (1 + self.nu)), E * self.nu / ((1 + self.nu) * (1 - 2 * self.nu))

    def volume_ratio(self, theta, theta0: float):
        """UFL swelling volume ratio J_s = V/V(theta0) [-] (Bower et al. 2011, sec. 2)."""
        if self.volume_table:
            g = piecewise_linear(theta, self.volume_table)
            g0 = float(_interp(theta0, self.volume_table))
            return (1 + g) / (1 + g0)
        return 1 + self.Omega * self.c_max * (theta - theta0)

    def diffusivity(self, theta):
        """UFL diffusivity [m^2/s] at ``theta``."""
        if self.D_full is None:
            return self.D
        return self.D + (self.D_full - self.D) * theta


def piecewise_linear(x, table):
    """UFL piecewise-linear interpolation of ``table = ((x0, y0), (x1, y1), ...)`` (x sorted), constant outside."""
    xs = [float(p[0]) for p in table]
    ys = [float(p[1]) for p in table]
    expr = ys[-1]
    for i in range(len(xs) - 2, -1, -1):
        slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])
        expr = ufl.conditional(ufl.lt(x, xs[i + 1]), ys[i] + slope * (x - xs[i]), expr)
    return ufl.conditional(ufl.lt(x, xs[0]), ys[0], expr)


def _interp(x: float, table) -> float:
    import numpy as np

    return float(np.interp(x, [p[0] for p in table], [p[1] for p in table]))


# ----------------------------------------------------------------------------- database
_SI_MOLAR_VOLUME = 12.06e-6  # m^3/mol, crystalline Si (density 2.329 g/cm^3, 28.086 g/mol)
_GE_MOLAR_VOLUME = 13.63e-6  # m^3/mol, Ge (5.323 g/cm^3, 72.63 g/mol)
_SN_MOLAR_VOLUME = 16.29e-6  # m^3/mol, beta-Sn (7.287 g/cm^3, 118.71 g/mol)
_GRAPHITE_C = 2260.0 / 12.011e-3 / 6.0  # mol Li / m^3 carbon at LiC6 (density 2.26 g/cm^3)

DATABASE: dict[str, Material] = {
    "LixSi": Material(
        name="LixSi",
        E=80e9,
        E_full=41e9,
        nu=0.22,
        c_max=3.75 / _SI_MOLAR_VOLUME,
        Omega=3.0 / (3.75 / _SI_MOLAR_VOLUME),
        D=1e-17,
        sources={
            "E": "a-Si, 80 GPa: Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804, material data",
            "E_full": "softening to ~41 GPa at Li15Si4: Shenoy, Johari & Qi, J. Power Sources 195 (2010) 6825 (linear trend with Li fraction)",
            "nu": "0.22: Bower, Guduru & Sethuraman (2011), material data",
            "c_max": "Li15Si4 (3.75 Li/Si) per unlithiated Si volume: Obrovac & Christensen, Electrochem. Solid-State Lett. 7 (2004) A93",
            "Omega": "from dV/V0 = 300 % at full lithiation: contact-interfaces review (shared/literature/000, L217), alloy-anode review (001, L314)",
            "D": "1e-13 cm^2/s, upper end of 1e-14..1e-13 cm^2/s: micron-Si review (shared/literature/004, L56)",
        },
        note="Amorphous LixSi. D spans four decades in the literature (1e-18..1e-15 m^2/s); state your own.",
    ),
    "carbon": Material(
        name="carbon",
        E=32e9,
        E_full=109e9,
        nu=0.3,
        c_max=_GRAPHITE_C,
        Omega=0.10 / _GRAPHITE_C,
        D=3.9e-14,
        sources={
            "E": "graphite 32 GPa, stiffening to 109 GPa at LiC6: Qi, Guo, Hector & Timmons, J. Electrochem. Soc. 157 (2010) A558",
            "E_full": "Qi, Guo, Hector & Timmons (2010)",
            "nu": "0.3 assumed (typical of carbons)",
            "c_max": "LiC6 at graphite density 2.26 g/cm^3 (stoichiometry)",
            "Omega": "~10 % volume expansion at LiC6: Qi, Guo, Hector & Timmons (2010)",
            "D": "3.9e-14 m^2/s (MCMB carbon): Doyle, Newman, Gozdz, Schmutz & Tarascon, J. Electrochem. Soc. 143 (1996) 1890",
        },
        note="Graphitic values used for a carbon coating; amorphous pyrolytic carbon is softer and stores less Li.",
    ),
    "carbon_inert": Material(
        name="carbon_inert",
        E=32e9,
        nu=0.3,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={"E": "Qi, Guo, Hector & Timmons, J. Electrochem. Soc. 157 (2010) A558", "nu": "0.3 assumed"},
        note="Li-inert carbon coating: Li passes through it without storage; the flux enters the core at the interface.",
    ),
    "SiO2": Material(
        name="SiO2",
        E=72e9,
        nu=0.17,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={"E": "fused silica 72 GPa, CRC Handbook of Chemistry and Physics", "nu": "fused silica 0.17, CRC Handbook"},
        note="Li-inert oxide coating.",
    ),
    "SiOx": Material(
        name="SiOx",
        E=80e9,
        nu=0.22,
        c_max=1500 * 3.6 / FARADAY * 2.13e6,
        Omega=1.4 / (1500 * 3.6 / FARADAY * 2.13e6),
        D=1e-17,
        sources={
            "c_max": "1500 mAh/g reversible at 2.13 g/cm^3 (typical SiO; order of magnitude)",
            "Omega": "dV/V0 = 120-160 % (140 % used): contact-interfaces review (000, L254); SiO@C review (003, L52)",
            "E": "assumed equal to a-Si (no reliable value found)",
            "nu": "assumed equal to a-Si",
            "D": "assumed equal to LixSi; the SiO@C review (003, L52) quotes ~1e-13 m^2/s for its electrode model",
        },
        note="Rough values: replace E and D with measured data.",
    ),
    "Ge": Material(
        name="Ge",
        E=103e9,
        nu=0.26,
        c_max=3.75 / _GE_MOLAR_VOLUME,
        Omega=3.7 / (3.75 / _GE_MOLAR_VOLUME),
        D=1e-16,
        sources={
            "E": "crystalline Ge ~103 GPa, ν 0.26 (handbook values)",
            "c_max": "Li15Ge4 (3.75 Li/Ge) per unlithiated Ge volume",
            "Omega": "dV/V0 ~370 %: contact-interfaces review (000, L655)",
            "D": "order of magnitude (faster than Si); assumed",
        },
        note="Softening with Li not included.",
    ),
    "Sn": Material(
        name="Sn",
        E=50e9,
        nu=0.36,
        c_max=4.4 / _SN_MOLAR_VOLUME,
        Omega=3.59 / (4.4 / _SN_MOLAR_VOLUME),
        D=1e-16,
        sources={
            "E": "beta-Sn ~50 GPa, ν 0.36 (handbook values)",
            "c_max": "Li22Sn5 (4.4 Li/Sn) per unlithiated Sn volume",
            "Omega": "dV/V0 = 359 % at Li22Sn5: contact-interfaces review (000, L696-710)",
            "D": "order of magnitude; assumed",
        },
        note="Crystalline Sn lithiates through two-phase reactions; a single-phase diffusion model is an approximation.",
    ),
    "SnO2": Material(
        name="SnO2",
        E=200e9,
        nu=0.29,
        c_max=8.4 / (150.71e-3 / 6950.0),
        Omega=2.5 / (8.4 / (150.71e-3 / 6950.0)),
        D=1e-16,
        sources={
            "E": "cassiterite SnO2, order of 200 GPa (handbook range 200-260 GPa)",
            "nu": "0.29, handbook value for cassiterite",
            "c_max": "8.4 Li per SnO2 (conversion to Li2O + Sn, then Li4.4Sn) at 6.95 g/cm^3",
            "Omega": "dV/V0 ~250 % at full conversion + alloying (order of magnitude)",
            "D": "order of magnitude; assumed",
        },
        note="Conversion + alloying lumped into one swelling solid; values are order-of-magnitude.",
    ),
    "titanate": Material(
        name="titanate",
        E=150e9,
        nu=0.27,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={"E": "TiO2 / hydrogen titanate, order of 150 GPa (anatase 150-180 GPa, handbook range)", "nu": "0.27, anatase"},
        note="Li-inert titanate nanotube wall (SnO2 nanowire-in-titanate-tube: contact-interfaces review 000, L1488-1499).",
    ),
    "Cu": Material(
        name="Cu",
        E=120e9,
        nu=0.34,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={"E": "polycrystalline Cu 110-130 GPa (CRC Handbook of Chemistry and Physics)", "nu": "0.34, CRC Handbook"},
        note="Current collector, elastic only (Cu yields at ~70-300 MPa).",
    ),
    "LLZO": Material(
        name="LLZO",
        E=146e9,
        nu=0.257,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={
            "E": "146 GPa: Yu et al., Chem. Mater. 28 (2016) 197 (resonant ultrasound); oxide SEs 100-200 GPa: alloy-anode review (001, L884)",
            "nu": "0.257: Yu et al. (2016)",
        },
        note="Garnet Li7La3Zr2O12 solid electrolyte; stores no Li in this model (a Li+ conductor).",
    ),
    "Li6PS5Cl": Material(
        name="Li6PS5Cl",
        E=22e9,
        nu=0.3,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={
            "E": "22 GPa, inside the 20-25 GPa usually quoted for argyrodite Li6PS5Cl; sulfides are far softer than oxides (001, L884-889)",
            "nu": "0.3 assumed",
        },
        note="Argyrodite sulfide solid electrolyte; E is a representative value, not a measurement we cite directly.",
    ),
    "SEI": Material(
        name="SEI",
        E=2.0e9,
        nu=0.3,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={
            "E": "2 GPa, a representative assumption, not one measurement: AFM indentation of the SEI gives 1 MPa "
                 "to 10 GPa depending on the layer (soft organic outer part, stiffer inorganic LiF/Li2CO3/Li2O "
                 "inner part) and on whether it is measured wet; Kuznetsov et al., ACS Appl. Mater. Interfaces 7 "
                 "(2015) 23554 measured 0.5-10 MPa wet on sputtered Si and review the 1 MPa-10 GPa range; see also "
                 "the review of McBrayer et al., Nanotechnology 32 (2021) 502005",
            "nu": "0.3 assumed (no measured value used)",
            "c_max": "Li-inert: Li+ crosses the SEI but is not stored in it (model assumption)",
        },
        note="Solid electrolyte interphase as one homogeneous elastic layer (real SEI is layered, porous and "
             "viscoelastic). E spans four decades in the literature: sweep it (regions.<r>.E) before trusting a "
             "stress. Thickness ~10-200 nm (McBrayer et al. 2021) is a geometry input (a multi_shell shell).",
    ),
    "void_medium": Material(
        name="void_medium",
        E=1e5,
        nu=0.3,
        c_max=0.0,
        Omega=0.0,
        D=0.0,
        sources={"E": "a compliant filler ~1e-6 of the solid moduli, as in third-medium contact (Wriggers, Schroeder & Schwarz, Comput. Mech. 52 (2013) 837)"},
        note="Meshed void of a yolk-shell or wire-in-tube; not a physical material (placeholder for third-medium contact).",
    ),
}

#: plasticity parameter sets; a case uses one with ``plasticity = true`` in a region table
PLASTICITY_DATABASE: dict[str, Plasticity] = {
    "LixSi": Plasticity(
        yield_stress=2.0e9,
        yield_stress_full=0.43e9,
        hardening=0.0,
        sources={
            "yield_stress": "2 GPa for unlithiated Si: alloy-anode review (shared/literature/001, L144)",
            "yield_stress_full": "430 MPa after full lithiation: alloy-anode review (001, L144); "
                                 "Sethuraman et al., J. Power Sources 195 (2010) 5062 measured flow at ~1.75 GPa "
                                 "early in lithiation falling to ~1 GPa",
            "hardening": "perfectly plastic, as in Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804",
        },
    ),
    "carbon": Plasticity(
        yield_stress=32e9 / 11.0,
        hardening=0.0,
        sources={
            "yield_stress": "amorphous carbon yields at ~E/11 with ~70 % plastic strain in compression of "
                            "nanopillars below ~430 nm: Liu, Lin, Zhou & Li, Carbon 122 (2017) 276; applied "
                            "to the database E = 32 GPa -> 2.9 GPa, and taken equal in tension (J2, an "
                            "assumption: a-C is brittle in tension, so read the shell's fracture indicator too)",
            "hardening": "perfectly plastic (Liu et al. 2017 report flow at near-constant stress)",
        },
    ),
    "Sn": Plasticity(
        yield_stress=30e6,
        sources={"yield_stress": "beta-Sn ~10-40 MPa (handbook range); lithiated Sn phases are not well characterised"},
    ),
    "Cu": Plasticity(
        yield_stress=70e6,
        hardening=1.0e9,
        sources={"yield_stress": "annealed Cu ~70 MPa (CRC Handbook); rolled foil up to ~300 MPa",
                 "hardening": "1 GPa linear hardening, order of magnitude for Cu at small strain (assumed)"},
    ),
}

#: fracture data sets; a case uses one with ``fracture = true`` in a region table
FRACTURE_DATABASE: dict[str, Fracture] = {
    "LixSi": Fracture(
        fracture_energy=10.0,
        flaw_size=5e-9,
        sources={
            "fracture_energy": "about 10 J/m^2 over the Li content (measured 5-12 J/m^2): Pharr, Suo & Vlassak, "
                               "Nano Lett. 13 (2013) 5570",
            "flaw_size": "5 nm surface flaw, assumed (a few nm of surface roughness); set your own",
        },
    ),
    "SEI": Fracture(
        tensile_strength=50e6,
        sources={"tensile_strength": "50 MPa, a representative assumption (no direct measurement used): of the order of "
                                     "the strength of glassy polymers and far below that of the inorganic phases (LiF, "
                                     "Li2CO3); the SEI's strength is not well established, set your own"},
    ),
    "carbon": Fracture(
        tensile_strength=1.0e9,
        sources={"tensile_strength": "1 GPa assumed for a pyrolytic carbon coating (order of magnitude, not measured)"},
    ),
    "carbon_inert": Fracture(
        tensile_strength=1.0e9,
        sources={"tensile_strength": "1 GPa assumed for a pyrolytic carbon coating (order of magnitude, not measured)"},
    ),
}

#: fracture case key -> (Fracture field, unit dimension, (lower, upper) physical range in SI)
FRACTURE_KEYS: dict[str, tuple[str, str, tuple[float, float]]] = {
    "tensile_strength": ("tensile_strength", "pressure", (1e5, 1e11)),
    "fracture_energy": ("fracture_energy", "energy_per_area", (1e-3, 1e5)),
    "flaw_size": ("flaw_size", "length", (1e-11, 1e-3)),
}

#: Butler–Volmer data sets; a case uses one with ``kinetics = true`` in a region table
KINETICS_DATABASE: dict[str, Kinetics] = {
    "LixSi": Kinetics(
        exchange_current_density=1.0,
        # theta, U [V]: the lithiation branch of the a-Si open-circuit potential, the 7th-order
        # polynomial fit of Verbrugge, Baker & Xiao, J. Electrochem. Soc. 163 (2016) A262
        # (as parameterised for Si by Ai et al., J. Power Sources 527 (2022) 231142), sampled
        # densely where it is steep (largest deviation from the fit 4.6 mV)
        ocv_table=((0.0, 0.8633), (0.01, 0.7765), (0.02, 0.7010), (0.03, 0.6355), (0.04, 0.5789), (0.05, 0.5303),
                   (0.06, 0.4885), (0.07, 0.4529), (0.08, 0.4226), (0.09, 0.3969), (0.1, 0.3753), (0.125, 0.3351),
                   (0.15, 0.3094), (0.175, 0.2929), (0.2, 0.2817), (0.25, 0.2661), (0.3, 0.2518), (0.35, 0.2363),
                   (0.4, 0.2204), (0.45, 0.2052), (0.5, 0.1910), (0.55, 0.1770), (0.6, 0.1616), (0.65, 0.1436),
                   (0.7, 0.1230), (0.75, 0.1016), (0.8, 0.0828), (0.85, 0.0703), (0.9, 0.0652), (0.95, 0.0610),
                   (1.0, 0.0373)),
        sources={
            "exchange_current_density": "1 A/m^2 assumed: the order of magnitude (0.1-10 A/m^2) used for Li "
                                        "insertion electrodes; not a measured a-Si value, set your own",
            "ocv_table": "lithiation OCV of a-Si: polynomial fit of Verbrugge, Baker & Xiao, J. Electrochem. Soc. "
                         "163 (2016) A262, as used by Ai et al., J. Power Sources 527 (2022) 231142; the "
                         "delithiation branch lies higher (hysteresis), which this table does not model",
            "alpha_a": "0.5, symmetric charge transfer (assumed, usual choice)",
            "alpha_c": "0.5, symmetric charge transfer (assumed, usual choice)",
        },
    ),
}

#: kinetics case key -> (Kinetics field, unit dimension, (lower, upper) physical range in SI)
KINETICS_KEYS: dict[str, tuple[str, str, tuple[float, float]]] = {
    "exchange_current_density": ("exchange_current_density", "current_density", (1e-8, 1e5)),
    "alpha_a": ("alpha_a", "dimensionless", (0.05, 0.95)),
    "alpha_c": ("alpha_c", "dimensionless", (0.05, 0.95)),
}

#: plasticity case key -> (Plasticity field, unit dimension, (lower, upper) physical range in SI)
PLASTICITY_KEYS: dict[str, tuple[str, str, tuple[float, float]]] = {
    "yield_stress": ("yield_stress", "pressure", (1e5, 5e10)),
    "yield_stress_full": ("yield_stress_full", "pressure", (1e5, 5e10)),
    "hardening": ("hardening", "pressure", (0.0, 1e12)),
}

#: case key -> (Material field, unit dimension, (lower, upper) physical range in SI)
OVERRIDABLE: dict[str, tuple[str, str, tuple[float, float]]] = {
    "E": ("E", "pressure", (1e3, 2e12)),
    "E_full": ("E_full", "pressure", (1e8, 2e12)),
    "nu": ("nu", "dimensionless", (0.0, 0.4999)),
    "c_max": ("c_max", "concentration", (0.0, 1e6)),
    "Omega": ("Omega", "molar_volume", (0.0, 1e-4)),
    "D": ("D", "diffusivity", (0.0, 1e-6)),
    "D_full": ("D_full", "diffusivity", (0.0, 1e-6)),
}


def material_from_case(table: dict, key: str) -> Material:
    """Resolve a case's region material: ``{material = "LixSi", E = "60 GPa", ...}``.

    Args:
        table: the region table of the case file.
        key: its dotted key, e.g. ``"regions.core"`` (for error messages).

    Returns:
        The database :class:`Material` with overrides applied (SI).

    Raises:
        CaseError: missing or unknown material, unknown override key, wrong unit, or a
            value outside its physical range.
    """
    if "material" not in table:
        raise CaseError(f"{key}.material", "missing", ", ".join(sorted(DATABASE)))
    name = table["material"]
    if name not in DATABASE:
        raise CaseError(f"{key}.material", f"unknown material {name!r}", ", ".join(sorted(DATABASE)))
    changes = {}
    for k, v in table.items():
        if k == "material":
            continue
        if k == "volume_table":
            changes["volume_table"] = _volume_table(v, f"{key}.volume_table")
            continue
        if k == "plasticity":
            pl = _plasticity(v, name, f"{key}.plasticity")
            if pl is not None:
                changes["plasticity"] = pl
            continue
        if k == "fracture":
            fr = _fracture(v, name, f"{key}.fracture")
            if fr is not None:
                changes["fracture"] = fr
            continue
        if k == "kinetics":
            kn = _kinetics(v, name, f"{key}.kinetics")
            if kn is not None:
                changes["kinetics"] = kn
            continue
        if k not in OVERRIDABLE:
            raise CaseError(f"{key}.{k}", "unknown key",
                            ", ".join(["material", "volume_table", "plasticity", "fracture", "kinetics", *OVERRIDABLE]))
        attr, val = _ranged_quantity(OVERRIDABLE[k], v, f"{key}.{k}")
        changes[attr] = val
    base = DATABASE[name]
    sources = {**base.sources, **{k: "case file override" for k in changes}}
    mat = dataclasses.replace(base, **changes, sources=sources)
    if mat.stores_li and mat.D <= 0:
        raise CaseError(f"{key}.D", "a Li-storing material needs a positive diffusivity", "D > 0")
    if mat.kinetics is not None and not mat.stores_li:
        raise CaseError(f"{key}.kinetics", f"{name!r} stores no Li", "kinetics only on a Li-storing material (c_max > 0)")
    if mat.stores_li and mat.volume_expansion_full > 4.5:
        raise CaseError(f"{key}.Omega", f"volume expansion {mat.volume_expansion_full:.2f} at full lithiation", "0 <= Omega*c_max <= 4.5")
    return mat


def _ranged_quantity(spec: tuple[str, str, tuple[float, float]], value, key: str) -> tuple[str, float]:
    """``(field name, SI value)`` of the case value ``value`` at ``key``, for a
    ``spec = (field, unit dimension, (lower, upper))`` of the key tables above.

    Raises:
        CaseError: wrong unit, or the value outside [lower, upper] (in SI).
    """
    attr, dim, (lo, hi) = spec
    val = to_si(value, dim, key)
    if not lo <= val <= hi:
        raise CaseError(key, f"value {val:g} is out of the physical range", f"[{lo:g}, {hi:g}] in SI")
    return attr, val


def _plasticity(value, material: str, key: str) -> Plasticity | None:
    """``plasticity = false | true | {yield_stress = "1 GPa", ...}`` of a region table.

    ``true`` takes the database set of ``material``; a table overrides its values (or
    defines a set for a material without one, then ``yield_stress`` is required).

    Raises:
        CaseError: wrong type, unknown key, wrong unit, out of range, or no parameter set.
    """
    if value is False:
        return None
    base = PLASTICITY_DATABASE.get(material)
    if value is True:
        if base is None:
            raise CaseError(key, f"no plasticity parameters for {material!r} in the database",
                            f"give a table {{ yield_stress = ... }}; database sets: {', '.join(PLASTICITY_DATABASE)}")
        return base
    if not isinstance(value, dict):
        raise CaseError(key, f"expected true, false or a table, got {value!r}", 'true, or { yield_stress = "1 GPa" }')
    changes = {}
    for k, v in value.items():
        if k not in PLASTICITY_KEYS:
            raise CaseError(f"{key}.{k}", "unknown key", ", ".join(PLASTICITY_KEYS))
        attr, val = _ranged_quantity(PLASTICITY_KEYS[k], v, f"{key}.{k}")
        changes[attr] = val
    if base is None:
        if "yield_stress" not in changes:
            raise CaseError(f"{key}.yield_stress", f"missing: {material!r} has no database plasticity set", "a stress, e.g. \"1 GPa\"")
        return Plasticity(**changes, sources={k: "case file" for k in changes})
    return dataclasses.replace(base, **changes, sources={**base.sources, **{k: "case file override" for k in changes}})


def _fracture(value, material: str, key: str) -> Fracture | None:
    """``fracture = false | true | {tensile_strength = "1 GPa", fracture_energy = "10 J/m^2",
    flaw_size = "5 nm"}`` of a region table.

    ``true`` takes the database set of ``material``; a table overrides its values (or
    gives them for a material without a set).

    Raises:
        CaseError: wrong type, unknown key, wrong unit, out of range, no data, or a
            fracture energy without a flaw size (the energy release rate needs both).
    """
    if value is False:
        return None
    base = FRACTURE_DATABASE.get(material)
    if value is True:
        if base is None:
            raise CaseError(key, f"no fracture data for {material!r} in the database",
                            f'give a table {{ tensile_strength = "1 GPa" }}; database sets: {", ".join(FRACTURE_DATABASE)}')
        return base
    if not isinstance(value, dict):
        raise CaseError(key, f"expected true, false or a table, got {value!r}", 'true, or { tensile_strength = "1 GPa" }')
    changes = {}
    for k, v in value.items():
        if k not in FRACTURE_KEYS:
            raise CaseError(f"{key}.{k}", "unknown key", ", ".join(FRACTURE_KEYS))
        attr, val = _ranged_quantity(FRACTURE_KEYS[k], v, f"{key}.{k}")
        changes[attr] = val
    base = base or Fracture()
    out = dataclasses.replace(base, **changes, sources={**base.sources, **{k: "case file" for k in changes}})
    if out.tensile_strength is None and out.fracture_energy is None and out.flaw_size is None:
        raise CaseError(key, "empty: no fracture data", ", ".join(FRACTURE_KEYS))
    if out.fracture_energy is not None and out.flaw_size is None:
        raise CaseError(f"{key}.flaw_size", "missing: the energy-release-rate index needs a flaw size", 'a length, e.g. "5 nm"')
    return out


def _kinetics(value, material: str, key: str) -> Kinetics | None:
    """``kinetics = false | true | {exchange_current_density = "2 A/m^2", ocv_table = [[0, 0.8], [1, 0.05]],
    alpha_a = 0.5, alpha_c = 0.5, concentration_dependent = true}`` of a region table.

    ``true`` takes the database set of ``material``; a table overrides its values (or
    gives them for a material without a set: then ``exchange_current_density`` and
    ``ocv_table`` are required).

    Raises:
        CaseError: wrong type, unknown key, wrong unit, out of range, a bad OCV table
            (theta not increasing over [0, 1], U not strictly monotonic, U outside
            [-1, 5] V) or a missing value.
    """
    if value is False:
        return None
    base = KINETICS_DATABASE.get(material)
    if value is True:
        if base is None:
            raise CaseError(key, f"no kinetics data for {material!r} in the database",
                            f'give a table {{ exchange_current_density = "1 A/m^2", ocv_table = [...] }}; '
                            f'database sets: {", ".join(KINETICS_DATABASE)}')
        return base
    if not isinstance(value, dict):
        raise CaseError(key, f"expected true, false or a table, got {value!r}", 'true, or { exchange_current_density = "1 A/m^2" }')
    allowed = [*KINETICS_KEYS, "ocv_table", "concentration_dependent"]
    changes = {}
    for k, v in value.items():
        if k == "ocv_table":
            changes["ocv_table"] = _ocv_table(v, f"{key}.ocv_table")
            continue
        if k == "concentration_dependent":
            if not isinstance(v, bool):
                raise CaseError(f"{key}.{k}", f"expected true or false, got {v!r}", "true, false")
            changes[k] = v
            continue
        if k not in KINETICS_KEYS:
            raise CaseError(f"{key}.{k}", "unknown key", ", ".join(allowed))
        attr, val = _ranged_quantity(KINETICS_KEYS[k], v, f"{key}.{k}")
        changes[attr] = val
    if base is None:
        for need in ("exchange_current_density", "ocv_table"):
            if need not in changes:
                raise CaseError(f"{key}.{need}", f"missing: {material!r} has no database kinetics set",
                                'e.g. exchange_current_density = "1 A/m^2", ocv_table = [[0.0, 0.8], [1.0, 0.05]]')
        return Kinetics(**changes, sources={k: "case file" for k in changes})
    return dataclasses.replace(base, **changes, sources={**base.sources, **{k: "case file override" for k in changes}})


def _ocv_table(value, key: str) -> tuple[tuple[float, float], ...]:
    try:
        rows = tuple((float(a), float(b)) for a, b in value)
    except (TypeError, ValueError):
        raise CaseError(key, "expected a list of [theta, U in V] pairs", "[[0.0, 0.8], [1.0, 0.05]]") from None
    thetas = [r[0] for r in rows]
    dU = [b[1] - a[1] for a, b in zip(rows, rows[1:])]
    if len(rows) < 2 or any(b <= a for a, b in zip(thetas, thetas[1:])) or thetas[0] > 0 or thetas[-1] < 1:
        raise CaseError(key, "theta values must increase strictly and span [0, 1]", "at least two rows, first theta <= 0, last >= 1")
    if not (all(d < 0 for d in dU) or all(d > 0 for d in dU)):
        raise CaseError(key, "U must be strictly monotonic in theta (the equilibrium theta of a potential must be unique)",
                        "U decreasing with theta, as for an anode")
    if any(not -1.0 <= r[1] <= 5.0 for r in rows):
        raise CaseError(key, "U out of range", "[-1, 5] V vs Li/Li+")
    return rows


def _volume_table(value, key: str) -> tuple[tuple[float, float], ...]:
    try:
        rows = tuple((float(a), float(b)) for a, b in value)
    except (TypeError, ValueError):
        raise CaseError(key, "expected a list of [theta, dV/V0] pairs", "[[0.0, 0.0], [1.0, 3.0]]") from None
    thetas = [r[0] for r in rows]
    if len(rows) < 2 or thetas != sorted(thetas) or len(set(thetas)) != len(thetas) or thetas[0] > 0 or thetas[-1] < 1:
        raise CaseError(key, "theta values must increase strictly and span [0, 1]", "at least two rows, first theta <= 0, last >= 1")
    if any(r[1] <= -1 or r[1] > 4.5 for r in rows):
        raise CaseError(key, "dV/V0 out of range", "(-1, 4.5]")
    return rows
