"""Reports of a run or a sweep: Markdown and HTML with history plots, design maps and
renderings (matplotlib; the renderings are the runs' own pyvista images).

A sweep report (``anodemech report SWEEP_DIR``) holds:

- the results index as a table (stresses in GPa, volume change in %);
- design maps: for each output of ``[report] outputs`` a map over the two swept keys
  ``report.x`` and ``report.y`` (a filled contour where the grid is at least 2 x 2, and
  the run values written at the points). Each ``[[report.limits]]`` on that output is
  drawn as the contour ``output = max``, and every run is marked safe (all limits met)
  or not. With more than two swept keys, one map per combination of the others;
- with ``report.x`` and no ``report.y`` (``y = ""``): a curve of each output against x,
  each limit drawn as a horizontal line, and the critical x where the output first
  reaches the limit, interpolated between neighbouring runs (:func:`limit_crossing`);
- the histories of all complete runs (max von Mises and SOC against time);
- the von Mises renderings of the ``report.render`` runs with the highest and lowest
  value of the first output, where the runs wrote them (``output.render = true``).

A run report (``anodemech report RUN_DIR``) holds the run's summary and its own plots.
Files go to ``<dir>/report/`` (``report.md``, ``report.html`` and the figures).
"""

from __future__ import annotations

import html
import json
import math
import shutil
from pathlib import Path

from anodemech.errors import CaseError
from anodemech.sweep import read_sweep_json, summarize_run

SCALE = {"_Pa": (1e9, "GPa"), "_pct": (1.0, "%"), "_J_m2": (1.0, "J/m^2"), "_m": (1e-9, "nm"), "_s": (1.0, "s")}


def _unit(col: str) -> tuple[float, str]:
    for suffix, (scale, unit) in SCALE.items():
        if col.endswith(suffix):
            return scale, unit
    return 1.0, ""


def _fmt(col: str, v) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        scale, _ = _unit(col)
        return f"{v / scale:.4g}"
    return str(v)


def _label(col: str) -> str:
    _, unit = _unit(col)
    for suffix in SCALE:
        if col.endswith(suffix):
            col = col[: -len(suffix)]
            break
    return f"{col} [{unit}]" if unit else col


class _Doc:
    """A tiny document model rendered both as Markdown and as HTML."""

    def __init__(self, title: str):
        self.title = title
        self.blocks: list[tuple] = []

    def h(self, text):
        self.blocks.append(("h", text))

    def p(self, text):
        self.blocks.append(("p", text))

    def table(self, header, rows):
        self.blocks.append(("table", header, rows))

    def img(self, name, caption):
        self.blocks.append(("img", name, caption))

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for b in self.blocks:
            if b[0] == "h":
                out += [f"## {b[1]}", ""]
            elif b[0] == "p":
                out += [b[1], ""]
            elif b[0] == "table":
                out.append("| " + " | ".join(b[1]) + " |")
                out.append("|" + "---|" * len(b[1]))
                out += ["| " + " | ".join(str(c) for c in r) + " |" for r in b[2]]
                out.append("")
            else:
                out += [f"![{b[2]}]({b[1]})", "", f"*{b[2]}*", ""]
        return "\n".join(out)

    def html(self) -> str:
        e = html.escape
        out = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>", f"<title>{e(self.title)}</title>",
               "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
               "td,th{border:1px solid #999;padding:2px 6px;font-size:12px}img{max-width:100%}</style>",
               "</head><body>", f"<h1>{e(self.title)}</h1>"]
        for b in self.blocks:
            if b[0] == "h":
                out.append(f"<h2>{e(b[1])}</h2>")
            elif b[0] == "p":
                out.append(f"<p>{e(b[1])}</p>")
            elif b[0] == "table":
                out.append("<table><tr>" + "".join(f"<th>{e(str(c))}</th>" for c in b[1]) + "</tr>")
                out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in b[2]]
                out.append("</table>")
            else:
                out.append(f"<figure><img src='{e(b[1])}' alt='{e(b[2])}'><figcaption>{e(b[2])}</figcaption></figure>")
        out.append("</body></html>")
        return "\n".join(out)


def write_report(path: str | Path, formats: tuple[str, ...] = ("md", "html")) -> list[Path]:
    """Write the report of a sweep directory (has ``sweep.json``) or of a run directory
    (has ``run.json``) to ``<path>/report/``.

    Returns:
        The written report files.

    Raises:
        CaseError: ``path`` is neither (key ``SWEEP_OR_RUN``), or a report setting names a
            column the index does not have (key ``report.outputs``).
    """
    path = Path(path).resolve()
    outdir = path / "report"
    outdir.mkdir(exist_ok=True)
    if (path / "sweep.json").exists():
        doc = _sweep_report(path, outdir)
    elif (path / "run.json").exists():
        doc = _run_report(path, outdir)
    else:
        raise CaseError("SWEEP_OR_RUN", f"{path} is neither a sweep directory (sweep.json) nor a run directory (run.json)")
    written = []
    for fmt in formats:
        f = outdir / f"report.{fmt}"
        f.write_text(doc.markdown() if fmt == "md" else doc.html())
        written.append(f)
    return written


