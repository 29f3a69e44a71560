"""The MEANTIME time-gold converter: text rebuilt from tokens, TIMEX3 spans exact, only the annotated head."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "convert_meantime_time.py"
spec = importlib.util.spec_from_file_location("convert_meantime_time", SCRIPT)
convert = importlib.util.module_from_spec(spec)
spec.loader.exec_module(convert)

DOC = """<?xml version="1.0" ?><Document doc_id="1" doc_name="1_Test" lang="en" url="http://x">
<token number="0" sentence="0" t_id="1">Airbus</token>
<token number="1" sentence="0" t_id="2">wins</token>
<token number="2" sentence="1" t_id="3">June</token>
<token number="3" sentence="1" t_id="4">13</token>
<token number="4" sentence="1" t_id="5">,</token>
<token number="5" sentence="1" t_id="6">2005</token>
<token number="6" sentence="2" t_id="7">It</token>
<token number="7" sentence="2" t_id="8">won</token>
<token number="8" sentence="2" t_id="9">(</token>
<token number="9" sentence="2" t_id="10">again</token>
<token number="10" sentence="2" t_id="11">)</token>
<token number="11" sentence="2" t_id="12">in</token>
<token number="12" sentence="2" t_id="13">2009</token>
<token number="13" sentence="2" t_id="14">.</token>
<token number="14" sentence="9" t_id="15">Unannotated</token>
<Markables>
<TIMEX3 functionInDocument="CREATION_TIME" m_id="1" type="DATE" value="2005-06-13">
<token_anchor t_id="3"/><token_anchor t_id="4"/><token_anchor t_id="5"/><token_anchor t_id="6"/>
</TIMEX3>
<TIMEX3 functionInDocument="NONE" m_id="2" type="DATE" value="2009"><token_anchor t_id="13"/></TIMEX3>
<TIMEX3 functionInDocument="NONE" m_id="3" type="DATE" value="2010"></TIMEX3>
</Markables></Document>"""


def test_convert_document(tmp_path):
    path = tmp_path / "1_Test.xml"
    path.write_text(DOC, encoding="utf-8")
    line = convert.convert_document(path)
    assert line["text"] == "Airbus wins\nJune 13, 2005\nIt won (again) in 2009."
    assert line["published"] == "2005-06-13"
    assert [(line["text"][t["start"]:t["end"]], t["value"]) for t in line["timexes"]] == [
        ("June 13, 2005", "2005-06-13"), ("2009", "2009")]


def test_shipped_gold_spans_exact():
    gold = ROOT / "tests" / "data" / "gold" / "time_meantime.jsonl"
    lines = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 120
    for line in lines:
        for t in line["timexes"]:
            assert line["text"][t["start"]:t["end"]] == t["text"]
