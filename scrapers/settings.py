"""Scrapy settings for tongxin: polite by default.

Government sites are public services run on modest servers; a crawl for opinion
research should be invisible to their other users. Hence robots.txt obeyed, two
requests at a time per site, a delay that AutoThrottle stretches when the site slows
down, and a User-Agent that says who is crawling (set ``TONGXIN_CONTACT`` to an
e-mail or URL where the site's operators can reach you).

Override any of these per run with ``tongxin crawl ... -s NAME=VALUE`` (as with
``scrapy crawl -s``). ``TONGXIN_DB`` is the store the crawl writes to.
"""
from __future__ import annotations

import os

BOT_NAME = "tongxin"

SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

ADDONS: dict[str, int] = {}



def user_agent(contact: str | None) -> str:
    """The User-Agent naming the tool and whom the site's operators can contact."""
    contact = (contact or "").strip()
    return f"tongxin/0.1 (+contact: {contact})" if contact else "tongxin/0.1 (+contact: set TONGXIN_CONTACT)"


# An e-mail or URL for the sites' operators (also `tongxin crawl --contact`).
TONGXIN_CONTACT = os.environ.get("TONGXIN_CONTACT", "").strip() or None
USER_AGENT = user_agent(TONGXIN_CONTACT)

# Politeness
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items are processed this many at a time per response. Scrapy's default (100) starts 100
# asyncio tasks for every page once a middleware is asynchronous, which costs more than
# the items themselves: a page here yields one document or a list of links.
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# A crawl shared through Redis (--redis) keeps these per-site limits for all its crawlers
# together (scrapers/sharedpace.py); False keeps them per crawler.
TONGXIN_SHARED_POLITENESS = True
DOWNLOAD_TIMEOUT = 30
COOKIES_ENABLED = False

# Limits: a page larger than 10 MB is not a message board page; link loops end at DEPTH_LIMIT
# (list and thread pagination each add one level, so keep it well above the page counts).
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DEPTH_LIMIT = 200

# Transient failures: server errors and "too many requests" are retried, a few times.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Backoff between retries: 1 s, 2 s, 4 s ... at most 30 s; Retry-After obeyed up to 120 s.
TONGXIN_RETRY_BACKOFF = 1.0
TONGXIN_RETRY_BACKOFF_MAX = 30.0
TONGXIN_RETRY_AFTER_MAX = 120.0
# After this many anti-bot answers (403/412/521, captcha pages) a domain is left alone.
TONGXIN_BLOCKED_LIMIT = 3

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}

# The response path runs from high to low numbers: a gzip label on a plain body is dropped
# (595) before Scrapy's HttpCompressionMiddleware (590) decompresses; gzip bytes sent
# without a label are decompressed after it (585); then decode (580), recognise login and
# permission walls (575) and anti-bot pages (570), then retry with backoff (560, in place
# of Scrapy's RetryMiddleware at 550).
DOWNLOADER_MIDDLEWARES = {
    "scrapers.middlewares.MislabelledGzipMiddleware": 595,
    "scrapers.middlewares.UnlabelledGzipMiddleware": 585,
    "scrapers.middlewares.CharsetMiddleware": 580,
    "scrapers.middlewares.RestrictedMiddleware": 575,
    "scrapers.middlewares.BlockedMiddleware": 570,
    "scrapers.middlewares.BackoffRetryMiddleware": 560,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
}

# The crawl ledger (resume after a kill); scrapers.run sets TONGXIN_STATE per job.
SPIDER_MIDDLEWARES = {
    "scrapers.ledger.LedgerMiddleware": 850,  # engine side of DepthMiddleware: records what it lets through
}
TONGXIN_STATE = None
TONGXIN_RESUME = False
# The ledger writes settled pages in batches: at most this many pages, or this many seconds
# after the last write (a kill loses only that batch, whose pages are fetched again).
TONGXIN_LEDGER_FLUSH_PAGES = 50
TONGXIN_LEDGER_FLUSH_SECONDS = 0.25

ITEM_PIPELINES = {
    "scrapers.pipelines.CleanTextPipeline": 100,
    "scrapers.pipelines.SincePipeline": 150,
    "scrapers.pipelines.DropEmptyPipeline": 200,
    "scrapers.pipelines.AttributesPipeline": 300,
    "scrapers.pipelines.MaskPipeline": 400,
    "scrapers.pipelines.PseudonymPipeline": 500,
    "scrapers.pipelines.StorePipeline": 900,
}

# The workspace store (path or database URL); None means $TONGXIN_DB or ./tongxin.db.
TONGXIN_DB = None
# Documents that queue while the store commits go together in the next transaction, at most this many.
TONGXIN_STORE_BATCH = 64
# Pin the clock relative dates ("3 天前") are read against, as ISO 8601; None = real time.
TONGXIN_NOW = None

# Logs name documents by URL and never print their fields (nicknames, phone numbers).
LOG_FORMATTER = "scrapers.logformatter.PrivateLogFormatter"

# No control surfaces listening on ports during a crawl.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
