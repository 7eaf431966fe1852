"""What a report can say, given the sources in the store and the tables in the margins.

A store may hold online voices and survey respondents (the full report), online voices
only (a new user's first crawl) or respondents only. Without respondents nothing corrects
for the groups that are silent online, so the report leads with what the voices say
(raw shares), who is speaking against the population, the blind spots, what it cannot
correct and why, and how many door-to-door interviews in which groups would make the
correction possible. Methods that could not be computed at all are left out of the
tables, each with its reason, instead of showing a column of dashes.

The margins may lack a joint table the blend, MRP or the visit plan needs; the report
says which joint tables were given and which were estimated, and from what
(:mod:`weighting.joint`).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from opinion.estimates.methods import Problems
from opinion.reports import i18n
from opinion.reports.data import ReportData
from weighting.joint import GIVEN, SURVEY, JointSource

__all__ = ["BOTH", "MODES", "ONLINE_ONLY", "SURVEY_ONLY", "cannot_correct", "joint_tables", "joint_tables_note",
           "left_out_methods", "method_problem", "report_mode", "report_title", "scope_view"]

BOTH, ONLINE_ONLY, SURVEY_ONLY = "both", "online_only", "survey_only"
MODES = (BOTH, ONLINE_ONLY, SURVEY_ONLY)

_NEEDS_SURVEY = ("survey", "blend", "pseudo")
_NEEDS_ONLINE = ("raw", "rake", "pseudo")


def report_mode(voices: pd.DataFrame) -> str:
    """``both``, ``online_only`` or ``survey_only``: which sources the store holds."""
    sources = set(voices["source"])
    if "survey" not in sources:
        return ONLINE_ONLY
    if "online" not in sources:
        return SURVEY_ONLY
    return BOTH


def left_out_methods(estimates: pd.DataFrame, mode: str, problems: Problems, lang: str) -> dict[str, str]:
    """Methods with no estimate for any topic, each with why (method code -> reason for readers)."""
    zh = lang == "zh"
    reasons = {}
    for method, rows in estimates.groupby("method", sort=False):
        if rows["estimate"].map(lambda v: isinstance(v, int | float) and math.isfinite(v)).any():
            continue
        code = str(method)
        if mode == ONLINE_ONLY and code in _NEEDS_SURVEY:
            reasons[code] = "需要入户调查受访者，库中没有" if zh else "needs survey respondents; the store has none"
        elif mode == SURVEY_ONLY and code in _NEEDS_ONLINE:
            reasons[code] = "需要网上声音，库中没有" if zh else "needs online voices; the store has none"
        elif code in problems:
            reasons[code] = method_problem(problems, code, lang)
        else:
            reasons[code] = "没有可用的样本" if zh else "no usable sample"
    return reasons


def method_problem(problems: Problems, method: str, lang: str) -> str:
    """Why ``method`` failed, in ``lang`` (:meth:`~opinion.estimates.methods.Problems.text`)."""
    reason = problems.text(method, lang)
    if lang == "zh":  # the weighting variable a Chinese reason starts with, in the reader's words
        reason = re.sub(r"(?<![\w'])([a-z_]+(?:\*[a-z_]+)*)：", lambda m: i18n.variable_label(m.group(1), lang) + "：",
                        reason, count=1)
    return reason


def report_title(mode: str, lang: str) -> str:
    if mode == ONLINE_ONLY:
        return "网上声音报告（未经入户调查校正）" if lang == "zh" else "Online voices report (not corrected: no survey)"
    return "舆情代表性校正报告" if lang == "zh" else "Representation-corrected opinion report"


def cannot_correct(mode: str, lang: str, blind_spots: Sequence[str] = ()) -> str | None:
    """What the report cannot correct and why, when a source is missing; None with both."""
    zh = lang == "zh"
    if mode == ONLINE_ONLY:
        silent = "、".join(blind_spots) if zh else ", ".join(blind_spots)
        text = ("库中只有网上声音，没有入户调查，因此本报告不能校正代表性：网上发声者比全体居民更年轻、更城镇化，"
                "而几乎不上网的群体的关切无从得知。按人口结构加权网上声音（耙式加权）只能在同一组内以发声者代替不发声者，"
                "对网上几乎无声的组只是把极少数人放大，不能代替询问他们。融合、入户调查和伪权重都需要入户受访者。"
                if zh else
                "The store holds online voices only, no door-to-door survey, so this report cannot correct for who is "
                "missing: people who post are younger and more urban than residents, and the concerns of groups that "
                "are barely online are unknown. Raking the online voices to the population only lets the posters of a "
                "group stand for those who do not post; for a group nearly silent online it stretches a handful of "
                "people, which is no substitute for asking them. The blend, the survey estimate and pseudo-weights all "
                "need survey respondents.")
        if blind_spots:
            text += (f"盲区（无人代表）：{silent}。" if zh else f" Blind spots (nobody speaks for them): {silent}.")
        text += ("下面的入户计划说明在哪些组做多少次访问才能进行校正。" if zh else
                 " The visit plan below says how many interviews in which groups would make the correction possible.")
        return text
    if mode == SURVEY_ONLY:
        return ("库中只有入户调查受访者，没有网上声音：数字来自入户调查（校准到人口结构），"
                "网上声音的原始份额、耙式加权和伪权重无从计算。" if zh else
                "The store holds survey respondents only, no online voices: the figures come from the survey "
                "(calibrated to the population); raw online shares, raking and pseudo-weights cannot be computed.")
    return None


def joint_tables(sources: Iterable[JointSource]) -> list[dict[str, object]]:
    """The joint tables used, as data: variable, method (given/survey/independence), the
    margins' tables it was raked to, and the respondents it was estimated from."""
    return [{"variable": s.variable, "method": s.method, "basis": list(s.basis), "respondents": s.respondents}
            for s in sources]


