#!/usr/bin/python3
"""The seed article's fine-tuning recipe in plain PyTorch: the peer of spam-bert-vs-seed-recipe.ts.

Run by the TypeScript bench (Debian's python3-torch 1.13: /usr/bin/python3), which passes the token
ids its own tokenizer produced, so both sides train on identical inputs:
    /usr/bin/python3 bench/spam-bert-vs-seed-recipe.py DATA.json
DATA.json: {model, threads, seed, batch_size, pad_to, weight_decay, max_grad_norm, warmup_ratio,
target, stages: [{name, epochs, learning_rate, freeze: "encoder" | "none"}],
train: {ids: [[...]], labels: [...]}, valid: {...}, labels: [...]}.

The recipe: every text padded to `pad_to` (512) tokens; in the frozen stage the encoder still runs
on every batch of every epoch (no cached features); then everything trains. Same optimiser as the
engine (AdamW, HF's no-decay rule for biases and LayerNorm weights, gradient clipping, HF's linear
warm-up/decay per stage). The model is make-references.py's plain BERT (no dropout: its forward pass
is the eval-mode one), loaded from the same model.safetensors. Prints one JSON line per epoch:
{"event": "epoch", "epoch", "stage", "seconds", "accuracy"}; stops at `target` accuracy.
"""
import importlib.util
import json
import math
import os
import sys
import time

START = time.perf_counter()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "test", "fixtures", "models", "make-references.py")


def load_reference():
    spec = importlib.util.spec_from_file_location("make_reference", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def padded(rows, pad_to):
    """Every row cut to `pad_to` and padded to it with [PAD] = 0: the recipe's padding="max_length"."""
    ids = torch.zeros((len(rows), pad_to), dtype=torch.long)
    mask = torch.zeros((len(rows), pad_to), dtype=torch.long)
    for i, row in enumerate(rows):
        row = row[:pad_to]
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids, mask


def emit(record):
    print(json.dumps(record), flush=True)


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    torch.set_num_threads(job["threads"])
    torch.manual_seed(job["seed"])
    reference = load_reference()
    with open(os.path.join(job["model"], "config.json")) as f:
        config = json.load(f)
    weights = reference.read_safetensors(os.path.join(job["model"], "model.safetensors"))
    hidden = config["hidden_size"]
    classes = len(job["labels"])
    params = {name: torch.nn.Parameter(t.to(torch.float32)) for name, t in weights.items()}
    # A new head, as BertForSequenceClassification initialises it (normal 0.02, zero bias).
    params["classifier.weight"] = torch.nn.Parameter(torch.randn(classes, hidden) * config["initializer_range"])
    params["classifier.bias"] = torch.nn.Parameter(torch.zeros(classes))
    head = {"bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"}

    pad_to = job["pad_to"]
    train_ids, train_mask = padded(job["train"]["ids"], pad_to)
    train_labels = torch.tensor(job["train"]["labels"], dtype=torch.long)
    valid_ids, valid_mask = padded(job["valid"]["ids"], pad_to)
    valid_labels = torch.tensor(job["valid"]["labels"], dtype=torch.long)
    batch = job["batch_size"]

    def forward(ids, mask):
        types = torch.zeros_like(ids)
        return reference.bert_forward(params, config, ids, mask, types)[1]

    def accuracy():
        correct = 0
        with torch.no_grad():
            for begin in range(0, len(valid_labels), batch):
                logits = forward(valid_ids[begin : begin + batch], valid_mask[begin : begin + batch])
                correct += (logits.argmax(-1) == valid_labels[begin : begin + batch]).sum().item()
        return correct / len(valid_labels)

    emit({"event": "ready", "seconds": time.perf_counter() - START})
    epoch = 0
    generator = torch.Generator().manual_seed(job["seed"])
    for stage in job["stages"]:
        trainable = [name for name in params if stage["freeze"] == "none" or name in head]
        for name, p in params.items():
            p.requires_grad_(name in trainable)
        no_decay = [params[n] for n in trainable if "bias" in n or "LayerNorm.weight" in n]
        decay = [params[n] for n in trainable if not ("bias" in n or "LayerNorm.weight" in n)]
        optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": job["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
            lr=stage["learning_rate"],
            eps=1e-8,
        )
        steps = stage["epochs"] * math.ceil(len(train_labels) / batch)
        warmup = math.ceil(steps * job["warmup_ratio"])
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda k: k / max(1, warmup) if k < warmup else max(0.0, (steps - k) / max(1, steps - warmup))
        )
        for _ in range(stage["epochs"]):
            order = torch.randperm(len(train_labels), generator=generator)
            for begin in range(0, len(order), batch):
                picked = order[begin : begin + batch]
                logits = forward(train_ids[picked], train_mask[picked])
                loss = F.cross_entropy(logits, train_labels[picked])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if job["max_grad_norm"] > 0:
                    torch.nn.utils.clip_grad_norm_([params[n] for n in trainable], job["max_grad_norm"])
                optimizer.step()
                schedule.step()
            epoch += 1
            acc = accuracy()
            emit({"event": "epoch", "epoch": epoch, "stage": stage["name"], "seconds": time.perf_counter() - START, "accuracy": acc})
            if acc >= job["target"]:
                return


if __name__ == "__main__":
    main()
