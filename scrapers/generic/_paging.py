"""Next list pages that only a script reaches, derived from a URL pattern the page itself shows.

Government CMS templates often page their lists with javascript: 开普 and TRS-style
``javascript:goPage(2)`` / ``onclick="toPage(2)"`` links over a ``function goPage(n)
{ location.href = 'index_' + n + '.html' }`` in the page, a ``<select onchange>`` page
jumper, "共5页 当前第1页" beside a 尾页 link to ``index_4.html``, and 大汉 JCMS's jpage,
which loads later rows from ``module/web/jpage/dataproxy.jsp?startrecord=..&endrecord=..
&perpage=..`` with the column's ``col/appid/webid/path/columnid/unitid/permissiontype``
parameters. Each function here turns such evidence into URLs; none guesses a URL the page
does not show the pattern of, nor a page past the last one the page names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from lxml import etree

from scrapers.generic._text import _SPACE, _tag, node_text

_IDENT = r"[A-Za-z_$][\w$]*"
_CALL = re.compile(rf"(?P<fn>{_IDENT}(?:\.{_IDENT})*)\s*\(\s*['\"]?(?P<arg>\d+)['\"]?\s*[,)]")
_TOTAL_TEXT = re.compile(r"共\s*(\d+)\s*页|总页数\s*[:：]?\s*(\d+)|\d+\s*/\s*(\d+)\s*页|页次\s*[:：]?\s*\d+\s*/\s*(\d+)")
_CURRENT_TEXT = re.compile(r"当前\s*(?:第\s*)?(\d+)\s*(?:页|/)|当前页\s*[:：]?\s*(\d+)|第\s*(\d+)\s*页\s*[/／]"
                           r"|(?<!\d)(\d+)\s*/\s*\d+\s*页|页次\s*[:：]?\s*(\d+)\s*/")
_TOTAL_VAR = re.compile(r"\b(?:countPage|totalPage|totalPages|pageCount|pageTotal|pagecount|totalpage|pageSum|maxPage)"
                        r"\s*[=:]\s*['\"]?(\d+)")
LAST_TEXTS = ("尾页", "末页", "最后一页", "最末页")


@dataclass(frozen=True)
class Pattern:
    """A page URL as the page's own script or links build it: ``prefix + str(n + shift) + suffix``."""

    prefix: str
    suffix: str
    shift: int = 0
    source: str = ""

    def url(self, n: int, page_url: str) -> str:
        return urljoin(page_url, f"{self.prefix}{n + self.shift}{self.suffix}")


def _concatenation(variable: str) -> re.Pattern[str]:
    """``'index_' + n + '.html'``, ``"?page=" + (n - 1)``: a URL piece, the variable, maybe a shift and a tail."""
    return re.compile(rf"""(?P<q1>['"])(?P<pre>(?:(?!(?P=q1))[^\n])*)(?P=q1)\s*\+\s*\(?\s*(?:{variable})\s*"""
                      rf"""(?:(?P<op>[+-])\s*(?P<k>\d+))?\s*\)?(?:\s*\+\s*(?P<q>['"])(?P<post>(?:(?!(?P=q))[^\n])*)(?P=q))?""")


def _pattern_in(code: str, variable: str, source: str) -> Pattern | None:
    for match in _concatenation(variable).finditer(code):
        prefix = re.split(r"""["'\s]""", match.group("pre"))[-1]  # the URL of '<a href="index_' + n + ...
        if not re.search(r"[./?=_&-]$|\.\w+$|/", prefix) and not match.group("post"):
            continue  # a message, not a URL: '第' + n + '页'
        if re.search(r"[\u4e00-\u9fa5\s]", prefix) or not re.match(r"[\w./?]", prefix) or len(prefix) < 2:
            continue  # a piece of a URL built further on ('_' + n, '&page=' + n): its whole is not shown
        shift = int(match.group("k") or 0) * (-1 if match.group("op") == "-" else 1)
        return Pattern(prefix, re.split(r"""["'\s>]""", match.group("post") or "")[0], shift, source)
    return None


def _function_bodies(code: str) -> dict[str, tuple[str, str]]:
    """``name -> (first parameter, body)`` of the functions a script defines (braces balanced)."""
    out: dict[str, tuple[str, str]] = {}
    heads = re.finditer(rf"function\s+(?P<a>{_IDENT})\s*\(\s*(?P<p>{_IDENT})?[^)]*\)\s*\{{"
                        rf"|(?P<b>{_IDENT})\s*[=:]\s*function\s*\(\s*(?P<q>{_IDENT})?[^)]*\)\s*\{{", code)
    for head in heads:
        depth, end = 1, head.end()
        while end < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[end], 0)
            end += 1
        name, param = head.group("a") or head.group("b"), head.group("p") or head.group("q")
        if param:
            out.setdefault(name, (param, code[head.end():end - 1]))
    return out


