"""Generate synthetic identity-document photographs for tests and the benchmark.

Kinds: ``cn-id-front`` / ``cn-id-back`` (Chinese resident ID card, Noto CJK font),
``passport`` (ICAO TD3 data page) and ``td1`` (ICAO TD1 card), MRZ in OCR-B.
Every document carries consistent, valid data (GB 11643 numbers built with
python-stdnum's check digit and region table; MRZ check digits per ICAO 9303),
and a face photo cut from ``../shared/data/faces/`` where the photo goes.
Degradations: rotation of a few degrees, blur, JPEG compression, uneven light,
sensor noise. Everything is drawn from ``random.Random(seed)``: same seed,
same documents.

Run: ``python tests/media/doc_generate.py --kind passport -n 5 --seed 1``
(writes ``tests/media/out/doc/<kind>-<seed>-<i>.jpg`` and a ``.json`` with the
truth beside it).
"""

from __future__ import annotations

import argparse
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

REPO = Path(__file__).resolve().parents[2]
FACES_DIR = REPO / ".." / "shared" / "data" / "faces"
OUT_DIR = REPO / "tests" / "media" / "out" / "doc"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CJK_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
OCRB_FONT = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
# Latin text on passports: the CJK font has Latin glyphs too.
LATIN_FONT = CJK_FONT

KINDS = ("cn-id-front", "cn-id-back", "passport", "td1")
#: Where the portrait goes on a passport data page (card pixels).
PASSPORT_PHOTO_BOX = (50, 170, 340, 540)

#: Face photographs used for document portraits (single-face, frontal).
FACE_FILES = (
    "face_recognition/obama.jpg",
    "face_recognition/biden.jpg",
    "face_recognition/kit_harington_john1.jpeg",
    "face_recognition/rose_leslie_img1.jpg",
    "face_recognition/alex_lacamoire_img1.jpg",
    "deepface-pairs/img1.jpg",
    "deepface-pairs/img2.jpg",
    "deepface-pairs/img5.jpg",
    "deepface-pairs/img10.jpg",
    "deepface-pairs/img20.jpg",
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷"
    "龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉萍红梅鑫波宇浩凯晨欣怡子"
    "涵思雨嘉琪佳豪俊博文轩雪琳海燕志鹏春晓立新"
)
MINORITY_NAMES = (
    ("阿依古丽·买买提", "维吾尔"),
    ("努尔艾力·吐尔逊", "维吾尔"),
    ("古丽娜扎·艾山", "维吾尔"),
    ("买买提·艾则孜", "维吾尔"),
    ("热依拉·阿不都", "维吾尔"),
    ("叶尔兰·努尔兰", "哈萨克"),
    ("阿依达娜·木拉提", "哈萨克"),
    ("巴特尔·额尔敦", "蒙古"),
)
ETHNICITIES = ("汉", "汉", "汉", "汉", "汉", "回", "壮", "满", "苗", "土家", "彝", "藏")
STREETS = ("人民路", "解放路", "建设路", "中山路", "和平街", "新华路", "胜利街", "朝阳路",
           "文化路", "长江路", "黄河路", "幸福街", "光明路", "东风路")
PINYIN_SURNAMES = ("WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU",
                   "MUELLER", "SMITH", "GARCIA", "NGUYEN", "OKAFOR", "ERIKSSON", "DUBOIS",
                   "VAN DER BERG", "OCONNOR", "MARTINEZ LOPEZ")
LATIN_GIVEN = ("WEI", "FANG", "XIAOMING", "JING", "ANNA MARIA", "JOHN", "MARIE CLAIRE", "PETER",
               "CHIOMA", "HANS PETER", "LUCIA", "ANH", "SOFIA", "JEAN LUC", "MEI LING", "OLAF")
STATES = ("CHN", "UTO", "D", "FRA", "GBR", "NLD", "NGA", "VNM", "SWE", "ESP")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass
class GeneratedDocument:
    kind: str
    image: Image.Image
    truth: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- data


