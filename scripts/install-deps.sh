#!/usr/bin/env bash
# Installs, from Debian's packages, only the build dependencies that are missing.
# Usage: scripts/install-deps.sh [extra-package ...]
# Callers add what only they need when its command is missing: scripts/test.sh nodejs npm
# (ONNX Runtime references), scripts/demo.sh nodejs npm gnuplot-nox python3-pil
# fonts-dejavu-core (ONNX Runtime, the chart, the rendered text inputs).
set -euo pipefail
packages=(build-essential cmake ninja-build ccache pkg-config python3 libsimde-dev
          libcpuinfo-dev libpthreadpool-dev libfp16-dev libgtest-dev libbenchmark-dev
          protobuf-c-compiler libprotobuf-c-dev python3-onnx python3-numpy libcjson-dev
          python3-pil fonts-dejavu-core "$@")
missing=()  # "hold ok installed" (a held package) counts as installed
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-deps: not root and no sudo; install these yourself: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
