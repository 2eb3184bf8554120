#!/usr/bin/env bash
# Installs what the tests need and a fresh machine lacks, before the first test that needs it:
#   - Debian's Chromium, for the webview tests and the end-to-end suite (Playwright must never download
#     a browser of its own);
#   - code-server 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) in a cache folder, as
#     @vscode/test-electron does with .vscode-test/, for the end-to-end suite;
#   - Mesa's EGL and OpenGL ES with llvmpipe: a software GPU adapter that WebGPU (Dawn's OpenGL ES
#     route, compatibility mode) accepts, so the webgpu backend's tests run on machines without a GPU.
# Idempotent and quick when everything is there. Without root and without sudo it installs nothing
# and prints the one command that would. `npm test`, `npm run test:unit` and `npm run test:e2e` run it.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
CACHE_DIR="${NLP_STUDIO_TEST_CACHE:-$PWD/.vscode-test}"
CODE_SERVER_DIR="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"

# chromium: the browser; the -dev packages and pkg-config: code-server's native modules build against them;
# libegl1 … libgl1-mesa-dri: the software adapter for test/unit/backend-webgpu.test.ts.
apt_packages=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "test setup: the tests need Debian packages that are not installed: ${missing[*]}" >&2
    echo "test setup: install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "test setup: installing ${missing[*]} from Debian" >&2
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -x "$CODE_SERVER_DIR/node_modules/.bin/code-server" ]]; then
  echo "test setup: installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR (about two minutes, once)" >&2
  # @vscode/ripgrep's install downloads ripgrep; seed the cache it checks with Debian's rg instead.
  tmp="${TMPDIR:-/tmp}"
  rg_cache="$tmp/vscode-ripgrep-cache-1.15.11"
  rg_tar="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [[ ! -f "$rg_tar" ]]; then
    mkdir -p "$rg_cache"
    staging="$(mktemp -d)"
    cp /usr/bin/rg "$staging/rg"
    tar -czf "$rg_tar" -C "$staging" rg
    rm -rf "$staging"
  fi
  partial="$CODE_SERVER_DIR.partial"
  rm -rf "$partial"
  mkdir -p "$partial"
  echo '{"name":"code-server-cache","private":true}' > "$partial/package.json"
  (cd "$partial" && npm_config_yes=true npm_config_unsafe_perm=true npm_config_foreground_scripts=false \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >/dev/null)
  rm -rf "$CODE_SERVER_DIR"
  mv "$partial" "$CODE_SERVER_DIR"
fi
echo "test setup: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), code-server $CODE_SERVER_VERSION, Mesa's software GPU ready" >&2
