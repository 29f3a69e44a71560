"""The load-test scripts that README/docs quote still run (a small database, a few requests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_api_loadtest_runs_through_the_whole_stack(tmp_path):
    db = tmp_path / "lt.db"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_loadtest.py"), "--events", "1500", "--requests", "3",
         "--db", str(db), "--keep"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if "p95" in line]
    assert any("map" in line for line in lines) and any("incident" in line for line in lines), result.stdout
    assert db.exists()
