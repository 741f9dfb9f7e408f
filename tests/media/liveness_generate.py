"""Synthesise liveness test videos from one real photo (seeded, reproducible).

How: mediapipe's face mesh gives 468 points *with depth* on the photo. Each
output frame moves those points in 3-D (head yaw/pitch about a pivot behind
the face, eyelids closing, jaw dropping), projects them orthographically, and
warps the photo piecewise-affinely (one affine map per Delaunay triangle of the
mesh plus a fixed ring of anchor points around the head, cv2 ``remap``;
triangles are painted far-to-near so the turned-away cheek is hidden). The
open mouth's inside is painted dark. Then per-frame global effects: hand-shake
(small random-walk shift/rotation), brightness, screen-colour tint on the face,
Gaussian blur and sensor noise. Output: RGB frames + timestamps in ms, written
by :func:`write_video` as mp4 (H.264), webm (VP8) or y4m (Chromium's fake
camera format: ``--use-file-for-fake-video-capture=x.y4m``).

Limits (see README-liveness.md): a 2-D photo warped by a mesh is not a real
head: no new texture appears when the head turns (the hidden side is never
seen), hair and ears stay fixed outside the anchor ring, lighting does not
follow the pose, eyelids are stretched skin rather than real lids.

Run ``python tests/media/liveness_generate.py --help`` to write one video.
"""

from __future__ import annotations

import argparse
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import av
import cv2
import numpy as np

from simkyc.face.models import open_face_mesh
from simkyc.liveness.screen_light import SCREEN_RGB
from simkyc.media.images import read_image_file

ROOT = Path(__file__).resolve().parents[2]
FACES = ROOT / ".." / "shared" / "data" / "faces"
OUT = ROOT / "tests" / "media" / "out"

#: Single-face photos of different people used by tests and the benchmark.
PHOTOS: tuple[str, ...] = (
    "face_recognition/obama.jpg",
    "face_recognition/biden.jpg",
    "face_recognition/kit_harington_john1.jpeg",
    "face_recognition/rose_leslie_img1.jpg",
    "face_recognition/alex_lacamoire_img1.jpg",
    # deepface-pairs: one photo per identity (identities from master.csv's "Yes" pairs)
    "deepface-pairs/img1.jpg",
    "deepface-pairs/img3.jpg",
    "deepface-pairs/img8.jpg",
    "deepface-pairs/img13.jpg",
    "deepface-pairs/img17.jpg",
    "deepface-pairs/img18.jpg",
    "deepface-pairs/img20.jpg",
    "deepface-pairs/img22.jpg",
    "deepface-pairs/img24.jpg",
)

# Mesh indices (mediapipe FaceMesh topology).
_UPPER_LIDS = ((246, 161, 160, 159, 158, 157, 173), (466, 388, 387, 386, 385, 384, 398))
_LOWER_LIDS = ((7, 163, 144, 145, 153, 154, 155), (249, 390, 373, 374, 380, 381, 382))
_LID_CREASE = ((247, 30, 29, 27, 28, 56, 190), (467, 260, 259, 257, 258, 286, 414))
_INNER_UPPER_LIP = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
_INNER_LOWER_LIP = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)

W, H = 640, 480

#: Screen colours (RGB, 0..1): the same table the check uses.
SCREEN_COLOURS = SCREEN_RGB


@dataclass(frozen=True)
class Pose:
    """One frame's parameters. Angles in degrees: ``yaw`` > 0 = the customer's
    own left (nose toward the image's right edge); ``pitch`` > 0 = chin up.
    ``eyes`` and ``mouth``: 0 (open eyes / closed mouth) .. 1 (closed / open).
    ``dx``, ``dy``: pixels; ``roll``: degrees (hand shake, whole frame)."""

    yaw: float = 0.0
    pitch: float = 0.0
    eyes: float = 0.0
    mouth: float = 0.0
    dx: float = 0.0
    dy: float = 0.0
    roll: float = 0.0
    tint: tuple[float, float, float] | None = None


@dataclass
class Face:
    """A photo framed at 640x480 and its mesh (468 points: x, y px; z px, <0 = nearer)."""

    image: np.ndarray
    points: np.ndarray
    triangles: np.ndarray
    anchors: np.ndarray
    skin_mask: np.ndarray = field(repr=False)