@lru_cache(maxsize=1)
def _region_codes() -> list[tuple[str, str, str]]:
    """(code, province, county) of regions currently in python-stdnum's cn/loc.dat."""
    import stdnum

    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    codes: list[tuple[str, str, str]] = []
    province = ""
    prefix = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith(" "):
            prefix, _, rest = line.partition(" ")
            province = rest.split('"')[1] if '"' in rest else ""
            continue
        code, _, rest = line.strip().partition(" ")
        county = rest.split('"')[1] if '"' in rest else ""
        if code.endswith("00") or county.startswith("[") or county in ("市辖区", "县"):
            continue
        codes.append((prefix + code, province, county))
    return codes


def id_number(rng: random.Random, birth: date, sex: str) -> tuple[str, str, str]:
    """A valid GB 11643 number for ``birth`` and ``sex``: (number, province, county)."""
    from stdnum.cn import ric

    while True:
        code, province, county = rng.choice(_region_codes())
        seq = rng.randrange(0, 999)
        if (seq % 2 == 1) != (sex == "M"):
            seq = (seq + 1) % 1000
        body = f"{code}{birth:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number, province, county


def mrz_check_digit(data: str) -> str:
    total = 0
    for i, ch in enumerate(data):
        v = int(ch) if ch.isdigit() else (0 if ch == "<" else ord(ch) - 55)
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def _mrz_name(surname: str, given: str, width: int) -> str:
    s = surname.replace(" ", "<") + "<<" + given.replace(" ", "<")
    return s[:width].ljust(width, "<")


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days))


# --------------------------------------------------------------------------- drawing


@lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=len(FACE_FILES))
def _portrait(name: str) -> Image.Image:
    """A head-and-shoulders crop around the single largest face (dlib HOG)."""
    import dlib

    from simkyc.media.images import read_image_file

    rgb = read_image_file(FACES_DIR / name)
    dets = _detector()(rgb, 1)
    if not dets:
        raise RuntimeError(f"no face in {name}")
    d = max(dets, key=lambda r: r.width() * r.height())
    assert isinstance(d, dlib.rectangle)
    cx, cy = (d.left() + d.right()) / 2, (d.top() + d.bottom()) / 2
    w = d.width() * 1.9
    h = w * 1.28
    box = (int(cx - w / 2), int(cy - h * 0.45), int(cx + w / 2), int(cy + h * 0.55))
    im = Image.fromarray(rgb)
    return im.crop(box)  # PIL pads outside with black; fine for a portrait


@lru_cache(maxsize=1)
def _detector() -> Any:
    import dlib

    return dlib.get_frontal_face_detector()


def _paste_photo(card: Image.Image, rng: random.Random, box: tuple[int, int, int, int],
                 framing: str = "standard") -> str:
    """Paste a portrait into ``box``; ``framing`` is ``standard`` (head and
    shoulders), ``small`` (head and upper body small in the frame, see
    :func:`_framed_portrait`), ``tight`` (the face fills the frame) or ``none``
    (an empty photo area: the page has no portrait). Returns the source name."""
    x0, y0, x1, y1 = box
    if framing == "none":
        d = ImageDraw.Draw(card)
        d.rectangle(box, fill=(226, 229, 234), outline=(170, 175, 190), width=2)
        return ""
    name = rng.choice(FACE_FILES)
    src = _portrait(name) if framing == "standard" else _framed_portrait(name, framing, rng)
    photo = src.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
    card.paste(photo, (x0, y0))
    return name


def _framed_portrait(name: str, framing: str, rng: random.Random) -> Image.Image:
    """A portrait of another framing than the standard head-and-shoulders crop.

    ``small``: the face is 24-34 % of the photo's width (head and upper body,
    as some issuers and old passports print it), a little off centre, on a
    plain backdrop where the source photo ends. ``tight``: the face is about
    75 % of the width.
    """
    from simkyc.media.images import read_image_file

    rgb = read_image_file(FACES_DIR / name)
    dets = _detector()(rgb, 1)
    d = max(dets, key=lambda r: r.width() * r.height())
    cx, cy = (d.left() + d.right()) / 2, (d.top() + d.bottom()) / 2
    frac = rng.uniform(0.24, 0.34) if framing == "small" else rng.uniform(0.7, 0.8)
    w = d.width() / frac
    h = w * 1.28
    cx += rng.uniform(-0.08, 0.08) * w
    top = 0.28 if framing == "small" else 0.42
    box = (int(cx - w / 2), int(cy - h * top), int(cx + w / 2), int(cy + h * (1 - top)))
    backdrop = tuple(int(v) for v in rng.choice(((200, 208, 220), (235, 235, 230),
                                                 (170, 190, 215))))
    canvas = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), backdrop)
    im = Image.fromarray(rgb)
    canvas.paste(im, (-box[0], -box[1]))
    return canvas


