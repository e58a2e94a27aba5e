import json
from pathlib import Path

from sqlalchemy import func, select

from listener.config import validate
from listener.importer import BATCH, import_file
from storage.schema import matches, mentions

CONFIG = {
    "topics": [
        {"name": "Acme", "kind": "brand", "query": '"acme coffee" OR @acmecoffee'},
        {"name": "Rival", "kind": "competitor", "query": "rival"},
    ],
}


def jsonl(path: Path, records: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (connection.execute(select(func.count()).select_from(mentions)).scalar_one(),
                connection.execute(select(func.count()).select_from(matches)).scalar_one())


GOOD = [
    {"source": "x", "id": "1", "text": "I love Acme Coffee", "created_at": "2026-11-17T10:00:00Z",
     "author": "@ann", "author_followers": 120, "likes": 3, "lang": "en"},
    {"source": "x", "id": "2", "text": "@acmecoffee and rival both fine", "created_at": 1794823200},
    {"source": "reddit", "id": "t3_a", "text": "nothing relevant here", "created_at": "2026-11-18"},
]


def test_importing_the_same_file_twice_changes_nothing(engine, tmp_path):
    config = validate(CONFIG)
    path = jsonl(tmp_path / "m.jsonl", GOOD)
    first = import_file(engine, config, path)
    after_first = counts(engine)
    second = import_file(engine, config, path)
    assert (first.records, first.new, first.unmatched) == (3, 3, 1)
    assert (second.new, second.already_stored) == (0, 3)
    assert counts(engine) == after_first == (3, 3)  # mention 2 matches both topics


def test_a_full_batch_imported_twice_keeps_its_ids_and_order(engine, tmp_path):
    """A whole batch of keys looked up at once must not overflow the database's parser."""
    records = [{"source": "x", "id": str(n), "text": f"acme coffee {n}", "created_at": 1794823200 + n}
               for n in range(BATCH)]
    path = jsonl(tmp_path / "m.jsonl", records)
    first = import_file(engine, validate(CONFIG), path)
    ids = stored_ids(engine)
    second = import_file(engine, validate(CONFIG), path)
    assert (first.new, second.new, second.already_stored) == (BATCH, 0, BATCH)
    assert stored_ids(engine) == ids and [external for _, external in ids] == [str(n) for n in range(BATCH)]
    assert counts(engine) == (BATCH, BATCH)


def stored_ids(engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(mentions.c.id, mentions.c.external_id).order_by(mentions.c.id))]


def test_bad_lines_are_reported_by_number_and_the_rest_is_stored(engine, tmp_path):
    config = validate(CONFIG)
    path = jsonl(tmp_path / "m.jsonl", [
        GOOD[0],
        "{not json",
        {"source": "x", "id": "9", "text": "no date"},
        {"source": "x", "id": "10", "text": "acme coffee", "created_at": "yesterday"},
        [1, 2],
        {"source": "x", "id": "11", "text": "acme coffee", "created_at": "2026-11-17", "likes": "many"},
        GOOD[1],
    ])
    report = import_file(engine, config, path)
    assert [bad.line for bad in report.bad] == [2, 3, 4, 5, 6]
    assert "created_at" in str(report.bad[1]) and "likes" in str(report.bad[4])
    assert report.new == 2 and counts(engine)[0] == 2


