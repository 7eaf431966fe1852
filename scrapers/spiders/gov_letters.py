"""Government letter boards (市长信箱 and the like): list pages, then one detail page per letter.

A detail page holds the letter and the official reply in a table of labelled rows;
fields are found by the text of their label (标题, 来信人, 内容, 回复内容 ...), so the
row order does not matter. The letter's text and the reply are kept apart: the reply
is the administration speaking, not the writer, and must not count as their concern.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from scrapy.http import Response, TextResponse
from w3lib.url import canonicalize_url

from scrapers.dates import on_or_after, parse_date
from scrapers.items import DocumentItem
from scrapers.spiders._base import ProfileSpider, compiled_css, node_text


def _root(response: Response) -> Any:
    """The page's lxml root element (letter boards are HTML: Scrapy gives a TextResponse)."""
    return cast(TextResponse, response).selector.root


class GovLettersSpider(ProfileSpider):
    """Crawl a letter board from any list page (or a single detail page)."""

    name = "gov_letters"
    default_profile = "gov-letters"

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Any page of the board: a detail page gives a letter, a list page gives links."""
        # Compiled XPath on bare lxml elements (see compiled_css): these run for every page,
        # and a Selector object per row or cell costs more than the lookup itself.
        rows = compiled_css(self.sel("detail_row"))(_root(response))
        if rows:
            item = self.parse_detail(response, rows)
            if item is not None:
                yield item
            return
        yield from self.parse_list(response)

    def parse_list(self, response: Response) -> Iterator[Any]:
        entries = compiled_css(self.sel("list_item"))(_root(response))
        if not entries:
            self.logger.warning("%s: no letters and no letter list found (selector %r)", response.url, self.sel("list_item"))
            return
        link_xpath, date_xpath = compiled_css(self.sel("list_link")), compiled_css(self.sel("list_date"))
        fetched = self.now()
        any_recent = False
        for entry in entries:
            href = next(iter(link_xpath(entry)), None)
            if href is None:
                continue
            date_cell = next(iter(date_xpath(entry)), None)
            listed = parse_date(node_text(date_cell) if date_cell is not None else "", fetched)
            if self.since is not None and not on_or_after(listed.iso, self.since):
                continue
            any_recent = True
            request = self.follow(response, href.get("href"), meta={"listed_raw": listed.raw})
            if request is not None:
                yield request
        if self.since is not None and not any_recent:
            # Boards list newest first: a page with nothing recent ends the walk.
            self.logger.info("%s: nothing on or after %s; not following older pages", response.url, self.since)
            return
        next_link = next(iter(compiled_css(self.sel("next_page"))(_root(response))), None)
        if next_link is not None:
            request = self.follow(response, next_link.get("href"))
            if request is not None:
                yield request

    def parse_detail(self, response: Response, rows: list[Any] | None = None) -> DocumentItem | None:
        """The letter on a detail page; ``rows`` are its ``detail_row`` elements when already found."""
        if rows is None:
            rows = compiled_css(self.sel("detail_row"))(_root(response))
        fields: dict[str, str] = {}
        label_xpath, value_xpath = compiled_css(self.sel("row_label")), compiled_css(self.sel("row_value"))
        for row in rows:
            for label_cell, value_cell in zip(label_xpath(row), value_xpath(row), strict=False):
                name = self.label_field(node_text(label_cell))
                if name is not None and name not in fields:
                    fields[name] = node_text(value_cell)
        if "text" not in fields:
            self.logger.warning("%s: letter page without a content row (labels %s)",
                                response.url, ", ".join(self.profile.labels.get("text", ())))
            return None
        fetched = self.now()
        posted = parse_date(fields.get("posted") or response.meta.get("listed_raw"), fetched)
        replied = parse_date(fields.get("replied"), fetched)
        return DocumentItem(
            url=canonicalize_url(self.canonical_page_url(response.url)),
            source=self.profile.name,
            kind="letter",
            author=fields.get("author"),
            title=fields.get("title"),
            text=fields["text"],
            reply_text=fields.get("reply_text"),
            reply_unit=fields.get("reply_unit"),
            posted_at=posted.iso,
            posted_raw=posted.raw or None,
            replied_at=replied.iso,
            fetched_at=fetched.isoformat(timespec="seconds"),
            location=fields.get("place"),
            sex=honorific_sex(fields.get("author")),
            category=fields.get("category"),
        )


def honorific_sex(author: str | None) -> str | None:
    """Boards often print the writer as 王女士 / 张先生: the title tells the sex, the name stays hidden."""
    if not author:
        return None
    name = author.strip()
    if name.endswith(("女士", "小姐", "阿姨", "大妈", "大娘")):
        return "女"
    if name.endswith(("先生", "大爷", "大叔")):
        return "男"
    return None
