"""Letter pages: each field found by its label wherever it sits (see :mod:`scrapers.generic`)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree

from scrapers.generic._text import (
    _COLON,
    _NAV_CLASS,
    _NAV_TAGS,
    _SPACE,
    BLOCK_TAGS,
    INVISIBLE_TAGS,
    Found,
    _block,
    _in_navigation,
    _tag,
    _value_css,
    node_text,
    squeeze,
)

# field -> labels a board prints for it, most specific first. A label matches the whole
# text of its element (or the text before a colon), spaces and colons ignored.
LETTER_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "信件标题", "留言标题", "来信标题", "来信主题", "诉求标题", "主题", "信件主题", "留言主题", "事项标题"),
    "author": ("来信人", "留言人", "写信人", "网友", "发信人", "留言者", "来信者", "提问人", "诉求人", "反映人",
               "来信人姓名", "姓名", "网民"),
    "posted": ("来信时间", "留言时间", "写信时间", "提交时间", "发布时间", "来信日期", "留言日期", "写信日期",
               "提交日期", "提问时间", "诉求时间", "发表时间", "反映时间", "时间", "日期"),
    "place": ("所在地", "所在地区", "所属地区", "所在区域", "地区"),
    "category": ("类型", "信件类型", "留言类型", "分类", "类别", "信件类别", "留言类别", "诉求类型", "问题类别",
                 "问题类型", "业务类型"),
    "text": ("来信内容", "留言内容", "信件内容", "内容", "问题描述", "诉求内容", "咨询内容", "投诉内容", "反映内容",
             "具体内容", "详细内容", "事项内容", "正文", "问题内容"),
    "reply_unit": ("回复单位", "答复单位", "办理单位", "承办单位", "处理单位", "回复部门", "答复部门", "办理部门",
                   "承办部门", "处理部门", "回复机构", "答复机构", "回复人", "答复人", "单位", "部门"),
    "replied": ("回复时间", "答复时间", "办理时间", "处理时间", "回复日期", "答复日期", "办结时间", "办结日期",
                "办理日期", "处理日期"),
    "reply_text": ("回复内容", "答复内容", "办理结果", "处理结果", "回复意见", "答复意见", "办理意见", "处理意见",
                   "办理情况", "处理情况", "回复信息", "答复信息", "领导回复", "部门回复", "官方回复", "回复", "答复",
                   "回复正文", "答复正文"),
}
# Printed beside the fields but not stored: they end the value before them.
OTHER_LABELS = ("状态", "办理状态", "处理状态", "办事状态", "回复期限", "办理期限", "信件状态",
                "回复状态", "编号", "信件编号", "留言编号", "查询码",
                "浏览次数", "点击数", "浏览量", "访问量", "满意度", "评价", "是否公开", "受理单位", "联系电话", "电话",
                "邮箱", "附件", "来源", "信件来源")
SHORT_FIELDS = frozenset({"title", "author", "posted", "place", "category", "reply_unit", "replied"})
# Labels that read differently once the reply part of the page has begun.
_REPLY_SIDE = {"时间": "replied", "日期": "replied", "内容": "reply_text", "正文": "reply_text"}
_WEAK = frozenset({"时间", "日期", "内容", "正文", "回复", "答复", "单位", "部门", "姓名", "主题", "地区", "网友"})
# A reply field holding one of these is a letter not answered yet, not a reply.
PENDING = re.compile(r"^[\s(（\[【]*(?:暂无|尚未|还未|未|待|正在)?(?:回复|答复|办理|处理|受理)(?:中|状态)?[\s)）\]】]*$|^无$")
_PENDING_WORDS = ("尚未", "暂未", "暂无", "还未", "未回复", "未答复", "待回复", "待答复", "待处理", "待办理", "正在办理",
                  "办理中", "处理中", "正在处理", "未办结", "待审核", "审核中", "正在受理")
# A label made of a unit's name and 回复 / 答复 (市交通局答复：) introduces the reply.
_REPLY_ENDINGS = ("回复", "答复", "回复内容", "答复内容", "回复意见", "答复意见", "回复如下", "答复如下", "回复情况",
                  "答复情况", "办理答复", "反馈意见", "回复结果", "答复结果")
_STATUS_STARTS = ("已", "待", "未", "暂", "尚", "正在", "无", "没", "不", "等待", "最新", "热点", "热门", "精选")
_REPLY_HEAD = re.compile(
    r"^[【\[]?(?P<label>[\u4e00-\u9fa5（）()]{1,12}?(?:回复|答复)(?:内容|意见|如下|情况|结果)?)[】\]]?\s*[:：]")


def is_pending(value: str) -> bool:
    """A reply that only says the letter is not answered yet (待回复, 正在办理中, 该信件尚未答复)."""
    text = squeeze(value)
    return bool(PENDING.match(text)) or (len(text) <= 24 and any(word in text for word in _PENDING_WORDS))


@dataclass
class LetterReading:
    """The fields :func:`read_letter` found on one page, by field name."""

    fields: dict[str, Found] = field(default_factory=dict)
    texts_seen: set[str] = field(default_factory=set)  # distinct values labelled as the letter's text
    titles_seen: set[str] = field(default_factory=set)  # distinct values labelled as its title

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found is not None else None

    @property
    def repeated(self) -> bool:
        """A list page printing each letter's labelled title or excerpt, not one letter.

        Two different labelled titles, or three different labelled texts (a letter page
        may label a short summary and the full text alike).
        """
        return len(self.titles_seen) >= 2 or len(self.texts_seen) >= 3


# --- labels ----------------------------------------------------------------------------------


def label_key(text: str) -> str:
    """A label as compared: no spaces (U+3000 included), no colon or brackets around it."""
    return _SPACE.sub("", text).strip("：:【】[]〔〕()（）·•*").strip()


def label_index(labels: Mapping[str, Iterable[str]] | None = None) -> dict[str, str]:
    """label key -> field (``"other"`` for labels that only end a value); ``labels`` come first."""
    index: dict[str, str] = {}
    for source in (labels or {}, LETTER_LABELS):
        for name, texts in source.items():
            for text in texts:
                index.setdefault(label_key(text), name)
    for text in OTHER_LABELS:
        index.setdefault(label_key(text), "other")
    return index


_BUILT_IN = label_index()  # the reader's own labels, for telling a label from a heading


def _label_pattern(index: Mapping[str, str]) -> re.Pattern[str]:
    # Longest first, so 来信内容 is not read as 内容; any spaces between the characters.
    alternatives = sorted(index, key=len, reverse=True)
    body = "|".join(r"\s*".join(re.escape(ch) for ch in key) for key in alternatives)
    return re.compile(rf"[【\[]?(?P<label>{body})[】\]]?\s*{_COLON}")


_PATTERNS: dict[tuple[tuple[str, str], ...], re.Pattern[str]] = {}


def _pattern_for(index: Mapping[str, str]) -> re.Pattern[str]:
    key = tuple(sorted(index.items()))
    pattern = _PATTERNS.get(key)
    if pattern is None:
        pattern = _PATTERNS[key] = _label_pattern(index)
    return pattern


# --- letter pages ----------------------------------------------------------------------------


class _LetterReader:
    def __init__(self, root: etree._Element, labels: Mapping[str, Iterable[str]] | None) -> None:
        self.root = root
        self.index = label_index(labels)
        self.inline = _pattern_for(self.index)
        self.reading = LetterReading()
        self.ranks: dict[str, int] = {}
        self.reply_side = False
        self.label_elements: set[etree._Element] = set()

    def field_of(self, key: str) -> str | None:
        name = self.index.get(key)
        if name is None:
            if 4 <= len(key) <= 16 and key.endswith(_REPLY_ENDINGS) and not key.startswith(_STATUS_STARTS) \
                    and re.fullmatch(r"[\u4e00-\u9fa5（）()]+", key):
                return "reply_text"
            return None
        if self.reply_side and key in _REPLY_SIDE:
            return _REPLY_SIDE[key]
        return name

    def keep(self, name: str, found: Found, key: str) -> None:
        if name == "other":
            return
        if name in ("reply_text", "reply_unit", "replied"):
            self.reply_side = True
        value = squeeze(found.value) if name in SHORT_FIELDS else _block(found.value)
        if name in SHORT_FIELDS:
            value = value.split(" ")[0] if name == "author" and len(value) > 40 else value
        if not value:
            return
        if name == "text":
            self.reading.texts_seen.add(value)
        if name == "title":
            self.reading.titles_seen.add(value)
        rank = 1 if key in _WEAK else 2
        if name not in self.ranks or rank > self.ranks[name]:
            self.ranks[name] = rank
            self.reading.fields[name] = Found(value, found.rule, found.css, found.label)

    def run(self) -> LetterReading:
        body = self.root.find(".//body")
        for element in (body if body is not None else self.root).iter():
            tag = _tag(element)
            if tag is None or tag in INVISIBLE_TAGS or tag in ("a", "option", "select", "button", "input"):
                continue
            parent = element.getparent()
            if parent is not None and parent in self.label_elements:
                self.label_elements.add(element)  # inside a label already read
                continue
            head = squeeze(element.text)
            if not head or len(head) > 400:
                continue
            key = label_key(head)
            name = self.field_of(key)
            if name is not None:
                self.label_elements.add(element)
                rest = "".join(node_text(child) + (child.tail or "") for child in element)
                if squeeze(rest):  # <td>内容<br>the text</td>
                    label = head.rstrip(":： ")
                    self.keep(name, Found(rest, f"label {label} (text after it in {tag})", None, label), key)
                else:
                    self.pure_label(element, name, key, head)
                continue
            if self.inline.match(head) is not None:
                self.label_elements.add(element)
                self.inline_labels(element, node_text(element))
                continue
            reply = _REPLY_HEAD.match(head)
            if reply is not None and self.field_of(label_key(reply.group("label"))) == "reply_text":
                self.label_elements.add(element)
                whole = node_text(element)
                start = _REPLY_HEAD.match(whole.lstrip())
                rest = whole.lstrip()[start.end():] if start else whole
                label = squeeze(reply.group("label"))
                if squeeze(rest):
                    self.keep("reply_text", Found(rest, f"label {label}: (inline in {tag})", None, label),
                              label_key(label))
                else:
                    self.pure_label(element, "reply_text", label_key(label), head)
        return self.reading

    def pure_label(self, element: etree._Element, name: str, key: str, shown: str) -> None:
        """``element`` holds a label only: the value is beside it, under it, or in the next cell."""
        tag = _tag(element)
        label = shown.rstrip(":： ")
        if tag in ("th", "td"):
            cell = _next_element(element)
            if cell is not None and _tag(cell) in ("th", "td"):
                if self.field_of(label_key(squeeze(node_text(cell)))) is None:
                    self.keep(name, Found(node_text(cell), f"label {label} ({tag} → {_tag(cell)})",
                                          _value_css(cell), label), key)
                return
            below = self.cell_below(element)
            if below is not None:
                self.keep(name, Found(node_text(below), f"label {label} ({tag}, cell below)", None, label), key)
            return
        if tag == "dt":
            dd = _next_element(element)
            if dd is not None and _tag(dd) == "dd":
                self.keep(name, Found(node_text(dd), f"label {label} (dt → dd)", _value_css(dd), label), key)
            return
        current = element
        for _ in range(4):
            value, value_css = self.following(current, name)
            if squeeze(value):
                where = "heading, block below" if _tag(current) in ("h1", "h2", "h3", "h4", "h5", "h6") else \
                    f"{_tag(current)} followed by text"
                self.keep(name, Found(value, f"label {label} ({where})", value_css, label), key)
                return
            parent = current.getparent()
            if parent is None or _tag(parent) in ("body", "html", "table", "tbody", "tr") or \
                    label_key(squeeze(node_text(parent))) != key:
                return
            current = parent

    def following(self, element: etree._Element, name: str) -> tuple[str, str | None]:
        """The text after ``element`` within its parent, up to the next label."""
        parts = [element.tail or ""]
        elements: list[etree._Element] = []
        long_field = name not in SHORT_FIELDS
        sibling = element.getnext()
        while sibling is not None:
            tag = _tag(sibling)
            if tag is None or tag in INVISIBLE_TAGS:
                parts.append(sibling.tail or "")
                sibling = sibling.getnext()
                continue
            marks = f"{sibling.get('class') or ''} {sibling.get('id') or ''}"
            if tag in _NAV_TAGS or (marks.strip() and _NAV_CLASS.search(marks)):
                break  # a footer or a sidebar is no part of the value
            if long_field and tag != "br" and self.holds_label(sibling):
                break  # a block with labels of its own (the reply part) ends the letter's text
            head = squeeze(sibling.text)
            if tag != "br" and head:
                key = label_key(head)
                if self.field_of(key) is not None and not squeeze(
                        "".join(node_text(c) + (c.tail or "") for c in sibling)):
                    break  # the next label
                match = self.inline.match(head) or _REPLY_HEAD.match(head)
                if match is not None:
                    other = self.field_of(label_key(match.group("label")))
                    if not long_field or other in ("text", "reply_text"):
                        break
                    parts.append(sibling.tail or "")  # a labelled line inside a block: read on its own
                    sibling = sibling.getnext()
                    continue
            if tag != "br":
                elements.append(sibling)
            parts.append("\n" if tag in BLOCK_TAGS or tag == "br" else "")
            parts.append(node_text(sibling))
            parts.append("\n" if tag in BLOCK_TAGS else "")
            parts.append(sibling.tail or "")
            if not long_field and squeeze("".join(parts)):
                break
            sibling = sibling.getnext()
        text = "".join(parts)
        if not long_field:
            text = next((line for line in (squeeze(p) for p in text.splitlines()) if line), "")
        css = _value_css(elements[0]) if len(elements) == 1 and not squeeze(element.tail) else None
        linked = sum(len(squeeze(node_text(a))) for e in elements for a in e.iter("a"))
        if linked and linked * 2 > len(squeeze(text)):
            return "", None  # a list of links under a heading (最新回复, 热点留言) is no letter's field
        return text, css

    def holds_label(self, element: etree._Element) -> bool:
        """Whether a descendant of ``element`` is a label of the letter's text or its reply."""
        for inner in element.iterdescendants():
            head = squeeze(inner.text if isinstance(inner.tag, str) else "")
            if not head or len(head) > 40:
                continue
            if self.field_of(label_key(head)) in ("text", "reply_text", "reply_unit", "replied"):
                return True
            match = self.inline.match(head) or _REPLY_HEAD.match(head)
            if match is not None and self.field_of(label_key(match.group("label"))) in (
                    "text", "reply_text", "reply_unit", "replied"):
                return True
        return False

    def cell_below(self, cell: etree._Element) -> etree._Element | None:
        row = cell.getparent()
        if row is None or _tag(row) != "tr":
            return None
        position = [c for c in row if _tag(c) in ("th", "td")].index(cell)
        below = _next_element(row)
        if below is None or _tag(below) != "tr":
            return None
        cells = [c for c in below if _tag(c) in ("th", "td")]
        return cells[position] if position < len(cells) else None

    def inline_labels(self, element: etree._Element, whole: str) -> None:
        """``<p>来信人：张三　来信时间：2026-03-05</p>``: each label's value runs to the next label."""
        matches = list(self.inline.finditer(whole))
        for number, match in enumerate(matches):
            key = label_key(match.group("label"))
            name = self.field_of(key)
            if name is None:
                continue
            end = matches[number + 1].start() if number + 1 < len(matches) else len(whole)
            value = whole[match.end():end]
            if name in SHORT_FIELDS:
                value = next((line for line in (squeeze(p) for p in value.splitlines()) if line), "")
            label = squeeze(match.group("label"))
            self.keep(name, Found(value, f"label {label}: (inline in {_tag(element)})", None, label), key)


