"""One documented text limit everywhere (wirewatch/limits.py): extract, ingest and the API's POST."""

from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient

from wirewatch.api import create_app
from wirewatch.cli import cli
from wirewatch.limits import MAX_TEXT_CHARS
from wirewatch.store import Store

LIMIT = f"over the {MAX_TEXT_CHARS:,}-character limit"


def test_api_post_over_the_limit_is_413_with_the_message(tmp_path):
    url = f"sqlite:///{tmp_path / 'api.db'}"
    Store.open(url).close()
    with TestClient(create_app(url, write_token="s3cret"), raise_server_exceptions=False) as client:
        resp = client.post("/api/articles", json={"text": "Troops withdrew. " * 70_600},  # 1.2 M characters
                           headers={"Authorization": "Bearer s3cret"})
        assert resp.status_code == 413, resp.text  # was a 500 (spaCy E088)
        body = resp.json()
        assert body["ok"] is False and body["status"] == 413 and LIMIT in body["error"]
        nul = client.post("/api/articles", json={"text": "Troops\u0000 withdrew from Aleppo."},
                          headers={"Authorization": "Bearer s3cret"})
        assert nul.status_code == 201, nul.text  # the same cleaning as every reader
        art = client.get(f"/api/articles/{nul.json()['article_id']}").json()["article"]
        assert art["text"] == "Troops withdrew from Aleppo."


def test_cli_long_article_is_one_line_and_the_batch_goes_on(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("Rebels attacked the town. " * 200_000)  # 5.2 MB on one line: E088 aborted the run
    good = tmp_path / "good.txt"
    good.write_text("Rebels attacked an army post near Aleppo on Monday.")
    runner = CliRunner()
    out = runner.invoke(cli, ["extract", str(big), str(good)], catch_exceptions=False)
    assert out.exit_code == 1
    assert out.stderr.strip().splitlines() == [f"Error: {big}: text is 5,200,000 characters, {LIMIT} "
                                               "(split the article)"]
    assert '"ATTACK"' in out.stdout or '"ASSAULT"' in out.stdout  # the good article still coded
    db = f"sqlite:///{tmp_path / 'l.db'}"
    res = runner.invoke(cli, ["ingest", str(big), str(good), "--db", db, "-q"], catch_exceptions=False)
    assert res.exit_code == 1 and "Traceback" not in res.stderr
    assert f"failed {big}: text is 5,200,000 characters" in res.stderr and "added 1" in res.stderr
