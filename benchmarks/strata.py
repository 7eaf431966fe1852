"""``python -m benchmarks.strata``: how survey files' sampling design is read.

Six door-to-door survey files written blind (``tests/data/blind/strata/``: field teams'
CSV and Excel files naming their strata and clusters in different ways, one naming no
stratum), each respondent's stratum and cluster in ``expected.csv``. Every file is read
with :func:`opinion.surveys.importer.check_survey` (nothing stored); printed: per file,
the columns taken for stratum and cluster and the rows not read, then the respondents
read and those whose stratum and cluster are right.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from opinion.errors import TongxinError
from opinion.surveys.importer import check_survey

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "data" / "blind" / "strata"


def main() -> int:
    with (FOLDER / "expected.csv").open(encoding="utf-8") as handle:
        expected = {(row["file"], row["respondent_id"]): (row["stratum"], row["cluster"]) for row in csv.DictReader(handle)}
    total = read = stratum_right = cluster_right = 0
    for name in sorted({file for file, _ in expected}):
        rows = {rid: value for (file, rid), value in expected.items() if file == name}
        total += len(rows)
        try:
            checked = check_survey(FOLDER / name, interview_year=2026)
        except TongxinError as exc:
            print(f"{name}: not read: {exc}")
            continue
        got = {str(r["respondent_id"]): (r.get("stratum") or "", r.get("cluster") or "") for _, r in checked.records}
        columns = {k: v for k, v in checked.mapping.items() if k in ("stratum", "cluster", "place")}
        print(f"{name}: columns {columns}; {checked.rows_valid} of {checked.rows_read} rows read")
        for rid, (stratum, cluster) in rows.items():
            if rid not in got:
                continue
            read += 1
            stratum_right += got[rid][0] == stratum
            cluster_right += got[rid][1] == cluster
            if got[rid] != (stratum, cluster):
                print(f"  {rid}: got {got[rid]}, expected {(stratum, cluster)}")
    print(f"respondents {total}: read {read}, stratum right {stratum_right}, cluster right {cluster_right}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
