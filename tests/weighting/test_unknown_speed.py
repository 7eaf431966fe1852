"""The vectorised fractional allocation against a row-by-row statement of its rule.

The reference below reads the rule of :mod:`weighting.unknown` literally: for each voice
with unknown attributes, look at every fully known voice that shares its known
attributes and ``condition`` columns, sum their base weights per combination of the
unknown levels, drop combinations without weight, and split the voice in proportion;
if none is left, drop the last conditioning column and look again.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from weighting import WeightingError
from weighting.unknown import allocate_unknown

UNKNOWN = "unknown"


def _is_unknown(value: object) -> bool:
    return bool(pd.isna(value)) or str(value).strip() == UNKNOWN


def reference(
    frame: pd.DataFrame, variables: Sequence[str], condition: Sequence[str], weights: Sequence[float],
) -> tuple[dict[tuple[object, tuple[str, ...]], float], Counter[str]]:
    """Each part as (source row, levels of ``variables`` as text) -> base weight, and the
    fallbacks, computed one voice at a time."""
    rows = range(len(frame))
    text = {c: [str(value) for value in frame[c]] for c in [*variables, *condition]}
    unknown = {v: [_is_unknown(value) for value in frame[v]] for v in variables}
    known = [k for k in rows if not any(unknown[v][k] for v in variables)]
    parts: dict[tuple[object, tuple[str, ...]], float] = {}
    fallbacks: Counter[str] = Counter()
    for i in rows:
        missing = [v for v in variables if unknown[v][i]]
        if not missing:
            parts[(frame.index[i], tuple(text[v][i] for v in variables))] = weights[i]
            continue
        given = [v for v in variables if v not in missing] + list(condition)
        while True:
            mass: dict[tuple[str, ...], float] = {}
            for k in known:
                if all(text[c][k] == text[c][i] for c in given):
                    combo = tuple(text[v][k] for v in missing)
                    mass[combo] = mass.get(combo, 0.0) + weights[k]
            mass = {combo: m for combo, m in mass.items() if m > 0}
            if mass:
                break
            fallbacks[f"dropping {given.pop()}"] += 1
        total = sum(mass.values())
        for combo, m in mass.items():
            levels = dict(zip(missing, combo, strict=True))
            key = tuple(levels[v] if v in levels else text[v][i] for v in variables)
            parts[(frame.index[i], key)] = weights[i] * m / total
    return parts, fallbacks


def check(frame: pd.DataFrame, variables: list[str], condition: list[str], base: np.ndarray | None,
          weight_column: str = "base_weight") -> pd.DataFrame:
    weights = np.ones(len(frame)) if base is None else base
    out, report = allocate_unknown(
        frame, variables, condition=condition, weight_column=weight_column,
        base_weights=None if base is None else pd.Series(base, index=frame.index))
    expected, fallbacks = reference(frame, variables, condition, list(weights))
    got = {(row.source_row, tuple(str(row[v]) for v in variables)): row[weight_column]
           for _, row in out.iterrows()}
    assert len(got) == len(out)  # no (voice, levels) twice
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
    assert report.fallbacks == dict(fallbacks)
    assert report.rows_out == len(out)
    assert report.unknown_by_variable == {v: sum(_is_unknown(x) for x in frame[v]) for v in variables}
    # Every column not allocated is the voice's own.
    own = frame.loc[out["source_row"]].reset_index(drop=True)
    for column in frame.columns:
        if column not in variables and column != weight_column:
            assert own[column].tolist() == out[column].tolist(), column
    # The documented order: known voices first, in their order; then pattern by pattern,
    # each voice's parts together and in the sorted order of their levels.
    flags = [tuple(_is_unknown(x) for x in frame.loc[label, variables]) for label in out["source_row"]]
    n_known = sum(not any(f) for f in flags)
    assert not any(any(f) for f in flags[:n_known])
    assert out["source_row"][:n_known].tolist() == [
        label for label, row in frame.iterrows() if not any(_is_unknown(row[v]) for v in variables)]
    assert flags[n_known:] == sorted(flags[n_known:])
    labels = out["source_row"].tolist()
    starts = [j for j in range(len(labels)) if j == 0 or labels[j] != labels[j - 1]]
    assert len(starts) == len(set(labels)), "a voice's parts are not together"
    for start, end in zip(starts, [*starts[1:], len(labels)], strict=True):
        levels = [tuple(str(out[v].iloc[j]) for v in variables) for j in range(start, end)]
        assert levels == sorted(levels)
    return out


def random_voices(rng: np.random.Generator) -> tuple[pd.DataFrame, list[str], list[str], np.ndarray | None]:
    """Voices with 1-3 attributes of assorted types and unknown patterns, maybe topics to
    condition on, maybe base weights with zeros; levels and topics that only voices with
    an unknown attribute have force the fallbacks."""
    n = int(rng.integers(2, 80))
    columns: dict[str, object] = {}
    for j in range(int(rng.integers(1, 4))):
        k = int(rng.integers(1, 5))
        share_unknown = rng.uniform(0, 0.8)
        unknown = rng.random(n) < share_unknown
        kind = int(rng.integers(0, 4))
        if kind == 0:  # text, unknown written several ways
            levels = np.array(["60+", "18-29", "男", "a b", " x"][:k], dtype=object)
            values = levels[rng.integers(0, k, n)]
            values[unknown] = rng.choice(np.array([UNKNOWN, " unknown ", None], dtype=object), int(unknown.sum()))
            columns[f"a{j}"] = pd.Series(values, dtype=object if rng.random() < 0.5 else "str")
        elif kind == 1:  # numbers, unknown as NaN
            numbers = rng.integers(0, k, n).astype(float)
            numbers[unknown] = np.nan
            columns[f"a{j}"] = numbers
        elif kind == 2:  # categories with an unknown category
            categories = ["p", "q", "r", "s"][:k] + [UNKNOWN]
            values = np.array(categories, dtype=object)[rng.integers(0, k, n)]
            values[unknown] = UNKNOWN
            columns[f"a{j}"] = pd.Categorical(values, categories=categories)
        else:  # a level only voices with another unknown attribute have
            values = np.array(["urban", "rural"], dtype=object)[rng.integers(0, 2, n)]
            values[unknown] = UNKNOWN
            columns[f"a{j}"] = values
    frame = pd.DataFrame(columns)
    variables = list(frame.columns)
    if "a0" in frame and len(variables) > 1:
        others = frame[variables[1:]].map(_is_unknown).any(axis=1).to_numpy()
        if others.any() and frame["a0"].dtype == object:
            frame.loc[others & (rng.random(n) < 0.3), "a0"] = "rare"
    rng.shuffle(variables)
    condition: list[str] = []
    if rng.random() < 0.7:
        topics = np.array(["00", "01", "10", "11"], dtype=object)[rng.integers(0, 4, n)]
        somewhere = frame[variables].map(_is_unknown).any(axis=1).to_numpy()
        topics[somewhere & (rng.random(n) < 0.2)] = "only among the unknown"
        frame["_topics"] = topics
        condition = ["_topics"]
        if rng.random() < 0.3:
            frame["_wave"] = rng.integers(0, 3, n)
            condition.append("_wave")
    base = None
    if rng.random() < 0.7:
        base = rng.choice([0.0, 1.0, 2.0, 3.0, 0.37, 1e-3], n)
    frame["_position"] = np.arange(n)
    frame.index = rng.permutation(np.arange(1000, 1000 + n))
    return frame, variables, condition, base


@pytest.mark.parametrize("seed", range(120))
def test_random_voices_are_split_as_the_rule_says(seed: int) -> None:
    frame, variables, condition, base = random_voices(np.random.default_rng(seed))
    try:
        check(frame, variables, condition, base, weight_column="_base" if seed % 3 else "base_weight")
    except WeightingError as error:  # a draw where no known voice has any weight
        known = ~frame[variables].map(_is_unknown).any(axis=1).to_numpy()
        weights = np.ones(len(frame)) if base is None else base
        assert weights[known].sum() <= 0 and "every row has an unknown value" in str(error)


def test_a_topic_no_known_voice_raised_falls_back_and_is_counted() -> None:
    frame = pd.DataFrame({
        "sex": ["male", "female", "female", "unknown", "unknown", "male"],
        "_topics": ["10", "10", "01", "10", "11", "11"],
    })
    out = check(frame, ["sex"], ["_topics"], np.array([1.0, 3.0, 2.0, 4.0, 6.0, 0.0]))
    # Row 4 said "11", which only a known voice with no weight said: the overall distribution.
    assert out.loc[out["source_row"] == 4, "base_weight"].tolist() == pytest.approx([6 * 5 / 6, 6 * 1 / 6])


@pytest.mark.parametrize(("columns", "levels"), [(40, 3), (20, 7)])
def test_many_conditioning_columns_beyond_64_bit_cell_codes(columns: int, levels: int) -> None:
    # With "missing", each column has levels + 1 codes: 4**40 = 2**80 combinations, or
    # 8**20 = 2**60 that the unknown attributes' 12 combinations multiply past 2**63.
    # Codes that simply multiplied up would lose the first column or wrap around, and the
    # first column is the one that matters: it says which age the voice has.
    rng = np.random.default_rng(columns)
    n = 160
    said = rng.integers(0, levels, n)
    ages = np.array(["18-29", "30-44", "60+"], dtype=object)
    frame = pd.DataFrame({
        "age_group": np.where(rng.random(n) < 0.8, ages[said % 3], ages[rng.integers(0, 3, n)]),
        "sex": np.array(["female", "male"], dtype=object)[rng.integers(0, 2, n)],
    })
    frame.loc[rng.random(n) < 0.4, "age_group"] = UNKNOWN
    frame.loc[rng.random(n) < 0.4, "sex"] = UNKNOWN
    frame["c0"] = said
    row = np.arange(n)
    for j in range(1, columns):  # every level in every column, but only in the first few rows
        frame[f"c{j}"] = np.where(row < levels - 1, 1 + row, 0)
    condition = [f"c{j}" for j in range(columns)]
    assert all(frame[c].nunique() == levels for c in condition)
    out = check(frame, ["age_group", "sex"], condition, rng.choice([0.0, 1.0, 2.5], n))
    assert out["source_row"].nunique() == n


def test_a_condition_column_not_in_the_sample_is_named() -> None:
    frame = pd.DataFrame({"sex": ["male", UNKNOWN]})
    with pytest.raises(WeightingError, match="column '_topics' not found"):
        allocate_unknown(frame, ["sex"], condition=["_topics"])