def _mesh(image: np.ndarray) -> np.ndarray | None:
    with open_face_mesh(static_image_mode=True, max_num_faces=1) as mesh:
        res = mesh.process(image)
    if not res.multi_face_landmarks:
        return None
    h, w = image.shape[:2]
    return np.array([(p.x * w, p.y * h, p.z * w) for p in res.multi_face_landmarks[0].landmark],
                    dtype=np.float64)


@lru_cache(maxsize=32)
def prepare_face(photo: str, face_width: int = 210) -> Face:
    """Frame ``photo`` (path relative to the faces folder) at 640x480 with the
    face ``face_width`` px wide and centred; build its mesh and triangulation."""
    img = read_image_file(FACES / photo)
    pts = _mesh(img)
    if pts is None:
        raise ValueError(f"no face in {photo}")
    x0, x1 = pts[:, 0].min(), pts[:, 0].max()
    cx, cy = (x0 + x1) / 2, (pts[:, 1].min() + pts[:, 1].max()) / 2
    s = face_width / (x1 - x0)
    m = np.array([[s, 0, W / 2 - s * cx], [0, s, H / 2 - s * cy + 10]])
    framed = cv2.warpAffine(img, m, (W, H), flags=cv2.INTER_AREA,
                            borderMode=cv2.BORDER_REPLICATE)  # a mirror could add faces
    pts = _mesh(framed)
    if pts is None:
        raise ValueError(f"no face in framed {photo}")
    pts = pts[:468]
    c = pts[:, :2].mean(axis=0)
    r = np.abs(pts[:, :2] - c).max(axis=0)
    ang = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    ring = np.stack([c[0] + 1.45 * r[0] * np.cos(ang), c[1] + 1.35 * r[1] * np.sin(ang)], 1)
    border = np.array([[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1],
                       [W / 2, 0], [W / 2, H - 1], [0, H / 2], [W - 1, H / 2]])
    anchors = np.vstack([np.clip(ring, 0, [W - 1, H - 1]), border])
    all2d = np.vstack([pts[:, :2], anchors])
    tris = _delaunay(all2d)
    tris = tris[(tris < len(pts)).any(axis=1)]  # all-anchor triangles do not move
    hull = cv2.convexHull(pts[:, :2].astype(np.float32)).astype(np.int32)
    mask = np.zeros((H, W), np.float32)
    cv2.fillConvexPoly(mask, hull, 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), 12)
    return Face(image=framed, points=pts, triangles=tris, anchors=anchors, skin_mask=mask)


def _delaunay(points: np.ndarray) -> np.ndarray:
    sub = cv2.Subdiv2D((-1, -1, W + 2, H + 2))
    for p in points:
        sub.insert((float(p[0]), float(p[1])))
    out = []
    for t in sub.getTriangleList():
        v = t.reshape(3, 2)
        if (v < -1).any() or (v[:, 0] > W + 1).any() or (v[:, 1] > H + 1).any():
            continue
        d = np.linalg.norm(points[None, :, :] - v[:, None, :], axis=2)
        out.append(d.argmin(axis=1))
    return np.array(out, dtype=np.int64)


def _deform(face: Face, pose: Pose) -> np.ndarray:
    """Moved mesh points (468, 3) for ``pose`` (before projection)."""
    p = face.points.copy()
    if pose.eyes > 0:
        for up, lo, cr in zip(_UPPER_LIDS, _LOWER_LIDS, _LID_CREASE, strict=True):
            # Lids meet at 85 % of the opening (the lower lid rises a little too).
            d = (p[list(lo), 1] - p[list(up), 1]) * pose.eyes
            p[list(up), 1] += 0.85 * d
            p[list(lo), 1] -= 0.15 * d
            p[list(cr), 1] += 0.55 * d
    if pose.mouth > 0:
        # The jaw drops: everything below the upper inner lip moves down, the
        # upper lip stays; the drop fades toward the sides of the face.
        cx = p[:, 0].mean()
        hw = (p[:, 0].max() - p[:, 0].min()) / 2
        drop = 0.42 * np.linalg.norm(p[61, :2] - p[291, :2]) * pose.mouth
        upper = p[list(_INNER_UPPER_LIP), :2]
        upper = upper[np.argsort(upper[:, 0])]
        lip_y = np.interp(p[:, 0], upper[:, 0], upper[:, 1])
        wy = np.clip((p[:, 1] - lip_y) / 3.0, 0, 1)
        wy[list(_INNER_UPPER_LIP)] = 0.0
        wy[list(_INNER_LOWER_LIP[1:-1])] = 1.0
        wx = np.clip((hw - np.abs(p[:, 0] - cx)) / (0.45 * hw), 0, 1)
        p[:, 1] += drop * wy * wx
    cx, cy = p[:, 0].mean(), p[:, 1].mean()
    width = p[:, 0].max() - p[:, 0].min()
    pz = p[:, 2].mean() + 0.75 * width  # pivot: inside the head, behind the face
    a, b = math.radians(pose.yaw), math.radians(pose.pitch)
    x, y, z = p[:, 0] - cx, p[:, 1] - cy, p[:, 2] - pz
    x, z = x * math.cos(a) - z * math.sin(a), x * math.sin(a) + z * math.cos(a)
    y, z = y * math.cos(b) + z * math.sin(b), -y * math.sin(b) + z * math.cos(b)
    return np.stack([x + cx, y + cy, z + pz], 1)


