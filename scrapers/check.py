"""``tongxin profiles check`` and ``profiles suggest``: for people writing a profile.

``check``: the page is fetched once (plain HTTP, the crawler's User-Agent, no robots.txt
round trip: one request by a person at a keyboard) and handed to the profile's spider as
a crawl would, without starting Scrapy's engine. Text fields are shown cleaned and
masked as they would be stored, each with the rule that found it (a profile selector,
a label such as 来信人, the page heading ...); the links are the pages a crawl would follow.

``suggest``: a list page (and a letter page, or the first letter it links to) is read
by the generic reader (:mod:`scrapers.generic`) and what it found is written as a
starting ``gov_letters`` profile. The pages are fetched as a crawl would (robots.txt
asked first, the crawl's delay between requests); a local file is read as it is.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from opinion.errors import InputError
from opinion.text.masking import mask_pii
from scrapers.profiles import Profile, load_profile
from scrapers.spiders._base import check_url

SHOWN_FIELDS = ("url", "kind", "author", "title", "text", "reply_unit", "reply_text", "posted_at", "posted_raw",
                "replied_at", "location", "sex", "age", "category")


@dataclass
class ProfileCheck:
    """What one page gave: documents (as dicts of shown fields) and the links followed."""

    url: str
    status: int
    encoding: str
    documents: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    rules: list[dict[str, str]] = field(default_factory=list)  # per document: field -> the rule that found it
    list_rule: str = ""  # how the letter links were found (gov_letters list pages)
    next_rule: str = ""  # how the next page was found, or why there is none


def fetch_page(url: str, user_agent: str, timeout: float = 20.0) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept-Language": "zh-CN,zh;q=0.9"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 (http(s) checked)
            return reply.status, dict(reply.headers.items()), reply.read(10 * 1024 * 1024 + 1)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{url}: the site answered HTTP {exc.code} ({exc.reason})") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: cannot fetch the page ({reason})") from exc


def check_profile(profile: Profile | str, url: str, timeout: float = 20.0) -> ProfileCheck:
    """Fetch ``url`` and run ``profile``'s spider on it; nothing is stored."""
    from scrapy.http import HtmlResponse, Request, TextResponse
    from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

    from scrapers.middlewares import choose_encoding, looks_blocked
    from scrapers.pipelines import CleanTextPipeline
    from scrapers.settings import USER_AGENT
    from scrapers.spiders import SPIDERS

    check_url(url)
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    status, headers, body = fetch_page(url, USER_AGENT, timeout)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    header_enc = http_content_type_encoding(content_type)
    if "json" in content_type or "xml" in content_type:
        encoding = header_enc or "utf-8"
        response: Any = TextResponse(url, status=status, body=body, encoding=encoding,
                                     headers={"Content-Type": content_type})
    else:
        encoding = choose_encoding(body, header_enc, html_body_declared_encoding(body))[0] or "utf-8"
        response = HtmlResponse(url, status=status, body=body, encoding=encoding,
                                headers={"Content-Type": content_type})
    why = looks_blocked(status, response.text)
    if why is not None:
        raise InputError(f"{url}: the site blocked the request ({why}); the page cannot be checked")
    spider = SPIDERS[profile.spider](profile=profile, urls=[url])
    response.request = Request(url, meta={"depth": 0})
    result = ProfileCheck(url=url, status=status, encoding=encoding)
    cleaner = CleanTextPipeline()
    for out in spider.parse(response) or ():
        if isinstance(out, Request):
            result.links.append(out.url)
            continue
        item = cleaner.process_item(out)
        shown = {name: item.get(name) for name in SHOWN_FIELDS if item.get(name) not in (None, "")}
        for name in ("title", "text", "reply_text"):
            if name in shown:
                shown[name] = mask_pii(shown[name])
        result.documents.append(shown)
    explain = getattr(spider, "explain", None)
    if explain is not None:
        rules, result.list_rule, result.next_rule = explain(response)
        result.rules = [rules for _ in result.documents]
    return result


# --- suggest ---------------------------------------------------------------------------------

_ITEM_FIELD = {"posted": "posted_at", "replied": "replied_at", "place": "location"}


@dataclass
class Suggestion:
    """A starting profile (``text``, YAML) and what the generic reader found to write it."""

    text: str
    list_url: str
    detail_url: str | None
    letters_listed: int
    fields: dict[str, str]  # field -> rule