_DATA_PAGE = r"[\w$().]*\.data\(\s*['\"]page['\"]\s*\)|[\w$().]*\.attr\(\s*['\"]data-page['\"]\s*\)|[\w$.]*dataset\.page"


def script_patterns(root: etree._Element) -> dict[str, Pattern]:
    """Page functions of the page's own scripts that build a list page's URL from their argument.

    Keyed by function name; ``data-page`` is a click handler building the URL from the
    clicked element's ``data-page`` attribute.
    """
    patterns: dict[str, Pattern] = {}
    for script in root.iterfind(".//script"):
        code = script.text or ""
        for name, (param, body) in _function_bodies(code).items():
            pattern = _pattern_in(body, re.escape(param), f"script function {name}()") or _form_pattern(
                root, body, param, name)
            if pattern is not None:
                patterns.setdefault(name, pattern)
        handler = _pattern_in(code, _DATA_PAGE, "script reading data-page")
        if handler is not None:
            patterns.setdefault("data-page", handler)
    return patterns


def _form_pattern(root: etree._Element, body: str, param: str, name: str) -> Pattern | None:
    """A page function that sets a form's page field (``curPage``, ``pageNo``) and submits the form.

    A form sent by GET is a URL: its action with its fields as the query. A form sent by
    POST is not followed (the caller counts the link as javascript-only).
    """
    if "submit" not in body:
        return None
    setter = re.search(rf"""getElementById\(\s*['"]([\w-]+)['"]\s*\)\.value\s*=\s*{re.escape(param)}\b"""
                       rf"""|\.(\w+)\.value\s*=\s*{re.escape(param)}\b"""
                       rf"""|\$\(\s*['"][#]?([\w-]+)['"]\s*\)\.val\(\s*{re.escape(param)}\s*\)""", body)
    if setter is None:
        return None
    field_name = next(g for g in setter.groups() if g)
    for form in root.iter("form"):
        if (form.get("method") or "get").strip().lower() != "get":
            continue
        fields = [(i.get("name"), i.get("value") or "") for i in form.iter("input")
                  if i.get("name") and (i.get("type") or "text").lower() not in ("submit", "button", "image")]
        if not any(field_name in (i.get("name"), i.get("id")) for i in form.iter("input")):
            continue
        key = next(i.get("name") for i in form.iter("input") if field_name in (i.get("name"), i.get("id")))
        marker = "9999999999"
        query = urlencode([(k, marker if k == key else v) for k, v in fields])
        prefix, _, suffix = f"{form.get('action') or ''}?{query}".partition(marker)
        return Pattern(prefix, suffix, 0, f"form sent by script function {name}()")
    return None


def javascript_next(root: etree._Element, page_url: str, scripts: list[tuple[str, str]]) -> tuple[str, str] | None:
    """A javascript next link (``text``, ``script``) that calls a page function with the next page's argument."""
    patterns = script_patterns(root)
    for text, script in scripts:
        for call in _CALL.finditer(script):
            name = call.group("fn").rsplit(".", 1)[-1]
            if name in patterns:
                return (patterns[name].url(int(call.group("arg")), page_url),
                        f"link {text}: {name}({call.group('arg')}) of the {patterns[name].source}")
    return None


def ordinal_next(root: etree._Element, page_url: str, current: int) -> tuple[str, str] | None:
    """Page ``current + 1`` from javascript page-number links or a ``<select>`` jumper, when the page shows it."""
    patterns = script_patterns(root)
    calls = page_calls(root, patterns)
    wanted = current + 1
    last = total_pages(root) or max([*calls, 0])
    if calls and wanted <= last:
        ordinal, (arg, name) = next(iter(calls.items()))
        argument = calls[wanted][0] if wanted in calls else wanted + arg - ordinal
        return patterns[name].url(argument, page_url), f"page {wanted} by the {patterns[name].source}"
    jumper = jumper_pages(root, page_url, patterns)
    if wanted in jumper:
        return jumper[wanted], f"page {wanted} of the page jumper"
    return None


def _script_of(element: etree._Element) -> str:
    href = (element.get("href") or "").strip()
    return f"{href if href.lower().startswith('javascript:') else ''} {element.get('onclick') or ''}".strip()


