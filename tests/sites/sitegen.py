"""Generated letter boards: a site of any size in the shape the ``gov-letters`` profile reads.

Used to measure the crawler (``benchmarks/bench_crawl.py``) and to test resuming a
killed crawl, where a site has to be large enough to be interrupted half-way. The
pages are deterministic: the same arguments write the same bytes.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

_TOPICS = ["道路", "看病", "供水", "学校", "物业", "养老金", "停车", "噪音", "垃圾", "路灯"]
_PLACES = ["柳林乡 杨庄村", "城关镇 东街社区", "河西乡 河西村", "城关镇 南关社区"]
_KINDS = ["咨询", "建议", "投诉"]


def letter_fields(number: int, first_day: date = date(2026, 11, 1)) -> dict[str, str]:
    """The fields of generated letter ``number`` (1-based), as the detail page prints them."""
    topic = _TOPICS[number % len(_TOPICS)]
    day = first_day - timedelta(days=number // 7)
    return {
        "title": f"关于{topic}问题的第{number}封来信",
        "author": "王**" if number % 2 else "李女士",
        "posted": f"{day.isoformat()} {8 + number % 10:02d}:{number % 60:02d}",
        "place": _PLACES[number % len(_PLACES)],
        "category": _KINDS[number % len(_KINDS)],
        "text": f"我反映一下{topic}的情况，这是第{number}封信。希望有关部门尽快处理，谢谢。",
        "reply_unit": "县信访局",
        "replied": (day + timedelta(days=5)).isoformat(),
        "reply_text": f"您好，来信收悉（编号{number}），已转相关部门办理。",
    }


def _detail(number: int) -> str:
    f = letter_fields(number)
    rows = [("标题", f["title"]), ("来信人", f["author"]), ("来信时间", f["posted"]), ("所在地", f["place"]),
            ("类型", f["category"]), ("内容", f["text"]), ("回复单位", f["reply_unit"]),
            ("回复时间", f["replied"]), ("回复内容", f["reply_text"])]
    body = "\n".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{f["title"]}</title></head>\n'
            f'<body>\n<div class="nav"><a href="list_1.html">返回列表</a></div>\n'
            f'<table class="letter-detail">\n{body}\n</table>\n</body></html>\n')


def _list(page: int, pages: int, numbers: list[int]) -> str:
    items = "\n".join(
        f'<li><a href="detail_{n:05d}.html">{letter_fields(n)["title"]}</a> '
        f'<span class="date">{letter_fields(n)["posted"][:10]}</span></li>' for n in numbers
    )
    nxt = f'<a class="next" href="list_{page + 1}.html">下一页</a>' if page < pages else ""
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>来信列表 第{page}页</title></head>\n'
            f'<body>\n<ul class="letter-list">\n{items}\n</ul>\n<div class="pages">{nxt}</div>\n</body></html>\n')


def write_letter_board(root: Path, letters: int, per_page: int = 20) -> str:
    """Write a board of ``letters`` detail pages and their list pages under ``root/letters``.

    Returns the path of the first list page relative to ``root`` (``letters/list_1.html``).
    A board of N letters has N + ceil(N / per_page) pages.
    """
    if letters < 1 or per_page < 1:
        raise ValueError(f"letters ({letters}) and per_page ({per_page}) must be at least 1")
    folder = Path(root) / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    pages = -(-letters // per_page)
    for page in range(1, pages + 1):
        numbers = list(range((page - 1) * per_page + 1, min(letters, page * per_page) + 1))
        (folder / f"list_{page}.html").write_text(_list(page, pages, numbers), encoding="utf-8")
    for number in range(1, letters + 1):
        (folder / f"detail_{number:05d}.html").write_text(_detail(number), encoding="utf-8")
    return "letters/list_1.html"
