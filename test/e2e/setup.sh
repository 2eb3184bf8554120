#!/usr/bin/env bash
# Installs what the end-to-end suite needs and a fresh machine lacks: Debian's Chromium (Playwright
# must never download its own browser) and code-server 4.100.3 (VS Code 1.100.3, the newest that runs
# on Node 20) in a cache folder, as @vscode/test-electron does with .vscode-test/.
set -euo pipefail
cd "$(dirname "$0")/../.."

CODE_SERVER_VERSION=4.100.3
CACHE_DIR="${NLP_STUDIO_TEST_CACHE:-$PWD/.vscode-test}"
CODE_SERVER_DIR="$CACHE_DIR/code-server-$CODE_SERVER_VERSION"

apt_packages=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "e2e setup: installing ${missing[*]} from Debian" >&2
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -x "$CODE_SERVER_DIR/node_modules/.bin/code-server" ]]; then
  echo "e2e setup: installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR" >&2
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
echo "e2e setup: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), code-server $CODE_SERVER_VERSION ready" >&2
