#!/usr/bin/python3
"""Writes tests/fixtures/recurrent.json and tests/fixtures/attention.json.

recurrent.json: PyTorch's outputs, final states and
every gradient (parameters, input, initial states) for RNN (tanh, relu), LSTM
and GRU stacks and cells at several configurations, which
tests/layers/recurrent_fixture_test.cpp compares against (rtol 1e-5).

Run from the repository root with Debian's python3-torch:
    tools/make_layer_fixtures.py
Variable lengths go through pack_padded_sequence / pad_packed_sequence
(enforce_sorted=False), so padded steps output zeros as in spool.

attention.json: context, weights and every gradient of Bahdanau and Luong
attention (reference modules below, with spool's parameter names and its
convention that a query without keys gets zeros), for
tests/layers/attention/attention_fixture_test.cpp.
"""
import json
import os

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(0)
CASES = []


def enc(t):
    t = t.detach()
    dtype = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}[t.dtype]
    return {"dtype": dtype, "shape": list(t.shape), "data": t.reshape(-1).tolist()}


def make(kind, I, H, layers, bidirectional, batch_first):
    common = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    if kind.startswith("rnn"):
        return nn.RNN(I, H, nonlinearity=kind.split("_")[1], **common)
    return {"lstm": nn.LSTM, "gru": nn.GRU}[kind](I, H, **common)


def stack_case(kind, layers, bidirectional, batch_first, with_state, lengths):
    I, H, T, B = 3, 4, 5, 3
    D = 2 if bidirectional else 1
    model = make(kind, I, H, layers, bidirectional, batch_first)
    x = torch.randn(B, T, I) if batch_first else torch.randn(T, B, I)
    x.requires_grad_()
    h0 = torch.randn(layers * D, B, H, requires_grad=True) if with_state else None
    c0 = torch.randn(layers * D, B, H, requires_grad=True) if with_state and kind == "lstm" else None
    state = None
    if with_state:
        state = (h0, c0) if kind == "lstm" else h0
    inp = x
    if lengths is not None:
        inp = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
    out, hn = model(inp, state)
    if lengths is not None:
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    h_n, c_n = hn if kind == "lstm" else (hn, None)
    g_out, g_h = torch.randn_like(out), torch.randn_like(h_n)
    loss = (out * g_out).sum() + (h_n * g_h).sum()
    g_c = None
    if c_n is not None:
        g_c = torch.randn_like(c_n)
        loss = loss + (c_n * g_c).sum()
    loss.backward()
    name = f"{kind}_L{layers}_{'bi' if bidirectional else 'uni'}_{'bf' if batch_first else 'tf'}" \
           f"{'_state' if with_state else ''}{'_lengths' if lengths else ''}"
    CASES.append({
        "name": name, "kind": kind, "cell": False, "input_size": I, "hidden_size": H, "num_layers": layers,
        "bidirectional": bidirectional, "batch_first": batch_first,
        "params": {n: enc(p) for n, p in model.named_parameters()},
        "param_grads": {n: enc(p.grad) for n, p in model.named_parameters()},
        "input": enc(x), "input_grad": enc(x.grad),
        "h0": enc(h0) if h0 is not None else None, "h0_grad": enc(h0.grad) if h0 is not None else None,
        "c0": enc(c0) if c0 is not None else None, "c0_grad": enc(c0.grad) if c0 is not None else None,
        "lengths": lengths,
        "output": enc(out), "h_n": enc(h_n), "c_n": enc(c_n) if c_n is not None else None,
        "g_output": enc(g_out), "g_h_n": enc(g_h), "g_c_n": enc(g_c) if g_c is not None else None,
    })


