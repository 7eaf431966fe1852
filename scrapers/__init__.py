"""Crawling: Scrapy spiders driven by site profiles, pipelines that clean, mask and store.

``scrapy crawl`` works from the repository root (``scrapy.cfg`` points to
:mod:`scrapers.settings`); from Python, :func:`crawl` runs several jobs in one process.
Importing this package does not import Scrapy's engine; :func:`crawl` does, on use.
"""
from __future__ import annotations

from scrapers.dates import ParsedDate, parse_date
from scrapers.localsite import serve_directory
from scrapers.profiles import Profile, list_profiles, load_profile
from scrapers.run import CrawlJob, CrawlProgress, CrawlSummary, crawl

__all__ = [
    "CrawlJob",
    "CrawlProgress",
    "CrawlSummary",
    "ParsedDate",
    "Profile",
    "crawl",
    "list_profiles",
    "load_profile",
    "parse_date",
    "serve_directory",
]
