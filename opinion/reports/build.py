"""From a workspace store and population margins to the tables a report shows.

This is the library entry point behind ``tongxin report`` and ``tongxin demo``::

    store = open_store("tongxin.db")
    data = build_report(store, Margins.from_csv("margins.csv"))
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from opinion.attributes import UNKNOWN, joint_label, label
from opinion.errors import InputError, TongxinError
from opinion.estimates.assumptions import source_agreement, summarise
from opinion.estimates.correction import HandSample, coder_accuracy, hand_sample
from opinion.estimates.design import voice_counts
from opinion.estimates.methods import (
    MAX_FAILED_SHARE,
    METHODS,
    Estimates,
    estimate_with_intervals,
    joint_shares,
    point_estimates,
)
from opinion.estimates.mrp import mrp_estimates
from opinion.estimates.plan import plan_visits
from opinion.estimates.voices import all_voices, survey_joint
from opinion.reports.bygroup import BY_GROUP_COLUMNS
from opinion.reports.cellpath import CellInputs, cell_inputs, cells_note
from opinion.reports.data import COVERAGE_COLUMNS, ESTIMATE_COLUMNS, WORD_COLUMNS, ReportData
from opinion.reports.scope import (
    ONLINE_ONLY,
    cannot_correct,
    joint_tables,
    joint_tables_note,
    left_out_methods,
    method_problem,
    report_mode,
    report_title,
)
from opinion.store.db import Store, crawl_runs, documents, shown_url
from opinion.text.coder import LearnedCoder, TopicCoder, as_coder, segmenter_mismatch
from opinion.text.cues import Gazetteer
from opinion.text.keywords import group_keywords
from opinion.text.measures import topic_matrix, voice_tokens, word_matrix
from opinion.text.segment import Segmenter
from opinion.text.tone import load_tone_lexicon, tone_notes, tone_table
from opinion.text.topics import TopicLexicon
from weighting import Margins
from weighting.joint import joint_sources
from weighting.targets import CENSUS2020, is_shipped

log = logging.getLogger(__name__)

COVERAGE_VARIABLES = ("age_group", "sex", "urban", "region", "age_group*urban")

METHOD_NOTES = {
    "zh": {
        "raw": "网上声音不加权：每位作者算一次，反映的是网上发声者，不是全体居民。",
        "rake": "网上声音按人口结构（年龄、性别、城乡）加权；假定同一组内上网发声者与不发声者关心的问题相同。",
        "survey": "入户调查受访者，设计权重校准到人口结构；不依赖网上数据。",
        "blend": ("两个来源各自校准后，在每个年龄×城乡组内逐议题按均方误差合并（Elliott & Haviland 2007）："
                  "网上与入户调查一致时网上声音收窄区间，不一致时以入户调查为主，区间包含两者差异的不确定性；"
                  "网上几乎无声音的组由入户调查承担。"),
        "pseudo": ("网上声音按参与模型（以入户调查为参照样本，Chen-Li-Wu 伪似然）估计的上网概率倒数加权，双稳健估计；"
                   "假定在年龄、性别、城乡相同的人中，是否上网与关心什么无关。区间来自同一组自助法重复样本，每次重新拟合参与模型。"),
        "mrp": ("多层模型（年龄、性别、城乡、来源的随机截距，部分合并）按人口单元事后分层；小组借用其他组的信息。"
                "区间来自变分后验，只能作粗略参考。"),
    },
    "en": {
        "raw": "Online voices unweighted: each author counts once; describes who posts, not residents.",
        "rake": ("Online voices raked to the population (age, sex, urban/rural); assumes people who post share the concerns "
                 "of those who do not, within each cell."),
        "survey": "Door-to-door respondents, design weights calibrated to the population; uses no online data.",
        "blend": ("Both sources calibrated, then mixed within each age x urban/rural group, topic by topic, by mean "
                  "squared error (Elliott & Haviland 2007): where the web agrees with the survey it narrows the "
                  "interval, where it does not the blend leans on the survey and the interval carries the "
                  "discrepancy's uncertainty; groups nearly silent online are carried by the survey."),
        "pseudo": ("Online voices weighted by the inverse of their modelled chance of being online, the participation model "
                   "fitted against the survey as reference sample (Chen-Li-Wu pseudo-likelihood), doubly robust; assumes that "
                   "among people of the same age, sex and urban/rural, being online is unrelated to the concern. "
                   "Intervals from the same bootstrap replicates, the participation model refitted in each."),
        "mrp": ("Multilevel model (random intercepts for age, sex, urban/rural and source, partial pooling) post-stratified "
                "to population cells; small groups borrow strength. "
                "Intervals from the variational posterior: read them as rough."),
    },
}


@dataclass
class ReportOptions:
    weight_vars: Sequence[str] = ("age_group", "sex", "urban")
    blend_vars: Sequence[str] = ("age_group", "urban")
    replicates: int = 200
    seed: int = 20201101
    mrp: bool = True
    top_words: int = 30
    blind_spot_min_voices: int = 10
    lang: str = "zh"
    title: str | None = None
    headline: str = "blend"
    by: str | None = None  # an attribute (age_group, sex, urban, region) to break concerns down by
    budget: float | None = None  # interviews to plan for the "where to go next" section
    plan_by: Sequence[str] = ("region", "age_group", "urban")
    workers: int = 1  # processes segmenting the texts not yet cached and computing the replicates
    unknown: str = "fractional"  # online voices of unknown attributes: fractional or exclude
    blend_mix: str = "composite"  # how the blend mixes the sources in a group: composite (MSE) or ess
    cells: bool = False  # online voices from codes kept in the store, counted by cell (opinion.reports.cellpath)


ESS_BLEND_NOTES = {
    "zh": ("两个来源各自校准后，在每个年龄×城乡组内按有效样本量合并（假定组内网上声音与受访者关心的相同）；"
           "网上几乎无声音的组由入户调查承担。"),
    "en": ("Both sources calibrated, then mixed within each age x urban/rural group by effective sample size (assumes "
           "online voices and respondents of a group share the concern); groups nearly silent online are carried by "
           "the survey."),
}


BLEND_MIX_LABELS = {
    True: {"composite": "composite：逐议题按均方误差合并（Elliott & Haviland 2007）", "ess": "ess：按有效样本量合并"},
    False: {"composite": "composite: by mean squared error, topic by topic (Elliott & Haviland 2007)",
            "ess": "ess: by effective sample size"},
}


def _method_notes(opts: ReportOptions) -> dict[str, str]:
    """What each method does, in the report's language; the blend's note follows its mix,
    and MRP's is left out when the report has no MRP (``mrp`` off, or on cells)."""
    notes = dict(METHOD_NOTES.get(opts.lang, METHOD_NOTES["en"]))
    if opts.blend_mix == "ess":
        notes["blend"] = ESS_BLEND_NOTES.get(opts.lang, ESS_BLEND_NOTES["en"])
    if opts.cells or not opts.mrp:
        notes.pop("mrp", None)
    return notes