def page_calls(root: etree._Element, patterns: dict[str, Pattern]) -> dict[int, tuple[int, str]]:
    """Page-number links that call a page function: ``ordinal -> (argument, function)``."""
    out: dict[int, tuple[int, str]] = {}
    for element in root.iter("a", "span", "li", "button"):
        text = _SPACE.sub("", node_text(element))
        if not text.isdigit():
            continue
        calls = [c for c in _CALL.finditer(_script_of(element)) if c.group("fn").rsplit(".", 1)[-1] in patterns]
        if calls:
            out.setdefault(int(text), (int(calls[0].group("arg")), calls[0].group("fn").rsplit(".", 1)[-1]))
        elif element.get("data-page", "").isdigit() and "data-page" in patterns:
            out.setdefault(int(text), (int(element.get("data-page", "")), "data-page"))
    return out


def total_pages(root: etree._Element) -> int | None:
    """The number of pages the page states: "共5页", "1/5页", ``var countPage = 5``."""
    text = node_text(root)
    match = _TOTAL_TEXT.search(text)
    if match is not None:
        return int(next(g for g in match.groups() if g))
    for script in root.iterfind(".//script"):
        found = _TOTAL_VAR.search(script.text or "")
        if found is not None:
            return int(found.group(1))
    return None


def current_page(root: etree._Element) -> int | None:
    """The page's own ordinal (from 1) as it prints it: "当前第2页", "2/5页", a selected jumper option."""
    match = _CURRENT_TEXT.search(node_text(root))
    if match is not None:
        return int(next(g for g in match.groups() if g))
    for select in root.iter("select"):
        options = list(select.iter("option"))
        if not options or not all(re.search(r"\d", node_text(option)) for option in options):
            continue  # not a page jumper
        for index, option in enumerate(options):
            if option.get("selected") is not None:
                digits = re.search(r"\d+", node_text(option))
                return int(digits.group()) if digits else index + 1
    for element in root.iter("span", "strong", "b", "font", "em", "a", "li"):
        text = _SPACE.sub("", node_text(element))
        marked = re.search(r"cur|active|select|\bon\b", element.get("class") or "")
        plain = _tag(element) != "a" and not element.get("onclick") and element.find(".//a") is None
        if text.isdigit() and (marked or plain and _among_page_links(element)):
            return int(text)
    return None


def _among_page_links(element: etree._Element) -> bool:
    """A bare number beside links whose texts are numbers too: the pager's current page."""
    parent = element.getparent()
    if parent is None:
        return False
    numbers = [a for a in parent.iter("a") if _SPACE.sub("", node_text(a)).isdigit()]
    return len(numbers) >= 1


def jumper_pages(root: etree._Element, page_url: str,
                 patterns: dict[str, Pattern]) -> dict[int, str]:
    """``ordinal -> URL`` from a ``<select>`` page jumper: option values that are URLs, or page numbers
    the ``onchange`` script turns into URLs (``location.href='index_'+this.value+'.html'``, ``goPage(this.value)``)."""
    out: dict[int, str] = {}
    for select in root.iter("select"):
        change = select.get("onchange") or ""
        if not change and select.getparent() is not None:
            change = select.getparent().get("onchange") or ""
        pattern = _pattern_in(change, r"this(?:\.options\[this\.selectedIndex\])?\.value|[\w$.]*value", "jumper")
        if pattern is None:
            call = re.search(rf"({_IDENT})\s*\(\s*this", change)
            pattern = patterns.get(call.group(1)) if call else None
        for index, option in enumerate(select.iter("option")):
            value = (option.get("value") or "").strip()
            digits = re.search(r"\d+", node_text(option))
            ordinal = int(digits.group()) if digits else index + 1
            if re.search(r"[./?=]", value) and not value.lower().startswith("javascript:"):
                out[ordinal] = urljoin(page_url, value)
            elif value.lstrip("-").isdigit() and pattern is not None and change:
                out[ordinal] = pattern.url(int(value), page_url)
    return out


# --- 大汉 JCMS jpage ----------------------------------------------------------------------------

_RECORD_COUNT = re.compile(r"<record\b", re.I)
_JPAGE_PARAMS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
                 "permissiontype")


