"""How a Discuz! X page says that a department, not a citizen, is speaking.

Read from the Discuz! X3.x default templates (``viewthread_node.htm``) and the way
government- and newspaper-run forums (网络问政, 百姓呼声 boards) add to them:

* the poster's status, in every place the templates print it: the user-group link in
  the sidebar (``td.pls p em a[href*=usergroup]``) and in the profile pop-up
  (``dl.pil``: ``<dt>用户组</dt><dd>…</dd>``, ``div.tip``); the custom title under the
  name (``p.xg1``, ``<p><em>官方认证</em></p>``); verification icons beside the name,
  in the sidebar or in ``div.authi`` above the message
  (``a[href*="op=verify"] img[title]``); a signature naming the unit's reply account
  (``div.sign``). Medals (``p.md_ctrl``) and rank stars say nothing about it;
* answers put inside a post: an answer box (``div.reply_wrap``, a ``div.quote`` that
  quotes no earlier post) opening with 官方回复/部门回复/【回复】; a label element
  ``<em>回复单位：县住建局</em>``; an answer edited into the opening post below the
  citizen's words (``【官方回复】…`` on a line of its own, the post marked
  ``本帖最后由 … 编辑``); a 点评 (``div.cm``) signed by a unit; a 网络问政 panel under the
  opening post (``办理状态：已回复``, a table of 回复单位 / 回复时间 / 回复内容).

Each finding names its rule (``group``, ``title``, ``mark`` (官方回复 beside the name),
``verify``, ``signature``,
``opening``, ``label``, ``box``, ``edited``, ``comment``, ``panel``): the crawl counts
official replies by rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsel import Selector

from scrapers.spiders._base import element_text, first

UNIT_SUFFIX = r"(?:局|委|办|政府|中心|所|站|院|部|厅|处|科|队|公司|街道|社区|村委会|居委会|办事处|管委会)"
_UNIT = rf"[^\s，,。；;:：【】()（）]{{2,20}}?{UNIT_SUFFIX}"
# Group names, custom titles and verification titles that only an official account carries.
# 实名认证 / 个人认证 are a citizen's; 官方活动纪念章 is a medal and never read here.
OFFICIAL_STATUS = re.compile(
    r"官方认证|认证单位|单位认证|机构认证|政务认证|部门认证|管理员|版主|官方|政府|政务|部门|职能单位|职能部门"
    r"|回复专用|问政专用|新闻发言人|网络发言人|回复单位|承办单位|问政单位|单位用户|单位账号|单位帐号"
)
# A post that opens by naming its unit: "回复单位：县住建局", "县住建局回复：". Time words and
# pronouns before a unit mean a citizen reporting what a department said.
_REPORTED = r"(?!昨天|今天|前天|刚才|刚刚|上次|之前|后来|我|你|他|她|村里|听说)"
OPENING = re.compile(
    r"^\s*(?:【?(?:回复单位|答复单位|办理单位|承办单位|回复部门|官方回复)】?\s*[:：]\s*(?P<unit>[^\s，,。；;:：]{2,30})?"
    rf"|{_REPORTED}(?P<unit2>[^\s，,。；;:：]{{2,20}}?{UNIT_SUFFIX})(?:官方)?(?:回复|答复)\s*[:：])"
)
# The head of an answer: 【官方回复】, 部门回复：, 【回复】, 回复单位：… (on a line of its own).
ANSWER_HEAD = re.compile(
    r"^\s*(?:【\s*(?:官方|部门|单位|政府|职能部门)?\s*(?:回复|答复|回应)\s*】"
    r"|(?:官方|部门|单位|政府)(?:回复|答复|回应)\s*(?:[:：]|$)"
    r"|【?(?:回复|答复|办理|承办)(?:单位|部门)】?\s*[:：])",
    re.M,
)
_UNIT_HEAD = re.compile(rf"^\s*(?:{_REPORTED}(?P<unit>{_UNIT})(?:官方)?)?(?:回复|答复)\s*[:：]", re.M)
# 【官方回复】 is a heading wherever it stands, even run on after the citizen's last sentence.
_BRACKET_HEAD = re.compile(r"【\s*(?:官方|部门|单位|政府|职能部门)?\s*(?:回复|答复|回应)\s*】")
# Boxes whose class says they hold an answer need only open with 官方回复 / 回复 (a heading, maybe dated).
_BOX_HEAD = re.compile(r"^\s*【?\s*(?:官方|部门|单位|政府|职能部门)?\s*(?:回复|答复|回应)(?!\s*#|\s*\d+\s*#)")
_ANSWER_BOX = ("div[class*='reply'], div[class*='official'], div[class*='answer'], div[class*='huifu'], "
               "div[class*='dafu'], div[class*='gfhf']")
# A heading beside the poster's name: "官方回复", "部门回复", "官方".
_HEADER_MARK = re.compile(r"^\s*【?(?:官方回复|部门回复|单位回复|官方|官方账号|官方认证)】?\s*$")
_NAMED_UNIT = re.compile(
    rf"(?:(?:回复|答复|办理|承办)(?:单位|部门)】?\s*[:：]\s*(?P<a>[^\s，,。；;:：]{{2,30}})"
    rf"|^\s*【[^】]{{0,8}}】\s*[:：]?\s*(?P<b>{_UNIT})\s*[:：，,]"
    rf"|^\s*(?:官方|部门)(?:回复|答复)\s*[:：]?\s*(?P<c>{_UNIT})\s*[:：，,]"
    rf"|^\s*(?P<d>{_UNIT})(?:官方)?(?:回复|答复)\s*[:：])"
)
_LABEL = re.compile(r"^\s*【?(?:回复单位|答复单位|办理单位|承办单位|回复部门)】?\s*[:：]\s*(?P<unit>[^\s，,。；;:：]{2,30})\s*$")
_SIGNATURE = re.compile(
    rf"(?:回复单位|答复单位)\s*[:：]|{_UNIT}[^，,。！!？?\s]{{0,6}}?(?:官方|网络问政|问政|回复专用|发言人|回复账号|回复帐号)"
    r"|官方(?:账号|帐号)"
)
_UNVERIFIED = re.compile(r"unverify|_un\.|gray|grey")
_GROUP_LABEL = re.compile(r"(?:用户组|组别|会员组)\s*[:：]?\s*(?P<group>[^\s:：]{2,12})")
# Panel labels of the 网络问政 plugins.
_PANEL_UNIT = ("回复单位", "答复单位", "办理单位", "承办单位", "回复部门")
_PANEL_TEXT = ("回复内容", "答复内容", "回复意见", "答复意见", "办理结果", "处理结果", "办理情况", "办理意见", "处理意见",
               "回复详情", "答复详情", "回复正文", "官方回复", "部门回复", "回复", "答复")
_PANEL_WHEN = ("回复时间", "答复时间", "办理时间", "回复日期", "答复日期")
# Longest first, so that 回复内容 is read before 回复.
_PANEL_LABELS = sorted([(label, kind) for kind, labels in (("unit", _PANEL_UNIT), ("text", _PANEL_TEXT),
                                                           ("when", _PANEL_WHEN)) for label in labels],
                       key=lambda pair: -len(pair[0]))
# Marks an element already read as an answer, so the citizen's text is read without it.
MARK = "data-tongxin-answer"
STRIP_ANSWERS = f"[{MARK}]"


@dataclass(frozen=True)
class Official:
    """An official reply found in a page: who speaks, by which rule, and (for parts of a post) what."""

    unit: str
    rule: str
    text: str | None = None  # the answer's words when it is a part of a post, not a whole post
    when: str | None = None  # the answer's own time, when the page prints one


def named_unit(text: str) -> str | None:
    """The unit an answer names (``回复单位：县住建局``, ``【官方回复】县教育局：…``), or None."""
    match = _NAMED_UNIT.search(text[:120])
    if match is None:
        return None
    return next(g for g in match.groups() if g)


def opening_unit(text: str) -> str | None:
    """The unit when a message opens as an official answer, else None."""
    match = OPENING.search(text[:80])
    if match is None:
        return None
    return match["unit"] or match["unit2"] or "回复单位"


def poster_status(post: Selector) -> Official | None:
    """The official status a post's author carries (group, custom title, verification, signature), or None."""
    groups = [element_text(a).strip() for a in post.css("a[href*='usergroup']")]
    for term in post.css("dl.pil dt, div.tip dt, div.tip_c dt"):
        if re.sub(r"[\s:：]", "", element_text(term)) in ("用户组", "组别", "会员组", "等级"):
            value = first(term.xpath("following-sibling::*[1][self::dd]"))
            groups.append(element_text(value).strip())
    for block in post.css("td.pls, div.tip, div.p_pop, div[id^='g_up']"):
        label = _GROUP_LABEL.search(element_text(block))
        if label:
            groups.append(label["group"])
    for group in groups:
        if group and OFFICIAL_STATUS.search(group):
            return Official(group, "group")
    titles = [element_text(t).strip() for t in post.css("td.pls p.xg1, td.pls p > em, div.authi em.xg1")]
    for title in titles:
        # A custom title that names a unit ("县住建局") or an official role ("县水务局官方账号").
        if title and len(title) <= 30 and (OFFICIAL_STATUS.search(title) or re.fullmatch(_UNIT, title)):
            return Official(title, "title")
    mark = header_mark(post)
    if mark is not None:
        return Official(mark, "mark")
    for badge in post.css("a[href*='op=verify'], a[href*='ac=profile'][href*='verify'], img[src*='verify'], "
                          "img[src*='vrf'], [class*='vrf']"):
        if _UNVERIFIED.search(badge.attrib.get("src", "") + " " + badge.attrib.get("class", "")):
            continue
        names = [badge.attrib.get("title", ""), badge.attrib.get("alt", ""), element_text(badge).strip()]
        names += [i.attrib.get("title") or i.attrib.get("alt") or "" for i in badge.css("img")
                  if not _UNVERIFIED.search(i.attrib.get("src", ""))]
        for name in names:
            found = OFFICIAL_STATUS.search(name)
            if found:
                return Official(found.group(0), "verify")
        if badge.root.tag == "a" and not any(n.strip() for n in names):
            # An icon with no title links to the verification page: on these forums the
            # verified accounts are the units' (a citizen's real-name icon says 实名认证).
            return Official("认证", "verify")
    for sign in post.css("div.sign"):
        text = element_text(sign).strip()
        if _SIGNATURE.search(text):
            return Official(named_unit(text) or _unit_in(text) or "签名", "signature")
    return None


