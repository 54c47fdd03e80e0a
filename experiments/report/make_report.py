#!/usr/bin/env python3
"""Draws DecayBench's report: figures (PNG and SVG), report.md and report.html.

`decaybench report RESULTS.h5... --out DIR` writes DIR/claims.json and then runs this script;
it can also be run by hand:

    python3 experiments/report/make_report.py --claims DIR/claims.json --out DIR RESULTS.h5...

Reads the results files with h5py (the layout in the README), selects cells exactly as the
claims do (mean over seeds of the final validation error, or of the test error when a file has
no validation split; diverged runs counted, never averaged in) and writes:

- <file>-heatmaps-<split>-<n>.{png,svg}: α × λ heatmaps of validation and of test error, one row
  per optimizer and one column per penalty (the paper's Fig. 2 layout), the best cell outlined;
- <file>-curves.{png,svg}: learning curves of each family's best cell, band = min–max over seeds;
- <file>-lambda.{png,svg}: final error and weight norm against λ at each family's best lr;
- <file>-anytime.{png,svg}: warm restarts against cosine runs (when the file has both);
- figures.json: every figure with its pixel size; report.md and report.html (offline: no
  network resources, images beside them).

Pinned: matplotlib 3.11.2 (Makefile PIP_PACKAGES).
"""
import argparse
import html
import json
import math
import os
import sys
from collections import OrderedDict
from urllib.parse import quote

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 100
# Fixed figure sizes (no tight bounding box) so every PNG has a known pixel size.
PANEL = (3.2, 2.8)


def decode(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class Run:
    """One run of a results file: its configuration, status and curves."""

    def __init__(self, config, status, labels, curves):
        self.config = config
        self.status = status
        self.labels = labels
        self.curves = curves  # metric -> 1-D array over epochs done (NaN after a divergence)

    @property
    def finished(self):
        return self.status == "finished"

    def metric(self, name, epoch=None):
        """Final (or epoch `epoch`, from 1) value of a finished run; None otherwise."""
        if not self.finished or name not in self.curves:
            return None
        values = self.curves[name]
        index = len(values) - 1 if epoch is None else epoch - 1
        if index < 0 or index >= len(values) or not math.isfinite(values[index]):
            return None
        return float(values[index])


def read_runs(path):
    with h5py.File(path, "r") as f:
        table = f["runs"][()]
        names = table.dtype.names
        # 2-D datasets only: the group also holds the `run` and `epoch` dimension scales.
        curves = {name: f["curves"][name][()] for name in f["curves"] if f["curves"][name].ndim == 2}
        runs = []
        for row in range(len(table)):
            key = decode(table["key"][row])
            group = f["config"][key]
            config = json.loads(decode(group.attrs["json"]))
            labels = {decode(k): decode(v) for k, v in json.loads(decode(group.attrs["coordinates"]))}
            done = int(table["epochs_done"][row])
            run_curves = {name: np.asarray(values[row, :done], dtype=float) for name, values in curves.items()}
            runs.append(Run(config, decode(table["status"][row]), labels, run_curves))
        attributes = {k: decode(v) for k, v in f.attrs.items() if k in ("name", "description", "git_commit", "finished_utc", "cpu")}
    selection = "validation" if any(np.isfinite(r.curves.get("validation_error", np.array([np.nan]))).any() for r in runs) else "test"
    return runs, attributes, selection, names


def family(config):
    optimizer = config["optimizer"]["kind"]
    penalty = config["regularization"]["penalty"]
    text = f"{optimizer} × {penalty}"
    if penalty == "decoupled":
        text += f" ({config['regularization']['decayConvention']})"
        if config["regularization"].get("normalized"):
            text += " normalized"
    # Decaying the biases too is another family: one heatmap square must not hold both.
    if config["regularization"].get("includeBiases"):
        text += " + biases"
    return text


def without(config, *paths):
    """A copy of the configuration with the dotted `paths` removed, as a grouping key."""
    copy = json.loads(json.dumps(config))
    for path in paths:
        node = copy
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.get(part, {})
        node.pop(parts[-1], None)
    return json.dumps(copy, sort_keys=True)


class Cell:
    """A configuration without its seed and its runs."""

    def __init__(self, runs):
        self.runs = runs
        self.config = runs[0].config
        self.lam = float(self.config["regularization"]["lambda"])
        self.lr = float(self.config["optimizer"]["learningRate"])
        self.diverged = sum(r.status == "diverged" for r in runs)

    def mean(self, name, epoch=None):
        values = [v for v in (r.metric(name, epoch) for r in self.runs) if v is not None]
        return float(np.mean(values)) if values else None


def cells_of(runs):
    groups = OrderedDict()
    for run in runs:
        if run.status == "pending":
            continue
        groups.setdefault(without(run.config, "training.seed"), []).append(run)
    return [Cell(members) for members in groups.values()]


def best(cells, selection, epoch=None):
    """Fewest diverged seeds, then the lowest mean selection error, then the lowest mean
    selection loss (exact ties of error are common), then the earlier cell: as the claims choose."""
    def loss(cell):
        value = cell.mean(selection + "_loss", epoch)
        return value if value is not None else float("inf")
    scored = [(c.diverged, c.mean(selection + "_error", epoch), loss(c), i, c) for i, c in enumerate(cells)]
    scored = [s for s in scored if s[1] is not None]
    return min(scored)[4] if scored else None


def contexts(cells, *cleared):
    groups = OrderedDict()
    for cell in cells:
        groups.setdefault(without(cell.config, *cleared), []).append(cell)
    return list(groups.values())


def context_label(group_keys):
    """The settings in which contexts differ, as short text per context."""
    flats = []
    for key in group_keys:
        flat = {}

        def walk(node, prefix):
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, f"{prefix}.{k}" if prefix else k)
            else:
                flat[prefix] = node

        walk(json.loads(key), "")
        flats.append(flat)
    # What a family name already says is left out.
    named = {"optimizer.kind", "regularization.penalty", "regularization.decayConvention", "regularization.normalized"}
    keys = {k for flat in flats for k in flat
            if k not in named and len({json.dumps(f.get(k)) for f in flats}) > 1}
    # Where a section's kind differs (a schedule), its kind says enough.
    for kind in [k for k in keys if k.endswith(".kind")]:
        section = kind[: -len("kind")]
        keys = {k for k in keys if not k.startswith(section) or k == kind}
    keys = sorted(keys)
    return [" ".join(f"{k.split('.')[-1]}={flat.get(k)}" for k in keys) for flat in flats]


