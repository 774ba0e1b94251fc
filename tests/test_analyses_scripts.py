"""The main job runs end to end and gives the same tables every time."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "analyses" / "run_all.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_run_all_writes_identical_tables_twice(tmp_path):
    first, second = _run(tmp_path / "a"), _run(tmp_path / "b")
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    tables = sorted((tmp_path / "a" / "tables").glob("*.csv"))
    assert len(tables) >= 15
    for table in tables:
        again = tmp_path / "b" / "tables" / table.name
        assert table.read_bytes() == again.read_bytes(), table.name
    figures = {p.name for p in (tmp_path / "a" / "figures").iterdir()}
    assert {"forest_limited_vs_diffuse.png", "sites_body_map.svg"} <= figures
    assert "reproduced by: chi2" in first.stdout  # AB0690's printed p = 0.219
    assert "Time: imports" in first.stdout
    report = (tmp_path / "a" / "report" / "report.html").read_bytes()
    assert report == (tmp_path / "b" / "report" / "report.html").read_bytes()