def convergence_note(estimates: Estimates, lang: str) -> str | dict[str, str]:
    """Whether every replicate could be weighted; else, per method, how many could not and
    whether its interval is withheld (:data:`opinion.estimates.methods.MAX_FAILED_SHARE`)."""
    zh = lang == "zh"
    if not estimates.failed_by_method:
        return "全样本和每个重复样本的加权都收敛。" if zh else "Weighting converged in the full sample and in every replicate."
    total, share = estimates.replicates, f"{MAX_FAILED_SHARE:.0%}"
    out = {}
    for method, n in sorted(estimates.failed_by_method.items()):
        if zh:
            text = f"{n} / {total} 个重复样本无法加权，已剔除"
            if method in estimates.withheld:
                text += f"；超过 {share}，不显示区间（剩下的只是碰巧能加权的样本，其离散程度会低估不确定性）"
        else:
            text = f"{n} of {total} replicate{'s' if total != 1 else ''} could not be weighted and were left out"
            if method in estimates.withheld:
                text += (f"; more than {share}, so no interval is shown (the rest are the samples that happened "
                         "to be weightable, whose spread understates the uncertainty)")
        out[method] = text
    return out


def tool_version() -> str:
    try:
        return version("tongxin")
    except PackageNotFoundError:
        return "unknown"


