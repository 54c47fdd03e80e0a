#!/usr/bin/env python3
"""Writes tiny copies of experiments/paper/*.yaml that run in seconds, to check the paper
grids, `decaybench claims` and `decaybench report` end to end without the long runs.

    python3 Tests/Tools/shrink_paper_grids.py /tmp/tiny/grids
    for g in /tmp/tiny/grids/*.yaml; do
      .build/release/decaybench run $g --out /tmp/tiny/$(basename $g .yaml).h5 --jobs 1 --quiet
    done
    .build/release/decaybench report /tmp/tiny/*.h5 --out /tmp/tiny/report

Each copy keeps its grid's axes (so every claim finds the runs it needs) and shrinks the data
(300 training, 200 validation, 300 test points), the network (8 hidden units), the budgets
(2–8 epochs; warm restarts with T_0 = 1 over 7 epochs) and the seeds (two). The numbers mean
nothing; the pipeline is what is checked.
"""
import os
import re
import sys

REPLACEMENTS = [
    ("validation_size: 2000", "validation_size: 200"), ("validation_size: 1000", "validation_size: 200"),
    ("train_subset: 2000", "train_subset: 300"), ("train_subset: 1000", "train_subset: 300"),
    ("test_subset: 5000", "test_subset: 300"), ("test_subset: 2000", "test_subset: 300"),
    ("hidden: [256]", "hidden: [8]"), ("hidden: [64]", "hidden: [8]"),
    ("epochs: 60,", "epochs: 4,"), ("epochs: 40,", "epochs: 4,"), ("epochs: 5,", "epochs: 2,"),
    ("epochs: 300", "epochs: 100"),
    ("epochs: [6, 60]", "epochs: [2, 4]"), ("epochs: [10, 40, 160]", "epochs: [2, 4, 8]"),
    ("t0: 5, t_mult: 2", "t0: 1, t_mult: 2"), ("epochs: [75]", "epochs: [7]"), ("epochs: [5, 15, 35, 75]", "epochs: [1, 3, 7]"),
    ("every: 20", "every: 2"), ("every: 5,", "every: 2,"),
    ("seeds: [0, 1, 2, 3, 4]", "seeds: [0, 1]"), ("seeds: [0, 1, 2]", "seeds: [0, 1]"),
]


def shrink(text):
    for old, new in REPLACEMENTS:
        text = text.replace(old, new)
    return re.sub(r"^name: (.*)$", r"name: tiny-\1", text, flags=re.M)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: shrink_paper_grids.py OUTPUT_DIRECTORY")
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "experiments", "paper")
    os.makedirs(sys.argv[1], exist_ok=True)
    for name in sorted(os.listdir(source)):
        if name.endswith(".yaml"):
            with open(os.path.join(source, name)) as handle:
                text = shrink(handle.read())
            with open(os.path.join(sys.argv[1], name), "w") as handle:
                handle.write(text)
            print(os.path.join(sys.argv[1], name))


if __name__ == "__main__":
    main()
