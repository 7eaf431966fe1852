"""Paths and helpers shared by the tests (fixtures live in ``conftest.py``)."""
from __future__ import annotations

import csv
import itertools
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests"
TEST_DATA = TESTS / "data"
DEMO = REPO / "data" / "demo"
# Reference data with published results, beside the repository (see its README).
REFERENCE = REPO.parent / "shared" / "reference"

XSS_SITE = TEST_DATA / "xss_site"


MARGINS = REPO / "data" / "demo" / "margins.csv"


FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "TONGXIN_NOW=2026-11-27T12:00:00"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_DB"}
    result = subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"tongxin {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def write_small_survey(path: Path) -> None:
    texts = ["看病太贵", "路灯不亮", "孩子上学远", "养老金太少", "工资低",
             "垃圾多<script>document.title='XSS-SURVEY'</script>"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["编号", "性别", "年龄", "城乡", "镇", "最关心的问题"])
        cells = itertools.product([25, 38, 52, 67], ["男", "女"], ["城镇", "乡村"])
        for i, (age, sex, urban) in enumerate((c for c in cells for _ in range(3)), start=1):
            writer.writerow([f"S{i:03d}", sex, age + i % 3, urban, "城关镇", texts[i % len(texts)]])