# --------------------------------------------------------------------------- run
def _run_report(path: Path, outdir: Path) -> _Doc:
    from anodemech import plotting

    info = json.loads((path / "run.json").read_text())
    s = summarize_run(path)
    doc = _Doc(f"anodemech run report: {info.get('inputs', {}).get('name', path.name)}")
    doc.p(f"Run directory: {path}. Status: {s['status']}. Ranks: {info.get('ranks')}. "
          f"Mesh: {info.get('mesh', {}).get('cells', '?')} cells, {info.get('mesh', {}).get('dofs', '?')} dofs.")
    doc.h("Key outputs (maxima over the cycle)")
    doc.table(["output", "value"], [[_label(k), _fmt(k, v)] for k, v in s.items() if k != "status"])
    if (path / "history.csv").exists():
        for png in plotting.history_plots(path / "history.csv", outdir):
            doc.img(png.name, png.stem.replace("_", " "))
    for png in sorted(path.glob("von_mises_end_of_*.png")):
        shutil.copy(png, outdir / png.name)
        doc.img(png.name, f"von Mises stress on the deformed shape ({png.stem})")
    return doc


# --------------------------------------------------------------------------- sweep
def _sweep_report(path: Path, outdir: Path) -> _Doc:
    sj = read_sweep_json(path)
    keys, spec = sj["keys"], sj["report"]
    rows = []
    for r in sj["runs"]:
        row = {"run_id": r["id"], **{k: r["values"][k] for k in keys}, "_si": r["si"]}
        row.update(summarize_run(path / "runs" / r["id"]))
        rows.append(row)
    outputs = spec["outputs"]
    known = {c for row in rows for c in row}
    complete = [row for row in rows if row["status"] == "complete"]
    for o in outputs:
        if complete and o not in known:
            cols = sorted(c for c in known if c.endswith(("_Pa", "_pct", "_soc")))
            raise CaseError("report.outputs", f"{o!r} is not a column of the index", ", ".join(cols))
    limits = spec["limits"]
    doc = _Doc(f"anodemech sweep report: {sj['name']}")
    n_done = len(complete)
    doc.p(f"Case file: {sj['case']}. Swept: {', '.join(keys)}. Runs: {len(rows)}, complete: {n_done}, "
          f"failed: {sum(r['status'] == 'failed' for r in rows)}, not run or unfinished: "
          f"{sum(r['status'] in ('pending', 'incomplete') for r in rows)}.")
    if limits:
        doc.p("Limits: " + "; ".join(f"{lim['label']}: {lim['output']} <= {_fmt(lim['output'], lim['max'])} "
                                     f"{_unit(lim['output'])[1]}" for lim in limits) + ".")
    for row in rows:
        row["safe"] = _safe(row, limits)
    cols = ["run_id", *keys, "status", *[o for o in outputs if o not in keys], "contact_onset_soc", "wall_time_s"]
    if limits:
        cols.append("safe")
    doc.h("Results index")
    doc.table([_label(c) for c in cols], [[_fmt(c, row.get(c, float("nan"))) for c in cols] for row in rows])
    if spec["x"] and spec["y"] and complete:
        doc.h("Design maps")
        for o in outputs:
            for png, caption in _design_maps(rows, keys, spec["x"], spec["y"], o, limits, outdir):
                doc.img(png, caption)
    if spec["x"] and not spec["y"] and complete:
        doc.h("Curves")
        for o in outputs:
            for png, caption, notes in _curves(rows, keys, spec["x"], o, limits, outdir):
                doc.img(png, caption)
                for note in notes:
                    doc.p(note)
    if complete:
        doc.h("Histories")
        doc.img(_histories(path, rows, keys, outdir), "max von Mises stress (all regions) and SOC against time, every complete run")
        doc.h("Renderings")
        shown = 0
        for row in _extremes(complete, outputs[0] if outputs else None, spec["render"]):
            for png in sorted((path / "runs" / row["run_id"]).glob("von_mises_end_of_*.png")):
                name = f"{row['run_id']}_{png.name}"
                shutil.copy(png, outdir / name)
                doc.img(name, f"run {row['run_id']} ({', '.join(f'{k} = {row[k]}' for k in keys)}): {png.stem}")
                shown += 1
        if shown == 0:
            doc.p("No renderings: the selected runs wrote none (set output.render = true in the case).")
    return doc