def test_csv_import_uses_the_column_map_and_a_default_source(engine, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("tweet_id,body,when,who\n1,Acme Coffee rocks,2026-11-17T08:00:00,@bob\n", encoding="utf-8")
    report = import_file(engine, validate(CONFIG), path,
                         column_map={"id": "tweet_id", "text": "body", "created_at": "when", "author": "who"},
                         source="survey")
    assert (report.new, report.bad) == (1, [])
    with engine.connect() as connection:
        row = connection.execute(select(mentions.c.source, mentions.c.author, mentions.c.text)).one()
    assert tuple(row) == ("survey", "bob", "Acme Coffee rocks")


def test_hostile_text_is_stored_exactly_as_given(engine, tmp_path):
    hostile = "<script>alert(1)</script> \u202eacme coffee\u200b 🤖 " + "A" * 3000
    import_file(engine, validate(CONFIG), jsonl(tmp_path / "m.jsonl", [
        {"source": "x", "id": "1", "text": hostile, "created_at": "2026-11-17"}]))
    with engine.connect() as connection:
        assert connection.execute(select(mentions.c.text)).scalar_one() == hostile


def test_an_import_that_crashes_is_recorded_as_failed(engine, tmp_path, monkeypatch):
    import pytest
    from sqlalchemy import select as sql_select

    from listener import importer
    from storage.schema import runs

    def broken_write(self, prepared, **_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer.Ingestor, "write", broken_write)
    with pytest.raises(RuntimeError):
        import_file(engine, validate(CONFIG), jsonl(tmp_path / "m.jsonl", GOOD))
    with engine.connect() as connection:
        status, error = connection.execute(sql_select(runs.c.status, runs.c.error)).one()
    assert status == "failed" and "disk full" in error


def test_an_import_collects_garbage_rarely_and_restores_the_collector_after(engine, tmp_path, monkeypatch):
    import gc

    from listener import importer

    seen = []
    before = gc.get_threshold()
    write = importer.Ingestor.write

    def spy(self, prepared, **kwargs):
        seen.append(gc.get_threshold()[0])
        return write(self, prepared, **kwargs)

    monkeypatch.setattr(importer.Ingestor, "write", spy)
    import_file(engine, validate(CONFIG), jsonl(tmp_path / "m.jsonl", GOOD))
    assert seen == [importer.IMPORT_GC_THRESHOLD]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def _stored(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(mentions.c.id, mentions.c.source, mentions.c.external_id, mentions.c.text, mentions.c.likes,
                   mentions.c.text_hash, mentions.c.story_key, matches.c.topic_id)
            .outerjoin(matches, matches.c.mention_id == mentions.c.id).order_by(mentions.c.id, matches.c.topic_id))]


def test_a_second_process_reading_ahead_stores_and_reports_exactly_what_one_process_does(
        tmp_path, monkeypatch, forking):
    from listener import importer
    from storage import db

    records = [*GOOD, "not json", {"source": "x", "id": "9", "text": "Acme Coffee in 1970",
                                   "created_at": "1970-01-02T00:00:00Z"}]
    records += [{"source": "x", "id": str(i % 7), "text": f"acme coffee https://ex.com/a?i={i} rival",
                 "created_at": 1794823200 + i, "likes": i} for i in range(20)]  # repeats across batches
    path = jsonl(tmp_path / "m.jsonl", records)
    monkeypatch.setattr(importer, "BATCH", 4)
    results = {}
    for ahead, threshold in (("one process", 10**12), ("read ahead", 0)):
        monkeypatch.setattr(importer, "AHEAD_MIN_BYTES", threshold)
        engine = db.create(f"sqlite:///{tmp_path / ahead}.db")
        report = import_file(engine, validate(CONFIG), path)
        results[ahead] = (_stored(engine), report)
        engine.dispose()
    assert results["read ahead"] == results["one process"]
    rows, report = results["read ahead"]
    assert [str(bad) for bad in report.bad] == ["line 4: not valid JSON (Expecting value: line 1 column 1 (char 0))"]
    assert report.odd_dates == [5] and report.repeated == 15 and report.records == 24
    assert len({row[0] for row in rows}) == report.new == 9  # ids 1 and 2 come again among the 0..6


def test_a_file_in_another_format_is_refused_with_the_same_error_when_read_ahead(
        engine, tmp_path, monkeypatch, forking):
    import pytest

    from connectors.file import NotJsonLines
    from listener import importer

    monkeypatch.setattr(importer, "AHEAD_MIN_BYTES", 0)
    path = tmp_path / "array.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    with pytest.raises(NotJsonLines, match="jq -c"):
        import_file(engine, validate(CONFIG), path)
    assert counts(engine) == (0, 0)
