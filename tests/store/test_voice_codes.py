"""Voices coded ahead (``voice_codes``): the rows a report's voices give, cells by ``GROUP BY``,
stale codes told, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from opinion.attributes import UNKNOWN
from opinion.errors import InputError, StoreError
from opinion.estimates.coded import (
    CELL_COLUMNS,
    code_voices,
    coded_config,
    coded_state,
    require_current,
    voice_cells,
    write_coded,
)
from opinion.estimates.voices import online_voices
from opinion.store.copy import store_name
from opinion.store.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    document_cues,
    document_versions,
    documents,
    meta_table,
    open_store,
    upsert_document,
    voice_codes,
)
from opinion.surveys.importer import import_survey
from opinion.text.coder import load_coder
from opinion.text.cues import Gazetteer, load_gazetteer
from opinion.text.measures import topic_matrix, voice_tokens
from opinion.text.segment import Segmenter
from tests.helpers import REPO, TEST_DATA, write_small_survey

TODAY = date(2026, 11, 30)
GROUPS = ["source", "region", "urban", "sex", "age_group", "age_lo", "age_hi", "topics"]
# Complaints (topics) and who-is-writing cues (sex, age, village), mixed per document.
SAYS = ["村里的路灯坏了很久没人修", "看病太贵，医保报销太慢", "孩子上学要走很远的山路", "养老院床位太少，老人排不上",
        "工资被拖欠了三个月", "小区垃圾没人清运，夏天很臭", "房价太高买不起房", "谢谢领导"]
CUES = ["", "本人女，我们村", "我是80后，", "本人男，退休在家，"]
# Site attributes as pages show them; the regions' cases and scripts sort differently in a
# database's locale than byte by byte.
PLACES = [{}, {"region": "城关镇"}, {"region": "Bei镇"}, {"region": "an镇"}, {"sex": "male", "age": 45},
          {"place": "城关镇 东关社区"}, {"age_group": "60+"}]


def fill(store: Store, n: int = 90) -> None:
    """``n`` documents by 31 authors (most writing three times), with site attributes and text
    cues (authors 28 apart alike), one by an author who raises no concern, and an article, which is nobody's voice."""
    with store.engine.begin() as conn:
        for i in range(n):
            author = i % 31
            kind = "letter" if author % 4 == 0 else "post"
            upsert_document(conn, {
                "url": f"http://x.cn/{i:03d}", "source": "县长信箱" if kind == "letter" else "论坛", "kind": kind,
                "content_hash": f"h{i}", "author": f"v_{author:014d}", "title": "反映问题" if kind == "letter" else None,
                "text": f"{CUES[author % len(CUES)]}{SAYS[(author % 4) * 2 + (i // 31) % 2]}",
                "fetched_at": "2026-11-27T12:00:00",
                "attributes": {k: {"value": v, "provenance": "site"} for k, v in PLACES[author % len(PLACES)].items()},
            })
        upsert_document(conn, {"url": "http://x.cn/thanks", "source": "论坛", "kind": "post", "content_hash": "ty",
                               "author": "v_quiet", "text": "谢谢领导", "fetched_at": "2026-11-27T12:00:00"})
        upsert_document(conn, {"url": "http://x.cn/article", "source": "县政府", "kind": "article",
                               "content_hash": "art", "author": None, "text": "县政府召开专题会议部署道路改造",
                               "fetched_at": "2026-11-27T12:00:00"})


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(TEST_DATA / "gazetteer.csv")


@pytest.fixture()
def filled(store: Store) -> Iterator[Store]:
    fill(store)
    yield store


def expected_voices(store: Store, segmenter: Segmenter, gazetteer: Gazetteer | None) -> pd.DataFrame:
    """What a report has for each online voice: its attributes and the pattern of its topics."""
    voices = online_voices(store, gazetteer, today=TODAY)
    coder = load_coder()
    tokens = voice_tokens(store, voices["texts"].tolist(), segmenter)
    topics, _ = topic_matrix(tokens, coder, voices.index)
    voices["topics"] = ["".join(str(int(flag)) for flag in row) for row in topics.to_numpy()]
    return voices[["voice", *GROUPS, "n_documents"]]


