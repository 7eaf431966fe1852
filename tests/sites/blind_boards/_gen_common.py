# -*- coding: utf-8 -*-
"""Shared helpers for _generate.py: fictional letter generation, date
formatting, file writing and expected.json bookkeeping.

Everything produced here is invented.  Place names are made up, phone numbers
are masked or use the improbable 170-0000 range.
"""
import datetime as _dt
import html
import json
import os
import random
import re

import letters_pool as POOL

HERE = os.path.dirname(os.path.abspath(__file__))

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
ROADS = ["建设路", "人民路", "解放路", "滨河大道", "兴业路", "文昌路", "健康路", "迎宾大道", "朝阳路", "新华街",
         "长青路", "振兴路", "和平街", "光明路", "育才路", "学府路", "凤鸣路", "东环路", "西环路", "北关大街"]
COMPOUNDS = ["锦绣花园", "阳光水岸", "翠湖苑", "金色家园", "御景华庭", "书香名邸", "幸福里小区", "康乐小区",
             "东方明珠城", "滨江一号", "桂花园", "紫荆苑", "馨园小区", "南湖春晓", "城市之光", "怡和苑"]
SCHOOLS = ["实验小学", "第二小学", "第三实验小学", "城关小学", "育英小学", "第一中学附属小学"]


class Place:
    def __init__(self, name, lv, leader, towns, villages, hospital, area_code):
        self.name = name          # e.g. 栖梧县
        self.lv = lv              # 县 / 市 / 区
        self.leader = leader      # 县长 / 市长 / 书记 ...
        self.towns = towns
        self.villages = villages
        self.hospital = hospital
        self.area_code = area_code

    def dept_phone(self, rng):
        return "%s-%07d" % (self.area_code, rng.randint(2000000, 8999999))


def masked_mobile(rng):
    return "1%d%d****%04d" % (rng.choice([3, 5, 8, 9]), rng.randint(0, 9), rng.randint(0, 9999))


def fictional_mobile(rng):
    # 170-0000-xxxx: an improbable block, used as an obviously fictional full number
    return "1700000%04d" % rng.randint(0, 9999)


def person(rng, style="xs"):
    s = rng.choice(SURNAMES)
    if style == "xs":
        return s + rng.choice(["先生", "女士"])
    if style == "mask":
        return s + rng.choice(["**", "*", "某某", "某"])
    return s


def _fill(text, env):
    return re.sub(r"\{([A-Z0-9]+)\}", lambda m: env[m.group(1)], text)


def collapse(s):
    """Whitespace collapse used for expected.json (NBSP and U+3000 count as space)."""
    return " ".join(s.split())


