"""``tongxin crawl`` and ``tongxin profiles``."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from scrapers.profiles import list_profiles
from scrapers.run import CrawlJob, CrawlProgress, CrawlSummary
from scrapers.run import crawl as run_crawl


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
        f"  blocked: {_counts(summary.blocked)}",
        f"  restricted (login or permission needed): {_counts(summary.restricted)}",
        f"  retries: {summary.retries}",
        *([f"  incremental: {_counts(summary.incremental)}"] if summary.incremental else []),
        *([f"  decoding repaired: {_counts(summary.decoding)}"] if summary.decoding else []),
        *([f"  dates not read: {_counts(summary.dates)}"] if summary.dates else []),
        *([f"  official replies kept apart: {_counts(summary.official)}"] if summary.official else []),
    ])


def _show_progress(state: CrawlProgress) -> None:
    """One line on stderr per report, so stdout keeps only the summary."""
    if state.finished:
        return
    click.echo(f"{state.profile}: {state.pages} pages, {state.documents} documents read (new, changed or unchanged), "
               f"{state.dropped} dropped", err=True)


@click.command()
@click.argument("profile")
@click.argument("urls", nargs=-1, required=True, metavar="URL...")
@click.option("--db", type=click.Path(dir_okay=False), envvar="TONGXIN_DB",
              help="Store to write to (default $TONGXIN_DB or ./tongxin.db).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Request at most N pages (robots.txt not counted).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), callback=_since, default=None,
              help="Skip documents posted before this date (YYYY-MM-DD); documents whose date cannot "
                   "be read are skipped too, and counted.")
@click.option("--resume", is_flag=True,
              help="Continue this profile's interrupted crawl of the same URLs (state kept beside the store).")
@click.option("--contact", envvar="TONGXIN_CONTACT", default=None,
              help="E-mail or URL for the sites' operators, put in the User-Agent (default $TONGXIN_CONTACT).")
@click.option("--ignore-robots", is_flag=True,
              help="Do not obey robots.txt (recorded in the crawl run). Only with the site's permission.")
@click.option("--progress-every", type=click.IntRange(min=0), default=50, show_default=True,
              help="Print a progress line on stderr every N pages (0: none).")
@click.option("-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy setting, as `scrapy crawl -s` does (repeatable).")
@click.option("--redis", "redis_url", default=None, metavar="URL",
              help="Share this crawl with other crawler processes through Redis (redis://HOST:PORT/DB): one "
                   "queue, each page fetched once, each site's limits held for all of them together; give them one "
                   "PostgreSQL --db.")
@click.option("--status", is_flag=True,
              help="With --redis: print the shared crawl's queue, its crawlers and each site's pace shared by them "
                   "(delay, next free turn, connections taken), and exit.")
def crawl(profile: str, urls: tuple[str, ...], db: str | None, max_pages: int | None,
          since: date | None, resume: bool, contact: str | None, ignore_robots: bool,
          progress_every: int, settings: tuple[str, ...], redis_url: str | None = None, status: bool = False) -> None:
    """Crawl a site with PROFILE from its start URL(s) into the store.

    PROFILE is a built-in profile name (see `tongxin profiles`) or the path of a
    profile YAML file. Texts are stored masked and authors pseudonymised. Crawling is
    polite by default (robots.txt obeyed, 2 requests per site, delays); set
    TONGXIN_CONTACT so site operators can reach you.
    """
    overrides: dict[str, object] = dict(_settings(settings))
    if redis_url or status:  # a crawl shared through Redis: scrapers/distributed.py
        from scrapers.distributed import shared_crawl_status

        if status:
            click.echo(shared_crawl_status(redis_url, profile, urls))
            return
        overrides["TONGXIN_REDIS_URL"] = redis_url
    if contact:
        overrides["TONGXIN_CONTACT"] = contact
    if ignore_robots:
        overrides["ROBOTSTXT_OBEY"] = False
    elif str(overrides.get("ROBOTSTXT_OBEY", "")).lower() in ("0", "false", "no", "off"):
        raise click.UsageError("robots.txt is turned off with --ignore-robots, not -s ROBOTSTXT_OBEY")
    job = CrawlJob(profile, list(urls), since=since, max_pages=max_pages, resume=resume)
    summaries = run_crawl([job], db, overrides, progress=_show_progress if progress_every else None,
                          progress_every=progress_every or 1)
    for summary in summaries:
        click.echo(_describe(summary))
    if all(s.nothing_found for s in summaries):
        failed = summaries[0]
        cause = failed.why_nothing()
        if redis_url and failed.pages_fetched == 0 and not failed.errors and not failed.restricted:
            # In a shared crawl the other crawlers may have taken every page: nothing wrong.
            click.echo("this crawler fetched nothing: the shared crawl had no page left for it", err=True)
            return
        if failed.pages_fetched == 0 and not failed.restricted:
            raise click.ClickException(
                f"nothing could be fetched from {', '.join(urls)} (errors: {_counts(failed.errors)}); "
                "check the URL and that the site is reachable and allows crawling"
            )
        if cause is not None:
            raise click.ClickException(
                f"fetched {failed.pages_fetched} pages from {', '.join(urls)} but found no documents: {cause}"
            )
        raise click.ClickException(
            f"fetched {failed.pages_fetched} pages from {', '.join(urls)} but found no documents; "
            f"check that profile '{profile}' fits the site"
        )


@click.group(invoke_without_command=True)
@click.pass_context
def profiles(ctx: click.Context) -> None:
    """List the built-in site profiles and what kind of site each one reads."""
    if ctx.invoked_subcommand is None:
        for profile in list_profiles():
            click.echo(f"{profile.name}\t(spider {profile.spider})\t{profile.description}")


_RULE_FIELD = {"posted_at": "posted", "posted_raw": "posted", "replied_at": "replied", "location": "place"}


@profiles.command("suggest")
@click.argument("list_url", metavar="URL")
@click.argument("detail_url", metavar="[LETTER_URL]", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the profile (default: HOST.yaml in the current folder).")
@click.option("--name", default=None, help="The profile's name (default: the site's host name).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--timeout", type=click.FloatRange(min=1), default=20.0, show_default=True,
              help="Seconds to wait for each page.")
def suggest(list_url: str, detail_url: str | None, output: Path | None, name: str | None, force: bool,
            timeout: float) -> None:
    """Write a starting profile for the letter board whose list page is at URL.

    URL (or the path of a saved page) is read by the generic reader, then LETTER_URL
    or else the first letter it links to. The profile names the selectors and labels
    found; try it with `tongxin profiles check PROFILE URL`, then crawl with it.
    """
    from urllib.parse import urlsplit

    from scrapers.check import suggest_profile, write_suggestion

    target = output or Path(f"{urlsplit(list_url).hostname or Path(list_url).stem}.yaml")
    if target.exists() and not force:  # before any page is fetched
        raise click.ClickException(f"{target}: already exists; give another --output or --force to replace it")
    found = suggest_profile(list_url, detail_url, name=name, timeout=timeout)
    written = write_suggestion(found, target, force=True)
    click.echo(f"{found.list_url}: {found.letters_listed} letters listed")
    if found.detail_url:
        click.echo(f"{found.detail_url}: " + (", ".join(f"{k} by {v}" for k, v in found.fields.items()) or "no fields"))
    click.echo(f"wrote {written}")


@profiles.command("check")
@click.argument("profile")
@click.argument("url")
@click.option("--timeout", type=click.FloatRange(min=1), default=20.0, show_default=True,
              help="Seconds to wait for the page.")
def check(profile: str, url: str, timeout: float) -> None:
    """Fetch one page at URL and print what PROFILE extracts from it (nothing is stored).

    For writing or fixing a profile: shows each document's fields (text cleaned and
    masked as it would be stored) and the links a crawl would follow.
    """
    from scrapers.check import check_profile

    result = check_profile(profile, url, timeout)
    click.echo(f"{result.url}: HTTP {result.status}, decoded as {result.encoding}")
    click.echo(f"documents: {len(result.documents)}")
    for number, doc in enumerate(result.documents, 1):
        click.echo(f"[{number}]")
        rules = result.rules[number - 1] if number <= len(result.rules) else {}
        for name, value in doc.items():
            text = str(value).replace("\n", " / ")
            rule = rules.get(_RULE_FIELD.get(name, name))
            click.echo(f"  {name}: {text[:200]}{'…' if len(text) > 200 else ''}" + (f"  [{rule}]" if rule else ""))
    if result.list_rule:
        click.echo(f"letters found by: {result.list_rule}")
    if result.next_rule:
        click.echo(f"next page found by: {result.next_rule}")
    click.echo(f"links followed: {len(result.links)}")
    for link in result.links:
        click.echo(f"  {link}")
    if not result.documents and not result.links:
        raise click.ClickException(f"profile '{profile}' found no documents and no links on {url}; check its selectors")
