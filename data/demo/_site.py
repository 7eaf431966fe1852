"""Static pages of the demo county's online world: a letters board and a Discuz!-style forum.

The pages copy the markup of the real systems tongxin's profiles target (including their
traps: mixed UTF-8/GBK encodings, sticky threads, relative times, anti-copy jammers,
quoted replies, user-typed markup), so a crawl of the demo exercises the real code paths.
Every text of a voice mentions only concerns that voice has, checked as it is written, and
every voice mentions all of its concerns: a letter in its text, a forum user across their
posts (a one-post user in that post).
"""
from __future__ import annotations

import datetime as dt
import html
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _phrases as phrases

LETTERS_PER_PAGE = 10
UTF8_LIST_PAGES = 3
THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 10
LETTER_AGE_CUE = 0.7  # share of letters whose writer states their age
PROFILE_SHARE = 0.65  # forum users with a public profile (性别, 年龄, 所在地)
TEXT_CUE_SHARE = 0.6  # of the others: those who state age, sex and place in their posts
FILLER_SHARE = 0.12
BOARDS = {2: "民生杂谈", 3: "房产教育"}
STICKY = {2: 9001, 3: 9002}
START = dt.datetime(2026, 8, 1, 8, 0)
END = dt.datetime(2026, 11, 20, 22, 0)
NOW = dt.datetime(2026, 11, 27, 21, 0)
XSS_TEXT = "我们小区<script>alert('xss')</script>物业不管事 <img src=x onerror=alert(1)>"
TOPIC_UNIT = dict(zip(
    ["healthcare", "eldercare", "education", "employment", "housing", "transport", "environment",
     "social_security", "public_safety", "agriculture", "governance", "prices"],
    ["县卫健局", "县民政局", "县教体局", "县人社局", "县住建局", "县公路段", "县环保局", "县民政局",
     "县公安局", "县农业农村局", "县委督查室", "县发改局"], strict=True))

UTF8_META = '<meta charset="utf-8">'
GBK_META = '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'


