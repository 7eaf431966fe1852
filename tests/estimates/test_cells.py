"""Cell-level raw and rake estimates reproduce ``point_estimates`` on voice-level data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from opinion.attributes import UNKNOWN
from opinion.estimates.cells import cell_intervals, cell_stats, cell_stats_sql, rake_cells, raw_cells, replicate_cells
from opinion.estimates.methods import bootstrap_multipliers, point_estimates
from tests.estimates.simulation import simulate
from weighting.errors import WeightingError

VARIABLES = ["age_group", "sex", "urban"]


@pytest.fixture(scope="module")
def simulated() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, object]:
    voices, y, has_any, margins, _ = simulate()
    rng = np.random.default_rng(3)
    online = (voices["source"] == "online").to_numpy()
    voices = voices.copy()
    for variable, p in (("age_group", 0.5), ("sex", 0.6), ("urban", 0.3)):  # most online voices say little
        hide = online & (rng.random(len(voices)) < p)
        voices.loc[hide, variable] = UNKNOWN
    return voices, y.astype(float), has_any.astype(float), margins


@pytest.mark.parametrize("unknown", ["fractional", "exclude"])
def test_cell_rake_equals_the_voice_level_rake(simulated: tuple, unknown: str) -> None:  # type: ignore[type-arg]
    voices, y, has_any, margins = simulated
    point = point_estimates(voices, y, has_any, margins, unknown=unknown)
    online = voices["source"] == "online"
    stats = cell_stats(voices[online], VARIABLES, y[online], has_any[online])
    raked = rake_cells(stats, margins, unknown=unknown)
    np.testing.assert_allclose(raked.values.to_numpy(), point.values.loc["rake"].to_numpy(dtype=float), rtol=1e-9)
    assert raked.n == point.n["rake"]
    assert raked.ess == pytest.approx(point.ess["rake"], rel=1e-9)
    raw = raw_cells(stats)
    np.testing.assert_allclose(raw.values.to_numpy(), point.values.loc["raw"].to_numpy(dtype=float), rtol=1e-12)
    assert (raw.n, raw.ess) == (point.n["raw"], pytest.approx(point.ess["raw"], rel=1e-12))
    assert len(stats.base) < online.sum() / 10  # the point: a few dozen cells (attributes x topics) stand for the voices


def test_cell_rake_follows_bootstrap_multipliers(simulated: tuple) -> None:  # type: ignore[type-arg]
    voices, y, has_any, margins = simulated
    m = bootstrap_multipliers(voices, np.random.default_rng(11))
    point = point_estimates(voices, y, has_any, margins, multipliers=m)
    online = voices["source"] == "online"
    raked = rake_cells(cell_stats(voices[online], VARIABLES, y[online], has_any[online], base=m[online]), margins)
    np.testing.assert_allclose(raked.values.to_numpy(), point.values.loc["rake"].to_numpy(dtype=float), rtol=1e-9)
    assert raked.ess == pytest.approx(point.ess["rake"], rel=1e-9)


def test_group_by_in_the_database_gives_the_numpy_sums(simulated: tuple, tmp_path: object) -> None:  # type: ignore[type-arg]
    voices, y, has_any, margins = simulated
    online = voices.loc[voices["source"] == "online", VARIABLES].copy()
    online.loc[online["sex"] == UNKNOWN, "sex"] = None  # NULL is unknown too
    table = online.assign(eldercare=y["eldercare"].astype(int), housing=y["housing"].astype(int),
                          has_any=has_any.astype(int))
    engine = sa.create_engine("sqlite://")
    table.to_sql("voices", engine, index=False)
    with engine.connect() as conn:
        source = sa.Table("voices", sa.MetaData(), autoload_with=conn)
        from_db = cell_stats_sql(conn, source, VARIABLES, ["eldercare", "housing"], "has_any")
    mask = voices["source"] == "online"
    from_numpy = cell_stats(voices[mask], VARIABLES, y[mask], has_any[mask])
    key = VARIABLES
    left = from_db.cells.assign(n=from_db.base, d=from_db.speaking).sort_values(key).reset_index(drop=True)
    right = from_numpy.cells.assign(n=from_numpy.base, d=from_numpy.speaking).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
    np.testing.assert_allclose(rake_cells(from_db, margins).values.to_numpy(),
                               rake_cells(from_numpy, margins).values.to_numpy(), rtol=1e-12)


def test_cell_level_replicates_spread_as_voice_level_ones(simulated: tuple) -> None:  # type: ignore[type-arg]
    """Replicates drawn at the cell level have the spread of voices resampled one by one."""
    voices, y, has_any, margins = simulated
    online = (voices["source"] == "online").to_numpy()
    voices, y, has_any = voices[online].reset_index(drop=True), y[online].reset_index(drop=True), \
        has_any[online].reset_index(drop=True)
    stats = cell_stats(voices, VARIABLES, y, has_any)
    table = cell_intervals(stats, margins, replicates=300, seed=5)
    rng = np.random.default_rng(6)
    voice_draws = np.stack([
        point_estimates(voices, y, has_any, margins, multipliers=bootstrap_multipliers(voices, rng)).values.loc["rake"]
        .to_numpy(dtype=float) for _ in range(300)])
    cell_se = table[table["method"] == "rake"].set_index("column")["se"].reindex(y.columns).to_numpy()
    np.testing.assert_allclose(cell_se, voice_draws.std(axis=0, ddof=1), rtol=0.2)
    rake_rows = table[table["method"] == "rake"]
    assert ((rake_rows["ci_low"] < rake_rows["estimate"]) & (rake_rows["estimate"] < rake_rows["ci_high"])).all()
    # a cell's sums scale with its draw; the draws add up to the voices
    replicate = replicate_cells(stats, np.random.default_rng(1))
    assert replicate.base.sum() == stats.base.sum()
    ratio = np.divide(replicate.topics, stats.topics, out=np.zeros_like(stats.topics), where=stats.topics > 0)
    scale = replicate.base / stats.base
    assert np.allclose(ratio[stats.topics[:, 0] > 0, 0], scale[stats.topics[:, 0] > 0])
    with pytest.raises(WeightingError, match="plain counts"):
        replicate_cells(cell_stats(voices, VARIABLES, y, has_any, base=pd.Series(0.5, index=voices.index)),
                        np.random.default_rng(1))
