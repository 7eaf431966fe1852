"""Validate the blind topic/writer-cue evaluation set (dev.csv, holdout.csv).

Checks: header, unique ids across both splits, valid source and topic codes,
length limits per source, age/age_band/sex/urban formats, no text appearing
twice (within or across splits), and that per-split counts equal the counts
stated in README.md.  Run: python3 validate.py
"""
import collections
import csv
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
CODES = ("healthcare eldercare education employment housing urban_construction transport "
         "environment social_security public_safety agriculture governance prices "
         "culture_tourism market_regulation").split()
SOURCES = {"letter": (60, 400), "post": (10, 200), "answer": (4, 40)}
COLS = ["id", "source", "text", "topics", "age", "age_band", "sex", "urban"]

def main():
    errors, ids, texts, counts = [], set(), {}, {}
    for split in ("dev", "holdout"):
        with open(HERE / f"{split}.csv", encoding="utf-8", newline="") as fh:
            rd = csv.reader(fh)
            if next(rd) != COLS:
                errors.append(f"{split}: bad header")
            c = collections.Counter()
            for row in rd:
                c["rows"] += 1
                if len(row) != len(COLS):
                    errors.append(f"{split}: wrong field count {row[:1]}"); continue
                r = dict(zip(COLS, row))
                if r["id"] in ids: errors.append(f"duplicate id {r['id']}")
                ids.add(r["id"])
                key = r["text"].strip()
                if key in texts: errors.append(f"duplicate text {r['id']} = {texts[key]}")
                texts[key] = r["id"]
                if r["source"] not in SOURCES:
                    errors.append(f"{r['id']}: bad source"); continue
                lo, hi = SOURCES[r["source"]]
                if not lo <= len(r["text"]) <= hi:
                    errors.append(f"{r['id']}: length {len(r['text'])} outside {lo}-{hi}")
                c[r["source"]] += 1
                tops = [t for t in r["topics"].split(";") if t] if r["topics"] else []
                if not tops: c["no topic"] += 1
                if len(tops) > 1: c["multi-label rows"] += 1
                for t in tops:
                    if t not in CODES: errors.append(f"{r['id']}: bad code {t}")
                    c[t] += 1
                if r["age"]: c["age"] += 1
                if r["age_band"]: c["age_band"] += 1
                if r["age_band"] and not r["age"]: c["age_band (range only)"] += 1
                if r["sex"]: c["sex: " + r["sex"]] += 1
                if r["urban"]: c["urban: " + r["urban"]] += 1
                if len(set(tops)) != len(tops): errors.append(f"{r['id']}: repeated code")
                if r["age"] and not (r["age"].isascii() and r["age"].isdigit()):
                    errors.append(f"{r['id']}: bad age")
                if r["age"] and r["age_band"] != f"{r['age']}-{r['age']}":
                    errors.append(f"{r['id']}: age_band must be age-age")
                if r["age_band"] and not re.fullmatch(r"\d+-(\d+)?", r["age_band"]):
                    errors.append(f"{r['id']}: bad age_band")
                if r["sex"] not in ("", "male", "female"): errors.append(f"{r['id']}: bad sex")
                if r["urban"] not in ("", "urban", "rural"): errors.append(f"{r['id']}: bad urban")
            counts[split] = c
    # compare with README tables: lines like "| label | dev | holdout | total |"
    stated = {}
    for line in (HERE / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\|\s*`?([^|`]+?)`?\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|", line.strip())
        if m:
            stated[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    names = set(stated) | {"rows", "no topic", "multi-label rows", *SOURCES, *CODES}
    for name in sorted(names):
        got = (counts["dev"][name], counts["holdout"][name])
        got = (*got, sum(got))
        if stated.get(name) != got:
            errors.append(f"README count for {name!r}: stated {stated.get(name)}, actual {got}")
    for e in errors: print("ERROR", e)
    print(f"dev={counts['dev']['rows']} holdout={counts['holdout']['rows']} "
          f"ids={len(ids)} texts={len(texts)} errors={len(errors)}")
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main())
