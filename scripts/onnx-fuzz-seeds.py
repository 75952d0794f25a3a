#!/usr/bin/env python3
"""Seeds for the ONNX importer's fuzz target from real model files (scripts/fuzz.sh).

  onnx-fuzz-seeds.py OUT_DIR MODEL.onnx...

Writes, per model, a copy, truncated copies (cut at 1/3, 1/2 and 7 bytes short of the end)
and copies with a few flipped bits (fixed seed). Model files are never committed: fuzz.sh
calls this at fuzz time on the models scripts/fetch-models.sh cached.
"""
import os
import random
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: onnx-fuzz-seeds.py OUT_DIR MODEL.onnx...")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261205)
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.splitext(os.path.basename(path))[0]

        def write(suffix, blob):
            with open(os.path.join(out, name + suffix), "wb") as f:
                f.write(blob)

        write(".onnx", data)
        for cut in (len(data) // 3, len(data) // 2, len(data) - 7):
            write(".cut%d" % cut, data[:max(cut, 0)])
        for trial in range(3):
            flipped = bytearray(data)
            # Flips in the first 64 KiB hit the graph's structure (names, dims, attributes)
            # rather than only weight bytes.
            for _ in range(1 + 2 * trial):
                i = rng.randrange(min(len(flipped), 65536))
                flipped[i] ^= 1 << rng.randrange(8)
            write(".flip%d" % trial, bytes(flipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