def _read_source(source: str, timeout: float) -> tuple[str, Any]:
    """(URL, HtmlResponse) of a URL fetched politely or of a local HTML file."""
    from scrapy.http import HtmlResponse
    from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

    from scrapers.middlewares import choose_encoding
    from scrapers.settings import USER_AGENT

    if source.startswith("file://"):
        source = urllib.request.url2pathname(urlsplit(source).path)
    path = Path(source)
    if "://" not in source:
        if not path.is_file():
            raise InputError(f"{source}: no such file, and not an http(s) URL")
        url = path.resolve().as_uri()
        body = path.read_bytes()
        content_type = ""
    else:
        url = check_url(source)
        robots = urllib.robotparser.RobotFileParser(f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/robots.txt")
        try:
            robots.read()
        except OSError:
            pass  # no robots.txt to be had: as a crawl, go on
        if not robots.can_fetch(USER_AGENT, url):
            raise InputError(f"{url}: the site's robots.txt does not allow fetching this page")
        _, headers, body = fetch_page(url, USER_AGENT, timeout)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    encoding = choose_encoding(body, http_content_type_encoding(content_type),
                               html_body_declared_encoding(body))[0] or "utf-8"
    return url, HtmlResponse(url, body=body, encoding=encoding)


def _saved_page(url: str, list_file: Path) -> str:
    """A letter a saved list page links to from the site's root (``/szxx/1.html``), looked for beside it."""
    wanted = Path(urllib.request.url2pathname(urlsplit(url).path))
    if wanted.is_file():
        return str(wanted)
    for folder in list_file.parents:
        candidate = folder / wanted.relative_to(wanted.anchor)
        if candidate.is_file():
            return str(candidate)
    return str(wanted)


def suggest_profile(list_source: str, detail_source: str | None = None, name: str | None = None,
                    timeout: float = 20.0, delay: float | None = None) -> Suggestion:
    """Read a list page (URL or file) and a letter page with the generic reader; write a profile for them.

    Without ``detail_source`` the first letter the list links to is read. The profile
    gives ``list_item`` and ``next_page`` selectors when the reader found them, a
    selector for each field whose element has an id or class of its own, and under
    ``labels`` the label each field was found by. Raises :class:`InputError` when the
    list page links to no letters.
    """
    from scrapers import generic
    from scrapers.settings import DOWNLOAD_DELAY

    list_url, response = _read_source(list_source, timeout)
    root = response.selector.root
    listing = generic.read_list(root, list_url)
    reading = generic.read_letter(root)
    if not listing.entries and "text" not in reading.fields:
        raise InputError(f"{list_url}: found no list of letters and no letter on the page; "
                         "give the URL of a list page of the board")
    detail_url, detail_root = list_url, root
    if listing.entries or detail_source:
        target = detail_source or listing.entries[0].url
        if target.startswith("file://") and list_url.startswith("file://"):
            target = _saved_page(target, Path(urllib.request.url2pathname(urlsplit(list_url).path)))
        if target.startswith(("http://", "https://")):
            time.sleep(DOWNLOAD_DELAY if delay is None else delay)
        detail_url, detail = _read_source(target, timeout)
        detail_root = detail.selector.root
        reading = generic.read_letter(detail_root)
    if "text" not in reading.fields:
        block = generic.body_block(detail_root, [f.value for f in reading.fields.values()])
        if block is not None:
            reading.fields["text"] = block
    host = urlsplit(list_url).hostname or Path(list_source).stem
    text = _profile_yaml(name or host.replace(".", "-"), list_url, detail_url, listing, reading)
    return Suggestion(text, list_url, detail_url, len(listing.entries),
                      {n: f.rule for n, f in reading.fields.items()})


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _profile_yaml(name: str, list_url: str, detail_url: str | None, listing: Any, reading: Any) -> str:
    from scrapers.generic import label_key

    lines = [
        f"# Written by `tongxin profiles suggest` on {date.today().isoformat()} from",
        f"#   {list_url}",
        *([f"#   {detail_url}"] if detail_url and detail_url != list_url else []),
        "# A starting point: check it on a few pages with `tongxin profiles check PROFILE URL`.",
        "# What it leaves out, the generic reader finds (see scrapers/generic/).",
        f"name: {_q(name)}",
        "spider: gov_letters",
        f"description: {_q(f'letter board at {list_url}')}",
    ]
    selectors: list[str] = []
    if listing.item_css:
        selectors.append(f"  list_item: {_q(listing.item_css)}  # {listing.rule}")
    if listing.next_css:
        selectors.append(f"  next_page: {_q(listing.next_css)}  # {listing.next_rule}")
    elif listing.next_url:
        selectors.append(f"  # next_page: found by the reader ({listing.next_rule})")
    for field_name, found in reading.fields.items():
        if found.css:
            selectors.append(f"  {field_name}: {_q(found.css)}  # {found.rule}")
    if selectors:
        lines += ["selectors:", *selectors]
    labels = [(n, f) for n, f in reading.fields.items() if f.label]
    if labels:
        lines.append("labels:  # the labels this board prints, tried before the reader's own")
        lines += [f"  {n}: [{_q(label_key(f.label))}]  # {f.rule}" for n, f in labels]
    lines.append('drop_params: ["utm_*", "spm", "from", "sid", "sessionid", "jsessionid", "PHPSESSID", "_t", '
                 '"timestamp"]')
    return "\n".join(lines) + "\n"


def write_suggestion(suggestion: Suggestion, output: Path, force: bool = False) -> Path:
    """Write the profile to ``output``; an existing file is kept unless ``force``. Checks that it loads."""
    if output.exists() and not force:
        raise InputError(f"{output}: already exists; give another --output or --force to replace it")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(suggestion.text, encoding="utf-8")
    load_profile(output)  # what was written must load; an error here names the line
    return output
