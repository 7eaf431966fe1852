"""Survey answers keep the ages they allow (schema 7), so any age bands can place them."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from opinion.estimates.voices import survey_voices
from opinion.store.db import SCHEMA_VERSION, open_store, respondents
from opinion.surveys.importer import import_survey

HEADER = "编号,性别,年龄,出生年份,城乡,镇,最关心的问题"
ROWS = ["A1,男,72,,乡村,柳林乡,看病难", "A2,女,25~29岁,,城镇,城关镇,房价高", "A3,男,60岁以上,,乡村,河口乡,养老",
        "A4,女,,1981,城镇,城关镇,上学难"]


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def ages(store) -> dict[str, tuple[int | None, int | None, str | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(respondents.c.place, respondents.c.region, respondents.c.age_lo,
                                      respondents.c.age_hi, respondents.c.age_group)).all()
    return {f"{r.region}:{r.age_group}": (r.age_lo, r.age_hi, r.age_group) for r in rows}


def test_exact_ages_ranges_and_open_ranges_are_stored(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        import_survey(store, write(tmp_path / "s.csv", ROWS), interview_year=2026)
        voices = survey_voices(store)
    by_group = sorted(zip(voices["age_group"], voices["age_lo"].tolist(), voices["age_hi"].tolist(), strict=True),
                      key=lambda r: r[1])
    # 1981 in 2026: 45 reached this year, 44 or 45 completed; the group follows the age reached
    assert by_group[0][0] == "18-29" and by_group[0][1:] == (25.0, 29.0)
    assert by_group[1][0] == "45-59" and by_group[1][1:] == (44.0, 45.0)
    assert by_group[2][0] == "60+" and by_group[2][1] == 60.0 and by_group[2][2] != by_group[2][2]  # open: NaN
    assert by_group[3][0] == "60+" and by_group[3][1:] == (72.0, 72.0)


def test_a_store_of_schema_6_gains_the_age_columns_and_keeps_its_respondents(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with open_store(db) as store:
        import_survey(store, write(tmp_path / "s.csv", ROWS[:2]), interview_year=2026)
    con = sqlite3.connect(db)
    for column in ("age_lo", "age_hi", "stratum"):  # added by the steps 6 -> 7 and 7 -> 8
        con.execute(f"ALTER TABLE respondents DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with open_store(db) as store:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar_one() \
                == str(SCHEMA_VERSION) == "11"
        voices = survey_voices(store)
        # imported before: no ages kept, so the stored group's own band stands for them
        assert sorted(voices["age_group"]) == ["18-29", "60+"]
        assert sorted(voices["age_lo"].tolist()) == [18.0, 60.0]
        import_survey(store, write(tmp_path / "t.csv", ROWS[2:3]), interview_year=2026)
        assert (60, None, "60+") in ages(store).values()
