"""The words a report's readers see, in Chinese (the default) and English.

Reports go to Chinese officials, researchers and journalists, so every label, heading and
explanation lives here once, keyed by language, instead of being scattered through the
templates and the charts.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from opinion.attributes import label
from opinion.errors import InputError

LANGUAGES = ("zh", "en")

# Order in which methods appear in tables, charts and legends: raw first, the headline
# corrected figure (blend) last, so it sits where the eye ends.
METHOD_ORDER = ("raw", "poststrat", "rake", "pseudo", "mrp", "survey", "blend")

_METHODS: dict[str, dict[str, str]] = {
    "zh": {
        "raw": "原始（网上，未加权）",
        "poststrat": "事后分层",
        "rake": "耙式加权",
        "pseudo": "伪权重",
        "mrp": "多层模型后分层",
        "survey": "入户调查",
        "blend": "融合（修正后）",
    },
    "en": {
        "raw": "Raw (online, unweighted)",
        "poststrat": "Post-stratified",
        "rake": "Raked",
        "pseudo": "Pseudo-weights",
        "mrp": "MRP",
        "survey": "Door-to-door survey",
        "blend": "Blend (corrected)",
    },
}

_VARIABLES: dict[str, dict[str, str]] = {
    "zh": {"age_group": "年龄", "sex": "性别", "urban": "城乡", "region": "地区", "education": "教育程度"},
    "en": {"age_group": "Age", "sex": "Sex", "urban": "Urban/rural", "region": "Region",
           "education": "Education"},
}

_ESTIMANDS: dict[str, dict[str, tuple[str, str]]] = {
    "zh": {
        "agenda_share": (
            "议题份额",
            "在至少提出一项诉求的人当中，提出该议题的人所占比例。",
        ),
        "prevalence": (
            "普遍程度",
            "在全体人口中提出该议题的人所占比例。只有询问每个人的入户调查能测量它，"
            "不能仅由网上声音估计。",
        ),
    },
    "en": {
        "agenda_share": (
            "agenda share",
            "among people who raise at least one concern, the share raising this topic.",
        ),
        "prevalence": (
            "prevalence",
            "among all people, the share raising this topic. Only the survey, which asks "
            "everyone, measures it; it is never estimated from online voices alone.",
        ),
    },
}

# Said of an estimand only when the report has both sources (a store with one cannot blend).
_BLENDABLE: dict[str, dict[str, str]] = {
    "zh": {"agenda_share": "网上声音和入户调查都能测量它，因此可以融合两类来源。"},
    "en": {"agenda_share": "Both online voices and the survey measure it, so the two sources can be blended."},
}

_NOTES: dict[str, dict[str, str]] = {
    "zh": {
        "documents": "抓取的文档数",
        "voices_online": "网上声音（人）",
        "respondents": "入户受访者（人）",
        "unknown": "属性未知的声音",
        "sources": "来源",
        "crawl_dates": "抓取日期",
        "method_notes": "各方法的假设",
        "convergence": "收敛情况",
        "deff": "设计效应",
        "seed": "随机种子",
        "version": "软件版本",
        "inputs": "输入文件（SHA-256）",
        "suppression": "小单元格隐去",
        "coding": "议题编码与人工核对",
        "topic_coder": "议题编码器",
        "joint_tables": "联合人口表（给出或估计）",
        "left_out": "未能计算的方法",
        "blend_mix": "融合方式",
        "not_estimable": "部分未能加权的方法",
        "crawl_runs": "抓取次数",
        "unknown_handling": "属性未知者的处理",
        "weighting_variables": "加权变量",
        "blend_groups": "融合分组",
        "ess": "有效样本量（Kish）",
        "replicates": "自助法重复样本数",
        "tone": "语气（未加权）",
        "source_agreement": "网上与入户调查在同一组内的比较",
        "parameters": "命令参数",
    },
    "en": {
        "documents": "Documents crawled",
        "voices_online": "Online voices (people)",
        "respondents": "Survey respondents",
        "unknown": "Voices with unknown attributes",
        "sources": "Sources",
        "crawl_dates": "Crawl dates",
        "method_notes": "What each method assumes",
        "convergence": "Convergence",
        "deff": "Design effect",
        "seed": "Random seed",
        "version": "Software version",
        "inputs": "Input files (SHA-256)",
        "suppression": "Small-cell suppression",
        "coding": "Topic coding, checked by a person",
        "topic_coder": "Topic coder",
        "joint_tables": "Joint population tables (given or estimated)",
        "left_out": "Methods that could not be computed",
        "blend_mix": "How the blend mixes the sources",
        "not_estimable": "Methods not weighted in part",
        "crawl_runs": "Crawl runs",
        "unknown_handling": "Voices with unknown attributes: how they are handled",
        "weighting_variables": "Weighting variables",
        "blend_groups": "Blend groups",
        "ess": "Effective sample size (Kish)",
        "replicates": "Bootstrap replicates",
        "tone": "Tone (unweighted)",
        "source_agreement": "Online against survey within the same group",
        "parameters": "Command parameters",
    },
}

_STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "contents": "目录",
        "headline": "各议题的份额：原始与修正",
        "estimand_intro": "数字为{estimand}：{definition}",
        "sorted_note": "按修正幅度排序（{corrected}与原始数字之差的绝对值从大到小）。",
        "headline_main": "修正后的主要数字是“{corrected}”。",
        "headline_only_raw": "本报告只有原始数字，没有修正方法。",
        "other_estimand": "另一口径：{estimand}",
        "interval_note": "方括号内为 95% 区间；n 为样本人数，ess 为有效样本量：ess 越小，数字越不确定。"
                         "区间按抽样设计的有效自由度取 t 分位数：每层只抽少数几个村时，区间会相应变宽。",
        "topic": "议题",
        "heard": "谁的声音被听到",
        "heard_intro": "各群体在人口、网上声音和入户调查中所占比例。",
        "variable": "属性",
        "level": "群体",
        "population_share": "人口占比",
        "online_share": "网上占比",
        "survey_share": "调查占比",
        "online_n": "网上人数",
        "survey_n": "调查人数",
        "blind_spot": "盲区",
        "blind_spot_legend": "红色标签为盲区",
        "share_axis": "占比（%）",
        "blind_spots": "盲区：两类来源中声音都太少的群体",
        "blind_spots_online": "盲区：网上声音太少的群体",
        "blind_spot_line": "{label}: 人口占 {population}，网上声音人数 {online_n}，入户受访人数 {survey_n}",
        "blind_spots_meaning": "这些群体在人口中真实存在，但声音太少，本报告的数字不能代表他们。"
                               "需要补充入户调查。",
        "no_blind_spots": "没有盲区：每个群体都至少有一类来源的声音足够。",
        "carry": "各来源承担了多少",
        "carry_intro": "融合时，每个群体的数字由网上声音和入户调查共同承担；“调查承担比例”是入户调查所占的权重。",
        "group": "群体",
        "online_ess": "网上有效样本量",
        "survey_ess": "调查有效样本量",
        "survey_fraction": "调查承担比例",
        "words": "高频词：原始与加权",
        "words_intro": "加权后，声音较少的群体按其人口比例计入。↑ 表示加权后排名上升，↓ 表示下降。",
        "words_cells": "本报告的网上声音按单元汇总（--cells），不含逐个声音的文本，因此没有词频；去掉 --cells 重新生成即可得到。",
        "word": "词",
        "raw_rank": "原始排名",
        "raw_share": "原始占比",
        "weighted_rank": "加权排名",
        "weighted_share": "加权占比",
        "rank_shift": "排名变化",
        "truth": "与已知真值对照",
        "truth_intro": "演示数据的真实人口份额已知，可检验各方法的区间是否覆盖真值。",
        "known_share": "真值",
        "covers": "覆盖",
        "covers_count": "覆盖真值的议题数",
        "yes": "是",
        "no": "否",
        "method": "方法与局限",
        "limits": "网上声音是自选样本：加权只校正所用属性（年龄、性别、城乡、地区）上的偏差；"
                  "同一群体中发帖者与不发帖者想法不同，这一点无法校正。盲区如实列出，不做填补。",
        "other_notes": "其他信息",
        "quotes": "示例原话（已脱敏）",
        "quotes_intro": "每个议题最多三条，超长部分已截断。",
        "missing": "—",
        "suppressed": "隐去",
        "suppression_note": "为保护个人，少于 {min_cell} 人的群体单元格显示为“隐去”；"
                            "为防止由合计反推，另有个别单元格一并隐去。",
        "plan": "下一步去哪里入户",
        "plan_intro": "按现有两类来源的有效样本量，建议在这些单元补做入户访问（±为 50% 份额的 95% 区间半宽，单位百分点）。",
        "plan_intro_online": "按各单元现有的网上声音，建议在这些单元补做入户访问（±为 50% 份额的 95% 区间半宽，单位百分点）。",
        "plan_cell": "单元",
        "plan_interviews": "建议访问数",
        "plan_before": "现在",
        "plan_after": "访问后",
        "by_group": "分群体的议题份额",
        "by_group_intro": "按{variable}分组，每组内提出各议题者所占比例（议题份额），95% 区间；不足 {min_cell} 人的格子隐去。",
        "keywords": "各群体的特色词",
        "keywords_intro": "每个群体中相对最突出的词（TF-IDF），及使用该词的人数；"
                          "使用人数少于 {min_cell} 人的词不列出。",
        "score": "得分",
        "voices": "使用人数",
        "headline_online": "网上声音说了什么：原始份额（未校正）",
        "online_only_main": "主要数字是网上声音的原始份额（每位作者算一次）：它描述网上发声者，不代表全体居民。"
                            "其余各列只作参考，原因见“不能校正什么”。",
        "left_out_note": "未列出的方法（无法计算）：{methods}。",
        "cannot": "不能校正什么，为什么",
        "plan_needed_intro": "要让校正成为可能：在下列单元共做 {interviews} 次入户访问，可使每个群体（{groups}）"
                             "50% 份额的 95% 区间半宽不超过 ±{half_width} 个百分点（网上声音按其所在单元计入）。",
        "plan_needed_unmet": "仍达不到精度的群体：{groups}。",
        "who_speaks": "谁在说话（网上声音对人口）",
        "who_speaks_line": "{label}：人口 {population}，网上 {online}（{online_n} 人）",
    },
    "en": {
        "html_lang": "en",
        "contents": "Contents",
        "headline": "Topic shares: raw and corrected",
        "estimand_intro": "Figures are {estimand}: {definition}",
        "sorted_note": "Sorted by how much the correction moved each topic (largest gap between "
                       "\u201c{corrected}\u201d and raw first).",
        "headline_main": "The headline corrected figure is \u201c{corrected}\u201d.",
        "headline_only_raw": "This report has raw figures only, no corrected method.",
        "other_estimand": "Other estimand: {estimand}",
        "interval_note": "Brackets hold 95% intervals; n is the number of people, ess the effective "
                         "sample size: the smaller the ess, the less certain the figure. Intervals use "
                         "Student's t at the sampling design's effective degrees of freedom: a survey of "
                         "few villages per stratum gives wide intervals.",
        "topic": "Topic",
        "heard": "Who is heard",
        "heard_intro": "Each group's share of the population, of online voices and of survey respondents.",
        "variable": "Attribute",
        "level": "Group",
        "population_share": "Population",
        "online_share": "Online",
        "survey_share": "Survey",
        "online_n": "Online n",
        "survey_n": "Survey n",
        "blind_spot": "Blind spot",
        "blind_spot_legend": "Blind spots in red",
        "share_axis": "Share (%)",
        "blind_spots": "Blind spots: groups with too few voices in both sources",
        "blind_spots_online": "Blind spots: groups with too few online voices",
        "blind_spot_line": "{label}: {population} of the population; online voices: {online_n}; "
                           "survey respondents: {survey_n}",
        "blind_spots_meaning": "These groups are really there in the population but speak too little "
                               "for this report's figures to represent them. More door-to-door "
                               "interviews are needed.",
        "no_blind_spots": "No blind spots: every group has enough voices in at least one source.",
        "carry": "How much each source carried",
        "carry_intro": "In the blend, each group's figure is carried by online voices and the survey together; "
                       "\u201cCarried by survey\u201d is the survey's weight.",
        "group": "Group",
        "online_ess": "Online ess",
        "survey_ess": "Survey ess",
        "survey_fraction": "Carried by survey",
        "words": "Top words: raw and weighted",
        "words_intro": "Weighted, the groups that speak little count by their population share. "
                       "\u2191 the word rose once weighted, \u2193 it fell.",
        "words_cells": ("This report counts online voices by cell (--cells), without each voice's text, so it has no "
                        "word table; run it without --cells for one."),
        "word": "Word",
        "raw_rank": "Raw rank",
        "raw_share": "Raw share",
        "weighted_rank": "Weighted rank",
        "weighted_share": "Weighted share",
        "rank_shift": "Rank shift",
        "truth": "Against the known truth",
        "truth_intro": "The demo's true population shares are known, so each method's interval can be "
                       "checked for covering them.",
        "known_share": "Truth",
        "covers": "Covers",
        "covers_count": "Topics whose truth is covered",
        "yes": "yes",
        "no": "no",
        "method": "Method and limits",
        "limits": "Online voices select themselves: weighting corrects only the attributes used (age, "
                  "sex, urban/rural, region); if people who post think differently from people of the "
                  "same group who do not, nothing here corrects that. Blind spots are shown, not filled.",
        "other_notes": "Other information",
        "quotes": "Example quotes (masked)",
        "quotes_intro": "At most three per topic; long ones are cut short.",
        "missing": "\u2014",
        "suppressed": "suppressed",
        "suppression_note": "To protect individuals, group cells with fewer than {min_cell} people show "
                            "as \u201csuppressed\u201d; a few more cells are hidden so that totals cannot "
                            "give them back.",
        "plan": "Where to knock next",
        "plan_intro": "From the effective sample sizes of both sources, the interviews recommended per cell "
                      "(± is the 95% interval half-width of a 50% share, in points).",
        "plan_intro_online": "From the online voices now in each cell, the interviews recommended per cell (± is the 95% "
                             "interval half-width of a 50% share, in points).",
        "plan_cell": "Cell",
        "plan_interviews": "Interviews",
        "plan_before": "Now",
        "plan_after": "After",
        "by_group": "Concerns by group",
        "by_group_intro": "Agenda shares within each level of {variable}, with 95% intervals; "
                          "cells with fewer than {min_cell} voices are suppressed.",
        "keywords": "Distinctive words per group",
        "keywords_intro": "The words most distinctive of each group (TF-IDF) and how many people used "
                          "them; words used by fewer than {min_cell} people are not listed.",
        "score": "Score",
        "voices": "People",
        "headline_online": "What online voices say: raw shares (not corrected)",
        "online_only_main": "The main figures are the raw shares of online voices (each author once): they describe "
                            "who posts, not residents. The other columns are for reference only; see \u201cWhat "
                            "cannot be corrected\u201d for why.",
        "left_out_note": "Methods not shown (they could not be computed): {methods}.",
        "cannot": "What cannot be corrected, and why",
        "plan_needed_intro": "To make the correction possible: {interviews} door-to-door interviews in the cells "
                             "below bring every group ({groups}) to a 95% interval half-width of at most "
                             "\u00b1{half_width} points for a 50% share (online voices count in their cells).",
        "plan_needed_unmet": "Groups still short of that precision: {groups}.",
        "who_speaks": "Who is speaking (online voices against the population)",
        "who_speaks_line": "{label}: population {population}, online {online} ({online_n} voices)",
    },
}


# The carry section's intro for each blend mix (opinion.estimates.blend.MIXES).
_CARRY_INTROS: dict[str, dict[str, str]] = {
    "zh": {
        "composite": "融合时，每个群体内逐议题按均方误差合并网上声音和入户调查（Elliott & Haviland 2007）："
                     "两者一致时网上声音承担更多，不一致时以入户调查为主；网上几乎无声音的组由入户调查承担。"
                     "“调查承担比例”是各议题中入户调查所占权重的平均值；有效样本量只说明各来源有多少信息，"
                     "并不决定这一比例。",
        "ess": "融合时，每个群体的数字由网上声音和入户调查按有效样本量共同承担（各议题相同，假定组内两类来源关心的相同）。",
    },
    "en": {
        "composite": "In the blend, online voices and the survey are mixed within each group, topic by topic, by mean "
                     "squared error (Elliott & Haviland 2007): where they agree the web carries more, where they do "
                     "not the survey carries most; groups nearly silent online are carried by the survey. "
                     "\u201cCarried by survey\u201d is the survey's weight averaged over topics; the effective sample "
                     "sizes show how much each source holds, not how the weight was set.",
        "ess": "In the blend, each group's figure is carried by online voices and the survey in proportion to their "
               "effective sample sizes (the same for every topic; assumes both sources of a group share the concern).",
    },
}


def blend_mix_code(label: object) -> str | None:
    """The mix (``composite``, ``ess``) a ``blend_mix`` provenance note names: its label
    starts with the code (``composite：逐议题…``, ``ess: by effective sample size``)."""
    code = re.split(r"[:：\s]", str(label).strip(), maxsplit=1)[0] if label is not None else ""
    return code if code in _CARRY_INTROS["en"] else None


def carry_intro(mix: str | None, lang: str) -> str:
    """What the carry section's figures mean under the blend's ``mix``; for an unknown mix,
    what they mean under any."""
    intros = _CARRY_INTROS[check_lang(lang)]
    return intros[mix] if mix in intros else strings(lang)["carry_intro"]


def check_lang(lang: str) -> str:
    """Return ``lang`` if reports can be written in it; a clear error otherwise."""
    if lang not in LANGUAGES:
        raise InputError(f"report language {lang!r} is not supported: use one of {', '.join(LANGUAGES)}")
    return lang


def strings(lang: str) -> Mapping[str, str]:
    """The fixed report texts (headings, explanations, column names) in ``lang``."""
    return _STRINGS[check_lang(lang)]


def method_label(method: str, lang: str) -> str:
    """The reader's name for an estimation method; unknown methods show their code."""
    return _METHODS[check_lang(lang)].get(method, method)