def cell_case(kind):
    I, H, B = 3, 4, 2
    cls = {"rnn_tanh": nn.RNNCell, "rnn_relu": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[kind]
    model = cls(I, H, nonlinearity=kind.split("_")[1]) if kind.startswith("rnn") else cls(I, H)
    x = torch.randn(B, I, requires_grad=True)
    h0 = torch.randn(B, H, requires_grad=True)
    c0 = torch.randn(B, H, requires_grad=True) if kind == "lstm" else None
    res = model(x, (h0, c0)) if kind == "lstm" else model(x, h0)
    h, c = res if kind == "lstm" else (res, None)
    g_h = torch.randn_like(h)
    loss = (h * g_h).sum()
    g_c = None
    if c is not None:
        g_c = torch.randn_like(c)
        loss = loss + (c * g_c).sum()
    loss.backward()
    CASES.append({
        "name": f"{kind}_cell", "kind": kind, "cell": True, "input_size": I, "hidden_size": H,
        "params": {n: enc(p) for n, p in model.named_parameters()},
        "param_grads": {n: enc(p.grad) for n, p in model.named_parameters()},
        "input": enc(x), "input_grad": enc(x.grad),
        "h0": enc(h0), "h0_grad": enc(h0.grad),
        "c0": enc(c0) if c0 is not None else None, "c0_grad": enc(c0.grad) if c0 is not None else None,
        "output": enc(h), "c_n": enc(c) if c is not None else None,
        "g_output": enc(g_h), "g_c_n": enc(g_c) if g_c is not None else None,
    })


def masked_softmax(e, allowed):
    """softmax over the last dim where `allowed`; a row without any is zeros
    (spool's convention, where PyTorch gives NaN)."""
    if allowed is None:
        return torch.softmax(e, -1)
    allowed = allowed.expand(e.shape)
    return torch.softmax(e.masked_fill(~allowed, torch.finfo(e.dtype).min), -1) * allowed.any(-1, keepdim=True)


class Additive(nn.Module):
    """Bahdanau attention as spool's nn::AdditiveAttention (same parameter
    names), with spool's masked softmax (a query without keys gets zeros)."""

    def __init__(self, dq, dk, h):
        super().__init__()
        self.query_proj = nn.Linear(dq, h, bias=False)
        self.key_proj = nn.Linear(dk, h)
        self.score = nn.Linear(h, 1, bias=False)

    def forward(self, q, k, v, allowed):
        e = self.score(torch.tanh(self.query_proj(q).unsqueeze(2) + self.key_proj(k).unsqueeze(1))).squeeze(-1)
        w = masked_softmax(e, allowed)
        return w @ v, w


def attention_case(name, dq, dk, dv, h, B, Tq, Tk, lengths, step, score=None):
    model = Additive(dq, dk, h) if score is None else Luong(dq, dk, score, h)
    q = torch.randn(B, dq) if step else torch.randn(B, Tq, dq)
    k = torch.randn(B, Tk, dk)
    v = torch.randn(B, Tk, dv) if dv else None
    for t in (q, k) + ((v,) if v is not None else ()):
        t.requires_grad_()
    allowed = None
    if lengths is not None:
        allowed = (torch.arange(Tk).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)).unsqueeze(1)
    context, weights = model(q.unsqueeze(1) if step else q, k, v if v is not None else k, allowed)
    if step:
        context, weights = context.squeeze(1), weights.squeeze(1)
    g_c, g_w = torch.randn_like(context), torch.randn_like(weights)
    ((context * g_c).sum() + (weights * g_w).sum()).backward()
    ATTENTION.append({
        "name": name, "query_size": dq, "key_size": dk, "hidden_size": h, "score": score,
        "lengths": lengths, "query": enc(q), "keys": enc(k), "values": enc(v) if v is not None else None,
        "params": {n: enc(p) for n, p in model.named_parameters()},
        "context": enc(context), "weights": enc(weights), "g_context": enc(g_c), "g_weights": enc(g_w),
        "grad_query": enc(q.grad), "grad_keys": enc(k.grad), "grad_values": enc(v.grad) if v is not None else None,
        "param_grads": {n: enc(p.grad) for n, p in model.named_parameters()},
    })


class Luong(nn.Module):
    """Luong attention as spool's nn::LuongAttention (same parameter names)."""

    def __init__(self, dq, dk, score, h):
        super().__init__()
        self.kind = score
        if score == "general":
            self.attn = nn.Linear(dk, dq, bias=False)
        if score == "concat":
            self.attn = nn.Linear(dq + dk, h, bias=False)
            self.v = nn.Linear(h, 1, bias=False)

    def forward(self, q, k, v, allowed):
        if self.kind == "dot":
            e = q @ k.transpose(1, 2)
        elif self.kind == "general":
            e = q @ self.attn(k).transpose(1, 2)
        else:
            pairs = torch.cat([q.unsqueeze(2).expand(-1, -1, k.shape[1], -1),
                               k.unsqueeze(1).expand(-1, q.shape[1], -1, -1)], -1)
            e = self.v(torch.tanh(self.attn(pairs))).squeeze(-1)
        w = masked_softmax(e, allowed)
        return w @ v, w


