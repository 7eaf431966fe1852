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
    "Store": "opinion.store.db",
    "open_store": "opinion.store.db",
    "mask_pii": "opinion.text.masking",
    "Segmenter": "opinion.text.segment",
    "normalize": "opinion.text.segment",
    "load_topics": "opinion.text.topics",
    "code_topics": "opinion.text.topics",
    "extract_cues": "opinion.text.cues",
    "load_gazetteer": "opinion.text.cues",
    "import_survey": "opinion.surveys.importer",
    "load_codebook": "opinion.surveys.importer",
    "online_voices": "opinion.estimates.voices",
    "survey_voices": "opinion.estimates.voices",
    "all_voices": "opinion.estimates.voices",
    "estimate_with_intervals": "opinion.estimates.methods",
    "point_estimates": "opinion.estimates.methods",
    "build_report": "opinion.reports.build",
    "load_margins": "weighting.targets",
    "ReportOptions": "opinion.reports.build",
    "ReportData": "opinion.reports.data",
    "render_html": "opinion.reports.render",
    "render_markdown": "opinion.reports.render",
    "mrp_estimates": "opinion.estimates.mrp",
    "source_agreement": "opinion.estimates.assumptions",
    "tone_table": "opinion.text.tone",
    "group_keywords": "opinion.text.keywords",
    "plan_interviews": "opinion.estimates.plan",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'opinion' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
