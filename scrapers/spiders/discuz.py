"""Discuz! forums: forum index -> boards -> thread lists -> thread pages; one item per post.

Any of those pages can be a start URL; the page's content says which it is. Sticky
threads (rules, announcements) are skipped: only ``normalthread_`` rows are followed.
A post's canonical URL is its thread's first-page URL plus ``#pid<N>``, so the same
post reached through another page number is still one document.

Official replies. On government-run forums a department answers in the thread (a user
group such as 管理员/版主/官方认证, or a post opening with ``回复单位：县住建局`` or
``县住建局回复：``). That is the administration speaking, not a citizen's voice, so it
is kept apart as on letter boards: replies on the thread's first page become the
opening post's ``reply_text`` and ``reply_unit``; any other official post is stored
with kind ``article`` (the administration's own words, never counted as a voice).
``reply_unit`` is the unit the post names, else the user group, never a nickname.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response
from w3lib.url import canonicalize_url

from scrapers.dates import parse_date
from scrapers.items import DocumentItem
from scrapers.spiders._base import ProfileSpider, element_text, first

_STATIC_THREAD = re.compile(r"thread-(?P<tid>\d+)-(?P<page>\d+)-(?P<extra>\d+)\.html$")
_POST_ID = re.compile(r"(\d+)$")
_POSTED_PREFIX = re.compile(r"^\s*(发表于|发表時間|发表时间)\s*[:：]?\s*")
# Discuz prints the poster's user group in the post's sidebar as a link to the group page,
# and verification badges (官方认证) as icons linking to the verification page. Medals and
# other titled icons are left alone: "官方活动纪念章" is not an official account.
_GROUP_CSS = "td.pls a[href*='usergroup']"
_SIDEBAR_CSS = "td.pls"
# Templates that print the group as a label: "用户组 注册会员", "用户组：官方认证".
_GROUP_LABEL = re.compile(r"(?:用户组|组别|会员组|认证)\s*[:：]?\s*(?P<group>[^\s:：]{2,12})")
_BADGE_CSS = "td.pls a[href*='verify'] img, td.pls a[href*='verify']"
_OFFICIAL_GROUP = re.compile(r"官方认证|认证单位|管理员|版主|官方|政府|部门|职能单位|回复专用")
_UNIT_SUFFIX = r"(?:局|委|办|政府|中心|所|站|院|部|厅|处|科|队|公司|街道|社区|村委会|居委会|办事处|管委会)"
_OFFICIAL_OPENING = re.compile(
    r"^\s*(?:【?(?:回复单位|答复单位|办理单位|承办单位|回复部门|官方回复)】?\s*[:：]\s*(?P<unit>[^\s，,。；;:：]{2,30})?"
    rf"|(?!昨天|今天|前天|刚才|刚刚|上次|之前|后来|我|你|他|她|村里|听说)"
    rf"(?P<unit2>[^\s，,。；;:：]{{2,20}}?{_UNIT_SUFFIX})(?:官方)?(?:回复|答复)\s*[:：])"
)


def official_unit(group: str, badges: str, text: str) -> str | None:
    """Who speaks when a post is an official reply, or None for a citizen's post.

    ``group`` is the poster's user group, ``badges`` the titles of their badges,
    ``text`` the message. A post is official when its group or a badge is an
    official one, or when it opens by naming its unit (``回复单位：县住建局``,
    ``县住建局回复：``). The unit named wins; else the group (``官方认证``).
    """
    match = _OFFICIAL_OPENING.search(text[:80])
    if match:
        return match["unit"] or match["unit2"] or "回复单位"
    for label in (group, badges):
        found = _OFFICIAL_GROUP.search(label)
        if found:
            return label.strip() if label is group else found.group(0)
    return None


def thread_page(url: str) -> int:
    """The page number of a thread URL (static ``thread-T-P-E.html`` or ``page=P``), 1 if none."""
    parts = urlsplit(url)
    match = _STATIC_THREAD.search(parts.path)
    if match:
        return int(match["page"])
    for key, value in parse_qsl(parts.query):
        if key == "page" and value.isdigit():
            return int(value)
    return 1


def canonical_thread_url(url: str) -> str:
    """The thread's URL without its page: ``thread-123-3-1.html`` -> ``thread-123-1-1.html``."""
    parts = urlsplit(url)
    match = _STATIC_THREAD.search(parts.path)
    if match:
        path = parts.path[: match.start()] + f"thread-{match['tid']}-1-1.html"
        return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")))
    params = dict(parse_qsl(parts.query))
    if params.get("mod") == "viewthread" and params.get("tid", "").isdigit():
        # forum.php?mod=viewthread&tid=123 is the same thread as thread-123-1-1.html
        folder = parts.path.rsplit("/", 1)[0]
        return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, f"{folder}/thread-{params['tid']}-1-1.html", "", "")))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("page", "extra")]
    return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")))