class Pooling(nn.Module):
    """Attention pooling as spool's nn::AttentionPooling (batch-first)."""

    def __init__(self, d):
        super().__init__()
        self.score = nn.Linear(d, 1)

    def forward(self, x, allowed):
        e = self.score(x).squeeze(-1)
        w = masked_softmax(e, allowed)
        return (w.unsqueeze(1) @ x).squeeze(1), w


def pooling_case(name, d, B, T, lengths):
    model = Pooling(d)
    x = torch.randn(B, T, d, requires_grad=True)
    allowed = None if lengths is None else torch.arange(T).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
    pooled, weights = model(x, allowed)
    g_p, g_w = torch.randn_like(pooled), torch.randn_like(weights)
    ((pooled * g_p).sum() + (weights * g_w).sum()).backward()
    ATTENTION.append({
        "name": name, "kind": "pooling", "input_size": d, "lengths": lengths, "input": enc(x),
        "params": {n: enc(p) for n, p in model.named_parameters()},
        "context": enc(pooled), "weights": enc(weights), "g_context": enc(g_p), "g_weights": enc(g_w),
        "grad_input": enc(x.grad), "param_grads": {n: enc(p.grad) for n, p in model.named_parameters()},
    })


ATTENTION = []
TRANSFORMER = []


def backward_record(out, weights, inputs, model):
    """Backward of sum(out * g) + sum(weights * g_w); the record of the
    upstream gradients, the input gradients and every parameter's."""
    g = torch.randn_like(out)
    loss = (out * g).sum()
    rec = {"output": enc(out), "g_output": enc(g)}
    if weights is not None:
        g_w = torch.randn_like(weights)
        loss = loss + (weights * g_w).sum()
        rec.update({"weights": enc(weights), "g_weights": enc(g_w)})
    loss.backward()
    rec["input_grads"] = {n: enc(t.grad) for n, t in inputs.items()}
    rec["params"] = {n: enc(p) for n, p in model.named_parameters()}
    rec["param_grads"] = {n: enc(p.grad) for n, p in model.named_parameters()}
    return rec


def mha_case(name, E, H, L, S, B, batch_first=False, kdim=None, vdim=None, bias=True, add_bias_kv=False,
             add_zero_attn=False, self_attention=False, kpm=None, attn_mask=None, average=True, unbatched=False,
             causal=False):
    """nn.MultiheadAttention itself. kpm / attn_mask: "bool" or "float"
    (float masks use -1e30 where a key is excluded: JSON has no -inf). No
    query has all its keys masked (PyTorch gives NaN there; spool zeros, tested
    on its own)."""
    model = nn.MultiheadAttention(E, H, bias=bias, add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn,
                                  kdim=kdim, vdim=vdim, batch_first=batch_first)
    with torch.no_grad():  # non-zero biases, so their gradients and placement are tested
        for n, p in model.named_parameters():
            if "bias" in n:
                p.normal_()
    def shaped(T, D):
        if unbatched:
            return torch.randn(T, D)
        return torch.randn(B, T, D) if batch_first else torch.randn(T, B, D)
    q = shaped(L, E).requires_grad_()
    if self_attention:
        k = v = q
        inputs = {"query": q}
    else:
        k = shaped(S, kdim or E).requires_grad_()
        v = shaped(S, vdim or E).requires_grad_()
        inputs = {"query": q, "key": k, "value": v}
    args = {"need_weights": True, "average_attn_weights": average}
    rec = {"name": name, "embed_dim": E, "num_heads": H, "batch_first": batch_first, "kdim": kdim, "vdim": vdim,
           "bias": bias, "add_bias_kv": add_bias_kv, "add_zero_attn": add_zero_attn,
           "self_attention": self_attention, "average_attn_weights": average, "causal": causal,
           "inputs": {n: enc(t) for n, t in inputs.items()}}
    masked = torch.zeros(L, S, dtype=torch.bool)  # keys each query may not see, kept < S per row
    if kpm is not None:
        pad = torch.zeros(B, S, dtype=torch.bool)
        pad[0, S - 1] = True
        if B > 1:
            pad[1, 0] = True
        m = pad if kpm == "bool" else torch.zeros(B, S).masked_fill(pad, -1e30) + torch.randn(B, S) * 0.1
        args["key_padding_mask"] = m[0] if unbatched else m
        rec["key_padding_mask"] = enc(args["key_padding_mask"])
    if causal:
        args["attn_mask"] = torch.triu(torch.ones(L, S, dtype=torch.bool), 1)
    elif attn_mask is not None:
        masked = torch.rand(L, S) < 0.3
        masked[:, 1] = False  # key 1 stays visible to every query (key_padding_mask hides 0 or S-1)
        m = masked if attn_mask == "bool" else torch.zeros(L, S).masked_fill(masked, -1e30) + torch.randn(L, S) * 0.1
        if attn_mask == "float":  # the per-head form [B * H, L, S]
            m = m.unsqueeze(0).repeat(B * H, 1, 1) + torch.randn(B * H, L, S) * 0.1
        args["attn_mask"] = m
        rec["attn_mask"] = enc(m)
    out, weights = model(q, k, v, **args)
    rec.update(backward_record(out, weights, inputs, model))
    ATTENTION.append(rec)


