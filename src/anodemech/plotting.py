"""History plots (matplotlib) and a von Mises rendering on the deformed particle (pyvista)."""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np


def read_history(path: Path) -> dict[str, np.ndarray]:
    """Columns of a ``history.csv`` as arrays (numeric where possible)."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    cols = {}
    for k in rows[0] if rows else []:
        vals = [r[k] for r in rows]
        try:
            cols[k] = np.array([float(v) for v in vals])
        except ValueError:
            cols[k] = np.array(vals)
    return cols


def history_plots(history_csv: Path, outdir: Path) -> list[Path]:
    """Write ``history_stress.png``, ``history_soc.png`` and, with contact (obstacles or pairs),
    ``history_contact.png`` (contact area and pressure against SOC) and, with kinetic
    stages, ``history_kinetics.png`` (potential against time and SOC, surface current
    density) from a run's history.

    Stresses are plotted in GPa against SOC (per stage, so lithiation and delithiation
    branches are distinguishable) and SOC / volume change against time in hours.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    h = read_history(history_csv)
    soc, t_h = h["soc"], h["time_s"] / 3600.0
    regions = [k[len("von_mises_max_"):-3] for k in h if k.startswith("von_mises_max_")]
    out = []

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for r in regions:
        axes[0].plot(soc, h[f"von_mises_max_{r}_Pa"] / 1e9, label=f"max von Mises, {r}")
        axes[0].plot(soc, h[f"von_mises_mean_{r}_Pa"] / 1e9, "--", label=f"mean von Mises, {r}")
    for k in h:
        if k.startswith("hoop_max_") and k.endswith("_Pa"):
            surface_region = k[len("hoop_max_"):-3]
            axes[1].plot(soc, h[k] / 1e9, label=f"max hoop, {surface_region}")
    axes[1].plot(soc, h["hydrostatic_min_Pa"] / 1e9, ":", label="min hydrostatic")
    axes[1].plot(soc, h["hydrostatic_max_Pa"] / 1e9, ":", label="max hydrostatic")
    for ax, title in zip(axes, ("von Mises stress", "hoop and hydrostatic stress")):
        ax.set_xlabel("state of charge [-]")
        ax.set_ylabel("stress [GPa]")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    out.append(Path(outdir) / "history_stress.png")
    fig.savefig(out[-1], dpi=130)
    plt.close(fig)

    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    ax[0].plot(t_h, soc, label="overall")
    for r in regions:
        if f"soc_{r}" in h:
            ax[0].plot(t_h, h[f"soc_{r}"], "--", label=r)
        ax[1].plot(soc, h[f"volume_change_{r}_pct"], label=r)
    ax[0].set_xlabel("time [h]")
    ax[0].set_ylabel("state of charge [-]")
    ax[1].set_xlabel("state of charge [-]")
    ax[1].set_ylabel("volume change [%]")
    for a in ax:
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    fig.tight_layout()
    out.append(Path(outdir) / "history_soc.png")
    fig.savefig(out[-1], dpi=130)
    plt.close(fig)

    obstacles = [k[len("contact_"):-len("_area_m2")] for k in h if k.startswith("contact_") and k.endswith("_area_m2")
                 and not k.endswith("_area_ref_m2")]
    if obstacles:
        fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
        for ob in obstacles:
            ax[0].plot(soc, h[f"contact_{ob}_area_m2"] * 1e18, label=f"{ob} (current)")
            ax[0].plot(soc, h[f"contact_{ob}_area_ref_m2"] * 1e18, "--", label=f"{ob} (reference)")
            ax[1].plot(soc, h[f"contact_{ob}_pressure_max_Pa"] / 1e9, label=f"{ob}, max")
            ax[1].plot(soc, h[f"contact_{ob}_pressure_mean_Pa"] / 1e9, "--", label=f"{ob}, mean")
        ax[0].set_ylabel("contact area [nm^2] (model's symmetry sector)")
        ax[1].set_ylabel("contact pressure [GPa]")
        for a in ax:
            a.set_xlabel("state of charge [-]")
            a.grid(alpha=0.3)
            a.legend(fontsize=8)
        fig.tight_layout()
        out.append(Path(outdir) / "history_contact.png")
        fig.savefig(out[-1], dpi=130)
        plt.close(fig)

    if "potential_V" in h and np.isfinite(h["potential_V"]).any():  # Butler-Volmer kinetic stages
        t_h = h["time_s"] / 3600.0
        fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
        ax[0].plot(t_h, h["potential_V"], ".-")
        ax[0].set_xlabel("time [h]")
        ax[0].set_ylabel("electrode potential [V vs Li/Li+]")
        ax[1].plot(soc, h["potential_V"], ".-")
        ax[1].set_xlabel("state of charge [-]")
        ax[1].set_ylabel("electrode potential [V vs Li/Li+]")
        ax[2].plot(t_h, h["current_density_mean_A_m2"], label="mean")
        ax[2].plot(t_h, h["current_density_min_A_m2"], "--", label="min (cell average)")
        ax[2].plot(t_h, h["current_density_max_A_m2"], ":", label="max (cell average)")
        ax[2].set_xlabel("time [h]")
        ax[2].set_ylabel("surface current density [A/m^2] (> 0 lithiating)")
        ax[2].legend(fontsize=8)
        for a in ax:
            a.grid(alpha=0.3)
        fig.tight_layout()
        out.append(Path(outdir) / "history_kinetics.png")
        fig.savefig(out[-1], dpi=130)
        plt.close(fig)
    return out


