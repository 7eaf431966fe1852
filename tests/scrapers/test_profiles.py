from __future__ import annotations

from pathlib import Path

import pytest

from opinion.errors import InputError
from scrapers.profiles import SPIDER_SCHEMA, list_profiles, load_profile

GOOD = """\
name: my-board
spider: gov_letters
description: a board
selectors:
  list_item: "ul li"
  list_link: "a"
  list_date: "span"
  next_page: "a.next"
  detail_row: "table tr"
  row_label: "th"
  row_value: "td"
labels:
  title: 标题
  text: [内容, 正文]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "board.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_profiles_load_and_are_listed() -> None:
    names = {p.name: p for p in list_profiles()}
    assert set(names) == {"gov-letters", "discuz", "hanweb", "json-api"}
    assert names["gov-letters"].spider == "gov_letters"
    assert names["discuz"].spider == "discuz"
    assert "内容" in names["gov-letters"].labels["text"] and "留言内容" in names["gov-letters"].labels["text"]
    assert "font.jammer" in names["discuz"].strip
    for profile in names.values():
        schema = SPIDER_SCHEMA[profile.spider]
        assert schema.get("required_selectors", schema["selectors"]) <= set(profile.selectors) <= schema["selectors"]
        assert SPIDER_SCHEMA[profile.spider].get("required_paths", set()) <= set(profile.paths)
        assert profile.description
    assert names["json-api"].paths["items"] == "data.list[*]"
    assert names["hanweb"].options["per_request"] == 45


def test_load_by_name_and_by_path(tmp_path: Path) -> None:
    assert load_profile("discuz").name == "discuz"
    profile = load_profile(write(tmp_path, GOOD))
    assert profile.name == "my-board"
    assert profile.labels == {"title": ("标题",), "text": ("内容", "正文")}


def test_unknown_profile_name_lists_the_builtin_ones() -> None:
    with pytest.raises(InputError, match=r"unknown profile 'nosuch': built-in profiles are discuz, gov-letters, hanweb, json-api"):
        load_profile("nosuch")


def test_unknown_top_level_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "selector:\n  x: y\n")
    with pytest.raises(InputError, match=rf"{path} line 15: unknown key 'selector'"):
        load_profile(path)


def test_unknown_selector_key_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  row_value:", "  row_valeu:"))
    with pytest.raises(InputError, match=rf"{path} line 11: unknown key 'selectors.row_valeu' for spider gov_letters"):
        load_profile(path)


def test_unknown_label_key(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "  gender: 性别\n")
    with pytest.raises(InputError, match=rf"{path} line 15: unknown key 'labels.gender'"):
        load_profile(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('  list_link: "a"', '  list_link: "a'))
    with pytest.raises(InputError, match=rf"{path} line \d+: not valid YAML"):
        load_profile(path)


def test_invalid_css_selector(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('"table tr"', '"table[[tr"'))
    with pytest.raises(InputError, match=rf"{path} line 9: 'selectors.detail_row' is not a valid CSS selector: 'table\[\[tr'"):
        load_profile(path)


def test_unknown_spider_and_missing_keys(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"line 2: unknown spider 'letters'; known spiders: discuz, gov_letters"):
        load_profile(write(tmp_path, GOOD.replace("spider: gov_letters", "spider: letters")))
    with pytest.raises(InputError, match=r"missing key 'description'"):
        load_profile(write(tmp_path, GOOD.replace("description: a board\n", "")))
    hanweb = GOOD.replace("spider: gov_letters", "spider: hanweb").replace('  list_item: "ul li"\n', "").replace(
        '  next_page: "a.next"\n', "").replace("selectors:\n", 'selectors:\n  article_title: "h1"\n  article_date: "span"\n')
    with pytest.raises(InputError, match=r"missing selectors for spider hanweb: article_body"):
        load_profile(write(tmp_path, hanweb))


def test_a_gov_letters_profile_may_leave_every_selector_to_the_generic_reader(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, "name: b\nspider: gov_letters\ndescription: a board\n"))
    assert profile.selectors == {}
    assert load_profile("gov-letters").selectors == {}
    pinned = load_profile(write(tmp_path, GOOD.replace('  row_value: "td"\n', '  row_value: "td"\n  text: "div.con"\n')))
    assert pinned.selectors["text"] == "div.con"


def test_not_a_mapping_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a profile is a mapping"):
        load_profile(write(tmp_path, "- just\n- a list\n"))
    with pytest.raises(InputError, match="no such profile file"):
        load_profile(tmp_path / "absent.yaml")