def joint_tables_note(sources: Iterable[JointSource], lang: str, replicated: Sequence[str] = ()) -> dict[str, str]:
    """For readers: each joint table (年龄×城乡) and whether it was given or estimated, from what.

    ``replicated``: joint variables re-estimated in every bootstrap replicate (the blend groups)."""
    zh = lang == "zh"
    note = {}
    for source in sources:
        name = i18n.variable_label(source.variable, lang)
        tables = "、".join(i18n.variable_label(b, lang) for b in source.basis) if zh else \
            ", ".join(i18n.variable_label(b, lang) for b in source.basis)
        if source.method == GIVEN:
            text = f"人口表中给出（{tables}）" if zh else f"given by the margins ({tables})"
        elif source.method == SURVEY:
            again = source.variable in replicated
            text = (f"人口表中没有，由 {source.respondents} 位入户受访者（设计权重）按人口表的 {tables} 耙式加权估计"
                    + ("，每个重复样本重新估计，区间包含其不确定性" if again else "")
                    if zh else
                    f"not in the margins; estimated by raking {source.respondents} survey respondents (design weights) "
                    f"to the margins' {tables}" + (", again in every replicate, so the intervals carry its uncertainty"
                                                   if again else ""))
        else:
            text = (f"人口表中没有，也没有入户受访者：取 {tables} 的乘积，即假定它们相互独立"
                    "（2020 年普查中乡村人口比城镇更老，独立假定会低估农村老年人的比重）"
                    if zh else
                    f"not in the margins and no survey respondents: the product of the margins' {tables}, i.e. "
                    "assumed independent (in the 2020 census rural residents are older than urban ones, so this "
                    "understates the rural elderly)")
        note[name] = text
    return note


def scope_view(data: ReportData) -> dict[str, Any]:
    """What the report can say with the sources it has: the headline's heading, the lead for
    an online-only store, the methods left out and why, what cannot be corrected, and the
    interviews a correction needs (see :mod:`opinion.reports.scope`)."""
    lang, text, notes = data.lang, i18n.strings(data.lang), data.notes
    online_only = data.mode == "online_only"
    sep = "；" if lang == "zh" else "; "
    left = notes.get("left_out") if isinstance(notes.get("left_out"), dict) else {}
    plan = notes.get("visit_plan") if isinstance(notes.get("visit_plan"), dict) else {}
    needed = unmet = None
    if online_only and plan and plan.get("budget") is None:
        by = [str(v) for v in plan.get("by", [])]
        groups = by + (["age_group*urban"] if "age_group" in by and "urban" in by else [])
        needed = text["plan_needed_intro"].format(
            interviews=plan.get("interviews"), half_width=f"{100 * float(plan.get('half_width', 0.08)):.0f}",
            groups=("、" if lang == "zh" else ", ").join(i18n.variable_label(g, lang) for g in groups))
        if plan.get("unmet"):
            unmet = text["plan_needed_unmet"].format(groups=", ".join(map(str, plan["unmet"])))
    return {
        "mode": data.mode,
        "heading": text["headline_online"] if online_only else text["headline"],
        "main": text["online_only_main"] if online_only else None,
        "left_out": text["left_out_note"].format(methods=sep.join(
            f"{i18n.method_label(str(m), lang)}（{r}）" if lang == "zh" else f"{i18n.method_label(str(m), lang)} ({r})"
            for m, r in left.items())) if left else None,
        "cannot_correct": notes.get("cannot_correct"),
        "plan_needed": needed,
        "plan_unmet": unmet,
    }