def stored_rows(store: Store, config: str) -> pd.DataFrame:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(voice_codes).where(voice_codes.c.config == config)
                            .order_by(voice_codes.c.voice)).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in voice_codes.c])


def remove_documents(store: Store, where: sa.ColumnElement[bool]) -> None:
    """Delete documents (and the cues read in them, which refer to them)."""
    with store.engine.begin() as conn:
        ids = conn.execute(sa.select(documents.c.id).where(where)).scalars().all()
        conn.execute(document_cues.delete().where(document_cues.c.document_id.in_(ids)))
        conn.execute(documents.delete().where(documents.c.id.in_(ids)))


def code(store: Store, segmenter: Segmenter, gazetteer: Gazetteer | None) -> str:
    summary = code_voices(store, load_coder(), segmenter, gazetteer, today=TODAY, batch=7)
    return summary.config


def test_coded_rows_are_the_voices_and_topics_a_report_has(filled: Store, segmenter: Segmenter,
                                                           gazetteer: Gazetteer) -> None:
    summary = code_voices(filled, load_coder(), segmenter, gazetteer, today=TODAY, batch=7)
    assert summary.config == coded_config(load_coder(), segmenter, gazetteer, TODAY)
    assert (summary.voices, summary.documents) == (32, 91)  # the article is nobody's voice
    want = expected_voices(filled, segmenter, gazetteer).sort_values("voice").reset_index(drop=True)
    got = stored_rows(filled, summary.config)
    assert (got["config"] == summary.config).all()
    pd.testing.assert_frame_equal(got[want.columns].astype({"age_lo": float, "age_hi": float}), want,
                                  check_dtype=False)
    # the fixture gives what the cells must keep apart: text and site attributes, unknowns, open ages, topics
    assert {"female", "male", UNKNOWN} <= set(got["sex"]) and {"60+", UNKNOWN} <= set(got["age_group"])
    assert got["age_lo"].notna().any() and got["age_lo"].isna().any()
    assert (got["age_lo"].notna() & got["age_hi"].isna()).any()  # "60+": no upper age
    assert got["topics"].str.contains("1").any() and (got["topics"].str.count("1") == 0).any()
    assert got["topics"].str.len().eq(len(load_coder().codes)).all()

    state = coded_state(filled, summary.config)
    assert state is not None and not state.stale and state.reason == ""
    assert (state.voices, state.today, state.codes) == (32, "2026-11-30", load_coder().codes)
    assert (state.coder, state.coder_fingerprint) == (load_coder().name, load_coder().fingerprint)
    assert state.segmenter_fingerprint == segmenter.fingerprint()
    assert (state.documents.count, state.documents.versions) == (91, 0)
    assert require_current(filled, summary.config) == state


def test_the_configuration_names_coder_segmenter_gazetteer_and_year(segmenter: Segmenter, gazetteer: Gazetteer,
                                                                      tmp_path: Path) -> None:
    lexicon = tmp_path / "topics.yaml"  # the shipped lexicon with one word more
    shipped = (REPO / "data" / "lexicon" / "topics.yaml").read_text(encoding="utf-8")
    assert "路灯, " in shipped
    lexicon.write_text(shipped.replace("路灯, ", "路灯, 路灯杆, ", 1), encoding="utf-8")
    base = coded_config(None, segmenter, None, TODAY)
    assert base == coded_config(load_coder(), segmenter, None, date(2026, 1, 1))  # cues keep the year only
    others = [coded_config(None, segmenter, gazetteer, TODAY), coded_config(None, segmenter, None, date(2027, 1, 1)),
              coded_config(None, Segmenter.default(engine="rjieba"), None, TODAY),
              coded_config(load_coder(lexicon), segmenter, None, TODAY)]
    assert len({base, *others}) == len(others) + 1


