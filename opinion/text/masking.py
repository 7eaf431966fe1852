"""Mask personal identifiers in free text before anything is stored.

Crawled letters and survey answers often carry the writer's phone number, ID number or
bank card ("请联系我 138-1234-5678"). Nothing personal may reach the store in clear, so
every text passes through :func:`mask_pii` first and each identifier is replaced by a
bracketed placeholder (``[手机号]``, ``[座机]``, ``[身份证号]``, ``[邮箱]``, ``[银行卡号]``,
``[车牌号]``). Placeholders keep the sentence readable and let later stages know that a
contact detail was given without knowing which.

Ordinary numbers must survive, because they carry meaning for the analysis: dates
(2026-10-01, 20261001), amounts (3000元), the 12345 hotline, postcodes, years. Two
devices keep the masks from eating them:

* every pattern is fenced by lookarounds so that a match never starts or ends in the
  middle of a longer digit run (a 19-digit number is never read as an 11-digit phone
  number plus leftovers);
* numbers that could be ordinary (ID and card numbers) are masked only when their
  checksum is valid (ISO 7064 MOD 11-2 plus a plausible birth date for IDs, Luhn for
  cards); old 15-digit IDs have no checksum, so a plausible birth date is required.

Full-width digits (１３８...) are recognised too, so masking works on raw,
un-normalised text. Order matters: e-mail first (addresses contain digits), then IDs
(an 18-digit ID may also pass Luhn by chance), bank cards, mobile numbers, landlines
and plates.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

__all__ = ["PLACEHOLDERS", "mask_pii", "valid_id_number", "luhn_valid"]

PHONE = "[手机号]"
LANDLINE = "[座机]"
ID_NUMBER = "[身份证号]"
EMAIL = "[邮箱]"
BANK_CARD = "[银行卡号]"
PLATE = "[车牌号]"

PLACEHOLDERS: tuple[str, ...] = (PHONE, LANDLINE, ID_NUMBER, EMAIL, BANK_CARD, PLATE)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Full-width digits, X, plus, dash, parentheses and the ideographic space, folded
# one-to-one to ASCII so the patterns below see one alphabet.
_FOLD = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x", "＋": "+",
     "－": "-", "（": "(", "）": ")", "\u3000": " "}
)

_FOLDABLE_RE = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")

_EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 18-digit IDs end in a digit or X; 15-digit IDs are all digits. Letters may not touch
# either end, so a product code like AB110105... is left alone.
_ID18_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID15_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{15}(?![0-9A-Za-z])")
# Cards are written as one run or in groups of four separated by a space or a dash.
_CARD_RE = re.compile(r"(?<![\d-])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?)(?![\d])")
# Optional country prefix (+86, 0086, 86) and groups 3-4-4 with spaces or dashes.
_MOBILE_RE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d{4}){2}(?![\d])"
)
_LANDLINE_RE = re.compile(r"(?<![\d])(?:\(0\d{2,3}\)[ \-]?|0\d{2,3}[ \-]?)\d{7,8}(?![\d])")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# A province character, the issuing-office letter (no I or O), an optional separator,
# then five (ordinary) or six (new energy) letters/digits with at least one digit, or
# four plus a special suffix (挂 trailer, 学 driving school, 警 police).
_PLATE_RE = re.compile(
    rf"[{_PROVINCES}][A-HJ-NP-Za-hj-np-z][·•・\. ]?"
    r"(?=[A-Za-z]*\d)(?:[A-HJ-NP-Za-hj-np-z0-9]{5,6}|[A-HJ-NP-Za-hj-np-z0-9]{4}[挂学警港澳])"
    r"(?![A-Za-z0-9])"
)


def _digits(text: str) -> str:
    """The decimal digits of ``text`` as ASCII (full-width digits included)."""
    return "".join(str(int(ch)) for ch in text if ch.isdecimal())


def _plausible_birth(year: int, month: int, day: int) -> bool:
    """A birth date an ID number could carry: real calendar date, year 1900 to this year."""
    if not 1900 <= year <= date.today().year:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def valid_id_number(number: str) -> bool:
    """True for a resident ID number: 18 characters with a valid MOD 11-2 check, or 15 digits.

    Both forms also need a plausible birth date and a region code starting 1-8, which
    keeps order numbers and timestamps that happen to pass the checksum from being masked.
    """
    text = number.strip().translate(_FOLD).upper()
    if len(text) == 18:
        body, check = text[:17], text[17]
        if not body.isdigit() or body[0] not in "12345678":
            return False
        total = sum(int(ch) * w for ch, w in zip(body, _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != check:
            return False
        return _plausible_birth(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    if len(text) == 15 and text.isdigit() and text[0] in "12345678":
        return _plausible_birth(1900 + int(text[6:8]), int(text[8:10]), int(text[10:12]))
    return False


def luhn_valid(number: str) -> bool:
    """Luhn check over the digits of ``number`` (separators ignored)."""
    digits = _digits(number)
    if not digits:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_number(found: str) -> bool:
    digits = _digits(found)
    return 16 <= len(digits) <= 19 and luhn_valid(digits)


def _always(found: str) -> bool:
    return True


# A number the writer labels as an ID number is masked even when its checksum is wrong:
# a mistyped ID still identifies its owner to anyone who knows the first digits.
_LABELLED_ID_RE = re.compile(r"身份证(?:号码|号)?\s*(?:是|为|:|：)?\s*(?P<pii>\d{17}[\dXx]|\d{15})(?!\d)")

# (gate, pattern, check on the matched text, placeholder), in the order they claim text.
# A gate names what every match of the pattern must contain (see _GATES): most texts
# have no four-digit run, no "@" and no Latin letter after a province character, and
# one fast search per gate then skips the patterns that cannot match.
_RULES: tuple[tuple[str, re.Pattern[str], Callable[[str], bool], str], ...] = (
    ("email", _EMAIL_RE, _always, EMAIL),
    ("id", _LABELLED_ID_RE, _always, ID_NUMBER),
    ("id", _ID18_RE, valid_id_number, ID_NUMBER),
    ("id", _ID15_RE, valid_id_number, ID_NUMBER),
    ("card", _CARD_RE, _card_number, BANK_CARD),
    ("mobile", _MOBILE_RE, _always, PHONE),
    ("landline", _LANDLINE_RE, _always, LANDLINE),
    ("plate", _PLATE_RE, _always, PLATE),
)
# What every match of a gate's patterns contains: an e-mail address an "@"; an ID
# number 15 digits in a row; a card number four groups of four digits; a mobile number
# its 3-4-4 digits; a landline its area code and seven digits; a plate a province
# character and a Latin letter (each probe is its pattern without the lookarounds). The
# patterns open with a lookbehind, which keeps the regular expression engine from
# skipping ahead, so each is tried at every position; the probes open with a character
# class and are found by a fast scan.
_GATES: dict[str, re.Pattern[str]] = {
    "email": re.compile("@"),
    "id": re.compile(r"\d{15}"),
    "card": re.compile(r"\d{4}(?:[ -]?\d{4}){3}"),
    "mobile": re.compile(r"1[3-9]\d(?:[ \-]?\d{4}){2}"),
    "landline": re.compile(r"0\d{2,3}\)?[ \-]?\d{7}"),
    "plate": re.compile(rf"[{_PROVINCES}][A-Za-z]"),
}


def mask_pii(text: str) -> str:
    """Replace phone, landline, ID, e-mail, bank card and plate numbers by placeholders.

    Patterns run on a copy with full-width digits and signs folded to ASCII (same
    length, so spans carry over); the original text outside the masked spans is kept
    as written. Earlier rules win overlaps. Idempotent: masking a masked text changes
    nothing, so pipelines may call it again without harm.
    """
    if not text:
        return text
    folded = text.translate(_FOLD) if _FOLDABLE_RE.search(text) else text
    open_gates = {gate for gate, probe in _GATES.items() if probe.search(folded)}
    if not open_gates:
        return text
    spans: list[tuple[int, int, str]] = []
    for gate, pattern, check, placeholder in _RULES:
        if gate not in open_gates:
            continue
        for match in pattern.finditer(folded):
            start, end = match.span("pii") if "pii" in match.groupdict() else match.span()
            if any(start < e and s < end for s, e, _ in spans):
                continue
            if check(match.group()):
                spans.append((start, end, placeholder))
    if not spans:
        return text
    spans.sort()
    out: list[str] = []
    pos = 0
    for start, end, placeholder in spans:
        out.append(text[pos:start])
        out.append(placeholder)
        pos = end
    out.append(text[pos:])
    return "".join(out)
