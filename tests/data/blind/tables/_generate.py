# Generator for /work/main/tests/data/blind/tables (kept outside the repo).
import json, os, csv, io
from datetime import date, datetime
import openpyxl
from openpyxl.styles import Alignment, Font

OUT = "/work/main/tests/data/blind/tables"
os.makedirs(OUT, exist_ok=True)
REF = date(2026, 3, 1)
NOTE_SRC = "注：数据来源于第七次全国人口普查。"


def serial(d):
    return (d - date(1899, 12, 30)).days


def csv_text(rows, delim=",", eol="\r\n"):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    for r in rows:
        w.writerow(["" if c is None else c for c in r])
    return buf.getvalue()


def write_text(name, rows, encoding, delim=",", eol="\r\n"):
    txt = csv_text(rows, delim, eol)
    path = os.path.join(OUT, name)
    if encoding == "utf-16":
        data = b"\xff\xfe" + txt.encode("utf-16-le")
    else:
        data = txt.encode(encoding)
    with open(path, "wb") as f:
        f.write(data)


def pad(rows, width):
    return [list(r) + [""] * (width - len(r)) for r in rows]


def thou(n):
    return f"{n:,}"


def write_expected(name, obj):
    stem = name.rsplit(".", 1)[0]
    with open(os.path.join(OUT, stem + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def mrow(var, level, target, lo=None, hi=None):
    return {"variable": var, "level": level, "lo": lo, "hi": hi, "target": target}


def margins(encoding, sheet, header_row, rows, excluded, layout="long", cells=None):
    d = {"kind": "margins", "encoding": encoding, "sheet": sheet, "header_row": header_row,
         "layout": layout, "rows": rows, "excluded": excluded}
    if cells is not None:
        d["cells"] = cells
    return d


# ---------------------------------------------------------------- county truth
AGE10 = [("18-29", 18, 29, 21436), ("30-39", 30, 39, 22815), ("40-49", 40, 49, 25904),
         ("50-59", 50, 59, 28377), ("60-69", 60, 69, 23112), ("70+", 70, None, 19683)]
SEX = [("男", 72148), ("女", 69179)]
URB = [("城镇", 61205), ("乡村", 80122)]
TWN = [("城关镇", 48630), ("河口镇", 31254), ("柳林乡", 24817), ("杨庄乡", 19402), ("马家镇", 17224)]
TOT = 141327
for lst in (AGE10, SEX, URB, TWN):
    assert sum(x[-1] for x in lst) == TOT
URB_CODE = {"城镇": "urban", "城区": "urban", "城市": "urban", "乡村": "rural", "农村": "rural",
            "鄉村": "rural", "農村": "rural", "城鎮": "urban"}

# ---------------------------------------------------------------- m01 long utf-8
name = "m01_long_utf8_plain.csv"
rows = [["变量", "类别", "人数"]]
exp = []
for lv, lo, hi, n in AGE10:
    rows.append(["年龄", lv, n]); exp.append(mrow("age", lv, n, lo, hi))
for lv, n in SEX:
    rows.append(["性别", lv, n]); exp.append(mrow("sex", lv, n))
for lv, n in URB:
    rows.append(["城乡", lv, n]); exp.append(mrow("urban", lv, n))
for lv, n in TWN:
    rows.append(["乡镇", lv, n]); exp.append(mrow("township", lv, n))
write_text(name, rows, "utf-8", eol="\n")
write_expected(name, margins("utf-8", None, 1, exp, []))

# ---------------------------------------------------------------- m02 long utf-8 BOM, title, thousands, 合计, notes
name = "m02_long_bom_title_thousands_notes.csv"
title = "同心县常住人口主要构成（18岁及以上）"
notes = [NOTE_SRC, "注：年龄按2020年11月1日零时计算，城乡按国家统计局城乡划分代码划分。"]
rows = [[title], ["变量", "类别", "人数（人）"]]
exp = []
for lv, lo, hi, n in AGE10:
    lvl = lv.replace("70+", "70岁及以上") if lv == "70+" else lv + "岁"
    rows.append(["年龄", lvl, thou(n)]); exp.append(mrow("age", lvl, n, lo, hi))
rows.append(["年龄", "合计", thou(TOT)])
for lv, n in SEX:
    rows.append(["性别", lv, thou(n)]); exp.append(mrow("sex", lv, n))
rows.append(["性别", "合计", thou(TOT)])
for lv, n in URB:
    rows.append(["城乡", lv, thou(n)]); exp.append(mrow("urban", lv, n))
rows.append(["城乡", "合计", thou(TOT)])
rows.append([])
rows += [[x] for x in notes]
write_text(name, pad(rows, 3), "utf-8-sig")
write_expected(name, margins("utf-8-sig", None, 2, exp, ["合计"] + notes))

# ---------------------------------------------------------------- m03 GBK percentages, em-dash bands
name = "m03_gbk_percent_emdash.csv"
title = "表1  同心县18岁及以上人口构成"
AGEP = [("18—29岁", 18, 29, "15.2%"), ("30—39岁", 30, 39, "16.1%"), ("40—49岁", 40, 49, "18.3%"),
        ("50—59岁", 50, 59, "20.1%"), ("60岁及以上", 60, None, "30.3%")]
SEXP = [("男", "51.1%"), ("女", "48.9%")]
URBP = [("城镇", "43.3%"), ("乡村", "56.7%")]
frac = lambda s: round(float(s.rstrip("%")) / 100, 6)
notes = [NOTE_SRC, "注：比重按四舍五入计算，分项之和可能不等于100%。"]
rows = [[title], ["指标", "分组", "比重"]]
exp = []
for lv, lo, hi, p in AGEP:
    rows.append(["年龄", lv, p]); exp.append(mrow("age", lv, frac(p), lo, hi))
rows.append(["年龄", "合计", "100.0%"])
for lv, p in SEXP:
    rows.append(["性别", lv, p]); exp.append(mrow("sex", lv, frac(p)))
rows.append(["性别", "合计", "100.0%"])
for lv, p in URBP:
    rows.append(["城乡", lv, p]); exp.append(mrow("urban", lv, frac(p)))
rows.append(["城乡", "合计", "100.0%"])
rows += [[x] for x in notes]
write_text(name, pad(rows, 3), "gbk")
write_expected(name, margins("gbk", None, 2, exp, ["合计"] + notes))

# ---------------------------------------------------------------- cross-tab helper
def crosstab_expected(row_var, col_var, row_levels, col_levels, grid):
    """row_levels: list of (level, lo, hi); grid[i][j] counts."""
    rows_e, cells = [], []
    for i, (lv, lo, hi) in enumerate(row_levels):
        rows_e.append(mrow(row_var, lv, sum(grid[i]), lo, hi))
    for j, cl in enumerate(col_levels):
        rows_e.append(mrow(col_var, cl, sum(grid[i][j] for i in range(len(row_levels)))))
    for i, (lv, lo, hi) in enumerate(row_levels):
        for j, cl in enumerate(col_levels):
            cells.append({row_var: lv, col_var: cl, "target": grid[i][j]})
    return rows_e, cells

# ---------------------------------------------------------------- m04 cross-tab age x sex, utf-8 BOM, thousands
name = "m04_crosstab_age_sex_bom.csv"
AGE_LV = [("18-29岁", 18, 29), ("30-39岁", 30, 39), ("40-49岁", 40, 49), ("50-59岁", 50, 59),
          ("60-69岁", 60, 69), ("70岁及以上", 70, None)]
MALE = [11208, 11731, 13290, 14452, 11604, 9391]
grid = [[m, a[3] - m] for m, a in zip(MALE, AGE10)]
rows = [["同心县分年龄、性别人口（单位：人）"], ["年龄组", "男", "女", "合计"]]
for (lv, _, _), (m, f) in zip(AGE_LV, grid):
    rows.append([lv, thou(m), thou(f), thou(m + f)])
tm, tf = sum(g[0] for g in grid), sum(g[1] for g in grid)
rows.append(["合计", thou(tm), thou(tf), thou(tm + tf)])
rows.append(["注：数据来源于第七次全国人口普查，按常住人口口径统计。"])
r_e, cells = crosstab_expected("age", "sex", AGE_LV, ["男", "女"], grid)
write_text(name, pad(rows, 4), "utf-8-sig")
write_expected(name, margins("utf-8-sig", None, 2, r_e, ["合计", rows[-1][0]], "wide", cells))

# ---------------------------------------------------------------- m05 five-year, UTF-16 tab, total row at top, 合计 column first
name = "m05_five_year_utf16_unicode_text.txt"
B5 = [(f"{a}-{a+4}岁", a, a + 4) for a in range(15, 85, 5)] + [("85岁及以上", 85, None)]
M5 = [4102, 4877, 5391, 6020, 5712, 5903, 6631, 7288, 7019, 5944, 5210, 3702, 2288, 1405, 820]
F5 = [3655, 4410, 5102, 5771, 5580, 5642, 6390, 7012, 6874, 5987, 5430, 4005, 2690, 1812, 1297]
grid = [[m, f] for m, f in zip(M5, F5)]
tm, tf = sum(M5), sum(F5)
rows = [["表2-1  分年龄、性别的人口", "", "", ""], ["年龄", "合计", "男", "女"],
        ["合计", thou(tm + tf), thou(tm), thou(tf)]]
for (lv, _, _), (m, f) in zip(B5, grid):
    rows.append([lv, thou(m + f), thou(m), thou(f)])
rows.append(["", "", "", ""])
rows.append([NOTE_SRC, "", "", ""])
r_e, cells = crosstab_expected("age", "sex", B5, ["男", "女"], grid)
write_text(name, rows, "utf-16", delim="\t")
write_expected(name, margins("utf-16", None, 2, r_e, ["合计", NOTE_SRC], "wide", cells))

# ---------------------------------------------------------------- m06 tilde bands, unit row above header
name = "m06_tilde_bands_unit_row.csv"
TB = [("18~29", 18, 29, 20977), ("30~39", 30, 39, 22340), ("40~49", 40, 49, 26118),
      ("50~59", 50, 59, 28840), ("60~69", 60, 69, 23561), ("70及以上", 70, None, 19491)]
rows = [["单位：人", ""], ["年龄段", "人口数"]]
exp = []
for lv, lo, hi, n in TB:
    rows.append([lv, n]); exp.append(mrow("age", lv, n, lo, hi))
rows.append(["合计", sum(x[3] for x in TB)])
write_text(name, rows, "utf-8-sig")
write_expected(name, margins("utf-8-sig", None, 2, exp, ["合计"]))

# ---------------------------------------------------------------- m07 GBK bulletin style, 总计 first, 其中 subitem, count + share columns
name = "m07_gbk_bulletin_broad_bands.csv"
B = [("0-14岁", 0, 14, 30218), ("15-59岁", 15, 59, 112417), ("60岁及以上", 60, None, 43897)]
T = sum(x[3] for x in B)
SUB = ("其中：65岁以上", 33061)
rows = [["表3  全县人口年龄构成", "", ""], ["年龄", "人口数（人）", "比重（%）"],
        ["总计", thou(T), "100.00"]]
exp = []
for lv, lo, hi, n in B:
    rows.append([lv, thou(n), f"{100*n/T:.2f}"]); exp.append(mrow("age", lv, n, lo, hi))
rows.append([SUB[0], thou(SUB[1]), f"{100*SUB[1]/T:.2f}"])
rows.append([NOTE_SRC, "", ""])
write_text(name, rows, "gbk")
write_expected(name, margins("gbk", None, 2, exp, ["总计", SUB[0], NOTE_SRC]))

# ---------------------------------------------------------------- m08 xlsx, table on second sheet, merged title, numeric cells with #,##0
name = "m08_xlsx_second_sheet_crosstab.xlsx"
wb = openpyxl.Workbook()
ws0 = wb.active; ws0.title = "说明"
ws0["A1"] = "同心县第七次全国人口普查资料（县级汇总）"
ws0["A3"] = "本工作簿包含：表1 分年龄、性别的18岁及以上人口。"
ws0["A4"] = "联系人：县统计局人口科  电话：0954-1234567"
ws = wb.create_sheet("表1 年龄性别")
ws["A1"] = "表1  分年龄、性别的18岁及以上人口"; ws.merge_cells("A1:D1")
ws["A1"].alignment = Alignment(horizontal="center"); ws["A1"].font = Font(bold=True, size=14)
ws["D2"] = "单位：人"
for j, h in enumerate(["年龄组", "男", "女", "合计"], 1):
    ws.cell(3, j, h)
MALE8 = [10986, 11540, 13402, 14311, 11730, 9275]
AGE8 = [("18-29岁", 18, 29, 21150), ("30-39岁", 30, 39, 22604), ("40-49岁", 40, 49, 26330),
        ("50-59岁", 50, 59, 28120), ("60-69岁", 60, 69, 23458), ("70岁及以上", 70, None, 18990)]
grid = [[m, a[3] - m] for m, a in zip(MALE8, AGE8)]
r = 4
for (lv, _, _, _), (m, f) in zip(AGE8, grid):
    ws.cell(r, 1, lv)
    for j, v in enumerate([m, f, m + f], 2):
        c = ws.cell(r, j, v); c.number_format = "#,##0"
    r += 1
ws.cell(r, 1, "合计")
for j, v in enumerate([sum(g[0] for g in grid), sum(g[1] for g in grid), sum(map(sum, grid))], 2):
    c = ws.cell(r, j, v); c.number_format = "#,##0"
r += 1
note8 = "注：数据来源于第七次全国人口普查；本表不含现役军人。"
ws.cell(r, 1, note8); ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
wb.save(os.path.join(OUT, name))
r_e, cells = crosstab_expected("age", "sex", [(a, lo, hi) for a, lo, hi, _ in AGE8], ["男", "女"], grid)
write_expected(name, margins(None, "表1 年龄性别", 3, r_e, ["合计", note8], "wide", cells))

# ---------------------------------------------------------------- m09 xlsx township, merged title + merged unit row, percent-formatted share
name = "m09_xlsx_township_merged_title.xlsx"
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Sheet1"
ws["A1"] = "同心县各乡镇常住人口（18岁及以上）"; ws.merge_cells("A1:C1")
ws["A1"].alignment = Alignment(horizontal="center")
ws["A2"] = "单位：人、%"; ws.merge_cells("A2:C2"); ws["A2"].alignment = Alignment(horizontal="right")
for j, h in enumerate(["乡镇（街道）", "常住人口", "占全县比重"], 1):
    ws.cell(3, j, h)
r = 4
for lv, n in TWN:
    ws.cell(r, 1, lv); c = ws.cell(r, 2, n); c.number_format = "#,##0"
    c = ws.cell(r, 3, round(n / TOT, 4)); c.number_format = "0.00%"; r += 1
ws.cell(r, 1, "合计"); ws.cell(r, 2, TOT).number_format = "#,##0"; ws.cell(r, 3, 1).number_format = "0.00%"
r += 2
ws.cell(r, 1, NOTE_SRC); ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
wb.save(os.path.join(OUT, name))
write_expected(name, margins(None, "Sheet1", 3, [mrow("township", lv, n) for lv, n in TWN], ["合计", NOTE_SRC]))

# ---------------------------------------------------------------- m10 65岁以上 as a genuine partition level
name = "m10_long_65plus_partition.csv"
rows = [["变量", "类别", "人数"], ["年龄", "18-64岁", 114207], ["年龄", "65岁以上", 27120],
        ["性别", "男", 72148], ["性别", "女", 69179], ["城乡", "城镇", 61205], ["城乡", "乡村", 80122],
        ["", "合计", TOT]]
exp = [mrow("age", "18-64岁", 114207, 18, 64), mrow("age", "65岁以上", 27120, 65, None),
       mrow("sex", "男", 72148), mrow("sex", "女", 69179), mrow("urban", "城镇", 61205), mrow("urban", "乡村", 80122)]
write_text(name, rows, "utf-8")
write_expected(name, margins("utf-8", None, 1, exp, ["合计"]))

# ---------------------------------------------------------------- m11 GBK township x urban cross-tab, 合计 column first
name = "m11_gbk_township_urban_crosstab.csv"
TU = [("城关镇", 41020, 7610), ("河口镇", 9870, 21384), ("柳林乡", 3312, 21505),
      ("杨庄乡", 2980, 16422), ("马家镇", 4023, 13201)]
assert sum(a + b for _, a, b in TU) == TOT
grid = [[a, b] for _, a, b in TU]
rows = [["各乡镇分城乡人口", "", "", ""], ["乡镇", "合计", "城镇", "乡村"]]
for (lv, a, b) in TU:
    rows.append([lv, thou(a + b), thou(a), thou(b)])
rows.append(["合计", thou(TOT), thou(sum(g[0] for g in grid)), thou(sum(g[1] for g in grid))])
rows.append(["", "", "", ""])
rows.append([NOTE_SRC, "", "", ""])
rows.append(["注：城镇人口指居住在城镇范围内的全部常住人口。", "", "", ""])
r_e, cells = crosstab_expected("township", "urban", [(t[0], None, None) for t in TU], ["城镇", "乡村"], grid)
write_text(name, rows, "gbk")
write_expected(name, margins("gbk", None, 2, r_e, ["合计", NOTE_SRC, rows[-1][0]], "wide", cells))

# ================================================================= SURVEYS
def srow(id, sex=None, age=None, age_lo=None, age_hi=None, urban=None, township=None, d=None, concerns=None):
    if age is not None and age_lo is None:
        age_lo = age_hi = age
    return {"id": str(id), "sex": sex, "age": age, "age_lo": age_lo, "age_hi": age_hi, "urban": urban,
            "township": township, "interview_date": d.isoformat() if d else None, "concerns": concerns}


def survey(encoding, sheet, header_row, rows, header_rows=None, **extra):
    d = {"kind": "survey", "encoding": encoding, "sheet": sheet, "header_row": header_row}
    if header_rows:
        d["header_rows"] = header_rows
    d["n_rows"] = len(rows)
    d["rows"] = rows
    d.update(extra)
    return d

SEXW = {"男": "male", "女": "female"}
D = lambda day: date(2026, 3, day)
slash = lambda d: f"{d.year}/{d.month}/{d.day}"
cn = lambda d: f"{d.year}年{d.month}月{d.day}日"

# ---------------------------------------------------------------- s01 title + instruction rows, sex 1/2, blank rows, trailing empty columns
name = "s01_title_instruction_codes.csv"
data = [("A001", "城关镇", 1, 34, "城镇", 2, "孩子上学接送难"),
        ("A002", "城关镇", 2, 29, "城镇", 2, "房租太贵"),
        ("A003", "河口镇", 1, 57, "乡村", 3, "化肥价格太高"),
        None,
        ("A004", "河口镇", 2, 63, "乡村", 3, "看病远，报销麻烦"),
        ("A005", "柳林乡", 1, 71, "乡村", 4, "养老院床位不够"),
        ("A006", "柳林乡", 2, 45, "乡村", 4, "村里没有公交"),
        ("A007", "杨庄乡", 1, 38, "乡村", 5, "工作不好找"),
        ("A008", "杨庄乡", 2, 19, "城镇", 5, "网速慢"),
        None, None,
        ("A009", "马家镇", 1, 52, "城镇", 6, "路灯坏了,晚上不敢出门"),
        ("A010", "马家镇", 2, 66, "乡村", 6, ""),
        ("A011", "城关镇", 1, 44, "城镇", 10, "停车难"),
        ("A012", "城关镇", 2, 80, "城镇", 10, "独居老人没人照看")]
W = 10
rows = [["同心县民生需求入户调查数据录入表"],
        ["填表说明：性别填代码（1=男，2=女）；年龄填周岁；访问日期按“年/月/日”填写"],
        ["编号", "乡镇", "性别", "年龄", "城乡", "访问日期", "最关心的问题"]]
exp = []
for d in data:
    if d is None:
        rows.append([]); continue
    i, t, s, a, u, day, c = d
    rows.append([i, t, s, a, u, slash(D(day)), c])
    exp.append(srow(i, {1: "male", 2: "female"}[s], a, urban=URB_CODE[u], township=t, d=D(day), concerns=c or None))
write_text(name, pad(rows, W), "utf-8-sig")
write_expected(name, survey("utf-8-sig", None, 3, exp))

# ---------------------------------------------------------------- s02 xlsx grouped two-row header (merged), serial-number dates
name = "s02_xlsx_grouped_header_serial_dates.xlsx"
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "入户记录"
ws["A1"] = "河口镇、柳林乡入户访问记录（第一批）"; ws.merge_cells("A1:H1")
ws["A2"] = "受访者基本信息"; ws.merge_cells("A2:C2")
ws["D2"] = "居住地"; ws.merge_cells("D2:E2")
ws["F2"] = "访问情况"; ws.merge_cells("F2:H2")
for j, h in enumerate(["编号", "性别", "年龄", "乡镇", "城乡", "访问日期", "访问员", "最关心的问题"], 1):
    ws.cell(3, j, h)
data = [("H01", "男", 58, "河口镇", "乡村", 3, "王伟", "化肥价格太高"),
        ("H02", "女", 61, "河口镇", "乡村", 3, "王伟", "看病远"),
        ("H03", "男", 27, "河口镇", "城镇", 3, "王伟", "工作不好找"),
        ("H04", "女", 33, "河口镇", "城镇", 4, "李娜", "幼儿园太少"),
        None,
        ("L01", "男", 74, "柳林乡", "乡村", 5, "李娜", "养老金太低"),
        ("L02", "女", 69, "柳林乡", "乡村", 5, "李娜", "自来水经常停"),
        ("L03", "男", 42, "柳林乡", "乡村", 6, "赵强", "路不好走"),
        ("L04", "女", 50, "柳林乡", "乡村", 6, "赵强", "村医不够"),
        ("L05", "男", 23, "柳林乡", "城镇", 9, "赵强", "网购快递取件远"),
        ("L06", "女", 38, "柳林乡", "乡村", 9, "赵强", "孩子上学远")]
exp = []; r = 4
for d in data:
    if d is None:
        r += 1; continue
    i, s, a, t, u, day, iv, c = d
    for j, v in enumerate([i, s, a, t, u, serial(D(day)), iv, c], 1):
        ws.cell(r, j, v)
    exp.append(srow(i, SEXW[s], a, urban=URB_CODE[u], township=t, d=D(day), concerns=c)); r += 1
wb.save(os.path.join(OUT, name))
write_expected(name, survey(None, "入户记录", 3, exp, [2, 3]))

# ---------------------------------------------------------------- s03 GBK, 序号, M/F, 岁-suffixed ages, 2026年3月5日, 城区/农村
name = "s03_gbk_MF_sui_cndate.csv"
data = [(1, "M", "65岁", 65, "城关镇", "城区", 5, "停车难"),
        (2, "F", "41岁", 41, "城关镇", "城区", 5, "菜市场太远"),
        (3, "F", "18岁", 18, "城关镇", "城区", 5, "没有图书馆"),
        (4, "M", "45周岁", 45, "马家镇", "农村", 6, "灌溉用水不够"),
        (5, "M", "70岁", 70, "马家镇", "农村", 6, "看病难"),
        (6, "F", "52岁", 52, "马家镇", "农村", 6, "养老保险缴费高"),
        (7, "F", "36岁", 36, "杨庄乡", "农村", 7, "孩子上学远"),
        (8, "M", "29岁", 29, "杨庄乡", "农村", 7, "工作机会少"),
        (9, "M", "77岁", 77, "杨庄乡", "城区", 8, "老年食堂太少"),
        (10, "F", "60岁", 60, "杨庄乡", "农村", 8, "路灯不亮")]
rows = [["序号", "性别", "年龄", "所在乡镇", "城乡", "调查日期", "主要诉求"]]
exp = []
for i, s, araw, a, t, u, day, c in data:
    rows.append([i, s, araw, t, u, cn(D(day)), c])
    exp.append(srow(i, {"M": "male", "F": "female"}[s], a, urban=URB_CODE[u], township=t, d=D(day), concerns=c))
write_text(name, rows, "gbk")
write_expected(name, survey("gbk", None, 1, exp))

# ---------------------------------------------------------------- s04 phone survey platform, age ranges, datetime stamps
name = "s04_phone_platform_age_ranges.csv"
data = [("T20260304001", "男", "25~29岁", 25, 29, "城关镇", "城镇", "2026-03-04 19:32:10"),
        ("T20260304002", "女", "60岁以上", 60, None, "河口镇", "农村", "2026-03-04 19:40:55"),
        ("T20260304003", "女", "35~39岁", 35, 39, "城关镇", "城镇", "2026-03-04 20:02:31"),
        ("T20260304004", "男", "18~24岁", 18, 24, "柳林乡", "农村", "2026-03-04 20:15:07"),
        ("T20260305001", "男", "50~59岁", 50, 59, "杨庄乡", "农村", "2026-03-05 10:11:42"),
        ("T20260305002", "女", "40~49岁", 40, 49, "马家镇", "城镇", "2026-03-05 10:36:19"),
        ("T20260305003", "男", "60岁以上", 60, None, "柳林乡", "农村", "2026-03-05 11:03:58"),
        ("T20260305004", "女", "30~34岁", 30, 34, "城关镇", "城镇", "2026-03-05 15:27:03"),
        ("T20260306001", "男", "40~49岁", 40, 49, "河口镇", "城镇", "2026-03-06 09:08:44"),
        ("T20260306002", "女", "25~29岁", 25, 29, "马家镇", "农村", "2026-03-06 09:30:12"),
        ("T20260306003", "女", "50~59岁", 50, 59, "杨庄乡", "农村", "2026-03-06 16:45:00"),
        ("T20260306004", "男", "60岁以上", 60, None, "城关镇", "城镇", "2026-03-06 17:02:26")]
rows = [["样本编号", "性别", "年龄段", "所在乡镇", "居住地类型", "完成时间", "通话时长(秒)"]]
exp = []
for i, s, araw, lo, hi, t, u, ts in data:
    rows.append([i, s, araw, t, u, ts, 183 + len(exp) * 17])
    exp.append(srow(i, SEXW[s], None, lo, hi, URB_CODE[u], t, datetime.strptime(ts, "%Y-%m-%d %H:%M:%S").date()))
write_text(name, rows, "utf-8")
write_expected(name, survey("utf-8", None, 1, exp))

# ---------------------------------------------------------------- s05 header NO, birth years, dates as Excel serial numbers in CSV
name = "s05_NO_birthyear_serial_dates.csv"
data = [(1, "男", "1958", "城关镇", "城镇", 2, "供暖费太高"),
        (2, "女", "1963", "城关镇", "城镇", 2, "小区没有电梯"),
        (3, "男", "1990", "河口镇", "乡村", 3, "工作不好找"),
        (4, "女", "1972年", "河口镇", "乡村", 3, "看病远"),
        (5, "男", "1949", "柳林乡", "乡村", 4, "没人照顾"),
        (6, "女", "2001", "柳林乡", "城镇", 4, "网速慢"),
        (7, "男", "1985年", "马家镇", "乡村", 5, "化肥贵"),
        (8, "女", "1996", "马家镇", "乡村", 5, "孩子上学远"),
        (9, "男", "1968", "杨庄乡", "乡村", 6, "路不好走")]
rows = [["NO", "性别", "出生年份", "乡镇", "城乡", "调查日期", "意见建议"]]
exp = []
for i, s, by, t, u, day, c in data:
    rows.append([i, s, by, t, u, serial(D(day)), c])
    y = int(by.rstrip("年"))
    exp.append(srow(i, SEXW[s], REF.year - y, REF.year - y - 1, REF.year - y, URB_CODE[u], t, D(day), c))
write_text(name, rows, "utf-8-sig")
write_expected(name, survey("utf-8-sig", None, 1, exp, age_rule=(
    "birth year only: age = 2026 - birth_year; completed age at 2026-03-01 is that or one less, "
    "so age_lo/age_hi give both possibilities")))

# ---------------------------------------------------------------- wjx helpers
WJX_HDR = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
           "1、您的性别", "2、请问您的年龄?", "3、您所在的乡镇", "4、您最关心的问题（多选）"]
AGE_OPT = {"18~29岁": (18, 29), "30~39岁": (30, 39), "40~49岁": (40, 49), "50~59岁": (50, 59),
           "60岁及以上": (60, None), "60歲及以上": (60, None), "40~49歲": (40, 49), "18~29歲": (18, 29)}
TWN_TRAD = {"城關鎮": "城关镇", "河口鎮": "河口镇", "柳林鄉": "柳林乡", "楊莊鄉": "杨庄乡", "馬家鎮": "马家镇"}

def wjx_rows(data):
    out, exp = [], []
    for k, (ts, secs, src, ip, s, a, t, conc) in enumerate(data, 1):
        out.append([k, ts, f"{secs}秒", src, "N/A", ip, s, a, t, conc])
        lo, hi = AGE_OPT[a]
        exp.append(srow(k, SEXW[s], None, lo, hi, None, TWN_TRAD.get(t, t),
                        datetime.strptime(ts, "%Y/%m/%d %H:%M:%S").date(), conc.split("┋")))
    return out, exp

# ---------------------------------------------------------------- s06 问卷星 xlsx export with traditional-character rows
name = "s06_wjx_export_traditional_rows.xlsx"
data = [("2026/3/3 08:12:45", 96, "微信", "113.200.45.12(甘肃-定西)", "女", "30~39岁", "城关镇", "看病难┋孩子上学"),
        ("2026/3/3 09:40:02", 132, "微信", "113.200.45.77(甘肃-定西)", "男", "50~59岁", "河口镇", "农产品销售┋道路交通┋看病难"),
        ("2026/3/3 12:05:31", 58, "手机提交", "223.104.5.20(甘肃-兰州)", "男", "18~29岁", "城关镇", "就业"),
        ("2026/3/3 21:17:09", 210, "微信", "113.200.46.3(甘肃-定西)", "女", "60岁及以上", "柳林乡", "养老服务┋看病难"),
        ("2026/3/4 07:55:40", 74, "链接", "36.142.8.9(甘肃-定西)", "男", "40~49岁", "杨庄乡", "道路交通┋其他〖自来水经常停〗"),
        ("2026/3/4 10:30:18", 143, "微信", "113.200.45.12(甘肃-定西)", "女", "18~29歲", "城關鎮", "就業┋孩子上學"),
        ("2026/3/4 13:02:56", 88, "微信", "113.200.47.21(甘肃-定西)", "女", "40~49岁", "马家镇", "孩子上学┋养老服务"),
        ("2026/3/4 19:44:12", 301, "微信", "113.200.45.90(甘肃-定西)", "男", "60歲及以上", "河口鎮", "看病難┋養老服務┋農產品銷售"),
        ("2026/3/5 08:20:33", 65, "手机提交", "223.104.5.61(甘肃-兰州)", "女", "30~39岁", "城关镇", "就业┋看病难┋孩子上学┋道路交通"),
        ("2026/3/5 11:11:11", 120, "微信", "113.200.46.50(甘肃-定西)", "男", "50~59岁", "柳林乡", "农产品销售"),
        ("2026/3/5 16:48:27", 99, "链接", "36.142.9.14(甘肃-定西)", "女", "60岁及以上", "杨庄乡", "养老服务"),
        ("2026/3/6 09:03:50", 177, "微信", "113.200.45.12(甘肃-定西)", "男", "40~49歲", "柳林鄉", "道路交通┋其他〖冬天取暖難〗"),
        ("2026/3/6 14:26:05", 81, "微信", "113.200.47.2(甘肃-定西)", "男", "18~29岁", "马家镇", "就业┋道路交通"),
        ("2026/3/7 10:15:38", 156, "手机提交", "223.104.6.7(甘肃-兰州)", "女", "50~59岁", "河口镇", "看病难┋养老服务")]
out, exp = wjx_rows(data)
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Sheet1"
ws.append(WJX_HDR)
for r in out:
    ws.append(r)
wb.save(os.path.join(OUT, name))
write_expected(name, survey(None, "Sheet1", 1, exp, normalization=(
    "township normalised to simplified characters (城關鎮 -> 城关镇); concerns kept exactly as written, only split on ┋")))

# ---------------------------------------------------------------- s07 问卷星 CSV download, GBK
name = "s07_wjx_csv_gbk.csv"
data = [("2026/3/8 08:30:12", 102, "微信", "113.200.45.31(甘肃-定西)", "男", "30~39岁", "城关镇", "就业┋道路交通"),
        ("2026/3/8 09:02:47", 77, "微信", "113.200.46.8(甘肃-定西)", "女", "60岁及以上", "河口镇", "看病难"),
        ("2026/3/8 12:40:09", 188, "链接", "36.142.8.44(甘肃-定西)", "女", "18~29岁", "马家镇", "孩子上学┋其他〖没有公交车，进城不方便〗"),
        ("2026/3/8 20:14:55", 64, "手机提交", "223.104.5.93(甘肃-兰州)", "男", "50~59岁", "杨庄乡", "农产品销售┋养老服务"),
        ("2026/3/9 07:48:31", 95, "微信", "113.200.45.12(甘肃-定西)", "女", "40~49歲", "楊莊鄉", "養老服務┋看病難"),
        ("2026/3/9 10:22:16", 130, "微信", "113.200.47.66(甘肃-定西)", "男", "40~49岁", "柳林乡", "道路交通"),
        ("2026/3/9 15:35:20", 59, "微信", "113.200.46.71(甘肃-定西)", "女", "30~39岁", "城关镇", "孩子上学┋就业┋看病难"),
        ("2026/3/10 09:09:09", 221, "链接", "36.142.9.2(甘肃-定西)", "男", "60歲及以上", "馬家鎮", "農產品銷售"),
        ("2026/3/10 18:27:43", 86, "微信", "113.200.45.55(甘肃-定西)", "男", "18~29岁", "河口镇", "就业")]
out, exp = wjx_rows(data)
write_text(name, [WJX_HDR] + out, "gbk")
write_expected(name, survey("gbk", None, 1, exp, normalization=(
    "township normalised to simplified characters; concerns kept as written, split on ┋ (a comma inside 〖〗 is part of the answer)")))

# ---------------------------------------------------------------- s08 Excel Unicode text (UTF-16 TSV), trailing tabs, blank rows, cell with line break
name = "s08_unicode_text_multiline_cell.txt"
data = [("C001", "城关镇", "东门社区", "女", 35, "城区", "孩子上学接送难", 2),
        ("C002", "城关镇", "西街社区", "男", 62, "城区", "小区没物业\n下水道常堵", 2),
        ("C003", "城关镇", "南关村", "男", 48, "乡村", "征地补偿没到位", 3),
        None,
        ("C004", "河口镇", "马家村", "女", 55, "农村", "村里没有公交", 3),
        ("C005", "河口镇", "河口社区", "男", 31, "城镇", "工作不好找", 4),
        ("C006", "河口镇", "马家村", "女", 76, "农村", "\"看病难\"，药太贵", 4),
        None,
        ("C007", "柳林乡", "杨庄村", "男", 68, "乡村", "养老院床位不够", 5),
        ("C008", "柳林乡", "杨庄村", "女", 24, "乡村", "", 5)]
W = 10
rows = [["编号", "镇", "村/社区", "性别", "年龄", "城乡", "最关心的问题", "调查日期"]]
exp = []
for d in data:
    if d is None:
        rows.append([]); continue
    i, t, v, s, a, u, c, day = d
    rows.append([i, t, v, s, a, u, c, slash(D(day))])
    exp.append(srow(i, SEXW[s], a, urban=URB_CODE[u], township=t, d=D(day), concerns=c or None))
write_text(name, pad(rows, W), "utf-16", delim="\t")
write_expected(name, survey("utf-16", None, 1, exp))

# ---------------------------------------------------------------- s09 xlsx: data on second sheet, real date cells + text + serial, 男性/女性, ages text with 岁
name = "s09_xlsx_second_sheet_mixed_dates.xlsx"
wb = openpyxl.Workbook(); ws0 = wb.active; ws0.title = "汇总"
ws0.append(["性别", "人数"]); ws0.append(["男性", 5]); ws0.append(["女性", 4]); ws0.append(["合计", 9])
ws = wb.create_sheet("原始数据")
ws.append(["编号", "性别", "年龄", "乡镇", "城乡", "访问日期", "备注"])
data = [("M-01", "男性", 39, 39, "马家镇", "乡村", D(7), "dt", "灌溉渠年久失修"),
        ("M-02", "女性", "45岁", 45, "马家镇", "乡村", D(7), "dt", "村医不够"),
        ("M-03", "男性", 67, 67, "马家镇", "城镇", D(7), "cn", "养老金太低"),
        ("M-04", "女性", "29岁", 29, "马家镇", "城镇", D(8), "dt", None),
        ("M-05", "男性", "81岁", 81, "杨庄乡", "乡村", D(8), "serial", "看病远"),
        ("M-06", "女性", 54, 54, "杨庄乡", "乡村", D(8), "dt", "化肥贵"),
        ("M-07", "男性", 20, 20, "杨庄乡", "乡村", D(9), "cn", "工作不好找"),
        ("M-08", "男性", "58岁", 58, "杨庄乡", "乡村", D(9), "dt", "路不好走"),
        ("M-09", "女性", 73, 73, "杨庄乡", "乡村", D(9), "dt", "独居没人照顾")]
exp = []
for r_i, (i, s, araw, a, t, u, d, dk, c) in enumerate(data, 2):
    dv = datetime(d.year, d.month, d.day) if dk == "dt" else (cn(d) if dk == "cn" else serial(d))
    for j, v in enumerate([i, s, araw, t, u, dv, c], 1):
        cell = ws.cell(r_i, j, v)
        if j == 6 and dk == "dt":
            cell.number_format = "yyyy/m/d"
    exp.append(srow(i, {"男性": "male", "女性": "female"}[s], a, urban=URB_CODE[u], township=t, d=d, concerns=c))
wb.save(os.path.join(OUT, name))
write_expected(name, survey(None, "原始数据", 1, exp))

# ---------------------------------------------------------------- s10 GBK CSV with title + grouped two-row header (merged cells flattened), stray spaces
name = "s10_gbk_grouped_header_csv.csv"
rows = [["同心县群众诉求抽样调查（城关镇片区）", "", "", "", "", "", ""],
        ["基本情况", "", "", "居住情况", "", "访问情况", ""],
        ["编号", "性别", "年龄", "乡镇", "城乡", "访问日期", "主要问题"]]
data = [("G001", " 男", 47, "城关镇", "城镇", 2, "物业费太高"),
        ("G002", "女 ", 38, "城关镇", "城镇", 2, "学校太挤"),
        ("G003", "男", 70, "城关镇", "乡村", 3, "看病排队久"),
        ("G004", "女", 22, "城关镇", "城镇", 3, "找工作难"),
        ("G005", "男", 55, "城关镇", "城区", 4, "停车难"),
        ("G006", "女", 64, "城关镇", "乡村", 4, "冬天取暖难"),
        ("G007", "男", 33, "城关镇", "城镇", 5, "房价太高")]
exp = []
for i, s, a, t, u, day, c in data:
    rows.append([i, s, a, t, u, slash(D(day)), c])
    exp.append(srow(i, SEXW[s.strip()], a, urban=URB_CODE[u], township=t, d=D(day), concerns=c))
write_text(name, rows, "gbk")
write_expected(name, survey("gbk", None, 3, exp, [2, 3]))

print("done", len([f for f in os.listdir(OUT) if not f.endswith('.json')]))