def method_sort_key(method: str) -> tuple[int, str]:
    """Sort key putting known methods in :data:`METHOD_ORDER`, others after, alphabetically."""
    return (METHOD_ORDER.index(method), "") if method in METHOD_ORDER else (len(METHOD_ORDER), method)


def variable_label(variable: str, lang: str) -> str:
    """The reader's name for a weighting attribute (年龄, Age, ...); joint ones as 年龄×城乡."""
    names = _VARIABLES[check_lang(lang)]
    return "×".join(names.get(part, part) for part in variable.split("*"))


def level_label(variable: str, level: str, lang: str) -> str:
    """A level's label when the coverage table gives none (60岁及以上, 60+, ...)."""
    return label(variable, level, check_lang(lang))


def estimand_label(estimand: str, lang: str) -> str:
    """Short name of an estimand (议题份额, agenda share)."""
    return _ESTIMANDS[check_lang(lang)].get(estimand, (estimand, ""))[0]


def estimand_definition(estimand: str, lang: str, both_sources: bool = True) -> str:
    """One-sentence definition of an estimand, so no reader confuses agenda share with prevalence;
    with ``both_sources`` (online voices and a survey in the report), whether they can be blended."""
    definition = _ESTIMANDS[check_lang(lang)].get(estimand, (estimand, estimand))[1]
    blendable = _BLENDABLE[lang].get(estimand) if both_sources else None
    return f"{definition}{'' if lang == 'zh' else ' '}{blendable}" if blendable else definition