def _next_element(element: etree._Element) -> etree._Element | None:
    sibling = element.getnext()
    while sibling is not None and _tag(sibling) is None:
        sibling = sibling.getnext()
    return sibling


def read_letter(root: etree._Element, labels: Mapping[str, Iterable[str]] | None = None) -> LetterReading:
    """The letter on a page, each field found by its label (see the module docstring).

    ``labels`` (field -> label texts, e.g. a profile's ``labels``) are tried before the
    built-in :data:`LETTER_LABELS`. A reply field that says the letter is still pending
    (待回复, 办理中, 暂无回复) is dropped: the letter has no reply yet. The title falls
    back to the page heading and then to ``<title>``.
    """
    reading = _LetterReader(root, labels).run()
    for name in ("reply_text", "replied", "reply_unit"):
        found = reading.fields.get(name)
        if found is not None and is_pending(found.value):
            del reading.fields[name]
    if "title" not in reading.fields:
        title = page_title(root)
        if title is not None:
            reading.fields["title"] = title
    return reading


_SITE_NAME = re.compile(r"人民政府$|人民政府门户|门户网站|网站$|信箱$|平台$|留言板$|热线$|^首页$|^互动交流$")


def page_title(root: etree._Element) -> Found | None:
    """The page heading (h1, h2, an element of class ``title``), else ``<title>`` without the site name."""
    title_el = root.find(".//title")
    parts = [squeeze(p) for p in re.split(r"\s+[-_|—–]+\s+|[|｜]|——|--|_", squeeze(
        node_text(title_el) if title_el is not None else "")) if squeeze(p)]
    candidates = root.xpath(
        "//body//*[self::h1 or self::h2 or self::h3 or contains(@class, 'title') or contains(@class, 'tit')"
        " or contains(@id, 'title')][not(ancestor::a)]")
    parts = [p for p in parts if not _SITE_NAME.search(p)] or parts[:1]
    headings: list[tuple[etree._Element, str]] = []
    for element in candidates:
        if _in_navigation(element):
            continue
        text = squeeze(node_text(element))
        if 4 <= len(text) <= 120 and label_key(text) not in _BUILT_IN and not _SITE_NAME.search(text):
            headings.append((element, text))
    for element, text in headings:  # a heading that the <title> repeats is the letter's
        if any(text == part or (len(text) >= 6 and text in part) for part in parts):
            return Found(text, f"heading {_tag(element)}", _value_css(element))
    for element, text in sorted(headings, key=lambda h: _tag(h[0]) not in ("h1", "h2")):
        return Found(text, f"heading {_tag(element)}", _value_css(element))
    if len(parts) > 1:  # the part of <title> that the page prints on its own is the letter's, not the site's
        shown = {squeeze(node_text(e)) for e in root.xpath("//body//*[not(*) or self::td or self::font]")
                 if not _in_navigation(e)}
        for part in sorted(parts, key=len, reverse=True):
            if part in shown:
                return Found(part, "page <title>, the part the page repeats")
    if parts:
        return Found(parts[0], "page <title> without the site name")
    return None


def body_block(root: etree._Element, skip: Iterable[str] = ()) -> Found | None:
    """The largest block of running text (for a letter page whose text carries no label)."""
    best: tuple[int, etree._Element] | None = None
    skipped = {squeeze(s) for s in skip if s}
    for element in root.xpath("//body//*[self::div or self::td or self::article or self::section or self::p]"):
        if _in_navigation(element):
            continue
        own = "".join(t for t in element.xpath("text()|p/text()|span/text()|font/text()") if isinstance(t, str))
        size = len(squeeze(own))
        if size and (best is None or size > best[0]):
            best = (size, element)
    if best is None:
        return None
    text = _block(node_text(best[1]))
    if not text or text in skipped:
        return None
    return Found(text, f"largest text block ({_tag(best[1])})", _value_css(best[1]))
