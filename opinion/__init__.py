"""tongxin's domain core: store, voices, text measures, survey import, estimates, reports.

For notebooks::

    from opinion import open_store, build_report, load_margins
    with open_store("tongxin.db") as store:
        data = build_report(store, load_margins("margins.csv"))
    data.estimates  # topic x method, with 95% intervals

Names are imported on first use, so ``import opinion`` stays fast.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TongxinError": "opinion.errors",
    "InputError": "opinion.errors",
    "StoreError": "opinion.errors",
    "Store": "opinion.store",
    "open_store": "opinion.store",
    "mask_pii": "opinion.masking",
    "Segmenter": "opinion.text",
    "normalize": "opinion.text",
    "load_topics": "opinion.topics",
    "code_topics": "opinion.topics",
    "extract_cues": "opinion.cues",
    "load_gazetteer": "opinion.cues",
    "import_survey": "opinion.survey",
    "load_codebook": "opinion.survey",
    "online_voices": "opinion.voices",
    "survey_voices": "opinion.voices",
    "all_voices": "opinion.voices",
    "estimate_with_intervals": "opinion.estimators",
    "point_estimates": "opinion.estimators",
    "build_report": "opinion.pipeline",
    "load_margins": "opinion.pipeline",
    "ReportOptions": "opinion.pipeline",
    "ReportData": "opinion.report_data",
    "render_html": "opinion.report",
    "render_markdown": "opinion.report",
    "run_demo": "opinion.demo",
    "mrp_estimates": "opinion.mrp",
    "source_agreement": "opinion.assumptions",
    "tone_table": "opinion.tone",
    "group_keywords": "opinion.keywords",
    "plan_interviews": "opinion.plan",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'opinion' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