def _unit_in(text: str) -> str | None:
    match = re.search(_UNIT, text)
    return match.group(0) if match else None


def message_answers(message: Selector, labels: bool = True) -> list[Official]:
    """Answers inside a message: boxes and (when ``labels``) ``回复单位：`` label elements.

    Each is marked (``MARK``) so that the citizen's text is read without it.
    """
    found: list[Official] = []
    answer_boxes = {id(b.root) for b in message.css(_ANSWER_BOX)}
    for box in message.css(f"{_ANSWER_BOX}, div.quote, blockquote, fieldset"):
        if box.root.get(MARK) or box.xpath(f"ancestor::*[@{MARK}]"):
            continue
        text = element_text(box).strip()
        if box.css("a[href*='findpost'], a[href*='redirect']") or "发表于" in text.split("\n", 1)[0]:
            continue  # a quote of an earlier post
        if ANSWER_HEAD.match(text) or OPENING.match(text) or (id(box.root) in answer_boxes and _BOX_HEAD.match(text)):
            box.root.set(MARK, "box")
            found.append(Official(named_unit(text) or "官方回复", "box", text))
    for element in message.css("em, strong, b, span, font, p, div, label") if labels else []:
        text = element_text(element)
        match = _LABEL.match(text)
        if match and not element.xpath(f"ancestor-or-self::*[@{MARK}]"):
            element.root.set(MARK, "label")
            found.append(Official(match["unit"], "label"))
    return found


