"""The digit languages a customer can choose, with what each needs.

For every language: the spoken word of each digit (shown beside the numerals
and spoken by the prompt), the number of syllables in each digit word (the
unit counter compares the syllable nuclei it hears with the sum for the
challenge), pairs of digits that sound alike (never placed next to each other
in a challenge), and the espeak-ng voices that can speak the prompt.

Mandarin and Cantonese digits are one syllable each; English has two
two-syllable digits (zero, seven); Uyghur digit words have one or two
syllables; Tibetan zero has two. espeak-ng has no Tibetan voice, so Tibetan
prompts are text only (numerals and Tibetan words).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DigitLanguage:
    """What the voice stage knows about one language (codes are ISO 639-3 / 639-1).

    ``words[d]``: the word for digit ``d`` (index 0..9) in the language's script.
    ``syllables[d]``: syllables spoken for digit ``d``.
    ``confusable``: unordered digit pairs that sound alike (never adjacent in a challenge).
    ``merging``: ordered pairs ``(a, b)`` whose words run together into one syllable
    nucleus when ``b`` follows ``a`` in one run of speech (no consonant between them, so
    the energy contour has no dip): ``b`` is never drawn right after ``a`` (see
    :data:`LANGUAGES` and docs/voice.md, "Digits that merge").
    ``espeak_voices``: espeak-ng voices for the prompt audio (empty: text-only prompt).
    ``separator``: what goes between spoken digits so the prompt pauses between them.
    ``whisper_code``: the Whisper language token for a Whisper recogniser, if any.
    """

    code: str
    name: str
    words: tuple[str, ...]
    syllables: tuple[int, ...]
    confusable: frozenset[frozenset[int]]
    espeak_voices: tuple[str, ...]
    merging: frozenset[tuple[int, int]] = frozenset()
    #: Digits never drawn: their word is counted as two nuclei by too many voices
    #: (Mandarin 零 líng rises again on its -ng; docs/voice.md, "Digits that merge").
    never_drawn: frozenset[int] = frozenset()
    separator: str = ", "
    whisper_code: str | None = None
    instruction: str = "Please read these digits aloud, one by one, at your own pace."
    #: espeak-ng reads numerals correctly for this language but not the digit words
    #: (its Han-character path for cmn mispronounces single digits).
    espeak_reads_numerals: bool = False

    def expected_syllables(self, digits: str) -> int:
        """Sum of the syllables of the digit words of ``digits`` (a string of 0-9)."""
        return sum(self.syllables[int(d)] for d in digits)

    @property
    def one_syllable_digits(self) -> bool:
        """Every digit word is one syllable (Mandarin, Cantonese): syllables are digits."""
        return all(n == 1 for n in self.syllables)

    def spoken_text(self, digits: str) -> str:
        """The digit words of ``digits`` joined by the separator (what the prompt says)."""
        return self.separator.join(self.words[int(d)] for d in digits)

    def espeak_text(self, digits: str) -> str:
        """The text given to espeak-ng so that it says the digit words of ``digits``."""
        if self.espeak_reads_numerals:
            return self.separator.join(digits)
        return self.spoken_text(digits)


def _pairs(*pairs: tuple[int, int]) -> frozenset[frozenset[int]]:
    return frozenset(frozenset(p) for p in pairs)


LANGUAGES: dict[str, DigitLanguage] = {
    "cmn": DigitLanguage(
        code="cmn", name="普通话 (Mandarin)",
        words=("零", "一", "二", "三", "四", "五", "六", "七", "八", "九"),
        syllables=(1,) * 10,
        # yī/qī differ only in the initial; liù/jiǔ share the final.
        confusable=_pairs((1, 7), (6, 9)),
        # 二 èr has no initial: after a vowel (yī sì wǔ liù qī bā jiǔ) it joins the vowel
        # before it (short in 8-18 of 18 tuning readings; after líng, sān's nasal: 0-1).
        merging=frozenset({(1, 2), (4, 2), (5, 2), (6, 2), (7, 2), (8, 2), (9, 2)}),
        # 零 líng: 9 of the 11 over-counted genuine answers of the tuning set (after
        # the merging pairs) had a 0, and so had 5 of the 8 accepted dropped digits.
        never_drawn=frozenset({0}),
        espeak_voices=("cmn", "cmn+f3"), separator="，", whisper_code="zh",
        espeak_reads_numerals=True,
        instruction="请按自己的节奏逐个读出下面的数字。"),
    "yue": DigitLanguage(
        code="yue", name="廣東話 (Cantonese)",
        words=("零", "一", "二", "三", "四", "五", "六", "七", "八", "九"),
        syllables=(1,) * 10,
        # jat1/cat1; saam1/baat3 share a vowel and tone contour on a phone line.
        confusable=_pairs((1, 7), (3, 8)),
        # 五 ng5 is a syllabic nasal: after ling4, ji6, sei3, cat1, gau2 it joins the
        # syllable before (4-10 of 18); ji6 then ling4 (klatt voice) too.
        merging=frozenset({(0, 5), (2, 5), (4, 5), (7, 5), (9, 5), (2, 0)}),
        espeak_voices=("yue", "yue+f3"), separator="，", whisper_code="yue",
        espeak_reads_numerals=True,
        instruction="請按自己嘅節奏逐個讀出下面嘅數字。"),
    "en": DigitLanguage(
        code="en", name="English",
        words=("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
        syllables=(2, 1, 1, 1, 1, 1, 1, 2, 1, 1),
        # five/nine (classic radio confusion); one/nine (same nasal coda).
        confusable=_pairs((5, 9), (1, 9)),
        espeak_voices=("en-us", "en-gb", "en-us+f3"), whisper_code="en"),
    "ug": DigitLanguage(
        code="ug", name="ئۇيغۇرچە (Uyghur)",
        words=("نۆل", "بىر", "ئىككى", "ئۈچ", "تۆت", "بەش", "ئالتە", "يەتتە", "سەككىز", "توققۇز"),
        syllables=(1, 1, 2, 1, 1, 1, 2, 2, 2, 2),
        # alte/yette share the -tte ending; üch/töt are short rounded-vowel words.
        confusable=_pairs((6, 7), (3, 4)),
        # ikki, üch, alte begin with a vowel (espeak makes no glottal onset): after the
        # vowels of ikki, alte, yette they join it (13-18 of 18 tuning readings), and at
        # a fast rate after nöl, bir, sekkiz too (5-6 of 18).
        merging=frozenset({(0, 2), (0, 3), (1, 2), (2, 3), (2, 6), (2, 7), (6, 2), (6, 3),
                           (7, 2), (7, 3), (7, 6), (8, 2)}),
        espeak_voices=("ug", "ug+f3"), separator="، ", whisper_code=None,
        instruction="تۆۋەندىكى رەقەملەرنى بىر-بىرلەپ ئوقۇڭ."),
    "bo": DigitLanguage(
        code="bo", name="བོད་སྐད (Tibetan)",
        words=("ཀླད་ཀོར", "གཅིག", "གཉིས", "གསུམ", "བཞི", "ལྔ", "དྲུག", "བདུན", "བརྒྱད", "དགུ"),
        syllables=(2, 1, 1, 1, 1, 1, 1, 1, 1, 1),
        # nyi/zhi (2/4) differ by one consonant in Lhasa speech.
        confusable=_pairs((2, 4),),
        espeak_voices=(), separator="། ", whisper_code=None,
        instruction="གྲངས་ཀ་འདི་དག་རིམ་པ་བཞིན་ཀློག་རོགས།"),
}


def get_language(code: str) -> DigitLanguage:
    """The :class:`DigitLanguage` for ``code``; ``ValueError`` names the choices."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise ValueError(
            f"unknown language {code!r}; choose one of {', '.join(sorted(LANGUAGES))}") from None


def require_language(code: str) -> DigitLanguage:
    """:func:`get_language` for user input: an unknown code is an ``InputError``
    (CLI exit 2, HTTP 400) naming the choices."""
    from simkyc.domain.errors import InputError

    try:
        return get_language(code)
    except ValueError as exc:
        raise InputError(str(exc)) from exc


__all__ = ["DigitLanguage", "LANGUAGES", "get_language", "require_language"]
