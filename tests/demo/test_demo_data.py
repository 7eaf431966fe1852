"""The shipped demo county (data/demo/): reproducible, honestly encoded, and skewed as described."""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import re
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from parsel import Selector

from opinion.attributes import age_group
from opinion.text.cues import find_cues, load_gazetteer
from tests.helpers import DEMO, REPO

LEXICON = REPO / "data" / "lexicon" / "topics.yaml"
SOURCES = {"generate.py", "_phrases.py", "_site.py", "README.md"}


def generated_files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name not in SOURCES and "__pycache__" not in path.parts
    }


def read_csv(name: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((DEMO / name).read_bytes().decode(encoding))))


def lexicon() -> dict[str, list[str]]:
    raw = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    return {code: entry["words"] for code, entry in raw.items()}


def demo_topics() -> list[str]:
    """The concerns the demo's people hold: the lexicon's topics that have a phrase bank."""
    spec = importlib.util.spec_from_file_location("demo_phrases", DEMO / "_phrases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [topic for topic in lexicon() if topic in module.CORE]


def coded(text: str, words: dict[str, list[str]]) -> set[str]:
    return {code for code, ws in words.items() if any(w in text for w in ws)}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    subprocess.run([sys.executable, str(DEMO / "generate.py"), "--out", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The generator's own world (people, voices, respondents), run in-process into a scratch folder."""
    spec = importlib.util.spec_from_file_location("demo_generate", DEMO / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module.generate(tmp_path_factory.mktemp("demo-world"))


def test_regenerating_gives_byte_identical_files(regenerated: Path) -> None:
    committed = generated_files(DEMO)
    assert len(committed) > 250
    assert generated_files(regenerated) == committed


def test_size_and_page_count() -> None:
    total = sum(p.stat().st_size for p in DEMO.rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024
    pages = list((DEMO / "site").rglob("*.html"))
    assert 250 <= len(pages) <= 350


def test_gbk_letter_pages_really_are_gbk() -> None:
    letters = DEMO / "site" / "letters"
    list_4 = (letters / "list_4.html").read_bytes()
    first_gbk = re.search(rb'href="(detail_\d{4}\.html)"', list_4)
    assert first_gbk is not None
    for raw in (list_4, (letters / first_gbk.group(1).decode()).read_bytes()):
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gbk")
        assert 'content="text/html; charset=gbk"' in text
        assert "市长信箱" in text
    detail = (letters / first_gbk.group(1).decode()).read_bytes().decode("gbk")
    for label in ("来信人", "来信时间", "所在地", "回复内容"):
        assert f"<th>{label}</th>" in detail


def test_first_letter_pages_are_utf8_and_say_so() -> None:
    letters = DEMO / "site" / "letters"
    for name in ("list_1.html", "list_3.html", "detail_0001.html", "detail_0030.html"):
        text = (letters / name).read_bytes().decode("utf-8")
        assert '<meta charset="utf-8">' in text
    assert 'class="next" href="list_4.html"' in (letters / "list_3.html").read_text(encoding="utf-8")
    last = sorted(letters.glob("list_*.html"), key=lambda p: int(p.stem.split("_")[1]))[-1]
    assert 'class="next"' not in last.read_bytes().decode("gbk")


def test_survey_is_gbk_with_the_promised_mess() -> None:
    raw = (DEMO / "survey.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = read_csv("survey.csv", encoding="gbk")
    assert raw.decode("gbk").splitlines()[0] == "编号,姓名,联系电话,镇,村/社区,性别,年龄,城乡,最关心的问题,满意度"
    assert 380 <= len(rows) <= 420
    assert 14 <= len({r["村/社区"] for r in rows}) <= 18
    assert sum(r["年龄"] == "" for r in rows) == 3
    assert sorted(r["年龄"] for r in rows if r["年龄"] and not 18 <= int(r["年龄"]) <= 110) == ["200", "7"]
    numeric = {r["村/社区"] for r in rows if r["性别"] in ("1", "2")}
    assert len(numeric) == 2
    assert all(r["性别"] in ("1", "2") for r in rows if r["村/社区"] in numeric)
    assert {r["性别"] for r in rows if r["村/社区"] not in numeric} == {"男", "女"}
    ids = Counter(r["编号"] for r in rows)
    assert [n for n in ids.values() if n > 1] == [2]
    dup = [r for r in rows if ids[r["编号"]] == 2]
    assert dup[0] != dup[1]
    assert {"没有", "说不上来"} <= {r["最关心的问题"] for r in rows}
    assert all(re.fullmatch(r"1[3-9]\d{9}", r["联系电话"]) for r in rows)
    assert {r["城乡"] for r in rows} == {"城镇", "乡村"}
    assert {r["满意度"] for r in rows} <= {"1", "2", "3", "4", "5"}


def test_margins_agree_with_population() -> None:
    margins = read_csv("margins.csv")
    population = sum(int(r["count"]) for r in read_csv("population.csv"))
    joint = [r for r in margins if r["variable"] == "age_group*sex*urban"]
    regions = [r for r in margins if r["variable"] == "region"]
    assert len(joint) == 16 and len(regions) == 5 and len(margins) == 21
    assert joint[-1]["level"] == "60+*female*rural"
    assert sum(int(r["target"]) for r in joint) == sum(int(r["target"]) for r in regions) == population
    assert 110_000 <= population <= 130_000
    gazetteer = read_csv("gazetteer.csv")
    assert {r["region"] for r in gazetteer} == {r["level"] for r in regions}
    assert {r["urban"] for r in gazetteer} == {"城镇", "乡村"}


def test_population_shape() -> None:
    rows = read_csv("population.csv")
    total = sum(int(r["count"]) for r in rows)
    urban = sum(int(r["count"]) for r in rows if r["urban"] == "urban")
    old = sum(int(r["count"]) for r in rows if r["age_group"] == "60+")
    old_rural = sum(int(r["count"]) for r in rows if r["age_group"] == "60+" and r["urban"] == "rural")
    rural = total - urban
    assert 0.40 <= urban / total <= 0.50
    assert 0.21 <= old / total <= 0.27
    assert old_rural / rural > (old - old_rural) / urban + 0.04
    assert 0.12 <= old_rural / total <= 0.15


def test_truth_shares_and_the_representation_gap() -> None:
    truth = read_csv("truth.csv")
    topics = demo_topics()
    assert len(topics) == 12
    assert len(truth) == len(topics) * 17
    assert all(0.0 <= float(r["share"]) <= 1.0 for r in truth)
    share = {(r["topic"], r["group_variable"], r["group_level"]): float(r["share"]) for r in truth}
    assert 0.18 <= share[("eldercare", "all", "all")] <= 0.25
    assert 1.35 <= sum(share[(t, "all", "all")] for t in topics) <= 1.45  # 1 or 2 concerns each
    assert share[("eldercare", "age_group*urban", "60+*rural")] > 3 * share[("eldercare", "age_group*urban", "18-29*urban")]
    assert share[("eldercare", "age_group*urban", "60+*rural")] > share[("eldercare", "age_group*urban", "60+*urban")] + 0.1
    assert share[("housing", "age_group*urban", "18-29*urban")] > 2 * share[("housing", "age_group*urban", "60+*rural")]
    voices = read_csv("voices_truth.csv")
    assert Counter(v["source"] for v in voices) == {"letters": 70, "forum": 160}
    online_eldercare = sum("eldercare" in v["topics"].split(";") for v in voices) / len(voices)
    assert online_eldercare <= share[("eldercare", "all", "all")] - 0.10
    assert online_eldercare < 0.5 * share[("eldercare", "all", "all")]
    rural_old = sum(v["urban"] == "rural" and v["age_group"] == "60+" for v in voices) / len(voices)
    assert rural_old <= 0.03


def test_everyone_holds_one_or_two_concerns_and_truth_counts_them_exactly(world: Any) -> None:
    topics = demo_topics()
    counts = Counter(len(p.concerns) for p in world.people)
    assert set(counts) == {1, 2}
    assert 0.37 <= counts[2] / len(world.people) <= 0.43
    assert all(len(set(p.concerns)) == len(p.concerns) and set(p.concerns) <= set(topics) for p in world.people)
    overall = {r["topic"]: r["share"] for r in read_csv("truth.csv") if r["group_variable"] == "all"}
    for topic in topics:
        exact = sum(topic in p.concerns for p in world.people) / len(world.people)
        assert overall[topic] == f"{exact:.6f}"
    voices = {v["voice_key"]: v for v in read_csv("voices_truth.csv")}
    for key, person in world.letters + world.forum:
        assert voices[key]["topics"].split(";") == list(person.concerns)


def test_survey_answers_name_all_the_respondents_concerns(world: Any) -> None:
    words = lexicon()
    rows = read_csv("survey.csv", encoding="gbk")
    assert len(rows) == len(world.respondents)
    blank = 0
    for row, person in zip(rows, world.respondents, strict=True):
        assert row["村/社区"] == person.place
        if row["最关心的问题"] in ("没有", "说不上来"):
            blank += 1
            continue
        assert coded(row["最关心的问题"], words) == set(person.concerns), (row, person.concerns)
    assert blank == 2


def forum_posts() -> list[tuple[str, str, str]]:
    """(uid, nickname, visible message text without quotes and anti-copy jammers)."""
    posts = []
    for page in sorted((DEMO / "site" / "forum").glob("thread-*-*-1.html")):
        sel = Selector(text=page.read_text(encoding="utf-8"))
        for post in sel.css("div#postlist > div[id^=post_]"):
            author = post.css("a.xw1")
            uid = re.search(r"space-uid-(\d+)", author.attrib["href"]).group(1)  # type: ignore[union-attr]
            message = post.css("td.t_f")[0]
            for junk in message.css("div.quote, font.jammer, span[style*='display:none']"):
                junk.drop()
            posts.append((uid, author.css("::text").get(""), "".join(message.css("::text").getall())))
    return posts


def test_forum_texts_mention_only_the_authors_concerns() -> None:
    words = lexicon()
    topics = {v["voice_key"]: set(v["topics"].split(";")) for v in read_csv("voices_truth.csv") if v["source"] == "forum"}
    posts = [p for p in forum_posts() if p[0] != "1"]
    assert len(posts) > 400
    speaking = 0
    said: dict[str, set[str]] = {}
    for uid, _, text in posts:
        found = coded(text, words)
        assert found <= topics[uid], (uid, text)
        speaking += bool(found)
        said.setdefault(uid, set()).update(found)
    assert speaking / len(posts) > 0.8
    assert set(topics) == {uid for uid, _, _ in posts}
    assert said == topics  # every voice mentions all of its concerns across its posts
    nicks: dict[str, set[str]] = {}
    for uid, nick, _ in posts:
        nicks.setdefault(uid, set()).add(nick)
    assert all(len(n) == 1 for n in nicks.values())
    counts = Counter(uid for uid, _, _ in posts)
    assert 20 <= max(counts.values()) <= 40
    assert sum(n <= 3 for n in counts.values()) / len(counts) > 0.7


def test_letters_mention_only_the_writers_concerns() -> None:
    words = lexicon()
    topics = {v["voice_key"]: set(v["topics"].split(";")) for v in read_csv("voices_truth.csv") if v["source"] == "letters"}
    for key, own in topics.items():
        raw = (DEMO / "site" / "letters" / key).read_bytes()
        encoding = "utf-8" if b'charset="utf-8"' in raw else "gbk"
        sel = Selector(text=raw.decode(encoding))
        field = {row.css("th::text").get(): row.css("td::text").get("") for row in sel.css("table.letter-detail tr")}
        assert coded(field["标题"] + field["内容"], words) == own, (key, field["内容"])
        assert not coded(field["回复内容"], words), key
        assert re.fullmatch(r"\S+ \S+", field["所在地"])
        assert re.fullmatch(r"\S(女士|先生)", field["来信人"])


def test_user_typed_markup_is_escaped() -> None:
    pages = [p.read_text(encoding="utf-8") for p in (DEMO / "site" / "forum").glob("*.html")]
    assert not any("<script" in page or "<img" in page for page in pages)
    assert any("我们小区&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;物业不管事 &lt;img" in page for page in pages)


def test_forum_lists_keep_the_sticky_thread_and_end_without_next() -> None:
    forum = DEMO / "site" / "forum"
    index = forum.joinpath("index.html").read_text(encoding="utf-8")
    assert 'href="forum-2-1.html">民生杂谈' in index and 'href="forum-3-1.html">房产教育' in index
    for fid in (2, 3):
        pages = sorted(forum.glob(f"forum-{fid}-*.html"), key=lambda p: int(p.stem.split("-")[2]))
        assert len(pages) >= 2
        for n, page in enumerate(pages, start=1):
            sel = Selector(text=page.read_text(encoding="utf-8"))
            assert len(sel.css("tbody[id^=stickthread_]")) == 1
            assert bool(sel.css("div.pg a.nxt")) == (n < len(pages))
            for href in sel.css("th a.xst::attr(href)").getall():
                assert (forum / href).exists()
    relative = [p for p in forum.glob("thread-*.html") if '天前</span>' in p.read_text(encoding="utf-8")]
    assert relative


def recovered_attributes() -> tuple[dict[str, dict[str, str]], set[str]]:
    """What a reader can recover of each voice's age group, sex and urban/rural from the pages.

    Letters: 来信人 (女士/先生) gives sex, 所在地 (镇 村/社区) urban via the gazetteer, and
    the text's self-description the age group. Forum: the public profile (dl.pil) where
    there is one, else the cues in the user's posts. Also returns the uids with a profile.
    """
    gazetteer = load_gazetteer(DEMO / "gazetteer.csv")
    today = date(2026, 11, 27)
    found: dict[str, dict[str, str]] = {}
    for name in (v["voice_key"] for v in read_csv("voices_truth.csv") if v["source"] == "letters"):
        raw = (DEMO / "site" / "letters" / name).read_bytes()
        sel = Selector(text=raw.decode("utf-8" if b'charset="utf-8"' in raw else "gbk"))
        field = {row.css("th::text").get(): row.css("td::text").get("") for row in sel.css("table.letter-detail tr")}
        got = {"sex": {"女士": "female", "先生": "male"}[field["来信人"][1:]]}
        place = gazetteer.lookup(field["所在地"].split()[1])
        assert place is not None and place[0] == field["所在地"].split()[0]
        got["urban"] = place[1]
        cues = find_cues(field["标题"] + "。" + field["内容"], gazetteer, today=today)
        assert not cues.conflicts, name
        if "age_group" in cues.cues:
            got["age_group"] = str(cues.cues["age_group"].value)
        found[name] = got
    texts: dict[str, list[str]] = {}
    profiles: dict[str, dict[str, str]] = {}
    for page in sorted((DEMO / "site" / "forum").glob("thread-*-*-1.html")):
        sel = Selector(text=page.read_text(encoding="utf-8"))
        for post in sel.css("div#postlist > div[id^=post_]"):
            uid = re.search(r"space-uid-(\d+)", post.css("a.xw1").attrib["href"]).group(1)  # type: ignore[union-attr]
            if uid == "1":
                continue
            pil = dict(zip(post.css("dl.pil dt::text").getall(), post.css("dl.pil dd::text").getall(), strict=True))
            if pil:
                profiles[uid] = pil
            message = post.css("td.t_f")[0]
            for junk in message.css("div.quote, font.jammer, span[style*='display:none']"):
                junk.drop()
            texts.setdefault(uid, []).append("".join(message.css("::text").getall()))
    for uid, posts in texts.items():
        if uid in profiles:
            pil = profiles[uid]
            assert set(pil) == {"性别", "年龄", "所在地"} and " " not in pil["所在地"]
            place = gazetteer.find(pil["所在地"])
            assert place is not None and place.urban is not None and pil["所在地"] == place.region + place.name
            found[uid] = {"sex": {"男": "male", "女": "female"}[pil["性别"]],
                          "age_group": str(age_group(int(pil["年龄"]))), "urban": place.urban}
        else:
            cues = find_cues("。".join(posts), gazetteer, today=today)
            assert not cues.conflicts, (uid, posts)
            found[uid] = {a: str(cues.cues[a].value) for a in ("age_group", "sex", "urban") if a in cues.cues}
    return found, set(profiles)


def test_most_voices_reveal_age_sex_and_residence_and_never_wrongly() -> None:
    voices = {v["voice_key"]: v for v in read_csv("voices_truth.csv")}
    found, profiles = recovered_attributes()
    assert set(found) == set(voices)
    for key, got in found.items():
        assert all(voices[key][a] == value for a, value in got.items()), (key, got, voices[key])
    complete = {key for key, got in found.items() if len(got) == 3}
    assert len(complete) / len(voices) >= 0.65
    letters = [k for k, v in voices.items() if v["source"] == "letters"]
    assert 0.6 <= sum("age_group" in found[k] for k in letters) / len(letters) <= 0.8
    forum = [k for k, v in voices.items() if v["source"] == "forum"]
    assert 0.55 <= len(profiles) / len(forum) <= 0.75
    texts_only = [k for k in forum if k not in profiles]
    assert 0.5 <= sum(k in complete for k in texts_only) / len(texts_only) <= 0.8
    assert sum(k in complete for k in forum) / len(forum) >= 0.75


def test_hand_coded_sample_is_stratified_by_source_with_stated_probabilities() -> None:
    rows = read_csv("hand_coded.csv")
    survey = read_csv("survey.csv", encoding="gbk")
    seen: set[str] = set()
    stored = 0  # survey rows tongxin's importer keeps: a first 编号 with an age of 18-110
    for row in survey:
        stored += row["编号"] not in seen and row["年龄"].isdigit() and 18 <= int(row["年龄"]) <= 110
        seen.add(row["编号"])
    frames = {"letters": 70, "forum": 160, "survey": stored}
    drawn = Counter(row["stratum"] for row in rows)
    assert set(drawn) == set(frames) and sum(drawn.values()) == 120
    for stratum, n in drawn.items():
        # proportional allocation: within one voice of the stratum's share of 120
        assert abs(n - 120 * frames[stratum] / sum(frames.values())) < 1, (stratum, n)
    for row in rows:
        assert (int(row["drawn"]), int(row["frame"])) == (drawn[row["stratum"]], frames[row["stratum"]])
        assert float(row["probability"]) == pytest.approx(int(row["drawn"]) / int(row["frame"]), abs=1e-6)
    keys = [(row["stratum"], row["key"]) for row in rows]
    assert len(set(keys)) == len(keys)


def test_hand_codes_are_the_voices_true_concerns(world: Any) -> None:
    """Letters and forum users: the truth behind voices_truth.csv; respondents: what they hold
    (无诉求 for the two who answered 没有 / 说不上来). Keys are what a user sees."""
    topics = set(demo_topics())
    truth = {row["voice_key"]: row["topics"] for row in read_csv("voices_truth.csv")}
    nick_uid = {nick: uid for uid, nick, _ in forum_posts()}
    survey = read_csv("survey.csv", encoding="gbk")
    said = {}
    for row, person in zip(survey, world.respondents, strict=True):
        held = "无诉求" if row["最关心的问题"] in ("没有", "说不上来") else ";".join(person.concerns)
        said.setdefault(row["编号"], held)  # a reused 编号: the first row is the one stored
    for row in read_csv("hand_coded.csv"):
        if row["topics"] != "无诉求":
            assert set(row["topics"].split(";")) <= topics, row
        if row["stratum"] == "letters":
            assert re.fullmatch(r"detail_\d{4}\.html", row["key"]) and row["topics"] == truth[row["key"]]
        elif row["stratum"] == "forum":
            assert row["topics"] == truth[nick_uid[row["key"]]], row
        else:
            assert row["topics"] == said[row["key"]], row
