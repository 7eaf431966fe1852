"""``tongxin profiles check``: one page fetched from a local server, what the profile extracts."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from scrapers.check import check_profile
from scrapers.localsite import serve_directory
from tests.helpers import TEST_DATA

SITE = TEST_DATA / "site"


def test_check_a_gbk_letter_page_shows_fields_masked() -> None:
    with serve_directory(SITE) as base:
        result = check_profile("gov-letters", base + "/letters/detail_0003.html")
    assert result.status == 200
    assert len(result.documents) == 1 and result.links == []
    doc = result.documents[0]
    assert doc["title"] == "学校门口交通拥堵"
    assert doc["text"].startswith("本人女，孩子在镇中心小学上学")
    assert "[身份证号]" in doc["text"]


def test_check_a_list_page_shows_links() -> None:
    with serve_directory(SITE) as base:
        result = check_profile("gov-letters", base + "/letters/list_1.html")
    assert result.documents == []
    assert result.links == [base + "/letters/detail_0001.html", base + "/letters/detail_0002.html",
                            base + "/letters/list_2.html"]


def test_check_command_prints_documents() -> None:
    with serve_directory(SITE) as base:
        result = CliRunner().invoke(main, ["profiles", "check", "discuz", base + "/forum/thread-101-1-1.html"])
    assert result.exit_code == 0, result.output
    assert "documents: 2" in result.output.splitlines()[1]
    assert "  text: 村里的路确实该修了，一下雨就是泥。" in result.output
    assert "links followed: 1" in result.output  # the next page of the thread


def test_check_command_names_a_page_that_is_not_there() -> None:
    with serve_directory(SITE) as base:
        result = CliRunner().invoke(main, ["profiles", "check", "gov-letters", base + "/nope.html"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {base}/nope.html: the site answered HTTP 404")


def test_check_command_says_when_the_profile_finds_nothing(tmp_path: Path) -> None:
    (tmp_path / "about.html").write_text("<html><body><h1>关于本站</h1><p>本站由某某市主办。</p></body></html>",
                                         encoding="utf-8")
    with serve_directory(tmp_path) as base:
        result = CliRunner().invoke(main, ["profiles", "check", "gov-letters", base + "/about.html"])
    assert result.exit_code == 1
    assert "found no documents and no links" in result.output


def test_profiles_still_lists_without_a_subcommand() -> None:
    result = CliRunner().invoke(main, ["profiles"])
    assert result.exit_code == 0
    assert result.output.startswith("discuz\t")


def test_check_a_hanweb_dataproxy_answer_shows_links_and_next_records() -> None:
    from tests.sites.apisite import serve_dynamic

    with serve_dynamic("hanweb", 50) as site:
        url = site.base + "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=3&perpage=15"
        result = check_profile("hanweb", url)
    assert result.documents == []
    assert [link.rsplit("/", 1)[-1] for link in result.links[:3]] == ["art_12_50.html", "art_12_49.html", "art_12_48.html"]
    assert result.links[3].endswith("dataproxy.jsp?startrecord=4&endrecord=6&perpage=15")


def test_check_a_json_board_shows_documents_masked() -> None:
    from tests.sites.apisite import serve_dynamic

    with serve_dynamic("json", 3) as site:
        result = check_profile("json-api", site.base + "/api/messages?page=1&pageSize=20")
    assert [doc["title"] for doc in result.documents] == ["关于学校的第3条留言", "关于供水的第2条留言", "关于看病的第1条留言"]
    assert "13812345678" not in result.documents[0]["text"]
    assert result.links == []
