"""List pages: the letters they link to and the next page (see :mod:`scrapers.generic`)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from scrapers.generic import _paging
from scrapers.generic._text import (
    _SPACE,
    _css_matches,
    _in_navigation,
    _step,
    _tag,
    find_date,
    node_text,
    squeeze,
)

_NEXT_TEXTS = ("下一页", "下页", "后页", "下一頁", "后一页", "next")
_NEXT_SYMBOLS = frozenset({">", "›", "»", ">>", "››", "»»", "＞", "〉", "→"})
_PAGE_NUMBER = re.compile(
    r"(?P<pre>[?&](?:page|pageNo|pageno|pageNum|pagenum|pageIndex|pageindex|curpage|curPage|currentPage|"
    r"currentpage|p|pn|pg|page_no)=)(?P<n>\d+)"
    r"|(?P<pre2>(?:list|index|page|default|[A-Za-z]*List|[A-Za-z]*list)[_-])(?P<n2>\d+)"
    r"(?P<ext>\.s?html?|\.jsp|\.aspx?|\.php)$",
)
_JS_URL = re.compile(r"""(?:location(?:\.href)?\s*=|window\.open\s*\(|location\.replace\s*\()\s*['"]([^'"]+)['"]""")
_NAV_WORDS = ("首页", "上一页", "下一页", "尾页", "末页", "返回", "更多", "写信", "登录", "注册", "查询", "我要",
              "more", "首 页")


@dataclass(frozen=True)
class ListEntry:
    url: str
    title: str
    date_raw: str


@dataclass
class ListReading:
    """The letters of a list page and the way on to the next page."""

    entries: list[ListEntry] = field(default_factory=list)
    item_css: str | None = None  # selects the letter items of this page (for a profile)
    rule: str = ""
    next_url: str | None = None
    next_rule: str = ""
    next_css: str | None = None
    unfollowable: list[str] = field(default_factory=list)  # next links that only javascript can follow
    more_urls: list[str] = field(default_factory=list)  # further list pages the page names at once (大汉 jpage)


def _signature(element: etree._Element) -> tuple[str, ...]:
    """Tags and classes from ``body`` down to ``element``: sibling groups split in several parts share it."""
    parts = []
    for node in (element, *element.iterancestors()):
        tag = _tag(node)
        if tag in ("body", "html") or tag is None:
            break
        parts.append(f"{tag}.{(node.get('class') or '').split(' ')[0]}" if node is not element else tag)
    return tuple(reversed(parts))


def url_shape(url: str) -> str:
    """A URL with its numbers blurred and its query values dropped: detail pages of one board share it."""
    parts = urlsplit(url)
    directory = parts.path.rsplit("/", 1)[0]
    ext = parts.path.rsplit(".", 1)[-1] if "." in parts.path.rsplit("/", 1)[-1] else ""
    keys = ",".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return f"{re.sub(r'[0-9]+', '9', directory)}/*.{ext}?{keys}"


def _good_link_text(text: str) -> bool:
    """A link text that can be a letter's title: not a page number, an arrow or a navigation word."""
    bare = _SPACE.sub("", text)
    if len(bare) < 2 or bare.isdigit() or not re.search(r"[\u4e00-\u9fa5A-Za-z]", bare):
        return False
    return not (len(bare) <= 6 and any(word in bare.lower() for word in _NAV_WORDS))


def _links(root: etree._Element, page_url: str) -> list[tuple[etree._Element, str, str]]:
    """(element, absolute URL, text) of each same-site link that a crawler can follow."""
    page = urlsplit(page_url)
    here = page_url.split("#")[0]
    out = []
    for anchor in root.iterfind(".//a[@href]"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = urljoin(page_url, href).split("#")[0]
        if urlsplit(url).netloc != page.netloc or url == here:
            continue
        out.append((anchor, url, squeeze(node_text(anchor)) or squeeze(anchor.get("title"))))
    return out


def read_list(root: etree._Element, page_url: str, known_shapes: Iterable[str] = ()) -> ListReading:
    """The letters a list page links to (see the module docstring) and its next page.

    ``known_shapes`` are :func:`url_shape` values of letter links learned on earlier list
    pages of the same board: a last page with one or two letters is still read.
    """
    links = _links(root, page_url)
    groups: dict[tuple[str, ...], dict[etree._Element, tuple[str, str]]] = {}
    for anchor, url, text in links:
        if not _good_link_text(text) or _in_navigation(anchor):
            continue
        node = anchor
        for _ in range(5):  # the item is the anchor or an ancestor with siblings of its tag
            parent = node.getparent()
            if parent is None or _tag(parent) in ("body", "html"):
                break
            if _tag(node) in ("td", "th") and _tag(parent) == "tr":
                node, parent = parent, parent.getparent()  # a table lists one letter per row
                if parent is None:
                    break
            if sum(1 for c in parent if c.tag == node.tag) >= 2 or _tag(parent) in ("ul", "ol", "tbody", "table"):
                # One list printed as several <ul> of five is one group: same path, same grandparent.
                grand = parent.getparent()
                items = groups.setdefault((*_signature(node), f"#{id(grand) if grand is not None else 0}"), {})
                best = items.get(node)
                if best is None or len(text) > len(best[1]):
                    items[node] = (url, text)
                break
            node = parent
    merged = groups
    known = set(known_shapes)
    best_key, best_score = None, 0.0
    for key, items in merged.items():
        shapes: dict[str, int] = {}
        for url, _ in items.values():
            shapes[url_shape(url)] = shapes.get(url_shape(url), 0) + 1
        top = max(shapes.values())
        dated = sum(1 for item in items if find_date(node_text(item)))
        score = top + 0.5 * dated + (2.0 if known & set(shapes) else 0.0)
        # Two links of one shape make a list; so does a single dated item (a board's only letter).
        if top >= 2 or known & set(shapes) or dated == len(items):
            if score > best_score:
                best_key, best_score = key, score
    reading = ListReading()
    chosen: list[tuple[etree._Element, str, str]] = []
    if best_key is not None:
        chosen = [(item, url, text) for item, (url, text) in merged[best_key].items()]
        reading.item_css = group_css(root, [item for item, _, _ in chosen])
        reading.rule = f"largest group of linked items ({len(chosen)} × {best_key[-2]})"
    embedded = _datastore_links(root, page_url)
    if embedded:
        chosen += embedded
        reading.rule = (reading.rule + "; " if reading.rule else "") + f"records in a <datastore> script ({len(embedded)})"
    if known:  # a last page with a single letter: links shaped like the letters of earlier pages
        more = [(anchor, url, text) for anchor, url, text in links
                if url_shape(url) in known and _good_link_text(text) and not _in_navigation(anchor)]
        if more and not chosen:
            reading.rule = f"links shaped like the letters of earlier pages ({len(more)})"
        chosen += more
    seen: set[str] = set()
    for item, url, text in chosen:
        if url not in seen:
            seen.add(url)
            reading.entries.append(ListEntry(url, text, find_date(node_text(item))))
    reading.next_url, reading.next_rule, reading.next_css, reading.unfollowable = find_next(root, page_url, links)
    if embedded and reading.next_url is None:
        reading.more_urls = _paging.jpage_pages(root, page_url)
        if reading.more_urls:
            reading.next_rule = f"{len(reading.more_urls)} jpage requests to {reading.more_urls[0].split('?')[0]}"
        elif not reading.unfollowable and (left := _paging.jpage_left(root)):
            reading.unfollowable.append(left)
    return reading


def read_records(text: str, page_url: str) -> ListReading:
    """The letters of a bare ``<datastore>`` answer (大汉 JCMS ``dataproxy.jsp``): one ``<record>`` each.

    ``text`` is the answer as served (XML, rows as HTML in CDATA); no next page: the
    column page named every request (:func:`scrapers.generic._paging.jpage_pages`).
    """
    from lxml import html as lxml_html

    reading = ListReading(rule="records of a <datastore> answer")
    for match in _RECORD.finditer(text):
        fragment = (match.group(1) or match.group(2) or "").strip()
        if not fragment:
            continue
        item = lxml_html.fragment_fromstring(fragment, create_parent="div")
        for _anchor, url, title in _links(item, page_url):
            if _good_link_text(title) and all(url != entry.url for entry in reading.entries):
                reading.entries.append(ListEntry(url, title, find_date(node_text(item))))
                break
    return reading


def is_datastore(text: str) -> bool:
    """A bare ``<datastore>`` answer rather than an HTML page."""
    head = text[:3000].lower()
    return "<datastore" in head and "<body" not in head


_RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)


def _datastore_links(root: etree._Element, page_url: str) -> list[tuple[etree._Element, str, str]]:
    """Rows a 大汉 JCMS list page carries in ``<script type="text/xml"><datastore>``, shown by its script."""
    from lxml import html as lxml_html

    out = []
    for script in root.iterfind(".//script"):
        code = script.text or ""
        if "<record" not in code:
            continue
        for match in _RECORD.finditer(code):
            fragment = (match.group(1) or match.group(2) or "").strip()
            if not fragment:
                continue
            item = lxml_html.fragment_fromstring(fragment, create_parent="div")
            for _anchor, url, text in _links(item, page_url):
                if _good_link_text(text):
                    out.append((item, url, text))
                    break
    return out


def find_next(root: etree._Element, page_url: str,
              links: list[tuple[etree._Element, str, str]] | None = None) -> tuple[str | None, str, str | None, list[str]]:
    """The next list page: (URL or None, the rule that found it, a CSS selector for it, javascript-only links)."""
    unfollowable: list[str] = []
    scripted_links: list[tuple[str, str]] = []
    for anchor in root.iterfind(".//a"):
        text = _SPACE.sub("", node_text(anchor)) or _SPACE.sub("", anchor.get("title") or "")
        lowered = text.lower()
        is_next = any(word in lowered for word in _NEXT_TEXTS) and len(text) <= 8 or text in _NEXT_SYMBOLS \
            or "next" in (anchor.get("class") or "").lower().split()
        if not is_next:
            continue
        href = (anchor.get("href") or "").strip()
        if not href and not anchor.get("onclick"):
            continue  # a next link without a target: the last page's, greyed out
        if not href or href.lower().startswith("javascript:") or href == "#":
            script = f"{href} {anchor.get('onclick') or ''}"
            target = _JS_URL.search(script)
            if target is not None:
                return urljoin(page_url, target.group(1)), f"link {text} (URL in its script)", None, unfollowable
            scripted_links.append((text, script.strip()))
            continue
        url = urljoin(page_url, href).split("#")[0]
        if url == page_url.split("#")[0]:
            continue  # the last page links 下一页 to itself
        css = f'a:contains("{text}")' if text and '"' not in text else None
        return url, f"link text {text}", css, unfollowable
    derived = _paging.javascript_next(root, page_url, scripted_links)
    if derived is not None:
        return derived[0], derived[1], None, unfollowable
    scripted = _scripted_next(root, page_url)
    if scripted is not None:
        return scripted, "page count in the TRS script createPageHTML", None, unfollowable
    links = links if links is not None else _links(root, page_url)
    numbered = _numbered_next(root, page_url, links)
    if numbered is not None:
        return numbered[0], numbered[1], None, unfollowable
    current = _page_number(page_url)
    candidates: list[tuple[int, str]] = []
    base = _page_base(page_url)
    for _, url, _text in links:
        number = _page_number(url)
        if number is None or number <= (current or 0) or _page_base(url) != base:
            continue
        candidates.append((number, url))
    if candidates:
        number, url = min(candidates)
        return url, f"page number in the URL ({number})", None, unfollowable
    here = _paging.current_page(root) or (1 if current is None else None)
    if here is not None:
        derived = _paging.ordinal_next(root, page_url, here)
        if derived is not None:
            return derived[0], derived[1], None, unfollowable
    derived = _paging.written_next(root, page_url)
    if derived is not None:
        return derived[0], derived[1], None, unfollowable
    total = _paging.total_pages(root)
    if here is not None and total is not None and here >= total:
        return None, "no next page (the last by the page's own count)", None, unfollowable
    unfollowable += [f"{text}: {script[:80]}" for text, script in scripted_links]
    if not unfollowable and here is not None:
        unfollowable += _paging.scripted_page_links(root, here)
    return None, "no next page", None, unfollowable


def _numbered_next(root: etree._Element, page_url: str,
                   links: list[tuple[etree._Element, str, str]]) -> tuple[str, str] | None:
    """Page N+1 from the URL of another page the pager links to by its number or as 尾页.

    A link ``3`` to ``index_2.html`` (or 尾页 to ``index_4.html`` on a page saying 共5页)
    tells how page numbers map to URLs; this page's number comes from its own text
    (当前第2页) or URL, and page N+1 is built the same way when it is no later than the
    last page the pager names.
    """
    total = _paging.total_pages(root)
    refs: list[tuple[int, str, re.Match[str]]] = []
    for anchor, url, _text in links:
        match = _PAGE_NUMBER.search(url)
        bare = _SPACE.sub("", node_text(anchor)) or _SPACE.sub("", anchor.get("title") or "")
        if match is None or not _same_list(url, page_url):
            continue
        if bare.isdigit():
            refs.append((int(bare), url, match))
        elif bare in _paging.LAST_TEXTS and total:
            refs.append((total, url, match))
    if not refs:
        return None
    ordinal, url, match = refs[0]
    group = "n" if match.group("n") else "n2"
    shift = int(match.group(group)) - ordinal
    here = _paging.current_page(root)
    if here is None:
        number = _page_number(page_url)
        here = 1 if number is None else number - shift
    wanted = here + 1
    last = total or max(ref[0] for ref in refs)
    if wanted > last or wanted + shift < 1:
        return None
    built = url[:match.start(group)] + str(wanted + shift) + url[match.end(group):]
    if built.split("#")[0] == page_url.split("#")[0]:
        return None
    if any(built == link for _, link, _ in links):
        return built, f"page number in the URL ({wanted + shift})"
    return built, f"page {wanted} of {last} built like the pager's link to page {ordinal}"


_CREATE_PAGE = re.compile(r"createPageHTML\(([^()]*)\)", re.I)


def _scripted_next(root: etree._Element, page_url: str) -> str | None:
    """TRS WCM (and 开普-style) list pages write their page links in script: ``createPageHTML(count, current,
    "index", "html")``, or with a container id first and the record count last
    (``createPageHTML('page_div', count, current, 'index', 'shtml', records)``).

    Page 0 is ``index.html``, page N is ``index_N.html``; the arguments may be variables
    set just before (``var countPage = 3``). Counted from 0 in TRS's four-argument form;
    otherwise from 1 unless the current page is 0.
    """
    code = "\n".join(script.text or "" for script in root.iterfind(".//script"))  # variables may be set in another
    for call in _CREATE_PAGE.finditer(code):
        args = [arg.strip() for arg in call.group(1).split(",")]
        for i in range(len(args) - 3):
            count, current = (_script_number(arg, code) for arg in args[i:i + 2])
            name, ext = (arg.strip("'\"") for arg in args[i + 2:i + 4])
            quoted = all(arg[:1] in "'\"" and re.fullmatch(r"[\w-]+", arg.strip("'\"")) for arg in args[i + 2:i + 4])
            if count is None or current is None or not quoted:
                continue
            from_zero = len(args) == 4 or current == 0
            if current + 1 < count or not from_zero and current + 1 <= count:
                return urljoin(page_url, f"{name}_{current + 1}.{ext}")
            return None
    return None


def _script_number(arg: str, code: str) -> int | None:
    """An argument of a script call: a number, or a variable the script sets to one."""
    if arg.isdigit():
        return int(arg)
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
        return None
    assigned = re.search(rf"\b{re.escape(arg)}\s*=\s*['\"]?(\d+)", code)
    return int(assigned.group(1)) if assigned else None


def _same_list(url: str, page_url: str) -> bool:
    """``url`` is another page of the list ``page_url`` is a page of (the first page may have no number)."""
    if _page_base(url) == _page_base(page_url):
        return True
    return _page_number(page_url) is None and url.rsplit("/", 1)[0] == page_url.split("?")[0].rsplit("/", 1)[0]


def _page_number(url: str) -> int | None:
    match = _PAGE_NUMBER.search(url)
    if match is None:
        return None
    return int(match.group("n") or match.group("n2"))


def _page_base(url: str) -> str:
    """``url`` without its page number: ``list_3.html`` and ``list.html``, ``?page=3`` and no page, alike."""
    url = url.split("#")[0]
    match = _PAGE_NUMBER.search(url)
    if match is None:
        return url.rstrip("?&")
    if match.group("pre2"):
        return url[:match.start()] + match.group("pre2").rstrip("_-") + match.group("ext")
    return (url[:match.start()] + url[match.end():]).rstrip("?&").replace("?&", "?")


def _selects(root: etree._Element, css: str, wanted: set[etree._Element]) -> bool:
    """``css`` selects ``wanted`` and otherwise only elements without a link (a table's header row)."""
    found = set(_css_matches(root, css))
    return wanted <= found and not any(e.find(".//a[@href]") is not None for e in found - wanted)


def group_css(root: etree._Element, items: list[etree._Element]) -> str | None:
    """A CSS selector that selects exactly ``items`` (siblings of one list), or None."""
    if not items:
        return None
    wanted = set(items)
    tag = _tag(items[0]) or "*"
    shared = set((items[0].get("class") or "").split())
    for item in items[1:]:
        shared &= set((item.get("class") or "").split())
    leaf = f"{tag}.{sorted(shared)[0]}" if shared and all(re.fullmatch(r"[A-Za-z_][\w-]*", c) for c in shared) else tag
    parent = items[0].getparent()
    path: list[str] = []
    while parent is not None and _tag(parent) not in ("html", None):
        path.insert(0, _step(parent))
        css = " > ".join([*path, leaf])
        for candidate in (f"{' '.join(path[:1])} {leaf}" if len(path) == 1 else None, css):
            if candidate and _selects(root, candidate, wanted):
                return candidate
        if "#" in path[0]:
            break
        parent = parent.getparent()
    return None
