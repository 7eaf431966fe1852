from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from opinion.text.masking import PLACEHOLDERS, luhn_valid, mask_pii, valid_id_number

CHINESE = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), max_size=30)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_check(body: str) -> str:
    """MOD 11-2 check character, written from the GB 11643 definition."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _luhn_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass Luhn."""
    for d in "0123456789":
        digits = [int(c) for c in body + d][::-1]
        total = sum(x if i % 2 == 0 else (x * 2 - 9 if x * 2 > 9 else x * 2) for i, x in enumerate(digits))
        if total % 10 == 0:
            return d
    raise AssertionError("unreachable")


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    style = draw(st.sampled_from(["plain", "dash", "space", "+86", "+86 space"]))
    if style == "plain":
        written = digits
    elif style == "dash":
        written = f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    elif style == "space":
        written = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    elif style == "+86":
        written = "+86" + digits
    else:
        written = f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"
    return written, digits


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from("12345678")) + draw(st.text("0123456789", min_size=5, max_size=5))
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2008, 12, 31)))
    seq = draw(st.text("0123456789", min_size=3, max_size=3))
    if draw(st.booleans()):
        body = region + born.strftime("%Y%m%d") + seq
        return body + _id_check(body)
    # 15-digit (first-generation) numbers write the year as 19yy: nobody born in 2000 or
    # later has one, and 000229 would read as 29 February 1900, which did not exist.
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(1999, 12, 31)))
    return region + born.strftime("%y%m%d") + seq


@st.composite
def cards(draw: st.DrawFn) -> str:
    length = draw(st.integers(16, 19))
    body = draw(st.sampled_from(["62", "4", "5"]))
    body += draw(st.text("0123456789", min_size=length - 1 - len(body), max_size=length - 1 - len(body)))
    return body + _luhn_digit(body)


@settings(max_examples=200)
@given(CHINESE, mobiles(), CHINESE)
def test_mobile_numbers_never_survive(before: str, phone: tuple[str, str], after: str) -> None:
    written, digits = phone
    masked = mask_pii(before + written + after)
    assert digits[3:] not in masked.replace(" ", "").replace("-", "")
    assert "[手机号]" in masked


@settings(max_examples=200)
@given(CHINESE, id_numbers(), CHINESE)
def test_id_numbers_never_survive(before: str, number: str, after: str) -> None:
    masked = mask_pii(before + number + after)
    assert number not in masked
    assert masked == before + "[身份证号]" + after


@settings(max_examples=200)
@given(CHINESE, cards(), CHINESE)
def test_bank_cards_never_survive(before: str, number: str, after: str) -> None:
    masked = mask_pii(before + number + after)
    assert number not in masked
    # An 18-digit card may also be a valid ID number; either way it is masked.
    assert masked in (before + "[银行卡号]" + after, before + "[身份证号]" + after)


@given(CHINESE, cards())
def test_grouped_card_is_masked(before: str, number: str) -> None:
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    assert mask_pii(before + "卡号" + grouped) == before + "卡号[银行卡号]"


@st.composite
def ordinary_numbers(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["date", "compact", "cn_date", "amount", "hotline", "postcode", "year"]))
    day = draw(st.dates(min_value=date(1949, 10, 1), max_value=date(2099, 12, 31)))
    if kind == "date":
        return day.isoformat()
    if kind == "compact":
        return day.strftime("%Y%m%d")
    if kind == "cn_date":
        return f"{day.year}年{day.month}月{day.day}日"
    if kind == "amount":
        return f"{draw(st.integers(0, 9_999_999))}元"
    if kind == "hotline":
        return "12345"
    if kind == "postcode":
        return draw(st.sampled_from("123456789")) + draw(st.text("0123456789", min_size=5, max_size=5))
    return f"{draw(st.integers(1900, 2100))}年"


@settings(max_examples=300)
@given(CHINESE, ordinary_numbers(), CHINESE)
def test_ordinary_numbers_are_left_alone(before: str, number: str, after: str) -> None:
    text = before + number + after
    assert mask_pii(text) == text


def test_examples_from_letters() -> None:
    text = "我叫张三，电话138-1234-5678，座机010-87654321，邮箱zs@example.com，2026-10-01打过12345。"
    assert mask_pii(text) == "我叫张三，电话[手机号]，座机[座机]，邮箱[邮箱]，2026-10-01打过12345。"


def test_plates_are_masked() -> None:
    assert mask_pii("车牌京A12345停在门口") == "车牌[车牌号]停在门口"
    assert mask_pii("新能源车粤B·D12345被刮") == "新能源车[车牌号]被刮"
    assert mask_pii("教练车京A1234学") == "教练车[车牌号]"


def test_plate_needs_a_digit() -> None:
    assert mask_pii("新ABCDE") == "新ABCDE"


def test_digits_are_not_glued() -> None:
    # 20 digits: no phone, ID or card may be cut out of the middle.
    run = "13812345678901234567"
    assert mask_pii(f"编号{run}") == f"编号{run}"
    assert mask_pii("订单A110105194912310021号") == "订单A110105194912310021号"


def test_invalid_checksums_stay() -> None:
    assert not valid_id_number("110105194912310022")
    assert mask_pii("号码110105194912310022") == "号码110105194912310022"
    assert not luhn_valid("6222021234567890127")
    assert mask_pii("卡6222021234567890127") == "卡6222021234567890127"


def test_full_width_digits_are_masked() -> None:
    assert mask_pii("电话１３８１２３４５６７８") == "电话[手机号]"


def test_masking_is_idempotent() -> None:
    once = mask_pii("电话13812345678，身份证11010519491231002X")
    assert mask_pii(once) == once
    assert "[手机号]" in once and "[身份证号]" in once
    assert set(PLACEHOLDERS) >= {"[手机号]", "[身份证号]", "[车牌号]"}


def test_a_labelled_id_number_is_masked_even_with_a_wrong_check_digit() -> None:
    assert mask_pii("我的身份证号是640399199404193278，请核实") == "我的身份证号是[身份证号]，请核实"
    assert mask_pii("身份证：110101199003071234") == "身份证：[身份证号]"
