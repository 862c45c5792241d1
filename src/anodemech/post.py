"""Post-processing: derived stress fields and per-region history quantities.

Fields for ParaView live on a discontinuous P1 space (values at cell vertices), so stress
jumps across the core–shell interface are kept. Definitions:

* ``sigma``: Cauchy stress [Pa]; ``von_mises = sqrt(3/2 s:s)``, ``hydrostatic = tr(sigma)/3``;
* ``radial = n.sigma.n`` and ``hoop = (tr sigma - radial)/2`` about the particle centre,
  with ``n`` the unit vector from the centre to the current position; for cylindrical
  bodies (``MeshData.axis``) the polar components about the axis;
* ``J = det F`` (total volume ratio), ``c = c_max theta`` [mol per m^3 of reference volume];
* ``equivalent_plastic_strain`` (``alpha`` of :mod:`anodemech.physics.plasticity`), 0 in
  elastic regions;
* ``max_principal``: largest principal Cauchy stress [Pa] at each node, and the fracture
  indicators built on it (:mod:`anodemech.fracture`).

In plastic regions the stress depends on internal variables stored at quadrature points,
which cannot be evaluated at the DG1 nodes: there the fields are L2 projections onto DG1
(cell by cell, as DG1 has no inter-element coupling), computed with the problem's
quadrature rule.
"""

from __future__ import annotations

import numpy as np
import ufl
from mpi4py import MPI

from petsc4py import PETSc

import basix.ufl
import dolfinx.fem as fem
import dolfinx.fem.petsc as fem_petsc

from anodemech import fracture
from anodemech.model import ChemoMechanicalProblem
from anodemech.physics import chemomech as cm
from anodemech.physics import contact as ct

SCALARS = ("theta", "c", "J", "von_mises", "hydrostatic", "radial", "hoop", "equivalent_plastic_strain",
           "max_principal", "region")
#: names ``output.fields`` accepts (``gap`` / ``contact_pressure``: those of every contact)
FIELD_NAMES = ("u", "sigma", *SCALARS, "gap", "contact_pressure")


#: fields left out when ``output.fields`` is empty: the full Cauchy tensor (nine DG1
#: components, half the volume of fields.bp; its von Mises, hydrostatic, radial and hoop
#: values are written). ``output.fields = ["sigma", ...]`` asks for it.
NOT_BY_DEFAULT = ("sigma",)


def select_fields(functions: dict, names) -> dict:
    """The functions ``output.fields`` asks for (all but :data:`NOT_BY_DEFAULT` if ``names``
    is empty)."""
    if not names:
        return {k: f for k, f in functions.items() if k not in NOT_BY_DEFAULT}
    return {k: f for k, f in functions.items() if k in names or any(k.startswith(f"{n}_") for n in ("gap", "contact_pressure") if n in names)}


