"""Reproduce ``src/simkyc/demo/astronaut.jpg``: the public-domain portrait ``simkyc demo`` uses.

The photo is scikit-image's ``skimage/data/astronaut.png`` (Eileen Collins,
NASA, "no known copyright restrictions, released into the public domain"),
taken from the scikit-image 0.26.0 wheel on PyPI and saved as JPEG quality 92.

    python scripts/demo_photo.py            # downloads the wheel with pip, writes the JPEG
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image

OUT = Path(__file__).resolve().parents[1] / "src" / "simkyc" / "demo" / "astronaut.jpg"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "scikit-image==0.26.0", "-d", tmp], check=True)
        wheel = next(Path(tmp).glob("scikit_image-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            png = z.read("skimage/data/astronaut.png")
    Image.open(io.BytesIO(png)).convert("RGB").save(OUT, "JPEG", quality=92)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
