#!/usr/bin/python3
"""Writes tests/fixtures/optim.json: parameters after each of N steps of
torch.optim optimizers on a fixed float64 problem, which
tests/optim/optimizer_fixture_test.cpp reproduces (rtol 1e-6).

Problem: loss = mean((p1 @ x - y)^2) + sum((p2 - 0.5)^2 * w).
Run from the repository root with Debian's python3-torch:
    tools/make_optim_fixtures.py
"""
import json
import os

import torch

torch.manual_seed(0)
D = torch.float64
X, Y, W = torch.randn(4, 5, dtype=D), torch.randn(3, 5, dtype=D), torch.rand(4, dtype=D) + 0.5
P1, P2 = torch.randn(3, 4, dtype=D), torch.randn(4, dtype=D)
STEPS = 6

CONFIGS = [
    ("sgd", "SGD", {"lr": 0.1}),
    ("sgd_momentum_dampening_wd", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("sgd_nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adam", "Adam", {"lr": 0.01}),
    ("adam_amsgrad_wd_betas", "Adam", {"lr": 0.02, "betas": (0.8, 0.9), "weight_decay": 0.1, "amsgrad": True}),
    ("adamw", "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("adamw_amsgrad", "AdamW", {"lr": 0.01, "amsgrad": True}),
    ("rmsprop", "RMSprop", {"lr": 0.01}),
    ("rmsprop_centered_momentum_wd", "RMSprop",
     {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.9, "weight_decay": 0.01}),
    ("adagrad", "Adagrad", {"lr": 0.1}),
    ("adagrad_decay_wd_init", "Adagrad",
     {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1}),
]


def enc(t):
    return {"dtype": "float64", "shape": list(t.shape), "data": t.detach().reshape(-1).tolist()}


def run(cls, groups):
    p1, p2 = P1.clone().requires_grad_(), P2.clone().requires_grad_()
    params = {"p1": p1, "p2": p2}
    if len(groups) == 1:  # options as constructor arguments (Adagrad reads its initial accumulator there)
        opt = cls([params[n] for n in groups[0][0]], **groups[0][1])
    else:
        opt = cls([{"params": [params[n] for n in names], **kw} for names, kw in groups])
    trace = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = ((p1 @ X - Y) ** 2).mean() + ((p2 - 0.5) ** 2 * W).sum()
        loss.backward()
        opt.step()
        trace.append({"p1": enc(p1), "p2": enc(p2)})
    return trace


def main():
    cases = []
    for name, cls_name, kw in CONFIGS:
        cls = getattr(torch.optim, cls_name)
        opts = dict(kw)
        if "betas" in opts:
            opts["betas"] = list(opts["betas"])
        cases.append({"name": name, "optimizer": cls_name, "groups": [{"params": ["p1", "p2"], "options": opts}],
                      "trace": run(cls, [(["p1", "p2"], kw)])})
    groups = [(["p1"], {"lr": 0.1}), (["p2"], {"lr": 0.02, "momentum": 0.5})]
    cases.append({"name": "sgd_two_groups", "optimizer": "SGD",
                  "groups": [{"params": n, "options": o} for n, o in groups],
                  "trace": run(torch.optim.SGD, groups)})
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "tests", "fixtures", "optim.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/make_optim_fixtures.py", "torch_version": torch.__version__,
                   "problem": {"x": enc(X), "y": enc(Y), "w": enc(W), "p1": enc(P1), "p2": enc(P2)},
                   "cases": cases}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.relpath(path, root)} ({os.path.getsize(path) // 1024} KiB)")


if __name__ == "__main__":
    main()