def make_letters(place, n, seed, tags=("urban", "rural"), party=False, pending=None,
                 start=_dt.datetime(2026, 1, 6), end=_dt.datetime(2026, 3, 24)):
    """Return n fictional letters, newest first.

    Each letter: dict(title, paras, reply_paras|None, date, reply_date|None,
    dept (full replying unit)|None, person (display name suggestion), pending).
    """
    rng = random.Random(seed)
    pool = [s for s in POOL.SCENARIOS if any(t in s["tags"].split() for t in tags)]
    if party:
        pool = POOL.PARTY_SCENARIOS + [s for s in pool if "urban" in s["tags"] and rng.random() < .5]
    chosen = rng.sample(pool, n)
    span = (end - start).total_seconds()
    stamps = sorted((start + _dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(n)), reverse=True)
    stamps = [d.replace(second=rng.randint(0, 59), microsecond=0) for d in stamps]
    if pending is None:
        pending = max(1, round(n / 4))
    # pending letters: mostly the newest ones, plus one older if possible
    pend_idx = set(range(max(0, pending - 1)))
    if pending:
        pend_idx.add(rng.randint(pending, n - 1) if n > pending else pending - 1)
    letters = []
    for i, (sc, d) in enumerate(zip(chosen, stamps)):
        town = rng.choice(place.towns)
        env = dict(P=place.name, LV=place.lv, T=town, R=rng.choice(ROADS), R2=rng.choice(ROADS),
                   C=rng.choice(COMPOUNDS), S=place.name[:-1] + rng.choice(SCHOOLS),
                   V=rng.choice(place.villages), H=place.hospital,
                   PH=masked_mobile(rng) if rng.random() < .6 else fictional_mobile(rng),
                   N=str(rng.randint(12, 96) * 10), L=place.leader, DPH=place.dept_phone(rng))
        title = _fill(sc["title"], env)
        paras = [_fill(p, env) for p in sc["body"]]
        op = _fill(rng.choice(POOL.LEADER_OPENERS), env)
        if op:
            if rng.random() < .5:
                paras.insert(0, op)
            else:
                paras[0] = op + paras[0]
        cl = rng.choice(POOL.CLOSERS)
        if cl:
            paras[-1] = paras[-1] + cl
        who = person(rng)
        if "{PH}" not in "".join(sc["body"]) and rng.random() < .3:
            paras.append("联系人：%s，联系电话：%s" % (who, env["PH"]))
        is_pending = i in pend_idx
        if sc["dept"] == "@T":
            dept = town + ("办事处" if town.endswith("街道") else "人民政府")
        elif sc["dept"] == "组织部":
            dept = "中共%s委组织部" % place.name
        elif sc["dept"] == "{H}":
            dept = place.hospital
        else:
            dept = place.name + sc["dept"]
        reply = reply_date = None
        if not is_pending:
            reply = [_fill(p, env) for p in sc["reply"]]
            ro = _fill(rng.choice(POOL.REPLY_OPENERS), env)
            if ro:
                reply[0] = ro + reply[0]
            rc = _fill(rng.choice(POOL.REPLY_CLOSERS), env)
            if rc:
                reply.append(rc)
            reply_date = d + _dt.timedelta(days=rng.randint(2, 12))
            reply_date = reply_date.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59),
                                            second=rng.randint(0, 59))
        letters.append(dict(title=title, paras=paras, reply_paras=reply, date=d, reply_date=reply_date,
                            dept=None if is_pending else dept, person=who, pending=is_pending,
                            key=sc["key"], rng=random.Random(seed * 1000 + i)))
    return letters


def e(s):
    return html.escape(s, quote=True)


def ymd(d):
    return d.strftime("%Y-%m-%d") if d else None


def cn_date(d):
    return "%d年%d月%d日" % (d.year, d.month, d.day)


def paras_html(paras, tag="p", indent="", sep="\n"):
    if tag == "br":
        return ("<br />" + sep).join(indent + e(p) for p in paras)
    return sep.join("<%s>%s%s</%s>" % (tag, indent, e(p), tag.split()[0]) for p in paras)


class Board:
    def __init__(self, name, encoding, layout, meta_style="charset"):
        self.name = name
        self.dir = os.path.join(HERE, name)
        self.encoding = encoding
        self.layout = layout
        self.list_pages = []
        self.letters = []
        self.by_page = {}

    def write(self, rel, text):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text.encode(self.encoding))  # strict: fails on unencodable chars

    def add_list_page(self, rel, letter_urls):
        self.list_pages.append(rel)
        self.by_page[rel] = list(letter_urls)

    def add_letter(self, url, title, author, date, paras, reply_paras, reply_date, reply_by, status):
        self.letters.append({
            "url": url, "title": collapse(title), "author": author, "date": ymd(date),
            "body": collapse(" ".join(paras)),
            "reply": collapse(" ".join(reply_paras)) if reply_paras else None,
            "reply_date": ymd(reply_date) if reply_paras else None,
            "reply_by": reply_by if reply_paras else None,
            "status": status,
        })

    def save_expected(self, notes=None):
        urls = [l["url"] for l in self.letters]
        assert len(urls) == len(set(urls)), self.name
        out = {"layout": self.layout, "encoding": self.encoding, "list_pages": self.list_pages,
               "letters": self.letters, "letters_by_list_page": self.by_page}
        if notes:
            out["notes"] = notes
        with open(os.path.join(self.dir, "expected.json"), "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)


def chunks(seq, sizes):
    out, i = [], 0
    for s in sizes:
        out.append(seq[i:i + s])
        i += s
    assert i == len(seq)
    return out