def _card(size: tuple[int, int], rng: random.Random, tint: tuple[int, int, int]) -> Image.Image:
    """A card background: a light tint with faint guilloche-like waves."""
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    phase = rng.uniform(0, 6.28)
    wave = (np.sin(xx / 23.0 + np.sin(yy / 31.0) * 2 + phase) * 0.5 + 0.5) * 14
    base = np.empty((h, w, 3), np.float32)
    for c in range(3):
        base[..., c] = tint[c] - wave * (0.6 if c == 2 else 1.0)
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))


def _draw_cn_front(rng: random.Random, *, tamper: bool = False) -> GeneratedDocument:
    card = _card((856, 540), rng, (236, 240, 238))
    d = ImageDraw.Draw(card)
    label = _font(CJK_FONT, 24)
    text = _font(CJK_FONT, 30)
    if rng.random() < 0.25:
        name, ethnicity = rng.choice(MINORITY_NAMES)
    else:
        name = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2)))
        )
        ethnicity = rng.choice(ETHNICITIES)
    sex = rng.choice("MF")
    birth = _random_date(rng, date(1940, 1, 1), date(2006, 12, 31))
    number, province, county = id_number(rng, birth, sex)
    if tamper:  # print a wrong check character
        number = number[:17] + ("0" if number[17] != "0" else "1")
    address = f"{province}{county}{rng.choice(STREETS)}{rng.randrange(1, 300)}号"
    if rng.random() < 0.5:
        address += f"{rng.randrange(1, 30)}栋{rng.randrange(1, 6)}单元{rng.randrange(101, 2800)}室"
    blue = (40, 90, 160)
    black = (20, 20, 20)
    d.text((60, 60), "姓  名", font=label, fill=blue)
    d.text((160, 54), name, font=text, fill=black)
    d.text((60, 125), "性  别", font=label, fill=blue)
    d.text((160, 119), "男" if sex == "M" else "女", font=text, fill=black)
    d.text((260, 125), "民  族", font=label, fill=blue)
    d.text((360, 119), ethnicity, font=text, fill=black)
    d.text((60, 190), "出  生", font=label, fill=blue)
    d.text((160, 184), f"{birth.year}  年  {birth.month}  月  {birth.day}  日", font=text,
            fill=black)
    d.text((60, 255), "住  址", font=label, fill=blue)
    per_line = 11
    for i in range(0, len(address), per_line):
        d.text((160, 249 + (i // per_line) * 44), address[i:i + per_line], font=text, fill=black)
    d.text((60, 445), "公民身份号码", font=label, fill=blue)
    d.text((250, 438), " ".join([number]), font=_font(OCRB_FONT, 36), fill=black)
    photo = _paste_photo(card, rng, (580, 60, 800, 340))
    truth = {
        "kind": "cn-id-front",
        "fields": {
            "name": name, "sex": sex, "ethnicity": ethnicity,
            "birth_date": birth.isoformat(), "address": address, "id_number": number,
        },
        "photo_source": photo,
    }
    return GeneratedDocument("cn-id-front", card, truth)


def _draw_cn_back(rng: random.Random, *, expired: bool = False) -> GeneratedDocument:
    card = _card((856, 540), rng, (238, 236, 226))
    d = ImageDraw.Draw(card)
    # National emblem stand-in: a red disc with a star, where the emblem is printed.
    d.ellipse((60, 50, 190, 180), fill=(200, 40, 40))
    d.regular_polygon((125, 112, 40), 5, fill=(250, 215, 60))
    d.text((250, 80), "中华人民共和国", font=_font(CJK_BOLD, 50), fill=(30, 30, 30))
    d.text((270, 170), "居民身份证", font=_font(CJK_BOLD, 64), fill=(30, 30, 30))
    _, province, county = rng.choice(_region_codes())
    authority = f"{county}公安局"
    if rng.random() < 0.3 and len(province + county) <= 11:
        authority = f"{province}{county}公安局"
    if expired:
        start = _random_date(rng, date(2000, 1, 1), date(2010, 1, 1))
    else:
        start = _random_date(rng, date(2012, 1, 1), date(2025, 6, 1))
    years = rng.choice((10, 20, 20, 0)) if not expired else rng.choice((5, 10))
    if start.month == 2 and start.day == 29:
        start = start.replace(day=28)
    end = None if years == 0 else start.replace(year=start.year + years)
    period = f"{start:%Y.%m.%d}-" + ("长期" if end is None else f"{end:%Y.%m.%d}")
    label = _font(CJK_FONT, 26)
    text = _font(CJK_FONT, 30)
    d.text((150, 360), "签发机关", font=label, fill=(20, 20, 20))
    d.text((290, 355), authority, font=text, fill=(20, 20, 20))
    d.text((150, 430), "有效期限", font=label, fill=(20, 20, 20))
    d.text((290, 425), period, font=text, fill=(20, 20, 20))
    truth = {
        "kind": "cn-id-back",
        "fields": {
            "issuing_authority": authority,
            "valid_from": start.isoformat(),
            "valid_until": end.isoformat() if end else None,
            "long_term": end is None,
        },
    }
    return GeneratedDocument("cn-id-back", card, truth)


def _mrz_person(rng: random.Random, *, expired: bool) -> dict[str, Any]:
    surname = rng.choice(PINYIN_SURNAMES)
    given = rng.choice(LATIN_GIVEN)
    birth = _random_date(rng, date(1945, 1, 1), date(2006, 12, 31))
    if expired:
        expiry = _random_date(rng, date(2015, 1, 1), date(2025, 12, 31))
    else:
        expiry = _random_date(rng, date(2027, 1, 1), date(2036, 12, 31))
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    number = rng.choice(letters) + "".join(rng.choice("0123456789" + letters)
                                           for _ in range(rng.choice((7, 8, 8))))
    return {
        "surname": surname, "given_names": given, "sex": rng.choice("MF"),
        "birth_date": birth, "expiry_date": expiry, "document_number": number,
        "issuing_state": rng.choice(STATES), "nationality": rng.choice(STATES),
    }


def td3_lines(p: dict[str, Any], optional: str = "") -> list[str]:
    state = p["issuing_state"].ljust(3, "<")
    nat = p["nationality"].ljust(3, "<")
    l1 = ("P<" + state + _mrz_name(p["surname"], p["given_names"], 39))
    num = p["document_number"].ljust(9, "<")
    birth = f"{p['birth_date']:%y%m%d}"
    exp = f"{p['expiry_date']:%y%m%d}"
    opt = optional.ljust(14, "<")
    opt_cd = mrz_check_digit(opt) if optional else "<"
    l2 = (num + mrz_check_digit(num) + nat + birth + mrz_check_digit(birth) + p["sex"] + exp
          + mrz_check_digit(exp) + opt + opt_cd)
    composite = mrz_check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    return [l1, l2 + composite]


def td1_lines(p: dict[str, Any], optional: str = "") -> list[str]:
    state = p["issuing_state"].ljust(3, "<")
    nat = p["nationality"].ljust(3, "<")
    num = p["document_number"].ljust(9, "<")
    l1 = "I<" + state + num + mrz_check_digit(num) + optional.ljust(15, "<")
    birth = f"{p['birth_date']:%y%m%d}"
    exp = f"{p['expiry_date']:%y%m%d}"
    l2 = birth + mrz_check_digit(birth) + p["sex"] + exp + mrz_check_digit(exp) + nat + "<" * 11
    l2 += mrz_check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    return [l1, l2, _mrz_name(p["surname"], p["given_names"], 30)]


def _fmt_date(d: date) -> str:
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"


def _tamper_mrz(lines: list[str], kind: str) -> list[str]:
    """Print a wrong document-number check digit (the composite is left as issued)."""
    row, col = (1, 9) if kind == "passport" else (0, 14)
    digit = str((int(lines[row][col]) + 1) % 10)
    out = list(lines)
    out[row] = lines[row][:col] + digit + lines[row][col + 1:]
    return out


def _draw_mrz_doc(rng: random.Random, kind: str, *, expired: bool = False,
                  tamper: bool = False, person: dict[str, Any] | None = None,
                  framing: str = "standard", mrz_px: int = 36) -> GeneratedDocument:
    p = _mrz_person(rng, expired=expired)
    if person:
        p.update(person)
    optional = "" if rng.random() < 0.5 else "".join(rng.choice("0123456789") for _ in range(9))
    if kind == "passport":
        size, lines = (1250, 880), td3_lines(p, optional)
        photo_box = PASSPORT_PHOTO_BOX
    else:
        size, lines, mrz_px = (856, 540), td1_lines(p, optional[:6]), 33
        photo_box = (40, 80, 230, 320)
    if tamper:
        lines = _tamper_mrz(lines, kind)
    card = _card(size, rng, (232, 236, 242) if kind == "passport" else (238, 232, 240))
    d = ImageDraw.Draw(card)
    w, h = size
    small, big = _font(LATIN_FONT, 20 if kind == "passport" else 16), _font(
        LATIN_FONT, 30 if kind == "passport" else 24)
    title = "PASSPORT" if kind == "passport" else "IDENTITY CARD"
    d.text((photo_box[0], 40 if kind == "passport" else 20), f"{title}  {p['issuing_state']}",
           font=big, fill=(40, 50, 110))
    x = photo_box[2] + 40
    y = photo_box[1]
    step = 70 if kind == "passport" else 50
    rows = [
        ("Type / Code / Document No.", f"{'P' if kind == 'passport' else 'I'}   "
         f"{p['issuing_state']}   {p['document_number']}"),
        ("Surname", p["surname"]),
        ("Given names", p["given_names"]),
        ("Nationality", p["nationality"]),
        ("Date of birth / Sex", f"{_fmt_date(p['birth_date'])}   {p['sex']}"),
        ("Date of expiry", _fmt_date(p["expiry_date"])),
    ]
    for lab, val in rows:
        d.text((x, y), lab, font=small, fill=(70, 70, 120))
        d.text((x, y + (24 if kind == "passport" else 18)), val, font=big, fill=(20, 20, 20))
        y += step
    photo = _paste_photo(card, rng, photo_box, framing)
    font = _font(OCRB_FONT, mrz_px)
    line_h = int(mrz_px * 1.45)
    top = h - 30 - line_h * len(lines)
    d.rectangle((0, top - 15, w, h), fill=(250, 250, 248))
    for i, line in enumerate(lines):
        d.text((35, top + i * line_h), line, font=font, fill=(15, 15, 15))
    truth = {
        "kind": kind,
        "mrz": lines,
        "fields": {
            "surname": p["surname"], "given_names": p["given_names"],
            "document_number": p["document_number"], "birth_date": p["birth_date"].isoformat(),
            "expiry_date": p["expiry_date"].isoformat(), "sex": p["sex"],
            "issuing_state": p["issuing_state"], "nationality": p["nationality"],
        },
        "photo_source": photo,
        "framing": framing,
    }
    return GeneratedDocument(kind, card, truth)


# --------------------------------------------------------------------------- degradation


def photograph(card: Image.Image, rng: random.Random, *, level: str = "moderate") -> Image.Image:
    """Place ``card`` on a desk background and degrade it like a phone photo.

    ``level``: ``clean`` (no degradation), ``moderate`` (rotation up to 3 degrees,
    blur radius up to 1.0 px, JPEG quality 60-90, uneven light, mild noise) or
    ``heavy`` (rotation up to 6 degrees, blur up to 1.8 px, JPEG quality 35-60).
    """
    w, h = card.size
    margin = int(max(w, h) * 0.08)
    bg_tone = rng.randrange(60, 140)
    canvas = Image.new("RGB", (w + 2 * margin, h + 2 * margin),
                       (bg_tone, bg_tone - 10, bg_tone - 25))
    mask = Image.new("L", card.size, 255)
    canvas.paste(card, (margin, margin), mask)
    if level == "clean":
        return canvas
    heavy = level == "heavy"
    angle = rng.uniform(-6, 6) if heavy else rng.uniform(-3, 3)
    canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False,
                           fillcolor=(bg_tone, bg_tone - 10, bg_tone - 25))
    arr = np.asarray(canvas).astype(np.float32)
    hh, ww = arr.shape[:2]
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    light = 1.0 + (0.35 if heavy else 0.22) * (gx * (xx / ww - 0.5) + gy * (yy / hh - 0.5)) * 2
    arr = arr * light[..., None]
    arr += np.random.default_rng(rng.randrange(2**32)).normal(0, 6 if heavy else 3, arr.shape)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.8) if heavy
                                              else rng.uniform(0.3, 1.0)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randrange(35, 60) if heavy else rng.randrange(60, 90))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def make_document(kind: str, seed: int, *, level: str = "moderate",
                  expired: bool = False, tamper: bool = False) -> GeneratedDocument:
    """One document of ``kind`` (see :data:`KINDS`), reproducible from ``seed``.

    ``expired``: a validity period over before 2026 (back, passport, TD1).
    ``tamper``: a wrong check character printed (ID number on a front; the
    document-number check digit of an MRZ). The truth records it.
    """
    rng = random.Random(f"{kind}:{seed}:{expired}" + (":tamper" if tamper else ""))
    if kind == "cn-id-front":
        doc = _draw_cn_front(rng, tamper=tamper)
    elif kind == "cn-id-back":
        doc = _draw_cn_back(rng, expired=expired)
    elif kind in ("passport", "td1"):
        doc = _draw_mrz_doc(rng, kind, expired=expired, tamper=tamper)
    else:
        raise ValueError(f"unknown kind {kind!r}; one of {KINDS}")
    doc.image = photograph(doc.image, rng, level=level)
    doc.truth["level"] = level
    doc.truth["seed"] = seed
    doc.truth["expired"] = expired
    doc.truth["tampered"] = tamper
    return doc


