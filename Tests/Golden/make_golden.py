#!/usr/bin/env python3
"""Golden training trajectories from PyTorch for the Swift engine's replay tests.

Writes one JSON fixture per case to Tests/TrainingTests/Fixtures/golden/<case>.json.
Each fixture holds the data, the configuration, the initial parameters and, for
every optimizer step, the batch indices, the learning rate that step used, the
batch's data loss before the update and all parameters after the update.

Decoupled decay in the paper's convention is AdamW with weight_decay = lambda/alpha
(PyTorch multiplies weight_decay by lr_t = alpha*eta_t); SGDW, which PyTorch lacks, is
an explicit w *= 1 - lr_t*weight_decay before the SGD step. Normalized decay sets
weight_decay before every step; warm-up chains LinearLR with the cosine schedule.

Before a fixture is written the script checks it against an independent
float64 numpy implementation of the documented formulas (the update rules in the README):
the first step must agree to 1e-6, the whole trajectory must agree closely
enough that a float32 replay can be held to a relative 1e-5, every recorded
lr must equal the closed-form schedule, and the penalty or decay must move the
weights far more than the tolerance. Any failed check aborts without writing.

Run:  python3 Tests/Golden/make_golden.py   (fixtures go next to the script's checkout)
"""

import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import torch

EXPECTED_TORCH = "2.13.0"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "Tests", "TrainingTests", "Fixtures", "golden")

N, D, BATCH = 22, 5, 8  # 22 rows, batch 8: batches of 8, 8, 6

# Tolerances of the self-checks.
FIRST_STEP_TOL = 1e-6      # |torch − numpy| ≤ tol·max(|numpy|, 1) after step 0
TRAJECTORY_TOL = 1e-6      # same, over every step (float32 torch vs float64 numpy)
REPLAY_REL_TOL = 5e-6      # |torch − numpy| / max(|numpy|, 0.01): half the Swift replay's 1e-5, so a
                           # case whose float32 rounding alone nears that tolerance is rejected
LR_REL_TOL = 1e-12         # recorded lr vs closed form
MIN_PENALTY_EFFECT = 1e-3  # max |θ_λ − θ_0| at the end of the run
MIN_RELU_MARGIN = 1e-4     # smallest |ReLU input| and |L1-penalised weight| (no kink near a flip)

ADAM_DEFAULTS = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}


def opt(kind, lr, momentum=0.0):
    o = {"kind": kind, "lr": lr, "momentum": momentum}
    o.update(ADAM_DEFAULTS)
    return o


def reg(penalty, lam=0.0, convention="torch", include_biases=False, normalized=False):
    r = {"penalty": penalty, "lambda": lam, "convention": convention, "include_biases": include_biases}
    if normalized:
        # lambda is then the paper's lambda_norm (App. B.1); absent means false, which keeps
        # the fixtures written before normalized cases existed byte for byte.
        r["normalized"] = True
    return r


def sched(kind, every=1, factor=1.0, minimum=0.0, t0=1.0, t_mult=1.0, warmup_steps=0):
    # All keys are always present; only those that belong to `kind` matter.
    return {"kind": kind, "every": every, "factor": factor, "staircase": True,
            "minimum": minimum, "t0": t0, "t_mult": t_mult, "warmup_steps": warmup_steps}


