"""Cluster of touching spheres: an aggregate of active particles held together by point contacts.

N equal spheres (2 ... 8) in a regular arrangement or a seeded random aggregate; each pair
of neighbours touches at one point (or faces it across a gap). The spheres are separate
bodies (not fragmented): every touching pair is a contact pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anodemech.geometry.base import ContactPair, GeometryParams, MeshData
from anodemech.geometry.gmsh_model import ModelInfo, add_groups, build_with_gmsh, refine

NM = 1e-9
PACKINGS = ("regular", "random")
MAX_PARTICLES = 8
CLEARANCE = 0.25  # random packing: surface clearance of non-neighbours, in radii
MAX_TRIES = 2000  # random packing: candidate positions per sphere


def regular_centres(n: int, d: float) -> np.ndarray:
    """Centres (shape ``(n, 3)``) of the regular arrangement of ``n`` spheres (2 <= n <= 8)
    whose neighbours are ``d`` apart; sphere 1 at the origin.

    2: a pair along x; 3: an equilateral triangle in z = 0; 4: a regular tetrahedron (the
    triangle and an apex above it); 5: a triangular bipyramid (apexes above and below);
    6: an octahedron (a square in z = 0 and apexes above and below its centre); 7: a
    pentagonal bipyramid (a regular pentagon in z = 0, apexes above and below); 8: a
    simple-cubic 2 x 2 x 2 block. Neighbour (touching) pairs: 1, 3, 6, 9, 12, 15, 12.
    """
    if not 2 <= n <= MAX_PARTICLES:
        raise ValueError(f"n = {n} is not in 2 ... {MAX_PARTICLES}")
    if n <= 5:
        tri = [(0.0, 0.0, 0.0), (d, 0.0, 0.0), (d / 2, d * math.sqrt(3) / 2, 0.0)]
        z = d * math.sqrt(2 / 3)
        apex = (d / 2, d / (2 * math.sqrt(3)), z)
        pts = [*tri, apex, (apex[0], apex[1], -z)]
    elif n == 6:
        z = d / math.sqrt(2)
        pts = [(0.0, 0.0, 0.0), (d, 0.0, 0.0), (d, d, 0.0), (0.0, d, 0.0), (d / 2, d / 2, z), (d / 2, d / 2, -z)]
    elif n == 7:
        rho = d / (2 * math.sin(math.pi / 5))  # circumradius of the pentagon of side d
        z = math.sqrt(d**2 - rho**2)
        ang = [math.pi + 2 * math.pi * k / 5 for k in range(5)]  # vertex 1 at the origin
        pts = [(rho + rho * math.cos(a), rho * math.sin(a), 0.0) for a in ang]
        pts[0] = (0.0, 0.0, 0.0)
        pts += [(rho, 0.0, z), (rho, 0.0, -z)]
    else:
        pts = [(i * d, j * d, k * d) for k in (0, 1) for j in (0, 1) for i in (0, 1)]
    return np.array(pts[:n], dtype=float)


class _SplitMix64:
    """A tiny deterministic generator (SplitMix64, Steele, Lea & Flood, OOPSLA 2014): the
    same seed gives the same numbers on every platform and NumPy version."""

    MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        self.state = seed & self.MASK

    def uniform(self) -> float:
        """A float in [0, 1) (53 random bits)."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        z ^= z >> 31
        return (z >> 11) / float(1 << 53)

    def direction(self) -> np.ndarray:
        """A unit vector, uniform on the sphere (Archimedes: z uniform in [-1, 1])."""
        z = 2 * self.uniform() - 1
        phi = 2 * math.pi * self.uniform()
        s = math.sqrt(max(0.0, 1 - z * z))
        return np.array([s * math.cos(phi), s * math.sin(phi), z])


def random_centres(n: int, d: float, seed: int, clearance: float) -> np.ndarray:
    """Centres of a random aggregate of ``n`` spheres, sphere 1 at the origin: each new
    sphere sits at distance ``d`` from a randomly chosen earlier sphere, in a random
    direction, and at least ``d + clearance`` from all others (candidates drawn from
    :class:`_SplitMix64` seeded with ``seed``: the same seed gives the same aggregate
    everywhere).

    Raises:
        RuntimeError: no position found for a sphere within ``MAX_TRIES`` candidates.
    """
    rng = _SplitMix64(seed)
    centres = [np.zeros(3)]
    for k in range(1, n):
        for _ in range(MAX_TRIES):
            j = min(int(rng.uniform() * k), k - 1)
            x = centres[j] + d * rng.direction()
            if all(np.linalg.norm(x - c) >= d + clearance for i, c in enumerate(centres) if i != j):
                centres.append(x)
                break
        else:
            raise RuntimeError(f"no place for sphere {k + 1} after {MAX_TRIES} tries")
    return np.array(centres)


