"""The PyTorch peer of bench/bert-step-vs-pytorch.ts: one BERT training step (forward, backward,
AdamW) on the same shapes, timed the same way. Plain torch (no transformers), the same architecture
as engine/models/encoderClassifier.ts: embeddings + LayerNorm, post-LN layers with exact GELU, tanh pooler, head.

  /usr/bin/python3 bench/bert-step-vs-pytorch.py --layers 4 --hidden 256 --heads 4 --intermediate 1024 \
      --seq 128 --batch 16 --threads 1 --steps 5 --warmup 2
Prints one JSON line: {"samplesPerSecond": ..., "stepMs": [...], ...}.
"""
import argparse
import json
import math
import time

import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate, dropout):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, additive_mask):
        batch, length, hidden = x.shape
        size = hidden // self.heads
        split = lambda t: t.view(batch, length, self.heads, size).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(size) + additive_mask
        probabilities = self.dropout(torch.softmax(scores, dim=-1))
        context = (probabilities @ v).transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention_norm(self.dropout(self.attention_output(context)) + x)
        ffn = self.output(nn.functional.gelu(self.intermediate(x)))
        return self.output_norm(self.dropout(ffn) + x)


class Bert(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, intermediate, positions, labels, dropout=0.1):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(positions, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(Layer(hidden, heads, intermediate, dropout) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, labels)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                module.weight.data.normal_(0, 0.02)

    def forward(self, ids, mask):
        length = ids.shape[1]
        positions = torch.arange(length, device=ids.device)
        x = self.word(ids) + self.position(positions)[None] + self.token_type(torch.zeros_like(ids))
        x = self.dropout(self.norm(x))
        additive_mask = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, additive_mask)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(self.dropout(pooled))


def main():
    parser = argparse.ArgumentParser()
    for name, default in [("layers", 4), ("hidden", 256), ("heads", 4), ("intermediate", 1024), ("seq", 128), ("batch", 16),
                          ("vocab", 30522), ("labels", 2), ("threads", 1), ("steps", 5), ("warmup", 2), ("seed", 1)]:
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = Bert(args.vocab, args.hidden, args.layers, args.heads, args.intermediate, max(512, args.seq), args.labels)
    model.train()
    no_decay = [p for n, p in model.named_parameters() if "bias" in n or "norm" in n]
    decay = [p for n, p in model.named_parameters() if not ("bias" in n or "norm" in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=5e-5)
    ids = torch.randint(5, args.vocab, (args.batch, args.seq))
    mask = torch.ones(args.batch, args.seq, dtype=torch.long)
    mask[args.batch // 2:, args.seq * 3 // 4:] = 0
    labels = torch.randint(0, args.labels, (args.batch,))
    times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(ids, mask), labels)
        loss.backward()
        optimizer.step()
        elapsed = time.perf_counter() - start
        if step >= args.warmup:
            times.append(elapsed * 1000)
    median = sorted(times)[len(times) // 2]
    print(json.dumps({
        "peer": f"PyTorch {torch.__version__}",
        "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in model.parameters()),
        "stepMs": times,
        "medianStepMs": median,
        "samplesPerSecond": args.batch / (median / 1000),
        "loss": float(loss),
    }))


if __name__ == "__main__":
    main()
