"""One documented text limit (wirewatch/limits.py) in extract and ingest (the API's 413 is tested by
harden-api's tests/test_api_hardening.py with the same constant)."""

from __future__ import annotations

from click.testing import CliRunner

from wirewatch.cli import cli
from wirewatch.limits import MAX_ARTICLE_CHARS

LIMIT = f"over the {MAX_ARTICLE_CHARS:,}-character limit"


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