@dataclass(frozen=True)
class ClusterParams(GeometryParams):
    """Cluster of equal touching spheres (an aggregate of active particles); lengths in metres.

    Setting: nano-Si particles agglomerate (``001`` L268-270: 30 nm particles pack with
    many voids, 200 nm ones pack best); each particle touches its neighbours at points,
    and a multi-point contact stays multi-point while the particles swell (``000``
    L1553-1565; point/line/surface contacts ``000`` L2327-2376). Defaults: four Si spheres
    of 50 nm radius (100 nm particles, within the 50-150 nm nano-Si range of ``004``
    L95-110) as a regular tetrahedron, touching (gap 0).

    Arrangements (sphere 1 at the origin, neighbours ``2 radius + gap`` apart):
    ``"regular"``: 2 a pair along x; 3 an equilateral triangle (z = 0); 4 a regular
    tetrahedron; 5 a triangular bipyramid; 6 an octahedron; 7 a pentagonal bipyramid; 8 a
    simple-cubic 2 x 2 x 2 block (see :func:`regular_centres`). ``"random"``: a seeded
    aggregate grown sphere by sphere, each touching one earlier sphere and keeping a
    clearance of radius/4 from all others, so the touching pairs are exactly the N - 1
    links of the growth tree (see :func:`random_centres`).

    Mesh: each sphere is its own body (region ``particle_k``, surface ``surface_k``); one
    contact pair ``pi_pj`` (``surface_i`` / ``surface_j``, i < j) per neighbour pair. Both
    closest points of each pair are embedded as mesh vertices (one on each surface; for
    gap 0 they coincide but stay separate vertices) and refined to ``h_contact``. Each
    sphere is rotated so that its OpenCASCADE seam and poles stay away from its contact
    points. The 3-2-1 supports ``origin``, ``x_axis``, ``y_axis`` lie in ``particle_1``
    only (its centre and (r/2, 0, 0), (0, r/2, 0) from it): the other particles are held by
    their contacts, so a static solve needs contact (or extra supports) for them;
    ``centre`` is the centre of ``particle_1`` (``centres()`` gives all of them).
    ``li_entry`` lists ``(surface_k, particle_k)`` for every sphere: Li enters each particle
    through its own surface (the solver so far applies only the first entry whose region
    stores Li).

    Variants: ``"full"`` only. A random aggregate has no symmetry plane, and the symmetry
    planes of the regular ones run through contact points (or between two contact points
    of one sphere) and differ from one N to the next; a 2D axisymmetric model would only
    fit the pair (N = 2).

    Attributes:
        radius: sphere radius [m], 1 nm ... 100 um.
        n_particles: number of spheres, integer 2 ... 8.
        gap: distance between the surfaces of neighbouring spheres [m], 0 (touching) ...
            radius.
        packing: "regular" (fixed arrangement for each N) or "random" (seeded aggregate).
        seed: seed of the random packing, integer >= 0 (unused for "regular").
        h_coarse: element size in the sphere interiors [m], <= radius/2.
        h_fine: element size on the sphere surfaces [m], <= h_coarse and <= radius/3.
        h_contact: element size at the contact points [m], <= h_fine.
        variant: "full" (the whole cluster, 3-2-1 supports in particle_1).
    """

    radius: float = 50 * NM
    n_particles: int = 4
    gap: float = 0.0
    packing: str = "regular"
    seed: int = 0
    h_coarse: float = 20 * NM
    h_fine: float = 6 * NM
    h_contact: float = 2 * NM
    variant: str = "full"

    VARIANTS = ("full",)

    def centres(self) -> np.ndarray:
        """Sphere centres [m], shape ``(n_particles, 3)``; sphere 1 at the origin.

        Raises:
            RuntimeError: the random packing found no place for a sphere (validate reports it
                on ``seed``).
        """
        d = 2.0 + self.gap / self.radius
        if self.packing == "random":
            c = random_centres(self.n_particles, d, self.seed, CLEARANCE)
        else:
            c = regular_centres(self.n_particles, d)
        return c * self.radius

    def neighbours(self) -> list[tuple[int, int]]:
        """Touching pairs ``(i, j)``, 0-based, i < j: centres ``2 radius + gap`` apart."""
        c = self.centres() / self.radius
        d = 2.0 + self.gap / self.radius
        n = len(c)
        return [(i, j) for i in range(n) for j in range(i + 1, n) if abs(np.linalg.norm(c[i] - c[j]) - d) < 1e-9 * d]

    # ------------------------------------------------------------------ interface
    def regions(self) -> tuple[str, ...]:
        return tuple(f"particle_{k + 1}" for k in range(self.n_particles))

    def length_scale(self) -> float:
        return self.radius

    def expected_measures(self) -> dict[str, float]:
        """Each sphere: volume 4/3 pi r^3 and area 4 pi r^2."""
        r = self.radius
        out = {f"particle_{k + 1}": 4 / 3 * math.pi * r**3 for k in range(self.n_particles)}
        out.update({f"surface_{k + 1}": 4 * math.pi * r**2 for k in range(self.n_particles)})
        return out

    def estimate_cells(self) -> float:
        r = self.radius
        return self.n_particles * self.cell_estimate(4 / 3 * math.pi * r**3, 4 * math.pi * r**2, self.h_fine,
                                                     self.h_coarse)

    def physics_unsupported(self) -> str | None:
        """Clusters are mesh only for now: three or more spheres held only by their point
        contacts and weak springs made the first time step stall (iterative and direct
        linear solvers, measured on cluster_si)."""
        return ("a cluster's spheres are held only by point contacts and weak springs, which the "
                "solver does not handle robustly yet (mesh it with `anodemech mesh`)")

    def contact_pairs(self) -> tuple[ContactPair, ...]:
        return tuple(ContactPair(f"p{i + 1}_p{j + 1}", f"surface_{i + 1}", f"surface_{j + 1}", self.gap)
                     for i, j in self.neighbours())

    def validate(self, prefix: str = "geometry") -> None:
        """Check the parameters before meshing.

        Raises:
            CaseError: key ``f"{prefix}.<field>"`` with the accepted range: unknown variant
                or packing, n_particles not an integer in 2 ... 8, radius or gap out of
                range, a negative or non-integer seed (or one for which the random packing
                fails), mesh sizes out of range or too many cells.
        """
        self.check_variant(prefix)
        n = self.n_particles
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_PARTICLES:
            self.fail(prefix, "n_particles", f"{n!r} is not an integer in 2 ... {MAX_PARTICLES}",
                      f"2 <= n_particles <= {MAX_PARTICLES}")
        if self.packing not in PACKINGS:
            self.fail(prefix, "packing", f"unknown packing {self.packing!r}", ", ".join(map(repr, PACKINGS)))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            self.fail(prefix, "seed", f"{self.seed!r} is not an integer >= 0", "seed >= 0")
        r = self.check_length(prefix, "radius", 1e-9, 1e-4)
        self.check_length(prefix, "gap", 0.0, r, hi_expr="radius")
        hp = self.h_contact
        if not (isinstance(hp, (int, float)) and math.isfinite(hp) and hp > 0):
            self.fail(prefix, "h_contact", f"{hp!r} m is not a positive length", "0 < h_contact <= h_fine")
        self.check_sizes(prefix, "h_fine", "h_coarse", r / 3, r / 2, "(<= radius/3)", "(<= radius/2)")
        if hp > self.h_fine:
            self.fail(prefix, "h_contact", f"{hp:.3g} m is larger than h_fine = {self.h_fine:.3g} m",
                      "0 < h_contact <= h_fine")
        if self.packing == "random":
            try:
                self.centres()
            except RuntimeError as exc:
                self.fail(prefix, "seed", f"the random packing failed: {exc}", "another seed")

    @classmethod
    def range_examples(cls) -> list:
        return [
            # the smallest spheres, a touching pair
            cls(radius=1 * NM, n_particles=2, h_coarse=0.5 * NM, h_fine=0.12 * NM, h_contact=0.01 * NM),
            # the largest spheres, 8 in a random aggregate with the largest gap
            cls(radius=100e-6, n_particles=8, gap=100e-6, packing="random", seed=3, h_coarse=50e-6, h_fine=12e-6,
                h_contact=4e-6),
            # a nearly touching triangle (gap 1 % of the radius), fine contact zones
            cls(radius=50 * NM, n_particles=3, gap=0.5 * NM, h_coarse=25 * NM, h_fine=6 * NM, h_contact=1 * NM),
        ]