class Figures:
    def __init__(self, out):
        self.out = out
        self.entries = []

    def save(self, fig, name, title, caption):
        width, height = (int(round(v * DPI)) for v in fig.get_size_inches())
        # The format is given: the temporary's name ends in ".tmp-PID", not in the extension.
        write_atomically(os.path.join(self.out, name + ".png"), lambda path: fig.savefig(path, dpi=DPI, format="png"))
        write_atomically(os.path.join(self.out, name + ".svg"), lambda path: fig.savefig(path, format="svg"))
        plt.close(fig)
        self.entries.append({"name": name, "png": name + ".png", "svg": name + ".svg", "width": width,
                             "height": height, "title": title, "caption": caption})


def heatmaps(figures, stem, cells, selection):
    """The paper's Fig. 2 layout: one row per optimizer, one column per penalty (L2, decoupled
    in each convention), one figure per split."""
    groups = contexts(cells, "regularization", "optimizer", "training.seed")
    labels = context_label([without(g[0].config, "regularization", "optimizer", "training.seed") for g in groups])
    # Without a validation split the selection figure would repeat the test figure.
    metrics = [selection + "_error", "test_error"] if selection != "test" else ["test_error"]
    for number, (group, label) in enumerate(zip(groups, labels)):
        families = OrderedDict()
        for cell in group:
            name = family(cell.config)
            families.setdefault((cell.config["optimizer"]["kind"], name.split(" × ", 1)[1]), []).append(cell)
        families = OrderedDict((k, v) for k, v in families.items()
                               if len({c.lr for c in v}) >= 2 and len({c.lam for c in v}) >= 2)
        if not families:
            continue
        optimizers = list(OrderedDict.fromkeys(k[0] for k in families))
        variants = list(OrderedDict.fromkeys(k[1] for k in families))
        for metric in metrics:
            # At least 7 inches wide, so the title fits above a single column.
            fig, axes = plt.subplots(len(optimizers), len(variants), squeeze=False,
                                     figsize=(max(7.0, PANEL[0] * len(variants)), PANEL[1] * len(optimizers) + 0.8))
            for row, optimizer in enumerate(optimizers):
                for column, variant in enumerate(variants):
                    ax = axes[row][column]
                    members = families.get((optimizer, variant))
                    if not members:
                        ax.axis("off")
                        continue
                    draw_heatmap(fig, ax, members, metric, selection, f"{optimizer} × {variant}")
            split = metric.split("_")[0]
            fig.suptitle(f"{stem}: final {split} error over α × λ, mean over seeds\n(red: best on {selection}; ×: diverged or missing)"
                         + (f"\n{label}" if label else ""), fontsize=9)
            fig.tight_layout()
            figures.save(fig, f"{stem}-heatmaps-{split}-{number}",
                         f"{stem}: α × λ heatmaps of {split} error" + (f" ({label})" if label else ""),
                         f"Mean final {split} error per optimizer (rows) × penalty (columns), as in the paper's Fig. 2; the red "
                         f"square is the cell chosen on {selection} error; × marks cells with diverged runs or no result.")