def header_mark(post: Selector) -> str | None:
    """A mark such as 官方回复 printed beside the poster's name or above the message, or None."""
    for element in post.css("div.authi *, div.pti *, div.pi *, td.pls *"):
        if element.root.tag in ("em", "span", "strong", "b", "i", "label", "a", "font", "p", "div") and \
                not element.xpath(".//*[self::div or self::p or self::td]"):
            text = element_text(element)
            if _HEADER_MARK.match(text):
                return text.strip().strip("【】")
    return None


def split_edited_answer(text: str, edited: bool) -> tuple[str, Official | None]:
    """The opening post's text cut where an answer was edited in below it (a line opening ``【官方回复】``).

    ``xx局回复：`` on a line of its own counts only in a post marked as edited
    (``本帖最后由 … 编辑``): a citizen may write it when telling what a department said.
    """
    heads = [*ANSWER_HEAD.finditer(text), *_BRACKET_HEAD.finditer(text)]
    starts = [m.start() for m in heads if m.start() > 0 and text[:m.start()].strip()]
    if edited:
        starts += [m.start() for m in _UNIT_HEAD.finditer(text) if m.start() > 0 and text[:m.start()].strip()]
    if not starts:
        return text, None
    cut = min(starts)
    answer = text[cut:].strip()
    return text[:cut].rstrip(), Official(named_unit(answer) or "官方回复", "edited", answer)


