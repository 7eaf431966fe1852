"""``tongxin crawl`` and ``tongxin profiles``."""
from __future__ import annotations

from datetime import date, datetime

import click

from scrapers.profiles import list_profiles
from scrapers.run import CrawlJob, CrawlSummary, crawl as run_crawl


def _settings(values: tuple[str, ...]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{value}' is not NAME=VALUE (e.g. -s DOWNLOAD_DELAY=2)", param_hint="'-s'")
        settings[name.strip()] = setting
    return settings


def _since(_ctx: click.Context, _param: click.Parameter, value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"


def _describe(summary: CrawlSummary) -> str:
    return "\n".join([
        f"{summary.profile} (run {summary.run_id}): {summary.pages_fetched} pages fetched",
        f"  documents: {summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged",
        f"  dropped: {_counts(summary.dropped)}",
        f"  errors: {_counts(summary.errors)}",
    ])


@click.command()
@click.argument("profile")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--db", type=click.Path(dir_okay=False), envvar="TONGXIN_DB",
              help="Store to write to (default $TONGXIN_DB or ./tongxin.db).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Request at most N pages (robots.txt not counted).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), callback=_since, default=None,
              help="Skip documents posted before this date (YYYY-MM-DD).")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy setting, as `scrapy crawl -s` does (repeatable).")
def crawl(profile: str, urls: tuple[str, ...], db: str | None, max_pages: int | None,
          since: date | None, settings: tuple[str, ...]) -> None:
    """Crawl a site with PROFILE from its start URL(s) into the store.

    PROFILE is a built-in profile name (see `tongxin profiles`) or the path of a
    profile YAML file. Texts are stored masked and authors pseudonymised. Crawling is
    polite by default (robots.txt obeyed, 2 requests per site, delays); set
    TONGXIN_CONTACT so site operators can reach you.
    """
    overrides = _settings(settings)
    summaries = run_crawl([CrawlJob(profile, list(urls), since=since, max_pages=max_pages)], db, overrides)
    for summary in summaries:
        click.echo(_describe(summary))
    if all(s.nothing_found for s in summaries):
        failed = summaries[0]
        if failed.pages_fetched == 0:
            raise click.ClickException(
                f"nothing could be fetched from {', '.join(urls)} (errors: {_counts(failed.errors)}); "
                "check the URL and that the site is reachable and allows crawling"
            )
        raise click.ClickException(
            f"fetched {failed.pages_fetched} pages from {', '.join(urls)} but found no documents; "
            f"check that profile '{profile}' fits the site"
        )


@click.command()
def profiles() -> None:
    """List the built-in site profiles and what kind of site each one reads."""
    for profile in list_profiles():
        click.echo(f"{profile.name}\t(spider {profile.spider})\t{profile.description}")