def build_report(
    store: Store,
    margins: Margins,
    *,
    options: ReportOptions | None = None,
    lexicon: TopicCoder | TopicLexicon | None = None,
    segmenter: Segmenter | None = None,
    gazetteer: Gazetteer | None = None,
    truth: pd.DataFrame | None = None,
    inputs: dict[str, str] | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    segment_progress: Callable[[int, int], None] | None = None,
) -> ReportData:
    """Roll documents up to voices, measure them, correct, and assemble the report tables.

    ``lexicon`` is the topic coder (:mod:`opinion.text.coder`): the shipped lexicon by
    default, another :class:`TopicLexicon`, or a learned model
    (:class:`opinion.text.coder.LearnedCoder`); the notes say which coded the topics.
    ``progress(n)`` follows the replicates, ``segment_progress(done, total)`` the
    segmentation of texts not yet cached in the store.
    """
    opts = options or ReportOptions()
    if opts.by is not None and opts.by not in ("region", "urban", "age_group", "sex"):
        raise InputError(f"--by {opts.by!r} is not a voice attribute; use one of region, urban, age_group, sex")
    coder = as_coder(lexicon)
    segmenter = segmenter or Segmenter.default()
    mismatch = segmenter_mismatch(coder, segmenter)
    if mismatch:
        log.warning("%s", mismatch)
    tokens: list[list[str]] | None = None
    coded: CellInputs | None = None
    if opts.cells:
        coded = cell_inputs(store, margins, coder, segmenter, gazetteer, today=today, workers=opts.workers,
                            segment_progress=segment_progress)
        voices, topics, matched = coded.voices, coded.topics, coded.matched
    else:
        _suggest_cells(store)
        voices = all_voices(store, gazetteer, today=today, margins=margins)
    if voices.empty:
        raise TongxinError(f"{shown_url(store.url)}: the store holds no documents and no survey respondents; "
                         "crawl or import first")
    mode = report_mode(voices)
    # Joint tables the margins lack, estimated from the survey (weighting.joint): for MRP's cells and
    # the coverage table; the estimates re-estimate the blend groups' table in every replicate.
    population = survey_joint(survey_joint(margins, voices, opts.blend_vars), voices, opts.weight_vars)
    if not opts.cells:
        tokens = voice_tokens(store, voices["texts"].tolist(), segmenter, workers=opts.workers,
                              progress=segment_progress)
        topics, matched = topic_matrix(tokens, coder, voices.index)
    has_topic = topics.any(axis=1)
    hand = hand_sample(store, voices, list(topics.columns))
    estimates = estimate_with_intervals(
        voices, topics, has_topic, margins, weight_vars=opts.weight_vars, blend_vars=opts.blend_vars,
        replicates=opts.replicates, seed=opts.seed, progress=progress, by=opts.by, hand=hand, unknown=opts.unknown,
        blend_mix=opts.blend_mix, workers=opts.workers,
    )
    if opts.mrp and tokens is not None:
        mrp = mrp_estimates(voices, topics, has_topic, population, variables=opts.weight_vars, seed=opts.seed,
                            shift=estimates.coder_shift)
        mrp = mrp.assign(method="mrp", ess=mrp["n"].astype(float))
        # a posterior interval: no design degrees of freedom (df NaN)
        estimates.table = pd.concat([estimates.table, mrp.reindex(columns=estimates.table.columns)], ignore_index=True)
    if tokens is not None:
        words = word_table_from(voices, tokens, margins, opts, method="rake" if mode == ONLINE_ONLY else "blend")
        keywords: pd.DataFrame | None = group_keywords(voices, tokens, lang=opts.lang)
        tone: dict[str, object] = tone_notes(tone_table(tokens, load_tone_lexicon(), voices.index), voices["source"],
                                             opts.lang)
    else:
        words, keywords, tone = pd.DataFrame(columns=WORD_COLUMNS), None, {}
    table = _estimate_table(estimates, coder, opts.lang)
    left_out = left_out_methods(table, mode, estimates.point.problems, opts.lang)
    coverage = coverage_table(voices, population, opts.blind_spot_min_voices, opts.lang)
    blind = coverage.loc[coverage["blind_spot"].astype(bool) & (coverage["variable"] == "*".join(opts.blend_vars)),
                         "level_label"].astype(str).tolist()
    plan_table, plan_note = _plan_table(voices, margins, opts, mode)
    scope: dict[str, object] = {
        "mode": mode,
        **({"visit_plan": plan_note} if plan_note else {}),
        "joint_tables": joint_tables_note(joint_sources(population), opts.lang, ["*".join(opts.blend_vars)]),
        "joint_table_sources": joint_tables(joint_sources(population)),
        **({"left_out": left_out} if left_out else {}),
        **({"cannot_correct": text} if (text := cannot_correct(mode, opts.lang, blind)) else {}),
    }
    return ReportData(
        title=opts.title or report_title(mode, opts.lang),
        estimates=table[~table["method"].isin(list(left_out))].reset_index(drop=True),
        coverage=coverage,
        words=words,
        carry=None if mode == ONLINE_ONLY else _carry_table(estimates, opts),
        truth=truth,
        quotes=_quotes(voices, matched, coder),
        notes={**_notes(store, voices, estimates, margins, opts, inputs or {}),
               "topic_coder": _coder_note(coder, mismatch),
               **({"tone": tone} if tone else {}),
               **({"cells": cells_note(coded.state, voices, opts.lang)} if coded is not None else {}),
               "coding": coding_note(topics, has_topic, hand, coder, opts.lang, voice_counts(voices),
                                     mrp=opts.mrp and tokens is not None, blend=mode != ONLINE_ONLY),
               "source_agreement": summarise(source_agreement(voices, topics, has_topic, group_vars=opts.blend_vars),
                                             label=_topic_label(coder, opts.lang), lang=opts.lang,
                                             group_label=_group_label(opts.blend_vars, opts.lang)),
               **scope},
        lang=opts.lang,
        headline="raw" if mode == ONLINE_ONLY else opts.headline,
        mode=mode,
        keywords=keywords,
        by_group=_by_group_table(estimates, coder, opts),
        plan=plan_table,
    )