def _rotations() -> list[tuple[np.ndarray, float]]:
    """Candidate rotations (unit axis, angle): the identity and 60 Fibonacci axes x 6 angles."""
    out = [(np.array([0.0, 0.0, 1.0]), 0.0)]
    m = 60
    for k in range(m):
        z = 1 - (2 * k + 1) / m
        phi = k * math.pi * (3 - math.sqrt(5))
        s = math.sqrt(1 - z * z)
        axis = np.array([s * math.cos(phi), s * math.sin(phi), z])
        out += [(axis, a * math.pi / 6) for a in range(1, 7)]
    return out


def _rotate(v: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues rotation of row vectors ``v`` (shape ``(n, 3)``)."""
    c, s = math.cos(angle), math.sin(angle)
    return v * c + np.cross(axis, v) * s + np.outer(v @ axis, axis) * (1 - c)


def _best_rotation(seam: np.ndarray, directions: np.ndarray) -> tuple[np.ndarray, float]:
    """The candidate rotation that keeps the seam/pole samples ``seam`` (unit vectors,
    shape ``(m, 3)``) farthest (in angle) from the contact ``directions`` (shape ``(k, 3)``)."""
    best, best_score = None, -1.0
    for axis, angle in _rotations():
        rs = _rotate(seam, axis, angle)
        score = -float(np.max(rs @ directions.T))  # minus the cosine of the smallest angle
        if score > best_score + 1e-12:
            best, best_score = (axis, angle), score
    return best


def _cluster_model(gmsh, p: ClusterParams, L: float) -> ModelInfo:
    """OpenCASCADE model of the cluster in units of ``L`` = radius (see :class:`ClusterParams`)."""
    occ = gmsh.model.occ
    r = p.radius / L
    c = p.centres() / L
    pairs = p.neighbours()
    n = len(c)

    # seam and poles of an OpenCASCADE sphere, sampled on a unit sphere at the origin
    probe = occ.addSphere(0, 0, 0, 1.0)
    occ.synchronize()
    samples = []
    for _, curve in gmsh.model.getBoundary([(2, t) for _, t in gmsh.model.getBoundary([(3, probe)])], combined=False):
        lo, hi = gmsh.model.getParametrizationBounds(1, abs(curve))
        ts = np.linspace(lo[0], hi[0], 61)
        samples.append(np.array(gmsh.model.getValue(1, abs(curve), ts)).reshape(-1, 3))
    for _, pt in gmsh.model.getEntities(0):
        samples.append(np.array(gmsh.model.getValue(0, pt, [])).reshape(-1, 3))
    occ.remove([(3, probe)], recursive=True)
    seam = np.concatenate(samples)
    seam /= np.linalg.norm(seam, axis=1)[:, None]

    vols, contact_pts = [], []
    for k in range(n):
        dirs = [(c[j] - c[k]) / np.linalg.norm(c[j] - c[k]) for i, j in pairs if i == k]
        dirs += [(c[i] - c[k]) / np.linalg.norm(c[i] - c[k]) for i, j in pairs if j == k]
        v = occ.addSphere(0, 0, 0, r)
        if dirs:
            axis, angle = _best_rotation(seam, np.array(dirs))
            if angle:
                occ.rotate([(3, v)], 0, 0, 0, *axis, angle)
        occ.translate([(3, v)], *c[k])
        vols.append(v)
        contact_pts.append([c[k] + r * u for u in dirs])
    occ.synchronize()
    surfs = [[abs(t) for _, t in gmsh.model.getBoundary([(3, v)], combined=False, oriented=False)] for v in vols]

    groups: dict = {(3, f"particle_{k + 1}"): [v] for k, v in enumerate(vols)}
    groups.update({(2, f"surface_{k + 1}"): surfs[k] for k in range(n)})
    add_groups(gmsh, groups)

    # contact points: separate point entities on each sphere (coincident for gap 0)
    pt_tags = []
    for k in range(n):
        tags = [occ.addPoint(*x) for x in contact_pts[k]]
        pt_tags.append(tags)
    pts = {"origin": tuple(c[0]), "x_axis": tuple(c[0] + (r / 2, 0, 0)), "y_axis": tuple(c[0] + (0, r / 2, 0))}
    support = [occ.addPoint(*x) for x in pts.values()]
    occ.synchronize()
    for k in range(n):
        if pt_tags[k]:
            gmsh.model.mesh.embed(0, pt_tags[k], 2, surfs[k][0])
    gmsh.model.mesh.embed(0, support, 3, vols[0])

    all_pts = [t for tags in pt_tags for t in tags]
    refine(gmsh, p.h_fine / L, p.h_coarse / L, surfaces=[s for ss in surfs for s in ss], points=all_pts,
           h_point=p.h_contact / L)
    return ModelInfo(points={k: tuple(float(x) for x in v) for k, v in pts.items()},
                     centre=tuple(float(x) for x in c[0]), axis=None,
                     li_entry=tuple((f"surface_{k + 1}", f"particle_{k + 1}") for k in range(n)))


def build_cluster(comm, params: ClusterParams, rank: int = 0, msh_file=None) -> MeshData:
    """Mesh a cluster of touching spheres and distribute it (collective); ``msh_file``
    optionally names a Gmsh file to write as well.

    Returns:
        :class:`MeshData` in metres: regions ``particle_1`` ... ``particle_N``, surfaces
        ``surface_1`` ... ``surface_N`` (disconnected bodies), one contact pair per touching
        neighbour pair, 3-2-1 supports in ``particle_1``, centre = centre of ``particle_1``.

    Raises:
        CaseError: bad parameters (``geometry.<field>``) or a Gmsh failure (``geometry``).
    """
    return build_with_gmsh(comm, params, _cluster_model, "cluster", rank, msh_file)


__all__ = ["ClusterParams", "build_cluster", "random_centres", "regular_centres"]
