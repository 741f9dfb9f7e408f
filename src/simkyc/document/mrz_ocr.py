"""Find an MRZ among OCR'd text rows and undo OCR look-alikes.

Pipeline (each step small and named, after PassportEye):

1. :func:`candidate_rows`: rows that look like MRZ text (``A-Z0-9<``, long, with fillers).
2. :func:`normalise_chars`: map filler look-alikes (``« ‹ く ( [ {`` ...) to ``<``.
3. :func:`fit_length`: fix a filler run that OCR read one or two characters
   too long or short so the line has its ICAO length.
4. :func:`correct_fields`: per field, letters in digit fields become digits
   (``O``->``0``, ``I``->``1`` ...) and digits in name/state fields become
   letters; an alphanumeric document number is resolved (``O``/``0``) only by
   *both* its check digit and the composite check digit agreeing.

The result still goes through :func:`~simkyc.document.mrz.parse_mrz`, so a
wrong check digit on the document is reported, never repaired.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from simkyc.document.mrz import FORMATS, check_digit
from simkyc.document.ocr import OcrLine

_FILLER_LOOKALIKES = str.maketrans({c: "<" for c in "«‹〈く(（[{£≤‘'`"})
# Greek and Cyrillic capitals the recogniser emits for Latin look-alikes.
_HOMOGLYPHS = str.maketrans(dict(zip(
    "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧАВЕКМНОРСТХУ", "ABEZHIKMNOPTYXABEKMHOPCTXY", strict=True)))
_TO_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1",
                           "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7"})
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G"})
_AMBIGUOUS = {"O": "0", "0": "O"}
_LENGTHS = {length for _, length in FORMATS.values()}


def normalise_chars(text: str) -> str:
    """NFKC-fold, upper-case, drop spaces, map Greek/Cyrillic look-alikes to
    Latin and filler look-alikes to ``<``."""
    text = unicodedata.normalize("NFKC", text).translate(_FILLER_LOOKALIKES)
    return text.replace(" ", "").upper().translate(_HOMOGLYPHS)


def _is_mrz_text(text: str) -> bool:
    return re.fullmatch(r"[A-Z0-9<]+", text) is not None


def candidate_rows(rows: list[list[OcrLine]]) -> list[str]:
    """The consecutive bottom-most rows that look like MRZ lines (their text).

    A row looks like an MRZ line when it is only ``A-Z0-9<``, at least 26
    characters long and holds two fillers. The rows just above and just below
    such a run are added when they are MRZ text of at least 5 characters: a
    name line may hold no filler run at all (a name filling the field) or be
    read far too short (a long filler run the detector missed or the
    recogniser merged); :func:`find_mrz` decides from the check-digit lines.
    """
    return [normalise_chars("".join(ln.text for ln in row)) for row in mrz_rows(rows)]


def mrz_rows(rows: list[list[OcrLine]]) -> list[list[OcrLine]]:
    """The OCR rows :func:`candidate_rows` takes as the MRZ (their boxes place
    the MRZ on the page, see :mod:`simkyc.document.photo`)."""
    texts = [normalise_chars("".join(ln.text for ln in row)) for row in rows]
    run: list[int] = []
    best: list[int] = []
    for i, text in enumerate(texts):
        if len(text) >= 26 and _is_mrz_text(text) and text.count("<") >= 2:
            run.append(i)
            continue
        if len(run) >= 2 or (len(run) == 1 and len(best) < 2):
            best = run
        run = []
    if len(run) >= 2 or (run and len(best) < 2):
        best = run
    if not best:
        return []
    lo, hi = best[0], best[-1]
    if lo > 0 and len(texts[lo - 1]) >= 5 and _is_mrz_text(texts[lo - 1]):
        lo -= 1
    if hi + 1 < len(texts) and len(texts[hi + 1]) >= 5 and _is_mrz_text(texts[hi + 1]):
        hi += 1
    return rows[lo:hi + 1]


def fit_length(line: str, length: int) -> str:
    """Lengthen or shorten the longest filler run so ``line`` has ``length`` characters."""
    delta = length - len(line)
    if delta == 0:
        return line
    runs = [(m.end() - m.start(), m.start(), m.end()) for m in re.finditer(r"<+", line)]
    if not runs:
        return line
    size, start, end = max(runs)
    if size + delta < 1:
        return line
    return line[:start] + "<" * (size + delta) + line[end:]


def _clean_tail(field: str) -> str:
    # OCR reads runs of fillers as "<<K<<" or "<<C<": a tail made only of '<', 'K', 'C'
    # with at least two fillers is all filler.
    m = re.search(r"<[<KC]*$", field)
    if m and m.group().count("<") >= 2:
        return field[: m.start()] + "<" * (len(field) - m.start())
    return field


def _clean_name_tail(field: str) -> str:
    """:func:`_clean_tail` for a name field, keeping a one-letter name part ``K``
    or ``C`` where a name part can stand (issue 12: a given name ``C`` was
    erased as a misread filler and the page accepted with a wrong name).

    Name parts are separated by one ``<``, the surname from the given names by
    ``<<`` (once); the filler run after the name is at least three long where
    the field is not full. So a ``K``/``C`` after the name is a name part when
    one ``<`` follows a letter before it, or ``<<`` when the field has no
    ``<<`` yet; after three or more fillers, or a second ``<<``, it is filler.
    """
    m = re.search(r"<[<KC]*$", field)
    if not m or m.group().count("<") < 2:
        return field
    out = list(field)
    for j in range(m.start(), len(out)):
        if out[j] not in "KC":
            continue
        run = 0
        while j - run - 1 >= 0 and out[j - run - 1] == "<":
            run += 1
        before = "".join(out[:j - run])
        after = j + 1 == len(out) or out[j + 1] == "<"
        keep = (after and j - run >= 1 and out[j - run - 1] != "<"
                and (run == 1 or (run == 2 and "<<" not in before)))
        if not keep:
            out[j] = "<"
    return "".join(out)


def _letters(s: str) -> str:
    return s.translate(_TO_LETTER)


def _digits(s: str) -> str:
    return s.translate(_TO_DIGIT)


def _resolve_number(number: str, cd: str, composite_ok: Callable[[str], bool]) -> str:
    """Resolve ``O``/``0`` in an alphanumeric document number.

    Candidates are few on purpose: one character flipped, or every ``O`` read
    as ``0`` (or every ``0`` as ``O``). A candidate is kept only if *both* the
    number's check digit and the composite check digit agree with it, so a
    document printed with a wrong check digit is accepted only by a double
    coincidence (about 1 in 100 per candidate, and only for numbers holding
    ``O`` or ``0``); the benchmark counts such cases.
    """
    positions = [i for i, c in enumerate(number) if c in _AMBIGUOUS]
    if not cd.isdigit() or not positions:
        return number
    if check_digit(number) == cd and composite_ok(number):
        return number
    candidates = [number[:i] + _AMBIGUOUS[number[i]] + number[i + 1:] for i in positions]
    candidates += [number.replace("O", "0"), number.replace("0", "O")]
    for cand in dict.fromkeys(candidates):
        if cand != number and check_digit(cand) == cd and composite_ok(cand):
            return cand
    return number


def correct_fields(lines: list[str]) -> list[str]:
    """Fix OCR look-alikes field by field for a TD1, TD2 or TD3 MRZ of correct lengths."""
    if len(lines) == 3:
        l1, l2, l3 = lines
        l1 = _letters(l1[:5]) + l1[5:14] + _digits(l1[14]) + l1[15:]
        l2 = (_digits(l2[:7]) + l2[7].replace("0", "<") + _digits(l2[8:15]) + _letters(l2[15:18])
              + l2[18:29] + _digits(l2[29]))
        l3 = _clean_name_tail(_letters(l3))
        l1 = l1[:15] + _clean_tail(l1[15:])
        l2 = l2[:18] + _clean_tail(l2[18:29]) + l2[29]

        def composite_ok(number: str) -> bool:
            c1 = l1[:5] + number + l1[14:]
            return check_digit(c1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) == l2[29]

        l1 = l1[:5] + _resolve_number(l1[5:14], l1[14], composite_ok) + l1[14:]
        return [l1, l2, l3]
    l1, l2 = lines
    n = len(l1)
    l1 = _letters(l1[:5]) + _clean_name_tail(_letters(l1[5:]))
    opt_end = 42 if n == 44 else 35
    l2 = (l2[:9] + _digits(l2[9]) + _letters(l2[10:13]) + _digits(l2[13:20])
          + l2[20].replace("0", "<") + _digits(l2[21:28]) + _clean_tail(l2[28:opt_end])
          + _digits(l2[opt_end:]))
    end = 43 if n == 44 else 35

    def td_composite_ok(number: str) -> bool:
        c2 = number + l2[9:]
        return check_digit(c2[0:10] + c2[13:20] + c2[21:end]) == l2[end]

    l2 = _resolve_number(l2[:9], l2[9], td_composite_ok) + l2[9:]
    return [l1, l2]


def fit_name_line(line: str, length: int, name_start: int, *, spans_line: bool = False
                  ) -> str | None:
    """A name line (TD3 line 1, TD1 line 3, TD2 line 1) fitted to ``length``.

    The name field ends in fillers unless the name fills it, so a line read
    too short or too long is fixed by its trailing filler run, whatever the
    name's length; a run of three or more fillers inside the name (only ``<``
    and ``<<`` separate its parts) is one ``<<`` read too long. A line read
    short that ends in a letter is padded only when ``spans_line`` (its text
    box reaches the end of the MRZ, so the text detector saw the fillers and
    the recogniser dropped them); otherwise the rest of the name is unknown
    (hidden by glare, a finger, the frame) and the line is not guessed.
    ``None`` when the line cannot be fitted.
    """
    if name_start == 5:
        # The issuing state (after a two-character document code) starts with a
        # letter: "P<<D<<HLM" read long is "P<D<<HLM" with a filler too many
        # (issue 12), which would otherwise shift the whole name by one.
        while len(line) > length and line[1:3] == "<<":
            line = line[:2] + line[3:]
    head, name = line[:name_start], line[name_start:]
    name = re.sub(r"<{3,}(?=[^<])", "<<", name)
    line = head + name
    if len(line) == length:
        return line
    if len(line) > length:
        body = line.rstrip("<")
        if len(body) <= length:
            return body.ljust(length, "<")
        fitted = fit_length(line, length)  # an inner run read too long
        return fitted if len(fitted) == length and len(line) - length <= 3 else None
    if line.endswith("<") or spans_line:
        return line.ljust(length, "<")
    fitted = fit_length(line, length)  # one or two fillers lost inside the name
    return fitted if len(fitted) == length and length - len(line) <= 3 else None


def find_mrz(rows: list[list[OcrLine]]) -> list[str] | None:
    """The MRZ lines found in OCR rows, repaired, or ``None`` when there is none.

    The lines holding check digits decide the format (their length within 3
    of the ICAO length, fixed by their longest filler run); the name line is
    fitted by :func:`fit_name_line`, whatever the length of the name.
    """
    found = mrz_rows(rows)
    if len(found) < 2:
        return None
    cands = [(normalise_chars("".join(ln.text for ln in row)), max(ln.box[2] for ln in row))
             for row in found]
    for fmt in ("TD1", "TD3", "TD2"):
        count, length = FORMATS[fmt]
        if len(cands) < count:
            continue
        for chosen in _windows(cands, count):
            name_row = 2 if fmt == "TD1" else 0
            digits = [c for i, c in enumerate(chosen) if i != name_row]
            if not all(abs(len(text) - length) <= 3 for text, _ in digits):
                continue
            right = max(x1 for _, x1 in digits)
            rows_here = [r for r in found if normalise_chars("".join(ln.text for ln in r))
                         == digits[0][0]]
            x0 = min(ln.box[0] for ln in rows_here[0]) if rows_here else 0
            pitch = (right - x0) / length
            text, x1 = chosen[name_row]
            name = fit_name_line(text, length, 0 if fmt == "TD1" else 5,
                                 spans_line=x1 >= right - 2 * pitch)
            if name is None:
                continue
            fitted = [name if i == name_row else fit_length(c, length)
                      for i, (c, _) in enumerate(chosen)]
            if all(len(c) == length for c in fitted):
                return correct_fields(fitted)
    return None


def _windows(cands: list[tuple[str, int]], count: int) -> list[list[tuple[str, int]]]:
    """Runs of ``count`` consecutive candidates, bottom-most first."""
    return [cands[i - count:i] for i in range(len(cands), count - 1, -1)]


__all__ = ["candidate_rows", "correct_fields", "find_mrz", "fit_length", "fit_name_line",
           "mrz_rows", "normalise_chars"]