class PostProcessor:
    """Derived fields and history metrics of a :class:`ChemoMechanicalProblem`.

    Attributes:
        functions: name -> ``dolfinx.fem.Function`` on DG1 spaces: "u" (vector, m),
            "sigma" (3x3 tensor, Pa), the scalars in :data:`SCALARS`, and per rigid
            obstacle "gap_<name>" [m] and "contact_pressure_<name>" [Pa per reference area].
    """

    def __init__(self, problem: ChemoMechanicalProblem):
        self.pb = problem
        md, mesh = problem.md, problem.mesh
        cell = mesh.basix_cell()
        gdim = mesh.geometry.dim
        self.Q = fem.functionspace(mesh, basix.ufl.element("DG", cell, 1))
        self.Qv = fem.functionspace(mesh, basix.ufl.element("DG", cell, 1, shape=(gdim,)))
        self.Qt = fem.functionspace(mesh, basix.ufl.element("DG", cell, 1, shape=(gdim, gdim)))
        self.functions = {"u": fem.Function(self.Qv, name="u")}
        self.functions["sigma"] = fem.Function(self.Qt, name="sigma")
        for name in SCALARS:
            self.functions[name] = fem.Function(self.Q, name=name)

        u, theta, _ = problem.fields()
        x = ufl.SpatialCoordinate(mesh) + u
        centre = ufl.as_vector([float(c) for c in md.centre[:gdim]])
        pts = self.Q.element.interpolation_points
        pts = pts() if callable(pts) else pts
        self._exprs = []  # (cells, function, expression)
        self._constants = []  # (dofs, function, value)
        self._projections = []  # (dofs, function, projector, form): plastic regions
        self._projectors = {}
        vm_forms, dv_forms, ep_forms = {}, {}, {}
        for name, mat in problem.materials.items():
            tag = md.cell_names[name]
            cells = md.cells(name)
            mp = problem.material_point(name)
            kin, sigma = mp.kin, mp.sigma
            radial, hoop = cm.radial_hoop(sigma, x, centre, md.axis)
            scal = {"theta": theta, "c": mat.c_max * theta, "J": kin.J, "von_mises": cm.von_mises(sigma),
                    "hydrostatic": cm.hydrostatic(sigma), "radial": radial, "hoop": hoop}
            self._exprs.append((cells, self.functions["u"], fem.Expression(u, pts, comm=mesh.comm)))
            dx = problem.dx(tag)
            if mp.return_map is None:
                scal["equivalent_plastic_strain"] = 0.0 * theta
                self._exprs.append((cells, self.functions["sigma"], fem.Expression(sigma, pts, comm=mesh.comm)))
            else:  # history at quadrature points: L2 projection onto DG1
                scal["equivalent_plastic_strain"] = mp.return_map.alpha
                ep_forms[name] = fem.form(mp.return_map.alpha * dx)
                self._project(cells, self.functions["sigma"], sigma, dx)
            for k, e in scal.items():
                if ufl.domain.extract_unique_domain(e) is None:  # UFL folded it to a constant (e.g. c = 0 * theta)
                    self._constants.append((self._cell_dofs(cells), self.functions[k], float(e)))
                elif mp.return_map is not None and k not in ("theta", "c", "J"):
                    self._project(cells, self.functions[k], e, dx)
                else:
                    self._exprs.append((cells, self.functions[k], fem.Expression(e, pts, comm=mesh.comm)))
            vm_forms[name] = fem.form(cm.von_mises(sigma) * dx)
            dv_forms[name] = (fem.form(kin.J * dx), fem.form(theta * dx))
        all_cells = np.arange(mesh.topology.index_map(mesh.topology.dim).size_local, dtype=np.int32)
        for ob in problem.obstacles:  # gap and penalty pressure (per reference area) for ParaView
            g, _ = ob.gap_normal(x)
            for key, expr in ((f"gap_{ob.name}", g),
                              (f"contact_pressure_{ob.name}", ct.contact_pressure_reference(g, problem.kappa[ob.name]))):
                self.functions[key] = fem.Function(self.Q, name=key)
                self._exprs.append((all_cells, self.functions[key], fem.Expression(expr, pts, comm=mesh.comm)))
        for name in problem.pairs:  # gap and pressure at the slave surface's vertices (NaN / 0 elsewhere)
            self.functions[f"gap_{name}"] = fem.Function(self.Q, name=f"gap_{name}")
            self.functions[f"contact_pressure_{name}"] = fem.Function(self.Q, name=f"contact_pressure_{name}")
        self._vm_forms, self._dv_forms, self._ep_forms = vm_forms, dv_forms, ep_forms
        self.volumes = {n: problem.integrate(1.0 * problem.dx(md.cell_names[n])) for n in problem.materials}
        self._region_dofs = {n: self._cell_dofs(md.cells(n)) for n in problem.materials}
        for n, dofs in self._region_dofs.items():  # region tag, constant per cell
            self.functions["region"].x.array[dofs] = md.cell_names[n]
        self._surface_dofs = self._surface_sets()

    # ------------------------------------------------------------------ helpers
    def _project(self, cells, function, expr, dx):
        """Register the DG1 L2 projection of ``expr`` over measure ``dx`` into ``function``
        on ``cells`` (plastic regions)."""
        V = function.function_space
        key = id(V)  # one projector (mass matrix) per DG space (self.Q, self.Qt)
        if key not in self._projectors:
            self._projectors[key] = _Projector(V, self.pb.dx, self.pb.comm)
        proj = self._projectors[key]
        v = ufl.TestFunction(V)
        self._projections.append((self._cell_dofs(cells), function, proj, fem.form(ufl.inner(expr, v) * dx)))

    def _cell_dofs(self, cells):
        dm = self.Q.dofmap
        return np.unique(np.concatenate([dm.cell_dofs(c) for c in cells])) if len(cells) else np.zeros(0, np.int32)

    def _surface_sets(self):
        """DG1 dofs at the vertices of each named surface, per adjacent region.

        Returns ``{(surface, region): dofs}`` for every facet group except symmetry planes,
        ``clamped`` and ``axis`` (e.g. ``("interface", "shell")``: the shell side).
        """
        md, mesh = self.pb.md, self.pb.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, 0)
        mesh.topology.create_connectivity(tdim - 1, tdim)
        mesh.topology.create_connectivity(tdim, 0)
        f2v, f2c, c2v = (mesh.topology.connectivity(tdim - 1, 0), mesh.topology.connectivity(tdim - 1, tdim),
                         mesh.topology.connectivity(tdim, 0))
        n_cells = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
        region_of = np.full(n_cells, -1, dtype=np.int32)
        names = list(self.pb.materials)
        for i, n in enumerate(names):
            region_of[md.cells(n)] = i
        local = {}
        for surf in md.facet_names:
            if surf.startswith("symmetry_") or surf in ("clamped", "axis"):
                continue
            for f in md.facets(surf):
                fv = set(f2v.links(f))
                for c in f2c.links(f):
                    cd = self.Q.dofmap.cell_dofs(c)
                    local.setdefault((surf, names[region_of[c]]), []).extend(
                        cd[i] for i, v in enumerate(c2v.links(c)) if v in fv)
        keys = sorted(set().union(*self.pb.comm.allgather(set(local))))  # same columns on every rank
        return {k: np.unique(np.asarray(local.get(k, []), dtype=np.int32)) for k in keys}

    def _reduce(self, values, op):
        local = (op(values) if values.size else (-np.inf if op is np.max else np.inf))
        return self.pb.comm.allreduce(float(local), op=MPI.MAX if op is np.max else MPI.MIN)

    # ------------------------------------------------------------------ public
    def update_fields(self):
        """Interpolate all derived fields from the current state."""
        for cells, f, expr in self._exprs:
            f.interpolate(expr, cells)
        for dofs, f, value in self._constants:
            f.x.array[dofs] = value
        for dofs, f, proj, rhs in self._projections:
            values = proj.solve(rhs)
            bs = f.function_space.dofmap.index_map_bs
            f.x.array.reshape(-1, bs)[dofs] = values.reshape(-1, bs)[dofs]
        sigma = self.functions["sigma"].x.array  # same DG1 node order as the scalar space
        self.functions["max_principal"].x.array[:] = fracture.principal_max(sigma.reshape(self.functions["region"].x.array.size, -1))
        self._pair_fields()
        for f in self.functions.values():
            f.x.scatter_forward()

    def _pair_fields(self):
        """Gap [m] and penalty pressure [Pa per reference area] of each deformable pair at
        the vertices of its slave surface (DG1 dofs of the facets' cells)."""
        dm = self.Q.dofmap
        for name, pair in self.pb.pairs.items():
            gap, pres = self.functions[f"gap_{name}"], self.functions[f"contact_pressure_{name}"]
            gap.x.array[:] = np.nan
            pres.x.array[:] = 0.0
            g, p = pair.vertex_values()
            verts = pair.vertices
            for i, c in enumerate(verts.cells):
                dofs = dm.cell_dofs(c)[verts.verts[i]]
                gap.x.array[dofs] = g[i]
                pres.x.array[dofs] = p[i]  # owned cells only: update_fields scatters forward

    def soc(self) -> float:
        """Overall state of charge = stored Li / capacity [-]."""
        return self.pb.soc()

    def metrics(self) -> dict[str, float]:
        """History quantities of the current state (call :meth:`update_fields` first).

        Keys (SI): ``soc``; ``theta_min``, ``theta_max`` (nodal extremes over the Li-storing
        regions); per region ``soc_<r>``, ``von_mises_max_<r>_Pa``,
        ``von_mises_mean_<r>_Pa``, ``volume_change_<r>_pct``; ``hoop_max_<surface>_<region>_Pa``
        for every named surface and each region next to it (e.g. ``hoop_max_interface_shell_Pa``),
        ``hydrostatic_min_Pa``, ``hydrostatic_max_Pa``; for plastic regions
        ``plastic_strain_mean_<r>`` (volume average of the equivalent plastic strain over
        the reference volume) and ``plastic_strain_max_<r>`` (largest nodal DG1 value).

        Fracture indicators (:mod:`anodemech.fracture`): per region
        ``max_principal_max_<r>_Pa``; with a tensile strength ``strength_index_<r>``
        (max principal / strength); with a flaw size, per named surface of the region
        ``energy_release_rate_max_<surface>_<r>_J_m2``, and with a fracture energy
        ``energy_release_rate_index_<r>`` (largest of those / Gamma).

        With Butler–Volmer kinetics: ``potential_V``, ``current_A`` and the surface
        current density (:meth:`ChemoMechanicalProblem.kinetic_metrics`).
        """
        comm = self.pb.comm
        out = {"soc": self.soc()}
        out["theta_min"], out["theta_max"] = self.theta_range()
        vm = self.functions["von_mises"].x.array
        for n in self.pb.materials:
            vol = self.volumes[n]
            Jint = comm.allreduce(fem.assemble_scalar(self._dv_forms[n][0]), op=MPI.SUM)
            thint = comm.allreduce(fem.assemble_scalar(self._dv_forms[n][1]), op=MPI.SUM)
            out[f"soc_{n}"] = thint / vol if self.pb.materials[n].stores_li else 0.0
            out[f"von_mises_max_{n}_Pa"] = self._reduce(vm[self._region_dofs[n]], np.max)
            out[f"von_mises_mean_{n}_Pa"] = comm.allreduce(fem.assemble_scalar(self._vm_forms[n]), op=MPI.SUM) / vol
            out[f"volume_change_{n}_pct"] = 100.0 * (Jint / vol - 1.0)
            if n in self._ep_forms:
                ep = self.functions["equivalent_plastic_strain"].x.array[self._region_dofs[n]]
                out[f"plastic_strain_mean_{n}"] = comm.allreduce(fem.assemble_scalar(self._ep_forms[n]), op=MPI.SUM) / vol
                out[f"plastic_strain_max_{n}"] = self._reduce(ep, np.max)
        hoop = self.functions["hoop"].x.array
        for (surf, region), dofs in self._surface_dofs.items():
            out[f"hoop_max_{surf}_{region}_Pa"] = self._reduce(hoop[dofs], np.max)
        out.update(self._fracture_metrics())
        hyd = self.functions["hydrostatic"].x.array
        out["hydrostatic_min_Pa"] = self._reduce(hyd, np.min)
        out["hydrostatic_max_Pa"] = self._reduce(hyd, np.max)
        out.update(self.pb.kinetic_metrics())
        out.update(self.pb.contact_metrics())
        return out

    def _fracture_metrics(self) -> dict[str, float]:
        out, g_max = {}, {}
        s1 = self.functions["max_principal"].x.array
        theta = self.functions["theta"].x.array
        for n, mat in self.pb.materials.items():
            out[f"max_principal_max_{n}_Pa"] = s1_max = self._reduce(s1[self._region_dofs[n]], np.max)
            if mat.fracture is not None and mat.fracture.tensile_strength is not None:
                out[f"strength_index_{n}"] = s1_max / mat.fracture.tensile_strength
        for (surf, region), dofs in self._surface_dofs.items():
            mat = self.pb.materials[region]
            fr = mat.fracture
            if fr is None or fr.flaw_size is None:
                continue
            E = mat.youngs_modulus(theta[dofs])
            G = fracture.surface_flaw_energy_release_rate(s1[dofs], E, mat.nu, fr.flaw_size)
            out[f"energy_release_rate_max_{surf}_{region}_J_m2"] = value = max(self._reduce(G, np.max), 0.0)
            g_max[region] = max(g_max.get(region, 0.0), value)
        for region, value in g_max.items():
            fr = self.pb.materials[region].fracture
            if fr.fracture_energy is not None:
                out[f"energy_release_rate_index_{region}"] = value / fr.fracture_energy
        return out

    def surface_theta_range(self) -> tuple[float, float]:
        """Min and max theta on the flux surface [-]."""
        th = self.pb.theta_values(self.pb.w.x.array[self._flux_theta_dofs()])
        return self._reduce(th, np.min), self._reduce(th, np.max)

    def theta_range(self, x: np.ndarray | None = None) -> tuple[float, float]:
        """Min and max nodal theta [-] over all Li-storing regions, wherever they occur
        (galvanostatic cut-offs), of the mixed state array ``x`` (default: the current state)."""
        th = self.pb.theta_values((self.pb.w.x.array if x is None else x)[self.pb.storing_theta_dofs])
        return self._reduce(th, np.min), self._reduce(th, np.max)

    def _flux_theta_dofs(self):
        if not hasattr(self, "_ftd"):
            self._ftd = self.pb._surface_theta_dofs()[0]
        return self._ftd


