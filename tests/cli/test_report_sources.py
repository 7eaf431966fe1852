"""``tongxin report`` on a store with one source only: online voices without a survey (a new
user's first crawl, with the shipped national table), or a survey without online voices.
The report leads with what it can say and never shows a column of dashes."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from opinion.store.db import open_store
from opinion.surveys.importer import import_survey
from tests.cli.county import add_online_voices, population, survey_sample, write_margins, write_survey
from tests.helpers import DEMO

CENSUS = "census2020:全国"


@pytest.fixture(scope="module")
def online_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("online") / "online.db"
    add_online_voices(db)
    return db


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def test_online_only_terminal_leads_with_raw_shares_coverage_limits_and_the_visits_needed(online_db: Path) -> None:
    out = invoke("report", "--db", str(online_db), "--margins", CENSUS, "--replicates", "5")
    lines = out.splitlines()
    assert lines[0] == "网上声音说了什么：原始份额（未校正）"
    header = next(line for line in lines if line.startswith("议题 "))
    assert "原始（网上，未加权）" in header
    assert not any(name in header for name in ("融合", "入户调查", "伪权重"))
    assert "未列出的方法（无法计算）：入户调查（需要入户调查受访者，库中没有）；融合（修正后）" in out
    assert "谁在说话（网上声音对人口）" in out and "60岁及以上×乡村：人口 8.6%，网上 0.0%（0 人）" in out
    assert "不能校正什么，为什么" in out and "盲区（无人代表）" in out
    # no survey and no joint table in the national one: age x urban taken as independent, and said so
    assert "年龄×城乡: 人口表中没有，也没有入户受访者：取 年龄、城乡 的乘积，即假定它们相互独立" in out
    needed = next(line for line in lines if line.startswith("要让校正成为可能"))
    total = int(needed.split("共做 ")[1].split(" 次")[0])
    plan_rows = lines[lines.index(needed) + 2:]
    counts = [int(row.split()[1]) for row in plan_rows if row.startswith("  ") and "×" in row]
    assert counts and sum(counts) == total
    assert plan_rows[0].split()[0] == "60岁及以上×乡村"  # nobody speaks for it: it needs the most


def test_online_only_html_and_tables_name_no_blend(online_db: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    invoke("report", "--db", str(online_db), "--margins", CENSUS, "--replicates", "5", "--out", str(html))
    page = html.read_text(encoding="utf-8")
    headings = [h.split("</h2>")[0] for h in page.split("<h2>")[1:]]
    assert headings[0] == "网上声音说了什么：原始份额（未校正）"
    assert "不能校正什么，为什么" in headings and not any("融合" in h for h in headings)
    assert "<h3>盲区：网上声音太少的群体</h3>" in page and "两类来源" not in page  # one source: not "both sources"
    assert 'data-method="blend"' not in page and 'data-method="survey"' not in page
    assert '<table class="plan">' in page
    folder = tmp_path / "tables"
    invoke("report", "--db", str(online_db), "--margins", CENSUS, "--replicates", "5", "--out", str(folder),
           "--format", "csv")
    estimates = pd.read_csv(folder / "estimates.csv")
    assert set(estimates["method"]) <= {"raw", "rake", "mrp"} and "raw" in set(estimates["method"])
    plan = pd.read_csv(folder / "plan.csv")
    assert plan["interviews"].sum() > 0
    provenance = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["provenance"]
    assert provenance["sources"] == "online_only" and provenance["corrected"] is False
    assert set(provenance["left_out"]) == {"survey", "blend", "pseudo"}
    assert provenance["visit_plan"]["interviews"] == plan["interviews"].sum()
    assert {"variable": "age_group*urban", "method": "independence", "basis": ["age_group", "urban"],
            "respondents": 0} in provenance["joint_tables"]


def test_survey_only_report_leaves_out_the_online_methods_with_a_note(tmp_path: Path) -> None:
    db = tmp_path / "survey.db"
    with open_store(db) as store:
        import_survey(store, DEMO / "survey.csv", interview_year=2026)
    out = invoke("report", "--db", str(db), "--margins", str(DEMO / "margins.csv"), "--replicates", "5")
    header = next(line for line in out.splitlines() if line.startswith("议题 "))
    assert "入户调查" in header and "原始" not in header and "耙式加权" not in header
    assert "未列出的方法（无法计算）：原始（网上，未加权）（需要网上声音，库中没有）" in out


def test_one_way_county_margins_without_a_survey_take_age_and_urban_as_independent(tmp_path: Path) -> None:
    db = tmp_path / "online.db"
    add_online_voices(db)
    margins = write_margins(population(), tmp_path / "margins.csv")
    out = invoke("report", "--db", str(db), "--margins", str(margins), "--replicates", "5", "--lang", "en")
    assert "Age×Urban/rural: not in the margins and no survey respondents" in out
    assert out.splitlines()[0] == "What online voices say: raw shares (not corrected)"


def test_a_survey_turns_the_online_only_report_into_the_corrected_one(tmp_path: Path) -> None:
    db = tmp_path / "both.db"
    add_online_voices(db)
    pop = population()
    with open_store(db) as store:
        import_survey(store, write_survey(survey_sample(pop, 200), tmp_path / "s.csv"), interview_year=2026)
    out = invoke("report", "--db", str(db), "--margins", str(write_margins(pop, tmp_path / "m.csv")),
                 "--replicates", "5")
    assert "融合（修正后）" in next(line for line in out.splitlines() if line.startswith("议题 "))
    assert "不能校正什么" not in out


def test_a_new_user_with_a_crawl_only_gets_words_and_a_plan_from_the_national_table(online_db: Path) -> None:
    out = invoke("plan", "--db", str(online_db), "--margins", CENSUS, "--budget", "50")
    # the national table has no township: the cells are age group x urban/rural, and the joint is assumed
    assert out.splitlines()[1].split() == ["age_group", "urban", "interviews", "cost", "ess", "now", "now", "after"]
    assert "note: age_group x urban: not in the margins and no survey respondents" in out
    out = invoke("words", "--db", str(online_db), "--margins", CENSUS, "--method", "rake", "--top", "3")
    assert out.startswith("rank word\trake share")
    result = CliRunner().invoke(main, ["words", "--db", str(online_db), "--margins", CENSUS])
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        "Error: method 'blend' has no figures: the store has no survey respondents; try another --method "
        "(rake or raw with online voices only, survey with respondents only)")