class DiscuzSpider(ProfileSpider):
    """Crawl a Discuz! forum from its index, a board, or a thread."""

    name = "discuz"
    default_profile = "discuz"

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if response.css(self.sel("post")):
            yield from self.parse_thread(response)
        elif response.css(self.sel("thread_row")):
            yield from self.parse_thread_list(response)
        else:
            yield from self.parse_index(response)

    def parse_index(self, response: Response) -> Iterator[Any]:
        boards = response.css(self.sel("board_link"))
        if not boards:
            decoding = response.meta.get("tongxin_decoding")
            if decoding in ("replaced", "undetectable"):
                self.logger.warning("%s: no posts, threads or boards found in a page that did not decode cleanly (%s)",
                                    response.url, decoding)
            else:
                self.logger.warning("%s: no posts, threads or boards found; does the profile fit this forum?",
                                    response.url)
        for link in boards:
            request = self.follow(response, link.attrib.get("href"))
            if request is not None:
                yield request

    def parse_thread_list(self, response: Response) -> Iterator[Any]:
        for row in response.css(self.sel("thread_row")):
            link = first(row.css(self.sel("thread_link")))
            if link is None:
                continue
            title = element_text(link).strip()
            request = self.follow(response, link.attrib.get("href"), meta={"thread_title": title})
            if request is not None:
                yield request
        yield from self._next(response, "list_next")

    def parse_thread(self, response: Response) -> Iterator[Any]:
        title = response.meta.get("thread_title") or self._page_title(response)
        page = thread_page(response.url)
        thread_url = canonical_thread_url(response.url)
        fetched = self.now()
        items: list[DocumentItem] = []
        for index, post in enumerate(response.css(self.sel("post"))):
            item = self.parse_post(post, thread_url, fetched)
            if item is None:
                continue
            # Only the opening post carries the thread title: repliers did not write it.
            item["title"] = title if (page == 1 and index == 0) else None
            items.append(item)
        yield from self._attach_official_replies(items, page)
        yield from self._next(response, "thread_next", meta={"thread_title": title})

    @staticmethod
    def _attach_official_replies(items: list[DocumentItem], page: int) -> Iterator[DocumentItem]:
        """On a thread's first page, official replies go into the opening post's reply fields."""
        if page != 1 or not items or items[0]["kind"] != "post" or items[0].get("title") is None:
            yield from items  # no citizen's opening post on this page to attach a reply to
            return
        opening = items[0]
        replies = [i for i in items[1:] if i["kind"] == "article"]
        if replies:
            opening["reply_text"] = "\n\n".join(r["text"] for r in replies)
            opening["reply_unit"] = replies[0].get("reply_unit")
            opening["replied_at"] = replies[0].get("posted_at")
        for item in items:
            if not any(item is r for r in replies):
                yield item

    def _page_title(self, response: Response) -> str:
        """The thread title from the page; a <title> is "标题 - 版块 - 站名": keep the first part."""
        for found in response.css(self.sel("thread_title")):
            text = element_text(found).strip()
            if text:
                return text.split(" - ")[0].strip()
        return ""

    def parse_post(self, post: Selector, thread_url: str, fetched: Any) -> DocumentItem | None:
        match = _POST_ID.search(post.attrib.get("id", ""))
        if match is None:
            return None
        message = first(post.css(self.sel("message")))
        if message is None:  # deleted or hidden posts have no body
            return None
        posted_el = first(post.css(self.sel("posted")))
        exact = first(posted_el.css(self.sel("posted_title"))) if posted_el is not None else None
        raw = exact.attrib.get("title", "") if exact is not None else element_text(posted_el)
        posted = parse_date(_POSTED_PREFIX.sub("", raw).strip(), fetched)
        profile = self._profile_fields(post)
        text = element_text(message, self.profile.strip)
        group = " ".join(element_text(g).strip() for g in post.css(_GROUP_CSS)) or self._group_label(post)
        badges = " ".join(b.attrib.get("title") or b.attrib.get("alt") or "" for b in post.css(_BADGE_CSS))
        unit = official_unit(group, badges, text.strip())
        return DocumentItem(
            url=f"{thread_url}#pid{match.group(1)}",
            source=self.profile.name,
            kind="post" if unit is None else "article",
            reply_unit=unit,
            author=element_text(first(post.css(self.sel("author")))).strip() or None,
            text=text,
            posted_at=posted.iso,
            posted_raw=posted.raw or None,
            fetched_at=fetched.isoformat(timespec="seconds"),
            location=profile.get("place"),
            sex=profile.get("sex"),
            age=profile.get("age"),
        )

    @staticmethod
    def _group_label(post: Selector) -> str:
        """The user group printed as a label in the sidebar (``用户组 注册会员``), or ""."""
        sidebar = first(post.css(_SIDEBAR_CSS))
        match = _GROUP_LABEL.search(element_text(sidebar)) if sidebar is not None else None
        return match["group"] if match else ""

    def _profile_fields(self, post: Selector) -> dict[str, str]:
        """Public profile fields (dl.pil: dt label, dd value); any subset may be there."""
        fields: dict[str, str] = {}
        block = first(post.css(self.sel("profile")))
        if block is None:
            return fields
        for term in block.css(self.sel("profile_term")):
            name = self.label_field(element_text(term))
            value = first(term.xpath("following-sibling::*[1][self::dd]"))
            if name is not None and value is not None:
                fields.setdefault(name, element_text(value).strip())
        return fields

    def _next(self, response: Response, key: str, **kwargs: Any) -> Iterator[Any]:
        link = first(response.css(self.sel(key)))
        if link is not None:
            request = self.follow(response, link.attrib.get("href"), **kwargs)
            if request is not None:
                yield request
