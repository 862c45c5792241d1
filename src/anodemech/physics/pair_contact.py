"""Frictionless penalty contact between two deformable surfaces of one mesh (finite strain).

Method: Gauss-point-to-surface penalty (Wriggers, *Computational Contact Mechanics*, 2nd
ed. 2006, sec. 4.1 normal gap, sec. 6.3 penalty method, sec. 9.1 discretisation of the
gap at integration points of the contact surface):

* the slave surface carries a facet quadrature rule; each point ``X_s`` moves to
  ``x_s = X_s + u(X_s)``;
* the master surface, in the current configuration, is the union of its deformed facets;
  each facet is drawn through the deformed positions of its three vertices and three edge
  midpoints (four flat triangles, exact for P1 displacement, second order for P2);
* the closest point ``x_m`` of that surface to ``x_s`` is found with a k-d tree over the
  triangle centroids (``scipy.spatial.cKDTree``) and an exact point-triangle projection
  over the nearest candidates; the signed gap is ``g = (x_s - x_m) . n_m`` (positive when
  apart) with ``n_m`` the outward unit normal interpolated from node-averaged normals (a
  smoothed master surface, Wriggers sec. 9.4); the master point
  enters the forces through the same interpolation (its barycentric weights on the
  triangle's nodes), so residual and Jacobian are consistent;
* the penalty energy ``kappa/2 <-g>^2`` (its kink rounded over 1e-6 of an element,
  :meth:`PairContact.penalty`) per unit reference area of the slave surface gives
  the pressure ``p = kappa <-g>`` and the nodal forces ``-p w phi_s n_m`` on the slave and
  ``+p w phi_m(x_m) n_m`` on the master (``w`` the reference quadrature weight);
* the projection is recomputed at every residual evaluation of the Newton loop (so the
  converged state satisfies the current-configuration contact conditions); the Jacobian
  keeps the main term ``kappa w H(-g) b b^T`` with ``b = (phi_s n_m, -phi_m n_m)`` and
  drops the variation of ``n_m`` and of the projection point (a standard simplification,
  Wriggers sec. 4.3: it vanishes for flat master facets and costs extra Newton iterations
  on curved ones, never the converged answer).

``kappa = alpha E / h`` [Pa/m] as for rigid obstacles (:mod:`anodemech.physics.contact`),
with ``h`` the smallest edge of the slave surface. The contact residual and Jacobian are
added to DOLFINx's assembled ones through PETSc (``VecSetValues`` / ``MatSetValues`` with
global indices); the matrix accepts new non-zeros as the contact moves. Rows and columns
of Dirichlet-constrained dofs are skipped.

Parallel: each rank integrates the slave facets of the cells it owns; the master surface (positions,
dof numbers) is gathered on every rank at each evaluation, which is cheap for surfaces of
up to ~1e5 facets. The result does not depend on the number of ranks.

Limits: frictionless; P1 (affine) mesh geometry; 3D meshes; a slave point is active only if
its penetration is below ``search_factor`` times the master's element size (deeper overlaps
are not resolved, and the stepper's penetration limit is far below that).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from mpi4py import MPI
from scipy.spatial import cKDTree

import basix
import basix.ufl

from anodemech import compat
from anodemech.physics import contact as ct

# reference coordinates (eta1, eta2) of the six nodes of a facet: 3 vertices, 3 edge midpoints
_ETA6 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.5, 0.0], [0.5, 0.5], [0.0, 0.5]])
# the four sub-triangles (counter-clockwise in eta, so they keep the facet's orientation)
_SUB = np.array([[0, 3, 5], [3, 1, 4], [5, 4, 2], [3, 4, 5]])
_CANDIDATES = 12  # nearest sub-triangle centroids examined per slave point


@dataclass(frozen=True)
class ContactPairSpec:
    """A deformable contact pair of the mesh.

    Attributes:
        name: label of the history columns (``contact_<name>_...``).
        slave: facet group that carries the integration points (the finer or more curved
            surface, usually the swelling particle), e.g. ``"yolk_surface"``.
        master: opposing facet group, e.g. ``"shell_inner"``.
        alpha: penalty multiplier (``kappa = alpha E / h``); None = the default 10.
        search_factor: deepest penetration still detected, in master element sizes.
    """

    name: str
    slave: str
    master: str
    alpha: float | None = None
    search_factor: float = 2.0


def closest_point_on_triangles(p, a, b, c):
    """Closest points of triangles ``(a, b, c)`` to points ``p`` (all shape ``(n, 3)``).

    Returns:
        ``(x, lam, dist)``: closest points ``(n, 3)``, their barycentric coordinates
        ``(n, 3)`` with respect to ``(a, b, c)`` and the distances ``(n,)``.
    """
    e0, e1, v = b - a, c - a, p - a
    d00, d01, d11 = (e0 * e0).sum(1), (e0 * e1).sum(1), (e1 * e1).sum(1)
    d20, d21 = (v * e0).sum(1), (v * e1).sum(1)
    den = d00 * d11 - d01 * d01
    l1 = (d11 * d20 - d01 * d21) / den
    l2 = (d00 * d21 - d01 * d20) / den
    lam = np.stack([1.0 - l1 - l2, l1, l2], axis=1)
    inside = (lam >= 0.0).all(axis=1)
    best = np.where(inside[:, None], lam, np.nan)
    x = a + l1[:, None] * e0 + l2[:, None] * e1
    dist = np.where(inside, np.linalg.norm(p - x, axis=1), np.inf)
    for i, j, k in ((0, 1, 2), (1, 2, 0), (2, 0, 1)):  # edges (vertex i -> vertex j)
        P = (a, b, c)
        s, e = P[i], P[j]
        t = np.clip(((p - s) * (e - s)).sum(1) / np.maximum(((e - s) ** 2).sum(1), 1e-300), 0.0, 1.0)
        xe = s + t[:, None] * (e - s)
        de = np.linalg.norm(p - xe, axis=1)
        better = ~inside & (de < dist)
        le = np.zeros_like(lam)
        le[:, i], le[:, j] = 1.0 - t, t
        best[better] = le[better]
        dist = np.where(better, de, dist)
        x[better] = xe[better]
    return x, best, dist


def quadratic_weights(eta):
    """The six quadratic Lagrange functions of a triangle (node order of ``_ETA6``: three
    vertices, then the midpoints of edges 01, 12, 02) at facet coordinates ``eta``
    ``(n, 2)``; returns ``(n, 6)``."""
    l1, l2 = eta[:, 0], eta[:, 1]
    l0 = 1.0 - l1 - l2
    return np.stack([l0 * (2 * l0 - 1), l1 * (2 * l1 - 1), l2 * (2 * l2 - 1), 4 * l0 * l1, 4 * l1 * l2, 4 * l0 * l2], axis=1)


class _Surface:
    """Reference data of the facets of one surface owned by this rank (P1 geometry)."""

    def __init__(self, pb, surface: str, eta: np.ndarray):
        mesh, md, W = pb.mesh, pb.md, pb.W
        tdim = mesh.topology.dim
        fdim = tdim - 1
        mesh.topology.create_connectivity(fdim, tdim)
        mesh.topology.create_connectivity(tdim, fdim)
        f2c, c2f = mesh.topology.connectivity(fdim, tdim), mesh.topology.connectivity(tdim, fdim)
        n_own = mesh.topology.index_map(tdim).size_local
        facets = md.facets(surface)
        # each boundary facet once: on the rank that owns its (only) cell
        facets = np.array([f for f in facets if len(f2c.links(f)) != 1 or f2c.links(f)[0] < n_own], dtype=np.int32)
        gdofs = compat.geometry_dofmap(mesh)
        Xg = mesh.geometry.x
        ref = basix.geometry(basix.CellType.tetrahedron)
        ftopo = basix.topology(basix.CellType.tetrahedron)[fdim]
        sub = [W.sub(0).sub(d).dofmap for d in range(3)]
        elem = pb.scalar_element
        nd = elem.dim
        imap = W.dofmap.index_map
        npt = len(eta)
        nf = len(facets)
        self.X = np.zeros((nf, npt, 3))  # reference positions of the points
        self.phi = np.zeros((nf, npt, nd))  # basis values at the points
        self.dphi = np.zeros((nf, npt, 2, nd))  # d/d eta_a of the basis
        self.T = np.zeros((nf, 2, 3))  # reference tangents dX/d eta_a
        self.vref = np.zeros((nf, 3, 3))  # cell-reference coordinates of the facet vertices (outward order)
        self.dofs = np.zeros((nf, nd, 3), dtype=np.int32)  # local W dofs of the cell's u components
        self.h = np.zeros(nf)  # longest edge of each facet
        self.cells = np.zeros(nf, dtype=np.int32)  # the cell of each facet
        self.verts = np.zeros((nf, 3), dtype=np.int32)  # cell-local vertices at eta = (0,0), (1,0), (0,1)
        for i, f in enumerate(facets):
            cells = f2c.links(f)
            if len(cells) != 1:
                raise ValueError(f"contact surface {surface!r} has interior facets: a contact surface must bound one body")
            c = cells[0]
            lf = int(np.flatnonzero(c2f.links(c) == f)[0])
            verts = list(ftopo[lf])
            nodes = Xg[gdofs[c]]
            Jc = (nodes[1:] - nodes[0]).T  # x = nodes[0] + Jc xi
            vr = ref[verts]
            T = Jc @ (vr[1:] - vr[0]).T  # columns: tangents
            opposite = nodes.mean(axis=0)
            if np.dot(np.cross(T[:, 0], T[:, 1]), nodes[verts].mean(axis=0) - opposite) < 0:
                verts[1], verts[2] = verts[2], verts[1]
                vr = ref[verts]
                T = Jc @ (vr[1:] - vr[0]).T
            xi = vr[0] + eta[:, :1] * (vr[1] - vr[0]) + eta[:, 1:2] * (vr[2] - vr[0])
            tab = elem.tabulate(1, xi)  # (4, npt, nd)
            self.phi[i] = tab[0]
            for a in range(2):
                d = vr[a + 1] - vr[0]
                self.dphi[i, :, a] = sum(d[k] * tab[1 + k] for k in range(3))
            self.X[i] = nodes[0] + xi @ Jc.T
            self.T[i] = T.T
            self.vref[i] = vr
            self.cells[i], self.verts[i] = c, verts
            for d in range(3):
                self.dofs[i, :, d] = sub[d].cell_dofs(c)
            xv = nodes[verts]
            self.h[i] = max(np.linalg.norm(xv[0] - xv[1]), np.linalg.norm(xv[1] - xv[2]), np.linalg.norm(xv[2] - xv[0]))
        self.glob = imap.local_to_global(self.dofs.ravel()).reshape(self.dofs.shape).astype(np.int64) if nf else \
            np.zeros((0, nd, 3), dtype=np.int64)
        self.area_ref = 0.5 * np.linalg.norm(np.cross(self.T[:, 0], self.T[:, 1]), axis=1)  # (nf,)


class PairContact:
    """GPTS penalty contact of one :class:`ContactPairSpec` on a ``ChemoMechanicalProblem``.

    Args:
        pb: the problem (uses ``mesh``, ``md``, ``W``, ``w``, ``L_ref``, ``E_ref``,
            ``scalar_element``, ``bcs_mech``, ``comm``).
        spec: the pair.
        kappa: penalty stiffness [Pa/m] (change with :meth:`set_kappa`).
        quadrature_degree: of the slave facet rule.

    Raises:
        KeyError: a surface is not in the mesh. ValueError: a surface has interior facets.
    """

    def __init__(self, pb, spec: ContactPairSpec, kappa: float, quadrature_degree: int = 4):
        for s in (spec.slave, spec.master):
            if s not in pb.md.facet_names:
                raise KeyError(f"contact pair {spec.name!r}: surface {s!r} is not in the mesh ({', '.join(pb.md.facet_names)})")
        self.pb, self.spec, self.kappa = pb, spec, float(kappa)
        self.comm = pb.comm
        pts, wts = basix.make_quadrature(basix.CellType.triangle, quadrature_degree)
        self.slave = _Surface(pb, spec.slave, pts)
        self.w_ref = 2.0 * self.slave.area_ref[:, None] * wts[None, :]  # (nf, nq) [m^2]
        self.slave_area_ref = self.comm.allreduce(float(self.w_ref.sum()), op=MPI.SUM)  # the whole slave surface [m^2]
        self.vertices = _Surface(pb, spec.slave, _ETA6[:3])  # slave vertices, for the output fields
        self.master = _Surface(pb, spec.master, _ETA6)
        n_local = pb.W.dofmap.index_map.size_local + pb.W.dofmap.index_map.num_ghosts
        fixed = np.zeros(n_local, dtype=bool)
        for bc in pb.bcs_mech:
            fixed[bc.dof_indices()[0]] = True
        self.slave_fixed = fixed[self.slave.dofs]
        # master reference data gathered on every rank (it does not change)
        gather = lambda a: np.concatenate(self.comm.allgather(a))  # noqa: E731
        self.m_vref = gather(self.master.vref)
        self.m_glob = gather(self.master.glob)
        self.m_fixed = gather(fixed[self.master.dofs])
        self.m_h = gather(self.master.h)
        self.m_N6 = gather(self.master.phi)  # (NF, 6, nd): basis values at the six facet nodes
        # the facet nodes as points of the surface (shared by neighbouring facets), for the
        # node-averaged normals
        X6 = gather(self.master.X).reshape(-1, 3)
        tol = 1e-4 * float(self.m_h.min()) if len(self.m_h) else 1.0
        _, self.m_node = np.unique(np.round(X6 / tol).astype(np.int64), axis=0, return_inverse=True)
        self.m_node = self.m_node.reshape(-1)
        self.h_slave = self.comm.allreduce(float(self.slave.h.min()) if len(self.slave.h) else np.inf, op=MPI.MIN)
        edges = []
        if len(self.slave.X):
            Xv = self.vertices.X
            edges = [np.linalg.norm(Xv[:, i] - Xv[:, j], axis=1).min() for i, j in ((0, 1), (1, 2), (2, 0))]
        self.h_min = self.comm.allreduce(float(min(edges)) if edges else np.inf, op=MPI.MIN)
        if not np.isfinite(self.h_min) or len(self.m_h) == 0:
            raise KeyError(f"contact pair {spec.name!r}: an empty surface")
        self.search = spec.search_factor * float(self.m_h.max())
        self.eps = 1e-6 * self.h_min  # rounding of the penalty's kink [m]
        self.last = None

    # ------------------------------------------------------------------ evaluation
    def set_kappa(self, kappa: float):
        self.kappa = float(kappa)

    def _master_triangles(self, U):
        """Deformed master sub-triangles gathered on every rank: vertices ``(M, 3, 3)`` and
        unit outward normals at those vertices ``(M, 3, 3)``, averaged over the triangles
        that meet at each node (weighted by area), so that the normal -- and the contact
        force's direction -- varies continuously from triangle to triangle (a faceted
        normal makes the force jump when a slave point's projection crosses an edge, and
        Newton then stalls; measured)."""
        m = self.master
        nodes = m.X + np.einsum("fkn,fnd->fkd", m.phi, U[m.dofs])  # (nf, 6, 3)
        nodes = np.concatenate(self.comm.allgather(nodes))
        tri = nodes[:, _SUB].reshape(-1, 3, 3)
        face = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])  # 2 x area x unit normal
        ids = (self.m_node.reshape(-1, 6)[:, _SUB]).reshape(-1, 3)  # (M, 3) node of each triangle vertex
        acc = np.zeros((int(self.m_node.max()) + 1, 3))
        for k in range(3):
            np.add.at(acc, ids[:, k], face)
        acc /= np.maximum(np.linalg.norm(acc, axis=1), 1e-300)[:, None]
        return tri, acc[ids], nodes

    def _project(self, surf: _Surface, U, tri, normals, tree, nodes):
        """Gap, normal, master sub-triangle and facet coordinates ``eta`` of every point of
        ``surf`` (flattened ``(n, ...)``). The closest point is sought on the flat
        sub-triangles; the master point is then placed on the facet's own quadratic surface
        at the same ``eta`` (exact for P1 and P2 displacement), so the gap and the master
        forces use the same interpolation as the finite element (this keeps the patch test
        exact for P2: measured)."""
        x = (surf.X + np.einsum("fqn,fnd->fqd", surf.phi, U[surf.dofs])).reshape(-1, 3)
        n_pts = len(x)
        if n_pts == 0:
            return x, np.zeros(0), np.zeros((0, 3)), np.zeros(0, dtype=np.int64), np.zeros((0, 2))
        k = min(_CANDIDATES, len(tri))
        _, cand = tree.query(x, k=k)
        cand = cand.reshape(n_pts, k)
        P = np.repeat(x, k, axis=0)
        T = tri[cand.ravel()]
        xc, lam, dist = closest_point_on_triangles(P, T[:, 0], T[:, 1], T[:, 2])
        best = dist.reshape(n_pts, k).argmin(axis=1)
        sel = np.arange(n_pts) * k + best
        t_idx = cand[np.arange(n_pts), best]
        lam = lam[sel]
        nm = np.einsum("nk,nkd->nd", lam, normals[t_idx])
        nm /= np.maximum(np.linalg.norm(nm, axis=1), 1e-300)[:, None]
        eta = np.einsum("ni,nik->nk", lam, _ETA6[_SUB[t_idx % 4]])
        xm = np.einsum("nk,nkd->nd", quadratic_weights(eta), nodes[t_idx // 4])
        g = ((x - xm) * nm).sum(axis=1)
        self._candidates = cand // 4  # master facets near each point (for the matrix pattern)
        return x, g, nm, t_idx, eta

    def evaluate(self):
        """Project the slave points of the current state onto the master surface.

        Returns a dict with (per slave point, flattened over this rank's facets ``(n,)`` or
        ``(n, 3)``): ``x`` current position [m], ``g`` gap [m], ``n`` master normal,
        ``active`` (carrying pressure), ``pressure`` [Pa per reference area], ``stiffness``
        (``-dp/dg`` [Pa/m]), ``facet`` (master facet) and ``weights`` (the master point as
        weights of the facet's nodal basis functions, ``(n, nd)``), and ``stretch`` (da/dA
        of the slave surface).
        """
        pb = self.pb
        U = pb.w.x.array * pb.L_ref  # SI displacement at the u dofs (theta entries unused)
        tri, normals, nodes = self._master_triangles(U)
        tree = cKDTree(tri.mean(axis=1))
        s = self.slave
        x, g, nm, t_idx, eta = self._project(s, U, tri, normals, tree, nodes)
        pressure, stiffness = self.penalty(g)
        active = pressure > 0
        facet = t_idx // 4
        Us = U[s.dofs]  # (nf, nd, 3)
        t = s.T[:, None] + np.einsum("fqan,fnd->fqad", s.dphi, Us)  # (nf, nq, 2, 3)
        stretch = (np.linalg.norm(np.cross(t[..., 0, :], t[..., 1, :]), axis=-1)
                   / np.linalg.norm(np.cross(s.T[:, 0], s.T[:, 1]), axis=-1)[:, None]).ravel()
        self.last = {"x": x, "g": g, "n": nm, "active": active, "pressure": pressure, "stiffness": stiffness,
                     "facet": facet, "eta": eta, "stretch": stretch, "tri": tri, "normals": normals,
                     "nodes": nodes, "tree": tree, "U": U}
        return self.last

    def penalty(self, g):
        """Penalty pressure ``p(g)`` [Pa] and ``-dp/dg`` [Pa/m]: ``kappa <-g>`` with the
        kink at ``g = 0`` rounded by a parabola over ``|g| < eps/2`` (``eps`` = 1e-6 of the
        smallest slave edge, ~1e-3 of the penetration at contact strains of 1e-3), so that the active set does not flip back and forth between
        Newton iterations at points that just touch (measured: a stalled Newton without
        it). Points deeper than the search depth carry nothing."""
        e = self.eps
        p = np.where(g <= -e / 2, -self.kappa * g, np.where(g < e / 2, self.kappa * (e / 2 - g) ** 2 / (2 * e), 0.0))
        k = np.where(g <= -e / 2, self.kappa, np.where(g < e / 2, self.kappa * (e / 2 - g) / e, 0.0))
        inside = g > -self.search
        return np.where(inside, p, 0.0), np.where(inside, k, 0.0)

    def _master_weights(self, facet, eta):
        """Weights ``(n, nd)`` of the master cells' basis functions that give the master
        point: the same quadratic interpolation of the six facet nodes as the gap, so that
        residual and Jacobian are consistent."""
        return np.einsum("nk,nkd->nd", quadratic_weights(eta), self.m_N6[facet])

    # ------------------------------------------------------------------ assembly
    def add_residual(self, b, scale: float):
        """Add ``scale`` times the contact forces (SI [N]) to the PETSc vector ``b``
        (owned + off-process entries; call before ``set_bc``). Collective (VecAssembly)."""
        from petsc4py import PETSc

        ev = self.evaluate()
        act = np.flatnonzero(ev["active"])
        if len(act):
            s = self.slave
            nq = self.w_ref.shape[1]
            fi, qi = act // nq, act % nq
            f = ev["pressure"][act] * self.w_ref[fi, qi]  # [N]
            n = ev["n"][act]
            phi_m = self._master_weights(ev["facet"][act], ev["eta"][act])
            rs = -(f[:, None, None] * s.phi[fi, qi][:, :, None] * n[:, None, :])  # (na, nd, 3)
            rm = f[:, None, None] * phi_m[:, :, None] * n[:, None, :]
            rows = np.concatenate([s.glob[fi].ravel(), self.m_glob[ev["facet"][act]].ravel()])
            vals = scale * np.concatenate([rs.ravel(), rm.ravel()])
            b.setValues(rows.astype(PETSc.IntType), vals, addv=PETSc.InsertMode.ADD_VALUES)
        b.assemblyBegin()
        b.assemblyEnd()

    def add_jacobian(self, A, scale: float):
        """Add ``scale * (-dp/dg) w b b^T`` (module docstring) to the PETSc matrix ``A`` for
        the active points of the last :meth:`evaluate` (the residual of the same iterate).
        Constrained rows/columns are skipped."""
        from petsc4py import PETSc

        ev = self.last if self.last is not None else self.evaluate()
        act = np.flatnonzero(ev["active"])
        if not len(act):
            return
        s = self.slave
        nq = self.w_ref.shape[1]
        fi, qi = act // nq, act % nq
        mf = ev["facet"][act]
        phi_m = self._master_weights(mf, ev["eta"][act])
        coef = scale * ev["stiffness"][act] * self.w_ref[fi, qi]
        for j in range(len(act)):
            n = ev["n"][act[j]]
            bvec = np.concatenate([(s.phi[fi[j], qi[j]][:, None] * n[None, :]).ravel(),
                                   (-phi_m[j][:, None] * n[None, :]).ravel()])
            idx = np.concatenate([s.glob[fi[j]].ravel(), self.m_glob[mf[j]].ravel()])
            free = ~np.concatenate([self.slave_fixed[fi[j]].ravel(), self.m_fixed[mf[j]].ravel()])
            bvec, idx = bvec[free], idx[free].astype(PETSc.IntType)
            A.setValues(idx, idx, coef[j] * np.outer(bvec, bvec), addv=PETSc.InsertMode.ADD_VALUES)

    # ------------------------------------------------------------------ matrix pattern
    def new_couplings(self) -> bool:
        """Record the (slave facet, master facet) pairs that may carry contact in the
        current state: the master facets near every slave point closer than one master
        element. Returns True if there are pairs not recorded before (this rank)."""
        if not hasattr(self, "_known"):
            self._known = np.zeros((0, 2), dtype=np.int64)
        ev = self.evaluate()
        nq = self.w_ref.shape[1]
        close = np.flatnonzero(ev["g"] < float(self.m_h.max()))
        if not len(close):
            return False
        cand = self._candidates[close][:, :4]
        pairs = np.stack([np.repeat(close // nq, cand.shape[1]), cand.ravel()], axis=1)
        merged = np.unique(np.concatenate([self._known, pairs]), axis=0)
        grew = len(merged) > len(self._known)
        self._known = merged
        return grew

    def coupled_blocks(self):
        """Global dof blocks ``(a, b)``, shapes ``(m, 3 nd)``, whose entries couple (both
        ways) through the recorded pairs: slave-cell and master-cell displacement dofs."""
        known = getattr(self, "_known", np.zeros((0, 2), dtype=np.int64))
        width = 3 * self.pb.scalar_element.dim
        return (self.slave.glob[known[:, 0]].reshape(len(known), width),
                self.m_glob[known[:, 1]].reshape(len(known), width))

    # ------------------------------------------------------------------ output
    def metrics(self, sym_planes, axis=None) -> dict[str, float]:
        """History columns of the pair (SI), as for rigid obstacles: ``area_m2`` (current),
        ``area_ref_m2``, ``force_N``, ``pressure_mean_Pa``, ``pressure_max_Pa`` (largest
        average over one slave facet), ``radius_m`` and, for wires (``axis``), ``half_width_m``
        (:func:`anodemech.physics.contact.patch_size`; ``sym_planes`` = ``[(axis index,
        coordinate)]``), ``penetration_max_m``, ``gap_min_m``, and ``fraction``: the part of
        the slave surface touching the master, i.e. the reference area of the slave points
        whose gap is below ``TOUCH_FRACTION`` x the smallest slave edge, over the reference
        area of the whole slave surface [-] (the contact-area fraction of literature/000
        L4070-4077; :data:`anodemech.physics.contact.TOUCH_FRACTION` says why not g < 0).
        Collective."""
        ev = self.evaluate()
        comm = self.comm
        nf, nq = self.w_ref.shape
        act = (ev["g"] < 0).reshape(nf, nq)  # touching or penetrating
        w = self.w_ref * act
        a_cur = w * ev["stretch"].reshape(nf, nq)
        force_f = (ev["pressure"].reshape(nf, nq) * self.w_ref).sum(axis=1)
        area_f = a_cur.sum(axis=1)
        hit = area_f > 0
        pmax = float((force_f[hit] / area_f[hit]).max()) if hit.any() else 0.0
        area = comm.allreduce(float(area_f.sum()), op=MPI.SUM)
        area_ref = comm.allreduce(float(w.sum()), op=MPI.SUM)
        force = comm.allreduce(float(force_f.sum()), op=MPI.SUM)
        valid = np.abs(ev["g"]) < self.search
        gmin = comm.allreduce(float(ev["g"][valid].min()) if valid.any() else np.inf, op=MPI.MIN)
        touch = (ev["g"] < ct.TOUCH_FRACTION * self.h_min).reshape(nf, nq)
        touching = comm.allreduce(float((self.w_ref * touch).sum()), op=MPI.SUM)
        Xa = self.slave.X.reshape(-1, 3)[act.ravel()]
        ha = np.repeat(self.slave.h, nq)[act.ravel()]
        return {"area_m2": area, "area_ref_m2": area_ref, "force_N": force,
                "pressure_mean_Pa": force / area if area > 0 else 0.0,
                "pressure_max_Pa": comm.allreduce(pmax, op=MPI.MAX),
                **ct.patch_size(area, Xa, ha, sym_planes, axis, comm),
                "penetration_max_m": max(0.0, -gmin), "gap_min_m": gmin,
                "fraction": touching / self.slave_area_ref if self.slave_area_ref > 0 else 0.0}

    def vertex_values(self):
        """Gap [m] and contact pressure [Pa per reference area] at the vertices of this
        rank's slave facets, shapes ``(nf, 3)``; the vertices are ``self.vertices.cells``
        and ``self.vertices.verts`` (cell-local vertex numbers)."""
        ev = self.last if self.last is not None else self.evaluate()
        x, g, _, _, _ = self._project(self.vertices, ev["U"], ev["tri"], ev["normals"], ev["tree"], ev["nodes"])
        p, _ = self.penalty(g)
        return g.reshape(-1, 3), p.reshape(-1, 3)
