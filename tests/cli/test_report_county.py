"""A county whose census table has ten-year age bands and one-way margins only: ``report``,
``words``, ``plan`` and ``estimate`` run, place ages in its bands, and say which joint
tables were estimated (and the estimate is close to the county's known joint)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from opinion.store.db import open_store
from opinion.surveys.importer import import_survey
from tests.cli.county import (
    BANDS,
    add_online_voices,
    known_joint,
    population,
    survey_sample,
    write_margins,
    write_survey,
)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | pd.DataFrame]:
    folder = tmp_path_factory.mktemp("county")
    pop = population()
    sample = survey_sample(pop)
    db = folder / "county.db"
    add_online_voices(db)
    with open_store(db) as store:
        import_survey(store, write_survey(sample, folder / "survey.csv"), interview_year=2026)
    return {"db": db, "margins": write_margins(pop, folder / "margins.csv"), "pop": pop, "sample": sample,
            "folder": folder}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output + repr(result.exception)


@pytest.fixture(scope="module")
def report_json(county: dict[str, Path | pd.DataFrame]) -> dict[str, object]:
    out = Path(str(county["folder"])) / "report.json"
    code, output = invoke("report", "--db", str(county["db"]), "--margins", str(county["margins"]),
                          "--replicates", "10", "--min-cell", "0", "--out", str(out))
    assert code == 0, output
    loaded: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def test_report_places_ages_in_the_census_bands(report_json: dict[str, object]) -> None:
    coverage = pd.DataFrame(report_json["coverage"])
    ages = coverage[coverage["variable"] == "age_group"].set_index("level")
    assert [lv for lv in ages.index if lv != "unknown"] == BANDS
    assert ages.loc["70+", "level_label"] == "70岁及以上" and ages.loc["30-39", "level_label"] == "30-39岁"
    # respondents of every band are placed; "60岁以上" straddles 60-69 and 70+ and stays unknown
    assert (ages.loc[BANDS, "survey_n"] > 0).all()
    assert ages.loc["unknown", "survey_n"] == 5
    # age 72 on a profile (3 authors) or "我今年72岁" in the text (3) is 70+; "我是80后" (36-46 in
    # 2026, 15 authors) straddles 30-39 and 40-49
    assert ages.loc["70+", "online_n"] == 6
    assert ages.loc["unknown", "online_n"] == 15


def test_report_says_the_age_by_urban_table_was_estimated_from_the_survey(
    report_json: dict[str, object], county: dict[str, Path | pd.DataFrame]
) -> None:
    scope = report_json["scope"]
    assert isinstance(scope, dict)
    joint = {j["variable"]: j for j in scope["joint_tables"]}
    assert joint["age_group*urban"]["method"] == "survey"
    assert joint["age_group*urban"]["basis"] == ["age_group", "urban"]
    assert joint["age_group*urban"]["respondents"] == 395  # 400 less the five of unknown band
    notes = report_json["notes"]
    assert isinstance(notes, dict)
    assert "由 395 位入户受访者" in notes["joint_tables"]["年龄×城乡"]
    # the estimated joint (the coverage table's population shares) is close to the county's
    coverage = pd.DataFrame(report_json["coverage"])
    estimated = coverage[coverage["variable"] == "age_group*urban"].set_index("level")["population_share"]
    truth = known_joint(county["pop"])  # type: ignore[arg-type]
    assert (estimated.reindex(truth.index) - truth).abs().max() < 0.03


def test_report_on_the_terminal_names_the_estimated_tables_and_prints_by_group(
    county: dict[str, Path | pd.DataFrame]
) -> None:
    code, out = invoke("report", "--db", str(county["db"]), "--margins", str(county["margins"]),
                       "--replicates", "5", "--by", "age_group")
    assert code == 0, out
    assert "年龄×城乡: 人口表中没有，由 395 位入户受访者（设计权重）按人口表的 年龄、城乡 耙式加权估计" in out
    assert "分群体的议题份额: 年龄" in out
    by_rows = [line for line in out.splitlines() if line.startswith("70岁及以上")]
    assert by_rows and "融合" not in by_rows[0]


def test_words_plan_and_estimate_run_on_the_county(county: dict[str, Path | pd.DataFrame]) -> None:
    db, margins = str(county["db"]), str(county["margins"])
    code, out = invoke("words", "--db", db, "--margins", margins, "--top", "5")
    assert code == 0, out
    assert "看病难" in out
    code, out = invoke("plan", "--db", db, "--margins", margins, "--budget", "100")
    assert code == 0, out
    assert ("note: region x age_group x urban: not in the margins; estimated by raking 395 survey respondents "
            "(design weights) to the margins' tables age_group, urban, region") in out
    assert "70+*rural" in out and "60+" not in out
    sample = county["sample"]
    assert isinstance(sample, pd.DataFrame)
    data = Path(str(county["folder"])) / "respondents.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["age_group", "sex", "urban", "region", "rural_road"])
        for i, row in sample.iterrows():
            writer.writerow([row["age_group"], row["sex"], row["urban"], row["region"], int(i % 6 == 5)])
    code, out = invoke("estimate", str(data), "--variable", "rural_road", "--margins", margins)
    assert code == 0, out
    assert "rural_road" in out


def test_the_blend_mix_is_chosen_recorded_and_described(
    report_json: dict[str, object], county: dict[str, Path | pd.DataFrame]
) -> None:
    notes = report_json["notes"]
    assert isinstance(notes, dict)
    assert notes["blend_mix"].startswith("composite") and "Elliott & Haviland 2007" in notes["blend_mix"]
    assert "均方误差" in notes["method_notes"]["blend"]
    out = Path(str(county["folder"])) / "report-ess.json"
    code, output = invoke("report", "--db", str(county["db"]), "--margins", str(county["margins"]),
                          "--replicates", "10", "--min-cell", "0", "--blend-mix", "ess", "--out", str(out))
    assert code == 0, output
    ess = json.loads(out.read_text(encoding="utf-8"))
    assert ess["notes"]["blend_mix"].startswith("ess") and "有效样本量" in ess["notes"]["method_notes"]["blend"]
    assert ess["notes"]["parameters"]["blend_mix"] == "ess"

    def blend(report: dict[str, object]) -> pd.Series:
        table = pd.DataFrame(report["estimates"])
        return table[table["method"] == "blend"].set_index("topic")["estimate"]

    # the two mixes weigh the sources differently, so the blended shares differ
    assert (blend(report_json) - blend(ess)).abs().max() > 1e-4
    code, output = invoke("report", "--db", str(county["db"]), "--margins", str(county["margins"]),
                          "--blend-mix", "nope")
    assert code != 0 and "'nope' is not one of 'composite', 'ess'" in output
