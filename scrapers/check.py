"""``tongxin profiles check``: what a profile extracts from one page, for people writing one.

The page is fetched once (plain HTTP, the crawler's User-Agent, no robots.txt round
trip: one request by a person at a keyboard) and handed to the profile's spider as a
crawl would, without starting Scrapy's engine. Text fields are shown cleaned and
masked as they would be stored; the links are the pages a crawl would follow.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

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
    return result