def _page(title: str, body: str, meta: str = UTF8_META) -> str:
    return (f"<!DOCTYPE html>\n<html>\n<head>\n{meta}\n<title>{html.escape(title)}</title>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def _random_time(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    span = int((end - start).total_seconds() // 60)
    t = start + dt.timedelta(minutes=rng.randint(0, span))
    return t + dt.timedelta(hours=8) if t.hour < 6 and t + dt.timedelta(hours=8) <= end else t


def _fmt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


class TextChecker:
    """Asserts each voice text names at least one of the voice's concerns (all, if ``complete``)
    and nothing else."""

    def __init__(self, words: dict[str, list[str]]) -> None:
        self.words = words

    def __call__(self, text: str, concerns: tuple[str, ...], filler: bool = False, complete: bool = False) -> str:
        found = phrases.topics_in(text, self.words)
        if not found <= set(concerns) or (not found and not filler) or (complete and found != set(concerns)):
            raise ValueError(f"text {text!r} codes as {sorted(found)}, voice concerns {list(concerns)}")
        return text


def sentence(rng: random.Random, person: Any, topics: list[str], lead: str = "", cue: str = "") -> str:
    """A reply lead or an opening, an optional self-description, the concerns, a closing."""
    cores = [phrases.core_phrase(rng, t, person.urban) for t in topics]
    opening = lead or rng.choice(phrases.PREFIXES)
    return opening + (cue + "，" if cue else "") + "；另外，".join(cores) + rng.choice(phrases.SUFFIXES)


# ---------------------------------------------------------------- letters board

def write_letters(root: Path, rng: random.Random, writers: list[Any], check: TextChecker) -> list[tuple[str, Any]]:
    """市长信箱: list pages of 10, detail tables; pages 4+ and their letters are GBK."""
    times = sorted((_random_time(rng, START, dt.datetime(2026, 11, 12, 18, 0)) for _ in writers), reverse=True)
    pii_letters = set(rng.sample(range(len(writers)), 2))
    letters = []
    for i, (person, sent) in enumerate(zip(writers, times, strict=True)):
        main = rng.sample(list(person.concerns), len(person.concerns))  # a letter says everything
        kind = rng.choices(["投诉", "建议", "咨询"], weights=[45, 30, 25])[0]
        body = rng.choice(phrases.LETTER_OPEN)
        if rng.random() < LETTER_AGE_CUE:
            body += rng.choice(phrases.age_cues(person.age, person.sex, person.urban)) + "，"
        body += f"我是{person.region}{person.place}的。"
        body += ("想咨询一下，" + "；另外，".join(phrases.core_phrase(rng, t, person.urban) for t in main) + "。"
                 if kind == "咨询" else sentence(rng, person, main))
        if rng.random() < 0.5:
            body += phrases.core_phrase(rng, main[0], person.urban) + "。"
        if i in pii_letters:
            body += (f"我的电话是1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}，请联系我。" if i == min(pii_letters)
                     else f"我的身份证号是640399{sent.year - person.age}0{rng.randint(1, 9)}1{rng.randint(0, 9)}"
                          f"{rng.randint(100, 999)}{rng.choice('0123456789X')}。")
        body += rng.choice(phrases.LETTER_CLOSE)
        title = phrases.title_for(rng, main[0], person.urban)
        check(title + body, person.concerns, complete=True)
        replied = sent + dt.timedelta(days=rng.randint(1, 7), minutes=rng.randint(0, 600))
        letters.append({"file": f"detail_{i + 1:04d}.html", "title": title, "sent": sent, "body": body, "kind": kind,
                        "name": rng.choice(phrases.SURNAMES) + ("女士" if person.sex == "female" else "先生"),
                        "where": f"{person.region} {person.place}",
                        "unit": TOPIC_UNIT[main[0]], "replied": replied, "reply": rng.choice(phrases.REPLY_TEXTS)})
    folder = root / "letters"
    folder.mkdir(parents=True, exist_ok=True)
    n_pages = math.ceil(len(letters) / LETTERS_PER_PAGE)
    for page in range(1, n_pages + 1):
        gbk = page > UTF8_LIST_PAGES
        meta, encoding = (GBK_META, "gbk") if gbk else (UTF8_META, "utf-8")
        chunk = letters[(page - 1) * LETTERS_PER_PAGE: page * LETTERS_PER_PAGE]
        items = "\n".join(f'<li><a href="{x["file"]}">{html.escape(x["title"])}</a> '
                          f'<span class="date">{x["sent"]:%Y-%m-%d}</span></li>' for x in chunk)
        nav = f'<span class="current">第{page}页 共{n_pages}页</span>'
        if page > 1:
            nav = f'<a class="prev" href="list_{page - 1}.html">上一页</a> ' + nav
        if page < n_pages:
            nav += f' <a class="next" href="list_{page + 1}.html">下一页</a>'
        body = (f'<h1>同心县 市长信箱</h1>\n<ul class="letter-list">\n{items}\n</ul>\n<div class="pages">{nav}</div>')
        (folder / f"list_{page}.html").write_bytes(_page("市长信箱", body, meta).encode(encoding))
        for x in chunk:
            rows = [("标题", x["title"]), ("来信人", x["name"]), ("来信时间", _fmt(x["sent"])), ("所在地", x["where"]),
                    ("类型", x["kind"]), ("内容", x["body"]), ("回复单位", x["unit"]),
                    ("回复时间", _fmt(x["replied"])), ("回复内容", x["reply"])]
            table = "\n".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
            detail = (f'<h1>同心县 市长信箱</h1>\n<table class="letter-detail">\n{table}\n</table>\n'
                      f'<p><a href="list_{page}.html">返回列表</a></p>')
            (folder / x["file"]).write_bytes(_page(x["title"], detail, meta).encode(encoding))
    return [(x["file"], p) for x, p in zip(letters, writers, strict=True)]


# ---------------------------------------------------------------- forum

@dataclass
class User:
    uid: int
    nick: str
    person: Any
    posts: int
    profile: list[str]
    cues: list[str] = field(default_factory=list)  # self-descriptions still to be written
    left: int = 0  # posts still to be written
    unsaid: list[str] = field(default_factory=list)  # concerns not yet mentioned


@dataclass
class Post:
    user: User
    text: str
    html: str
    time: dt.datetime = START
    pid: int = 0
    filler: bool = False
    cue: bool = False


@dataclass
class Thread:
    board: int
    title: str
    posts: list[Post] = field(default_factory=list)
    tid: int = 0


def _post_counts(rng: random.Random, people: list[Any]) -> list[int]:
    """Heavy-tailed: most write 1-3 posts, four young urban users write 20-40."""
    counts = [rng.choices([1, 2, 3, rng.randint(4, 8), rng.randint(9, 15)], weights=[45, 25, 15, 12, 3])[0]
              for _ in people]
    young_urban = [i for i, p in enumerate(people) if p.urban == "urban" and p.age_group in ("18-29", "30-44")]
    youngest = [i for i in young_urban if people[i].age_group == "18-29"]
    top = rng.choice(youngest)
    others = rng.sample([i for i in young_urban if i != top], 3)
    for i, n in zip([top] + others, [40, 31, 25, 21], strict=True):
        counts[i] = n
    return counts


def _users(rng: random.Random, people: list[Any]) -> list[User]:
    """Forum accounts: a public profile (性别, 年龄, 所在地) or, for some, self-descriptions in the text."""
    users, taken = [], set()
    for i, (person, count) in enumerate(zip(people, _post_counts(rng, people), strict=True)):
        nick = phrases.nickname(rng, person.region, person.age, person.sex)
        while nick in taken:
            nick += str(rng.randint(0, 9))
        taken.add(nick)
        has_profile = rng.random() < PROFILE_SHARE
        profile = ["性别", "年龄", "所在地"] if has_profile else []
        user = User(1000 + i * 7 + rng.randint(0, 6), nick, person, count, profile,
                    left=count, unsaid=list(person.concerns))
        if not has_profile:
            banks = [phrases.age_cues(person.age, person.sex, person.urban), phrases.sex_cues(person.age, person.sex),
                     phrases.place_cues(person.place, person.urban)]
            if rng.random() >= TEXT_CUE_SHARE:  # the rest say at most one thing about themselves
                banks = [rng.choice(banks)] if rng.random() < 0.5 else []
            user.cues = [rng.choice(bank) for bank in banks]
            rng.shuffle(user.cues)
        users.append(user)
    return users


def _thread_lengths(rng: random.Random, total: int, n_threads: int) -> list[int]:
    lengths = [rng.randint(22, 35) for _ in range(6)]
    short = [1] * (n_threads - len(lengths))
    for _ in range(total - sum(lengths) - len(short)):
        short[rng.randrange(len(short))] += 1
    lengths += short
    rng.shuffle(lengths)
    return lengths


def _message(rng: random.Random, post_text: str, quote: Post | None, jam: bool) -> str:
    """The message HTML: escaped user text, optional quote block and anti-copy jammers."""
    if jam:
        cuts = sorted(rng.sample(range(1, len(post_text)), min(2, len(post_text) - 1))) if len(post_text) > 2 else []
        pieces, last = [], 0
        for j, cut in enumerate(cuts):
            pieces.append(html.escape(post_text[last:cut]))
            junk = "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4))
            pieces.append(f'<font class="jammer">{junk}</font>' if j == 0 else '<span style="display:none">隐藏</span>')
            last = cut
        pieces.append(html.escape(post_text[last:]))
        body = "".join(pieces)
    else:
        body = html.escape(post_text)
    if quote is not None:
        snippet = quote.text if len(quote.text) <= 40 else quote.text[:40] + " ..."
        body = (f'<div class="quote"><blockquote><font size="2"><font color="#999999">{html.escape(quote.user.nick)} '
                f'发表于 {_fmt(quote.time)}</font></font><br />{html.escape(snippet)}</blockquote></div><br />' + body)
    return body


def build_forum(rng: random.Random, people: list[Any], check: TextChecker) -> tuple[list[User], list[Thread]]:
    users = _users(rng, people)
    slots = [u for u in users for _ in range(u.posts)]
    rng.shuffle(slots)
    lengths = _thread_lengths(rng, len(slots), 170)
    threads: list[Thread] = []
    for length in lengths:
        authors, slots = slots[:length], slots[length:]
        starter = authors[0]
        topic = rng.choice(starter.person.concerns)
        thread = Thread(3 if topic in ("housing", "education") else 2, phrases.title_for(rng, topic, starter.person.urban))
        check(thread.title, starter.person.concerns)
        for k, user in enumerate(authors):
            thread.posts.append(_voice_post(rng, user, topic, k, check))
        threads.append(thread)
    _place_xss(rng, threads, check)
    _check_coverage(users, threads, check.words)
    _schedule(rng, threads)
    for thread in threads:
        for k, post in enumerate(thread.posts):
            quote = rng.choice(thread.posts[:k]) if k > 0 and rng.random() < 0.15 else None
            post.html = _message(rng, post.text, quote, jam=rng.random() < 0.03)
    return users, threads


def _voice_post(rng: random.Random, user: User, topic: str, k: int, check: TextChecker) -> Post:
    """The user's next post in a thread on ``topic``; the last one says whatever is still unsaid."""
    concerns = user.person.concerns
    user.left -= 1
    last = user.left == 0
    if k > 0 and not last and rng.random() < FILLER_SHARE:
        return Post(user, check(rng.choice(phrases.FILLERS), concerns, filler=True), "", filler=True)
    own = [topic] if topic in concerns else [rng.choice(user.unsaid or list(concerns))]
    if last:
        own += [c for c in user.unsaid if c not in own]
    elif len(concerns) > 1 and rng.random() < 0.2:
        own.append(rng.choice([c for c in concerns if c != own[0]]))
    user.unsaid = [c for c in user.unsaid if c not in own]
    cues = user.cues if last else user.cues[:1]
    user.cues = user.cues[len(cues):]
    lead = rng.choice(phrases.REPLY_LEADS) if k > 0 else ""
    text = sentence(rng, user.person, own, lead, "，".join(cues))
    return Post(user, check(text, concerns), "", cue=bool(cues))


def _said(posts: list[Post], words: dict[str, list[str]]) -> set[str]:
    return set().union(*(phrases.topics_in(p.text, words) for p in posts))


def _place_xss(rng: random.Random, threads: list[Thread], check: TextChecker) -> None:
    """One housing post becomes user-typed markup; its author still says all their concerns."""
    by_user: dict[int, list[Post]] = {}
    for post in (p for t in threads for p in t.posts):
        by_user.setdefault(post.user.uid, []).append(post)
    candidates = [p for t in threads for p in t.posts[1:]
                  if "housing" in p.user.person.concerns and not p.filler and not p.cue
                  and _said([q for q in by_user[p.user.uid] if q is not p], check.words) | {"housing"}
                  >= set(p.user.person.concerns)]
    post = rng.choice(candidates)
    post.text = check(XSS_TEXT, post.user.person.concerns)


def _check_coverage(users: list[User], threads: list[Thread], words: dict[str, list[str]]) -> None:
    """Every forum voice mentions each of its concerns somewhere, and states every cue it was given."""
    by_user: dict[int, list[Post]] = {}
    for post in (p for t in threads for p in t.posts):
        by_user.setdefault(post.user.uid, []).append(post)
    for user in users:
        said = _said(by_user[user.uid], words)
        if said != set(user.person.concerns) or user.cues or user.left:
            raise ValueError(f"user {user.uid} says {sorted(said)}, holds {list(user.person.concerns)}")


def _schedule(rng: random.Random, threads: list[Thread]) -> None:
    """Times: threads start Aug-Nov; the two newest run into the last week (shown as relative times)."""
    starts = sorted(_random_time(rng, START, dt.datetime(2026, 11, 16, 22, 0)) for _ in threads)
    starts[-2:] = [dt.datetime(2026, 11, 17, 19, 12), dt.datetime(2026, 11, 18, 9, 40)]
    late = [i for i in range(len(threads)) if len(threads[i].posts) >= 4][-2:]
    rest = [i for i in range(len(threads)) if i not in late]
    rng.shuffle(rest)
    for i, start in zip(rest + late, starts, strict=True):
        thread = threads[i]
        end = min(start + dt.timedelta(days=12), END)
        times = [start] + sorted(_random_time(rng, start, end) for _ in thread.posts[1:])
        if i in late:
            recent = sorted(_random_time(rng, dt.datetime(2026, 11, 21, 8), dt.datetime(2026, 11, 26, 22)) for _ in range(3))
            times[-3:] = recent
        for post, t in zip(thread.posts, times, strict=True):
            post.time = t
    threads.sort(key=lambda t: t.posts[0].time)
    for n, thread in enumerate(threads):
        thread.tid = 101 + n
    posts = sorted((p for t in threads for p in t.posts), key=lambda p: p.time)
    for n, post in enumerate(posts):
        post.pid = 4001 + n


def _shown_time(t: dt.datetime, pid: int) -> str:
    days = (NOW.date() - t.date()).days
    if days >= 7:
        return f'<em id="authorposton{pid}">发表于 {_fmt(t)}</em>'
    shown = {1: f"昨天 {t:%H:%M}", 2: f"前天 {t:%H:%M}"}.get(days, f"{days} 天前")
    return f'<em id="authorposton{pid}">发表于 <span title="{_fmt(t)}">{shown}</span></em>'


def _pager(prefix: str, suffix: str, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    links = "".join(f"<strong>{n}</strong>" if n == page else f'<a href="{prefix}{n}{suffix}">{n}</a>'
                    for n in range(1, pages + 1))
    if page < pages:
        links += f'<a href="{prefix}{page + 1}{suffix}" class="nxt">下一页</a>'
    return f'<div class="pg">{links}</div>'


def _post_html(post: Post) -> str:
    p, u = post.pid, post.user
    pil = ""
    if u.profile:
        values = {"性别": "男" if u.person.sex == "male" else "女", "年龄": str(u.person.age),
                  "所在地": u.person.region + u.person.place}
        pil = '\n    <dl class="pil cl">' + "".join(f"<dt>{k}</dt><dd>{values[k]}</dd>" for k in u.profile) + "</dl>"
    return (f'<div id="post_{p}"><table id="pid{p}"><tr>\n'
            f'  <td class="pls"><div class="pi"><div class="authi"><a href="space-uid-{u.uid}.html" class="xw1">'
            f'{html.escape(u.nick)}</a></div></div>{pil}</td>\n'
            f'  <td class="plc"><div class="pi"><div class="pti"><div class="authi">{_shown_time(post.time, p)}'
            f'</div></div></div>\n'
            f'    <div class="pct"><div class="pcb"><div class="t_fsz"><table><tr><td class="t_f" id="postmessage_{p}">'
            f'{post.html}</td></tr></table></div></div></div></td>\n</tr></table></div>')


def write_forum(root: Path, threads: list[Thread], moderator: User) -> int:
    folder = root / "forum"
    folder.mkdir(parents=True, exist_ok=True)
    cells = "\n".join(f'<tr><td class="fl_g"><dl><dt><a href="forum-{fid}-1.html">{name}</a></dt></dl></td></tr>'
                      for fid, name in BOARDS.items())
    (folder / "index.html").write_text(_page("同心论坛", f'<h1>同心论坛</h1>\n<table class="fl_tb">\n{cells}\n</table>'),
                                       encoding="utf-8")
    pages = 1
    for fid, name in BOARDS.items():
        rules = Thread(fid, "本版版规", [Post(moderator, phrases.RULES_TEXT, html.escape(phrases.RULES_TEXT),
                                           dt.datetime(2026, 8, 1, 9, 0), STICKY[fid] * 10)], STICKY[fid])
        board = sorted((t for t in threads if t.board == fid), key=lambda t: t.posts[0].time, reverse=True)
        n_pages = math.ceil(len(board) / THREADS_PER_PAGE)
        sticky = (f'<tbody id="stickthread_{rules.tid}"><tr><th><a href="thread-{rules.tid}-1-1.html" class="s xst">本版版规</a>'
                  f'</th><td class="by"><cite><a href="space-uid-{moderator.uid}.html">{moderator.nick}</a></cite>'
                  f'<em><span>2026-08-01</span></em></td></tr></tbody>')
        for page in range(1, n_pages + 1):
            rows = [sticky]
            for t in board[(page - 1) * THREADS_PER_PAGE: page * THREADS_PER_PAGE]:
                first = t.posts[0]
                rows.append(f'<tbody id="normalthread_{t.tid}"><tr><th class="new"><a href="thread-{t.tid}-1-1.html" '
                            f'class="s xst">{html.escape(t.title)}</a></th><td class="by"><cite><a href="space-uid-'
                            f'{first.user.uid}.html">{html.escape(first.user.nick)}</a></cite><em><span>'
                            f'{first.time.year}-{first.time.month}-{first.time.day}</span></em></td></tr></tbody>')
            body = (f'<h1>{name}</h1>\n<table id="threadlisttableid">\n' + "\n".join(rows) + "\n</table>\n"
                    + _pager(f"forum-{fid}-", ".html", page, n_pages))
            (folder / f"forum-{fid}-{page}.html").write_text(_page(name, body), encoding="utf-8")
            pages += 1
        for t in board + [rules]:
            n = math.ceil(len(t.posts) / POSTS_PER_PAGE)
            for page in range(1, n + 1):
                chunk = t.posts[(page - 1) * POSTS_PER_PAGE: page * POSTS_PER_PAGE]
                body = (f'<div id="pt"><a href="index.html">同心论坛</a> &rsaquo; <a href="forum-{fid}-1.html">{name}</a></div>\n'
                        f'<h1 class="ts"><span id="thread_subject">{html.escape(t.title)}</span></h1>\n'
                        '<div id="postlist">\n' + "\n".join(_post_html(p) for p in chunk) + "\n</div>\n"
                        + _pager(f"thread-{t.tid}-", "-1.html", page, n))
                (folder / f"thread-{t.tid}-{page}-1.html").write_text(_page(t.title, body), encoding="utf-8")
                pages += 1
    return pages


def write_site(root: Path, rng: random.Random, writers: list[Any], forum_people: list[Any],
               words: dict[str, list[str]]) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """Write site/ and return (voice_key, person) for letter writers and forum users."""
    check = TextChecker(words)
    root.mkdir(parents=True, exist_ok=True)
    index = ('<h1>同心县 网上民意</h1>\n<ul>\n<li><a href="letters/list_1.html">市长信箱</a></li>\n'
             '<li><a href="forum/index.html">同心论坛</a></li>\n</ul>')
    (root / "index.html").write_text(_page("同心县", index), encoding="utf-8")
    letters = write_letters(root, rng, writers, check)
    users, threads = build_forum(rng, forum_people, check)
    moderator = User(1, "版主", None, 0, [])
    write_forum(root, threads, moderator)
    return letters, [(str(u.uid), u.person) for u in users]