# Above this many documents a report that reads every voice takes long and much memory.
LARGE_CORPUS = 500_000


def _suggest_cells(store: Store) -> None:
    """Warn, on a corpus of millions, that reading every voice is slow and how not to."""
    with store.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one()
    if n > LARGE_CORPUS:
        log.warning("%s holds %d documents: this report reads and codes every one of them; for a corpus this "
                    "size, run `tongxin store code` once and then `tongxin report --cells`", shown_url(store.url), n)


# With no survey and no budget, the plan is the fewest interviews that bring every group to the
# planner's precision: a budget no county reaches, and none of it spent beyond that.
NEEDED_BUDGET = 1_000_000


def _plan_table(
    voices: pd.DataFrame, margins: Margins, opts: ReportOptions, mode: str
) -> tuple[pd.DataFrame | None, dict[str, object] | None]:
    """The visit plan's cells with interviews, when a budget is given, or with online voices
    only the interviews a correction needs (see :mod:`opinion.estimates.plan`), planned over
    the variables of ``opts.plan_by`` that the margins cover; and what the plan aims at."""
    if opts.budget is None and mode != ONLINE_ONLY:
        return None, None
    by = [v for v in opts.plan_by if any(v in name.split("*") for name in margins.variables)]
    if not by:
        return None, None
    budget = opts.budget if opts.budget is not None else NEEDED_BUDGET
    plan = plan_visits(voices, margins, budget, by=by, spend_rest=opts.budget is not None)
    note: dict[str, object] = {"interviews": plan.interviews, "half_width": plan.half_width, "by": list(plan.by),
                               "budget": opts.budget, "unmet": plan.unmet, "notes": plan.notes}
    cells = plan.cells[plan.cells["interviews"] > 0].sort_values("interviews", ascending=False)
    levels = ["*".join(map(str, values)) for values in cells[list(plan.by)].itertuples(index=False)]
    return pd.DataFrame({
        "cell": [joint_label(plan.by, level, opts.lang) for level in levels],
        "interviews": cells["interviews"].astype(int).to_numpy(),
        "half_width_before": cells["half_width_before"].to_numpy(),
        "half_width_after": cells["half_width_after"].to_numpy(),
    }), note


