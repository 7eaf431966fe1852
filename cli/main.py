"""``tongxin``: the console script."""
from __future__ import annotations

import os

import click

from cli._app import TongxinGroup, configure_logging

# name -> "module:attribute"; each module holds the command and nothing heavier than it needs.
COMMANDS = {
    "demo": "cli.demo:demo",
    "crawl": "cli.crawl:crawl",
    "profiles": "cli.crawl:profiles",
    "survey": "cli.survey:survey",
    "weight": "cli.weighting:weight",
    "estimate": "cli.weighting:estimate",
    "export": "cli.export:export",
    "words": "cli.words:words",
    "topics": "cli.topics:topics",
    "report": "cli.report:report",
    "plan": "cli.plan:plan",
    "code": "cli.code:code",
    "store": "cli.store:store",
}


@click.group(cls=TongxinGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tongxin")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("--engine", type=click.Choice(["jieba", "rjieba"]), default=None,
              help="Segmentation engine of every command: jieba (the default, the reference) or rjieba "
              "(jieba-rs, faster; same as TONGXIN_SEGMENTER=rjieba).")
def main(verbose: int, engine: str | None = None) -> None:
    """tongxin (同心): public-opinion sampling that corrects for representation gaps.

    Crawl government message boards and forums, measure what people wrote with
    jieba, reweight online voices to the population, merge door-to-door surveys,
    and report corrected estimates with honest uncertainty.
    """
    configure_logging(verbose)
    if engine:  # read by Segmenter.default() wherever a command segments, worker processes included
        os.environ["TONGXIN_SEGMENTER"] = engine


if __name__ == "__main__":
    main()
