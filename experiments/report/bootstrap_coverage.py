#!/usr/bin/env python3
"""How often the claims' 95% intervals cover the true mean, by simulation.

    python3 experiments/report/bootstrap_coverage.py [--trials 4000] [--seed 0]

For n seeds drawn from a normal distribution, the interval of their mean is computed three
ways: the percentile seed bootstrap (2,000 resamples, 2.5–97.5%), the Student t interval, and
their union, which `decaybench claims` uses since 2026-12-05 (Sources/Analysis/Claims/
Statistics.swift, SeedBootstrap). A mean is the statistic at fixed cells; where a claim also
chooses a best cell the bootstrap's share of the union grows, and this script does not model
that. Prints the share of trials whose interval holds the true mean.
"""
import argparse

import numpy as np

T975 = {2: 4.303, 4: 2.776, 9: 2.262}   # 97.5% quantiles of Student's t by degrees of freedom


def coverage(n, trials, resamples, generator):
    covered = {"percentile bootstrap": 0, "t interval": 0, "union": 0}
    for _ in range(trials):
        values = generator.normal(0.0, 1.0, n)
        means = values[generator.integers(0, n, size=(resamples, n))].mean(axis=1)
        low, high = np.quantile(means, [0.025, 0.975])
        half = T975[n - 1] * values.std(ddof=1) / np.sqrt(n)
        centre = values.mean()
        covered["percentile bootstrap"] += low <= 0 <= high
        covered["t interval"] += centre - half <= 0 <= centre + half
        covered["union"] += min(low, centre - half) <= 0 <= max(high, centre + half)
    return {name: count / trials for name, count in covered.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    generator = np.random.default_rng(arguments.seed)
    for n in (3, 5, 10):
        shares = coverage(n, arguments.trials, 2000, generator)
        print(f"{n:2d} seeds: " + ", ".join(f"{name} {share:.3f}" for name, share in shares.items()))


if __name__ == "__main__":
    main()
