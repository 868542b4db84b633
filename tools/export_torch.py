#!/usr/bin/python3
"""Writes a PyTorch model's state_dict to a safetensors file that spool's
Module::load reads (`save_safetensors` below needs only torch, not the
safetensors package).

As a script it regenerates the committed fixture of a PyTorch-trained LSTM
classifier: tests/fixtures/lstm_classifier.safetensors (weights) and
tests/fixtures/lstm_classifier.json (test inputs and PyTorch's logits).
    tools/export_torch.py
"""
import json
import os
import struct

import torch
from torch import nn

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.bool: "BOOL"}


def save_safetensors(state_dict, path, metadata=None):
    """Writes {name: tensor} in the safetensors layout, atomically."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in state_dict.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes() if t.dtype != torch.bool else t.to(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-(8 + len(head)) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(chunks))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Classifier(nn.Module):
    """Embedding -> bidirectional LSTM -> Linear on the two final states."""

    def __init__(self, vocab=12, emb=6, hidden=8, classes=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, classes)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.emb(tokens))
        return self.out(torch.cat([h[0], h[1]], dim=1))


def main():
    torch.manual_seed(0)
    model = Classifier()
    # Task: the class is (number of tokens above 6) mod 3.
    x = torch.randint(1, 12, (64, 7))
    y = (x > 6).sum(1) % 3
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(60):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    test = torch.randint(1, 12, (4, 7))
    with torch.no_grad():
        logits = model(test)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fixtures = os.path.join(root, "tests", "fixtures")
    save_safetensors(model.state_dict(), os.path.join(fixtures, "lstm_classifier.safetensors"),
                     {"format": "pt", "trained_loss": f"{loss.item():.4f}"})
    with open(os.path.join(fixtures, "lstm_classifier.json"), "w") as f:
        json.dump({"tokens": test.tolist(), "logits": logits.tolist(), "train_loss": loss.item()}, f)
    print(f"trained to loss {loss.item():.4f}; wrote lstm_classifier.safetensors and .json")


if __name__ == "__main__":
    main()
