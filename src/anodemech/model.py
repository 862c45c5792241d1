"""The monolithic chemo-mechanical problem on a tagged mesh: spaces, forms, boundary conditions.

Unknowns (one mixed space): displacement ``u`` [m] (vector Lagrange, degree 1 or 2) and
normalised concentration ``theta`` [-] (P1, continuous across bonded interfaces, which
means equal chemical potential there for materials with the same mu0).

Stress coupling needs ``Grad sigma_h``. It is taken cell by cell from the displacement
(second derivatives of P2 ``u``), so it never differentiates across the jump of ``sigma_h``
at a material interface. (An earlier variant carried ``sigma_h`` as a continuous P1
projection: its smeared interface jump pushed Li away from the core-shell interface and
was dropped.) Stress coupling therefore requires P2 displacement.

Scaling: the mixed function stores ``u / L_ref`` and ``p / E_ref`` (``L_ref`` the size of
the body, ``E_ref`` the largest Young's modulus), and the equations are divided by
``E_ref L_ref^2`` (momentum) and ``c_ref L_ref^3 / dt`` (mass),
so that the Jacobian's blocks are of similar size and one SNES tolerance serves all of
them. :meth:`ChemoMechanicalProblem.fields` returns the SI fields.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import ufl
from mpi4py import MPI

import basix.ufl
import dolfinx.fem as fem

from anodemech.geometry.base import MeshData
from anodemech.materials import FARADAY, Material
from anodemech.physics import chemomech as cm
from anodemech.physics import contact as ct
from anodemech.physics import kinetics as kn
from anodemech.physics import pair_contact as pc
from anodemech.physics import plasticity as pl
from anodemech.solver import NonlinearSolver


@dataclass(frozen=True)
class PhysicsOptions:
    """Switches of the coupled model.

    Attributes:
        transport: "ideal" (ideal-solution chemical potential) or "fickian".
        stress_coupling: include ``-Omega sigma_h`` in the chemical potential.
        temperature: [K].
        theta0: initial, stress-free normalised concentration [-].
        displacement_degree: 1 or 2.
        mass_lumping: integrate the Li storage term ``c_max (theta - theta_n) q`` with the
            vertex rule (a lumped, diagonal mass matrix for P1 theta). With backward Euler
            this removes the undershoot of the consistent mass matrix next to a surface
            whose concentration changes fast (no discrete maximum principle when
            ``D dt / h^2`` is small: Thomee, Galerkin Finite Element Methods for Parabolic
            Problems, 2nd ed., ch. 15). It conserves the same Li (the vertex rule integrates
            P1 exactly).
        concentration_unknown: the nodal Li unknown. "theta" (default): theta itself, P1.
            "logit": ``xi = ln(theta/(1 - theta))`` ("ideal") or ``ln(theta)`` ("fickian"),
            the concentration part of the chemical potential, ``mu = mu0 + RT xi - Omega
            sigma_h``; theta = 1/(1 + exp(-xi)) (or exp(xi)) is then inside (0, 1) (or
            positive) at every point and every Newton iterate by construction, so the
            mobility ``theta (1 - theta)`` of the stress-driven flux never changes sign.
            This is the "chemical potential as unknown" idea of Anand, J. Mech. Phys.
            Solids 60 (2012) 1983 and Di Leo, Rejovitzky & Anand, J. Mech. Phys. Solids 70
            (2014) 1, with the stress part kept out of the unknown so that theta is an
            explicit function of it. Initial and surface values are kept inside
            [THETA_FLOOR, 1 - THETA_FLOOR].
    """

    transport: str = "ideal"
    stress_coupling: bool = True
    temperature: float = 298.15
    theta0: float = 0.0
    displacement_degree: int = 2
    mass_lumping: bool = True
    concentration_unknown: str = "theta"


#: with ``concentration_unknown = "logit"``: initial and prescribed theta are kept inside
#: [THETA_FLOOR, 1 - THETA_FLOOR] (theta = 0 or 1 has no finite logit) [-]
THETA_FLOOR = 1e-4

CONCENTRATION_UNKNOWNS = ("theta", "logit")

#: largest change of the logit unknown per Newton iteration (NonlinearSolver.limit_update);
#: 2 = theta changes by at most a factor of about e^2 where it is small
LOGIT_MAX_CHANGE = 2.0


@dataclass(frozen=True)
class MaterialPoint:
    """UFL stress state of one region (SI).

    Attributes:
        kin: kinematics (``F``, mechanical part ``Fe``, ``Js``, ``J``).
        P: first Piola–Kirchhoff stress [Pa] (3x3).
        sigma: Cauchy stress [Pa] (3x3).
        sigma_h: hydrostatic Cauchy stress [Pa], a function of u and theta only (it is
            differentiated for stress-coupled diffusion).
        return_map: the plastic return map, or None for an elastic region.
    """

    kin: cm.Kinematics
    P: object
    sigma: object
    sigma_h: object
    return_map: pl.ReturnMap | None


class ChemoMechanicalProblem:
    """Coupled Li transport + finite-strain mechanics for one tagged mesh.

    Args:
        comm: communicator (the mesh's).
        md: tagged mesh (:class:`MeshData`), regions named as in ``materials``.
        materials: region name -> :class:`Material`; every cell region needs one.
        physics: :class:`PhysicsOptions`.
        linear: "iterative" or "direct".
        petsc_options: overrides under this problem's prefix.
        obstacles: rigid :class:`~anodemech.physics.contact.Obstacle` s (penalty contact).
        fixed_points: ``{name: {axis: displacement [m]}}``: prescribed displacement
            components at a named mesh point (``md.points``; in a plane-strain slab the
            line through it along z), e.g. a particle centre pushed
            towards an obstacle, or on a whole named surface (``md.facet_names``), e.g. a
            block top pressed down; change them with :meth:`set_point_displacement`.
        pairs: deformable contact pairs (:class:`~anodemech.physics.pair_contact.ContactPairSpec`)
            between surfaces of the mesh (penalty, Gauss point to surface).
        spring: relative stiffness ``s`` of weak springs on every body: body force
            ``-s E_ref / L_ref^2 u`` [N/m^3], which removes the rigid-body modes of bodies
            held only by contact; 0 = none.
        pressures: ``{surface: p [Pa]}``: follower pressure on named surfaces (normal
            traction ``-p n`` per current area, e.g. a stack pressure or the internal
            pressure of a thick-walled sphere); change it with :meth:`set_pressure`.

    Raises:
        KeyError: a region of the mesh has no material, or an obstacle's, a pair's or a
            pressure's surface / a fixed point is not in the mesh.
        ValueError: no region stores Li.
    """

    def __init__(self, comm, md: MeshData, materials: dict[str, Material], physics: PhysicsOptions,
                 linear: str = "iterative", petsc_options: dict | None = None, obstacles=(), fixed_points=None,
                 pairs=(), spring: float = 0.0, pressures: dict | None = None):
        missing = set(md.cell_names) - set(materials)
        if missing:
            raise KeyError(f"no material for region(s) {sorted(missing)}")
        if not any(m.stores_li for m in materials.values()):
            raise ValueError("no region stores Li")
        if physics.concentration_unknown not in CONCENTRATION_UNKNOWNS:
            raise ValueError(f"concentration_unknown {physics.concentration_unknown!r} not in {CONCENTRATION_UNKNOWNS}")
        self.logit = physics.concentration_unknown == "logit"
        self.physics = physics
        if self.logit:  # the stress-free reference is the (clamped) initial state
            physics = replace(physics, theta0=float(self.clamp_theta(physics.theta0)))
        self.comm = comm
        self.md = md
        self.materials = {name: materials[name] for name in md.cell_names}
        self.physics = physics
        mesh = md.mesh
        self.mesh = mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)

        k = physics.displacement_degree
        cell = mesh.basix_cell()
        elems = [basix.ufl.element("Lagrange", cell, k, shape=(mesh.geometry.dim,)), basix.ufl.element("Lagrange", cell, 1)]
        if physics.stress_coupling and k < 2:
            raise ValueError("stress coupling needs displacement_degree = 2 (Grad sigma_h from second derivatives of u)")
        self.W = fem.functionspace(mesh, basix.ufl.mixed_element(elems))
        self.scalar_element = basix.ufl.element("Lagrange", cell, k)  # one component of u (pair contact)
        self.w = fem.Function(self.W, name="state")
        self.w_n = fem.Function(self.W, name="previous_state")
        self.V_u, self.u_dofs = self.W.sub(0).collapse()
        self.V_theta, self.theta_dofs = self.W.sub(1).collapse()

        self.qdeg = 4 if k == 2 else 2
        self.dx = ufl.Measure("dx", domain=mesh, subdomain_data=md.cell_tags, metadata={"quadrature_degree": self.qdeg})
        self.ds = ufl.Measure("ds", domain=mesh, subdomain_data=md.facet_tags, metadata={"quadrature_degree": self.qdeg})
        self.dS = ufl.Measure("dS", domain=mesh, subdomain_data=md.facet_tags, metadata={"quadrature_degree": self.qdeg})
        # Li storage term: vertex rule = lumped mass for P1 theta (PhysicsOptions.mass_lumping)
        self.dx_storage = (ufl.Measure("dx", domain=mesh, subdomain_data=md.cell_tags,
                                       metadata={"quadrature_rule": "vertex", "quadrature_degree": 1})
                           if physics.mass_lumping else self.dx)

        # J2 plasticity: internal variables at the quadrature points of self.dx
        self.plastic = tuple(n for n, m in self.materials.items() if m.plasticity is not None)
        self.history = pl.History(mesh, self.qdeg) if self.plastic else None

        self.dt = fem.Constant(mesh, 1.0)  # s
        self.flux_in = fem.Constant(mesh, 0.0)  # mol m^-2 s^-1 into the active material
        self.theta_surface = fem.Function(self.V_theta)  # potentiostatic value
        # Butler-Volmer kinetics (regions with ``kinetics``): electrode potential [V] and an on/off switch
        self.potential = fem.Constant(mesh, 0.0)
        self.kinetic_on = fem.Constant(mesh, 0.0)

        # Reference scales
        storing = [m for m in self.materials.values() if m.stores_li]
        self.E_ref = max(m.E for m in self.materials.values())
        self.c_ref = max(m.c_max for m in storing)
        vol = self.integrate(1.0 * self.dx)
        # rounded: a parallel sum differs in its last digits between rank counts, and the
        # value is compiled into the forms (an unrounded one defeats the JIT cache)
        self.L_ref = float(f"{vol ** (1.0 / 3.0):.6g}")

        # Li enters each body at its first li_entry surface whose region stores Li (the outer
        # surface, or the surface of the outermost Li-storing region under a Li-inert coating).
        # All bodies charge at the same C-rate: the flux on body b is flux_in * s_b with
        # s_b = (capacity_b / area_b) / (capacity_0 / area_0).
        self.flux_entries = self._flux_surfaces()
        self.flux_surface, self.flux_measure = self.flux_entries[0][0], self.flux_entries[0][1]
        self.flux_surfaces = [e[0] for e in self.flux_entries]
        self.capacity = self.integrate(sum(m.c_max * self.dx(md.cell_names[n]) for n, m in self.materials.items() if m.stores_li))  # mol
        cap0, area0 = self.flux_entries[0][3], self.flux_entries[0][4]
        self.flux_weights = [(cap / area) / (cap0 / area0) for *_, cap, area in self.flux_entries]
        self.flux_area = sum(w * e[4] for w, e in zip(self.flux_weights, self.flux_entries))  # m^2, effective
        self.obstacles = tuple(obstacles)
        self.spring = float(spring)
        for ob in self.obstacles:
            if ob.surface not in md.facet_names:
                raise KeyError(f"obstacle {ob.name!r}: surface {ob.surface!r} is not in the mesh ({', '.join(md.facet_names)})")
        # penalty kappa = alpha E / h per obstacle (a Constant: changing alpha needs no new JIT)
        self._contact_h = {ob.name: self._min_facet_size(ob.surface) for ob in self.obstacles}
        self.kappa = {ob.name: fem.Constant(mesh, ct.penalty_stiffness(ob.alpha or ct.DEFAULT_ALPHA, self.E_ref,
                                                                       self._contact_h[ob.name]))
                      for ob in self.obstacles}
        self._point_values = {}
        # follower pressure [Pa] on named surfaces (set_pressure changes the value, no JIT)
        self.pressures = {}
        for surface, value in (pressures or {}).items():
            if surface not in md.facet_names:
                raise KeyError(f"pressure: surface {surface!r} is not in the mesh ({', '.join(md.facet_names)})")
            self._check_exterior(surface)
            self.pressures[surface] = fem.Constant(mesh, float(value))
        self.set_initial_state(physics.theta0)
        self.bcs_mech = self._mechanical_bcs() + self._point_bcs(fixed_points or {})
        self.bcs_inert = self._inert_bcs()
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim, tdim)
        #: theta dofs (mixed-space indices, local) in Li-storing cells
        self.storing_theta_dofs = np.unique(np.concatenate(
            [fem.locate_dofs_topological((self.W.sub(1), self.V_theta), tdim, md.cells(n))[0]
             for n, m in self.materials.items() if m.stores_li]))
        self._bc_surface = fem.dirichletbc(self.theta_surface, self._surface_theta_dofs(), self.W.sub(1))
        self.bcs: list = [*self.bcs_mech, *self.bcs_inert]

        # deformable pairs: kappa = alpha E / h with h the smallest slave edge
        self.pairs = {}
        for spec in pairs:
            pair = pc.PairContact(self, spec, 1.0, quadrature_degree=self.qdeg)
            pair.set_kappa(ct.penalty_stiffness(spec.alpha or ct.DEFAULT_ALPHA, self.E_ref, pair.h_min))
            self.pairs[spec.name] = pair
        if len(set(self.pairs) | {ob.name for ob in self.obstacles}) != len(self.pairs) + len(self.obstacles):
            raise ValueError("contact names (obstacles and pairs) must be unique")
        extra = [_ScaledTerm(p, 1.0 / (self.E_ref * self.L_ref**2), 1.0 / (self.E_ref * self.L_ref))
                 for p in self.pairs.values()]

        splits = {"theta": (self.W.sub(1), self.V_theta), "u": (self.W.sub(0), self.V_u)}
        # galvanostatic kinetic stages: the electrode potential is a global unknown (physics.kinetics)
        self.potential_constraint = kn.PotentialConstraint(self) if self.has_kinetics else None
        self.solver = NonlinearSolver(comm, self.residual(), self.w, self.bcs, linear=linear, splits=splits,
                                      petsc_options=petsc_options, extra_terms=extra,
                                      constraint=self.potential_constraint)
        if self.logit:
            self.solver.limit_update(self.theta_dofs, LOGIT_MAX_CHANGE)

    # ------------------------------------------------------------------ fields
    def fields(self, w=None):
        """SI UFL fields ``(u [m], theta [-], None)`` of ``w`` (default: the current state)."""
        parts = ufl.split(self.w if w is None else w)
        return self.L_ref * parts[0], self.theta_of(parts[1]), None

    # ------------------------------------------------- the concentration unknown
    def clamp_theta(self, theta):
        """theta kept inside [THETA_FLOOR, 1 - THETA_FLOOR] ("logit" unknown; else as is)."""
        if not getattr(self, "logit", False):
            return theta
        hi = np.inf if self.physics.transport == "fickian" else 1.0 - THETA_FLOOR
        return np.clip(theta, THETA_FLOOR, hi)

    def theta_of(self, xi):
        """UFL theta [-] of the nodal unknown (PhysicsOptions.concentration_unknown)."""
        if not self.logit:
            return xi
        if self.physics.transport == "fickian":
            return ufl.exp(xi)
        return 1.0 / (1.0 + ufl.exp(-xi))

    def theta_values(self, xi: np.ndarray) -> np.ndarray:
        """Nodal theta [-] of an array of nodal unknowns (same shape)."""
        if not self.logit:
            return xi
        if self.physics.transport == "fickian":
            return np.exp(xi)
        return 1.0 / (1.0 + np.exp(-xi))

    def unknown_values(self, theta):
        """Nodal unknown of theta [-] (array or float; clamped, see :meth:`clamp_theta`)."""
        if not self.logit:
            return theta
        theta = self.clamp_theta(np.asarray(theta, dtype=float))
        if self.physics.transport == "fickian":
            return np.log(theta)
        return np.log(theta / (1.0 - theta))

    def material_point(self, name: str) -> MaterialPoint:
        """UFL stress state of region ``name`` at the current iterate ``w`` (from ``w_n`` and
        the stored history where the region is plastic)."""
        u, theta, _ = self.fields()
        mat = self.materials[name]
        kin = cm.kinematics(u, theta, mat, self.physics.theta0)
        if mat.plasticity is None:
            sigma = cm.cauchy(kin, theta, mat)
            return MaterialPoint(kin, cm.first_piola(kin, theta, mat), sigma, cm.hydrostatic(sigma), None)
        u_n, theta_n, _ = self.fields(self.w_n)
        kin_n = cm.kinematics(u_n, theta_n, mat, self.physics.theta0)
        rm = pl.return_map(kin, kin_n, self.history.be_bar, self.history.alpha, theta, mat)
        return MaterialPoint(kin, pl.first_piola(rm, kin), pl.cauchy(rm), pl.hydrostatic(kin, theta, mat), rm)

    def residual(self):
        """Scaled UFL residual of the coupled problem (module docstring)."""
        u, theta, p = self.fields()
        _, theta_n, _ = self.fields(self.w_n)
        tests = ufl.TestFunctions(self.W)
        v, q = tests[0], tests[1]
        L, E, c = self.L_ref, self.E_ref, self.c_ref
        ph = self.physics
        R = 0
        for name, mat in self.materials.items():
            dx = self.dx(self.md.cell_names[name])
            mp = self.material_point(name)
            kin = mp.kin
            R += ufl.inner(mp.P, ufl.grad(v)) / (E * L**2) * dx
            if mp.return_map is not None:
                self.history.add_region(name, self.md.cells(name), mp.return_map, self.comm)
            if mat.stores_li:
                grad_sh = ufl.grad(mp.sigma_h) if ph.stress_coupling else None
                J_R = cm.li_flux(theta, ufl.grad(theta), grad_sh, kin.F, mat, ph.transport, ph.temperature, ph.stress_coupling)
                R += mat.c_max * (theta - theta_n) * q / (c * L**3) * self.dx_storage(self.md.cell_names[name])
                R += -self.dt * ufl.inner(J_R, ufl.grad(q)) / (c * L**3) * dx
        for (_, measure, *_), weight in zip(self.flux_entries, self.flux_weights):
            qf = q if measure.integral_type() == "exterior_facet" else q("+")
            R += -self.dt * weight * self.flux_in * qf / (c * L**3) * measure
        for measure, N in self._kinetic_fluxes(theta):  # Butler-Volmer (kinetic stages)
            qf = q if measure.integral_type() == "exterior_facet" else q("+")
            R += -self.dt * self.kinetic_on * N * qf / (c * L**3) * measure
        if self.spring > 0:
            R += self.spring * E / L**2 * ufl.dot(u, v) / (E * L**2) * self.dx
        if self.pressures:  # follower pressure: t = -p n da = -p J F^-T N dA (Nanson)
            N = ufl.FacetNormal(self.mesh)
            F = ufl.Identity(3) + ufl.grad(u)
            for surface, pres in self.pressures.items():
                R += pres * ufl.det(F) * ufl.dot(ufl.inv(F).T * N, v) / (E * L**2) * self.ds(self.md.facet_names[surface])
        x = ufl.SpatialCoordinate(self.mesh) + u
        for ob in self.obstacles:
            g, n = ob.gap_normal(x)
            pressure = ct.contact_pressure_reference(g, self.kappa[ob.name])
            R += -pressure * ufl.dot(n, v) / (E * L**2) * self.ds(self.md.facet_names[ob.surface])
        return R

    def _kinetic_fluxes(self, theta, potential=None):
        """``[(measure, N)]``: the Butler–Volmer inward flux N [mol m^-2 s^-1 per reference
        area] (:meth:`anodemech.materials.Kinetics.flux`) at the electrode potential
        ``potential`` (default: the problem's), on each Li entry surface whose region has
        kinetics.

        With ``physics.stress_coupling`` the overpotential carries the same stress term as
        the chemical potential of the transport law, ``mu = mu0 + RT ln(theta/(1-theta)) -
        Omega sigma_h`` (Bower, Guduru & Sethuraman, J. Mech. Phys. Solids 59 (2011) 804):
        the equilibrium potential becomes ``U(theta) + Omega sigma_h / F``, so compression
        hinders insertion.

        Raises:
            ValueError: stress-dependent kinetics on an interface Li entry (under a Li-inert
                coating), where sigma_h jumps.
        """
        out = []
        V = self.potential if potential is None else potential
        for _, measure, region, *_ in self.flux_entries:
            mat = self.materials[region]
            if mat.kinetics is None:
                continue
            th = theta if measure.integral_type() == "exterior_facet" else theta("+")
            eta_stress = 0.0
            if self.physics.stress_coupling:
                if measure.integral_type() != "exterior_facet":
                    raise ValueError(f"stress-dependent kinetics needs the Li entry of region {region!r} on an outer "
                                     "surface (here it is an interface under a Li-inert coating)")
                # the equilibrium potential shifts by Omega sigma_h / F: eta = V - U(theta) - Omega sigma_h / F
                eta_stress = -mat.Omega * self.material_point(region).sigma_h / FARADAY
            out.append((measure, mat.kinetics.flux(th, V, self.physics.temperature, eta_extra=eta_stress)))
        return out

    @property
    def has_kinetics(self) -> bool:
        """True when a Li entry surface has Butler–Volmer kinetics (kinetic stages possible)."""
        return any(self.materials[e[2]].kinetics is not None for e in self.flux_entries)

    def kinetic_metrics(self) -> dict[str, float]:
        """Surface reaction of a kinetic stage (zeros in other stages; only with kinetics).

        Keys (SI, for the meshed part of the particle): ``potential_V`` (electrode potential
        vs Li/Li+, NaN outside kinetic stages), ``current_A`` (F times the Li uptake rate
        through the kinetic surfaces, > 0 lithiating), ``current_density_mean_A_m2`` (per
        reference area) and ``current_density_min_A_m2`` / ``..._max_A_m2`` (extremes of
        the average over the facets of one cell). Collective.
        """
        if not self.has_kinetics:
            return {}
        if not hasattr(self, "_kinetic_forms"):
            _, theta, _ = self.fields()
            q0 = ufl.TestFunction(fem.functionspace(self.mesh, ("DG", 0)))
            forms = []
            for measure, N in self._kinetic_fluxes(theta):
                one = 1.0 if measure.integral_type() == "exterior_facet" else None
                q = q0 if one is not None else q0("+") + q0("-")
                forms.append((fem.form(N * measure), fem.form(1.0 * measure),
                               fem.form(N * q * measure), fem.form(q * measure)))
            self._kinetic_forms = forms
        on = float(self.kinetic_on.value) > 0
        total = area = 0.0
        lo, hi = np.inf, -np.inf
        n_own = self.mesh.topology.index_map(self.mesh.topology.dim).size_local
        for fN, fA, cN, cA in self._kinetic_forms:
            total += self.integrate_form(fN)
            area += self.integrate_form(fA)
            cn, ca = fem.assemble_vector(cN).array[:n_own], fem.assemble_vector(cA).array[:n_own]
            hit = ca > 0
            if hit.any():
                lo, hi = min(lo, float((cn[hit] / ca[hit]).min())), max(hi, float((cn[hit] / ca[hit]).max()))
        lo, hi = self.comm.allreduce(lo, op=MPI.MIN), self.comm.allreduce(hi, op=MPI.MAX)
        F = FARADAY
        return {"potential_V": float(self.potential.value) if on else float("nan"),
                "current_A": F * total if on else 0.0,
                "current_density_mean_A_m2": F * total / area if on else 0.0,
                "current_density_min_A_m2": F * lo if on else 0.0,
                "current_density_max_A_m2": F * hi if on else 0.0}

    # ------------------------------------------------------------------ BCs
    def _flux_surfaces(self):
        """Per body (a set of regions joined by shared facets): the first ``md.li_entry``
        surface of that body whose region stores Li, as ``(surface, measure, region,
        body capacity [mol], surface area [m^2])``; ``ds`` on an outer surface, ``dS`` on an
        interface between two regions.

        Raises:
            ValueError: no entry surface has a Li-storing region.
        """
        md = self.md
        tdim = self.mesh.topology.dim
        f2c = self.mesh.topology.connectivity(tdim - 1, tdim)
        body = self._bodies()
        out, taken = [], set()
        for surface, region in md.li_entry:
            if surface not in md.facet_names or region not in self.materials or not self.materials[region].stores_li:
                continue
            if body[region] in taken:
                continue
            taken.add(body[region])
            interior = any(len(f2c.links(f)) == 2 for f in md.facets(surface))
            interior = self.comm.allreduce(interior, op=MPI.LOR)
            measure = (self.dS if interior else self.ds)(md.facet_names[surface])
            cap = self.integrate(sum(m.c_max * self.dx(md.cell_names[n]) for n, m in self.materials.items()
                                     if m.stores_li and body[n] == body[region]))
            out.append((surface, measure, region, cap, self.integrate(1.0 * measure)))
        if not out:
            raise ValueError(f"no Li entry surface: none of {md.li_entry} has a Li-storing region")
        return out

    def _bodies(self) -> dict[str, int]:
        """Region -> body number: regions that share a facet belong to one body (collective)."""
        md, tdim = self.md, self.mesh.topology.dim
        f2c = self.mesh.topology.connectivity(tdim - 1, tdim)
        names = list(self.materials)
        n_cells = self.mesh.topology.index_map(tdim).size_local + self.mesh.topology.index_map(tdim).num_ghosts
        region_of = np.full(n_cells, -1, dtype=np.int64)
        for i, n in enumerate(names):
            region_of[md.cells(n)] = i
        links = set()
        for f in range(self.mesh.topology.index_map(tdim - 1).size_local):
            cells = f2c.links(f)
            if len(cells) == 2 and region_of[cells[0]] != region_of[cells[1]]:
                links.add(tuple(sorted((int(region_of[cells[0]]), int(region_of[cells[1]])))))
        links = set().union(*self.comm.allgather(links))
        parent = list(range(len(names)))

        def root(i):
            while parent[i] != i:
                i = parent[i]
            return i

        for a, b in links:
            parent[root(a)] = root(b)
        return {n: root(i) for i, n in enumerate(names)}

    def _mechanical_bcs(self):
        md, W, fdim = self.md, self.W, self.mesh.topology.dim - 1
        bcs = []
        for axis, name in enumerate(("symmetry_x", "symmetry_y", "symmetry_z")):
            if name in md.facet_names:
                sub = W.sub(0).sub(axis)
                Vs, _ = sub.collapse()
                dofs = fem.locate_dofs_topological((sub, Vs), fdim, md.facets(name))
                bcs.append(fem.dirichletbc(fem.Function(Vs), dofs, sub))
        if "clamped" in md.facet_names:
            sub = W.sub(0)
            Vs, _ = sub.collapse()
            dofs = fem.locate_dofs_topological((sub, Vs), fdim, md.facets("clamped"))
            bcs.append(fem.dirichletbc(fem.Function(Vs), dofs, sub))
        elif "origin" in md.points:
            # 3-2-1 supports: statically determinate, so they remove rigid-body modes
            # without stressing a self-equilibrated body.
            # (a plane-strain slab has no y_axis point: symmetry_z holds z)
            fixed = {"origin": (0, 1, 2), "x_axis": (1, 2), "y_axis": (2,)}
            for pname, comps in fixed.items():
                if pname not in md.points:
                    continue
                for axis in comps:
                    sub = W.sub(0).sub(axis)
                    Vs, _ = sub.collapse()
                    dofs = fem.locate_dofs_geometrical((sub, Vs), self._at_point(md.points[pname]))
                    bcs.append(fem.dirichletbc(fem.Function(Vs), dofs, sub))
        return bcs

    def _at_point(self, x0):
        """Marker of the dof coordinates at the named point ``x0`` [m], shape ``(3,)``; in a
        plane-strain slab (``md.slab > 0``) the line through ``x0`` along z."""
        x0 = np.asarray(x0, dtype=float)
        tol = 1e-6 * self.L_ref
        if self.md.slab > 0:
            return lambda x: np.linalg.norm(x[:2].T - x0[:2], axis=1) < tol
        return lambda x: np.linalg.norm(x.T - x0, axis=1) < tol

    def _min_facet_size(self, surface: str) -> float:
        """Smallest edge length [m] of the facets of ``surface`` (over all ranks)."""
        from anodemech.geometry.measure import facet_nodes

        x = self.mesh.geometry.x
        nodes = facet_nodes(self.md, self.md.facets(surface))
        local = np.inf
        for i in range(nodes.shape[1]):
            for j in range(i + 1, nodes.shape[1]):
                if len(nodes):
                    local = min(local, float(np.linalg.norm(x[nodes[:, i]] - x[nodes[:, j]], axis=1).min()))
        h = self.comm.allreduce(local, op=MPI.MIN)
        if not np.isfinite(h):
            raise KeyError(f"surface {surface!r} has no facets")
        return h

    def _point_bcs(self, fixed_points: dict) -> list:
        """Dirichlet conditions on displacement components at named mesh points or surfaces."""
        bcs = []
        fdim = self.mesh.topology.dim - 1
        for name, comps in fixed_points.items():
            if name not in self.md.points and name not in self.md.facet_names:
                raise KeyError(f"fixed point {name!r} is neither a point ({', '.join(self.md.points) or 'none'}) "
                               f"nor a surface ({', '.join(self.md.facet_names)}) of the mesh")
            x0 = self.md.points.get(name)
            for axis, value in comps.items():
                sub = self.W.sub(0).sub(axis)
                Vs, _ = sub.collapse()
                if x0 is None:
                    dofs = fem.locate_dofs_topological((sub, Vs), fdim, self.md.facets(name))
                else:
                    dofs = fem.locate_dofs_geometrical((sub, Vs), self._at_point(x0))
                g = fem.Function(Vs)
                g.x.array[:] = value / self.L_ref
                self._point_values[(name, axis)] = g
                bcs.append(fem.dirichletbc(g, dofs, sub))
        return bcs

    def set_pressure(self, surface: str, value: float):
        """Set the follower pressure on ``surface`` [Pa] (declared with ``pressures=``).

        Raises:
            KeyError: the problem has no pressure on ``surface``.
        """
        self.pressures[surface].value = float(value)
        self.solver.request_preconditioner_rebuild()

    def _check_exterior(self, surface: str):
        """Raise ``ValueError`` if facets of ``surface`` are interior (a bonded interface):
        ``ds`` would silently drop a load there. Collective."""
        from dolfinx.mesh import exterior_facet_indices

        facets = self.md.facets(surface)
        n_own = self.mesh.topology.index_map(self.mesh.topology.dim - 1).size_local
        facets = facets[facets < n_own]
        inner = np.setdiff1d(facets, exterior_facet_indices(self.mesh.topology)).size
        if self.comm.allreduce(int(inner), op=MPI.SUM):
            raise ValueError(f"pressure: surface {surface!r} has interior facets (a bonded interface); "
                             "a pressure needs an outer surface")

    def set_penalty(self, name: str, alpha: float):
        """Set the penalty multiplier of obstacle or pair ``name``: ``kappa = alpha E_ref / h``.

        Raises:
            KeyError: no such obstacle or pair. ValueError: ``alpha <= 0``.
        """
        if name in self.pairs:
            self.pairs[name].set_kappa(ct.penalty_stiffness(alpha, self.E_ref, self.pairs[name].h_min))
        else:
            self.kappa[name].value = ct.penalty_stiffness(alpha, self.E_ref, self._contact_h[name])
        self.solver.request_preconditioner_rebuild()

    def contact_alphas(self) -> dict[str, float]:
        """Default penalty multiplier of every obstacle and pair, by name."""
        out = {ob.name: ob.alpha or ct.DEFAULT_ALPHA for ob in self.obstacles}
        out.update({n: p.spec.alpha or ct.DEFAULT_ALPHA for n, p in self.pairs.items()})
        return out

    def set_point_displacement(self, name: str, axis: int, value: float):
        """Change a prescribed point displacement [m] (see ``fixed_points``).

        Raises:
            KeyError: the point/axis was not given in ``fixed_points``.
        """
        self._point_values[(name, axis)].x.array[:] = value / self.L_ref
        self.solver.request_preconditioner_rebuild()

    def contact_metrics(self) -> dict[str, float]:
        """Per obstacle ``<name>`` (SI): ``contact_<name>_area_m2`` (current configuration),
        ``..._area_ref_m2``, ``..._force_N``, ``..._pressure_mean_Pa`` (force / current
        area), ``..._pressure_max_Pa`` (largest average over the contact facets of one cell,
        per current area), ``..._radius_m`` (equivalent radius of a point contact) and, for
        wires (``md.axis``), ``..._half_width_m`` of a line contact
        (:func:`anodemech.physics.contact.patch_size`),
        ``..._penetration_max_m``, ``..._gap_min_m``, ``..._fraction`` (reference area of
        the contact surface (a pair's slave surface) that touches, gap below
        ``ct.TOUCH_FRACTION`` x its smallest edge, over the reference area of that surface
        [-]). Pairs get the same columns. Collective."""
        out = {}
        for name, pair in self.pairs.items():
            out.update({f"contact_{name}_{k}": v for k, v in pair.metrics(self._symmetry_planes(), self.md.axis).items()})
        if not self.obstacles:
            return out
        if not hasattr(self, "_contact_forms"):
            self._contact_forms = self._compile_contact_metrics()
        for ob in self.obstacles:
            forms, cellwise, (gap_fn, gap_expr), dofs = self._contact_forms[ob.name]
            area, area_ref, force, surface_ref, touching = (self.integrate_form(f) for f in forms)
            gap_fn.interpolate(gap_expr)
            X = gap_fn.function_space.tabulate_dof_coordinates()
            size = ct.patch_size(area, X[dofs[gap_fn.x.array[dofs] < 0]], 1e-6 * self.L_ref, self._symmetry_planes(),
                                 self.md.axis, self.comm)
            gmin = self.comm.allreduce(float(gap_fn.x.array[dofs].min()) if len(dofs) else np.inf, op=MPI.MIN)
            cell_force, cell_area = (fem.assemble_vector(f).array for f in cellwise)
            n_own = self.mesh.topology.index_map(self.mesh.topology.dim).size_local
            cell_force, cell_area = cell_force[:n_own], cell_area[:n_own]
            hit = cell_area > 0
            pmax = self.comm.allreduce(float((cell_force[hit] / cell_area[hit]).max()) if hit.any() else 0.0, op=MPI.MAX)
            k = f"contact_{ob.name}"
            out[f"{k}_area_m2"] = area
            out[f"{k}_area_ref_m2"] = area_ref
            out[f"{k}_force_N"] = force
            out[f"{k}_pressure_mean_Pa"] = force / area if area > 0 else 0.0
            out[f"{k}_pressure_max_Pa"] = pmax
            out.update({f"{k}_{key}": v for key, v in size.items()})
            out[f"{k}_penetration_max_m"] = max(0.0, -gmin)
            out[f"{k}_gap_min_m"] = gmin
            out[f"{k}_fraction"] = touching / surface_ref if surface_ref > 0 else 0.0
        return out

    def _compile_contact_metrics(self):
        """Forms of the contact metrics. The peak pressure is taken as the largest average of
        the penalty pressure over the contact facets of one cell (a DG0 vector of facet
        integrals): nodal penalty values overshoot at the first contact vertex (measured:
        +16 % against Hertz at a/h = 7, the facet average +1 %)."""
        u, _, _ = self.fields()
        x = ufl.SpatialCoordinate(self.mesh) + u
        F = ufl.Identity(3) + ufl.grad(u)
        N = ufl.FacetNormal(self.mesh)
        stretch = ufl.det(F) * ufl.sqrt(ufl.dot(ufl.inv(F).T * N, ufl.inv(F).T * N))  # da/dA (Nanson)
        Q0 = fem.functionspace(self.mesh, ("DG", 0))
        q0 = ufl.TestFunction(Q0)
        V1 = fem.functionspace(self.mesh, ("Lagrange", 1))
        tdim = self.mesh.topology.dim
        out = {}
        for ob in self.obstacles:
            ds = self.ds(self.md.facet_names[ob.surface])
            g, _ = ob.gap_normal(x)
            on = ufl.conditional(ufl.lt(g, 0.0), 1.0, 0.0)
            p = ct.contact_pressure_reference(g, self.kappa[ob.name])
            touch = ufl.conditional(ufl.lt(g, ct.TOUCH_FRACTION * self._contact_h[ob.name]), 1.0, 0.0)
            forms = (fem.form(on * stretch * ds), fem.form(on * ds), fem.form(p * ds),
                     fem.form(fem.Constant(self.mesh, 1.0) * ds), fem.form(touch * ds))
            cellwise = (fem.form(p * q0 * ds), fem.form(on * stretch * q0 * ds))
            gap_fn = fem.Function(V1)
            pts = V1.element.interpolation_points
            pts = pts() if callable(pts) else pts
            dofs = fem.locate_dofs_topological(V1, tdim - 1, self.md.facets(ob.surface))
            dofs = dofs[dofs < V1.dofmap.index_map.size_local]
            out[ob.name] = (forms, cellwise, (gap_fn, fem.Expression(g, pts, comm=self.comm)), dofs)
        return out

    def _symmetry_planes(self) -> list[tuple[int, float]]:
        """``[(axis index, coordinate [m])]`` of the symmetry planes of the mesh; a group may
        hold two parallel planes (the faces of a plane-strain slab). Collective, cached."""
        if not hasattr(self, "_sym_planes"):
            from anodemech.geometry.measure import facet_nodes

            self._sym_planes = []
            x = self.mesh.geometry.x
            tol = 1e-6 * self.L_ref
            for axis, name in enumerate(("symmetry_x", "symmetry_y", "symmetry_z")):
                if name in self.md.facet_names:
                    nodes = facet_nodes(self.md, self.md.facets(name), owned=True).ravel()
                    coords = np.concatenate(self.comm.allgather(np.unique(np.round(x[nodes, axis] / tol))))
                    self._sym_planes += [(axis, float(c) * tol) for c in np.unique(coords)]
        return self._sym_planes

    def integrate_form(self, compiled) -> float:
        """Assemble a compiled scalar form and sum over ranks."""
        return self.comm.allreduce(fem.assemble_scalar(compiled), op=MPI.SUM)

    def _inert_bcs(self):
        """Pin theta in Li-inert regions (away from Li-storing cells) to theta0."""
        inert = [n for n, m in self.materials.items() if not m.stores_li]
        if not inert:
            return []
        tdim = self.mesh.topology.dim
        self.mesh.topology.create_connectivity(tdim, tdim)
        sub = (self.W.sub(1), self.V_theta)
        in_store = np.concatenate([fem.locate_dofs_topological(sub, tdim, self.md.cells(n))[0]
                                   for n, m in self.materials.items() if m.stores_li])
        W_dofs, V_dofs = fem.locate_dofs_topological(sub, tdim, np.concatenate([self.md.cells(n) for n in inert]))
        keep = ~np.isin(W_dofs, in_store)
        g = fem.Function(self.V_theta)
        g.x.array[:] = self.unknown_values(self.physics.theta0)
        return [fem.dirichletbc(g, [W_dofs[keep], V_dofs[keep]], self.W.sub(1))]

    def _surface_theta_dofs(self):
        md, fdim = self.md, self.mesh.topology.dim - 1
        facets = np.unique(np.concatenate([md.facets(s) for s in self.flux_surfaces]))
        return fem.locate_dofs_topological((self.W.sub(1), self.V_theta), fdim, facets)

    # ------------------------------------------------------------------ loading
    def set_galvanostatic(self, flux_in: float):
        """Prescribe the inward Li flux [mol m^-2 s^-1] on the first body's flux surface;
        other bodies get it scaled so that all charge at the same C-rate (total Li rate =
        ``flux_in * flux_area``)."""
        self.flux_in.value = flux_in
        self.kinetic_on.value = 0.0
        if self.potential_constraint is not None:
            self.potential_constraint.active = False
        self.bcs[:] = [*self.bcs_mech, *self.bcs_inert]
        self.solver.request_preconditioner_rebuild()

    def set_kinetic(self, potential: float):
        """Butler–Volmer flux at the electrode potential ``potential`` [V vs Li/Li+] on the
        Li entry surfaces whose region has kinetics (the others get no flux).

        Raises:
            ValueError: no Li entry surface has kinetics.
        """
        if not self.has_kinetics:
            raise ValueError("no Li entry surface has Butler-Volmer kinetics (regions.<r>.kinetics)")
        self.flux_in.value = 0.0
        self.potential.value = float(potential)
        self.kinetic_on.value = 1.0
        self.potential_constraint.active = False
        self.bcs[:] = [*self.bcs_mech, *self.bcs_inert]
        self.solver.request_preconditioner_rebuild()

    def set_kinetic_galvanostatic(self, rate: float, potential_guess: float | None = None):
        """Butler–Volmer flux whose total carries the Li rate ``rate`` [mol/s] (> 0
        lithiating) through the kinetic Li entry surfaces: the electrode potential is
        solved with the fields (:class:`anodemech.physics.kinetics.PotentialConstraint`).

        Args:
            rate: Li uptake rate of the meshed part [mol/s], e.g. ``C-rate x capacity / 3600 s``.
            potential_guess: first guess of the potential [V] (default: the open-circuit
                potential at the mean surface theta).

        Raises:
            ValueError: no Li entry surface has kinetics, or a body's Li entry surface has
                none (all bodies must share the one potential).
        """
        if not self.has_kinetics:
            raise ValueError("no Li entry surface has Butler-Volmer kinetics (regions.<r>.kinetics)")
        if any(self.materials[e[2]].kinetics is None for e in self.flux_entries):
            raise ValueError("a galvanostatic kinetic stage needs kinetics on the Li entry region of every body")
        self.flux_in.value = 0.0
        self.kinetic_on.value = 1.0
        if potential_guess is None:
            region = self.flux_entries[0][2]
            _, theta, _ = self.fields()
            m = self.flux_entries[0][1]
            th = theta if m.integral_type() == "exterior_facet" else theta("+")
            potential_guess = self.materials[region].kinetics.ocv(self.integrate(th * m) / self.flux_entries[0][4])
        self.potential.value = float(potential_guess)
        c = self.potential_constraint
        c.active, c.rate = True, float(rate)
        self.bcs[:] = [*self.bcs_mech, *self.bcs_inert]
        self.solver.request_preconditioner_rebuild()

    def set_potentiostatic(self, theta_s: float):
        """Hold theta = ``theta_s`` on the flux surface (the surface SOC)."""
        self.flux_in.value = 0.0
        self.kinetic_on.value = 0.0
        if self.potential_constraint is not None:
            self.potential_constraint.active = False
        self.theta_surface.x.array[:] = self.unknown_values(theta_s)
        self.bcs[:] = [*self.bcs_mech, *self.bcs_inert, self._bc_surface]
        self.solver.request_preconditioner_rebuild()

    def flux_for_c_rate(self, c_rate: float) -> float:
        """Inward flux [mol m^-2 s^-1] that (de)lithiates the particle in 1/|C-rate| hours."""
        return c_rate * self.capacity / 3600.0 / self.flux_area

    # ------------------------------------------------------------------ state
    def set_initial_state(self, theta0: float):
        """Uniform ``theta = theta0``, ``u = 0``, no plastic strain."""
        if getattr(self, "history", None) is not None:
            self.history.reset()
        self.w.x.array[:] = 0.0
        self.w.x.array[self.theta_dofs] = self.unknown_values(theta0)
        self.w.x.scatter_forward()
        self.w_n.x.array[:] = self.w.x.array

    def step(self, dt: float):
        """One backward-Euler step of size ``dt`` [s] from ``w_n``.

        Returns:
            :class:`anodemech.solver.SolveStats`. On failure ``w`` is reset to ``w_n``.
        """
        self.dt.value = dt
        stats = self.solver.solve()
        if not stats.converged or not np.isfinite(self.w.x.array).all():
            stats.converged = False
            self.w.x.array[:] = self.w_n.x.array
        return stats

    def accept(self):
        """Make the current state the previous one (after a converged step); store the
        plastic history of the step first."""
        if self.history is not None:
            self.history.update(self.mesh)
        self.w_n.x.array[:] = self.w.x.array

    def integrate(self, form) -> float:
        """Assemble a scalar UFL form and sum over ranks."""
        return self.comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)

    def soc(self) -> float:
        """Overall state of charge: stored Li / capacity [-] (form compiled once)."""
        if not hasattr(self, "_soc_form"):
            _, theta, _ = self.fields()
            # the storage term's measure: Li in = Li stored, exactly, also for a nonlinear theta(xi)
            self._soc_form = fem.form(sum(m.c_max * theta * self.dx_storage(self.md.cell_names[n])
                                          for n, m in self.materials.items() if m.stores_li))
        return self.comm.allreduce(fem.assemble_scalar(self._soc_form), op=MPI.SUM) / self.capacity


class _ScaledTerm:
    """A pair-contact term with the problem's scaling: residual x ``r_scale`` (SI forces to
    the scaled momentum equation), Jacobian x ``j_scale`` (also per scaled displacement)."""

    def __init__(self, pair, r_scale: float, j_scale: float):
        self.pair, self.r_scale, self.j_scale = pair, r_scale, j_scale

    def add_residual(self, b):
        self.pair.add_residual(b, self.r_scale)

    def add_jacobian(self, A):
        self.pair.add_jacobian(A, self.j_scale)

    def new_couplings(self) -> bool:
        return self.pair.new_couplings()

    def coupled_blocks(self):
        return self.pair.coupled_blocks()
