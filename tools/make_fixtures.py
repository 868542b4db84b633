#!/usr/bin/python3
"""Writes tests/fixtures/ops.json: PyTorch's forward values and input
gradients for every spool op, which tests/ops/fixture_test.cpp compares
against (rtol 1e-5 in float32).

Run from the repository root with Debian's python3-torch (`tools/setup --torch`):
    tools/make_fixtures.py
Each case records the op name and its non-tensor arguments, the inputs, which
inputs require grad, the outputs, a random upstream gradient per output, and
d(sum(outputs * upstream))/d(input). Tensors are {"dtype", "shape", "data"}
with data flat in row-major order; 0-dim results have shape []. Inputs come
from torch.manual_seed(0), so reruns give the same file. Inputs of ops with
kinks (abs, relu, clamp, l1_loss, max/min) are kept away from them.
"""
import collections
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)
CASES = []


def encode(t):
    t = t.detach()
    dtype = {torch.float32: "float32", torch.float64: "float64",
             torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    data = t.reshape(-1).tolist()
    return {"dtype": dtype, "shape": list(t.shape), "data": data}


def case(name, op, fn, inputs, kwargs=None, grad=None):
    """Runs fn(*inputs, **kwargs) and records outputs and input gradients.
    `grad` lists which inputs require grad (default: every floating input)."""
    kwargs = kwargs or {}
    if grad is None:
        grad = [t.is_floating_point() for t in inputs]
    leaves = [t.detach().clone().requires_grad_(g) for t, g in zip(inputs, grad)]
    out = fn(*leaves, **kwargs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    # Integer and bool results (comparisons, integer arithmetic) get no gradient.
    upstream = [torch.randn(o.shape, dtype=o.dtype) if o.is_floating_point() else torch.zeros_like(o)
                for o in outs]
    diff = [(o, u) for o, u in zip(outs, upstream) if o.requires_grad]
    if diff:
        torch.autograd.backward([o for o, _ in diff], [u for _, u in diff])
    grads = []
    for t, g in zip(leaves, grad):
        grads.append(encode(t.grad if t.grad is not None else torch.zeros_like(t)) if g else None)
    CASES.append({"name": name, "op": op, "kwargs": kwargs,
                  "inputs": [encode(t) for t in inputs], "requires_grad": grad,
                  "outputs": [encode(o) for o in outs],
                  "upstream": [encode(u) for u in upstream], "grads": grads})


def away_from(x, points, margin=0.1):
    """Moves every value of x that lies within `margin` of one of `points`
    (kinks of abs, relu, clamp, ...) to 2 * margin on the same side."""
    for p in points:
        d = x - p
        side = torch.where(d >= 0, torch.ones_like(d), -torch.ones_like(d))
        x = torch.where(d.abs() < margin, p + 2 * margin * side, x)
    return x


def away_from_zero(*shape, margin=0.1):
    return away_from(torch.randn(*shape), [0.0], margin)


def positive(*shape):
    return torch.rand(*shape) * 1.5 + 0.5


BINARY_SHAPES = {"same": ([3, 4], [3, 4]), "row": ([3, 4], [4]),
                 "column": ([3, 1], [1, 4]), "3d": ([2, 1, 3], [4, 1])}


def elementwise():
    ops = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
    for op, fn in ops.items():
        for label, (sa, sb) in BINARY_SHAPES.items():
            b = positive(*sb) if op == "div" else torch.randn(*sb)
            case(f"{op}_{label}", op, fn, [torch.randn(*sa), b])
    scalar_ops = {"add_scalar": lambda a, other: a + other, "sub_scalar": lambda a, other: a - other,
                  "mul_scalar": lambda a, other: a * other, "div_scalar": lambda a, other: a / other,
                  "rsub_scalar": lambda a, other: other - a, "rdiv_scalar": lambda a, other: other / a}
    for op, fn in scalar_ops.items():
        a = positive(3, 4) if op == "rdiv_scalar" else torch.randn(3, 4)
        case(op, op, fn, [a], {"other": 1.75})
    case("neg", "neg", torch.neg, [torch.randn(3, 4)])
    case("exp", "exp", torch.exp, [torch.randn(3, 4)])
    case("log", "log", torch.log, [positive(3, 4)])
    case("sqrt", "sqrt", torch.sqrt, [positive(3, 4)])
    case("abs", "abs", torch.abs, [away_from_zero(3, 4)])
    case("sigmoid", "sigmoid", torch.sigmoid, [torch.randn(3, 4)])
    case("tanh", "tanh", torch.tanh, [torch.randn(3, 4)])
    case("relu", "relu", torch.relu, [away_from_zero(3, 4)])
    for e in (2.0, 0.5, -1.5, 3.0):
        case(f"pow_scalar_{e}", "pow_scalar", lambda a, exponent: a.pow(exponent), [positive(3, 4)],
             {"exponent": e})
    for label, (sa, sb) in BINARY_SHAPES.items():
        case(f"pow_{label}", "pow", torch.pow, [positive(*sa), torch.randn(*sb)])
    x = away_from(torch.randn(3, 4) * 1.5, [-0.5, 0.5])
    for label, lo, hi in (("both", -0.5, 0.5), ("min", -0.5, None), ("max", None, 0.5)):
        case(f"clamp_{label}", "clamp", lambda a, min, max: torch.clamp(a, min, max), [x],
             {"min": lo, "max": hi})
    case("leaky_relu", "leaky_relu", lambda a, negative_slope: F.leaky_relu(a, negative_slope),
         [away_from_zero(3, 4)], {"negative_slope": 0.2})
    for approx in ("none", "tanh"):
        case(f"gelu_{approx}", "gelu", lambda a, approximate: F.gelu(a, approximate=approximate),
             [torch.randn(3, 4) * 2], {"approximate": approx})
    for op, fn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        for shape in ([3, 5], [2, 3, 4]):
            for dim in (0, 1, -1):
                case(f"{op}_{'x'.join(map(str, shape))}_dim{dim}", op, lambda a, dim: fn(a, dim),
                     [torch.randn(*shape) * 2], {"dim": dim})
    cond = torch.rand(3, 4) > 0.5
    case("where_broadcast", "where", torch.where, [cond, torch.randn(3, 4), torch.randn(4)])
    mask = torch.tensor([[True, False, True, False]])
    case("masked_fill_broadcast", "masked_fill", lambda a, m, value: a.masked_fill(m, value),
         [torch.randn(3, 4), mask], {"value": -2.5})


def reductions():
    for op in ("sum", "mean"):
        fn = getattr(torch, op)
        case(f"{op}_all", op, lambda a, dim, keepdim: fn(a), [torch.randn(3, 4)], {"dim": None, "keepdim": False})
        for dim in (0, 1, -1):
            for keep in (False, True):
                case(f"{op}_dim{dim}_keep{keep}", op, lambda a, dim, keepdim: fn(a, dim, keepdim),
                     [torch.randn(2, 3, 4)], {"dim": dim, "keepdim": keep})
    for op in ("max", "min"):
        fn = getattr(torch, op)
        # distinct values: no ties
        distinct = lambda *s: (torch.randperm(math.prod(s)).float() / 7.0).reshape(*s)
        case(f"{op}_all", op, lambda a, dim, keepdim: fn(a), [distinct(3, 4)], {"dim": None, "keepdim": False})
        for dim in (0, 1, -1):
            for keep in (False, True):
                case(f"{op}_dim{dim}_keep{keep}", op, lambda a, dim, keepdim: fn(a, dim, keepdim)[0],
                     [distinct(3, 4)], {"dim": dim, "keepdim": keep})


def products():
    for label, sa, sb in (("2d", [3, 4], [4, 5]), ("batched", [2, 3, 4], [2, 4, 5]),
                          ("broadcast_2d_rhs", [2, 3, 4], [4, 5]), ("broadcast_batch", [1, 3, 4], [2, 4, 2]),
                          ("vector_lhs", [4], [4, 5]), ("vector_rhs", [3, 4], [4])):
        case(f"matmul_{label}", "matmul", torch.matmul, [torch.randn(*sa), torch.randn(*sb)])
    case("matmul_2d_float64", "matmul", torch.matmul,
         [torch.randn(3, 4, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64)])
    for shape in ([3, 4], [2, 3, 4]):
        case(f"linear_{len(shape)}d", "linear", F.linear, [torch.randn(*shape), torch.randn(5, 4), torch.randn(5)])
    case("linear_no_bias", "linear", F.linear, [torch.randn(3, 4), torch.randn(5, 4)])
    for bshape in ([5], [3, 5]):
        case(f"addmm_bias{len(bshape)}d", "addmm", lambda c, a, b, beta, alpha: torch.addmm(c, a, b, beta=beta, alpha=alpha),
             [torch.randn(*bshape), torch.randn(3, 4), torch.randn(4, 5)], {"beta": 0.5, "alpha": 2.0})


def shapes():
    x = lambda: torch.randn(2, 3, 4)
    case("transpose", "transpose", lambda a, dim0, dim1: a.transpose(dim0, dim1), [x()], {"dim0": 0, "dim1": 2})
    case("permute", "permute", lambda a, dims: a.permute(dims), [x()], {"dims": [2, 0, 1]})
    case("reshape", "reshape", lambda a, shape: a.reshape(shape), [x()], {"shape": [4, -1]})
    case("narrow", "narrow", lambda a, dim, start, length: a.narrow(dim, start, length), [x()],
         {"dim": 2, "start": 1, "length": 2})
    def slice_fn(a, dim, start, end, step):
        index = [slice(None)] * a.dim()
        index[dim] = slice(start, end, step)
        return a[tuple(index)]
    case("slice_step2", "slice", slice_fn, [torch.randn(5, 3)], {"dim": 0, "start": 0, "end": 5, "step": 2})
    case("slice_dim1", "slice", slice_fn, [torch.randn(2, 6)], {"dim": 1, "start": 1, "end": 5, "step": 1})
    case("select", "select", lambda a, dim, index: a.select(dim, index), [x()], {"dim": 1, "index": 2})
    case("select_negative", "select", lambda a, dim, index: a.select(dim, index), [x()], {"dim": 2, "index": -1})
    case("index_select", "index_select", lambda a, i, dim: a.index_select(dim, i),
         [torch.randn(4, 3), torch.tensor([2, 0, 2])], {"dim": 0})
    case("gather", "gather", lambda a, i, dim: a.gather(dim, i),
         [torch.randn(3, 4), torch.tensor([[0, 3], [1, 1], [2, 0]])], {"dim": 1})
    case("cat_dim1", "cat", lambda a, b, c, dim: torch.cat([a, b, c], dim),
         [torch.randn(2, 3), torch.randn(2, 1), torch.randn(2, 2)], {"dim": 1})
    case("cat_dim0", "cat", lambda a, b, c, dim: torch.cat([a, b, c], dim),
         [torch.randn(1, 3), torch.randn(2, 3), torch.randn(2, 3)], {"dim": 0})
    case("stack", "stack", lambda a, b, dim: torch.stack([a, b], dim),
         [torch.randn(2, 3), torch.randn(2, 3)], {"dim": 1})
    case("split_uneven", "split", lambda a, split_size, dim: a.split(split_size, dim),
         [torch.randn(5, 3)], {"split_size": 2, "dim": 0})
    case("chunk", "chunk", lambda a, chunks, dim: a.chunk(chunks, dim),
         [torch.randn(2, 7)], {"chunks": 3, "dim": 1})
    case("squeeze_all", "squeeze", lambda a, dim: a.squeeze(), [torch.randn(3, 1, 4, 1)], {"dim": None})
    case("squeeze_dim", "squeeze", lambda a, dim: a.squeeze(dim), [torch.randn(3, 1, 4)], {"dim": 1})
    case("unsqueeze", "unsqueeze", lambda a, dim: a.unsqueeze(dim), [torch.randn(3, 4)], {"dim": -1})
    case("expand", "expand", lambda a, sizes: a.expand(sizes), [torch.randn(3, 1)], {"sizes": [2, 3, -1]})
    case("expand_inner", "expand", lambda a, sizes: a.expand(sizes), [torch.randn(3, 1)], {"sizes": [3, 4]})


def nn():
    idx = torch.tensor([[1, 3, 1, 0], [5, 3, 2, 2]])
    for pad in (None, 3):
        case(f"embedding_pad{pad}", "embedding", lambda w, i, padding_idx: F.embedding(i, w, padding_idx=padding_idx),
             [torch.randn(6, 3), idx], {"padding_idx": pad})
    case("layer_norm_affine", "layer_norm",
         lambda x, w, b, normalized_shape, eps: F.layer_norm(x, normalized_shape, w, b, eps),
         [torch.randn(3, 5) * 2 + 1, torch.randn(5), torch.randn(5)], {"normalized_shape": [5], "eps": 1e-5})
    case("layer_norm_2dims", "layer_norm",
         lambda x, w, b, normalized_shape, eps: F.layer_norm(x, normalized_shape, w, b, eps),
         [torch.randn(2, 3, 4), torch.randn(3, 4), torch.randn(3, 4)], {"normalized_shape": [3, 4], "eps": 1e-5})
    case("layer_norm_no_affine", "layer_norm",
         lambda x, normalized_shape, eps: F.layer_norm(x, normalized_shape, eps=eps),
         [torch.randn(3, 5)], {"normalized_shape": [5], "eps": 1e-5})
    case("dropout_eval", "dropout", lambda a, p, training: F.dropout(a, p, training), [torch.randn(3, 4)],
         {"p": 0.5, "training": False})


def losses():
    for r in ("mean", "sum", "none"):
        case(f"mse_loss_{r}", "mse_loss", lambda a, t, reduction: F.mse_loss(a, t, reduction=reduction),
             [torch.randn(3, 4), torch.randn(3, 4)], {"reduction": r}, grad=[True, False])
        target = torch.randn(3, 4)
        case(f"l1_loss_{r}", "l1_loss", lambda a, t, reduction: F.l1_loss(a, t, reduction=reduction),
             [target + away_from_zero(3, 4), target], {"reduction": r}, grad=[True, False])
        ce = lambda a, t, reduction, ignore_index, label_smoothing: F.cross_entropy(
            a, t, reduction=reduction, ignore_index=ignore_index, label_smoothing=label_smoothing)
        target = torch.tensor([1, 2, 4, 2])
        for label, ignore, smooth in (("plain", -100, 0.0), ("ignore", 2, 0.0), ("smooth", -100, 0.1),
                                      ("smooth_ignore", 2, 0.1)):
            case(f"cross_entropy_{label}_{r}", "cross_entropy", ce, [torch.randn(4, 5), target],
                 {"reduction": r, "ignore_index": ignore, "label_smoothing": smooth})
        case(f"cross_entropy_spatial_{r}", "cross_entropy", ce,
             [torch.randn(2, 5, 3), torch.tensor([[0, 4, 2], [1, 1, 3]])],
             {"reduction": r, "ignore_index": -100, "label_smoothing": 0.0})
        nll = lambda a, t, reduction, ignore_index: F.nll_loss(a, t, reduction=reduction, ignore_index=ignore_index)
        for label, ignore in (("plain", -100), ("ignore", 1)):
            case(f"nll_loss_{label}_{r}", "nll_loss", nll,
                 [torch.log_softmax(torch.randn(4, 5), 1), torch.tensor([0, 3, 3, 1])],
                 {"reduction": r, "ignore_index": ignore})
        case(f"binary_cross_entropy_{r}", "binary_cross_entropy",
             lambda a, t, reduction: F.binary_cross_entropy(a, t, reduction=reduction),
             [torch.rand(3, 4) * 0.9 + 0.05, torch.rand(3, 4)], {"reduction": r}, grad=[True, False])
        bce = lambda a, t, reduction, pos_weight: F.binary_cross_entropy_with_logits(
            a, t, reduction=reduction, pos_weight=None if pos_weight is None else torch.tensor(pos_weight))
        for pw in (None, [0.5, 2.0, 1.0, 3.0]):
            case(f"bce_with_logits_{'pw' if pw else 'plain'}_{r}", "binary_cross_entropy_with_logits", bce,
                 [torch.randn(3, 4) * 2, torch.rand(3, 4)], {"reduction": r, "pos_weight": pw}, grad=[True, False])


def float64():
    d = torch.float64
    case("tanh_float64", "tanh", torch.tanh, [torch.randn(3, 4, dtype=d)])
    case("softmax_float64", "softmax", lambda a, dim: torch.softmax(a, dim), [torch.randn(3, 5, dtype=d)], {"dim": 1})
    case("cross_entropy_float64", "cross_entropy",
         lambda a, t, reduction, ignore_index, label_smoothing: F.cross_entropy(
             a, t, reduction=reduction, ignore_index=ignore_index, label_smoothing=label_smoothing),
         [torch.randn(4, 5, dtype=d), torch.tensor([0, 1, 4, 2])],
         {"reduction": "mean", "ignore_index": -100, "label_smoothing": 0.1})


MAX_ELEMENTS = 60
MAX_BYTES = 400 * 1024


def validate(cases):
    """Checks the invariants the C++ side relies on before anything is written."""
    names = collections.Counter(c["name"] for c in cases)
    dupes = [n for n, k in names.items() if k > 1]
    assert not dupes, f"duplicate case names: {dupes}"
    for c in cases:
        where = c["name"]
        n = len(c["inputs"])
        assert len(c["requires_grad"]) == n == len(c["grads"]), where
        assert len(c["upstream"]) == len(c["outputs"]), where
        for t, g, grad in zip(c["inputs"], c["requires_grad"], c["grads"]):
            assert not g or t["dtype"] in ("float32", "float64"), f"{where}: grad on {t['dtype']}"
            assert (grad is None) == (not g), where
            assert grad is None or (grad["shape"] == t["shape"] and grad["dtype"] == t["dtype"]), where
        for o, u in zip(c["outputs"], c["upstream"]):
            assert o["shape"] == u["shape"] and o["dtype"] == u["dtype"], where
        for t in c["inputs"] + c["outputs"] + c["upstream"] + [g for g in c["grads"] if g]:
            assert len(t["data"]) == math.prod(t["shape"]) <= MAX_ELEMENTS, f"{where}: {t['shape']}"
            assert all(math.isfinite(v) for v in t["data"] if isinstance(v, float)), f"{where}: non-finite"


def pointwise():
    """Fused pointwise expressions (spool::Pointwise); the C++ side builds the
    same expressions, named by op."""
    def lstm_state(gates, c):
        i, f, g, _ = gates.chunk(4, -1)
        return torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)

    def lstm_output(gates, c):
        return torch.sigmoid(gates.chunk(4, -1)[3]) * torch.tanh(c)

    def gru(x, h_proj, h):
        xr, xz, xn = x.chunk(3, -1)
        hr, hz, hn = h_proj.chunk(3, -1)
        r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return n + z * (h - n)

    def mix(a, b):  # every instruction, a constant, and a broadcast input
        return torch.exp(-a) / (b + 2) - torch.relu(a) * torch.log(b) + 3 - 0.5 * a

    case("pointwise_lstm_state", "pointwise_lstm_state", lstm_state, [torch.randn(3, 16), torch.randn(3, 4)])
    case("pointwise_lstm_output", "pointwise_lstm_output", lstm_output, [torch.randn(3, 16), torch.randn(3, 4)])
    case("pointwise_gru", "pointwise_gru", gru, [torch.randn(2, 15), torch.randn(2, 15), torch.randn(2, 5)])
    case("pointwise_mix", "pointwise_mix", mix, [away_from_zero(2, 3, 4), positive(4)])


def products_more():
    """Later product cases (appended last, so earlier cases keep their inputs)."""
    # A bias per row (a recurrent step's input projection; torch takes it on 2-D input).
    case("linear_row_bias", "linear", F.linear, [torch.randn(3, 4), torch.randn(5, 4), torch.randn(3, 5)])


def promotion():
    """Mixed dtypes (appended last): PyTorch's type promotion and each input's
    gradient in its own dtype. Scalars keep their Python type in kwargs (3 vs
    2.5), which decides the result dtype with an integer tensor."""
    d = torch.float64
    case("promote_add_int64_float32", "add", torch.add, [torch.randint(-5, 5, (3, 4)), torch.randn(4)])
    case("promote_mul_float32_float64", "mul", torch.mul, [torch.randn(3, 4), torch.randn(3, 4, dtype=d)])
    case("promote_sub_float32_0dim_float64", "sub", torch.sub, [torch.randn(3), torch.tensor(2.5, dtype=d)])
    case("promote_add_int64_0dim_float64", "add", torch.add, [torch.randint(-5, 5, (3,)), torch.tensor(0.25, dtype=d)])
    case("promote_div_int64_int64", "div", torch.div, [torch.randint(-9, 9, (3, 4)), torch.randint(1, 5, (4,))])
    case("promote_div_float32_int64", "div", torch.div, [torch.randn(3, 4), torch.randint(1, 5, (3, 4))])
    case("promote_mul_int64_float_scalar", "mul_scalar", lambda a, other: a * other,
         [torch.randint(-5, 5, (3, 4))], {"other": 2.5})
    case("promote_add_int64_int_scalar", "add_scalar", lambda a, other: a + other,
         [torch.randint(-5, 5, (3, 4))], {"other": 3})
    case("promote_div_int64_int_scalar", "div_scalar", lambda a, other: a / other,
         [torch.randint(-5, 5, (3, 4))], {"other": 2})
    case("promote_rsub_int_scalar_int64", "rsub_scalar", lambda a, other: other - a,
         [torch.randint(-5, 5, (3, 4))], {"other": 1})
    case("promote_rdiv_int_scalar_int64", "rdiv_scalar", lambda a, other: other / a,
         [torch.randint(1, 5, (3, 4))], {"other": 6})
    case("promote_sub_float64_int_scalar", "sub_scalar", lambda a, other: a - other,
         [torch.randn(3, 4, dtype=d)], {"other": 1})
    case("promote_lt_int64_float32", "lt", torch.lt, [torch.randint(-3, 3, (5,)), torch.randn(5)], grad=[False, False])
    case("promote_lt_int64_float_scalar", "lt_scalar", lambda a, other: a < other,
         [torch.randint(-3, 3, (6,))], {"other": 0.5})
    case("promote_where_float32_float64", "where", torch.where,
         [torch.rand(3, 4) > 0.5, torch.randn(3, 4), torch.randn(4, dtype=d)])
    case("promote_pow_float32_int64", "pow", torch.pow, [positive(3), torch.randint(0, 3, (3,))])


def sequences():
    """torch.nn.utils.rnn's list helpers (appended last): padding a list of
    sequences (gradients back to each) and packing it (layout and gradients)."""
    from torch.nn.utils.rnn import pack_sequence, pad_sequence

    def packed(*xs, enforce_sorted):
        p = pack_sequence(list(xs), enforce_sorted=enforce_sorted)
        order = p.sorted_indices if p.sorted_indices is not None else torch.arange(len(xs))
        inverse = p.unsorted_indices if p.unsorted_indices is not None else torch.arange(len(xs))
        return p.data, p.batch_sizes, order, inverse

    case("pad_sequence_time_major", "pad_sequence",
         lambda *xs, batch_first, padding_value: pad_sequence(list(xs), batch_first, padding_value),
         [torch.randn(3, 2), torch.randn(1, 2), torch.randn(4, 2)], {"batch_first": False, "padding_value": 0.0})
    case("pad_sequence_batch_first_value", "pad_sequence",
         lambda *xs, batch_first, padding_value: pad_sequence(list(xs), batch_first, padding_value),
         [torch.randn(2, 3, 2), torch.randn(5, 3, 2)], {"batch_first": True, "padding_value": -1.5})
    case("pack_sequence_unsorted", "pack_sequence", packed,
         [torch.randn(2, 3), torch.randn(4, 3), torch.randn(1, 3)], {"enforce_sorted": False})
    case("pack_sequence_sorted", "pack_sequence", packed,
         [torch.randn(4, 2), torch.randn(2, 2), torch.randn(2, 2)], {"enforce_sorted": True})


def powers():
    """Integer tensors to scalar powers (appended last): int64 ** 3 stays
    int64, int64 ** 0.5 is float32."""
    case("pow_scalar_int64_int", "pow_scalar", lambda a, exponent: a.pow(exponent),
         [torch.randint(-4, 5, (3, 4))], {"exponent": 3})
    case("pow_scalar_int64_float", "pow_scalar", lambda a, exponent: a.pow(exponent),
         [torch.randint(0, 9, (3, 4))], {"exponent": 0.5})


def batched():
    """Batched products and flip (appended last): bmm, baddbmm with a full
    and a broadcast bias, and flip over one and two dims. (baddbmm with
    beta = 0 is tested in C++: this torch build sometimes reads its
    uninitialized result there and returns NaN.)"""
    case("bmm", "bmm", torch.bmm, [torch.randn(2, 3, 4), torch.randn(2, 4, 5)])
    case("bmm_float64", "bmm", torch.bmm,
         [torch.randn(3, 2, 3, dtype=torch.float64), torch.randn(3, 3, 2, dtype=torch.float64)])
    baddbmm = lambda c, a, b, beta, alpha: torch.baddbmm(c, a, b, beta=beta, alpha=alpha)
    case("baddbmm_full_bias", "baddbmm", baddbmm, [torch.randn(2, 3, 5), torch.randn(2, 3, 4), torch.randn(2, 4, 5)],
         {"beta": 1.0, "alpha": 1.0})
    case("baddbmm_broadcast_bias", "baddbmm", baddbmm,
         [torch.randn(2, 1, 5), torch.randn(2, 3, 4), torch.randn(2, 4, 5)], {"beta": 0.5, "alpha": 2.0})
    case("flip_dim0", "flip", lambda a, dims: torch.flip(a, dims), [torch.randn(4, 2, 3)], {"dims": [0]})
    case("flip_two_dims", "flip", lambda a, dims: torch.flip(a, dims), [torch.randn(4, 2, 3)], {"dims": [-1, 1]})


def packed():
    """linear with a packed weight (appended last): PyTorch's linear is the
    reference. Within the 60-element limit: 8 rows per register block (with
    AVX-512) and a remainder, a partial panel, two float64 panels (16 columns
    each with AVX-512; float32 panels, 32 columns, are crossed in
    tests/framework/core/packed_matrix_test.cpp), a single row, input of rank 3,
    a per-row bias."""
    case("linear_packed_blocks", "linear_packed", F.linear, [torch.randn(9, 4), torch.randn(6, 4), torch.randn(6)])
    d = torch.float64
    case("linear_packed_float64_panels", "linear_packed", F.linear,
         [torch.randn(3, 2, dtype=d), torch.randn(17, 2, dtype=d), torch.randn(17, dtype=d)])
    case("linear_packed_one_row", "linear_packed", F.linear, [torch.randn(1, 20), torch.randn(3, 20), torch.randn(3)])
    case("linear_packed_3d_no_bias", "linear_packed", F.linear, [torch.randn(2, 3, 4), torch.randn(5, 4)])
    case("linear_packed_row_bias", "linear_packed", F.linear,
         [torch.randn(3, 6), torch.randn(5, 6), torch.randn(3, 5)])


def views():
    """Views whose gradients the engine places without a node, and a fused
    expression with two results (appended last). view_chain reads a slice
    with a step through a select (placements composed), a slice of that
    slice, and a select along dim 1 (a product placed into strided rows);
    lstm_cell returns (h', c') from one call, as spool's LSTM layers do, and
    after_linear runs it on a product in the same op."""
    def view_chain(x, w):
        a = x[1:4:2]
        return a[1] @ w, torch.tanh(a[:, 1:3]), x[:, 0] @ w

    def lstm_cell(gates, c):
        i, f, g, o = gates.chunk(4, -1)
        c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c2), c2

    case("view_chain", "view_chain", view_chain, [torch.randn(4, 3, 5), torch.randn(5, 2)])
    case("pointwise_lstm_cell", "pointwise_lstm_cell", lstm_cell, [torch.randn(3, 16), torch.randn(3, 4)])
    # A recurrent step as spool's layers run it: the cell after the product
    # h W_hh^T + x_proj (Pointwise::after_linear, packed weight, row bias).
    case("pointwise_after_linear", "pointwise_after_linear",
         lambda h, w, x_proj, c: lstm_cell(F.linear(h, w, x_proj), c),
         [torch.randn(2, 3), torch.randn(12, 3), torch.randn(2, 12), torch.randn(2, 3)])


