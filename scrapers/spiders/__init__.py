"""The spiders, one per kind of site, each driven by a site profile (``data/profiles/``)."""
from __future__ import annotations

from scrapers.spiders._base import ProfileSpider
from scrapers.spiders.discuz import DiscuzSpider
from scrapers.spiders.gov_letters import GovLettersSpider
from scrapers.spiders.hanweb import HanwebSpider
from scrapers.spiders.json_api import JsonApiSpider

# profile "spider:" value -> spider class
SPIDERS: dict[str, type[ProfileSpider]] = {
    GovLettersSpider.name: GovLettersSpider,
    DiscuzSpider.name: DiscuzSpider,
    HanwebSpider.name: HanwebSpider,
    JsonApiSpider.name: JsonApiSpider,
}

__all__ = ["SPIDERS", "DiscuzSpider", "GovLettersSpider", "HanwebSpider", "JsonApiSpider", "ProfileSpider"]