CASES = [
    dict(name="adam_l2_relu_constant",
         description="Adam with coupled L2 (g += lambda*w, weights only), ReLU MLP, constant lr",
         task="classification", hidden=[7, 6], activation="relu", epochs=4, seed=101,
         optimizer=opt("adam", 0.03), regularization=reg("l2", 0.05), schedule=sched("constant")),
    dict(name="adamw_tanh_cosine",
         description="AdamW (torch convention: w *= 1 - lr_t*lambda), tanh MLP, per-batch cosine with eta_min = 0.1*lr",
         task="classification", hidden=[7, 6], activation="tanh", epochs=4, seed=102,
         optimizer=opt("adam", 0.03), regularization=reg("decoupled", 0.1),
         schedule=sched("cosine", minimum=0.1)),
    dict(name="amsgrad_l2_relu_warm_restarts",
         description="AMSGrad with coupled L2, ReLU MLP, warm restarts T0=1 epoch, Tmult=2 (restarts at epochs 1 and 3)",
         task="classification", hidden=[7, 6], activation="relu", epochs=4, seed=103,
         optimizer=opt("amsgrad", 0.02), regularization=reg("l2", 0.05),
         schedule=sched("warm-restarts", t0=1.0, t_mult=2.0)),
    dict(name="amsgrad_decoupled_tanh_step",
         description="AMSGrad with decoupled decay (AdamW amsgrad=True), tanh MLP, StepLR every 2 epochs x0.5",
         task="classification", hidden=[7, 6], activation="tanh", epochs=4, seed=104,
         optimizer=opt("amsgrad", 0.03), regularization=reg("decoupled", 0.1),
         schedule=sched("step", every=2, factor=0.5)),
    dict(name="sgd_l2_relu_exponential",
         description="Plain SGD with coupled L2, ReLU MLP, ExponentialLR x0.8 per epoch",
         task="classification", hidden=[7, 6], activation="relu", epochs=4, seed=205,
         optimizer=opt("sgd", 0.2), regularization=reg("l2", 0.05),
         schedule=sched("exponential", factor=0.8)),
    dict(name="sgd_momentum_l2_tanh_cosine",
         description="SGD momentum 0.9 (torch buffer form) with coupled L2, tanh MLP, per-batch cosine to 0",
         task="classification", hidden=[7, 6], activation="tanh", epochs=4, seed=106,
         optimizer=opt("sgd-momentum", 0.1, momentum=0.9), regularization=reg("l2", 0.05),
         schedule=sched("cosine", minimum=0.0)),
    dict(name="sgd_nesterov_l2_relu_warm_restarts",
         description="SGD Nesterov 0.9 with coupled L2, ReLU MLP, warm restarts T0=2 epochs, Tmult=2 (restart at epoch 2)",
         task="classification", hidden=[7, 6], activation="relu", epochs=4, seed=207,
         optimizer=opt("sgd-nesterov", 0.1, momentum=0.9), regularization=reg("l2", 0.05),
         schedule=sched("warm-restarts", t0=2.0, t_mult=2.0)),
    dict(name="sgdw_momentum_relu_step",
         description="SGDW: momentum 0.9, w *= 1 - lr_t*lambda before the SGD step (torch convention), ReLU MLP, StepLR every epoch x0.5",
         task="classification", hidden=[7, 6], activation="relu", epochs=4, seed=308,
         optimizer=opt("sgd-momentum", 0.1, momentum=0.9), regularization=reg("decoupled", 0.1),
         schedule=sched("step", every=1, factor=0.5)),
    dict(name="sgd_l1_tanh_exponential",
         description="Plain SGD with L1 (g += lambda*sign(w), sign(0)=0, weights only), tanh MLP [7], ExponentialLR x0.7 per epoch",
         task="classification", hidden=[7], activation="tanh", epochs=4, seed=409,
         optimizer=opt("sgd", 0.2), regularization=reg("l1", 0.05),
         schedule=sched("exponential", factor=0.7)),
    dict(name="adam_none_relu_constant",
         description="Adam without penalty or decay, ReLU MLP, constant lr",
         task="classification", hidden=[7, 6], activation="relu", epochs=3, seed=110,
         optimizer=opt("adam", 0.02), regularization=reg("none"), schedule=sched("constant")),
    dict(name="softmax_adamw_warm_restarts",
         description="Softmax regression (no hidden layer), AdamW, warm restarts T0=1, Tmult=2 with eta_min = 0.05*lr",
         task="classification", hidden=[], activation="relu", epochs=4, seed=111,
         optimizer=opt("adam", 0.05), regularization=reg("decoupled", 0.1),
         schedule=sched("warm-restarts", minimum=0.05, t0=1.0, t_mult=2.0)),
    dict(name="linreg_adam_l2_cosine",
         description="Linear regression (MSE, y = x.w + noise), Adam with coupled L2, per-batch cosine with eta_min = 0.05*lr",
         task="regression", hidden=[], activation="relu", epochs=4, seed=112,
         optimizer=opt("adam", 0.05), regularization=reg("l2", 0.1),
         schedule=sched("cosine", minimum=0.05)),
    dict(name="linreg_sgd_l2_step",
         description="Linear regression (MSE, y = x.w + noise), plain SGD with coupled L2, StepLR every 2 epochs x0.5",
         task="regression", hidden=[], activation="relu", epochs=4, seed=113,
         optimizer=opt("sgd", 0.05), regularization=reg("l2", 0.1),
         schedule=sched("step", every=2, factor=0.5)),
    # The paper's convention, theta <- theta - eta_t*(alpha*u + lambda*theta): AdamW with
    # weight_decay = lambda/alpha, which PyTorch multiplies by lr_t = alpha*eta_t.
    dict(name="adamw_paper_relu_cosine",
         description="AdamW, paper convention (decay eta_t*lambda: torch weight_decay = lambda/alpha), ReLU MLP, per-batch cosine with eta_min = 0.1*lr",
         task="classification", hidden=[7, 6], activation="relu", epochs=4, seed=114,
         optimizer=opt("adam", 0.03), regularization=reg("decoupled", 0.003, convention="paper"),
         schedule=sched("cosine", minimum=0.1)),
    dict(name="sgdw_paper_momentum_tanh_cosine",
         description="SGDW, paper convention: w *= 1 - eta_t*lambda before the momentum step (by hand; PyTorch has no SGDW), tanh MLP, per-batch cosine to 0",
         task="classification", hidden=[7, 6], activation="tanh", epochs=4, seed=115,
         optimizer=opt("sgd-momentum", 0.1, momentum=0.9), regularization=reg("decoupled", 0.01, convention="paper"),
         schedule=sched("cosine")),
    # Normalized decay: lambda = lambda_norm*sqrt(b/(B*T)), T the current restart period
    # (1 epoch, then 2): weight_decay changes at the restart.
    dict(name="adamw_normalized_paper_relu_warm_restarts",
         description="AdamW, paper convention, normalized lambda_norm = 0.02 (lambda = lambda_norm*sqrt(b/(B*T)), T the period: 1 then 2 epochs), ReLU MLP, warm restarts T0=1, Tmult=2",
         task="classification", hidden=[7, 6], activation="relu", epochs=3, seed=116,
         optimizer=opt("adam", 0.03), regularization=reg("decoupled", 0.02, convention="paper", normalized=True),
         schedule=sched("warm-restarts", t0=1.0, t_mult=2.0)),
    dict(name="adamw_normalized_torch_tanh_cosine",
         description="AdamW, torch convention, normalized lambda_norm = 0.02 in the paper's units (torch weight_decay = lambda_norm*sqrt(b/(B*T))/alpha), tanh MLP, per-batch cosine with eta_min = 0.1*lr",
         task="classification", hidden=[7, 6], activation="tanh", epochs=4, seed=117,
         optimizer=opt("adam", 0.02), regularization=reg("decoupled", 0.02, normalized=True),
         schedule=sched("cosine", minimum=0.1)),
    dict(name="adamw_warmup_tanh_cosine",
         description="AdamW (torch convention), tanh MLP, linear warm-up over 5 steps ((t+1)/5, LinearLR) times per-batch cosine to 0 (ChainedScheduler)",
         task="classification", hidden=[7, 6], activation="tanh", epochs=4, seed=121,
         optimizer=opt("adam", 0.03), regularization=reg("decoupled", 0.1),
         schedule=sched("cosine", warmup_steps=5)),
    dict(name="adamw_biases_relu_step",
         description="AdamW (torch convention) decaying biases too (include_biases), ReLU MLP, StepLR every 2 epochs x0.5",
         task="classification", hidden=[7, 6], activation="relu", epochs=4, seed=119,
         optimizer=opt("adam", 0.03), regularization=reg("decoupled", 0.1, include_biases=True),
         schedule=sched("step", every=2, factor=0.5)),
    dict(name="sgd_momentum_l2_biases_tanh_exponential",
         description="SGD momentum 0.9 with coupled L2 on weights and biases (include_biases), tanh MLP, ExponentialLR x0.8 per epoch",
         task="classification", hidden=[7, 6], activation="tanh", epochs=4, seed=120,
         optimizer=opt("sgd-momentum", 0.1, momentum=0.9), regularization=reg("l2", 0.05, include_biases=True),
         schedule=sched("exponential", factor=0.8)),
]
CLASSES = 3


