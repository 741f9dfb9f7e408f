"""Make a photo look like an identity-document portrait, for calibration.

The matcher's reference is rarely a good photo: a resident-ID chip photo is
102x126 px, often grey or faded; a photographed card portrait has been printed
(halftone screen), photographed at an angle under shop lighting, and JPEG
compressed. These functions reproduce those effects on an RGB ``uint8`` image,
deterministically for a given ``numpy.random.Generator`` seed, so the benchmark
can measure FNMR/FMR with degraded references.

Limits: a simulation, not a real card. It does not model laminate holograms,
guilloche patterns over the face, or the ageing between the ID photo and today
(the biggest real-world effect; the source photos differ in age only by chance).
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from simkyc.face.detection import FaceBox

#: Chinese resident ID (second generation) chip photo size, pixels (width, height).
CHIP_PHOTO_SIZE = (102, 126)


def id_photo_crop(image: np.ndarray, box: FaceBox,
                  size: tuple[int, int] = CHIP_PHOTO_SIZE) -> np.ndarray:
    """Crop an ID-photo framing around ``box`` and resize it to ``size`` (w, h) pixels.

    The face box spans about 62% of the photo width with some room above the
    head, as on an ID portrait. Areas outside the source are filled with white
    (the background of an ID photo).
    """
    w_out, h_out = size
    cx = (box.left + box.right) / 2
    crop_w = box.width / 0.62
    crop_h = crop_w * h_out / w_out
    top = box.top - 0.42 * box.height
    x0, y0 = int(round(cx - crop_w / 2)), int(round(top))
    x1, y1 = int(round(x0 + crop_w)), int(round(y0 + crop_h))
    h, w = image.shape[:2]
    pad = max(0, -x0, -y0, x1 - w, y1 - h)
    if pad:
        image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT,
                                   value=(235, 235, 235))
        x0, x1, y0, y1 = x0 + pad, x1 + pad, y0 + pad, y1 + pad
    crop = image[y0:y1, x0:x1]
    return cv2.resize(crop, (w_out, h_out), interpolation=cv2.INTER_AREA)


def grayscale(image: np.ndarray) -> np.ndarray:
    """Grey, as many chip photos and photocopies are (still 3 channels)."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


def faded(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Faded colour: desaturated, low contrast, lifted blacks and a slight colour cast."""
    img = image.astype(np.float32)
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * rng.uniform(0.2, 0.45)  # keep 20-45% of the saturation
    img = 128 + (img - 128) * rng.uniform(0.55, 0.75)  # lower contrast
    img = img + rng.uniform(15, 35)  # lifted blacks
    img = img * rng.uniform(0.93, 1.05, size=3)  # yellowed / bluish cast
    return np.clip(img, 0, 255).astype(np.uint8)


def jpeg(image: np.ndarray, quality: int = 15) -> np.ndarray:
    """Strong JPEG compression (quality 1..100; 15 shows clear 8x8 blocks)."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def blurred(image: np.ndarray, sigma: float = 0.8) -> np.ndarray:
    """Soft focus or a soft resampling: Gaussian blur of ``sigma`` pixels."""
    return cv2.GaussianBlur(image, (0, 0), sigma)


def printed_and_photographed(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A printed portrait photographed by a phone: halftone, tilt, glare, blur, noise.

    The output has the input's size.
    """
    h, w = image.shape[:2]
    scale = 4
    big = cv2.resize(image, (w * scale, h * scale), interpolation=cv2.INTER_CUBIC)
    big = big.astype(np.float32)
    # Halftone-like print screen: a rotated periodic dot pattern modulating the ink.
    yy, xx = np.mgrid[0 : h * scale, 0 : w * scale].astype(np.float32)
    angle = np.deg2rad(rng.uniform(15, 75))
    period = rng.uniform(2.5, 3.5)
    u = xx * np.cos(angle) + yy * np.sin(angle)
    v = -xx * np.sin(angle) + yy * np.cos(angle)
    screen = (np.cos(2 * np.pi * u / period) * np.cos(2 * np.pi * v / period)) * 0.5 + 0.5
    big = big * (0.85 + 0.15 * screen[..., None])
    # Paper/ink response: softer blacks, slight gamma.
    big = 255.0 * (np.clip(big, 0, 255) / 255.0) ** rng.uniform(0.85, 1.15)
    big = 20 + big * 0.88
    # Perspective: the card is not quite parallel to the camera.
    jitter = 0.04 * np.array([w * scale, h * scale], dtype=np.float32)
    src = np.array([[0, 0], [w * scale, 0], [w * scale, h * scale], [0, h * scale]],
                   dtype=np.float32)
    dst = src + rng.uniform(-1, 1, size=(4, 2)).astype(np.float32) * jitter
    m = cv2.getPerspectiveTransform(src, dst)
    big = cv2.warpPerspective(big, m, (w * scale, h * scale), borderMode=cv2.BORDER_REPLICATE)
    # Glare: a soft bright blob from the shop's ceiling light.
    gx, gy = rng.uniform(0.2, 0.8) * w * scale, rng.uniform(0.1, 0.6) * h * scale
    sigma = rng.uniform(0.25, 0.45) * w * scale
    glare = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * sigma**2))
    big = big + rng.uniform(20, 45) * glare[..., None]
    # Camera: defocus, downsample, sensor noise.
    big = cv2.GaussianBlur(big, (0, 0), rng.uniform(1.5, 2.5))
    small = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
    small = small + rng.normal(0, rng.uniform(3, 6), size=small.shape)
    return np.clip(small, 0, 255).astype(np.uint8)


def id_card_reference(image: np.ndarray, box: FaceBox, rng: np.random.Generator) -> np.ndarray:
    """Everything at once: 102x126 chip crop, faded, printed-and-photographed, JPEG q=20."""
    chip = id_photo_crop(image, box)
    return jpeg(printed_and_photographed(faded(chip, rng), rng), quality=20)


#: The named degradations the benchmark applies to the reference image.
#: Each takes (image, face box, rng) and returns a new RGB uint8 image.
DEGRADATIONS: dict[str, Callable[[np.ndarray, FaceBox, np.random.Generator], np.ndarray]] = {
    "chip_102x126": lambda img, box, rng: id_photo_crop(img, box),
    "chip_grey": lambda img, box, rng: grayscale(id_photo_crop(img, box)),
    "chip_faded": lambda img, box, rng: faded(id_photo_crop(img, box), rng),
    "chip_jpeg_q40": lambda img, box, rng: jpeg(id_photo_crop(img, box), 40),
    "chip_jpeg_q15": lambda img, box, rng: jpeg(id_photo_crop(img, box), 15),
    # Faded, then grey (a faded print photocopied), blurred 0.8 px, then JPEG q15.
    "chip_q15_grey_faded_blur": lambda img, box, rng: jpeg(
        blurred(grayscale(faded(id_photo_crop(img, box), rng))), 15),
    "printed_photographed": lambda img, box, rng: printed_and_photographed(
        id_photo_crop(img, box, (204, 252)), rng),
    "id_card_all": id_card_reference,
}

__all__ = [
    "CHIP_PHOTO_SIZE",
    "DEGRADATIONS",
    "blurred",
    "faded",
    "grayscale",
    "id_card_reference",
    "id_photo_crop",
    "jpeg",
    "printed_and_photographed",
]
