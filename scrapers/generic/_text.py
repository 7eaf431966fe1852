"""What the generic reader's parts share: visible text, dates, navigation, selectors for a profile."""
from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "dd", "div", "dl", "dt", "fieldset", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template"})
_SPACE = re.compile(r"[\s\u00a0\u3000]+")
_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?::\d{2})?)?")
_COLON = "[:：]"
_NAV_CLASS = re.compile(r"nav|menu|crumb|foot|header|topbar|banner|position|location|daohang|weizhi|copyright"
                        r"|bread|dqwz|current|guide|top\b|bottom|tab", re.IGNORECASE)
_NAV_TAGS = frozenset({"nav", "header", "footer"})


@dataclass(frozen=True)
class Found:
    """A value and how it was found: ``rule`` for people, ``css`` for a profile (None when no selector says it)."""

    value: str
    rule: str
    css: str | None = None
    label: str | None = None




def _tag(element: etree._Element) -> str | None:
    return element.tag.lower() if isinstance(element.tag, str) else None


def _collect(element: etree._Element, out: list[str]) -> None:
    if element.text:
        out.append(element.text)
    for child in element:
        tag = _tag(child)
        if tag is not None and tag not in INVISIBLE_TAGS:
            if tag == "br":
                out.append("\n")
            elif tag in BLOCK_TAGS:
                out.append("\n")
                _collect(child, out)
                out.append("\n")
            else:
                _collect(child, out)
        if child.tail:  # comments and removed-looking tags still carry the text after them
            out.append(child.tail)


def node_text(node: etree._Element) -> str:
    """The visible text of a bare lxml element: text nodes only, block elements on new lines."""
    out: list[str] = []
    _collect(node, out)
    return "".join(out)


def squeeze(text: str | None) -> str:
    """Runs of whitespace (NBSP and U+3000 included) to one space, ends stripped."""
    return _SPACE.sub(" ", text or "").strip()


def _block(text: str) -> str:
    """Long text: lines kept, each squeezed, empty lines dropped."""
    return "\n".join(line for line in (squeeze(part) for part in text.splitlines()) if line)


def find_date(text: str | None) -> str:
    """The first ``2026-03-05 14:20`` / ``2026年3月5日`` / ``2026/03/05`` in ``text``, as printed; "" if none."""
    match = _DATE.search(text or "")
    return match.group(0) if match else ""


def _in_navigation(element: etree._Element) -> bool:
    for ancestor in element.iterancestors():
        tag = _tag(ancestor)
        if tag in _NAV_TAGS:
            return True
        marks = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if marks.strip() and _NAV_CLASS.search(marks):
            return True
    return False


def _step(element: etree._Element) -> str:
    tag = _tag(element) or "*"
    if element.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", element.get("id") or ""):
        return f"{tag}#{element.get('id')}"
    classes = [c for c in (element.get("class") or "").split() if re.fullmatch(r"[A-Za-z_][\w-]*", c)]
    return f"{tag}.{classes[0]}" if classes else tag


def _css_matches(root: etree._Element, css: str) -> list[etree._Element]:
    from parsel.csstranslator import css2xpath

    return list(root.xpath(css2xpath(css)))


def _value_css(element: etree._Element) -> str | None:
    """A selector for a value element that names it by id or class, when one does so uniquely."""
    step = _step(element)
    if "#" in step or "." in step:
        root = element.getroottree().getroot()
        if _css_matches(root, step) == [element]:
            return step
    return None