def _coder_note(coder: TopicCoder, mismatch: str | None) -> dict[str, object]:
    """Which coder coded the topics: its kind, name and fingerprint (and a segmenter warning)."""
    note: dict[str, object] = {"coder": coder.name, "fingerprint": coder.fingerprint,
                               "kind": "learned" if isinstance(coder, LearnedCoder) else "lexicon"}
    if mismatch:
        note["warning"] = mismatch
    return note


def _topic_label(lexicon: TopicCoder, lang: str) -> Callable[[str], str]:
    """A topic code's name in ``lang``; a code the coder does not know shows as itself."""
    def name(code: str) -> str:
        topic = lexicon.topics.get(code)
        return code if topic is None else topic.label if lang == "zh" else topic.label_en
    return name


def _group_label(variables: Sequence[str], lang: str) -> Callable[[str], str]:
    """A group ``a*b`` (levels of ``variables`` joined by ``*``) in the reader's words."""
    def name(group: str) -> str:
        levels = group.split("*")
        if len(levels) != len(variables):
            return group
        return "×".join(label(v, lv, lang) for v, lv in zip(variables, levels, strict=True))
    return name


def _by_group_table(estimates: Estimates, lexicon: TopicCoder, opts: ReportOptions) -> pd.DataFrame | None:
    if estimates.by_table is None or estimates.by_table.empty or not opts.by:
        return None
    table = estimates.by_table.rename(columns={"by": "variable", "column": "topic"})
    table["level_label"] = table["level"].map(lambda lv: label(opts.by or "", str(lv), opts.lang))
    table["topic_label"] = table["topic"].map(_topic_label(lexicon, opts.lang))
    return table[BY_GROUP_COLUMNS].reset_index(drop=True)


def _estimate_table(estimates: Estimates, lexicon: TopicCoder, lang: str) -> pd.DataFrame:
    table = estimates.table.rename(columns={"column": "topic"})
    table["topic_label"] = table["topic"].map(_topic_label(lexicon, lang))
    table["estimand"] = "agenda_share"
    order = {m: i for i, m in enumerate((*METHODS, "mrp"))}
    table = table.sort_values(["topic", "method"], key=lambda s: s.map(order) if s.name == "method" else s)
    return table[ESTIMATE_COLUMNS].reset_index(drop=True)


def _population_shares(margins: Margins, variable: str) -> pd.Series | None:
    try:
        if "*" in variable:
            return joint_shares(margins, variable.split("*"))
        return margins.shares(variable)
    except (KeyError, ValueError):  # WeightingError is a ValueError: no table covers it
        return None