# ----------------------------------------------------------------------------
# Data


def make_data(case):
    g = torch.Generator().manual_seed(case["seed"] * 7919 + 1)
    x = torch.randn(N, D, generator=g, dtype=torch.float32)
    if case["task"] == "classification":
        teacher = torch.randn(D, CLASSES, generator=g, dtype=torch.float32)
        noise = 0.5 * torch.randn(N, CLASSES, generator=g, dtype=torch.float32)
        y = torch.argmax(x @ teacher + noise, dim=1)
        assert sorted(set(y.tolist())) == list(range(CLASSES)), "every class must occur"
    else:
        w = torch.randn(D, generator=g, dtype=torch.float32)
        y = x @ w + 0.5 + 0.1 * torch.randn(N, generator=g, dtype=torch.float32)
    return x, y


# ----------------------------------------------------------------------------
# The PyTorch run


def layer_sizes(case):
    out = CLASSES if case["task"] == "classification" else 1
    return [D] + list(case["hidden"]) + [out]


def build_model(case):
    torch.manual_seed(case["seed"])
    sizes = layer_sizes(case)
    layers = [torch.nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
    named = []
    for i, layer in enumerate(layers):
        named.append((f"layer{i}.weight", layer.weight))
        named.append((f"layer{i}.bias", layer.bias))
    return layers, named


def forward(case, layers, x):
    act = torch.relu if case["activation"] == "relu" else torch.tanh
    h = x
    for i, layer in enumerate(layers):
        h = layer(h)
        if i < len(layers) - 1:
            h = act(h)
    return h


def period_length(case, t, steps_per_epoch):
    """T of normalized decay at step t: the current warm-restart period, else the run."""
    s = case["schedule"]
    if s["kind"] != "warm-restarts":
        return float(case["epochs"])
    ep, start, Ti = t / steps_per_epoch, 0.0, s["t0"]
    while ep >= start + Ti:
        start += Ti
        Ti *= s["t_mult"]
    return Ti


def paper_lambda(case, t, steps_per_epoch):
    """lambda_t in the paper's units (its decay per step is eta_t*lambda_t)."""
    r, alpha = case["regularization"], case["optimizer"]["lr"]
    if r.get("normalized", False):
        return r["lambda"] * math.sqrt(BATCH / (N * period_length(case, t, steps_per_epoch)))
    return r["lambda"] if r["convention"] == "paper" else r["lambda"] * alpha


def torch_weight_decay(case, t, steps_per_epoch):
    """The decoupled coefficient PyTorch multiplies by lr_t = alpha*eta_t: lambda_paper/alpha."""
    r, alpha = case["regularization"], case["optimizer"]["lr"]
    if r.get("normalized", False):
        return paper_lambda(case, t, steps_per_epoch) / alpha
    return r["lambda"] / alpha if r["convention"] == "paper" else r["lambda"]


def make_optimizer(case, weights, biases):
    o, r = case["optimizer"], case["regularization"]
    lam = r["lambda"]
    coupled_l2 = r["penalty"] == "l2"
    decoupled = r["penalty"] == "decoupled"
    kind = o["kind"]
    bias_share = 1.0 if r["include_biases"] else 0.0
    if kind in ("adam", "amsgrad"):
        # AdamW's weight_decay is set before every step (run_torch), as it may change.
        wd = lam if (coupled_l2 or decoupled) else 0.0
        groups = [{"params": weights, "weight_decay": wd}, {"params": biases, "weight_decay": wd * bias_share}]
        cls = torch.optim.AdamW if decoupled else torch.optim.Adam
        return cls(groups, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"],
                   amsgrad=(kind == "amsgrad"), foreach=False)
    # SGD kinds. Decoupled decay (SGDW) is applied by hand before the step.
    wd = lam if coupled_l2 else 0.0
    groups = [{"params": weights, "weight_decay": wd}, {"params": biases, "weight_decay": wd * bias_share}]
    momentum = o["momentum"] if kind in ("sgd-momentum", "sgd-nesterov") else 0.0
    return torch.optim.SGD(groups, lr=o["lr"], momentum=momentum, dampening=0.0,
                           nesterov=(kind == "sgd-nesterov"), foreach=False)


def make_scheduler(case, optimizer, steps_per_epoch):
    s, k = case["schedule"], case["schedule"]["kind"]
    warmup = s["warmup_steps"]
    if warmup == 0:
        return make_base_scheduler(case, optimizer, steps_per_epoch)
    # Linear warm-up (t+1)/k for t < k: LinearLR from 1/k reaching 1 after k-1 steps,
    # multiplied into the schedule by ChainedScheduler; both step once per batch.
    assert k in ("constant", "cosine"), "warm-up is generated with per-batch schedules only"
    linear = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1.0 / warmup, end_factor=1.0,
                                               total_iters=warmup - 1)
    if k == "constant":
        return linear
    return torch.optim.lr_scheduler.ChainedScheduler(
        [linear, make_base_scheduler(case, optimizer, steps_per_epoch)], optimizer=optimizer)