class _Projector:
    """L2 projection onto a DG space: the block-diagonal mass matrix is assembled once and
    solved with conjugate gradients and Jacobi (PETSc KSP, prefix ``anodemech_project_``)."""

    def __init__(self, V, dx, comm):
        p, q = ufl.TrialFunction(V), ufl.TestFunction(V)
        self._A = fem_petsc.assemble_matrix(fem.form(ufl.inner(p, q) * dx))
        self._A.assemble()
        self.result = fem.Function(V)
        self._rhs = fem.Function(V)
        ksp = PETSc.KSP().create(comm)
        ksp.setOperators(self._A)
        ksp.setOptionsPrefix("anodemech_project_")
        ksp.setType("cg")
        ksp.getPC().setType("jacobi")
        ksp.setTolerances(rtol=1e-12, atol=1e-30, max_it=1000)
        self._ksp = ksp

    def solve(self, rhs) -> np.ndarray:
        """Project the compiled linear form ``rhs``; returns the local array (ghosts updated)."""
        b = self._rhs.x.petsc_vec
        with b.localForm() as loc:
            loc.set(0.0)
        fem_petsc.assemble_vector(b, rhs)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        self._ksp.solve(b, self.result.x.petsc_vec)
        self.result.x.scatter_forward()
        return self.result.x.array