def coverage_table(voices: pd.DataFrame, margins: Margins, min_voices: int = 10, lang: str = "zh") -> pd.DataFrame:
    """Population vs online vs survey share for each level of each attribute (the data divide)."""
    rows = []
    weight = pd.Series(voice_counts(voices), index=voices.index)  # a cell row is that many voices
    for variable in COVERAGE_VARIABLES:
        parts = variable.split("*")
        if not all(p in voices.columns for p in parts):
            continue
        level = voices[parts[0]].astype(str)
        for part in parts[1:]:
            level = level + "*" + voices[part].astype(str)
        level = level.where(~voices[parts].eq(UNKNOWN).any(axis=1), UNKNOWN)
        population = _population_shares(margins, variable)
        counts = {src: weight[voices["source"] == src].groupby(level[voices["source"] == src]).sum()
                  for src in ("online", "survey")}
        known = {src: counts[src].drop(UNKNOWN, errors="ignore").sum() for src in counts}
        levels = list(population.index) if population is not None else []
        levels += [lv for src in counts for lv in counts[src].index if lv not in levels and lv != UNKNOWN]
        for lv in [*levels, UNKNOWN]:
            online_n = int(counts["online"].get(lv, 0))
            survey_n = int(counts["survey"].get(lv, 0))
            if lv == UNKNOWN and online_n == 0 and survey_n == 0:
                continue
            pop = float(population.get(lv, np.nan)) if population is not None and lv != UNKNOWN else np.nan
            rows.append({
                "variable": variable, "level": lv,
                "level_label": joint_label(parts, lv, lang) if lv != UNKNOWN else label(variable, UNKNOWN, lang),
                "population_share": pop,
                "online_share": online_n / known["online"] if known["online"] and lv != UNKNOWN else np.nan,
                "survey_share": survey_n / known["survey"] if known["survey"] and lv != UNKNOWN else np.nan,
                "online_n": online_n, "survey_n": survey_n,
                "blind_spot": bool(np.isfinite(pop) and pop >= 0.01 and online_n + survey_n < min_voices),
            })
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def word_table_from(
    voices: pd.DataFrame, tokens: list[list[str]], margins: Margins, opts: ReportOptions, method: str = "blend"
) -> pd.DataFrame:
    """Top words raw (online voices, unweighted) vs corrected (``method``: blended to the
    population, or with online voices only raked)."""
    matrix = word_matrix(tokens, voices.index)
    if matrix.shape[1] == 0:
        return pd.DataFrame(columns=WORD_COLUMNS)
    has_words = matrix.sum(axis=1) > 0
    point = point_estimates(voices, matrix, has_words, margins, weight_vars=opts.weight_vars, blend_vars=opts.blend_vars)
    raw, weighted = point.values.loc["raw"], point.values.loc[method]
    table = pd.DataFrame({"word": matrix.columns, "raw_share": raw.to_numpy(), "weighted_share": weighted.to_numpy()})
    # A source with no voices has no shares (NaN): its words rank last, never first.
    table["raw_rank"] = table["raw_share"].rank(ascending=False, method="first", na_option="bottom").astype(int)
    table["weighted_rank"] = table["weighted_share"].rank(ascending=False, method="first", na_option="bottom").astype(int)
    table["rank_shift"] = table["raw_rank"] - table["weighted_rank"]
    top = table[(table["raw_rank"] <= opts.top_words) | (table["weighted_rank"] <= opts.top_words)]
    return top.sort_values("weighted_rank")[WORD_COLUMNS].reset_index(drop=True)


def _carry_table(estimates: Estimates, opts: ReportOptions) -> pd.DataFrame:
    carry = estimates.point.carry.copy()
    carry["group_label"] = carry["group"].map(lambda g: joint_label(opts.blend_vars, g, opts.lang))
    return carry[["group", "group_label", "population_share", "online_ess", "survey_ess", "survey_fraction"]]


def _quotes(voices: pd.DataFrame, matched: pd.Series, lexicon: TopicCoder, per_topic: int = 3) -> dict[str, list[str]]:
    """A few short masked texts per topic, from online voices (first come, deterministic)."""
    quotes: dict[str, list[str]] = {code: [] for code in lexicon.codes}
    for i, texts in voices.loc[voices["source"] == "online", "texts"].items():
        for code, words in matched[i].items():
            if len(quotes[code]) >= per_topic:
                continue
            text = next((t for t in texts if any(w in t for w in words)), None)
            if text and text not in quotes[code]:
                quotes[code].append(text)
    return {k: v for k, v in quotes.items() if v}