def draw_heatmap(fig, ax, members, metric, selection, title):
    rates = sorted({c.lr for c in members})
    lambdas = sorted({c.lam for c in members})
    chosen = best(members, selection)
    grid = np.full((len(lambdas), len(rates)), np.nan)
    for cell in members:
        value = cell.mean(metric)
        if value is not None and cell.diverged == 0:
            grid[lambdas.index(cell.lam), rates.index(cell.lr)] = value
    finite = grid[np.isfinite(grid)]
    # The top fifth of errors (diverging corners) would wash out the basin: clip the colour scale there.
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis_r",
                      vmin=finite.min() if finite.size else 0, vmax=np.quantile(finite, 0.8) if finite.size else 1)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(len(rates)), [f"{r:g}" for r in rates], rotation=45, fontsize=7)
    ax.set_yticks(range(len(lambdas)), [f"{l:g}" for l in lambdas], fontsize=7)
    ax.set_xlabel("learning rate α", fontsize=8)
    ax.set_ylabel("λ", fontsize=8)
    ax.set_title(title, fontsize=8)
    if chosen is not None:
        ax.add_patch(plt.Rectangle((rates.index(chosen.lr) - 0.5, lambdas.index(chosen.lam) - 0.5), 1, 1,
                                   fill=False, edgecolor="red", linewidth=2))
    for (y, x), value in np.ndenumerate(grid):
        if not np.isfinite(value):
            ax.text(x, y, "×", ha="center", va="center", fontsize=7, color="gray")


def family_bests(cells, selection):
    out = OrderedDict()
    groups = contexts(cells, "regularization.lambda", "optimizer.learningRate", "training.seed")
    labels = context_label([without(g[0].config, "regularization.lambda", "optimizer.learningRate", "training.seed") for g in groups])
    for group, label in zip(groups, labels):
        chosen = best(group, selection)
        if chosen is not None:
            out[(label, family(chosen.config))] = (chosen, group)
    return out


def curves(figures, stem, cells, selection):
    bests = family_bests(cells, selection)
    if not bests:
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for (label, name), (cell, _) in bests.items():
        finished = [r for r in cell.runs if r.finished]
        if not finished:
            continue
        length = min(len(r.curves["test_error"]) for r in finished)
        epochs = np.arange(1, length + 1)
        for ax, metric in zip(axes, ["test_error", "train_error"]):
            stack = np.array([r.curves[metric][:length] for r in finished])
            line, = ax.plot(epochs, stack.mean(axis=0), label=f"{name} {label}".strip(), linewidth=1.2)
            ax.fill_between(epochs, stack.min(axis=0), stack.max(axis=0), alpha=0.2, color=line.get_color())
    for ax, metric in zip(axes, ["test error", "training error"]):
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=6)
    fig.suptitle(f"{stem}: learning curves of each family's best cell (band: min–max over seeds)", fontsize=9)
    fig.tight_layout()
    figures.save(fig, f"{stem}-curves", f"{stem}: learning curves",
                 f"Test and training error per epoch of each family's best cell (chosen on {selection} error); the band spans the seeds.")


