"""The PyTorch peer of bench/gpu-bert-step.ts: one BERT training step (forward, backward, AdamW) on the
GPU, the model of bench/bert-step-vs-pytorch.py (the same architecture as engine/models/bert.ts), in
eager fp32 and with bf16 autocast (AMP), on the same shapes, timed the same way: a step ends when its
loss is on the host and the GPU is idle.

  python3 bench/gpu-bert-step.py --layers 12 --hidden 768 --heads 12 --intermediate 3072 --seq 128 --batch 32
Prints one JSON line: {"peer": ..., "device": ..., "modes": {"fp32": {...}, "bf16": {...}}}.
Without CUDA it runs on the CPU (device "cpu"), which only checks the script.
"""
import argparse
import importlib.util
import json
import time
from pathlib import Path

import torch
from torch import nn

spec = importlib.util.spec_from_file_location("bert_step_peer", Path(__file__).with_name("bert-step-vs-pytorch.py"))
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)


def run(args, device, autocast_dtype):
    torch.manual_seed(args.seed)
    model = peer.Bert(args.vocab, args.hidden, args.layers, args.heads, args.intermediate, max(512, args.seq), args.labels).to(device)
    model.train()
    no_decay = [p for n, p in model.named_parameters() if "bias" in n or "norm" in n]
    decay = [p for n, p in model.named_parameters() if not ("bias" in n or "norm" in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=5e-5)
    ids = torch.randint(5, args.vocab, (args.batch, args.seq), device=device)
    mask = torch.ones(args.batch, args.seq, dtype=torch.long, device=device)
    mask[args.batch // 2:, args.seq * 3 // 4:] = 0
    labels = torch.arange(args.batch, device=device) % args.labels
    times, losses = [], []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            loss = nn.functional.cross_entropy(model(ids, mask).float(), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())  # waits for the step, as ours reads its loss back
        if device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = (time.perf_counter() - start) * 1000
        if step >= args.warmup:
            times.append(elapsed)
    median = sorted(times)[len(times) // 2]
    return {"stepMs": times, "medianStepMs": median, "samplesPerSecond": args.batch / (median / 1000), "losses": losses}


def main():
    parser = argparse.ArgumentParser()
    for name, default in [("layers", 12), ("hidden", 768), ("heads", 12), ("intermediate", 3072), ("seq", 128), ("batch", 32),
                          ("vocab", 30522), ("labels", 2), ("steps", 5), ("warmup", 2), ("seed", 1)]:
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    modes = {"fp32": run(args, device, None), "bf16": run(args, device, torch.bfloat16)}
    print(json.dumps({"peer": f"PyTorch {torch.__version__} eager", "device": name, "modes": modes}))


if __name__ == "__main__":
    main()