def order_key(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    """The documented order of cells: texts by code point (that is, by UTF-8 bytes), numbers
    ascending, NULLs last."""
    return tuple((bool(pd.isna(v)), 0 if pd.isna(v) else v) for v in row)


def test_cells_count_what_a_groupby_of_the_voices_counts(filled: Store, segmenter: Segmenter,
                                                         gazetteer: Gazetteer) -> None:
    config = code(filled, segmenter, gazetteer)
    cells = voice_cells(filled, config)
    assert list(cells.columns) == list(CELL_COLUMNS)
    assert cells["voice"].isna().all() and cells["count"].sum() == 32
    want = expected_voices(filled, segmenter, gazetteer).groupby(GROUPS, dropna=False).size()
    want_rows = sorted(((order_key(k), int(n)) for k, n in want.items()), key=lambda kn: kn[0])
    got_rows = [(order_key(k), int(n)) for k, n in zip(cells[GROUPS].itertuples(index=False, name=None),
                                                        cells["count"], strict=True)]
    assert got_rows == want_rows  # the same cells and counts, in the documented order
    assert 5 < len(cells) < 32  # voices share cells, and not all


def test_voices_kept_apart_are_their_own_rows_and_not_in_the_cells(filled: Store, segmenter: Segmenter,
                                                                   gazetteer: Gazetteer) -> None:
    config = code(filled, segmenter, gazetteer)
    voices = expected_voices(filled, segmenter, gazetteer).set_index("voice")
    apart = [voices.index[5], voices.index[0], voices.index[17]]
    cells = voice_cells(filled, config, apart=[*apart, "v_not_coded", apart[0]])
    own = cells[cells["voice"].notna()]
    assert own["voice"].tolist() == sorted(apart) and (own["count"] == 1).all()
    for row in own.itertuples(index=False):
        expected = voices.loc[row.voice]
        assert [getattr(row, c) for c in GROUPS if c not in ("age_lo", "age_hi")] == [
            expected[c] for c in GROUPS if c not in ("age_lo", "age_hi")]
        assert pd.isna(row.age_lo) == pd.isna(expected["age_lo"]) and pd.isna(row.age_hi) == pd.isna(expected["age_hi"])
    rest = cells[cells["voice"].isna()]
    assert rest["count"].sum() == 32 - 3
    whole = voice_cells(filled, config)

    def counted(frame: pd.DataFrame) -> list[tuple[Any, int]]:
        sums = frame.groupby(GROUPS, dropna=False)["count"].sum()
        return sorted(((order_key(k), int(n)) for k, n in sums.items()), key=lambda kn: kn[0])

    assert counted(pd.concat([rest, own])) == counted(whole)  # apart plus cells: every voice once


def test_stored_or_changed_documents_make_the_codes_stale(filled: Store, segmenter: Segmenter) -> None:
    config = code(filled, segmenter, None)
    with filled.engine.begin() as conn:  # an article is nobody's voice: the codes stay current
        upsert_document(conn, {"url": "http://x.cn/article2", "source": "县政府", "kind": "article",
                               "content_hash": "art2", "text": "通知", "fetched_at": "2026-12-01T00:00:00"})
    assert require_current(filled, config).stale is False
    with filled.engine.begin() as conn:
        for i in (1, 2):
            upsert_document(conn, {"url": f"http://x.cn/new{i}", "source": "论坛", "kind": "post",
                                   "content_hash": f"n{i}", "author": "v_new", "text": "路灯坏了",
                                   "fetched_at": "2026-11-30T09:00:00"})
    state = coded_state(filled, config)
    assert state is not None and state.stale
    assert state.reason == f"2 documents stored since the voices were coded on {state.coded_at[:10]}"
    with pytest.raises(InputError) as caught:
        require_current(filled, config)
    name = store_name(filled)
    assert str(caught.value) == (f"{name}: the coded voices are out of date ({state.reason}); run `tongxin "
                                 f"[--engine ENGINE] store code --db {name}` with the --coder, --gazetteer and "
                                 "--userdict of this report (and the global --engine before the command) again")
    assert "***" in name or "postgresql" not in name  # no password shown

    config = code(filled, segmenter, None)
    assert require_current(filled, config).voices == 33
    with filled.engine.begin() as conn:  # changed in place, as a crawl stores a new version
        upsert_document(conn, {"url": "http://x.cn/new1", "source": "论坛", "kind": "post", "content_hash": "n1-v2",
                               "author": "v_new", "text": "路灯修好了", "fetched_at": "2026-12-01T09:00:00"})
    state = coded_state(filled, config)
    assert state is not None and state.reason.startswith("documents fetched again (changed in place) since")
    with filled.engine.begin() as conn:
        doc_id = conn.execute(sa.select(documents.c.id).where(documents.c.url == "http://x.cn/new1")).scalar_one()
        conn.execute(document_versions.insert().values(
            document_id=doc_id, url="http://x.cn/new1", content_hash="n1", text="路灯坏了",
            fetched_at="2026-11-30T09:00:00", replaced_at="2026-12-01T09:00:00"))
    state = coded_state(filled, config)
    assert state is not None and state.reason.startswith("1 document changed since the voices were coded on")
    with filled.engine.begin() as conn:
        conn.execute(document_versions.delete())
    remove_documents(filled, documents.c.url == "http://x.cn/new2")
    state = coded_state(filled, config)
    assert state is not None and state.reason.startswith("1 document removed since")


def test_coding_again_replaces_and_configurations_are_kept_apart(filled: Store, segmenter: Segmenter,
                                                                 gazetteer: Gazetteer) -> None:
    plain = code(filled, segmenter, None)
    remove_documents(filled, documents.c.author == f"v_{3:014d}")
    again = code(filled, segmenter, None)
    with_places = code(filled, segmenter, gazetteer)
    assert again == plain != with_places
    with filled.engine.connect() as conn:
        per_config = dict(conn.execute(sa.select(voice_codes.c.config, sa.func.count())
                                       .group_by(voice_codes.c.config)).all())
        keys = conn.execute(sa.select(meta_table.c.key).where(meta_table.c.key.like("voice_codes:%"))).scalars().all()
    assert per_config == {plain: 31, with_places: 31}  # the voice whose documents went is gone: no duplicates
    assert sorted(keys) == sorted(f"voice_codes:{c}" for c in (plain, with_places))
    assert stored_rows(filled, plain)["voice"].is_unique


def test_an_interrupted_coding_is_not_taken_as_current(filled: Store, segmenter: Segmenter) -> None:
    config = code(filled, segmenter, None)
    rows = stored_rows(filled, config).drop(columns="config")

    def chunks() -> Iterator[pd.DataFrame]:
        yield rows.iloc[:10]
        raise KeyboardInterrupt  # stopped while writing

    with pytest.raises(KeyboardInterrupt):
        write_coded(filled, config, chunks(), codes=load_coder().codes, coder=load_coder(), segmenter=segmenter,
                    today=TODAY, batch=4)
    assert coded_state(filled, config) is None and len(stored_rows(filled, config)) == 10
    with pytest.raises(InputError, match=r"the last coding of its voices for this configuration did not finish "
                                         rf"\(configuration {config[:12]}\); run `tongxin \[--engine ENGINE\] store code --db "):
        require_current(filled, config)
    with pytest.raises(InputError, match=r": no voices are coded for this coder, segmenter, gazetteer and year "):
        require_current(filled, "0" * 64)


def test_a_topic_pattern_of_another_length_is_refused(filled: Store, segmenter: Segmenter) -> None:
    chunk = {"voice": ["v_x"], "region": ["r"], "urban": ["rural"], "sex": ["male"], "age_group": ["60+"],
             "topics": ["0101"]}
    with pytest.raises(InputError, match=r"voice 'v_x': topic pattern '0101' has 4 flags; the coder has 15 codes"):
        write_coded(filled, "c", [chunk], codes=load_coder().codes, coder=None, segmenter=segmenter, today=TODAY)


def test_survey_respondents_are_not_coded(store: Store, tmp_path: Path, segmenter: Segmenter) -> None:
    survey = tmp_path / "survey.csv"
    write_small_survey(survey)
    import_survey(store, survey, wave="2026")
    summary = code_voices(store, None, segmenter, today=TODAY)
    assert (summary.voices, summary.documents) == (0, 0)
    assert voice_cells(store, summary.config).empty
    assert list(voice_cells(store, summary.config).columns) == list(CELL_COLUMNS)


def test_same_cells_in_the_same_order_on_sqlite_and_postgresql(tmp_path: Path, pg_schema_url: str,
                                                                segmenter: Segmenter, gazetteer: Gazetteer) -> None:
    frames = []
    for url in (str(tmp_path / "a.db"), pg_schema_url):
        with open_store(url) as opened:
            fill(opened)
            with opened.engine.begin() as conn:  # two cells told apart by a NULL: "60+" has no upper age
                for author, shown in (("v_sixty", {"age": 60}), ("v_over_sixty", {"age_group": "60+"})):
                    upsert_document(conn, {
                        "url": f"http://x.cn/{author}", "source": "论坛", "kind": "post", "content_hash": author,
                        "author": author, "text": "看病太贵", "fetched_at": "2026-11-27T12:00:00",
                        "attributes": {k: {"value": v, "provenance": "site"} for k, v in shown.items()}})
            if opened.engine.dialect.name == "postgresql":  # a locale's order, where "an镇" < "Bei镇"
                with opened.engine.begin() as conn:
                    for column in ("region", "urban", "sex", "age_group", "topics", "voice"):
                        conn.execute(sa.text(f'ALTER TABLE voice_codes ALTER COLUMN {column} TYPE VARCHAR '
                                             f'COLLATE "en-x-icu"'))
            config = code(opened, segmenter, gazetteer)
            voices = expected_voices(opened, segmenter, gazetteer)["voice"]
            frames.append(voice_cells(opened, config, apart=list(voices[::7])))
    sqlite_cells, pg_cells = frames
    pd.testing.assert_frame_equal(sqlite_cells, pg_cells)
    regions = sqlite_cells.loc[sqlite_cells["voice"].isna(), "region"].tolist()
    assert regions.index("Bei镇") < regions.index("an镇")  # bytes: upper case first
    sixty = sqlite_cells[(sqlite_cells["age_lo"] == 60) & (sqlite_cells["topics"] == "1" + "0" * 14)
                         & (sqlite_cells["region"] == UNKNOWN)]
    assert sixty["age_hi"].fillna(-1).tolist() == [60.0, -1]  # the NULL last


def test_the_migration_to_schema_9_creates_the_table_the_code_writes(any_store: Store) -> None:
    with any_store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE voice_codes"))
        for statement in MIGRATIONS[7]:  # the step 8 -> 9, as an older store runs it
            conn.execute(sa.text(statement))
    columns = {c["name"]: (c["nullable"], type(c["type"]).__name__) for c in sa.inspect(any_store.engine).get_columns(
        "voice_codes")}
    assert list(columns) == [c.name for c in voice_codes.c]
    assert [name for name, (nullable, _) in columns.items() if not nullable] == [
        "config", "voice", "source", "topics", "n_documents"]
    write_coded(any_store, "c", [{"voice": ["v_a"], "region": ["城关镇"], "urban": ["rural"], "sex": [UNKNOWN],
                                  "age_group": ["60+"], "age_lo": [60.0], "topics": ["0" * 15]}],
                codes=load_coder().codes, coder=None, segmenter=Segmenter.default(), today=TODAY)
    cells = voice_cells(any_store, "c")
    assert cells.drop(columns=["voice", "age_hi"]).to_dict("records") == [
        {"source": "online", "region": "城关镇", "urban": "rural", "sex": UNKNOWN, "age_group": "60+", "age_lo": 60.0,
         "topics": "0" * 15, "count": 1}]
    assert pd.isna(cells["age_hi"][0])  # not given: unknown


@pytest.mark.parametrize(("batch", "workers"), [(1, 1), (3, 1), (7, 1), (3, 2)])
def test_batches_and_processes_give_the_rows_of_one_build(filled: Store, segmenter: Segmenter, gazetteer: Gazetteer,
                                                          batch: int, workers: int) -> None:
    # fill() interleaves the authors' documents in URL order: a batch of authors is never a run of URLs
    whole = code_voices(filled, load_coder(), segmenter, gazetteer, today=TODAY, batch=1000)
    one_build = stored_rows(filled, whole.config)
    assert len(one_build) == 32
    want = expected_voices(filled, segmenter, gazetteer).sort_values("voice").reset_index(drop=True)
    pd.testing.assert_frame_equal(one_build[want.columns].astype({"age_lo": float, "age_hi": float}), want,
                                  check_dtype=False)
    summary = code_voices(filled, load_coder(), segmenter, gazetteer, today=TODAY, batch=batch, workers=workers,
                          full=True)
    assert (summary.voices, summary.documents, summary.config) == (32, 91, whole.config)
    pd.testing.assert_frame_equal(stored_rows(filled, summary.config), one_build)  # every column, every row
    state = coded_state(filled, summary.config)
    assert state is not None and not state.stale and state.voices == 32


def test_documents_without_an_author_stop_the_coding_before_anything_is_replaced(filled: Store,
                                                                                  segmenter: Segmenter) -> None:
    config = code(filled, segmenter, None)
    with filled.engine.begin() as conn:
        for i in (1, 2):
            upsert_document(conn, {"url": f"http://x.cn/anonymous{i}", "source": "论坛", "kind": "post",
                                   "content_hash": f"a{i}", "author": None, "text": "路灯坏了",
                                   "fetched_at": "2026-11-27T12:00:00"})
    with pytest.raises(StoreError) as caught:
        code_voices(filled, load_coder(), segmenter, None, today=TODAY, batch=3, workers=2)
    assert str(caught.value) == (f"{store_name(filled)}: 2 documents have no author pseudonym, so their voice cannot "
                                 "be coded; store every post and letter with its author")
    assert len(stored_rows(filled, config)) == 32  # the earlier coding is kept, and says it is out of date
    state = coded_state(filled, config)
    assert state is not None and state.reason.startswith("2 documents stored since")


def test_a_batch_reads_only_its_own_authors_documents(filled: Store, segmenter: Segmenter) -> None:
    """Every query that reads documents' texts (or the cues read in them) returns the documents of
    at most ``batch`` authors, and each document is read once: never the corpus at once."""
    batch = 3
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and (
                "documents.text" in statement or "FROM document_cues" in statement):
            seen.append((statement, parameters))

    code(filled, segmenter, None)  # cues and tokens stored: a second run reads them from the store
    for round_ in ("cold", "warm"):
        if round_ == "cold":
            with filled.engine.begin() as conn:
                conn.execute(document_cues.delete())
        seen.clear()
        sa.event.listen(filled.engine, "before_cursor_execute", record)
        try:
            code_voices(filled, load_coder(), segmenter, None, today=TODAY, batch=batch, full=True)
        finally:
            sa.event.remove(filled.engine, "before_cursor_execute", record)
        with filled.engine.connect() as conn:
            per_author = conn.execute(sa.select(documents.c.author, sa.func.count()).where(documents.c.kind != "article")
                                      .group_by(documents.c.author)).all()
            texts = [len(conn.exec_driver_sql(s, p).all()) for s, p in seen if "documents.text" in s]
            cues = [len(conn.exec_driver_sql(s, p).all()) for s, p in seen if "FROM document_cues" in s]
        counts = sorted((n for _, n in per_author), reverse=True)
        most = sum(counts[:batch])  # the documents of the batch authors who wrote most
        assert len(texts) == -(-len(per_author) // batch)  # one read per batch of authors
        assert max(texts) <= most < sum(counts) and sum(texts) == sum(counts) == 91
        assert max(cues) <= most and sum(cues) == 91  # run again now: the cues of each document looked up once


def test_the_migration_to_schema_10_indexes_documents_by_author(store_url: str) -> None:
    def indexes(opened: Store) -> dict[str, list[str | None]]:
        return {i["name"]: i["column_names"] for i in sa.inspect(opened.engine).get_indexes("documents")}

    with open_store(store_url) as opened:  # a store as schema 9 left it
        with opened.engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_documents_author"))
            conn.execute(meta_table.update().where(meta_table.c.key == "schema_version").values(value="9"))
        assert "ix_documents_author" not in indexes(opened)
    with open_store(store_url) as opened:
        assert indexes(opened)["ix_documents_author"] == ["author"]
        with opened.engine.connect() as conn:
            version = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
    assert version == str(SCHEMA_VERSION)


def _crawl_more(store: Store) -> set[str]:
    """What a later crawl brings: a new author, a new letter by an author coded before, and a
    post of a third author changed in place (its earlier version kept). Returns their pseudonyms."""
    with store.engine.begin() as conn:
        upsert_document(conn, {"url": "http://x.cn/new-author", "source": "论坛", "kind": "post", "content_hash": "n1",
                               "author": "v_newcomer", "text": "本人女，我们村的自来水经常停", "fetched_at": "2026-12-01T08:00:00"})
        upsert_document(conn, {"url": "http://x.cn/more-from-5", "source": "论坛", "kind": "post", "content_hash": "n2",
                               "author": f"v_{5:014d}", "text": "物价涨得厉害，菜价翻了一倍", "fetched_at": "2026-12-01T08:00:00"})
        changed = conn.execute(sa.select(documents).where(documents.c.url == "http://x.cn/007")).mappings().one()
        conn.execute(document_versions.insert().values(
            document_id=changed["id"], url=changed["url"], content_hash=changed["content_hash"], text=changed["text"],
            fetched_at=changed["fetched_at"], replaced_at="2026-12-01T08:00:00"))
        upsert_document(conn, {**{k: changed[k] for k in ("url", "source", "kind", "author", "title")},
                               "content_hash": "changed", "text": "找工作太难，工资拖欠", "fetched_at": "2026-12-01T08:00:00"})
    return {"v_newcomer", f"v_{5:014d}", str(changed["author"])}


def test_a_second_run_codes_again_only_the_voices_with_new_or_changed_documents(
        filled: Store, segmenter: Segmenter, gazetteer: Gazetteer) -> None:
    first = code_voices(filled, load_coder(), segmenter, gazetteer, today=TODAY, batch=7)
    assert (first.voices, first.since) == (32, None)
    touched = _crawl_more(filled)
    with filled.engine.connect() as conn:
        documents_of_touched = conn.execute(sa.select(sa.func.count()).where(
            documents.c.author.in_(touched))).scalar_one()
    state = coded_state(filled, first.config)
    assert state is not None and state.stale
    update = code_voices(filled, load_coder(), segmenter, gazetteer, today=TODAY, batch=2, workers=2)
    assert (update.voices, update.documents, update.total) == (3, documents_of_touched, 33)
    assert update.since is not None and update.full_reason == ""
    state = coded_state(filled, first.config)
    assert state is not None and not state.stale and state.voices == 33
    updated = stored_rows(filled, first.config)
    want = expected_voices(filled, segmenter, gazetteer).sort_values("voice").reset_index(drop=True)
    pd.testing.assert_frame_equal(updated[want.columns].astype({"age_lo": float, "age_hi": float}), want,
                                  check_dtype=False)
    again = code_voices(filled, load_coder(), segmenter, gazetteer, today=TODAY, full=True)
    assert (again.voices, again.since) == (33, None)
    pd.testing.assert_frame_equal(stored_rows(filled, first.config), updated)
    nothing = code_voices(filled, load_coder(), segmenter, gazetteer, today=TODAY)
    assert (nothing.voices, nothing.total) == (0, 33) and nothing.since is not None


def test_documents_removed_since_make_the_second_run_a_full_one(filled: Store, segmenter: Segmenter) -> None:
    config = code(filled, segmenter, None)
    gone = ["http://x.cn/003", "http://x.cn/034"]
    with filled.engine.begin() as conn:
        ids = sa.select(documents.c.id).where(documents.c.url.in_(gone)).scalar_subquery()
        conn.execute(document_cues.delete().where(document_cues.c.document_id.in_(ids)))
        conn.execute(documents.delete().where(documents.c.url.in_(gone)))
    summary = code_voices(filled, load_coder(), segmenter, None, today=TODAY, batch=7)
    assert (summary.since, summary.full_reason) == (None, "2 of the documents coded then are gone")
    assert summary.voices == 32  # author 3 still wrote http://x.cn/065
    state = coded_state(filled, config)
    assert state is not None and not state.stale


def test_an_update_killed_half_way_leaves_no_current_codes_and_the_next_run_codes_all(
        filled: Store, segmenter: Segmenter) -> None:
    config = code(filled, segmenter, None)
    _crawl_more(filled)

    def killed(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        code_voices(filled, load_coder(), segmenter, None, today=TODAY, batch=1, progress=killed)
    assert coded_state(filled, config) is None
    rerun = code_voices(filled, load_coder(), segmenter, None, today=TODAY, batch=7)
    assert (rerun.voices, rerun.since) == (33, None)
    want = expected_voices(filled, segmenter, None).sort_values("voice").reset_index(drop=True)
    pd.testing.assert_frame_equal(stored_rows(filled, config)[want.columns].astype({"age_lo": float, "age_hi": float}),
                                  want, check_dtype=False)