def render(face: Face, pose: Pose, rng: np.random.Generator, *, noise: float = 2.0,
           blur: float = 0.0, light: float = 1.0, tint_strength: float = 0.10,
           bank: list[np.ndarray] | None = None) -> np.ndarray:
    """One RGB frame (480, 640, 3) of ``face`` in ``pose``."""
    moved = _deform(face, pose)
    src = np.vstack([face.points[:, :2], face.anchors]).astype(np.float32)
    dst = np.vstack([moved[:, :2], face.anchors]).astype(np.float32)
    z = np.concatenate([moved[:, 2], np.full(len(face.anchors), 1e6)])
    order = np.argsort(-z[face.triangles].mean(axis=1))  # far first, near last
    used = dst[np.unique(face.triangles)]
    x0, y0 = np.floor(used.min(axis=0)).astype(int).clip(0)
    x1, y1 = np.ceil(used.max(axis=0)).astype(int) + 1
    x1, y1 = min(x1, W), min(y1, H)
    lab = np.full((y1 - y0, x1 - x0), -1, np.int32)
    mats = np.zeros((len(face.triangles), 2, 3), np.float64)
    off = np.array([x0, y0], np.float32)
    for k in order:
        t = face.triangles[k]
        d = dst[t]
        area = (d[1, 0] - d[0, 0]) * (d[2, 1] - d[0, 1]) - (d[2, 0] - d[0, 0]) * (d[1, 1] - d[0, 1])
        if abs(area) < 1e-3:
            continue
        mats[k] = cv2.getAffineTransform(d, src[t])
        cv2.fillConvexPoly(lab, np.round((d - off) * 16).astype(np.int32), int(k), shift=4)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    valid = lab >= 0
    mats[:, 0, 0] -= 1  # store (map - identity) so invalid pixels (label 0 -> zeros) stay put
    mats[:, 1, 1] -= 1
    mats = np.vstack([np.zeros((1, 2, 3)), mats]).astype(np.float32)
    m = mats[lab + 1]
    mx = xx + m[..., 0, 0] * xx + m[..., 0, 1] * yy + m[..., 0, 2]
    my = yy + m[..., 1, 0] * xx + m[..., 1, 1] * yy + m[..., 1, 2]
    del valid
    out = face.image.copy()
    out[y0:y1, x0:x1] = cv2.remap(face.image, mx.astype(np.float32), my.astype(np.float32),
                                  cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if pose.mouth > 0.1:
        poly = np.vstack([moved[list(_INNER_UPPER_LIP), :2],
                          moved[list(_INNER_LOWER_LIP[::-1]), :2]]).astype(np.int32)
        inside = np.zeros((H, W), np.uint8)
        cv2.fillPoly(inside, [poly], 255)
        alpha = (cv2.GaussianBlur(inside, (0, 0), 1.5).astype(np.float32) / 255)[..., None]
        alpha *= min(1.0, pose.mouth * 1.3)
        out = (out * (1 - alpha) + np.array([55, 20, 25], np.float32) * alpha).astype(np.uint8)
    f = out.astype(np.float32) * light
    if pose.tint is not None:
        mask = cv2.warpAffine(face.skin_mask, np.float32([[1, 0, 0], [0, 1, 0]]), (W, H))
        gain = 1 + tint_strength * (np.array(pose.tint, np.float32) * 2 - 1)
        f *= 1 + (gain - 1) * (0.35 + 0.65 * mask[..., None])
    if pose.dx or pose.dy or pose.roll:
        m2 = cv2.getRotationMatrix2D((W / 2, H / 2), pose.roll, 1.0)
        m2[:, 2] += (pose.dx, pose.dy)
        f = cv2.warpAffine(f, m2, (W, H), borderMode=cv2.BORDER_REFLECT)
    if blur > 0:
        f = cv2.GaussianBlur(f, (0, 0), blur)
    if noise > 0:
        f += _noise_field(rng, noise, bank)
    return np.clip(f, 0, 255).astype(np.uint8)


def noise_bank(rng: np.random.Generator, n: int = 3) -> list[np.ndarray]:
    """Unit sensor-noise fields drawn once per clip and re-used with random
    shifts (drawing 640x480x3 normals per frame is otherwise the slowest step)."""
    return [rng.standard_normal((H, W, 3), np.float32) for _ in range(n)]


def _noise_field(rng: np.random.Generator, sigma: float,
                 bank: list[np.ndarray] | None) -> np.ndarray:
    if bank is None:
        return rng.standard_normal((H, W, 3), np.float32) * sigma
    k, dy, dx = int(rng.integers(len(bank))), int(rng.integers(H)), int(rng.integers(W))
    return np.roll(bank[k], (dy, dx), axis=(0, 1)) * sigma


# --- timelines -------------------------------------------------------------------------------

_TARGETS = {"turn_left": {"yaw": 30.0}, "turn_right": {"yaw": -30.0}, "look_up": {"pitch": 25.0},
            "blink": {"eyes": 1.0}, "open_mouth": {"mouth": 1.0}}


def timeline(actions: Sequence[str], rng: np.random.Generator, *, fps: float = 15.0,
             speed: float = 1.0, amplitude: float = 1.0, neutral_s: float = 0.7,
             shake: float = 0.6, jitter: float = 1.0) -> list[Pose]:
    """Poses for performing ``actions`` in order, neutral before, between and after.

    ``speed`` > 1 is faster; ``amplitude`` scales the angles/openings; ``shake``
    is natural head/hand jitter in px (whole frame); ``jitter`` scales the
    per-frame head-angle jitter (0.6° yaw, 0.5° pitch at 1). ``shake=0,
    jitter=0`` is a camera on a stand and a customer who holds still between
    actions. Durations are jittered by ``rng``.
    """
    seg: list[tuple[str | None, float]] = [(None, neutral_s * rng.uniform(0.8, 1.3))]
    for a in actions:
        dur = (0.35 if a == "blink" else 1.3) * rng.uniform(0.85, 1.25) / speed
        seg += [(a, dur), (None, neutral_s * rng.uniform(0.7, 1.2) / speed)]
    poses: list[Pose] = []
    walk = np.zeros(3)
    amp = {a: amplitude * rng.uniform(0.9, 1.15) for a in actions}
    for action, dur in seg:
        n = max(2, round(dur * fps))
        for i in range(n):
            walk = 0.8 * walk + rng.normal(0, shake, 3) * (1, 1, 0.3)
            kw: dict[str, float] = {}
            if action is not None:
                u = (i + 0.5) / n
                s = math.sin(math.pi * u) ** (0.6 if action != "blink" else 1.0)
                kw = {k: v * s * amp[action] for k, v in _TARGETS[action].items()}
            poses.append(Pose(dx=float(walk[0]), dy=float(walk[1]), roll=float(walk[2]),
                              yaw=kw.get("yaw", 0.0) + jitter * rng.normal(0, 0.6),
                              pitch=kw.get("pitch", 0.0) + jitter * rng.normal(0, 0.5),
                              eyes=min(1.0, kw.get("eyes", 0.0)),
                              mouth=min(1.0, kw.get("mouth", 0.0))))
    return poses


def screen_sequence(rng: np.random.Generator, n: int = 8) -> list[str]:
    """A random colour sequence (no colour twice in a row)."""
    names = list(SCREEN_COLOURS)
    seq = [names[int(rng.integers(len(names)))]]
    while len(seq) < n:
        c = names[int(rng.integers(len(names)))]
        if c != seq[-1]:
            seq.append(c)
    return seq


def with_screen_light(poses: list[Pose], colours: Sequence[str], colour_ms: float,
                      fps: float = 15.0, lag_ms: float = 60.0) -> list[Pose]:
    """Tint each frame by the colour on screen at its time (camera lag ``lag_ms``)."""
    out = []
    for i, p in enumerate(poses):
        t = i * 1000.0 / fps - lag_ms
        k = int(t // colour_ms) if t >= 0 else -1
        tint = SCREEN_COLOURS[colours[k]] if 0 <= k < len(colours) else None
        out.append(Pose(**{**p.__dict__, "tint": tint}))
    return out


@dataclass
class Clip:
    """Frames (RGB) and their timestamps in ms."""

    frames: list[np.ndarray]
    timestamps_ms: list[float]
    fps: float = 15.0
    poses: list[Pose] = field(default_factory=list)


def make_clip(photo: str, actions: Sequence[str], seed: int, *, fps: float = 15.0,
              speed: float = 1.0, amplitude: float = 1.0, noise: float = 2.0, blur: float = 0.0,
              light: float = 1.0, poses: list[Pose] | None = None,
              denoise: float = 0.0) -> Clip:
    """A genuine-looking session of ``photo`` performing ``actions`` (seeded).

    ``denoise`` (0..1): strength of the camera's temporal noise reduction
    (:func:`temporal_denoise`), 0 = none."""
    rng = np.random.default_rng(seed)
    face = prepare_face(photo)
    if poses is None:
        poses = timeline(actions, rng, fps=fps, speed=speed, amplitude=amplitude)
    bank = noise_bank(rng)
    frames = [render(face, p, rng, noise=noise, blur=blur, light=light, bank=bank)
              for p in poses]
    if denoise > 0:
        frames = temporal_denoise(frames, denoise)
    return Clip(frames, [i * 1000.0 / fps for i in range(len(frames))], fps, list(poses))


def temporal_denoise(frames: Sequence[np.ndarray], strength: float = 0.8, *,
                     motion_lo: float = 3.0, motion_hi: float = 12.0) -> list[np.ndarray]:
    """A webcam's motion-adaptive temporal noise reduction (3DNR), as ISPs do it.

    Each output pixel is a recursive average ``out += w * (frame - out)``: where
    the new frame differs from the running output by less than ``motion_lo``
    grey levels (5x5 box mean of the grey difference) the weight is
    ``1 - strength`` (a still scene is averaged over about ``1 / (1 - strength)``
    frames, so the noise of consecutive frames is mostly the same), rising to 1
    (no averaging, no ghosting) at ``motion_hi`` and above. ``strength`` 0..1."""
    base = 1.0 - float(np.clip(strength, 0.0, 1.0))
    out: list[np.ndarray] = []
    acc: np.ndarray | None = None
    for f in frames:
        x = f.astype(np.float32)
        if acc is None:
            acc = x
        else:
            diff = cv2.blur(np.abs(x - acc).mean(axis=2), (5, 5))
            w = base + (1 - base) * np.clip((diff - motion_lo) / (motion_hi - motion_lo), 0, 1)
            acc = acc + w[..., None] * (x - acc)
        out.append(np.clip(np.round(acc), 0, 255).astype(np.uint8))
    return out


def write_video(target: str | Path | None, clip: Clip, *, fmt: str | None = None) -> bytes:
    """Encode ``clip`` as mp4 (H.264), webm (VP8) or y4m (by suffix or ``fmt``).

    Frame timestamps are written as given (ms, so irregular or re-timed
    timestamps survive into the container). Returns the bytes (also written to
    ``target`` if given). These are the tuning encodings (H.264 CRF 23
    veryfast/zerolatency, VP8 1 Mbit/s realtime); :func:`encode_video` has the
    held-out ones.
    """
    fmt = fmt or Path(str(target)).suffix.lstrip(".")
    codec, container_fmt = {"mp4": ("libx264", "mp4"), "webm": ("libvpx", "webm"),
                            "y4m": ("rawvideo", "yuv4mpegpipe")}[fmt]
    options = {"libx264": {"crf": "23", "preset": "veryfast", "tune": "zerolatency"},
               "libvpx": {"deadline": "realtime", "cpu-used": "8", "b": "1M"}}.get(codec, {})
    data = _encode_av(clip, container_fmt, codec, options=options,
                      ms_timestamps=codec != "rawvideo")
    if target is not None:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(data)
    return data


def _encode_av(clip: Clip, container_fmt: str, codec: str, *, options: dict[str, str],
               ms_timestamps: bool = True, pix_fmt: str = "yuv420p",
               bit_rate: int | None = None) -> bytes:
    from fractions import Fraction

    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container_fmt) as out:
        stream = out.add_stream(codec, rate=round(clip.fps))
        h, w = clip.frames[0].shape[:2]
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        stream.options = dict(options)
        if bit_rate is not None:
            stream.codec_context.bit_rate = bit_rate
        if ms_timestamps:  # millisecond timestamps end to end, so irregular ones survive
            stream.time_base = Fraction(1, 1000)
            stream.codec_context.time_base = Fraction(1, 1000)
        for img, ts in zip(clip.frames, clip.timestamps_ms, strict=True):
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            if ms_timestamps:
                frame.pts = round(ts)
                frame.time_base = Fraction(1, 1000)
            for pkt in stream.encode(frame):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return buf.getvalue()


def _encode_opencv_mp4v(clip: Clip) -> bytes:
    # OpenCV's own writer at its default quality, as the sessions were
    # made: MPEG-4 Part 2 in mp4 at a constant frame rate.
    import tempfile

    h, w = clip.frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), clip.fps, (w, h))
        if not writer.isOpened():
            raise RuntimeError("OpenCV cannot write mp4v here")
        for img in clip.frames:
            writer.write(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        writer.release()
        return path.read_bytes()


#: Encodings :func:`encode_video` writes, each with the file suffix it gives:
#: ``h264_crf23`` / ``h264_crf32`` (libx264 at its default preset, CRF 23 / 32,
#: mp4), ``vp8_500k`` / ``vp8_2500k`` (libvpx realtime as browsers run it, 0.5 /
#: 2.5 Mbit/s, webm), ``mpeg4_opencv`` (MPEG-4 Part 2 by OpenCV's ``mp4v``
#: writer at its default quality, mp4), ``mjpeg`` (Motion JPEG as webcams send
#: it, about 50 kB a frame, Matroska), and the tuning encodings ``h264_tuning``
#: and ``vp8_tuning`` (:func:`write_video`).
ENCODINGS: dict[str, str] = {
    "h264_crf23": "mp4", "h264_crf32": "mp4", "vp8_500k": "webm", "vp8_2500k": "webm",
    "mpeg4_opencv": "mp4", "mjpeg": "mkv", "h264_tuning": "mp4", "vp8_tuning": "webm"}


def encode_video(clip: Clip, encoding: str) -> bytes:
    """Encode ``clip`` in one of :data:`ENCODINGS` (bytes of the whole file)."""
    if encoding == "h264_tuning":
        return write_video(None, clip, fmt="mp4")
    if encoding == "vp8_tuning":
        return write_video(None, clip, fmt="webm")
    if encoding in ("h264_crf23", "h264_crf32"):
        return _encode_av(clip, "mp4", "libx264", options={"crf": encoding[-2:]})
    if encoding in ("vp8_500k", "vp8_2500k"):
        rate = "500k" if encoding == "vp8_500k" else "2500k"
        return _encode_av(clip, "webm", "libvpx", options={
            "deadline": "realtime", "cpu-used": "8", "b": rate})
    if encoding == "mpeg4_opencv":
        data = _encode_opencv_mp4v(clip)
        ts = np.diff(clip.timestamps_ms)
        if len(ts) and np.ptp(ts) > 1.0:
            # OpenCV's writer has no timestamps (constant rate): for a re-timed
            # clip, the same codec by FFmpeg at the bit rate OpenCV chose.
            seconds = len(clip.frames) / clip.fps
            return _encode_av(clip, "mp4", "mpeg4", options={},
                              bit_rate=round(len(data) * 8 / seconds))
        return data
    if encoding == "mjpeg":
        return _encode_av(clip, "matroska", "mjpeg", options={}, pix_fmt="yuvj420p",
                          bit_rate=round(400_000 * clip.fps))
    raise ValueError(f"unknown encoding {encoding!r} (one of {', '.join(ENCODINGS)})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output .mp4, .webm or .y4m")
    ap.add_argument("--photo", default=PHOTOS[0], help="photo under ../shared/data/faces/")
    ap.add_argument("--actions", default="turn_left,blink,turn_right")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--noise", type=float, default=2.0)
    ap.add_argument("--blur", type=float, default=0.0)
    ap.add_argument("--light", type=float, default=1.0)
    a = ap.parse_args(argv)
    clip = make_clip(a.photo, a.actions.split(","), a.seed, speed=a.speed, noise=a.noise,
                     blur=a.blur, light=a.light)
    write_video(a.out, clip)
    print(f"{a.out}: {len(clip.frames)} frames")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