def _notes(
    store: Store, voices: pd.DataFrame, estimates: Estimates, margins: Margins, opts: ReportOptions, inputs: dict[str, str]
) -> dict[str, object]:
    with store.engine.connect() as conn:
        n_docs = conn.execute(sa.select(sa.func.count()).select_from(documents)).scalar_one()
        first, last = conn.execute(sa.select(sa.func.min(documents.c.posted_at), sa.func.max(documents.c.posted_at))).one()
        sources = sorted({r[0] for r in conn.execute(sa.select(documents.c.source).distinct())})
        runs = conn.execute(sa.select(sa.func.count()).select_from(crawl_runs)).scalar_one()
    online = voices[voices["source"] == "online"]
    count = voice_counts(online)
    unknown = {attr: int(count[(online[attr] == UNKNOWN).to_numpy()].sum()) for attr in ("region", "urban", "age_group", "sex")}
    return {
        "documents": int(n_docs),
        "voices_online": int(count.sum()),
        "respondents": int((voices["source"] == "survey").sum()),
        "crawl_runs": int(runs),
        "sources": sources,
        "crawl_dates": f"{(first or '')[:10]} – {(last or '')[:10]}",
        "unknown": unknown,
        "unknown_handling": (
            ("网上声音中年龄、性别或城乡未知者按比例分摊：每个这样的声音按已知属性相同的声音的分布拆分到可能的组"
             "（每个重复样本重新分摊），人数见上；假定已知属性相同时，未透露的属性与透露者相同。"
             if opts.unknown == "fractional" else
             "网上声音中年龄、性别或城乡未知者不参与加权（raw 仍计入），人数见上。")
            if opts.lang == "zh" else
            ("Online voices with unknown age, sex or urban/rural are allocated fractionally: each is split across "
             "the groups it could belong to in proportion to the voices sharing its known attributes (redone in "
             "every replicate); assumes that, given what is known, unrevealed attributes follow the revealed ones."
             if opts.unknown == "fractional" else
             "Online voices with unknown age, sex or urban/rural are excluded from weighting (still counted in raw).")
        ),
        "weighting_variables": list(opts.weight_vars),
        "blend_groups": list(opts.blend_vars),
        "method_notes": _method_notes(opts),
        "blend_mix": BLEND_MIX_LABELS[opts.lang == "zh"][opts.blend_mix],
        "not_estimable": {m: method_problem(estimates.point.problems, m, opts.lang) for m in estimates.point.problems},
        "convergence": convergence_note(estimates, opts.lang),
        "deff": {m: round(estimates.point.n[m] / e, 2) if e else None for m, e in estimates.point.ess.items()},
        "ess": {m: round(e, 1) for m, e in estimates.point.ess.items()},
        "replicates": estimates.replicates,
        "seed": estimates.seed,
        "version": tool_version(),
        "inputs": inputs,
    }


