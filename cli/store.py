"""``tongxin store``: the workspace store itself (moving a corpus between SQLite and PostgreSQL,
segmenting its texts and coding its voices ahead of reports)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli._common import (
    _bar_on_first_use,
    coder_option,
    db_option,
    gazetteer_option,
    missing_store,
    replicate_progress,
)

if TYPE_CHECKING:
    from opinion.text.coder import TopicCoder
    from opinion.text.cues import Gazetteer


@click.group()
def store() -> None:
    """Manage workspace stores: copy a corpus between a SQLite file and a PostgreSQL database, and
    segment texts and code voices ahead of reports."""


@store.command("copy")
@click.argument("source")
@click.argument("destination")
@click.option("--append", is_flag=True,
              help="Add to a destination that already holds data, skipping rows it has (no duplicates).")
@click.option("--batch-size", default=5000, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows per transaction.")
def copy(source: str, destination: str, append: bool, batch_size: int) -> None:
    """Copy every table of the store SOURCE into DESTINATION (SQLite file paths or postgresql:// URLs).

    The destination is created if needed and must be empty unless --append. A server
    store's pseudonym key is $TONGXIN_KEY; a new SQLite destination gets the source's key
    beside it. Example: tongxin store copy tongxin.db postgresql://me:pw@127.0.0.1/opinion
    """
    from opinion.store.copy import copy_store
    from opinion.store.db import open_store

    if "://" not in source and not Path(source).is_file():  # opening it would create an empty store
        raise click.ClickException(f"{source}: no such store file; give the path of a tongxin store "
                                   "or a postgresql:// URL")
    with open_store(source) as src, open_store(destination) as dst:
        summary = copy_store(src, dst, append=append, batch_size=batch_size)
    for table in summary.tables:
        if table.read:
            extra = f" ({table.already_there} already there)" if table.already_there else ""
            click.echo(f"{table.table}: {table.read} rows read, {table.added} added{extra}")
    click.echo(f"copied {summary.rows_added} of {summary.rows_read} rows from {summary.source} "
               f"to {summary.destination}")
    if "voice_codes" in summary.left_out:
        click.echo("voice_codes: not appended (they describe the source's documents); run `tongxin store code "
                   f"--db {summary.destination}` to code again the voices the append brought")
    click.echo(f"note: {summary.key_note}")


def _shard(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int]:
    from opinion.errors import InputError
    from opinion.text.prepare import parse_shard

    if value is None:
        return 0, 1
    try:
        return parse_shard(value)
    except InputError as exc:
        raise click.BadParameter(str(exc)) from exc


@store.command("segment")
@db_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes that segment, each with its own connection to the store.")
@click.option("--shard", callback=_shard, metavar="I/K",
              help="Only the texts in shard I of K (0-based), so K runs, on K machines over one PostgreSQL "
              "store, share the work without overlap.")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Texts read, segmented and cached together; an interrupted run loses at most the batches "
              "under way.")
@click.option("--userdict", "userdicts", multiple=True, type=click.Path(dir_okay=False),
              help="jieba user dictionary loaded after the shipped one, as given to `tongxin words`; repeatable.")
def segment(db: str, workers: int, shard: tuple[int, int], batch: int, userdicts: tuple[str, ...]) -> None:
    """Segment the stored texts that reports read and cache their tokens, so reports only aggregate.

    Reads every document (not articles) and survey answer in batches, skips those already
    cached for the current segmenter (the global --engine, the shipped dictionary and any
    --userdict), segments the rest over --workers processes and writes each batch to the
    cache as it is done; a rerun continues where an interrupted one stopped. Examples: one
    machine, then two machines sharing a server store:

    \b
    tongxin store segment --db tongxin.db --workers 4
    tongxin --engine rjieba store segment --db postgresql://me:pw@10.0.0.5/opinion --shard 0/2
    tongxin --engine rjieba store segment --db postgresql://me:pw@10.0.0.5/opinion --shard 1/2
    """
    from opinion.store.db import open_store, shown_url
    from opinion.text.prepare import count_voice_texts, segment_store
    from opinion.text.segment import Segmenter

    if (message := missing_store(db)) is not None:  # opening it would create an empty store
        raise click.ClickException(message)
    segmenter = Segmenter.default(extra_userdicts=userdicts)
    with open_store(db) as opened:
        with replicate_progress(count_voice_texts(opened), "segmenting") as bar:
            summary = segment_store(opened, segmenter, workers=workers, shard=shard, batch=batch,
                                    on_batch=lambda read, _segmented: bar.update(read - bar.pos))
    part = f"shard {shard[0]}/{shard[1]}: " if shard[1] > 1 else ""
    left = f" ({summary.other_shards} left to other shards)" if shard[1] > 1 else ""
    click.echo(f"{part}{summary.texts} texts{left}: {summary.cached} already cached, {summary.segmented} "
               f"segmented in {summary.seconds:.1f} s ({summary.workers} process{'es' if workers > 1 else ''}, "
               f"{segmenter.engine}) "
               f"in {shown_url(db)}")


@store.command("code")
@db_option
@gazetteer_option
@coder_option
@click.option("--userdict", "userdicts", multiple=True, type=click.Path(dir_okay=False),
              help="jieba user dictionary loaded after the shipped one, as given to `tongxin words`; repeatable.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes that code batches of authors, each with its own connection to the store.")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Authors per batch: their documents are read, their voices coded and written in one "
              "transaction; memory holds one batch per process.")
@click.option("--full", is_flag=True,
              help="Code every voice again, not only those with documents stored or changed since the last run "
              "under the same configuration.")
def code(db: str, gazetteer: Gazetteer | None, coder: TopicCoder | None, userdicts: tuple[str, ...], workers: int,
         batch: int, full: bool) -> None:
    """Code every online voice ahead of reports and keep its attributes and topics in the store.

    Builds the online voices as a report does (who-is-writing cues with --gazetteer,
    texts segmented with the global --engine, the shipped dictionary and any --userdict,
    topics coded by --coder or the shipped lexicon) and stores one row per voice under
    that configuration; a report at scale then counts voices in the database instead of
    building them. Works --batch authors at a time over --workers processes; a killed run
    leaves no current codes, run it again. Documents stored or changed later make the
    codes out of date: run it again, and it codes again only the voices of the authors of
    those documents (all of them when documents were removed, or with --full). Example:

    \b
    tongxin store code --db tongxin.db --gazetteer gazetteer.csv --workers 2
    """
    from datetime import date

    import sqlalchemy as sa

    from opinion.estimates.coded import code_voices
    from opinion.store.db import documents, open_store, shown_url
    from opinion.text.segment import Segmenter

    if (message := missing_store(db)) is not None:  # opening it would create an empty store
        raise click.ClickException(message)
    segmenter = Segmenter.default(extra_userdicts=userdicts)
    with open_store(db) as opened:
        with opened.engine.connect() as conn:  # one row tells: a count would read every document
            stored = conn.execute(sa.select(documents.c.id).limit(1)).first() is not None
        if not stored:
            raise click.ClickException(f"{shown_url(db)}: holds no documents, so there are no voices to code; crawl "
                                       "into this store first (tongxin crawl ... --db), or give the store that has them")
        with _bar_on_first_use("coding voices") as bar:
            summary = code_voices(opened, coder, segmenter, gazetteer, today=date.today(), workers=workers,
                                  progress=lambda done, total: bar(total).update(done - bar(total).pos), batch=batch,
                                  full=full)
    since = (summary.since or "")[:16].replace("T", " ")
    if summary.since is not None and not summary.voices:
        done = (f"codes current: no document stored or changed since the last run ({since} UTC); {summary.total} "
                "voices coded in all")
    elif summary.since is not None:
        done = (f"{summary.voices} voices with documents stored or changed since the last run ({since} UTC) coded "
                f"again from {summary.documents} documents; {summary.total} voices coded in all")
    else:
        again = f" (all again: {summary.full_reason})" if summary.full_reason else ""
        done = f"{summary.voices} voices coded{again} from {summary.documents} documents"
    click.echo(f"{done} in {summary.seconds:.1f} s (configuration {summary.config[:12]}, {segmenter.engine}) "
               f"in {shown_url(db)}")