def _safe(row, limits) -> str:
    if row["status"] != "complete" or not limits:
        return "–"
    ok = all(row.get(lim["output"], float("inf")) <= lim["max"] for lim in limits)
    return "yes" if ok else "no"


def _extremes(rows, output, n):
    if not output or n == 0:
        return []
    ranked = sorted((r for r in rows if isinstance(r.get(output), float)), key=lambda r: r[output])
    picks = []
    for i in range(n):
        cand = ranked[-1 - i // 2] if i % 2 == 0 else ranked[i // 2]
        if cand not in picks:
            picks.append(cand)
    return picks[:n]


def _num(row, key):
    si = row["_si"][key]
    return float(si.split()[0]) if isinstance(si, str) else float(si)


def _design_maps(rows, keys, xk, yk, output, limits, outdir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    others = [k for k in keys if k not in (xk, yk)]
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in others), []).append(row)
    scale, unit = _unit(output)
    out = []
    for gi, (gvals, grp) in enumerate(groups.items()):
        xs = sorted({_num(r, xk) for r in grp})
        ys = sorted({_num(r, yk) for r in grp})
        Z = np.full((len(ys), len(xs)), np.nan)
        for r in grp:
            if r["status"] == "complete" and isinstance(r.get(output), float):
                Z[ys.index(_num(r, yk)), xs.index(_num(r, xk))] = r[output] / scale
        xsc, xu = _axis_scale(xk, xs)
        ysc, yu = _axis_scale(yk, ys)
        X, Y = np.meshgrid(np.array(xs) / xsc, np.array(ys) / ysc)
        fig, ax = plt.subplots(figsize=(6.4, 5))
        finite = np.isfinite(Z)
        if len(xs) >= 2 and len(ys) >= 2 and finite.all():
            cf = ax.contourf(X, Y, Z, levels=12, cmap="viridis")
            fig.colorbar(cf, ax=ax, label=f"{output} [{unit}]")
            for lim in limits:
                if lim["output"] == output and Z.min() < lim["max"] / scale < Z.max():
                    cs = ax.contour(X, Y, Z, levels=[lim["max"] / scale], colors="red", linewidths=2.5)
                    ax.clabel(cs, fmt=lambda _v, lab=lim["label"]: lab, fontsize=8)
        else:
            sc = ax.scatter(X[finite], Y[finite], c=Z[finite], cmap="viridis", s=200)
            fig.colorbar(sc, ax=ax, label=f"{output} [{unit}]")
        for r in grp:
            px, py = _num(r, xk) / xsc, _num(r, yk) / ysc
            if r["status"] != "complete":
                ax.plot(px, py, "s", mfc="none", mec="grey", ms=10)
                ax.annotate(r["status"], (px, py), fontsize=7, color="grey", xytext=(4, 4), textcoords="offset points")
                continue
            marker = {"yes": ("o", "white"), "no": ("x", "red")}.get(r["safe"], ("+", "black"))
            ax.plot(px, py, marker[0], color=marker[1], mec="black" if marker[0] == "o" else marker[1], ms=8)
            ax.annotate(f"{r.get(output, float('nan')) / scale:.3g}", (px, py), fontsize=7, xytext=(4, 4),
                        textcoords="offset points")
        ax.set_xlabel(f"{xk} [{xu}]" if xu else xk)
        ax.set_ylabel(f"{yk} [{yu}]" if yu else yk)
        where = ", ".join(f"{k} = {v}" for k, v in zip(others, gvals))
        title = output + (f" ({where})" if where else "")
        ax.set_title(title, fontsize=9)
        if limits:
            ax.text(0.01, 0.01, "o safe (all limits met), x limit exceeded; red line: limit", transform=ax.transAxes,
                    fontsize=7)
        fig.tight_layout()
        name = f"map_{output}_{gi}.png"
        fig.savefig(outdir / name, dpi=120)
        plt.close(fig)
        out.append((name, f"design map of {title} over {xk} and {yk}"))
    return out