def transformer_case(name, decoder, layers=None, norm=False, batch_first=False, norm_first=False,
                     activation="relu", padding=False, causal=False, B=2, S=3, T=2, E=4, H=2, F=6):
    """torch.nn.TransformerEncoderLayer / DecoderLayer (layers=None) or a
    TransformerEncoder / Decoder stack of `layers`, dropout 0, every
    parameter perturbed so that each gradient's placement is tested."""
    cls = nn.TransformerDecoderLayer if decoder else nn.TransformerEncoderLayer
    layer = cls(E, H, dim_feedforward=F, dropout=0.0, activation=activation, batch_first=batch_first,
                norm_first=norm_first)
    model = layer
    if layers is not None:
        stack = nn.TransformerDecoder if decoder else nn.TransformerEncoder
        model = stack(layer, layers, norm=nn.LayerNorm(E) if norm else None)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    def shaped(n):
        return torch.randn(B, n, E) if batch_first else torch.randn(n, B, E)
    x = shaped(T if decoder else S).requires_grad_()
    inputs = {"tgt" if decoder else "src": x}
    args = {}
    pad = torch.zeros(B, S, dtype=torch.bool)
    pad[0, S - 1] = True
    if decoder:
        memory = shaped(S).requires_grad_()
        inputs["memory"] = memory
        if causal:
            args["tgt_mask"] = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        if padding:
            args["memory_key_padding_mask"] = pad
            tpad = torch.zeros(B, T, dtype=torch.bool)
            tpad[1, T - 1] = True
            args["tgt_key_padding_mask"] = tpad
        out = model(x, memory, **args)
    else:
        if causal:
            args["src_mask"] = torch.triu(torch.ones(S, S, dtype=torch.bool), 1)
        if padding:
            args["src_key_padding_mask"] = pad
        # The stack calls its mask `mask`, the layer `src_mask`.
        out = model(x, args.get("src_mask"), args.get("src_key_padding_mask"))
    rec = {"name": name, "decoder": decoder, "num_layers": layers, "norm": norm, "d_model": E, "nhead": H,
           "dim_feedforward": F, "activation": activation, "batch_first": batch_first, "norm_first": norm_first,
           "masks": {n: enc(m) for n, m in args.items()}, "inputs": {n: enc(t) for n, t in inputs.items()}}
    rec.update(backward_record(out, None, inputs, model))
    TRANSFORMER.append(rec)