def surface():
    """The tensor surface a PyTorch user reaches for (written to ops_surface.json)."""
    case("sin", "sin", torch.sin, [torch.randn(3, 4)])
    case("cos", "cos", torch.cos, [torch.randn(3, 4)])
    case("reciprocal", "reciprocal", torch.reciprocal, [positive(3, 4)])
    case("rsqrt", "rsqrt", torch.rsqrt, [positive(3, 4)])
    case("log1p", "log1p", torch.log1p, [positive(3, 4) - 0.4])
    case("expm1", "expm1", torch.expm1, [torch.randn(3, 4)])
    # Rounding away from the jumps; round's halves go to the even neighbour.
    x = away_from(torch.randn(3, 4) * 3, [float(k) for k in range(-9, 10)], 0.05)
    for op in ("floor", "ceil", "sign"):
        case(op, op, getattr(torch, op), [x])
    case("round_halves", "round", torch.round, [torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.7, -3.2])])
    case("softplus", "softplus", lambda a, beta, threshold: F.softplus(a, beta, threshold),
         [torch.randn(3, 4) * 3], {"beta": 2.0, "threshold": 4.0})
    case("elu", "elu", lambda a, alpha: F.elu(a, alpha), [away_from_zero(3, 4)], {"alpha": 0.7})
    case("selu", "selu", F.selu, [away_from_zero(3, 4)])
    case("silu", "silu", F.silu, [torch.randn(3, 4) * 2])
    case("mish", "mish", F.mish, [torch.randn(3, 4) * 2])
    case("hardtanh", "hardtanh", lambda a, min_val, max_val: F.hardtanh(a, min_val, max_val),
         [away_from(torch.randn(3, 4), [-0.5, 0.8])], {"min_val": -0.5, "max_val": 0.8})
    a, b = torch.randn(3, 4), torch.randn(4)
    b[1] = a[0, 1]  # a tie: half the gradient to each
    case("maximum", "maximum", torch.maximum, [a, b])
    case("minimum", "minimum", torch.minimum, [a, b])
    case("logical_and", "logical_and", torch.logical_and, [torch.tensor([[1, 0, 2], [0, 0, 3]]), torch.tensor([True, False, True])])
    case("logical_or", "logical_or", torch.logical_or, [torch.tensor([[1, 0, 2], [0, 0, 3]]), torch.tensor([True, False, False])])
    case("logical_xor", "logical_xor", torch.logical_xor, [torch.tensor([[1.0, 0.0, 2.0]]), torch.tensor([[0.5], [0.0]])],
         grad=[False, False])
    c = torch.rand(3, 4) > 0.5
    case("where_scalar_other", "where_scalar_other", lambda cond, a, other: torch.where(cond, a, other), [c, torch.randn(3, 4)], {"other": 2.5})
    case("where_scalar_self", "where_scalar_self", lambda cond, b, value: torch.where(cond, value, b),
         [c, torch.randn(4)], {"value": -1.5})
    for steps in (1, 2, 7):
        case(f"linspace_{steps}", "linspace", lambda start, end, steps: torch.linspace(start, end, steps), [],
             {"start": -1.0, "end": 2.5, "steps": steps})
    case("any_dim", "any", lambda a, dim: a.any(dim), [torch.tensor([[0, 0, 1], [0, 0, 0]])], {"dim": 1})
    case("all_dim", "all", lambda a, dim: a.all(dim), [torch.tensor([[1.0, 2.0], [0.0, 3.0]])], {"dim": 0},
         grad=[False])
    for d in (0, 1):
        case(f"cumsum_dim{d}", "cumsum", lambda a, dim: torch.cumsum(a, dim), [torch.randn(3, 4)], {"dim": d})
    case("cumsum_int64", "cumsum", lambda a, dim: torch.cumsum(a, dim), [torch.tensor([[1, 2, 3], [4, 5, 6]])], {"dim": 1})
    case("cumprod", "cumprod", lambda a, dim: torch.cumprod(a, dim), [torch.randn(3, 4)], {"dim": 1})
    case("cumprod_zeros", "cumprod", lambda a, dim: torch.cumprod(a, dim),
         [torch.tensor([[1.5, 0.0, -2.0, 0.0, 0.7], [0.5, 2.0, 0.0, 1.0, 3.0]])], {"dim": 1})
    case("norm_all", "norm", lambda a, p, dim, keepdim: torch.linalg.vector_norm(a, p), [torch.randn(3, 4)],
         {"p": 2.0, "dim": None, "keepdim": False})
    for p_ in (1.0, 3.0):
        case(f"norm_p{int(p_)}_dim1", "norm", lambda a, p, dim, keepdim: torch.linalg.vector_norm(a, p, dim, keepdim),
             [away_from_zero(3, 4)], {"p": p_, "dim": 1, "keepdim": True})
    case("norm_inf_dim0", "norm", lambda a, p, dim, keepdim: torch.linalg.vector_norm(a, float("inf"), dim, keepdim),
         [torch.randn(4, 3)], {"p": "inf", "dim": 0, "keepdim": False})
    case("normalize", "normalize", lambda a, p, dim: F.normalize(a, p, dim), [torch.randn(3, 4)], {"p": 2.0, "dim": 1})
    case("tril", "tril", lambda a, diagonal: torch.tril(a, diagonal), [torch.randn(2, 3, 4)], {"diagonal": 1})
    case("triu", "triu", lambda a, diagonal: torch.triu(a, diagonal), [torch.randn(3, 4)], {"diagonal": -1})
    case("repeat", "repeat", lambda a, repeats: a.repeat(*repeats), [torch.randn(2, 3)], {"repeats": [2, 1, 3]})
    case("repeat_interleave", "repeat_interleave", lambda a, repeats, dim: torch.repeat_interleave(a, repeats, dim),
         [torch.randn(2, 3)], {"repeats": 2, "dim": 1})
    case("repeat_interleave_counts", "repeat_interleave_counts",
         lambda a, r, dim: torch.repeat_interleave(a, r, dim), [torch.randn(3, 2), torch.tensor([2, 0, 1])], {"dim": 0})
    case("one_hot", "one_hot", lambda i, num_classes: F.one_hot(i, num_classes), [torch.tensor([[0, 3], [2, 1]])],
         {"num_classes": 5})
    case("unbind", "unbind", lambda a, dim: a.unbind(dim), [torch.randn(2, 3)], {"dim": 1})
    distinct = lambda *s: (torch.randperm(math.prod(s)).float() / 7.0 - 1.0).reshape(*s)
    case("sort_desc", "sort", lambda a, dim, descending: torch.sort(a, dim, descending), [distinct(3, 4)],
         {"dim": 1, "descending": True})
    case("sort_dim0", "sort", lambda a, dim, descending: torch.sort(a, dim, descending), [distinct(3, 4)],
         {"dim": 0, "descending": False})
    case("argsort", "argsort", lambda a, dim, descending: torch.argsort(a, dim, descending), [distinct(2, 5)],
         {"dim": -1, "descending": False}, grad=[False])
    case("topk", "topk", lambda a, k, dim, largest: torch.topk(a, k, dim, largest), [distinct(5, 3)],
         {"k": 2, "dim": 0, "largest": True})
    case("topk_smallest", "topk", lambda a, k, dim, largest: torch.topk(a, k, dim, largest), [distinct(3, 5)],
         {"k": 3, "dim": 1, "largest": False})
    for eq, shapes in (("bij,bjk->bik", ([2, 3, 4], [2, 4, 5])), ("bqd,bkd->bqk", ([2, 3, 4], [2, 5, 4])),
                       ("bi,oij,bj->bo", ([2, 3], [4, 3, 5], [2, 5])), ("i,j", ([3], [4])), ("ij->", ([3, 4],)),
                       ("bhqk,bhkd->bqhd", ([2, 2, 3, 4], [2, 2, 4, 3]))):
        case("einsum_" + eq.replace(",", "_").replace("->", "_to_"), "einsum",
             lambda *xs, equation: torch.einsum(equation, *xs), [torch.randn(*s) for s in shapes], {"equation": eq})
    case("sum_dims", "sum_dims", lambda a, dims, keepdim: a.sum(dims, keepdim), [torch.randn(2, 3, 4)],
         {"dims": [0, 2], "keepdim": False})
    case("mean_dims_keep", "mean_dims", lambda a, dims, keepdim: a.mean(dims, keepdim), [torch.randn(2, 3, 4)],
         {"dims": [2, 1], "keepdim": True})
    for r in ("mean", "sum", "none"):
        case(f"smooth_l1_{r}", "smooth_l1_loss", lambda a, t, reduction, beta: F.smooth_l1_loss(a, t, reduction=reduction, beta=beta),
             [torch.randn(3, 4), torch.randn(3, 4)], {"reduction": r, "beta": 0.5}, grad=[True, False])
        case(f"huber_{r}", "huber_loss", lambda a, t, reduction, delta: F.huber_loss(a, t, reduction=reduction, delta=delta),
             [torch.randn(3, 4), torch.randn(3, 4)], {"reduction": r, "delta": 0.7}, grad=[True, False])
    for r in ("batchmean", "sum", "mean", "none"):
        case(f"kl_div_{r}", "kl_div", lambda a, t, reduction, log_target: F.kl_div(a, t, reduction=reduction, log_target=log_target),
             [torch.log_softmax(torch.randn(3, 4), 1), torch.softmax(torch.randn(3, 4), 1)],
             {"reduction": r, "log_target": False})
    case("kl_div_log_target", "kl_div", lambda a, t, reduction, log_target: F.kl_div(a, t, reduction=reduction, log_target=log_target),
         [torch.log_softmax(torch.randn(3, 4), 1), torch.log_softmax(torch.randn(3, 4), 1)],
         {"reduction": "batchmean", "log_target": True})
    case("margin_ranking", "margin_ranking_loss",
         lambda a, b, y, margin, reduction: F.margin_ranking_loss(a, b, y, margin=margin, reduction=reduction),
         [torch.randn(6), torch.randn(6), torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])],
         {"margin": 0.1, "reduction": "mean"}, grad=[True, True, False])
    case("cosine_embedding", "cosine_embedding_loss",
         lambda a, b, y, margin, reduction: F.cosine_embedding_loss(a, b, y, margin=margin, reduction=reduction),
         [torch.randn(4, 5), torch.randn(4, 5), torch.tensor([1.0, -1.0, -1.0, 1.0])],
         {"margin": -0.5, "reduction": "sum"}, grad=[True, True, False])
    ce = lambda a, t, w, reduction, ignore_index, label_smoothing: F.cross_entropy(
        a, t, weight=w, reduction=reduction, ignore_index=ignore_index, label_smoothing=label_smoothing)
    for r in ("mean", "sum", "none"):
        for smooth in (0.0, 0.2):
            case(f"cross_entropy_weight_{r}_{smooth}", "cross_entropy_weight", ce,
                 [torch.randn(5, 3), torch.tensor([1, 2, 0, 2, 1]), torch.tensor([0.5, 2.0, 1.5])],
                 {"reduction": r, "ignore_index": 0, "label_smoothing": smooth}, grad=[True, False, False])
            case(f"cross_entropy_probs_{r}_{smooth}", "cross_entropy_weight", ce,
                 [torch.randn(2, 3, 2), torch.softmax(torch.randn(2, 3, 2), 1), torch.tensor([0.5, 2.0, 1.5])],
                 {"reduction": r, "ignore_index": -100, "label_smoothing": smooth}, grad=[True, True, False])