@contextlib.contextmanager
def _display():
    """An X display for off-screen VTK rendering: the current one, or a private Xvfb server
    that is stopped (and ``DISPLAY`` restored) on exit."""
    if os.environ.get("DISPLAY") or shutil.which("Xvfb") is None:
        yield
        return
    display = f":{100 + os.getpid() % 800}"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["DISPLAY"] = display
    time.sleep(1.0)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait()
        del os.environ["DISPLAY"]


def render_von_mises(comm, post, path: Path):
    """Render von Mises stress [GPa] on the deformed particle to ``path`` (PNG).

    The DG1 fields of all ranks are gathered to rank 0, which renders off-screen.
    """
    import dolfinx.plot

    topo, types, geom = dolfinx.plot.vtk_mesh(post.Q)
    vm = post.functions["von_mises"].x.array[: geom.shape[0]].real
    u = post.functions["u"].x.array.reshape(-1, 3)[: geom.shape[0]]
    parts = comm.gather((topo, types, geom, vm, u), root=0)
    if comm.rank != 0:
        return
    import pyvista

    with _display():
        pyvista.OFF_SCREEN = True
        topo_all, types_all, geom_all, vm_all, u_all, offset = [], [], [], [], [], 0
        for tp, ty, g, v, uu in parts:
            tp = tp.reshape(-1, 5).copy()
            tp[:, 1:] += offset
            topo_all.append(tp.ravel())
            types_all.append(ty)
            geom_all.append(g)
            vm_all.append(v)
            u_all.append(uu)
            offset += g.shape[0]
        grid = pyvista.UnstructuredGrid(np.concatenate(topo_all), np.concatenate(types_all), np.concatenate(geom_all))
        grid.point_data["von Mises [GPa]"] = np.concatenate(vm_all) / 1e9
        grid.point_data["u"] = np.concatenate(u_all)
        warped = grid.warp_by_vector("u", factor=1.0)
        pl = pyvista.Plotter(off_screen=True, window_size=(1000, 800))
        # the DG1 grid has one copy of each vertex per cell: show its outer surface, unlit
        # (Mesa under Xvfb renders lit DG surfaces black)
        surf = warped.clean(tolerance=1e-12 * float(np.ptp(warped.points))).extract_surface()
        pl.add_mesh(surf, scalars="von Mises [GPa]", cmap="viridis", show_edges=False, lighting=False)
        pl.add_axes()
        pl.view_vector((-1.0, -1.0, -1.0), viewup=(0.0, 0.0, 1.0))  # look at the cut faces (core and shell)
        pl.screenshot(str(path))
        pl.close()


def render_regions(comm, md, path: Path, window_size=(480, 360)) -> None:
    """Render a tagged mesh coloured by region, with element edges, to ``path`` (PNG).

    3D meshes are seen from (-1, -1, 0.7) so the symmetry cuts of reduced variants show the
    layers; 2D meshes from +z. Cells of all ranks are gathered to rank 0, which renders
    off-screen (Xvfb started if there is no display). Collective.
    """
    import dolfinx.plot

    mesh = md.mesh
    tdim = mesh.topology.dim
    n_own = mesh.topology.index_map(tdim).size_local
    topo, types, geom = dolfinx.plot.vtk_mesh(mesh, tdim, np.arange(n_own, dtype=np.int32))
    region = np.zeros(n_own)
    idx = md.cell_tags.indices
    keep = idx < n_own
    region[idx[keep]] = md.cell_tags.values[keep]
    parts = comm.gather((topo, types, geom, region), root=0)
    if comm.rank != 0:
        return
    import pyvista

    with _display():
        pyvista.OFF_SCREEN = True
        topo_all, types_all, geom_all, reg_all, offset = [], [], [], [], 0
        nv = tdim + 2  # VTK cell record: count + vertices (simplices)
        for tp, ty, g, r in parts:
            tp = tp.reshape(-1, nv).copy()
            tp[:, 1:] += offset
            topo_all.append(tp.ravel())
            types_all.append(ty)
            geom_all.append(g)
            reg_all.append(r)
            offset += g.shape[0]
        grid = pyvista.UnstructuredGrid(np.concatenate(topo_all), np.concatenate(types_all), np.concatenate(geom_all))
        names = {tag: name for name, tag in md.cell_names.items()}
        grid.cell_data["region"] = np.concatenate(reg_all)
        pl = pyvista.Plotter(off_screen=True, window_size=window_size)
        shown = grid.extract_surface() if tdim == 3 else grid
        pl.add_mesh(shown, scalars="region", categories=True, cmap="Set2", show_edges=True, edge_color="#505050",
                    line_width=0.3, show_scalar_bar=False, lighting=False)  # Mesa/Xvfb: lit surfaces come out black
        labels = [(name, pyvista.plotting.colors.Color(c).hex_rgb) for name, c in
                  zip([names[t] for t in sorted(names)], _categorical_colours(len(names)))]
        pl.add_legend(labels, bcolor="white", size=(0.3, 0.055 * len(labels) + 0.02), loc="upper left", face="rectangle")
        if tdim == 3:
            pl.view_vector((-1.0, -1.0, 0.7), viewup=(0.0, 0.0, 1.0))
        else:
            pl.view_xy()
        pl.set_background("white")
        pl.screenshot(str(path))
        pl.close()


def _categorical_colours(n: int) -> list:
    """The first ``n`` colours of matplotlib's Set2 map, as used for the region categories."""
    import matplotlib

    cmap = matplotlib.colormaps["Set2"]
    return [cmap(i / max(n - 1, 1))[:3] for i in range(n)]
