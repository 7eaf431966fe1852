"""Discuz! forums: forum index -> boards -> thread lists -> thread pages; one item per post.

Any of those pages can be a start URL; the page's content says which it is. Sticky
threads (rules, announcements) are skipped: only ``normalthread_`` rows are followed.
A post's canonical URL is its thread's first-page URL plus ``#pid<N>``, so the same
post reached through another page number is still one document.

Official replies. On government-run forums a department answers in the thread. That is
the administration speaking, not a citizen's voice, so it is kept apart as on letter
boards: replies on the thread's first page become the opening post's ``reply_text``
and ``reply_unit``; any other official post is stored with kind ``article`` (the
administration's own words, never counted as a voice). What marks an official reply,
and where the Discuz! templates print it, is in :mod:`scrapers.spiders._discuz_official`:
the poster's group, custom title, verification or signature, a post opening with
``回复单位：县住建局`` / ``县住建局回复：``, a ``回复单位`` label, an answer box, an answer
edited into the opening post, a 点评 signed by a unit, a 网络问政 panel. Answers found
inside the opening post are cut out of its text. Each is counted in the crawl's
statistics as ``tongxin/official/<rule>``. ``reply_unit`` is the unit the answer names,
else the group or title, never a nickname.
"""
from __future__ import annotations

import dataclasses
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
from scrapers.spiders._discuz_official import (
    ANSWER_HEAD,
    OFFICIAL_STATUS,
    STRIP_ANSWERS,
    Official,
    comment_answers,
    message_answers,
    named_unit,
    opening_unit,
    panel_answer,
    poster_status,
    split_edited_answer,
)

_STATIC_THREAD = re.compile(r"thread-(?P<tid>\d+)-(?P<page>\d+)-(?P<extra>\d+)\.html$")
_POST_ID = re.compile(r"(\d+)$")
_POSTED_PREFIX = re.compile(r"^\s*(发表于|发表時間|发表时间)\s*[:：]?\s*")
# A post someone else edited ("本帖最后由 问政小编 于 … 编辑"): where answers get edited in.
_EDITED = re.compile(r"本帖最后由\s*(?P<editor>\S+)\s*于\s*(?P<when>.+?)\s*编辑")
_SHORT = 10  # characters of a post's own words around an answer box below which the post is the answer


def official_unit(group: str, badges: str, text: str) -> str | None:
    """Who speaks when a post is an official reply, or None for a citizen's post.

    ``group`` is the poster's user group, ``badges`` the titles of their badges,
    ``text`` the message. A post is official when its group or a badge is an
    official one, or when it opens by naming its unit (``回复单位：县住建局``,
    ``县住建局回复：``). The unit named wins; else the group (``官方认证``).
    """
    unit = opening_unit(text)
    if unit is not None:
        return unit
    for label in (group, badges):
        found = OFFICIAL_STATUS.search(label)
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
        answers: list[Official] = []  # parts of the opening post (or the page) that are the answer
        for index, post in enumerate(response.css(self.sel("post"))):
            opening = page == 1 and index == 0
            read = self._read_post(post, thread_url, fetched, opening)
            if read is None:
                continue
            item, found = read
            # Only the opening post carries the thread title: repliers did not write it.
            item["title"] = title if opening else None
            items.append(item)
            if opening:
                answers += found
        if page == 1 and items and items[0].get("title") is not None and not any(a.rule == "panel" for a in answers):
            page_root = first(response.css("html"))
            outside = panel_answer(page_root, outside_posts=True) if page_root is not None else None
            if outside is not None:  # a 网络问政 panel between the posts
                answers.append(outside)
        for answer in answers:
            self._count(answer.rule)
        yield from self._attach_official_replies(items, page, answers, fetched)
        yield from self._next(response, "thread_next", meta={"thread_title": title})

    @staticmethod
    def _attach_official_replies(items: list[DocumentItem], page: int, answers: list[Official],
                                 fetched: Any) -> Iterator[DocumentItem]:
        """On a thread's first page, official replies go into the opening post's reply fields.

        ``answers`` are those found inside the opening post or beside it (an answer
        edited in, a 点评, a 网络问政 panel); whole posts by officials follow them.
        """
        if page != 1 or not items or items[0]["kind"] != "post" or items[0].get("title") is None:
            yield from items  # no citizen's opening post on this page to attach a reply to
            return
        opening = items[0]
        replies = [i for i in items[1:] if i["kind"] == "article"]
        texts = [a.text for a in answers if a.text] + [r["text"] for r in replies]
        if texts:
            opening["reply_text"] = "\n\n".join(texts)
            named = [a for a in answers if a.text]
            if named:
                opening["reply_unit"] = named[0].unit
                when = parse_date(_POSTED_PREFIX.sub("", named[0].when), fetched) if named[0].when else None
                opening["replied_at"] = when.iso if when is not None else None
            else:
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
        """One post as a document: kind ``article`` when an official speaks, else ``post``."""
        read = self._read_post(post, thread_url, fetched, opening=False)
        return read[0] if read is not None else None

    def _read_post(self, post: Selector, thread_url: str, fetched: Any,
                   opening: bool) -> tuple[DocumentItem, list[Official]] | None:
        """The post as a document, and the official answers found inside it (the opening post only)."""
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
        official = poster_status(post)
        inside = message_answers(message, labels=not opening) if official is None else []
        panel = panel_answer(post) if official is None and opening else None
        text = element_text(message, [*self.profile.strip, STRIP_ANSWERS])
        found: list[Official] = []
        if official is None:
            unit = opening_unit(text.strip())
            if unit is None and ANSWER_HEAD.match(text.strip()):  # 【官方回复】… / 部门回复 … heading the post
                unit = named_unit(text.strip()) or "官方回复"
            if unit is not None:
                official = Official(unit, "opening")
        if official is None and inside:
            label = next((a for a in inside if a.rule == "label"), None)
            if label is not None or (not opening and len(text.strip()) < _SHORT):
                # The whole post is the answer: a label naming its unit, or a box with nothing around it.
                official = Official(label.unit if label else inside[0].unit, label.rule if label else "box")
            elif opening:
                found += [a for a in inside if a.text]
        if official is None and opening:
            edited = _EDITED.search(element_text(first(post.css("i.pstatus"))))
            text, cut = split_edited_answer(text, edited is not None)
            if cut is not None:  # the answer's time is the edit's
                found.append(dataclasses.replace(cut, when=edited["when"]) if edited else cut)
            found += [panel] if panel is not None else []
            found += comment_answers(post)
        if official is not None:
            self._count(official.rule)
            if inside:  # an official's post keeps all its words, boxes and labels included
                text = element_text(message, self.profile.strip)
            named = named_unit(text)  # the unit the answer names beats the poster's group or title
            if named and official.rule in ("group", "title", "verify", "signature"):
                official = dataclasses.replace(official, unit=named)
        item = DocumentItem(
            url=f"{thread_url}#pid{match.group(1)}",
            source=self.profile.name,
            kind="post" if official is None else "article",
            reply_unit=official.unit if official is not None else None,
            author=element_text(first(post.css(self.sel("author")))).strip() or None,
            text=text,
            posted_at=posted.iso,
            posted_raw=posted.raw or None,
            fetched_at=fetched.isoformat(timespec="seconds"),
            location=profile.get("place"),
            sex=profile.get("sex"),
            age=profile.get("age"),
        )
        return item, found

    def _count(self, rule: str) -> None:
        """Count an official reply in the crawl's statistics, by the rule that found it."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(f"tongxin/official/{rule}")

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
