"""Reading a letter board whose layout no profile describes.

Pure functions over a page's lxml root element (``response.selector.root`` or
``parsel.Selector(text=html).root``); nothing here knows about Scrapy, so the same
reading serves the ``gov_letters`` spider, ``tongxin profiles suggest`` and tests.

* :func:`read_letter` finds each field of a letter page by its label wherever it sits:
  a ``th``/``td`` cell and the cell beside it, ``dt``/``dd``, a ``span``/``strong``/
  ``label``/``b`` followed by text, ``<p>标题：…</p>`` inline, or a heading with the
  block under it (``<h3>回复</h3><div>…</div>``). Labels may be written with spaces
  inside (``标　题``), either colon, or none. The title falls back to the page heading,
  then to ``<title>`` without the site name.
* :func:`read_list` finds the letters of a list page as the largest group of sibling
  elements (same tag, same path of tags and classes from ``body``) that each hold a
  link to a page of the same site with a title-like text, whatever the classes; links
  in navigation, breadcrumbs and footers are left out. :func:`find_next` finds the next
  list page by its link text (下一页, 下页, ›, » ...) or by a page number in the URL
  (``page=N``, ``pageNo=N``, ``list_N.html``, ``index_N.html``); when the pager is
  javascript, by the URL pattern the page itself shows (the page function its links call,
  a ``<select>`` jumper, 共N页 with a 尾页 link, TRS's ``createPageHTML``, 大汉 jpage's
  ``dataproxy.jsp``: :mod:`scrapers.generic._paging`), never past the last page it names.

Every value found carries the rule that found it (:class:`Found`), so ``tongxin
profiles check`` can say why a field holds what it holds, and ``profiles suggest`` can
turn the rule into a profile entry.

:mod:`scrapers.generic.letters` reads letter pages, :mod:`scrapers.generic.lists` list
pages; both are re-exported here.

The layouts were taken from public government CMS templates (市长信箱, 领导留言板, 12345
boards); ``docs/boards-evaluation.md`` reports how this reads boards it was not tuned on.
"""
from __future__ import annotations

from scrapers.generic._text import BLOCK_TAGS, INVISIBLE_TAGS, Found, find_date, node_text, squeeze
from scrapers.generic.letters import (
    LETTER_LABELS,
    OTHER_LABELS,
    LetterReading,
    body_block,
    is_pending,
    label_index,
    label_key,
    page_title,
    read_letter,
)
from scrapers.generic.lists import (
    ListEntry,
    ListReading,
    find_next,
    group_css,
    is_datastore,
    read_list,
    read_records,
    url_shape,
)

__all__ = [
    "BLOCK_TAGS", "INVISIBLE_TAGS", "LETTER_LABELS", "OTHER_LABELS", "Found", "LetterReading", "ListEntry",
    "ListReading", "body_block", "find_date", "find_next", "group_css", "is_datastore", "is_pending", "label_index",
    "label_key", "node_text", "page_title", "read_letter", "read_list", "read_records", "squeeze", "url_shape",
]
