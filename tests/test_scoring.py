"""The scoring framework: P/R/F1, averages, confusion tables, gold reading."""

from __future__ import annotations

import pytest

from wirewatch.errors import UserError
from wirewatch.evaluate.scoring import PRFCounter, confusion_table, prf, read_gold


def test_prf_counts_and_averages():
    c = PRFCounter()
    c.add(["ASSAULT", "ASSAULT", "PROTEST"], ["ASSAULT", "COERCE"])
    c.add(["PROTEST"], ["PROTEST"])
    per = c.per_class()
    assert per["ASSAULT"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert per["COERCE"]["precision"] == 0.0 and per["COERCE"]["support"] == 0
    avg = c.averages()
    assert avg["micro_precision"] == pytest.approx(2 / 3)
    assert avg["micro_recall"] == pytest.approx(2 / 4)
    assert avg["macro_f1"] == pytest.approx((2 / 3 + 0.0 + 2 / 3) / 3)
    assert avg["weighted_recall"] == pytest.approx((0.5 * 2 + 0.5 * 2) / 4)
    table = c.table("types")
    assert table.rows[-1][0] == "[weighted]" and table.rows[0][0] == "ASSAULT"


def test_prf_edge_cases():
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)
    assert prf(3, 1, 0) == (0.75, 1.0, pytest.approx(6 / 7))


def test_confusion_table():
    t = confusion_table([("A", "A"), ("A", "B"), ("B", "-"), ("-", "A")])
    assert t.columns == ("gold\\pred", "A", "B", "-")
    assert t.rows[0] == ("A", 1, 1, 0)
    assert t.rows[2] == ("-", 1, 0, 0)


def test_read_gold_errors(tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"text": "a"}\n\n["x"]\n')
    with pytest.raises(UserError, match=r"g.jsonl:3: a gold line must be an object"):
        list(read_gold(gold))
    with pytest.raises(UserError, match="cannot read gold file"):
        list(read_gold(tmp_path / "missing.jsonl"))
