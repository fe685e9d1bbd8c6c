"""Make docs/screenshot.png (< 200 KB) from the browser tests' "saved" desktop screenshot."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tests" / "artifacts" / "saved-desktop.png"
TARGET = REPO / "docs" / "screenshot.png"


def main() -> None:
    """Crop the top of the screen, scale it to 960 px wide and keep 96 colours."""
    if not SOURCE.exists():
        sys.exit(f"{SOURCE} is missing: run .venv/bin/pytest tests/browser/test_saving.py first")
    image = Image.open(SOURCE).convert("RGB")
    top = image.crop((0, 0, image.width, min(image.height, 1500)))
    small = top.resize((960, round(top.height * 960 / top.width)), Image.Resampling.LANCZOS)
    small.quantize(colors=96, dither=Image.Dither.NONE).save(TARGET, optimize=True)
    print(f"{TARGET.relative_to(REPO)}: {TARGET.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
