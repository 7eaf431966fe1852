from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from cli.main import main
from tests.helpers import REFERENCE, TEST_DATA


def files(tmp_path: Path) -> tuple[Path, Path]:
    sample = tmp_path / "sample.csv"
    sample.write_text("id,sex,urban,w\n1,男,城镇,1\n2,女,城镇,1\n3,女,乡村,2\n4,male,rural,1\n",
                      encoding="utf-8")
    margins = tmp_path / "margins.csv"
    margins.write_text("variable,level,target\nsex,男,500\nsex,女,500\nurban,urban,600\nurban,rural,400\n",
                       encoding="utf-8")
    return sample, margins


def test_weight_writes_rows_with_a_weight_column(tmp_path):
    sample, margins = files(tmp_path)
    out = tmp_path / "weights.csv"
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", str(margins),
                                       "--weight-column", "w", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "rake: 4 rows, converged" in result.stderr
    table = pd.read_csv(out)
    assert list(table.columns) == ["id", "sex", "urban", "w", "weight"]
    assert table["sex"].tolist() == ["男", "女", "女", "male"]  # rows unchanged
    assert table["weight"].sum() == pytest.approx(1000)
    assert table.loc[table["sex"] != "女", "weight"].sum() == pytest.approx(500)


def test_weight_to_stdout_with_poststrat_on_one_variable(tmp_path):
    sample, margins = files(tmp_path)
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", str(margins),
                                       "--method", "poststrat", "--variables", "urban"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    # urban targets 600 over two urban rows, 400 over two rural rows
    assert table["weight"].tolist() == pytest.approx([300, 300, 200, 200])


def test_weight_missing_column(tmp_path):
    sample, margins = files(tmp_path)
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", str(margins),
                                       "--weight-column", "pw"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {sample}: column 'pw' not found (columns are: id, sex, urban, w)"
    )


