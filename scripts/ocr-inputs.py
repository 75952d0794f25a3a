#!/usr/bin/env python3
"""Real-looking inputs for the PaddleOCR models: a rendered line of text for the
classifier (1x3x48x192) and the recognizer (1x3x48x320), and a rendered page for the
detector (1x3x640x640), as raw little-endian float32 NCHW normalized the way PaddleOCR
feeds them ((pixel / 255 - 0.5) / 0.5). Deterministic: fixed text, layout and font
(DejaVu Sans when installed, else PIL's built-in font).
usage: ocr-inputs.py OUT_DIR   (writes cls.bin, rec.bin, det.bin)"""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/dejavu/DejaVuSans.ttf"]
LINES = ["pqnn runs ONNX models", "Invoice 2026-12-05 total 48.90",
         "The quick brown fox jumps over", "the lazy dog 0123456789",
         "Shipping address: 12 Main Street", "Order #A-7731 qty 3 unit 16.30"]


def font(size):
    for path in FONT_PATHS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def normalized(img):
    x = np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0
    x = (x - 0.5) / 0.5
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype("<f4")


def text_line(width, height, text):
    img = Image.new("RGB", (width, height), (250, 248, 240))
    ImageDraw.Draw(img).text((6, height // 2 - 16), text, fill=(20, 20, 30), font=font(28))
    return img


def page(size):
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y = 40
    for k, line in enumerate(LINES * 3):
        draw.text((30 + 20 * (k % 3), y), line, fill=(10, 10, 10), font=font(22 + 4 * (k % 3)))
        y += 34
        if y > size - 40:
            break
    return img


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    normalized(text_line(192, 48, "pqnn runs ONNX")).tofile(os.path.join(out, "cls.bin"))
    normalized(text_line(320, 48, "pqnn runs ONNX models")).tofile(os.path.join(out, "rec.bin"))
    normalized(page(640)).tofile(os.path.join(out, "det.bin"))


if __name__ == "__main__":
    main()
