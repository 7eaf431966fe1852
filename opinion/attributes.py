"""The weighting attributes of a voice, their levels, and the Chinese labels accepted for them.

Levels are English codes inside the code; Chinese labels appear only at the edges
(CSV files, pages, reports) and are mapped here, once.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

UNKNOWN = "unknown"

AGE_GROUPS = ("18-29", "30-44", "45-59", "60+")
SEXES = ("male", "female")
URBAN = ("urban", "rural")

LEVELS: dict[str, tuple[str, ...]] = {"age_group": AGE_GROUPS, "sex": SEXES, "urban": URBAN}

ATTRIBUTES = ("region", "urban", "age_group", "sex")

# Provenance of an attribute value, strongest first: site metadata outranks text cues.
PROVENANCE = ("survey", "site", "text", "unknown")

LABELS_ZH: dict[str, dict[str, str]] = {
    "sex": {"male": "男", "female": "女"},
    "urban": {"urban": "城镇", "rural": "乡村"},
    "age_group": {"18-29": "18-29岁", "30-44": "30-44岁", "45-59": "45-59岁", "60+": "60岁及以上"},
}

_ALIASES: dict[str, dict[str, str]] = {
    "sex": {"男": "male", "女": "female", "m": "male", "f": "female", "男性": "male", "女性": "female"},
    "urban": {"城镇": "urban", "城市": "urban", "乡村": "rural", "农村": "rural", "城": "urban", "乡": "rural"},
    "age_group": {"60岁及以上": "60+", "60岁以上": "60+"},
}


def normalise_level(variable: str, value: object) -> str | None:
    """Map a label (English code or Chinese) to the level code; None if it is not one."""
    text = str(value).strip()
    if not text:
        return None
    levels = LEVELS.get(variable)
    if levels is None:
        return text
    if text.lower() in levels:
        return text.lower()
    if text in levels:
        return text
    alias = _ALIASES.get(variable, {}).get(text) or _ALIASES.get(variable, {}).get(text.lower())
    if alias:
        return alias
    for code, label in LABELS_ZH.get(variable, {}).items():
        if text == label:
            return code
    return None


def age_group(age: int) -> str | None:
    """The age group of an adult; None under 18 (outside the population the tool weights to)."""
    if age < 18:
        return None
    if age < 30:
        return "18-29"
    if age < 45:
        return "30-44"
    if age < 60:
        return "45-59"
    return "60+"


_BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|(\+))$")


def label(variable: str, level: str, lang: str = "zh") -> str:
    """The reader's label of a level: 城镇, 60岁及以上; an age band the margins use (30-39,
    70+) as 30-39岁 / 70岁及以上."""
    if lang == "zh":
        known = LABELS_ZH.get(variable, {}).get(level)
        if known is not None:
            return known
        if level == UNKNOWN:
            return "未知"
        band = _BAND.match(level) if variable == "age_group" else None
        if band is not None:
            return f"{band.group(1)}岁及以上" if band.group(3) else f"{band.group(1)}-{band.group(2)}岁"
        return level
    return level


def joint_label(variables: Sequence[str], level: str, lang: str = "zh") -> str:
    """The label of a joint level such as ``60+*rural`` over ``age_group, urban``: 60岁及以上×乡村."""
    return "×".join(label(v, lv, lang) for v, lv in zip(variables, level.split("*"), strict=False))
