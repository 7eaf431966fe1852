"""Shipped population targets: the 2020 census, adults by age group x sex, per area.

The table ``data/targets/census2020.csv`` is built by ``data/targets/build_census2020.py``
from the census yearbook (see the README there for the source and for how ages 18-19
are split from the 15-19 band). Users with a county or city table pass their own
margins CSV instead; this module only serves the shipped one.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pandas as pd

from opinion.attributes import normalise_level
from opinion.files.resources import data_file
from weighting.errors import WeightingError
from weighting.margins import Margins, Normaliser

CENSUS2020 = data_file("targets", "census2020.csv")
NATIONAL = "全国"
_ALIASES = {"national": NATIONAL, "china": NATIONAL, "all": NATIONAL}


@lru_cache(maxsize=4)
def _table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise WeightingError(
            f"{path}: the shipped census targets are missing; rebuild them with "
            "python data/targets/build_census2020.py"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        return pd.DataFrame(list(csv.DictReader(handle)))


def census_areas(path: Path = CENSUS2020) -> list[str]:
    """Areas with targets: 全国 and the 31 provinces, in the table's order."""
    return list(dict.fromkeys(_table(path)["area"]))


def census_margins(area: str = NATIONAL, *, path: Path = CENSUS2020) -> Margins:
    """Margins for one area: ``age_group*sex`` counts of adults (18+), and for 全国 also
    the ``urban`` shares of the census bulletin.

    ``area`` is a name as the census writes it (``广东``, ``全国``; ``national`` works too).
    """
    name = _ALIASES.get(area.strip().lower(), area.strip())
    table = _table(path)
    rows = table.loc[table["area"] == name, ["variable", "level", "target"]]
    if rows.empty:
        raise WeightingError(
            f"census2020: no targets for area {area!r}; known areas are: "
            f"{', '.join(census_areas(path))}"
        )
    return Margins.from_frame(rows.reset_index(drop=True), source=f"census2020:{name}")


SHIPPED_PREFIX = "census2020:"


def is_shipped(spec: str | Path) -> bool:
    """Whether ``spec`` names a shipped table (``census2020:全国``) rather than a file."""
    return str(spec).startswith(SHIPPED_PREFIX) and not Path(spec).is_file()


def load_margins(spec: str | Path, normalise: Normaliser | None = normalise_level) -> Margins:
    """Margins from a table file, or a shipped table by name (``census2020:全国``,
    ``census2020:广东``): what every command's ``--margins`` takes.

    ``normalise`` maps level labels to codes; by default the Chinese labels 男/女 and
    城镇/乡村 are accepted beside male/female and urban/rural.

    Raises:
        WeightingError: an unknown shipped area, or invalid margins.
        InputError: the file cannot be read (naming it).
    """
    text = str(spec)
    if is_shipped(text):
        return census_margins(text[len(SHIPPED_PREFIX):])
    if not Path(text).is_file():
        raise WeightingError(f"{text}: no such file (margins are a CSV or .xlsx file, or a shipped "
                             f"table such as {SHIPPED_PREFIX}全国)")
    return Margins.from_csv(text, normalise=normalise)
