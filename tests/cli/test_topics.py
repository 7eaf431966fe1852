"""``tongxin topics``: the taxonomy, ``evaluate`` and ``check``: exit codes and messages."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main

SMALL_LEXICON = "healthcare:\n  label: 医疗\n  words: [看病, 医院]\ntransport:\n  label: 交通\n  words: [修路, 公交]\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["topics", *args])
    return result.exit_code, result.output


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    lexicon = tmp_path / "small.yaml"
    lexicon.write_text(SMALL_LEXICON, encoding="utf-8")
    labelled = tmp_path / "labelled.csv"
    labelled.write_text("text,topics\n看病难，医院远,healthcare\n村里要修路,transport\n医院门口的早餐真好吃,\n"
                        "孩子上学远,education\n", encoding="utf-8")
    texts = tmp_path / "texts.csv"
    texts.write_text("编号,留言\n1,医院太远看病难\n2,公交太少\n3,孩子上学远，电话13812345678\n4,楼下太吵\n",
                     encoding="utf-8")
    return {"lexicon": lexicon, "labelled": labelled, "texts": texts}


def test_without_a_subcommand_it_lists_the_taxonomy() -> None:
    code, out = run()
    assert code == 0, out
    assert "城乡建设" in out and "urban_construction" in out and "交通/农村公路" in out
    assert "15 topics" in out


def test_evaluate_prints_scores_per_topic_and_pooled(files: dict[str, Path]) -> None:
    code, out = run("evaluate", str(files["labelled"]), "--lexicon", str(files["lexicon"]))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith(f"{files['labelled']}: 4 texts, 3 labelled with a concern")
    # healthcare: labelled in 1 text, coded in 2 (the breakfast one wrongly).
    healthcare = next(line for line in lines if line.startswith("healthcare"))
    assert healthcare.split()[2:] == ["1", "2", "1", "0.500", "1.000", "0.667"]
    education = next(line for line in lines if line.startswith("education"))
    assert "(not in the coder)" in education and education.split()[-3:] == ["-", "0.000", "-"]
    assert any(line.startswith("micro") and "all topics" in line for line in lines)
    assert any(line.startswith("micro") and "the coder's topics" in line for line in lines)
    assert "coded to no topic: 1 of 4 texts (25.0%); 1 of them raise a concern" in out
    assert "labelled with no concern: 1; coded to a topic anyway: 1" in out
    assert "codes in the labels that the coder lacks (recall 0): education" in out


def test_evaluate_scores_a_learned_coder_the_same_way(files: dict[str, Path], tmp_path: Path) -> None:
    from tests.helpers import TEST_DATA

    dev = TEST_DATA / "blind" / "topics" / "dev.csv"
    model = tmp_path / "m.coder.json"
    trained = CliRunner().invoke(main, ["code", "train", str(dev), "--out", str(model), "--folds", "2"])
    assert trained.exit_code == 0, trained.output
    code, out = run("evaluate", str(files["labelled"]), "--coder", str(model))
    assert code == 0, out
    assert out.splitlines()[0].endswith(f"(learned model {model.name})")
    assert any(line.startswith("healthcare") for line in out.splitlines())
    assert "coded to no topic:" in out


def test_evaluate_with_the_shipped_lexicon(files: dict[str, Path]) -> None:
    code, out = run("evaluate", str(files["labelled"]))
    assert code == 0, out
    assert "market_regulation" in out and "(not in the coder)" not in out


def test_check_shows_topics_words_and_masked_unmatched_texts(files: dict[str, Path]) -> None:
    code, out = run("check", str(files["texts"]), "--lexicon", str(files["lexicon"]), "--text-column", "留言")
    assert code == 0, out
    assert f"{files['texts']}: 4 texts" in out
    assert "healthcare (2 of 2 words): 医院 1, 看病 1" in out
    assert "transport (1 of 2 words): 公交 1" in out
    assert "coded to no topic: 2 of 4 texts (50.0%); the first 2:" in out
    assert "line 4: 孩子上学远，电话[手机号]" in out and "13812345678" not in out
    assert "line 5: 楼下太吵" in out
    code, out = run("check", str(files["texts"]), "--lexicon", str(files["lexicon"]), "--text-column", "留言",
                    "--top", "1")
    assert code == 0 and "the first 1:" in out and "楼下太吵" not in out


@pytest.mark.parametrize("args,message", [
    (["evaluate", "{tmp}/nope.csv"], "Error: {tmp}/nope.csv: no such file"),
    (["evaluate", "{texts}"], "Error: {texts}: missing column(s) text, topics"),
    (["check", "{texts}"], "Error: {texts}: missing column(s) text"),
    (["check", "{labelled}", "--lexicon", "{tmp}/none.yaml"], "Error: {tmp}/none.yaml: topic lexicon not found"),
    (["evaluate", "{labelled}", "--lexicon", "{texts}"], "Error: {texts}: expected a mapping of topic code"),
])
def test_errors_are_one_line_naming_the_file(files: dict[str, Path], args: list[str], message: str) -> None:
    paths = {"tmp": str(files["texts"].parent), "texts": str(files["texts"]), "labelled": str(files["labelled"])}
    code, out = run(*(a.format(**paths) for a in args))
    assert code == 1
    assert out.startswith(message.format(**paths)), out
    assert out.count("\n") == 1 and "Traceback" not in out


def test_check_on_an_empty_text_column(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("text,x\n,1\n", encoding="utf-8")
    code, out = run("check", str(path))
    assert code == 1 and out == f"Error: {path}: column 'text' holds no text\n"
