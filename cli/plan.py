"""``tongxin plan``: where the next door-to-door interviews would help most."""
from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli._common import db_option, gazetteer_option, margins_option

if TYPE_CHECKING:
    from opinion.text.cues import Gazetteer


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@click.command()
@click.option("--budget", required=True, type=click.FloatRange(min=0),
              help="Interviews to plan, or money when --costs gives a cost per interview.")
@db_option
@margins_option
@click.option("--costs", "costs_path", type=click.Path(dir_okay=False),
              help="CSV with some of the --by columns and 'cost' (per interview); * matches any level, "
              "e.g. region,cost.")
@click.option("--half-width", "half_width", default=0.08, show_default=True,
              type=click.FloatRange(0, 0.5, min_open=True, max_open=True),
              help="Minimum precision every group must reach: 95% interval half-width for a 50% share.")
@click.option("--by", "by", default=None,
              help="Variables whose combinations are the cells to visit (default: region,age_group,urban, "
              "those the margins have).")
@click.option("--groups", help="Groups that must each reach the precision, e.g. region,age_group*urban "
              "(default: each --by variable and age_group*urban).")
@gazetteer_option
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Also write every cell (before/after) to this CSV.")
@click.option("--min-cell", "min_cell", default=5, show_default=True, type=click.IntRange(0, None),
              help="Cells and groups with fewer effective voices now show no sizes or half-widths, on screen and "
              "in --out (0: show all).")
def plan(budget: float, db: str, margins_path: str, costs_path: str | None, half_width: float, by: str,
         groups: str | None, gazetteer: Gazetteer | None, out_path: str | None, min_cell: int) -> None:
    """Recommend how many interviews to do in which cells, and the precision they buy.

    Uses the effective sample sizes the blend uses (online voices and survey respondents
    per cell) and the population shares: first every group is brought to the minimum
    precision, widest interval first; the rest of the budget goes where the overall
    variance drops most per unit of cost.
    """
    from opinion.estimates.plan import DEFAULT_BY, format_plan, plan_visits, suppress_small
    from opinion.estimates.voices import all_voices
    from opinion.store.db import open_store
    from weighting.targets import load_margins

    margins = load_margins(margins_path)
    with open_store(db) as store:
        voices = all_voices(store, gazetteer, margins=margins)
    if voices.empty:
        raise click.ClickException(f"{db}: the store holds no documents and no survey respondents; crawl or import first")
    cells = _split(by) if by else [v for v in DEFAULT_BY if any(v in t.split("*") for t in margins.variables)]
    if not cells:
        raise click.ClickException(f"{margins_path}: the margins have none of {', '.join(DEFAULT_BY)}; "
                                   "name the variables to plan by with --by")
    result = plan_visits(voices, margins, budget, by=cells, half_width_target=half_width, costs_path=costs_path,
                         groups=_split(groups) if groups else None)
    click.echo(format_plan(result, min_cell))
    if out_path:
        suppress_small(result.cells, min_cell).to_csv(out_path, index=False, encoding="utf-8")
        click.echo(f"written: {out_path}", err=True)
