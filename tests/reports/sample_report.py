"""A small, fully known report (hostile text included) shared by the report tests."""
from __future__ import annotations

import pandas as pd

from opinion.reports.data import ReportData

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
LONG_QUOTE = "村里的路" * 60

# Raw and blend figures chosen so that correction moves eldercare most (0.12), then
# healthcare (0.04), then transport (0.01): the order the headline must show.
RAW = {"healthcare": 0.30, "eldercare": 0.10, "transport": 0.25}
BLEND = {"healthcare": 0.34, "eldercare": 0.22, "transport": 0.26}
LABELS = {"healthcare": "医疗", "eldercare": "养老", "transport": "交通/农村公路"}


def estimate_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for topic in ("healthcare", "eldercare", "transport"):
        values = {"raw": RAW[topic], "rake": RAW[topic] + 0.03, "survey": BLEND[topic] + 0.013,
                  "blend": BLEND[topic]}
        for method, value in values.items():
            rows.append({"topic": topic, "topic_label": LABELS[topic], "method": method,
                         "estimand": "agenda_share", "estimate": value, "se": 0.021,
                         "ci_low": value - 0.041, "ci_high": value + 0.043,
                         "n": 300 if method == "survey" else 812, "ess": 812.0 if method == "raw" else 240.6})
    rows.append({"topic": "healthcare", "topic_label": "医疗", "method": "survey", "estimand": "prevalence",
                 "estimate": 0.187, "se": 0.02, "ci_low": 0.148, "ci_high": 0.226, "n": 300, "ess": 281.0})
    return rows


def make_data(lang: str = "zh", truth: bool = True, carry: bool = True) -> ReportData:
    coverage = pd.DataFrame([
        {"variable": "age_group", "level": "18-29", "level_label": "18-29岁" if lang == "zh" else "18-29",
         "population_share": 0.2, "online_share": 0.5, "survey_share": 0.15, "online_n": 400, "survey_n": 45,
         "blind_spot": False},
        {"variable": "age_group", "level": "60+", "level_label": "60岁及以上 乡村" if lang == "zh" else "60+ rural",
         "population_share": 0.14, "online_share": 0.0012, "survey_share": 0.01, "online_n": 1, "survey_n": 3,
         "blind_spot": True},
        {"variable": "urban", "level": "rural", "level_label": "乡村" if lang == "zh" else "rural",
         "population_share": 0.36, "online_share": 0.1, "survey_share": 0.5, "online_n": 80, "survey_n": 150,
         "blind_spot": False},
    ])
    words = pd.DataFrame([
        {"word": "医院", "raw_share": 0.05, "raw_rank": 1, "weighted_share": 0.04, "weighted_rank": 3,
         "rank_shift": -2},
        {"word": "养老|金", "raw_share": 0.03, "raw_rank": 3, "weighted_share": 0.06, "weighted_rank": 1,
         "rank_shift": 2},
        {"word": "修路", "raw_share": 0.0002, "raw_rank": 2, "weighted_share": 0.045, "weighted_rank": 2,
         "rank_shift": 0},
    ])
    return ReportData(
        title="某县民意报告 <测试>",
        estimates=pd.DataFrame(estimate_rows()),
        coverage=coverage,
        words=words,
        carry=pd.DataFrame([{"group": "60+|rural", "group_label": "60岁及以上 乡村", "population_share": 0.14,
                             "online_ess": 0.8, "survey_ess": 2.7, "survey_fraction": 0.77}]) if carry else None,
        truth=pd.DataFrame({"topic": ["healthcare", "eldercare", "transport"],
                            "share": [0.35, 0.30, 0.26]}) if truth else None,
        quotes={"healthcare": [SCRIPT, IMG, JS_URL, "第四条不应出现"], "eldercare": [LONG_QUOTE]},
        notes={"documents": 1200, "voices_online": 812, "respondents": 300,
               "unknown": {"age_group": 121, "sex": 40}, "sources": ["县长信箱", "本地论坛"],
               "crawl_dates": ["2024-01-01", "2024-03-31"],
               "method_notes": {"blend": "groups missing at random given age, sex and urban"},
               "convergence": {"rake": "converged in 7 iterations"}, "deff": {"blend": 3.384},
               "seed": 20240501, "version": "0.1.0", "inputs": {"survey.csv": "0f" * 32},
               "analyst_remark": "x < y & z"},
        lang=lang,
    )