def test_weight_reports_bad_margins_and_missing_files(tmp_path):
    sample, margins = files(tmp_path)
    margins.write_text("variable,level,target\nsex,male,x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", str(margins)])
    assert result.exit_code == 1
    assert f"Error: {margins} line 2, column 'target': 'x' is not a number" in result.stderr
    result = CliRunner().invoke(main, ["weight", str(tmp_path / "nope.csv"), "--margins", str(margins)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope.csv'}: no such file"


def test_estimate_apiclus1_through_the_cli(tmp_path):
    data = REFERENCE / "apiclus1.csv"
    if not data.exists():
        pytest.skip(f"reference data {data} is absent (it lives in the shared folder)")
    margins = tmp_path / "stype.csv"
    margins.write_text("variable,level,target\nstype,E,4421\nstype,H,755\nstype,M,1018\n", encoding="utf-8")
    args = ["estimate", str(data), "--variable", "api00", "--weight-column", "pw", "--cluster", "dnum",
            "--margins", str(margins), "--method", "poststrat", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["estimate"] == pytest.approx(642.310788211584, rel=1e-9)
    assert row["se"] == pytest.approx(24.1610605814973, rel=1e-9)
    # default method rake: on one margin it is the same post-stratification, redone per replicate
    result = CliRunner().invoke(main, args[:-4] + ["--replicates", "jk1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["se"].iloc[0] == pytest.approx(27.2066268255349, rel=1e-9)


def test_estimate_table_shares_by_group(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("topic,urban\njobs,urban\nhousing,urban\njobs,rural\njobs,rural\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", str(data), "--variable", "topic", "--by", "urban"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["variable", "by", "level", "estimate", "se", "ci_low", "ci_high", "n", "ess"]
    assert lines[2].split()[:4] == ["topic", "rural", "jobs", "1"]


def test_estimate_errors(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("y,g\n1,a\n2,b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", str(data), "--variable", "y", "--cluster", "psu"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {data}: column 'psu' not found (columns are: y, g)"
    result = CliRunner().invoke(main, ["estimate", str(data), "--variable", "y", "--method", "rake"])
    assert result.exit_code == 2
    assert "--method needs --margins" in result.stderr


@pytest.mark.parametrize("command", ["weight", "estimate"])
def test_help_text(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: main " + command in result.output or f"Usage: tongxin {command}" in result.output
    assert len(result.output.split("Options:")[0].strip().splitlines()) > 2


def test_estimate_pseudo_jvs_admin_through_the_cli():
    admin, jvs = REFERENCE / "nonprobsvy_admin.csv", REFERENCE / "nonprobsvy_jvs.csv"
    if not admin.exists() or not jvs.exists():
        pytest.skip(f"reference data {admin} is absent (it lives in the shared folder)")
    base = ["estimate", str(admin), "--variable", "single_shift", "--method", "pseudo",
            "--reference", str(jvs), "--reference-weight", "weight",
            "--covariates", "region,private,nace,size", "--format", "csv"]
    expected = {"ipw": 0.708322897640164, "mi": 0.703858701257595}
    for estimator, value in expected.items():
        result = CliRunner().invoke(main, base + ["--estimator", estimator])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(io.StringIO(result.stdout))
        row = table.loc[table["level"].astype(str) == "True"].iloc[0]
        assert row["estimate"] == pytest.approx(value, rel=1e-6)


def test_estimate_pseudo_usage_errors(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("y,g\n1,a\n2,b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", str(data), "--variable", "y", "--method", "pseudo"])
    assert result.exit_code == 2
    assert "--method pseudo needs --reference REF.csv" in result.stderr
    ref = tmp_path / "ref.csv"
    ref.write_text("g,w\na,3\nc,4\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", str(data), "--variable", "y", "--method", "pseudo",
                                       "--reference", str(ref), "--reference-weight", "w",
                                       "--covariates", "g"])
    assert result.exit_code == 1
    assert f"level(s) 'b' occur in the sample but not in {ref}" in result.stderr


def test_estimate_bootstrap_with_raking_redone_through_the_cli(tmp_path):
    import numpy as np

    from opinion.attributes import normalise_level
    from weighting import Margins, RakeReweight
    from weighting import estimate as estimate_table

    rng = np.random.default_rng(2)
    n = 3000
    data = pd.DataFrame({
        "sex": rng.choice(["男", "女"], size=n, p=[0.7, 0.3]),
        "urban": rng.choice(["城镇", "乡村"], size=n, p=[0.8, 0.2]),
        "y": rng.normal(size=n),
    })
    path = tmp_path / "data.csv"
    data.to_csv(path, index=False)
    _, margins = files(tmp_path)
    result = CliRunner().invoke(main, [
        "estimate", str(path), "--variable", "y", "--margins", str(margins), "--method", "rake",
        "--replicates", "bootstrap", "--n-replicates", "40", "--seed", "4", "--format", "csv",
    ])
    assert result.exit_code == 0, result.output
    row = pd.read_csv(io.StringIO(result.output)).iloc[0]
    coded = data.assign(sex=data["sex"].map({"男": "male", "女": "female"}),
                        urban=data["urban"].map({"城镇": "urban", "乡村": "rural"}))
    expected = estimate_table(coded, "y", replicates="bootstrap", n_replicates=40, seed=4,
                              reweight=RakeReweight(Margins.from_csv(margins, normalise_level))).iloc[0]
    assert row["estimate"] == pytest.approx(expected["estimate"], rel=1e-9)
    assert row["se"] == pytest.approx(expected["se"], rel=1e-9)
    # Raking moved the mean: men (70% of rows) are weighted down to half.
    assert row["estimate"] != pytest.approx(data["y"].mean(), rel=1e-6)


def test_weight_reads_margins_saved_as_gbk_like_their_utf8_twin(tmp_path: Path) -> None:
    sample = TEST_DATA / "files" / "sample.csv"
    gbk = TEST_DATA / "files" / "margins_gbk.csv"
    utf8 = tmp_path / "margins.csv"
    utf8.write_text(gbk.read_bytes().decode("gbk"), encoding="utf-8")
    runs = [CliRunner().invoke(main, ["weight", str(sample), "--margins", str(m), "--variables", "sex,age_group,urban"])
            for m in (gbk, utf8)]
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    assert runs[0].stdout == runs[1].stdout
    assert len(pd.read_csv(io.StringIO(runs[0].stdout))) == 12


def _merged_township(tmp_path: Path) -> tuple[Path, Path]:
    sample = tmp_path / "sample.csv"
    sample.write_text("id,region,sex\n1,城关镇,男\n2,石桥镇,女\n3,城关镇,女\n4,东山乡,男\n5,石桥镇,男\n",
                      encoding="utf-8")
    margins = tmp_path / "margins.csv"
    margins.write_text("变量,类别,人数\n乡镇,城关镇,600\n乡镇,石桥镇,0\n乡镇,东山乡,400\n性别,男,500\n性别,女,500\n",
                       encoding="utf-8")
    return sample, margins


def test_weight_stops_at_a_level_with_target_0_and_says_how_to_drop_it(tmp_path):
    sample, margins = _merged_township(tmp_path)
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", str(margins)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {sample} (data rows counted from 1) against {margins}: target 0 for "
                                    "level(s) the sample has: 'region' level '石桥镇': 2 row(s) (2, 5);")
    assert result.output.rstrip().endswith("or drop them explicitly with --drop-zero-targets")


@pytest.mark.parametrize("method", ["rake", "poststrat", "calibrate"])
def test_weight_drop_zero_targets_gives_those_rows_weight_0_and_counts_them(tmp_path, method):
    sample, margins = _merged_township(tmp_path)
    variables = ["--variables", "region"] if method == "poststrat" else []
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", str(margins), "--method", method,
                                       "--drop-zero-targets", *variables])
    assert result.exit_code == 0, result.output
    assert "dropped 2 of 5 rows in levels with target 0 (weight 0): region=石桥镇 (2)" in result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert table["id"].tolist() == [1, 2, 3, 4, 5]  # every row written, in order
    assert table.loc[table["region"] == "石桥镇", "weight"].tolist() == [0.0, 0.0]
    kept = table[table["region"] != "石桥镇"]
    assert kept.groupby("region")["weight"].sum().to_dict() == pytest.approx({"城关镇": 600, "东山乡": 400})
    if method != "poststrat":
        assert kept.groupby("sex")["weight"].sum().to_dict() == pytest.approx({"男": 500, "女": 500})


def test_weight_to_a_bureau_crosstab(tmp_path):
    sample = tmp_path / "sample.csv"
    rows = ["id,age_group,sex", "1,18-29,男", "2,30-44,女", "3,45-59,男", "4,60+,女", "5,60+,男", "6,18-29,女",
            "7,30-44,男", "8,45-59,女"]
    sample.write_text("\n".join(rows) + "\n", encoding="utf-8")
    margins = TEST_DATA / "margins" / "crosstab_age_sex.csv"
    result = CliRunner().invoke(main, ["weight", str(sample), "--margins", str(margins), "--variables", "age_group*sex"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout)).set_index("id")
    # One row per cell of the table's joint counts: each row carries its cell.
    assert table.loc[[1, 2, 4, 7], "weight"].tolist() == pytest.approx([600, 1100, 1000, 1200])
    assert table["weight"].sum() == pytest.approx(8000)