def limit_crossing(xs, ys, limit: float):
    """Where a sampled output first reaches a limit, interpolated between two runs.

    Between the last run below the limit and the next run (in increasing x), the crossing
    is interpolated linearly in log(y) against log(x) when x and both y are > 0 (exact for
    a power law such as G ~ R^4 of a particle under a fixed C-rate), else linearly.

    Args:
        xs: swept values (any order) [SI].
        ys: output at each x [SI]; NaN entries are skipped.
        limit: the limit [same unit as ys].

    Returns:
        ``(x_c, x_below, x_above)`` with the interpolated crossing and the two runs that
        bracket it, or None when no pair of neighbouring runs brackets the limit (all runs
        below it, or the first run already at or above it).
    """
    pts = sorted((float(x), float(y)) for x, y in zip(xs, ys) if not math.isnan(float(y)))
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if y0 < limit <= y1:
            if x0 > 0 and y0 > 0 and limit > 0:
                f = (math.log(limit) - math.log(y0)) / (math.log(y1) - math.log(y0))
                return math.exp(math.log(x0) + f * (math.log(x1) - math.log(x0))), x0, x1
            return x0 + (limit - y0) / (y1 - y0) * (x1 - x0), x0, x1
    return None


def _curves(rows, keys, xk, output, limits, outdir):
    """Line plots of ``output`` against ``xk``, one line per combination of the other keys;
    when every such group holds a single run (keys swept together as points), one line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    others = [k for k in keys if k != xk]
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in others), []).append(row)
    if all(len(g) == 1 for g in groups.values()):
        groups = {(): rows}
    scale, unit = _unit(output)
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    notes, plotted = [], []
    xsc, xu = 1.0, ""
    for gvals, grp in groups.items():
        done = [r for r in grp if r["status"] == "complete" and isinstance(r.get(output), float)]
        xs = [_num(r, xk) for r in done]
        ys = [r[output] for r in done]
        if not xs:
            continue
        xsc, xu = _axis_scale(xk, xs)
        plotted += ys
        order = sorted(range(len(xs)), key=lambda i: xs[i])
        where = ", ".join(f"{k} = {v}" for k, v in zip(others, gvals))
        ax.plot([xs[i] / xsc for i in order], [ys[i] / scale for i in order], "o-", label=where or output)
        for lim in limits:
            if lim["output"] != output:
                continue
            hit = limit_crossing(xs, ys, lim["max"])
            tag = f"{lim['label']} ({output} = {_fmt(output, lim['max'])}{' ' + unit if unit else ''})" + \
                (f", {where}" if where else "")
            if hit is None:
                notes.append(f"{tag}: not bracketed by the runs (all below the limit, or the smallest x already at it).")
                continue
            xc, x0, x1 = hit
            ax.axvline(xc / xsc, color="red", ls=":", lw=1.5)
            notes.append(f"{tag}: critical {xk} = {xc / xsc:.4g} {xu} (interpolated between the runs at "
                         f"{x0 / xsc:.4g} and {x1 / xsc:.4g} {xu}).")
    for lim in limits:
        if lim["output"] == output:
            ax.axhline(lim["max"] / scale, color="red", lw=2, label=lim["label"])
    shown = plotted + [lim["max"] for lim in limits if lim["output"] == output]
    if plotted and min(shown) > 0:  # log-log, the scale of limit_crossing's interpolation
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel(f"{xk} [{xu}]" if xu else xk)
    ax.set_ylabel(f"{output} [{unit}]" if unit else output)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    name = f"curve_{output}.png"
    fig.savefig(outdir / name, dpi=120)
    plt.close(fig)
    return [(name, f"{output} against {xk}; red: limits, dotted: interpolated critical {xk}", notes)]


def _axis_scale(key, values):
    if key.startswith("loads.pressure."):
        return 1e6, "MPa"
    if key.split(".")[-1] == "E":
        return 1e9, "GPa"
    if max(abs(v) for v in values) < 1e-5 and key.startswith("geometry."):
        return 1e-9, "nm"
    return 1.0, ""


def _histories(path, rows, keys, outdir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from anodemech.plotting import read_history

    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    for row in rows:
        if row["status"] != "complete":
            continue
        h = read_history(path / "runs" / row["run_id"] / "history.csv")
        vm = [h[c] for c in h if c.startswith("von_mises_max_") and c.endswith("_Pa")]
        label = ", ".join(f"{k.split('.')[-1]}={row[k]}" for k in keys)
        t = h["time_s"] / 3600.0
        ax[0].plot(t, _maxof(vm) / 1e9, label=label)
        ax[1].plot(t, h["soc"], label=label)
    ax[0].set_ylabel("max von Mises stress [GPa]")
    ax[1].set_ylabel("state of charge [-]")
    for a in ax:
        a.set_xlabel("time [h]")
        a.grid(alpha=0.3)
    ax[0].legend(fontsize=6)
    fig.tight_layout()
    name = "histories.png"
    fig.savefig(outdir / name, dpi=120)
    plt.close(fig)
    return name


def _maxof(arrays):
    import numpy as np

    return np.max(np.vstack(arrays), axis=0)