def make_base_scheduler(case, optimizer, steps_per_epoch):
    s, alpha = case["schedule"], case["optimizer"]["lr"]
    k = s["kind"]
    if k == "constant":
        return None
    if k == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(s["every"]), gamma=s["factor"])
    if k == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=s["factor"])
    if k == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=case["epochs"] * steps_per_epoch, eta_min=s["minimum"] * alpha)
    if k == "warm-restarts":
        return torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            optimizer, T_0=int(s["t0"]), T_mult=int(s["t_mult"]), eta_min=s["minimum"] * alpha)
    raise ValueError(k)


def run_torch(case, x, y, lam_override=None):
    """Train with PyTorch; returns (initial params, list of step records)."""
    if lam_override is not None:
        case = dict(case, regularization=dict(case["regularization"], **{"lambda": lam_override}))
    r = case["regularization"]
    lam, penalty = r["lambda"], r["penalty"]
    layers, named = build_model(case)
    weights = [p for n, p in named if n.endswith(".weight")]
    biases = [p for n, p in named if n.endswith(".bias")]
    optimizer = make_optimizer(case, weights, biases)
    steps_per_epoch = math.ceil(N / BATCH)
    scheduler = make_scheduler(case, optimizer, steps_per_epoch)
    sk = case["schedule"]["kind"]
    per_batch = sk == "cosine" or case["schedule"]["warmup_steps"] > 0
    decoupled = penalty == "decoupled"
    sgdw = decoupled and case["optimizer"]["kind"].startswith("sgd")
    decayed = weights + (biases if r["include_biases"] else [])
    if case["task"] == "classification":
        criterion = torch.nn.CrossEntropyLoss()
        target = y
    else:
        criterion = torch.nn.MSELoss()
        target = y.unsqueeze(1)
    order = torch.Generator().manual_seed(case["seed"] * 7919 + 2)

    initial = {n: p.detach().clone().reshape(-1).tolist() for n, p in named}
    steps = []
    for e in range(case["epochs"]):
        perm = torch.randperm(N, generator=order)
        for i in range(steps_per_epoch):
            t = e * steps_per_epoch + i
            idx = perm[i * BATCH:(i + 1) * BATCH]
            if sk == "warm-restarts":
                with warnings.catch_warnings():
                    # The scheduler is driven before optimizer.step() on purpose.
                    warnings.filterwarnings("ignore", message=".*lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`.*")
                    scheduler.step(e + i / steps_per_epoch)
            lrs = [g["lr"] for g in optimizer.param_groups]
            assert lrs[0] == lrs[1], lrs
            lr_t = float(lrs[0])
            wd_t = torch_weight_decay(case, t, steps_per_epoch) if decoupled else 0.0
            if decoupled and not sgdw:
                optimizer.param_groups[0]["weight_decay"] = wd_t
                if r["include_biases"]:
                    optimizer.param_groups[1]["weight_decay"] = wd_t
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(forward(case, layers, x[idx]), target[idx])
            loss.backward()
            with torch.no_grad():
                if penalty == "l1" and lam != 0:
                    for w in decayed:
                        w.grad.add_(torch.sign(w), alpha=lam)
                if sgdw and lam != 0:
                    # SGDW as AdamW does it: theta *= 1 - lr_t*weight_decay, then the step.
                    for w in decayed:
                        w.mul_(1 - lr_t * wd_t)
            optimizer.step()
            steps.append({
                "step": t, "epoch": e, "indices": idx.tolist(), "lr": lr_t,
                "loss": loss.item(),
                "params": {n: p.detach().clone().reshape(-1).tolist() for n, p in named},
            })
            if per_batch:
                scheduler.step()
        if sk in ("step", "exponential"):
            scheduler.step()
    shapes = {n: list(p.shape) for n, p in named}
    return [n for n, _ in named], shapes, initial, steps


