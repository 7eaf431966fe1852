"""The item a spider yields: one document (a letter with its reply, or one forum post).

Spiders fill in what the page shows, raw; the pipelines clean, derive the weighting
attributes, mask personal data and pseudonymise before anything reaches the store.
"""
from __future__ import annotations

import scrapy


class DocumentItem(scrapy.Item):
    """One crawled document, as the page showed it (before cleaning and masking)."""

    url = scrapy.Field()  # canonical: letter page URL, or thread URL without page + "#pid123"
    source = scrapy.Field()  # profile name
    kind = scrapy.Field()  # "letter" | "post"
    author = scrapy.Field()  # name as shown (pseudonymised by the pipelines)
    title = scrapy.Field()
    text = scrapy.Field()  # what the writer wrote
    reply_text = scrapy.Field()  # official reply to a letter: not the writer's voice
    reply_unit = scrapy.Field()
    posted_at = scrapy.Field()  # ISO 8601, site local time, or None
    posted_raw = scrapy.Field()  # the date string as printed
    replied_at = scrapy.Field()
    fetched_at = scrapy.Field()  # ISO 8601 with offset
    location = scrapy.Field()  # 所在地 as printed, e.g. "柳林乡 杨庄村"
    sex = scrapy.Field()  # as printed, e.g. "女"
    age = scrapy.Field()  # as printed, e.g. "34"
    category = scrapy.Field()  # letter type as printed (咨询/建议/投诉)
    source_id = scrapy.Field()  # the site's own id of the item (JSON boards: for the watermark); not stored
    attributes = scrapy.Field()  # {attr: {"value": v, "provenance": "site"}}, set by the pipelines