def ctc():
    """ctc_loss through log_softmax (the gradient of the logits is the same
    in both libraries; see ops/ctc_loss.cpp)."""
    fn = lambda x, t, il, tl, blank, reduction, zero_infinity: F.ctc_loss(
        F.log_softmax(x, 2), t, il, tl, blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    T, N, C = 4, 3, 4
    padded = torch.tensor([[1, 2, 2], [3, 1, 0], [3, 0, 0]])  # a repeated label needs a blank between
    lengths = torch.tensor([4, 4, 3]), torch.tensor([3, 2, 1])
    for r in ("mean", "sum", "none"):
        case(f"ctc_padded_{r}", "ctc_loss", fn, [torch.randn(T, N, C), padded, *lengths],
             {"blank": 0, "reduction": r, "zero_infinity": False})
    case("ctc_concatenated_blank3", "ctc_loss", fn,
         [torch.randn(T, N, C), torch.tensor([1, 2, 2, 0, 1, 2]), torch.tensor([4, 4, 3]), torch.tensor([3, 2, 1])],
         {"blank": 3, "reduction": "mean", "zero_infinity": False})
    # Sequence 1 needs 4 steps (2, 2 with a blank between) but has 2: impossible, zeroed.
    case("ctc_zero_infinity", "ctc_loss", fn,
         [torch.randn(4, 2, 3), torch.tensor([[1, 2], [2, 2]]), torch.tensor([4, 2]), torch.tensor([2, 2])],
         {"blank": 0, "reduction": "sum", "zero_infinity": True})


def sdpa_reference(q, k, v, attn_mask=None, is_causal=False, scale=None):
    """scaled_dot_product_attention from PyTorch 2's documented formula
    (PyTorch 1.13 lacks the function), with spool's convention that a query
    with no key to attend to gets zero weights (PyTorch 2 gives NaN)."""
    L, S = q.shape[-2], k.shape[-2]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    allowed = None
    if is_causal:
        allowed = torch.ones(L, S, dtype=torch.bool).tril()
    elif attn_mask is not None and attn_mask.dtype == torch.bool:
        allowed = attn_mask
    elif attn_mask is not None:
        allowed = attn_mask > -math.inf
        scores = scores + attn_mask.masked_fill(~allowed, 0.0)
    if allowed is not None:
        scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
        weights = torch.softmax(scores, -1) * allowed.expand(scores.shape).any(-1, keepdim=True).to(scores.dtype)
    else:
        weights = torch.softmax(scores, -1)
    return weights @ v, weights


def attention():
    fn = lambda q, k, v, is_causal, scale: sdpa_reference(q, k, v, is_causal=is_causal, scale=scale)
    case("sdpa_plain", "sdpa", fn, [torch.randn(2, 3, 4), torch.randn(2, 5, 4), torch.randn(2, 5, 3)],
         {"is_causal": False, "scale": None})
    case("sdpa_heads_scale", "sdpa", fn, [torch.randn(1, 2, 3, 4), torch.randn(1, 2, 4, 4), torch.randn(1, 2, 4, 2)],
         {"is_causal": False, "scale": 0.3})
    case("sdpa_causal", "sdpa", fn, [torch.randn(2, 4, 3), torch.randn(2, 5, 3), torch.randn(2, 5, 2)],
         {"is_causal": True, "scale": None})
    mfn = lambda q, k, v, m, is_causal, scale: sdpa_reference(q, k, v, attn_mask=m, is_causal=is_causal, scale=scale)
    # Key padding as a bool mask [B, 1, S], the second query of batch 1 sees no key (a [B, L, S] mask).
    pad = torch.tensor([[[True, True, True, False]], [[True, False, False, False]]])
    case("sdpa_bool_mask", "sdpa_mask", mfn, [torch.randn(2, 3, 4), torch.randn(2, 4, 4), torch.randn(2, 4, 2), pad],
         {"is_causal": False, "scale": None}, grad=[True, True, True, False])
    none_row = torch.ones(2, 2, 3, dtype=torch.bool)
    none_row[1, 1] = False
    case("sdpa_row_without_keys", "sdpa_mask", mfn,
         [torch.randn(2, 2, 4), torch.randn(2, 3, 4), torch.randn(2, 3, 2), none_row],
         {"is_causal": False, "scale": None}, grad=[True, True, True, False])
    fmask = torch.randn(3, 4) * 0.5
    fmask[0, 2] = -1e9  # JSON holds no -inf; tests/ops/surface_test.cpp covers -inf
    case("sdpa_float_mask", "sdpa_mask", mfn, [torch.randn(2, 3, 4), torch.randn(2, 4, 4), torch.randn(2, 4, 2), fmask],
         {"is_causal": False, "scale": None}, grad=[True, True, True, False])


def write(root, name, cases):
    validate(cases)
    path = os.path.join(root, "tests", "fixtures", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"generator": "tools/make_fixtures.py", "torch_version": torch.__version__, "cases": cases},
                  f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    with open(path) as f:
        assert len(json.load(f)["cases"]) == len(cases)
    size = os.path.getsize(path)
    per_op = collections.Counter(c["op"] for c in cases)
    width = max(map(len, per_op))
    for op, n in per_op.items():
        print(f"  {op:<{width}} {n}")
    print(f"wrote {len(cases)} cases for {len(per_op)} ops to {os.path.relpath(path, root)} "
          f"({size} bytes, {size / 1024:.0f} KiB)")
    if size > MAX_BYTES:
        print(f"warning: larger than {MAX_BYTES // 1024} KiB", file=sys.stderr)
        return 1
    return 0


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # ops.json first, then ops_surface.json: one random stream, so adding
    # cases to the second file leaves the first unchanged.
    for family in (elementwise, reductions, products, shapes, nn, losses, float64, pointwise, products_more,
                   promotion, sequences, powers, batched, packed, views):
        family()
    status = write(root, "ops.json", list(CASES))
    CASES.clear()
    surface()
    ctc()
    attention()
    return write(root, "ops_surface.json", list(CASES)) or status


if __name__ == "__main__":
    sys.exit(main())