def write_document(kind: str, seed: int, *, level: str = "moderate", expired: bool = False,
                   tamper: bool = False, out_dir: Path = OUT_DIR) -> tuple[Path, dict[str, Any]]:
    """Generate (or reuse, if already cached) a document; returns (JPEG path, truth)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    flag = "t" if tamper else ("x" if expired else "v")
    stem = f"{kind}-{level}-{flag}-{seed}"
    path, meta = out_dir / f"{stem}.jpg", out_dir / f"{stem}.json"
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text(encoding="utf-8"))
    doc = make_document(kind, seed, level=level, expired=expired, tamper=tamper)
    doc.image.save(path, "JPEG", quality=95)
    meta.write_text(json.dumps(doc.truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return path, doc.truth


# --------------------------------------------------------------------------- held-out set
#
# Passport pages made differently from the tuning set above, for measuring how
# the reader generalises (issue 12): nothing in the reader was chosen on them.
# Every page draws its MRZ name with :func:`heldout_name` (every length from one
# letter to the full 39-character field, with and without filler runs), and
# its layout varies (MRZ type size, scale of the photo); each condition adds
# one kind of difficulty.

#: Held-out conditions: ``names`` (names of every length, otherwise moderate),
#: ``rotated`` (in-plane rotation up to ±10°), ``perspective`` (the page
#: photographed at an angle: corners moved by up to 7 % of the page),
#: ``glare`` (a bright specular patch), ``portrait-small`` (head and upper
#: body small in the photo), ``portrait-tight``, ``blur`` (Gaussian 1.0-2.0 px,
#: JPEG 50-80), ``mixed`` (random names, rotation ±10°, mild blur, any framing).
HELDOUT_CONDITIONS = ("names", "rotated", "perspective", "glare", "portrait-small",
                      "portrait-tight", "blur", "mixed")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def heldout_name(rng: random.Random) -> tuple[str, str]:
    """(surname, given names) whose MRZ name field covers every length.

    The total length of ``SURNAME<<GIVEN<NAMES`` is drawn uniformly from 1 to 45
    characters (longer than the 39-character TD3 field, so it is truncated and
    has no filler run at all), a fifth of the names have no given name, and
    components are 1-12 letters (``AB<<CD``, ``X<<Y``, ``Q``, ...).
    """
    total = rng.randint(1, 45)
    if total <= 2 or rng.random() < 0.2:
        return "".join(rng.choice(_LETTERS) for _ in range(total)), ""
    s_len = rng.randint(1, max(1, min(total - 3, 20)))
    surname = "".join(rng.choice(_LETTERS) for _ in range(s_len))
    left = total - s_len - 2
    parts: list[str] = []
    while left > 0:
        n = min(left, rng.randint(1, 12))
        parts.append("".join(rng.choice(_LETTERS) for _ in range(n)))
        left -= n + 1
    return surname, " ".join(parts)


def mrz_names(line1: str) -> tuple[str, str]:
    """(surname, given names) as a TD3 line 1 encodes them (after truncation)."""
    field_ = line1[5:].rstrip("<")
    surname, _, given = field_.partition("<<")
    return surname.replace("<", " "), given.replace("<", " ").strip()


def _perspective_coeffs(size: tuple[int, int], rng: random.Random, amount: float
                        ) -> tuple[float, ...]:
    """PIL PERSPECTIVE coefficients of a page seen at an angle: each corner of
    the source is pushed outwards by up to ``amount`` of the size, so the page
    shrinks unevenly and stays in the frame."""
    w, h = size
    dst = [(0, 0), (w, 0), (w, h), (0, h)]
    signs = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    src = [(x + sx * rng.uniform(0, amount) * w, y + sy * rng.uniform(0, amount) * h)
           for (x, y), (sx, sy) in zip(dst, signs, strict=True)]
    a, b = [], []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    return tuple(float(c) for c in np.linalg.solve(np.asarray(a, float), np.asarray(b, float)))


def _glare(arr: np.ndarray, rng: random.Random) -> np.ndarray:
    """Add a soft specular highlight (elliptical, up to +150 grey levels)."""
    hh, ww = arr.shape[:2]
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    cx, cy = rng.uniform(0.1, 0.9) * ww, rng.uniform(0.1, 0.9) * hh
    rx, ry = rng.uniform(0.06, 0.16) * ww, rng.uniform(0.05, 0.14) * hh
    peak = rng.uniform(90, 150)
    blob = peak * np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2))
    return arr + blob[..., None]


def photograph_heldout(card: Image.Image, rng: random.Random, condition: str,
                       photo_box: tuple[int, int, int, int] | None = None,
                       angle: float | None = None
                       ) -> tuple[Image.Image, tuple[int, int, int, int] | None]:
    """Photograph ``card`` under a held-out ``condition`` (see :data:`HELDOUT_CONDITIONS`).

    Returns the photo and where ``photo_box`` (card pixels) ended up in it (the
    bounding box of the moved area), for checking the portrait finder.
    """
    w, h = card.size
    margin = int(max(w, h) * rng.uniform(0.05, 0.12))
    bg_tone = rng.randrange(50, 150)
    bg = (bg_tone, bg_tone - 10, bg_tone - 25)
    canvas = Image.new("RGB", (w + 2 * margin, h + 2 * margin), bg)
    canvas.paste(card, (margin, margin))
    mask = Image.new("L", canvas.size, 0)
    if photo_box is not None:
        x0, y0, x1, y1 = photo_box
        ImageDraw.Draw(mask).rectangle((x0 + margin, y0 + margin, x1 + margin, y1 + margin),
                                       fill=255)
    rotated = condition in ("rotated", "mixed")
    drawn = rng.uniform(-10, 10) if rotated else rng.uniform(-3, 3)
    angle = drawn if angle is None else angle
    canvas = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, expand=rotated,
                           fillcolor=bg)
    mask = mask.rotate(angle, resample=Image.Resampling.BILINEAR, expand=rotated, fillcolor=0)
    if condition == "perspective":
        coeffs = _perspective_coeffs(canvas.size, rng, 0.07)
        canvas = canvas.transform(canvas.size, Image.Transform.PERSPECTIVE, coeffs,
                                  Image.Resampling.BICUBIC, fillcolor=bg)
        mask = mask.transform(mask.size, Image.Transform.PERSPECTIVE, coeffs,
                              Image.Resampling.BILINEAR, fillcolor=0)
    arr = np.asarray(canvas).astype(np.float32)
    hh, ww = arr.shape[:2]
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    arr = arr * (1.0 + 0.22 * (gx * (xx / ww - 0.5) + gy * (yy / hh - 0.5)) * 2)[..., None]
    if condition == "glare":
        arr = _glare(arr, rng)
    arr += np.random.default_rng(rng.randrange(2**32)).normal(0, 3, arr.shape)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    blurred = condition in ("blur", "mixed")
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 2.0) if blurred
                                              else rng.uniform(0.3, 1.0)))
    # Photos come at many resolutions: the page is 0.6-2.0 times the tuning size.
    scale = rng.uniform(0.6, 2.0)
    size = (round(img.width * scale), round(img.height * scale))
    img = img.resize(size, Image.Resampling.LANCZOS)
    box = Image.fromarray((np.asarray(mask.resize(size)) > 127).astype(np.uint8)).getbbox()
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=rng.randrange(50, 80) if blurred else rng.randrange(60, 90))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), (
        tuple(int(v) for v in box) if box and photo_box else None)  # type: ignore[return-value]


def make_heldout(condition: str, seed: int, *, surname: str | None = None,
                 given_names: str | None = None, framing: str | None = None,
                 tamper: bool = False, angle: float | None = None) -> GeneratedDocument:
    """A held-out passport page (see :data:`HELDOUT_CONDITIONS`), reproducible from ``seed``.

    ``surname``/``given_names`` fix the name (default :func:`heldout_name`),
    ``framing`` the portrait (``standard``, ``small``, ``tight``, ``none``),
    ``angle`` the page's rotation in degrees (default: drawn for the condition).
    """
    if condition not in HELDOUT_CONDITIONS:
        raise ValueError(f"unknown held-out condition {condition!r}; one of {HELDOUT_CONDITIONS}")
    rng = random.Random(f"heldout:{condition}:{seed}:{surname}:{given_names}:{framing}:{tamper}"
                        + ("" if angle is None else f":{angle}"))
    if surname is None:
        surname, given = heldout_name(rng)
    else:
        given = given_names or ""
    if framing is None:
        framing = {"portrait-small": "small", "portrait-tight": "tight"}.get(condition)
        if condition == "mixed":
            framing = rng.choice(("standard", "small", "tight"))
    doc = _draw_mrz_doc(rng, "passport", tamper=tamper, framing=framing or "standard",
                        person={"surname": surname, "given_names": given},
                        mrz_px=rng.choice((32, 34, 36, 38)))
    doc.truth["fields"]["surname"], doc.truth["fields"]["given_names"] = mrz_names(
        doc.truth["mrz"][0])
    doc.image, box = photograph_heldout(doc.image, rng, condition, PASSPORT_PHOTO_BOX, angle)
    doc.truth["photo_box"] = list(box) if box and framing != "none" else None
    doc.truth.update(level=f"heldout-{condition}", condition=condition, seed=seed,
                     expired=False, tampered=tamper, has_portrait=framing != "none",
                     angle=angle)
    return doc


def write_heldout(condition: str, seed: int, *, out_dir: Path = OUT_DIR, **kw: Any
                  ) -> tuple[Path, dict[str, Any]]:
    """Generate (or reuse) a held-out page; returns (JPEG path, truth). ``kw`` as
    :func:`make_heldout`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    extra = "".join(f"-{k}={v}".replace(" ", "_") for k, v in sorted(kw.items()))
    stem = f"heldout-{condition}-{seed}{extra}"
    path, meta = out_dir / f"{stem}.jpg", out_dir / f"{stem}.json"
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text(encoding="utf-8"))
    doc = make_heldout(condition, seed, **kw)
    doc.image.save(path, "JPEG", quality=95)
    meta.write_text(json.dumps(doc.truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return path, doc.truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=KINDS)
    ap.add_argument("--heldout", choices=HELDOUT_CONDITIONS,
                    help="write held-out passport pages of this condition instead")
    ap.add_argument("-n", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--level", choices=("clean", "moderate", "heavy"), default="moderate")
    ap.add_argument("--expired", action="store_true")
    ap.add_argument("--tamper", action="store_true", help="print a wrong check digit")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args(argv)
    if args.heldout:
        for i in range(args.n):
            print(write_heldout(args.heldout, args.seed + i, out_dir=args.out)[0])
        return 0
    if not args.kind:
        ap.error("--kind or --heldout is required")
    for i in range(args.n):
        path, _ = write_document(args.kind, args.seed + i, level=args.level,
                                 expired=args.expired, tamper=args.tamper, out_dir=args.out)
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
