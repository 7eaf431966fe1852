"""Checking the assumption the blend (and raking) rests on, where the data allow it.

``blend`` and ``rake`` assume that within a group, the people who speak online raise the
same concerns as the people a door-to-door survey reaches. Where both sources are large
in a group, that can be tested: compare the two shares topic by topic. A few differences
at the 5% level are expected by chance alone (about 1 in 20 comparisons); many more mean
the online voices of that group are not like its other members, and estimates that lean
on them are biased.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from opinion.attributes import UNKNOWN
from opinion.estimates.design import voice_counts

CHECK_COLUMNS = [
    "group", "topic", "online_share", "survey_share", "difference", "z", "p_value", "online_n", "survey_n",
]


def source_agreement(
    voices: pd.DataFrame,
    y: pd.DataFrame,
    has_any: pd.Series,
    *,
    group_vars: Sequence[str] = ("age_group", "urban"),
    min_voices: int = 30,
) -> pd.DataFrame:
    """Two-proportion z-tests of online vs survey shares, per group with both sources large.

    Unweighted within the group (the blend's online part counts each voice once). Groups
    with fewer than ``min_voices`` voices raising a concern in either source are skipped.
    """
    known = voices[list(group_vars)].ne(UNKNOWN).all(axis=1)
    speaking = has_any.astype(bool) & known
    group = voices[group_vars[0]].astype(str)
    for variable in group_vars[1:]:
        group = group + "*" + voices[variable].astype(str)
    count = pd.Series(voice_counts(voices), index=voices.index)  # a cell row is that many voices
    rows = []
    for name in sorted(group[speaking].unique()):
        in_group = speaking & (group == name)
        online = in_group & (voices["source"] == "online")
        survey = in_group & (voices["source"] == "survey")
        n_on, n_sv = int(count[online].sum()), int(count[survey].sum())
        if n_on < min_voices or n_sv < min_voices:
            continue
        for topic in y.columns:
            p_on = float((y.loc[online, topic] * count[online]).sum() / n_on)
            p_sv = float((y.loc[survey, topic] * count[survey]).sum() / n_sv)
            pooled = (p_on * n_on + p_sv * n_sv) / (n_on + n_sv)
            se = np.sqrt(pooled * (1 - pooled) * (1 / n_on + 1 / n_sv))
            z = (p_on - p_sv) / se if se > 0 else 0.0
            rows.append({
                "group": name, "topic": topic, "online_share": p_on, "survey_share": p_sv,
                "difference": p_on - p_sv, "z": z, "p_value": float(2 * stats.norm.sf(abs(z))),
                "online_n": n_on, "survey_n": n_sv,
            })
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def summarise(check: pd.DataFrame, alpha: float = 0.05, *, label: Callable[[str], str] = str,
              group_label: Callable[[str], str] = str, lang: str = "en") -> dict[str, object]:
    """What the report says: how many comparisons differ, against how many chance would give.

    ``largest``: up to three comparisons that differ most, each as text in ``lang`` ("zh"
    or "en") naming the group (``group_label`` gives a group's name) and the topic (``label`` gives a
    topic code's name)."""
    if check.empty:
        return {"groups_tested": 0, "comparisons": 0, "differ": 0, "expected_by_chance": 0.0}
    differ = check[check["p_value"] < alpha]
    return {
        "groups_tested": int(check["group"].nunique()),
        "comparisons": len(check),
        "differ": len(differ),
        "expected_by_chance": round(alpha * len(check), 1),
        "largest": [
            (f"{group_label(str(r.group))} {label(str(r.topic))}：网上 {r.online_share:.1%}，入户调查 "
             f"{r.survey_share:.1%}" if lang == "zh" else
             f"{group_label(str(r.group))} {label(str(r.topic))}: online {r.online_share:.1%} vs survey "
             f"{r.survey_share:.1%}")
            for r in differ.reindex(differ["difference"].abs().sort_values(ascending=False).index).head(3).itertuples()
        ],
    }
