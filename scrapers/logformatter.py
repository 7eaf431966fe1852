"""Log lines that name a document by URL and never print its fields.

Scrapy's default log prints whole items on drop and on pipeline errors, and a dropped
item has not been masked or pseudonymised yet: the log would carry nicknames and
phone numbers in clear. Here items are named by their canonical URL only; drops are
routine (empty posts, old posts) and logged at INFO, and counted per reason in the
crawl run's statistics.
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from scrapy.spiders import Spider
from twisted.python.failure import Failure


def _url(item: Any) -> str:
    try:
        return str(item.get("url") or "?")
    except AttributeError:
        return "?"


class PrivateLogFormatter(LogFormatter):
    """Scrapy's log formatter without item contents."""

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "Stored %(url)s", "args": {"url": _url(item)}}

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return {"level": logging.INFO, "msg": "Dropped (%(reason)s): %(url)s",
                "args": {"reason": exception, "url": _url(item)}}

    def item_error(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return {"level": logging.ERROR, "msg": "Error processing %(url)s", "args": {"url": _url(item)}}
