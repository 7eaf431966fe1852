"""The ages each age cue allows, so that any age bands can place the writer."""
from __future__ import annotations

from datetime import date

import pytest

from opinion.text.cues import cue_age_range, cue_record, read_cues
from opinion.text.segment import normalize

TODAY = date(2026, 11, 27)


def ranges(text: str) -> list[tuple[str, tuple[int, int | None] | None]]:
    normalized = normalize(text)
    return [(c.rule, cue_age_range(c.attribute, c.value, c.rule, cue_record(c, normalized)["text"]))
            for c in read_cues(normalized, today=TODAY, normalized=True) if c.attribute in ("age", "age_group")]


@pytest.mark.parametrize(("text", "rule", "allowed"), [
    ("我今年72岁，腿脚不好", "self_age", (72, 72)),
    ("我七十多岁了，一个人住", "self_age", (70, 79)),
    ("我六十出头，还能干活", "self_age", (60, 63)),
    ("我是80后，房贷压力大", "generation", (36, 46)),  # born 1980-89
    ("我是一名退休工人", "retired", (50, None)),  # women retire at 50 or 55, men at 60
    ("我还差两年才能退休", "near_retirement", (45, 59)),
    ("孩子今年上小学了", "parent_young_child", (25, 44)),
    ("我是大学生", "student", (18, 29)),
])
def test_each_age_cue_allows_its_ages(text: str, rule: str, allowed: tuple[int, int | None]) -> None:
    assert (rule, allowed) in ranges(text)


def test_an_age_group_read_from_an_age_adds_nothing_of_its_own() -> None:
    found = ranges("我今年72岁")
    assert ("from_age", None) in found and ("self_age", (72, 72)) in found


def test_other_attributes_allow_no_ages() -> None:
    assert cue_age_range("sex", "female", "self_sex") is None
    assert cue_age_range("urban", "rural", "rural_life") is None
