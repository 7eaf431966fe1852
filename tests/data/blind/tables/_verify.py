import csv, io, json, os, sys
from datetime import date, datetime, timedelta
import openpyxl

D = "/work/main/tests/data/blind/tables"
fails = []


def load(path, e):
    if path.endswith(".xlsx"):
        wb = openpyxl.load_workbook(path, data_only=True)
        ws = wb[e["sheet"]]
        return [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    raw = open(path, "rb").read()
    if e["encoding"] == "utf-8":
        assert not raw.startswith(b"\xef\xbb\xbf"), "unexpected BOM"
    if e["encoding"] == "utf-8-sig":
        assert raw.startswith(b"\xef\xbb\xbf"), "missing BOM"
    if e["encoding"] == "utf-16":
        assert raw.startswith(b"\xff\xfe"), "missing UTF-16 BOM"
    if e["encoding"] == "gbk":
        try:
            raw.decode("utf-8"); raise AssertionError("gbk file is also valid utf-8")
        except UnicodeDecodeError:
            pass
    txt = raw.decode(e["encoding"])
    delim = "\t" if path.endswith(".txt") else ","
    return list(csv.reader(io.StringIO(txt, newline=""), delimiter=delim))


def num(s):
    s = str(s).strip().replace(",", "")
    if s.endswith("%"):
        return round(float(s[:-1]) / 100, 6)
    return float(s)


blank = lambda r: all(not str(c).strip() for c in r)

files = sorted(f for f in os.listdir(D) if not f.endswith(".json") and f != "README.md")
for f in files:
    stem = f.rsplit(".", 1)[0]
    try:
        e = json.load(open(os.path.join(D, stem + ".expected.json"), encoding="utf-8"))
        rows = load(os.path.join(D, f), e)
        hdr = rows[e["header_row"] - 1]
        body = [r for r in rows[e["header_row"]:] if not blank(r)]
        if e["kind"] == "survey":
            assert len(body) == e["n_rows"] == len(e["rows"]), (len(body), e["n_rows"], len(e["rows"]))
            for r, x in zip(body, e["rows"]):
                assert r[0].strip() == x["id"], (r[0], x["id"])
                assert x["sex"] in ("male", "female", None) and x["urban"] in ("urban", "rural", None)
                if x["interview_date"]:
                    date.fromisoformat(x["interview_date"])
        else:
            excl = e["excluded"]
            data = [r for r in body if not any(c.strip() in excl for c in r)]
            for x in excl:
                assert any(x in (c.strip() for c in r) for r in rows), f"excluded {x!r} not in file"
            if e["layout"] == "long":
                assert len(data) == len(e["rows"]), (len(data), len(e["rows"]))
                for r, x in zip(data, e["rows"]):
                    i = [c.strip() for c in r].index(x["level"])
                    v = num(r[i + 1])
                    if f.endswith(".xlsx") is False and "%" not in r[i + 1] and isinstance(x["target"], float) and x["target"] < 1:
                        v = v / 100
                    assert abs(v - x["target"]) < 1e-9, (x, r)
            else:
                rv = e["rows"][0]["variable"]
                rlev = [x for x in e["rows"] if x["variable"] == rv]
                clev = [x for x in e["rows"] if x["variable"] != rv]
                cv = clev[0]["variable"]
                assert len(data) == len(rlev), (len(data), len(rlev))
                hdr_s = [c.strip() for c in hdr]
                for r, x in zip(data, rlev):
                    assert r[0].strip() == x["level"]
                for c in e["cells"]:
                    r = next(r for r in data if r[0].strip() == c[rv])
                    assert num(r[hdr_s.index(c[cv])]) == c["target"], c
                for x in rlev:
                    assert sum(c["target"] for c in e["cells"] if c[rv] == x["level"]) == x["target"]
                for x in clev:
                    assert sum(c["target"] for c in e["cells"] if c[cv] == x["level"]) == x["target"]
                    assert x["level"] in hdr_s
            for x in e["rows"]:
                assert x["lo"] is None or isinstance(x["lo"], int)
        print("ok  ", f, e["kind"], len(e["rows"]))
    except Exception as ex:
        fails.append(f)
        print("FAIL", f, repr(ex))
print("files:", len(files), "failures:", len(fails))
sys.exit(1 if fails else 0)
