#!/usr/bin/env bash
# Regenerates every generated source and fails if anything changed: generated code is
# committed, and its generator must reproduce it exactly.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/generate-kernels.py
python3 scripts/gen-fuzz-corpus.py
if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1; then
  if ! git diff --quiet -- src test bench cmake; then
    echo "check-generated: regeneration changed committed files:" >&2
    git diff --stat -- src test bench cmake >&2
    exit 1
  fi
  untracked=$(git ls-files --others --exclude-standard -- src test bench cmake)
  if [ -n "$untracked" ] && [ -n "${CI:-}" ]; then
    echo "check-generated: generators wrote files that are not committed:" >&2
    echo "$untracked" >&2
    exit 1
  fi
fi