# ----------------------------------------------------------------------------
# Independent float64 reference (numpy, formulas of the update rules in the README)


def closed_form_lr(case, t, steps_per_epoch):
    warmup = case["schedule"]["warmup_steps"]
    factor = (t + 1) / warmup if t < warmup else 1.0
    return factor * closed_form_base_lr(case, t, steps_per_epoch)


def closed_form_base_lr(case, t, steps_per_epoch):
    s, alpha, E = case["schedule"], case["optimizer"]["lr"], case["epochs"]
    k, e = s["kind"], t // steps_per_epoch
    if k == "constant":
        return alpha
    if k == "step":
        return alpha * s["factor"] ** (e // int(s["every"]))
    if k == "exponential":  # staircase: gamma per whole epoch
        return alpha * s["factor"] ** e
    eta_min = s["minimum"] * alpha
    if k == "cosine":
        T = E * steps_per_epoch
        return eta_min + (alpha - eta_min) * (1 + math.cos(math.pi * t / T)) / 2
    if k == "warm-restarts":
        ep = t / steps_per_epoch
        start, Ti = 0.0, s["t0"]
        while ep >= start + Ti:
            start += Ti
            Ti *= s["t_mult"]
        return eta_min + (alpha - eta_min) * (1 + math.cos(math.pi * (ep - start) / Ti)) / 2
    raise ValueError(k)


def np_loss_and_grads(case, params, xb, yb, margins):
    L = len(layer_sizes(case)) - 1
    inputs, pre = [xb], []
    h = xb
    for l in range(L):
        z = h @ params[f"layer{l}.weight"].T + params[f"layer{l}.bias"]
        pre.append(z)
        if l < L - 1:
            if case["activation"] == "relu":
                margins.append(float(np.min(np.abs(z))))
                h = np.maximum(z, 0.0)
            else:
                h = np.tanh(z)
            inputs.append(h)
        else:
            h = z
    B = xb.shape[0]
    if case["task"] == "classification":
        zmax = h.max(axis=1, keepdims=True)
        logsum = np.log(np.exp(h - zmax).sum(axis=1, keepdims=True)) + zmax
        logp = h - logsum
        loss = -np.mean(logp[np.arange(B), yb])
        delta = np.exp(logp)
        delta[np.arange(B), yb] -= 1.0
        delta /= B
    else:
        r = h[:, 0] - yb
        loss = np.mean(r * r)
        delta = (2.0 * r / B)[:, None]
    grads = {}
    for l in reversed(range(L)):
        W = params[f"layer{l}.weight"]
        grads[f"layer{l}.weight"] = delta.T @ inputs[l]
        grads[f"layer{l}.bias"] = delta.sum(axis=0)
        if l > 0:
            dh = delta @ W
            z = pre[l - 1]
            delta = dh * (z > 0) if case["activation"] == "relu" else dh * (1.0 - np.tanh(z) ** 2)
    return loss, grads


def np_step(case, params, grads, state, t1, lr):
    """One update of every parameter; t1 is the 1-based step count, lr = alpha*eta_t."""
    o, r = case["optimizer"], case["regularization"]
    kind, lam, penalty = o["kind"], r["lambda"], r["penalty"]
    b1, b2, eps, mu = o["beta1"], o["beta2"], o["epsilon"], o["momentum"]
    eta = lr / o["lr"]
    new = {}
    for name, w in params.items():
        g = grads[name].copy()
        st = state.setdefault(name, {"m": np.zeros_like(w), "v": np.zeros_like(w),
                                     "vmax": np.zeros_like(w), "buf": np.zeros_like(w)})
        if name.endswith(".weight") or r["include_biases"]:
            if penalty == "l2":
                g = g + lam * w
            elif penalty == "l1":
                g = g + lam * np.sign(w)
            elif penalty == "decoupled":
                # The paper's form in every convention: theta -= eta_t*lambda_paper*theta
                # (torch's alpha*eta_t*lambda_torch is the same number).
                w = w * (1.0 - eta * paper_lambda(case, t1 - 1, math.ceil(N / BATCH)))
        if kind in ("adam", "amsgrad"):
            st["m"] = b1 * st["m"] + (1 - b1) * g
            st["v"] = b2 * st["v"] + (1 - b2) * g * g
            m_hat = st["m"] / (1 - b1 ** t1)
            if kind == "amsgrad":
                # PyTorch keeps the running max of the *uncorrected* v and divides by
                # the current bias correction: v̂ = max_{s≤t} v_s / (1 − β2^t).
                st["vmax"] = np.maximum(st["vmax"], st["v"])
                v_hat = st["vmax"] / (1 - b2 ** t1)
            else:
                v_hat = st["v"] / (1 - b2 ** t1)
            w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        else:
            if kind == "sgd":
                d = g
            else:
                st["buf"] = mu * st["buf"] + g
                d = g + mu * st["buf"] if kind == "sgd-nesterov" else st["buf"]
            w = w - lr * d
        new[name] = w
    return new


def scaled_err(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))


