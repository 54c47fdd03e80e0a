#!/usr/bin/env python3
"""Compare two DecayBench results files bit for bit, except what records when and how they ran.

    python3 Tests/Tools/same_results.py A.h5 B.h5 [--ignore-attribute NAME ...]

Every dataset (values, shape, dtype; NaN equals NaN at the same place) and every attribute is
compared. Timing fields are skipped: root attributes started_utc, finished_utc, command_line,
jobs, and the datasets and columns that hold seconds (/curves/epoch_seconds, /grid/seconds,
the `seconds` column of /runs). Exit status 0 when the files match, 1 with a list of
differences otherwise.
"""
import argparse
import sys

import h5py
import numpy as np

TIMING_ATTRIBUTES = {"started_utc", "finished_utc", "command_line", "jobs"}
TIMING_DATASETS = {"/curves/epoch_seconds", "/grid/seconds"}
TIMING_COLUMNS = {"seconds"}


def same_array(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.names:  # compound table: compare column by column
        return all(same_array(a[name], b[name]) for name in a.dtype.names if name not in TIMING_COLUMNS)
    if a.dtype.kind == "f":
        return a.tobytes() == b.tobytes()  # bitwise, NaN included
    return np.array_equal(a, b)


def scale_names(file, obj):
    """The names of the dimension scales attached to each dimension of a dataset (object
    references differ between files; the names they point to must not)."""
    if not isinstance(obj, h5py.Dataset):
        return []
    return [[file[ref].name for ref in dimension] for dimension in obj.attrs.get("DIMENSION_LIST", [])]


def differences(path_a, path_b, ignored):
    found = []
    with h5py.File(path_a, "r") as a, h5py.File(path_b, "r") as b:
        def attributes(name, x, y):
            if scale_names(a, x) != scale_names(b, y):
                found.append(f"{name}: dimension scales differ")
            for key in sorted(set(x.attrs) | set(y.attrs)):
                if key in ignored or (name == "/" and key in TIMING_ATTRIBUTES):
                    continue
                if key in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue  # references: compared by name above
                if key not in x.attrs or key not in y.attrs:
                    found.append(f"{name} attribute {key}: only in one file")
                elif not same_array(np.asarray(x.attrs[key]), np.asarray(y.attrs[key])):
                    found.append(f"{name} attribute {key}: {x.attrs[key]!r} vs {y.attrs[key]!r}")

        names_a, names_b = set(), set()
        a.visit(lambda n: names_a.add("/" + n))
        b.visit(lambda n: names_b.add("/" + n))
        for name in sorted(names_a ^ names_b):
            found.append(f"{name}: only in {'the first' if name in names_a else 'the second'} file")
        attributes("/", a, b)
        for name in sorted(names_a & names_b):
            x, y = a[name], b[name]
            if name not in TIMING_DATASETS and isinstance(x, h5py.Dataset):
                if not same_array(x[()] if x.shape != () else np.asarray(x[()]), y[()] if y.shape != () else np.asarray(y[()])):
                    found.append(f"{name}: values differ")
            attributes(name, x, y)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--ignore-attribute", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    found = differences(args.first, args.second, set(args.ignore_attribute))
    for line in found:
        print(line)
    print("identical apart from timing" if not found else f"{len(found)} difference(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
