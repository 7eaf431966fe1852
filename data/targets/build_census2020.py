"""Build ``census2020.csv``, the shipped adult population targets, from the 2020 census.

Source: National Bureau of Statistics of China, *China Population Census Yearbook 2020*
(第七次全国人口普查, reference date 2020-11-01), Table 1-5, population by 5-year age
band and sex, national and by province (excludes active-duty military); and the NBS
census bulletin of 2021-05-11 for the national urban/rural split (城镇 901,991,162,
乡村 509,787,562, including the military).

Run from the repository root:

    python data/targets/build_census2020.py [PATH/TO/census2020_age_sex_by_province.csv]

Rules, stated once here and in README.md:

- adult age groups 18-29, 30-44, 45-59, 60+ by summing 5-year bands;
- ages 18-19 are two fifths of the 15-19 band, per sex (ages spread evenly within the
  band, as the yearbook's table gives no single years); counts rounded to whole persons;
- national urban/rural as shares of the whole population (all ages), the bulletin's
  only split; applied to adults as an approximation.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parents[2] / "shared" / "reference" / "census2020_age_sex_by_province.csv"
OUT = HERE / "census2020.csv"

SHARE_18_19 = 2 / 5  # ages 18 and 19 out of the five single years 15-19
BANDS = {
    "18-29": [("15-19岁", SHARE_18_19), ("20-24岁", 1.0), ("25-29岁", 1.0)],
    "30-44": [("30-34岁", 1.0), ("35-39岁", 1.0), ("40-44岁", 1.0)],
    "45-59": [("45-49岁", 1.0), ("50-54岁", 1.0), ("55-59岁", 1.0)],
    "60+": [(f"{a}-{a + 4}岁", 1.0) for a in range(60, 100, 5)] + [("100岁及以上", 1.0)],
}
SEXES = {"male": "男", "female": "女"}
URBAN_RURAL = {"urban": 901_991_162, "rural": 509_787_562}  # NBS bulletin, 2021-05-11


def build(source: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            area = record["area"].strip()
            for group, bands in BANDS.items():
                for sex, label in SEXES.items():
                    count = sum(float(record[f"{band}-{label}"]) * share for band, share in bands)
                    rows.append({"area": area, "variable": "age_group*sex",
                                 "level": f"{group}*{sex}", "target": round(count)})
            if area == "全国":
                total = sum(URBAN_RURAL.values())
                for level, count in URBAN_RURAL.items():
                    rows.append({"area": area, "variable": "urban", "level": level,
                                 "target": f"{count / total:.10f}"})
    return rows


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    rows = build(source)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["area", "variable", "level", "target"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