def jpage_pages(root: etree._Element, page_url: str) -> list[str]:
    """The ``dataproxy.jsp`` requests that give a 大汉 JCMS column's rows after those of its page.

    The column page carries its first group of rows in ``<datastore>`` with
    ``<totalrecord>``; its jpage set-up names the proxy (``proxyUrl: '/module/web/jpage/
    dataproxy.jsp'`` or the ``<nextgroup>`` link), ``perPage``, ``groupSize`` and the
    column's parameters (``ajaxParam: {col: 1, appid: 1, webid: ..., columnid: ...}``). Each
    request asks for the next group: ``startrecord=R+1&endrecord=R+perpage×groupSize&perpage=..``.
    Nothing without a named proxy and a total; the proxy answers as a GET as well as a POST.
    """
    code = "\n".join(script.text or "" for script in root.iterfind(".//script"))
    if "<datastore" not in code.lower():
        return []
    shown = len(_RECORD_COUNT.findall(code))
    total = re.search(r"<totalrecord>\s*(\d+)|totalRecord\s*[:=]\s*['\"]?(\d+)", code, re.I)
    proxy = re.search(r"""['"]([^'"\s]*dataproxy\.jsp[^'"\s]*)['"]""", code)
    if total is None or proxy is None or not shown:
        return []
    count = int(total.group(1) or total.group(2))
    per_page = re.search(r"perpage\s*[:=]\s*['\"]?(\d+)", code, re.I)
    group = re.search(r"groupSize\s*[:=]\s*['\"]?(\d+)", code, re.I)
    size = int(per_page.group(1)) * int(group.group(1)) if per_page and group else shown
    params: dict[str, str] = {}
    setup = re.search(r"(?:ajaxParam|param)\s*[:=]\s*\{([^{}]*)\}", code)
    if setup is not None:
        for key, value in re.findall(r"""['"]?(\w+)['"]?\s*:\s*['"]?([^,'"}]*)['"]?""", setup.group(1)):
            params.setdefault(key, value.strip())
    for key, value in parse_qsl(urlsplit(proxy.group(1)).query, keep_blank_values=True):
        if key in _JPAGE_PARAMS:
            params.setdefault(key, value)
    # jpage's own order; the rest after it
    params = dict(sorted(params.items(), key=lambda kv: _JPAGE_PARAMS.index(kv[0]) if kv[0] in _JPAGE_PARAMS
                         else len(_JPAGE_PARAMS)))
    base = urljoin(page_url, proxy.group(1).split("?")[0])
    per = per_page.group(1) if per_page else str(size)
    out = []
    for start in range(shown + 1, count + 1, size):
        query_string = urlencode({"startrecord": start, "endrecord": start + size - 1, "perpage": per, **params})
        out.append(f"{base}?{query_string}")
    return out


def scripted_page_links(root: etree._Element, current: int) -> list[str]:
    """Page-number links past ``current`` that only javascript follows, with no pattern in the page."""
    out = []
    for element in root.iter("a", "span", "li"):
        text = _SPACE.sub("", node_text(element))
        script = _script_of(element)
        if text.isdigit() and int(text) > current and script:
            out.append(f"{text}: {script[:80]}")
    return out[:1]


def written_next(root: etree._Element, page_url: str) -> tuple[str, str] | None:
    """A pager the page's script writes itself: ``var currentPage = 1; ... "index_" + (currentPage + 1) + ".html"``.

    The variable's value is the script's own; no page past a stated page count
    (``countPage``) is built.
    """
    code = "\n".join(script.text or "" for script in root.iterfind(".//script"))
    total = _TOTAL_VAR.search(code)
    for name, value in re.findall(rf"\b({_IDENT})\s*=\s*['\"]?(\d+)['\"]?\s*[;,\n]", code):
        if not re.search(r"(?i)cur|page|now|index", name) or _TOTAL_VAR.match(f"{name}=1"):
            continue
        pattern = _pattern_in(code, re.escape(name), f"script variable {name}")
        if pattern is None or pattern.shift < 1:
            continue
        target = int(value) + pattern.shift
        counted = total.group(0).split("=")[0].split(":")[0].strip() if total is not None else ""
        from_zero = int(value) == 0 or bool(counted and re.search(rf"{name}\s*<\s*{counted}\s*-\s*1", code))
        if total is not None and target > int(total.group(1)) - (1 if from_zero else 0):
            return None
        return pattern.url(int(value), page_url), f"the page's script ({name} = {value})"
    return None


def jpage_left(root: etree._Element) -> str | None:
    """Why rows of a 大汉 JCMS column stay unread: more records than its ``<datastore>`` holds, no proxy request shown."""
    code = "\n".join(script.text or "" for script in root.iterfind(".//script"))
    if "<datastore" not in code.lower():
        return None
    shown = len(_RECORD_COUNT.findall(code))
    total = re.search(r"<totalrecord>\s*(\d+)|totalRecord\s*[:=]\s*['\"]?(\d+)", code, re.I)
    count = int(total.group(1) or total.group(2)) if total else None
    if count is not None and count > shown:
        return f"jpage: {shown} of {count} records in the <datastore>, no dataproxy.jsp request in the page"
    return None