class Seq2SeqRef(nn.Module):
    """spool's nn::Seq2Seq in PyTorch, with its parameter names: embedding ->
    (bi)LSTM/GRU encoder (packed by lengths) -> bridge -> decoder steps
    (embedding [+ feed] [+ context without attention] -> cells -> attention ->
    tanh(combine([h; context])) -> generator), teacher-forced."""

    def __init__(self, V, E, H, L, cell, bidirectional, attention, bridge, feeding, tie):
        super().__init__()
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        D = 2 if bidirectional else 1
        C = D * H
        O = E if tie else H
        self.cfg = (V, E, H, L, cell, D, attention, bridge, feeding, tie, O)
        self.encoder = nn.Module()
        self.encoder.embedding = nn.Embedding(V, E, padding_idx=0)
        self.encoder.rnn = rnn(E, H, L, bidirectional=bidirectional, batch_first=True)
        self.bridge = nn.Module()
        if bidirectional and bridge == "linear":
            self.bridge.h_proj = nn.Linear(2 * H, H)
            if cell == "lstm":
                self.bridge.c_proj = nn.Linear(2 * H, H)
        self.decoder = nn.Module()
        self.decoder.embedding = nn.Embedding(V, E, padding_idx=0)
        self.decoder.rnn = rnn(E + (O if feeding else 0) + (C if attention == "none" else 0), H, L, batch_first=True)
        if attention == "additive":
            self.decoder.attention = Additive(H, C, H)
        elif attention != "none":
            self.decoder.attention = Luong(H, C, attention, H)
        self.decoder.combine = nn.Linear(H + C, O, bias=False)
        if tie:
            self.decoder.output_bias = nn.Parameter(torch.randn(V) * 0.1)
        else:
            self.decoder.generator = nn.Linear(O, V)

    def forward(self, src, lengths, tgt_in):
        V, E, H, L, cell, D, attention, bridge, feeding, tie, O = self.cfg
        packed = pack_padded_sequence(self.encoder.embedding(src), lengths, batch_first=True, enforce_sorted=False)
        out, state = self.encoder.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        h_n, c_n = state if cell == "lstm" else (state, None)

        def join(s, proj):
            if D == 1:
                return s
            s = s.view(L, 2, s.shape[1], H)
            return proj(torch.cat([s[:, 0], s[:, 1]], -1)) if proj is not None else s[:, 0] + s[:, 1]
        h = join(h_n, getattr(self.bridge, "h_proj", None))
        c = join(c_n, getattr(self.bridge, "c_proj", None)) if c_n is not None else None
        allowed = (torch.arange(src.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(1)
        context_all = h_n.view(L, D, src.shape[0], H)[-1].transpose(0, 1).reshape(src.shape[0], D * H)
        B, T = tgt_in.shape
        feed = torch.zeros(B, O)
        outs = []
        for t in range(T):
            x = [self.decoder.embedding(tgt_in[:, t])]
            if feeding:
                x.append(feed)
            if attention == "none":
                x.append(context_all)
            x = torch.cat(x, 1).unsqueeze(1)
            y, st = self.decoder.rnn(x, (h, c) if cell == "lstm" else h)
            h, c = st if cell == "lstm" else (st, None)
            q = y[:, 0]
            if attention == "none":
                ctx = context_all
            else:
                ctx, _ = self.decoder.attention(q.unsqueeze(1), out, out, allowed)
                ctx = ctx[:, 0]
            feed = torch.tanh(self.decoder.combine(torch.cat([q, ctx], 1)))
            outs.append(feed)
        a = torch.stack(outs, 1)
        if tie:
            return a @ self.decoder.embedding.weight.t() + self.decoder.output_bias
        return self.decoder.generator(a)


def seq2seq_case(name, cell, bidirectional, attention, bridge, feeding, tie, L, V=7, E=4, H=3):
    model = Seq2SeqRef(V, E, H, L, cell, bidirectional, attention, bridge, feeding, tie)
    lengths = torch.tensor([4, 2, 3])
    src = torch.randint(3, V, (3, 4)) * (torch.arange(4).unsqueeze(0) < lengths.unsqueeze(1))
    tgt_in = torch.randint(3, V, (3, 3))
    tgt_in[:, 0] = 1
    tgt_out = torch.randint(2, V, (3, 3))
    tgt_out[1, 2] = 0  # padding, ignored by the loss
    logits = model(src, lengths, tgt_in)
    loss = nn.functional.cross_entropy(logits.reshape(-1, V), tgt_out.reshape(-1), ignore_index=0)
    loss.backward()
    SEQ2SEQ.append({
        "name": name, "cell": cell, "bidirectional": bidirectional, "attention": attention, "bridge": bridge,
        "input_feeding": feeding, "tie_weights": tie, "num_layers": L, "vocab": V, "embedding_dim": E,
        "hidden_size": H, "source": enc(src), "lengths": enc(lengths), "target_in": enc(tgt_in),
        "target_out": enc(tgt_out), "logits": enc(logits), "loss": loss.item(),
        "params": {n: enc(p) for n, p in model.named_parameters()},
        "param_grads": {n: enc(p.grad) for n, p in model.named_parameters()},
    })


SEQ2SEQ = []


def main():
    for kind in ("rnn_tanh", "rnn_relu", "lstm", "gru"):
        stack_case(kind, 1, False, False, False, None)
        stack_case(kind, 3, True, True, True, None)
        stack_case(kind, 1, True, False, False, [5, 2, 4])
        stack_case(kind, 3, False, False, True, [3, 5, 1])
        stack_case(kind, 2, True, True, True, [2, 5, 3])
        cell_case(kind)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "tests", "fixtures", "recurrent.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/make_layer_fixtures.py", "torch_version": torch.__version__,
                   "cases": CASES}, f, separators=(",", ":"))
    print(f"wrote {len(CASES)} cases to {os.path.relpath(path, root)} ({os.path.getsize(path) // 1024} KiB)")
    # After recurrent.json: one random stream, so these leave it unchanged.
    attention_case("additive_plain", 3, 4, 0, 5, 2, 3, 4, None, False)
    attention_case("additive_values_lengths", 3, 4, 2, 5, 2, 3, 4, [4, 2], False)
    attention_case("additive_step_no_keys", 4, 3, 2, 6, 3, 1, 5, [5, 0, 3], True)
    attention_case("luong_dot", 3, 3, 0, 0, 2, 3, 4, [4, 1], False, "dot")
    attention_case("luong_general", 3, 4, 2, 0, 2, 3, 4, None, False, "general")
    attention_case("luong_concat_step", 3, 4, 2, 5, 3, 1, 4, [4, 0, 2], True, "concat")
    pooling_case("pooling_plain", 4, 2, 3, None)
    pooling_case("pooling_lengths", 4, 3, 5, [5, 2, 0])
    mha_case("mha_self", 4, 2, 3, 3, 2, self_attention=True)
    mha_case("mha_cross_bool_masks", 6, 3, 3, 4, 2, kpm="bool", attn_mask="bool", average=False)
    # PyTorch 1.13 refuses a float key_padding_mask beside an attn_mask: one float mask at a time.
    mha_case("mha_batch_first_float_padding", 4, 2, 3, 5, 2, batch_first=True, kpm="float")
    mha_case("mha_float_head_mask", 4, 2, 3, 5, 2, kpm="bool", attn_mask="float")
    mha_case("mha_kdim_vdim_bias_kv", 4, 2, 2, 3, 2, kdim=3, vdim=5, add_bias_kv=True, kpm="bool")
    mha_case("mha_zero_attn_no_bias", 4, 4, 3, 3, 2, bias=False, add_zero_attn=True, batch_first=True,
             attn_mask="bool")
    mha_case("mha_unbatched", 4, 2, 3, 4, 1, unbatched=True, kpm="bool")
    mha_case("mha_causal", 4, 2, 4, 4, 2, self_attention=True, batch_first=True, causal=True)
    transformer_case("encoder_layer_post_relu_padding", False, padding=True)
    transformer_case("encoder_layer_pre_gelu_causal_batch_first", False, norm_first=True, activation="gelu",
                     causal=True, batch_first=True)
    transformer_case("encoder_stack_pre_norm", False, layers=2, norm=True, norm_first=True, padding=True,
                     batch_first=True)
    transformer_case("decoder_layer_post_causal_padding", True, causal=True, padding=True)
    transformer_case("decoder_layer_pre_gelu_batch_first", True, norm_first=True, activation="gelu",
                     batch_first=True, causal=True)
    transformer_case("decoder_stack_post_norm", True, layers=2, norm=True, causal=True, padding=True)
    seq2seq_case("lstm_additive_bi_linear_feeding", "lstm", True, "additive", "linear", True, False, 1)
    seq2seq_case("gru_general_bi_sum_tied_2_layers", "gru", True, "general", "sum", False, True, 2)
    seq2seq_case("lstm_none_uni_feeding", "lstm", False, "none", "linear", True, False, 1)
    seq2seq_case("lstm_concat_bi_linear_2_layers", "lstm", True, "concat", "linear", False, False, 2)
    path = os.path.join(root, "tests", "fixtures", "attention.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/make_layer_fixtures.py", "torch_version": torch.__version__,
                   "cases": ATTENTION, "transformer": TRANSFORMER,
                   "seq2seq": SEQ2SEQ}, f, separators=(",", ":"))
    print(f"wrote {len(ATTENTION) + len(TRANSFORMER) + len(SEQ2SEQ)} cases to {os.path.relpath(path, root)} ({os.path.getsize(path) // 1024} KiB)")


if __name__ == "__main__":
    main()
