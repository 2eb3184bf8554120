#!/usr/bin/env bash
# The GPU checks of issue 10, on a machine with an NVIDIA GPU (driver with Vulkan and EGL, Python with
# PyTorch + CUDA and transformers) but no Node.js: everything comes from .device/, which
# scripts/device/prepare-gpu-check.sh packs here. With the device tool:
#   bash scripts/device/prepare-gpu-check.sh                                          (here)
#   run(command="bash scripts/device/gpu-check.sh", carry=[".device"], timeout_s=540)  (there)
# Phases, all by default, or only those named: env tests bench spam interop
#   env      nvidia-smi, the Vulkan ICDs, `nlp-studio env` (adapters, why the GPU is or is not used)
#   tests    test/unit/backend-webgpu.test.ts on the GPU (CI=1: a missing adapter fails)
#   bench    bench/gpu-bert-step.ts, BERT-base step: webgpu vs PyTorch eager fp32 and bf16 autocast
#   spam     examples/classify-spam-bert.nlp.yaml to its final metrics on webgpu, then on wasm: time ratio
#   interop  the webgpu-trained spam classifier in transformers' AutoModelForSequenceClassification:
#            its probabilities against ours (`nlp-studio predict`)
# Logs go to $OUT (the device tool brings them back) or /tmp/gpu-check. Nothing here fakes a figure:
# each phase prints what its program printed.
set -uo pipefail
cd "$(dirname "$0")/../.."
if (($#)); then phases=("$@"); else phases=(env tests bench spam interop); fi
LOGS="${OUT:-/tmp/gpu-check}"
mkdir -p "$LOGS"
DEVICE=.device
has() { [[ " ${phases[*]} " == *" $1 "* ]]; }

# Node.js, the bundles, the fixtures the tests read (out/device/../models, as test/fixtures/models is to test/unit).
BIN="$(mktemp -d)"
xz -dc "$DEVICE/node.xz" > "$BIN/node" && chmod +x "$BIN/node"
export PATH="$BIN:$PATH"
tar -xJf "$DEVICE/bundle.tar.xz"
rm -rf out/models && cp -r test/fixtures/models out/models
# The machine's own Vulkan loader when it has one; Debian's otherwise.
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then export LD_LIBRARY_PATH="$PWD/$DEVICE/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
# A driver without an installed Vulkan manifest still ships its Vulkan ICD library: point the loader at it.
if ! ls /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json >/dev/null 2>&1 && ldconfig -p | grep -q libGLX_nvidia.so.0; then
  echo '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}' > "$BIN/nvidia_icd.json"
  export VK_ICD_FILENAMES="$BIN/nvidia_icd.json"
fi
export XDG_RUNTIME_DIR="$BIN"
CLI=(node out/device/cli.js)
echo "node $(node --version); phases: ${phases[*]}; logs in $LOGS"

if has env; then
  echo "== env"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null
  "${CLI[@]}" env > "$LOGS/env.md" 2> "$LOGS/env.err"
  sed -n '1,12p' "$LOGS/env.md"
fi

if has tests; then
  echo "== tests"
  (cd out/device && CI=1 timeout 240 node --test --test-reporter=spec backend-webgpu.test.js) > "$LOGS/tests.log" 2>&1
  echo "exit $?"; grep -E '^ℹ (tests|pass|fail|skipped)|^ *✖' "$LOGS/tests.log" | head -20
fi

if has bench; then
  echo "== bench"
  timeout 240 node out/device/gpu-bert-step.js --python python3 > "$LOGS/bench.log" 2> "$LOGS/bench.err"
  echo "exit $?"; cat "$LOGS/bench.log"
fi

# The spam example on one backend: a copy of its config beside it (its paths are relative), timed whole.
train_spam() {
  local backend="$1" config="examples/classify-spam-bert-$1.nlp.yaml"
  sed -e "s/^name: classify-spam-bert$/name: classify-spam-bert-$backend/" examples/classify-spam-bert.nlp.yaml > "$config"
  echo "backend: $backend" >> "$config"
  local start=$SECONDS
  timeout 300 "${CLI[@]}" train "$config" > "$LOGS/spam-$backend.log" 2>&1
  local code=$?
  echo "$backend: exit $code, $((SECONDS - start)) s wall"
  grep -E '^runs on|Final model' "$LOGS/spam-$backend.log"
}

if has spam; then
  echo "== spam"
  train_spam webgpu
  train_spam wasm
fi

if has interop; then
  echo "== interop"
  model=examples/runs/classify-spam-bert-webgpu
  [[ -f "$model/config.json" ]] || train_spam webgpu
  # 40 validation e-mails on one line each, short enough that neither side truncates them.
  python3 -c 'import csv; rows = list(csv.DictReader(open("examples/data/spam-valid.csv", encoding="utf8")))[:40]; print("\n".join(" ".join(r["text"].split())[:600] for r in rows))' > "$BIN/texts.txt"
  "${CLI[@]}" predict "$model" --file "$BIN/texts.txt" > "$LOGS/ours.jsonl" 2> "$LOGS/predict.err"
  python3 - "$model" "$BIN/texts.txt" "$LOGS/ours.jsonl" <<'PY'
import json, sys
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
folder, texts_file, ours_file = sys.argv[1:4]
texts = open(texts_file, encoding="utf8").read().splitlines()
ours = [json.loads(line) for line in open(ours_file, encoding="utf8")]
tokenizer = AutoTokenizer.from_pretrained(folder)
model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
with torch.no_grad():
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    theirs = torch.softmax(model(**batch).logits, dim=-1).tolist()
worst = max(abs(row[i] - mine["probabilities"][label]) for row, mine in zip(theirs, ours) for i, label in enumerate(labels))
agree = sum(max(range(len(labels)), key=lambda i: row[i]) == labels.index(mine["label"]) for row, mine in zip(theirs, ours))
print(f"transformers vs ours (webgpu) on {len(texts)} validation e-mails: max |Δp| = {worst:.2e}, same label on {agree}/{len(texts)}")
PY
fi