def lambda_sweep(figures, stem, cells, selection):
    bests = family_bests(cells, selection)
    series = []
    for (label, name), (cell, group) in bests.items():
        at_rate = sorted((c for c in group if c.lr == cell.lr), key=lambda c: c.lam)
        if len({c.lam for c in at_rate}) >= 3:
            series.append((f"{name} {label}".strip() + f" lr={cell.lr:g}", at_rate))
    if not series:
        return
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for name, members in series:
        lambdas = [c.lam for c in members]
        positive = min((l for l in lambdas if l > 0), default=1.0)
        x = [l if l > 0 else positive / 10 for l in lambdas]  # λ = 0 drawn a decade below the smallest λ > 0
        for ax, metric in zip(axes, [selection + "_error", "test_error", "weight_norm"]):
            y = [c.mean(metric) if c.diverged == 0 else None for c in members]
            ax.plot(x, [np.nan if v is None else v for v in y], marker="o", markersize=3, linewidth=1, label=name)
    for ax, metric in zip(axes, [selection + " error", "test error", "final weight norm ‖w‖₂"]):
        ax.set_xscale("log")
        ax.set_xlabel("λ (λ = 0 drawn a decade left of the smallest λ)")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes[2].set_yscale("log")
    axes[0].legend(fontsize=6)
    fig.suptitle(f"{stem}: final error and weight norm against λ at each family's best learning rate", fontsize=9)
    fig.tight_layout()
    figures.save(fig, f"{stem}-lambda", f"{stem}: error and weight norm against λ",
                 "Mean over seeds of the final error and weight norm along λ, at the learning rate of each family's best cell.")


def anytime(figures, stem, cells, selection):
    restarts = [c for c in cells if c.config["schedule"]["kind"] == "warm-restarts"]
    cosine = [c for c in cells if c.config["schedule"]["kind"] == "cosine"]
    if not restarts or not cosine:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    chosen = best(restarts, selection)
    schedule = chosen.config["schedule"]
    total = chosen.config["training"]["epochs"]
    ends, period, end = [], schedule["t0"], schedule["t0"]
    while end <= total + 1e-9:
        ends.append(int(round(end)))
        period *= schedule["tMult"]
        end += period
    finished = [r for r in chosen.runs if r.finished]
    if finished:
        stack = np.array([r.curves["test_error"] for r in finished])
        epochs = np.arange(1, stack.shape[1] + 1)
        line, = ax.plot(epochs, stack.mean(axis=0), color="C3", label=f"warm restarts, best cell (λ={chosen.lam:g}, lr={chosen.lr:g})")
        ax.fill_between(epochs, stack.min(axis=0), stack.max(axis=0), alpha=0.2, color="C3")
        for e in ends:
            ax.axvline(e, color="C3", alpha=0.25, linestyle=":")
    budgets = sorted({c.config["training"]["epochs"] for c in cosine})
    for number, budget in enumerate(budgets):
        candidate = best([c for c in cosine if c.config["training"]["epochs"] == budget], selection)
        if candidate is None:
            continue
        runs = [r for r in candidate.runs if r.finished]
        if not runs:
            continue
        stack = np.array([r.curves["test_error"] for r in runs])
        epochs = np.arange(1, stack.shape[1] + 1)
        ax.plot(epochs, stack.mean(axis=0), color=plt.cm.Blues(0.4 + 0.6 * number / max(1, len(budgets) - 1)), linewidth=1,
                label=f"cosine over {budget} epochs (best cell)")
        ax.plot([budget], [stack.mean(axis=0)[-1]], marker="o", color="C0")
    ax.set_xlabel("epoch")
    ax.set_ylabel("test error")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(f"{stem}: anytime test error, warm restarts vs cosine budgets (dotted: restarts)", fontsize=9)
    fig.tight_layout()
    figures.save(fig, f"{stem}-anytime", f"{stem}: anytime performance",
                 "Test error per epoch of the best warm-restarts cell and of the best cosine cell of each budget; dots mark where each budget ends.")


def claims_rows(claims):
    rows = []
    for c in claims["claims"]:
        ci = c.get("ci")
        rows.append([c["id"], c.get("file") or "—", c.get("scope", ""),
                     "—" if c.get("value") is None else f"{c['value']:.4g}",
                     "—" if not ci or None in ci else f"[{ci[0]:.4g}, {ci[1]:.4g}]",
                     str(c.get("seeds", "")), c["verdict"] + (" (selected on the test split)" if c.get("selected_on") == "test" else "")])
    return rows


HEADER = ["claim", "file", "scope", "value", "95% CI", "seeds", "verdict"]