# Keys inside a provenance note's table (suppression, coder, tone, source agreement).
_NOTE_KEYS: dict[str, dict[str, str]] = {
    "zh": {
        "min_cell": "最小单元格", "primary": "直接隐去的单元格", "complementary": "为防反推而隐去的单元格",
        "keywords_dropped": "隐去的关键词", "coder": "编码器", "kind": "类型", "fingerprint": "指纹",
        "groups_tested": "比较的组数", "comparisons": "比较次数", "differ": "差异显著（5% 水平）",
        "expected_by_chance": "纯属偶然时预期的显著次数", "largest": "差异最大的几项", "caveat": "说明",
        "voices": "声音（人）", "positive": "正面", "neutral": "中性", "negative": "负面",
        "online": "网上声音", "survey": "入户调查", "plan_cells": "入户计划中隐去区间半宽的单元",
    },
    "en": {
        "min_cell": "Smallest cell shown", "primary": "Cells suppressed", "complementary":
        "Cells suppressed so the others cannot be worked back", "keywords_dropped": "Keywords suppressed",
        "coder": "Coder", "kind": "Kind", "fingerprint": "Fingerprint", "groups_tested": "Groups compared",
        "comparisons": "Comparisons", "differ": "Differ at the 5% level", "expected_by_chance":
        "Expected to differ by chance alone", "largest": "Largest differences", "caveat": "Caveat",
        "voices": "Voices (people)", "positive": "Positive", "neutral": "Neutral", "negative": "Negative",
        "online": "Online voices", "survey": "Survey", "plan_cells": "Visit-plan cells whose half-widths are hidden",
    },
}