def coding_note(
    topics: pd.DataFrame, has_topic: pd.Series, hand: HandSample | None, lexicon: TopicCoder, lang: str,
    counts: np.ndarray | None = None, mrp: bool = True, blend: bool = True,
) -> dict[str, object]:
    """What the topic figures rest on: voices coded to no topic, and the coder measured
    against a person on the hand-coded sample (or the warning that there is none).

    ``uncoded`` voices raise no concern the coder recognised; agenda shares are taken
    among the voices that raise at least one, so they leave the denominator, and the
    count is shown so that nothing leaves silently. ``blend``: the report has a blend (else
    MRP takes the coder's error as the raked estimate measures it).
    """
    zh = lang == "zh"
    shift = ("融合估计", "blend") if blend else ("耙式加权估计", "raked estimate")
    count = np.ones(len(topics)) if counts is None else np.asarray(counts, dtype=float)
    note: dict[str, object] = {
        "voices": int(count.sum()),
        "uncoded": int(count[~has_topic.astype(bool).to_numpy()].sum()),
        "uncoded_note": ("未归类（其他）：编码器在这些声音中没有找到任何议题，"
                         "它们不进入议题份额的分母（份额以至少提出一项诉求的人为分母）。"
                         if zh else "Uncoded (other): the coder found no topic in these voices; agenda shares are taken "
                         "among voices raising at least one concern, so they are not in the denominator."),
    }
    if hand is None:
        note["hand_coded"] = 0
        note["warning"] = ("没有人工编码样本：区间假定编码器完全正确，编码错误带来的偏差和不确定性都没有计入。"
                           "用 tongxin code sample 抽样、人工编码后 tongxin code import 导入，即可校正。"
                           if zh else "No hand-coded sample: the intervals assume a perfect coder; its errors are in "
                           "neither the estimates nor the intervals. Draw one with tongxin code sample, code it, and "
                           "import it with tongxin code import to correct them.")
        return note
    accuracy = coder_accuracy(topics, hand)
    label = {code: (t.label if zh else t.label_en) for code, t in lexicon.topics.items()}
    note.update({
        "hand_coded": hand.n,
        "sample": hand.sample,
        "correction": ("所有方法都用人工编码样本做了校正（设计型监督学习 / 预测驱动推断，Egami 等 2023；"
                       "Angelopoulos 等 2023）：估计对编码器的错误无偏，区间包含编码误差。"
                       if zh else "Every method is corrected with the hand-coded sample (design-based supervised "
                       "learning / prediction-powered inference; Egami et al. 2023, Angelopoulos et al. 2023): unbiased "
                       "whatever the coder's errors, with intervals that include them.") + ((
                       f"多层模型（MRP）拟合的是编码器的 0/1 结果，因此加上{shift[0]}所见的编码误差（及其不确定性）；"
                       f"这假定模型对编码错误的反应与{shift[0]}相同。"
                       if zh else " MRP is fitted to the coder's 0/1 "
                       f"topics, so it adds the coder's error as the {shift[1]} sees it (with its uncertainty); this "
                       f"assumes the model responds to coding errors as the {shift[1]} does.") if mrp else "") + ((
                       f"另有 {hand.changed} 个人工编码的声音在抽样之后有了新的或改动的文档：人工编码针对的是旧文本，"
                       "因此不计入校正，同层其余已编码声音的权重相应放大（假定它们与其余声音无系统差别）；"
                       "用 tongxin code sample 重新抽样编码可消除这一假定。"
                       if zh else f" {hand.changed} hand-coded voice{'s' if hand.changed != 1 else ''} gained or "
                       "changed documents after the draw: the person coded their earlier texts, so they are left out of "
                       "the correction and the other coded voices of their stratum weigh more (assuming they do not "
                       "differ systematically); drawing and coding a new sample with tongxin code sample removes that "
                       "assumption.") if hand.changed else ""),
        "changed_after_draw": hand.changed,
        "accuracy": [
            {"topic": row.topic, "topic_label": label.get(str(row.topic), str(row.topic)),
             "coded_by_person": int(row.coded_by_person),
             "precision": None if pd.isna(row.precision) else round(float(row.precision), 3),
             "recall": None if pd.isna(row.recall) else round(float(row.recall), 3)}
            for row in accuracy.itertuples()
        ],
    })
    return note


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex of a file's bytes, recorded with a report's inputs."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def input_sha256(spec: str | Path) -> str:
    """SHA-256 of a margins input: the file, or for a shipped table (``census2020:全国``)
    the name and the shipped file it is read from."""
    if is_shipped(spec):
        return f"{spec} {file_sha256(CENSUS2020)}"
    return file_sha256(spec)