def max_rel_err(a, b, floor=1e-2):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))


def verify(case, x, y, order, shapes, initial, steps):
    """Replays the recorded batches with the numpy reference; raises on any mismatch."""
    spe = math.ceil(N / BATCH)
    xn = x.numpy().astype(np.float64)
    yn = y.numpy() if case["task"] == "classification" else y.numpy().astype(np.float64)
    # The reference starts from the recorded float32 initial values.
    params = {n: np.array(initial[n], dtype=np.float64).reshape(shapes[n]) for n in order}
    state, margins = {}, []
    worst_traj, worst_rel, worst_loss = 0.0, 0.0, 0.0
    for rec in steps:
        t = rec["step"]
        lr_ref = closed_form_lr(case, t, spe)
        assert abs(rec["lr"] - lr_ref) <= LR_REL_TOL * lr_ref, \
            f"{case['name']} step {t}: torch lr {rec['lr']!r} vs closed form {lr_ref!r}"
        idx = np.array(rec["indices"])
        loss, grads = np_loss_and_grads(case, params, xn[idx], yn[idx], margins)
        worst_loss = max(worst_loss, abs(rec["loss"] - loss) / max(abs(loss), 1e-3))
        if case["regularization"]["penalty"] == "l1":
            # sign(w) must not sit on a knife edge either.
            margins.append(min(float(np.min(np.abs(params[n]))) for n in order if n.endswith(".weight")))
        # The reference uses the closed-form lr, so the schedule is checked independently too.
        params = np_step(case, params, grads, state, t + 1, lr_ref)
        for n in order:
            err = scaled_err(rec["params"][n], params[n].reshape(-1))
            if t == 0:
                assert err <= FIRST_STEP_TOL, f"{case['name']} first step {n}: error {err:.3g}"
            worst_traj = max(worst_traj, err)
            worst_rel = max(worst_rel, max_rel_err(rec["params"][n], params[n].reshape(-1)))
    assert worst_loss <= 1e-5, f"{case['name']}: loss differs from reference by {worst_loss:.3g}"
    assert worst_traj <= TRAJECTORY_TOL, f"{case['name']}: trajectory differs by {worst_traj:.3g}"
    assert worst_rel <= REPLAY_REL_TOL, \
        f"{case['name']}: float32 rounding alone moves a parameter by {worst_rel:.3g} (relative); pick another seed"
    margin = min(margins) if margins else float("inf")
    assert margin >= MIN_RELU_MARGIN, \
        f"{case['name']}: a ReLU input or an L1-penalised weight came within {margin:.3g} of 0"
    return worst_traj, worst_rel, worst_loss, margin