def note_key_label(key: str, lang: str) -> str:
    """Label of a key inside a provenance note's table; other keys show as given."""
    return _NOTE_KEYS[check_lang(lang)].get(key, key)


def note_label(key: str, lang: str) -> str:
    """Label of a known provenance note; other keys show as given."""
    return _NOTES[check_lang(lang)].get(key, key)


KNOWN_NOTES = tuple(_NOTES["en"])


def _small_share(share: float) -> str:
    """A share in whole percent, except near 0 or 100%, where that would round a few voices
    away: ``0.3%``, ``<0.1%``, ``99.7%``, ``>99.9%`` (0 and 100% stay exact)."""
    if share <= 0 or share >= 1:
        return f"{share:.0%}"
    if share < 0.0005:
        return "<0.1%"
    if share > 0.9995:
        return ">99.9%"
    return f"{share:.1%}" if share < 0.01 or share > 0.99 else f"{share:.0%}"


def coding_lines(note: Mapping[str, object], lang: str) -> list[tuple[str, str]]:
    """The ``coding`` note as (label, text) pairs: voices coded to no topic, then either the
    warning that no person checked the coder or the correction and the coder's measured
    precision and recall per topic."""
    zh = check_lang(lang) == "zh"
    voices, uncoded = int(str(note.get("voices", 0))), int(str(note.get("uncoded", 0)))
    share = _small_share(uncoded / voices) if voices else "–"
    name = "未归类（其他）" if zh else "Uncoded (other)"
    # the note's own text may open with the label the line already has: say it once
    explained = re.sub(rf"^\s*{re.escape(name)}\s*[:：]\s*", "", str(note.get("uncoded_note", "")))
    lines = [(name, (f"{uncoded} / {voices} 个声音（{share}）。" if zh else f"{uncoded} of {voices} voices ({share}). ")
              + explained[:1].upper() + explained[1:])]
    if not note.get("hand_coded"):
        lines.append(("人工编码样本" if zh else "Hand-coded sample", str(note.get("warning", ""))))
        return lines
    lines.append(("人工编码样本" if zh else "Hand-coded sample",
                  (f"{note['hand_coded']} 个声音（样本 {note.get('sample')}）。" if zh
                   else f"{note['hand_coded']} voices (sample {note.get('sample')}). ") + str(note.get("correction", ""))))
    rows = note.get("accuracy")
    for row in rows if isinstance(rows, list) else []:
        precision = "–" if row.get("precision") is None else f"{row['precision']:.2f}"
        recall = "–" if row.get("recall") is None else f"{row['recall']:.2f}"
        lines.append((str(row.get("topic_label", row.get("topic"))),
                      (f"编码器精确率 {precision}，召回率 {recall}（人工标出 {row.get('coded_by_person')} 个）" if zh
                       else f"coder precision {precision}, recall {recall} ({row.get('coded_by_person')} marked by the person)")))
    return lines
