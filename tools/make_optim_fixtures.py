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


SCHEDULERS = [
    ("step", [("StepLR", {"step_size": 3, "gamma": 0.5})]),
    ("multistep", [("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3})]),
    ("exponential", [("ExponentialLR", {"gamma": 0.9})]),
    ("linear_warmup", [("LinearLR", {"start_factor": 0.2, "end_factor": 1.0, "total_iters": 6})]),
    ("cosine", [("CosineAnnealingLR", {"T_max": 8, "eta_min": 0.001})]),
    ("onecycle_cos", [("OneCycleLR", {"max_lr": 0.5, "total_steps": 24})]),
    ("onecycle_linear_three_phase", [("OneCycleLR", {"max_lr": 0.5, "total_steps": 24, "anneal_strategy": "linear",
                                                     "three_phase": True})]),
    ("cyclic_triangular", [("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4})]),
    ("cyclic_triangular2", [("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "step_size_down": 5,
                                          "mode": "triangular2"})]),
    ("cyclic_exp_range", [("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "mode": "exp_range",
                                        "gamma": 0.95})]),
    ("onecycle_no_momentum", [("OneCycleLR", {"max_lr": 0.5, "total_steps": 24, "cycle_momentum": False})]),
    ("adam_onecycle", [("OneCycleLR", {"max_lr": 0.05, "total_steps": 24})]),
    ("chained_warmup_exponential", [("LinearLR", {"start_factor": 0.5, "total_iters": 4}),
                                    ("ExponentialLR", {"gamma": 0.9})]),
]
PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9]


def schedulers():
    out = []
    for name, chain in SCHEDULERS:
        p = torch.zeros(2, requires_grad=True)
        adam = name.startswith("adam")
        opt = torch.optim.Adam([p], lr=0.1) if adam else torch.optim.SGD([p], lr=0.1, momentum=0.9)
        scheds = [getattr(torch.optim.lr_scheduler, kind)(opt, **kw) for kind, kw in chain]
        momentum = lambda: opt.param_groups[0]["betas"][0] if adam else opt.param_groups[0]["momentum"]
        lrs, moms = [opt.param_groups[0]["lr"]], [momentum()]
        for _ in range(23):
            opt.step()
            for s in scheds:
                s.step()
            lrs.append(opt.param_groups[0]["lr"])
            moms.append(momentum())
        out.append({"name": name, "optimizer": "Adam" if adam else "SGD",
                    "chain": [{"kind": k, "kwargs": kw} for k, kw in chain], "lrs": lrs, "momentums": moms})
    for kw in ({"patience": 2}, {"mode": "max", "factor": 0.5, "patience": 1, "cooldown": 2, "threshold": 0.01,
                                  "threshold_mode": "abs", "min_lr": 0.02}):
        p = torch.zeros(2, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
        lrs = []
        for m in PLATEAU_METRICS:
            s.step(m)
            lrs.append(opt.param_groups[0]["lr"])
        out.append({"name": "plateau_" + "_".join(f"{k}{v}" for k, v in kw.items()),
                    "chain": [{"kind": "ReduceLROnPlateau", "kwargs": kw}], "metrics": PLATEAU_METRICS, "lrs": lrs})
    return out


def clipping():
    out = []
    for norm_type in (2.0, 1.0, float("inf")):
        g1, g2 = torch.randn(3, 4, dtype=D), torch.randn(5, dtype=D)
        p1, p2 = torch.zeros(3, 4, dtype=D, requires_grad=True), torch.zeros(5, dtype=D, requires_grad=True)
        p1.grad, p2.grad = g1.clone(), g2.clone()
        total = torch.nn.utils.clip_grad_norm_([p1, p2], 0.7, norm_type=norm_type)
        out.append({"norm_type": "inf" if norm_type == float("inf") else norm_type, "max_norm": 0.7,
                    "grads": [enc(g1), enc(g2)], "total": total.item(), "clipped": [enc(p1.grad), enc(p2.grad)]})
    return out


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
                   "cases": cases, "schedulers": schedulers(), "clipping": clipping()}, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.relpath(path, root)} ({os.path.getsize(path) // 1024} KiB)")


if __name__ == "__main__":
    main()