# ----------------------------------------------------------------------------
# Output


def fixture(case, x, y, order, shapes, initial, steps):
    spe = math.ceil(N / BATCH)
    s = dict(case["schedule"])
    if s["kind"] in ("cosine", "warm-restarts"):
        s["eta_min"] = s["minimum"] * case["optimizer"]["lr"]  # absolute, as given to torch
    doc = {
        "name": case["name"],
        "description": case["description"],
        "task": case["task"],
    }
    if case["task"] == "classification":
        doc["classes"] = CLASSES
    doc.update({
        "features": D,
        "hidden": case["hidden"],
        "activation": case["activation"],
        "samples": N,
        "x": x.reshape(-1).tolist(),
        "y": y.tolist(),
        "batch_size": BATCH,
        "steps_per_epoch": spe,
        "epochs": case["epochs"],
        "seed": case["seed"],
        "optimizer": case["optimizer"],
        "regularization": case["regularization"],
        "schedule": s,
        "parameter_order": order,
        "shapes": shapes,
        "initial": initial,
        "steps": steps,
        "generator": {"script": "Tests/Golden/make_golden.py", "torch": torch.__version__},
    })
    return doc


def dumps(doc):
    """JSON with one top-level key per line and one step per line (stable, diffable)."""
    lines = []
    items = list(doc.items())
    for k, (key, value) in enumerate(items):
        comma = "," if k < len(items) - 1 else ""
        if key == "steps":
            lines.append(json.dumps(key) + ": [")
            for j, st in enumerate(value):
                lines.append("  " + json.dumps(st) + ("," if j < len(value) - 1 else ""))
            lines.append("]" + comma)
        else:
            lines.append(json.dumps(key) + ": " + json.dumps(value) + comma)
    text = "{\n" + "\n".join("  " + ln for ln in lines) + "\n}\n"
    json.loads(text)  # well-formed
    return text