def write_markdown(out, claims, figures, files):
    lines = ["# DecayBench report", "", "Results files:", ""]
    for path, attributes, selection in files:
        lines.append(f"- `{os.path.basename(path)}` — {attributes.get('description', '')} "
                     f"(cells chosen on the {selection} split; commit {attributes.get('git_commit', '?')})")
    lines += ["", "## Claims", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in claims_rows(claims)]
    lines += ["", "Statements, statistics, rules and notes: `claims.md`.", "", "## Figures", ""]
    for entry in figures:
        png, svg = quote(entry["png"]), quote(entry["svg"])   # a link target holds no spaces or '#'
        lines += [f"### {entry['title']}", "", f"![{entry['title']}]({png})", "", entry["caption"],
                  f"({entry['width']}×{entry['height']} px; vector: [{entry['svg']}]({svg}))", ""]
    write_text(os.path.join(out, "report.md"), "\n".join(lines) + "\n")


def write_atomically(path, write):
    """Calls `write(temporary)` and renames the temporary to `path`: a full disk leaves no cut
    file behind, and ends the script with one line naming the file, not a traceback."""
    temporary = f"{path}.tmp-{os.getpid()}"
    try:
        write(temporary)
        os.replace(temporary, path)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        sys.exit(f"cannot write {path}: {error.strerror or error}")


def write_text(path, text):
    def write(temporary):
        with open(temporary, "w") as handle:
            handle.write(text)
    write_atomically(path, write)


def write_html(out, claims, figures, files):
    verdict_colour = {"reproduced": "#d9f2d9", "not reproduced": "#f8d7da", "inconclusive": "#fff3cd", "not run": "#eeeeee"}
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>DecayBench report</title>",
             "<style>body{font-family:sans-serif;max-width:1300px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
             "img{max-width:100%;border:1px solid #eee}figcaption{font-size:13px;color:#444}</style></head><body>",
             "<h1>DecayBench report</h1><ul>"]
    for path, attributes, selection in files:
        parts.append(f"<li><code>{html.escape(os.path.basename(path))}</code> — {html.escape(attributes.get('description', ''))} "
                     f"(cells chosen on the {selection} split)</li>")
    parts.append("</ul><h2>Claims</h2><table><tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>")
    for row in claims_rows(claims):
        colour = verdict_colour.get(row[-1].split(" (")[0], "#fff")
        parts.append("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row[:-1])
                     + f"<td style='background:{colour}'>{html.escape(row[-1])}</td></tr>")
    parts.append("</table><p>Statements, statistics, rules and notes: <a href='claims.md'>claims.md</a>.</p><h2>Figures</h2>")
    for entry in figures:
        svg, png = html.escape(quote(entry["svg"])), html.escape(quote(entry["png"]))   # names may hold ' # or spaces
        parts.append(f"<figure><h3>{html.escape(entry['title'])}</h3><img src='{svg}' alt='{html.escape(entry['title'])}' "
                     f"width='{entry['width']}'><figcaption>{html.escape(entry['caption'])} "
                     f"(<a href='{png}'>PNG</a>)</figcaption></figure>")
    parts.append("</body></html>")
    write_text(os.path.join(out, "report.html"), "\n".join(parts) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", required=True, help="claims.json written by `decaybench claims --out`")
    parser.add_argument("--out", required=True, help="directory for the figures and report files")
    parser.add_argument("results", nargs="+", help="results files (HDF5)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    with open(args.claims) as f:
        claims = json.load(f)
    figures = Figures(args.out)
    files = []
    stems = set()
    for path in args.results:
        try:
            runs, attributes, selection, _ = read_runs(path)
        except (OSError, KeyError) as error:
            sys.exit(f"{path}: cannot read it as a DecayBench results file ({error})")
        files.append((path, attributes, selection))
        stem = os.path.splitext(os.path.basename(path))[0]
        # Two files of one name (a/res.h5, b/res.h5) must not draw over each other's figures.
        stem = next(candidate for candidate in [stem] + [f"{stem}-{n}" for n in range(2, len(args.results) + 2)]
                    if candidate not in stems)
        stems.add(stem)
        cells = cells_of(runs)
        heatmaps(figures, stem, cells, selection)
        curves(figures, stem, cells, selection)
        lambda_sweep(figures, stem, cells, selection)
        anytime(figures, stem, cells, selection)
    write_text(os.path.join(args.out, "figures.json"), json.dumps(figures.entries, indent=2))
    write_markdown(args.out, claims, figures.entries, files)
    write_html(args.out, claims, figures.entries, files)
    print(f"wrote {len(figures.entries)} figures (PNG and SVG), report.md and report.html to {args.out}")


if __name__ == "__main__":
    main()
