"""Government letter boards (市长信箱 and the like): list pages, then one detail page per letter.

A detail page holds the letter and the official reply under labels (标题, 来信人,
内容, 回复内容 ...) in a table, a ``dl``, labelled ``div``s or inline text; fields are
found by the text of their label, so the order and the markup do not matter. A profile
can pin any part with a selector; the rest is read by :mod:`scrapers.generic`. The
letter's text and the reply are kept apart: the reply is the administration speaking,
not the writer, and must not count as their concern.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from scrapy.http import Response, TextResponse
from w3lib.url import canonicalize_url

from scrapers import generic
from scrapers.dates import on_or_after, parse_date
from scrapers.generic import node_text
from scrapers.items import DocumentItem
from scrapers.spiders._base import ProfileSpider, compiled_css


def _root(response: Response) -> Any:
    """The page's lxml root element (letter boards are HTML: Scrapy gives a TextResponse)."""
    return cast(TextResponse, response).selector.root


FIELD_SELECTORS = ("title", "author", "posted", "place", "category", "text", "reply_unit", "replied", "reply_text")


class GovLettersSpider(ProfileSpider):
    """Crawl a letter board from any list page (or a single detail page).

    Each part the profile gives a selector for is read with it; what it leaves out (or
    what its selector does not find on a page) is found by the generic reader,
    :mod:`scrapers.generic`. Links that only javascript can follow (``__doPostBack``,
    ``onclick`` without a URL) are counted as ``list:next-javascript``.
    """

    name = "gov_letters"
    default_profile = "gov-letters"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letter_shapes: set[str] = set()  # URL shapes of the letter links on list pages seen so far

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Any page of the board: a detail page gives a letter, a list page gives links."""
        if not isinstance(response, TextResponse) or generic.is_datastore(response.text):
            # 大汉 JCMS's dataproxy.jsp answers with bare <datastore> XML, sometimes as octet-stream.
            text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
            yield from self.follow_listing(response, generic.read_records(text, response.url))
            return
        root = _root(response)
        fields, excerpts = self.read_fields(root)
        if "text" in fields and not excerpts:
            item = self.make_item(response, fields)
            if item is not None:
                yield item
            return
        listing = self.read_listing(response)
        if listing.entries:
            yield from self.follow_listing(response, listing)
            return
        if "title" in fields and ("posted" in fields or "author" in fields):
            block = generic.body_block(root, [f.value for f in fields.values()])
            if block is not None:
                fields["text"] = block
                item = self.make_item(response, fields)
                if item is not None:
                    yield item
                return
        self.logger.warning("%s: no letters and no letter list found (%s)", response.url, listing.rule or
                            "no group of links to letter pages")

    # -- letter pages ----------------------------------------------------------------------

    def read_fields(self, root: Any) -> tuple[dict[str, generic.Found], bool]:
        """The letter's fields on a page, each with the rule that found it (profile first).

        The flag is true when three or more different texts carry a content label: a
        list page printing each letter's excerpt, not a letter.
        """
        fields: dict[str, generic.Found] = {}
        selectors = self.profile.selectors
        if "detail_row" in selectors:
            label_xpath = compiled_css(selectors.get("row_label", "th"))
            value_xpath = compiled_css(selectors.get("row_value", "td"))
            for row in compiled_css(selectors["detail_row"])(root):
                for label_cell, value_cell in zip(label_xpath(row), value_xpath(row), strict=False):
                    label = node_text(label_cell).strip()
                    name = self.label_field(label)
                    if name is not None and name not in fields:
                        fields[name] = generic.Found(node_text(value_cell), f"profile rows {selectors['detail_row']!r}",
                                                     label=label)
        for name in FIELD_SELECTORS:
            if name in selectors and name not in fields:
                element = next(iter(compiled_css(selectors[name])(root)), None)
                if element is not None and generic.squeeze(node_text(element)):
                    fields[name] = generic.Found(self._strip_label(node_text(element)),
                                                 f"profile selector {selectors[name]!r}", selectors[name])
        excerpts = False
        if "text" not in fields or any(n not in fields for n in ("title", "posted", "reply_text")):
            reading = generic.read_letter(root, self.profile.labels)
            excerpts = reading.repeated
            for name, found in reading.fields.items():
                fields.setdefault(name, found)
        return fields, excerpts

    def _strip_label(self, text: str) -> str:
        """``标题：路灯不亮`` selected whole by a profile's field selector: the value without its label."""
        text = text.strip()
        head, sep, rest = text.partition("：") if "：" in text[:12] else text.partition(":")
        if sep and (self.label_field(head) is not None or generic.label_key(head) in generic.label_index()):
            return rest
        return text

    def make_item(self, response: Response, fields: dict[str, generic.Found]) -> DocumentItem | None:
        value = {name: found.value for name, found in fields.items()}
        fetched = self.now()
        posted_raw = value.get("posted") or response.meta.get("listed_raw")
        posted = parse_date(posted_raw, fetched)
        if posted.iso is None and posted_raw:
            posted = parse_date(generic.find_date(posted_raw), fetched) if generic.find_date(posted_raw) else posted
        if posted.iso is None and response.meta.get("listed_raw"):
            posted = parse_date(response.meta["listed_raw"], fetched)
        replied = parse_date(value.get("replied"), fetched)
        if replied.iso is None and generic.find_date(value.get("replied")):
            replied = parse_date(generic.find_date(value.get("replied")), fetched)
        return DocumentItem(
            url=canonicalize_url(self.canonical_page_url(response.url)),
            source=self.profile.name,
            kind="letter",
            author=value.get("author"),
            title=value.get("title"),
            text=value["text"],
            reply_text=value.get("reply_text"),
            reply_unit=value.get("reply_unit"),
            posted_at=posted.iso,
            posted_raw=posted.raw or None,
            replied_at=replied.iso,
            fetched_at=fetched.isoformat(timespec="seconds"),
            location=value.get("place"),
            sex=honorific_sex(value.get("author")),
            category=value.get("category"),
        )

    def parse_detail(self, response: Response) -> DocumentItem | None:
        """The letter on a detail page, or None when the page holds no letter text."""
        fields, _ = self.read_fields(_root(response))
        if "text" not in fields:
            self.logger.warning("%s: letter page without a content row (labels %s)",
                                response.url, ", ".join(self.profile.labels.get("text", ())))
            return None
        return self.make_item(response, fields)

    def explain(self, response: Response) -> tuple[dict[str, str], str, str]:
        """For ``profiles check``: the rule behind each field, and how the list and the next page were found."""
        fields, excerpts = self.read_fields(_root(response))
        if "text" in fields and not excerpts:
            return {name: found.rule for name, found in fields.items()}, "", ""
        listing = self.read_listing(response)
        if not listing.entries and "title" in fields and ("posted" in fields or "author" in fields):
            block = generic.body_block(_root(response), [f.value for f in fields.values()])
            if block is not None:
                return {**{name: found.rule for name, found in fields.items()}, "text": block.rule}, "", ""
        return {}, listing.rule or "no group of links to letter pages", listing.next_rule

    # -- list pages ------------------------------------------------------------------------

    def read_listing(self, response: Response) -> generic.ListReading:
        """The letter links and the next page of a list page: profile selectors first, then the generic reader."""
        root = _root(response)
        selectors = self.profile.selectors
        listing: generic.ListReading | None = None
        if "list_item" in selectors:
            entries = []
            link_xpath = compiled_css(selectors.get("list_link", "a"))
            date_xpath = compiled_css(selectors["list_date"]) if "list_date" in selectors else None
            for entry in compiled_css(selectors["list_item"])(root):
                anchor = next((a for a in link_xpath(entry) if a.get("href")), None)
                if anchor is None:
                    continue
                href = anchor.get("href").strip()
                if href.lower().startswith(("javascript:", "mailto:", "#")):
                    continue
                date_cell = next(iter(date_xpath(entry)), None) if date_xpath is not None else None
                raw = node_text(date_cell) if date_cell is not None else generic.find_date(node_text(entry))
                entries.append(generic.ListEntry(response.urljoin(href), generic.squeeze(node_text(anchor)),
                                                 generic.squeeze(raw)))
            if entries:
                listing = generic.ListReading(entries=entries, item_css=selectors["list_item"],
                                              rule=f"profile selector {selectors['list_item']!r}")
        if listing is None:
            listing = generic.read_list(root, response.url, self.letter_shapes)
        else:
            listing.next_url, listing.next_rule, listing.next_css, listing.unfollowable = (
                generic.find_next(root, response.url))
        if "next_page" in selectors:
            anchor = next(iter(compiled_css(selectors["next_page"])(root)), None)
            if anchor is not None and anchor.get("href"):
                listing.next_url = response.urljoin(anchor.get("href").strip())
                listing.next_rule = f"profile selector {selectors['next_page']!r}"
                listing.next_css = selectors["next_page"]
        return listing

    def follow_listing(self, response: Response, listing: generic.ListReading) -> Iterator[Any]:
        fetched = self.now()
        any_recent = False
        for entry in listing.entries:
            self.letter_shapes.add(generic.url_shape(entry.url))
            listed = parse_date(entry.date_raw, fetched)
            if self.since is not None and not on_or_after(listed.iso, self.since):
                continue
            any_recent = True
            request = self.follow(response, entry.url, meta={"listed_raw": listed.raw})
            if request is not None:
                yield request
        if self.since is not None and not any_recent:
            # Boards list newest first: a page with nothing recent ends the walk.
            self.logger.info("%s: nothing on or after %s; not following older pages", response.url, self.since)
            return
        for url in ([listing.next_url] if listing.next_url is not None else []) + listing.more_urls:
            request = self.follow(response, url)
            if request is not None:
                yield request
        if listing.next_url is None and not listing.more_urls and listing.unfollowable:
            self.count("list:next-javascript")
            self.logger.warning("%s: the next page is reached only by javascript (%s); not followed",
                                response.url, listing.unfollowable[0])


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