def check_torch_version(force):
    version = torch.__version__
    base, _, local = version.partition("+")
    if base != EXPECTED_TORCH:
        msg = f"torch {version} found, fixtures are defined against {EXPECTED_TORCH}+cpu"
        if not force:
            sys.exit(f"error: {msg}; install it with `pip install torch=={EXPECTED_TORCH}+cpu` "
                     f"or rerun with --force")
        print(f"warning: {msg}; continuing because of --force", file=sys.stderr)
    elif local != "cpu":
        print(f"warning: torch {version} is not the +cpu build; results should match "
              f"(CPU kernels only) but were defined with {EXPECTED_TORCH}+cpu", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="run with another torch version")
    ap.add_argument("--out", default=OUT_DIR, help="output directory (default Tests/TrainingTests/Fixtures/golden)")
    ap.add_argument("--only", nargs="*", help="case names to generate (default all)")
    args = ap.parse_args()
    check_torch_version(args.force)

    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)

    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    selected = [c for c in CASES if not args.only or c["name"] in args.only]
    os.makedirs(args.out, exist_ok=True)
    for case in selected:
        x, y = make_data(case)
        order, shapes, initial, steps = run_torch(case, x, y)
        traj, rel, loss_err, margin = verify(case, x, y, order, shapes, initial, steps)
        effect = float("nan")
        if case["regularization"]["penalty"] != "none":
            _, _, _, free = run_torch(case, x, y, lam_override=0.0)
            effect = max(float(np.max(np.abs(np.array(steps[-1]["params"][n]) -
                                             np.array(free[-1]["params"][n])))) for n in order)
            assert effect >= MIN_PENALTY_EFFECT, \
                f"{case['name']}: the penalty moves the weights by only {effect:.3g}"
        text = dumps(fixture(case, x, y, order, shapes, initial, steps))
        path = os.path.join(args.out, case["name"] + ".json")
        with open(path, "w") as f:
            f.write(text)
        print(f"{case['name']:38s} steps {len(steps):2d}  vs float64: {traj:.1e} "
              f"(rel {rel:.1e}, loss {loss_err:.1e})  kink margin {margin:.1e}  "
              f"penalty effect {effect:.3g}  {len(text) // 1024} KB")


if __name__ == "__main__":
    main()
