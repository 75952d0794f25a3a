#!/usr/bin/env python3
"""Real, deterministic inputs for the PaddleOCR models (scripts/paddleocr-reference.sh).

  ocr-inputs.py OUT_DIR

Renders with Pillow and the DejaVu fonts (Debian: python3-pil, fonts-dejavu-core):
  OUT_DIR/line.png, OUT_DIR/page.png   the rendered images (for a human to look at)
  OUT_DIR/cls.in0.bin   1x3x48x192 float32: the line, as PaddleOCR's cls preprocessing
  OUT_DIR/rec.in0.bin   1x3x48x320 float32: the line, as PaddleOCR's rec preprocessing
  OUT_DIR/det.in0.bin   1x3x640x640 float32: the page, as PaddleOCR's det preprocessing
  OUT_DIR/rec.text      the rendered line (UTF-8, no newline)

PaddleOCR reads images with OpenCV, so channels are in BGR order, and it normalizes that BGR
image directly: cls/rec with (x/255 - 0.5)/0.5, resized to height 48 keeping the aspect ratio
and padded with zeros on the right; det with the ImageNet mean/std (0.485, 0.456, 0.406) /
(0.229, 0.224, 0.225) applied to the B, G, R planes in that order. No CJK font is installed
on Debian by default, so the text is Latin letters and digits.
"""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
LINE_TEXT = "PQNN 2026 Hello"
PAGE_LINES = [
    ("DejaVuSans.ttf", 40, "Invoice No. 20261205"),
    ("DejaVuSerif.ttf", 32, "Total amount: 1234.56 EUR"),
    ("DejaVuSans-Bold.ttf", 48, "FAST INFERENCE"),
    ("DejaVuSansMono.ttf", 28, "pqnn runs PaddleOCR"),
    ("DejaVuSans.ttf", 24, "The quick brown fox jumps over"),
    ("DejaVuSerif-Bold.ttf", 36, "Page 7 of 12"),
]


def font(name, size):
    return ImageFont.truetype(os.path.join(FONT_DIR, name), size)


def render_line():
    f = font("DejaVuSans.ttf", 30)
    left, top, right, bottom = f.getbbox(LINE_TEXT)
    w, h = right - left + 4, 48
    img = Image.new("RGB", (w, h), (255, 255, 255))
    ImageDraw.Draw(img).text((2 - left, (h - (bottom - top)) // 2 - top), LINE_TEXT, font=f,
                             fill=(20, 20, 20))
    return img


def render_page():
    img = Image.new("RGB", (640, 640), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    y = 40
    for k, (name, size, text) in enumerate(PAGE_LINES):
        draw.text((30 + 25 * (k % 3), y), text, font=font(name, size), fill=(0, 0, 0))
        y += size + 50
    return img


def bgr(img):
    """HxWx3 uint8 RGB image -> HxWx3 float array in BGR order (as cv2.imread gives)."""
    return np.asarray(img, dtype=np.float32)[:, :, ::-1]


def line_input(img, width):
    """PaddleOCR's cls/rec resize-normalize-pad to 3x48xwidth."""
    h = 48
    w = min(width, int(np.ceil(h * img.width / img.height)))
    resized = img.resize((w, h), Image.BILINEAR)
    x = (bgr(resized) / 255.0 - 0.5) / 0.5
    out = np.zeros((3, h, width), dtype=np.float32)
    out[:, :, :w] = x.transpose(2, 0, 1)
    return out[None]


def det_input(img):
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    x = (bgr(img) / 255.0 - mean) / std
    return x.transpose(2, 0, 1)[None].astype(np.float32)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: ocr-inputs.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    line, page = render_line(), render_page()
    line.save(os.path.join(out, "line.png"))
    page.save(os.path.join(out, "page.png"))
    line_input(line, 192).astype("<f4").tofile(os.path.join(out, "cls.in0.bin"))
    line_input(line, 320).astype("<f4").tofile(os.path.join(out, "rec.in0.bin"))
    det_input(page).astype("<f4").tofile(os.path.join(out, "det.in0.bin"))
    with open(os.path.join(out, "rec.text"), "w", encoding="utf-8") as f:
        f.write(LINE_TEXT)


if __name__ == "__main__":
    main()
