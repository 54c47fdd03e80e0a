#!/usr/bin/env python3
"""Lists the families whose best cell lies on the edge of their grid.

    python3 experiments/report/edge_cells.py results/paper/*.h5

A family here is every run sharing optimizer, penalty, decay convention, budget, schedule,
normalized decay and bias decay; its cells are its (λ, lr) pairs, and the best cell is the one
with the lowest mean final validation error over seeds (test error where the grid has no
validation split), exact ties broken by the lower mean loss of that split, as `decaybench
claims` chooses. The
best cell is on the edge when its lr is the smallest or largest the family tried, or its λ the
largest. For each such family the line gives the best cell, its seed standard deviation and
how much worse the best cell inside the grid is: an edge cell that wins by less than its seed
spread says the surface is flat there, not that the optimum lies beyond. Families with fewer
than two learning rates choose no best cell and are skipped.
"""
import json
import sys

import h5py
import numpy as np
import pandas as pd

FAMILY = ["optimizer", "penalty", "convention", "epochs", "schedule", "normalized", "biases"]


def selection(table, row, measure):
    """The final error or loss cells are chosen on: validation, or test for a grid without a validation split."""
    validation = float(table[f"final_validation_{measure}"][row])
    return validation if np.isfinite(validation) else float(table[f"final_test_{measure}"][row])


def runs(path):
    """One row per finished run: its family settings, λ, lr and final validation error."""
    rows = []
    with h5py.File(path, "r") as f:
        table = f["runs"][()]
        for i, key in enumerate(table["key"]):
            if table["status"][i] != b"finished":
                continue
            c = json.loads(f["config"][key.decode()].attrs["json"])
            rows.append(dict(
                optimizer=c["optimizer"]["kind"], penalty=c["regularization"]["penalty"],
                convention=c["regularization"].get("decayConvention"), epochs=c["training"]["epochs"],
                schedule=c["schedule"]["kind"], normalized=c["regularization"].get("normalized", False),
                biases=c["regularization"].get("includeBiases", False), lam=c["regularization"]["lambda"],
                lr=c["optimizer"]["learningRate"], error=selection(table, i, "error"), loss=selection(table, i, "loss")))
    return pd.DataFrame(rows)


def edge_lines(name, frame):
    for family, group in frame.groupby(FAMILY, dropna=False):
        rates, lambdas = sorted(group.lr.unique()), sorted(group.lam.unique())
        if len(rates) < 2:
            continue
        cells = group.groupby(["lam", "lr"]).error.agg(["mean", "std"])
        cells["loss"] = group.groupby(["lam", "lr"]).loss.mean()
        lam, lr = cells.sort_values(["mean", "loss"], kind="stable").index[0]

        def on_edge(cell_lam, cell_lr):
            return cell_lr in (rates[0], rates[-1]) or (len(lambdas) > 1 and cell_lam == lambdas[-1])

        if not on_edge(lam, lr):
            continue
        inside = cells[[not on_edge(a, b) for a, b in cells.index]]["mean"]
        best, spread = cells.loc[(lam, lr), "mean"], cells.loc[(lam, lr), "std"]
        margin = (f"the best cell inside is {(inside.min() - best) * 100:.2f} points worse" if len(inside)
                  else "no cell lies inside (two learning rates)")
        settings = " ".join(str(v) for v in family if v not in (None, False))
        yield (f"{name}: {settings}: best λ={lam:g} lr={lr:g}, selection error {best:.4f} ± {spread:.4f} "
               f"over seeds; {margin}")


def main(paths):
    if not paths:
        sys.exit("usage: edge_cells.py RESULTS.h5...")
    found = False
    for path in paths:
        for line in edge_lines(path.split("/")[-1], runs(path)):
            found = True
            print(line)
    if not found:
        print("every family's best cell is inside its grid")


if __name__ == "__main__":
    main(sys.argv[1:])
