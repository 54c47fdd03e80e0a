"""What a user would otherwise write: the benchmark's workloads in PyTorch 2.13.0+cpu.

Two modes, each doing the same work as the decaybench command it is compared with:

  train   one run: load Fashion-MNIST, train for --epochs, and after every epoch compute
          loss and error on the whole training and test split (as `decaybench train` does).
  sweep   a share of a grid: this worker loads the data once and trains the runs
          --worker, --worker + --workers, ... of the JSON list in --runs (one process per
          core, as a PyTorch user would parallelise a sweep).

Weight decay and the L2 penalty apply to weights only (biases are excluded), as in
DecayBench's default. AdamW is PyTorch's convention (θ ← θ·(1 − lr·λ)); Adam+L2 is
`Adam(weight_decay=λ)` (g ← g + λ·θ).
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch

DATA_DIR = os.environ.get("DECAYBENCH_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(path, offset):
    with gzip.open(path, "rb") as handle:
        return np.frombuffer(handle.read(), dtype=np.uint8, offset=offset)


def load_split(prefix, subset, seed):
    images = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"), 16).reshape(-1, 784)
    labels = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"), 8).astype(np.int64)
    if subset is not None and subset < len(labels):
        chosen = np.random.default_rng(seed).choice(len(labels), subset, replace=False)
        images, labels = images[chosen], labels[chosen]
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels)


def make_model(hidden):
    widths = [784, *hidden, 10]
    layers = []
    for index in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[index], widths[index + 1]))
        if index < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def make_optimizer(model, penalty, lam, lr):
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    groups = [{"params": weights, "weight_decay": lam}, {"params": biases, "weight_decay": 0.0}]
    if penalty == "decoupled":
        return torch.optim.AdamW(groups, lr=lr)
    if penalty == "l2":
        return torch.optim.Adam(groups, lr=lr)
    raise ValueError(f"penalty must be l2 or decoupled, got {penalty!r}")


@torch.no_grad()
def evaluate(model, features, labels, chunk=4096):
    loss_sum, errors = 0.0, 0
    for start in range(0, len(labels), chunk):
        logits = model(features[start:start + chunk])
        target = labels[start:start + chunk]
        loss_sum += torch.nn.functional.cross_entropy(logits, target, reduction="sum").item()
        errors += (logits.argmax(dim=1) != target).sum().item()
    return loss_sum / len(labels), errors / len(labels)


def train_run(data, hidden, penalty, lam, lr, epochs, batch_size, seed, report=None):
    (train_x, train_y), (test_x, test_y) = data
    torch.manual_seed(seed)
    model = make_model(hidden)
    optimizer = make_optimizer(model, penalty, lam, lr)
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(len(train_y), generator=generator)
        for start in range(0, len(train_y), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
        train_loss, train_error = evaluate(model, train_x, train_y)
        test_loss, test_error = evaluate(model, test_x, test_y)
        if report:
            report(f"{epoch + 1:5d}  {train_loss:10.5f}  {test_loss:9.5f}  {train_error:9.4f}  {test_error:8.4f}"
                   f"  {time.perf_counter() - started:7.2f}")
    return test_error


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["train", "sweep"])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--hidden", default="256,256", help="hidden widths, comma-separated; empty for logistic regression")
    parser.add_argument("--train-subset", type=int)
    parser.add_argument("--test-subset", type=int)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--penalty", default="decoupled")
    parser.add_argument("--lambda", dest="lam", type=float, default=0.01)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", help="sweep: JSON list of {penalty, lambda, lr, seed}")
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    hidden = [int(width) for width in args.hidden.split(",") if width]
    data = (load_split("train", args.train_subset, 0), load_split("t10k", args.test_subset, 1))
    report = None if args.quiet else print
    if args.mode == "train":
        error = train_run(data, hidden, args.penalty, args.lam, args.lr, args.epochs, args.batch_size, args.seed, report)
        print(f"final test error {error:.4f}")
    else:
        with open(args.runs) as handle:
            runs = json.load(handle)
        for run in runs[args.worker::args.workers]:
            error = train_run(data, hidden, run["penalty"], run["lambda"], run["lr"], args.epochs, args.batch_size,
                              run["seed"])
            if report:
                report(f"{run}: final test error {error:.4f}")


if __name__ == "__main__":
    main()
