"""Terminal rendering: eval tables keep bracketed labels, bench and ingest summaries say what happened."""

from __future__ import annotations

from wirewatch import render
from wirewatch.evaluate.scoring import PRFCounter, TaskReport
from wirewatch.ingest.runner import IngestSummary


def test_report_keeps_bracketed_labels(capsys):
    counter = PRFCounter()
    counter.add(["ASSAULT"], ["ASSAULT", "PROTEST"])
    render.print_report(TaskReport("events", "gold.jsonl", {"micro_f1": 0.667}, (counter.table("types"),)))
    out = capsys.readouterr().out
    assert "[micro]" in out and "[weighted]" in out and "micro_f1: 0.667" in out


def test_bench_and_summary(capsys):
    run = {"seconds": 2.0, "articles_per_s": 5.0, "words_per_s": 900.0, "peak_rss_mb": 300.0}
    render.print_bench({"articles": 10, "words": 1800, "model": "m", "spacy": run,
                        "pipeline": {**run, "seconds": 2.5}, "ratio": 1.25, "startup_seconds": 0.9,
                        "stages": {"events": 0.2}})
    out = capsys.readouterr().out
    assert "ratio: 1.25" in out and "events: 0.20 s (10.0 % of parse)" in out
    render.print_summary(IngestSummary(read=3, added=1, skipped=1, near_duplicates=0, events=4,
                                       failed=[("bad.txt", "empty file")], seconds=1.0))
    err = capsys.readouterr().err
    assert "failed bad.txt: empty file" in err and "added 1, skipped 1" in err and "4 events" in err


def test_print_table_shows_user_data_as_typed(capsys):
    from datetime import datetime

    render.print_table("2 sources", ("url", "last success", "error"), [
        ("https://x.test/[bold]feed[/bold]", render.stamp(datetime(2026, 12, 1, 9, 5)), "ansi\x1b[31mred"),
        ("https://y.test/", render.stamp(None), None),
    ])
    out = capsys.readouterr().out
    assert "2 sources" in out and "[bold]feed[/bold]" in out and "2026-12-01 09:05" in out
    assert "never" in out and "\x1b[31m" not in out and "\\x1b[31mred" in out