def comment_answers(post: Selector) -> list[Official]:
    """点评 (``div.cm``) under a post signed by a unit, or opening as an answer."""
    found = []
    for comment in post.css("div.cm div.pstl"):
        name = element_text(first(comment.css("div.psta a, div.psta"))).strip()
        body = first(comment.css("div.psti"))
        text = element_text(body, ("span.xg1", "span.xg2")).strip() if body is not None else ""
        when = element_text(first(comment.css("div.psti span.xg1"))).strip() or None
        if not text:
            continue
        unit = name if re.fullmatch(_UNIT, name) else None
        if unit is None and (OPENING.match(text) or ANSWER_HEAD.match(text)):
            unit = named_unit(text) or "点评"
        if unit:
            found.append(Official(unit, "comment", text, when))
    return found


def panel_answer(scope: Selector, outside_posts: bool = False) -> Official | None:
    """A 网络问政 panel (回复单位 / 回复时间 / 回复内容 labels) within ``scope``; its container is marked.

    ``outside_posts`` reads only what lies outside every post (a panel printed between
    the opening post and the replies). A panel needs both a unit and an answer.
    """
    values: dict[str, str] = {}
    container = unit_element = None
    for element in scope.css("th, td, dt, dd, span, strong, b, em, label, p, li, div, font, h2, h3, h4, h5, caption"):
        if element.xpath(f"ancestor-or-self::*[@{MARK}]") or element.xpath(".//th|.//td|.//dt|.//div|.//p|.//li"):
            continue  # only the innermost elements are labels
        if outside_posts and element.xpath("ancestor::div[starts-with(@id, 'post_')]"):
            continue
        own = element_text(element).strip().lstrip("【[")
        label, kind = next(((lb, k) for lb, k in _PANEL_LABELS if own.startswith(lb)), ("", None))
        if kind is None or kind in values:
            continue
        rest = own[len(label):].lstrip("】] \t:：")
        if rest and len(label) == 2 and own[2:3] not in "】]:：":  # 回复很快…: words, not a label
            continue
        if not rest:
            value = first(element.xpath("following-sibling::*[1]"))
            rest = element_text(value).strip() if value is not None else ""
        if rest:
            values[kind] = rest
            if kind == "unit":
                unit_element = element
            if kind == "text":
                container = first(element.xpath("ancestor::*[self::table or self::dl or self::div or self::ul][1]"))
    if "unit" in values and "text" not in values and unit_element is not None:
        # No label on the answer itself: the panel's words other than its labels.
        box = first(unit_element.xpath("ancestor::*[self::table or self::dl or self::div or self::ul][1]"))
        if box is not None and not box.css("td.t_f") and not box.xpath("ancestor::td[contains(@class, 't_f')]"):
            lines = [line.strip() for line in element_text(box).split("\n") if line.strip()]
            words = [line for line in lines if not _is_label_line(line)]
            if sum(len(w) for w in words) >= 10:
                values["text"], container = "\n".join(words), box
    if "text" not in values or "unit" not in values:
        return None
    if container is not None:
        container.root.set(MARK, "panel")
    return Official(values["unit"], "panel", values["text"],
                    values.get("when"))


_STATUS_VALUE = re.compile(r"[\d\s:：/年月日.-]+|已回复|已办结|已答复")


def _is_label_line(line: str) -> bool:
    """A panel line that is a label or a label's value (回复单位：…, 办理状态：已回复, 2026-5-8 15:20)."""
    bare = line.lstrip("【[")
    if any(bare.startswith(label) for label, _ in _PANEL_LABELS if len(label) > 2):
        return True
    return bare.startswith(("办理状态", "处理状态", "状态")) or bool(_STATUS_VALUE.fullmatch(bare))
