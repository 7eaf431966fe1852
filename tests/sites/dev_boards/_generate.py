"""Write the development letter boards: ``python -m tests.sites.dev_boards._generate``.

Static boards, each in the shape of a public government CMS template family
(list as ``ul``, table rows, ``div`` cards or ``dl``; letter pages as a table, ``dl``,
labelled ``div``s or inline ``<p>标题：…</p>`` lines), with sidebars of other letters,
breadcrumbs, footers, pending letters, GBK and UTF-8, dates printed several ways and
pagination by ``下一页`` text, a ``list_N.html`` / ``index_N.html`` number, or script
(TRS ``createPageHTML``, 大汉 jpage's ``dataproxy.jsp``, 开普-style ``goPage(n)``, a
``<select>`` jumper, 共N页 with a 尾页 link). Each board
has an ``expected.json`` in the shape ``benchmarks/boards.py`` reads. The generic
reader was tuned on these only.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Letter:
    number: int
    title: str
    author: str | None
    day: str  # YYYY-MM-DD
    clock: str  # HH:MM
    body: str
    reply: str | None
    reply_day: str | None
    reply_unit: str | None
    category: str


_POOL = [
    ("小区门口道路坑洼难行", "张先生", "我们小区门口的道路坑坑洼洼，下雨天积水很深，老人孩子出行很不方便。希望有关部门尽快修一修。",
     "您好！经现场核查，该路段已列入本年度道路维修计划，预计下月开工，感谢您的关注。", "市住房和城乡建设局", "投诉"),
    ("孩子上学接送交通拥堵", "李女士", "每天早上七点半学校门口车辆拥堵，孩子过马路很危险，建议增加交警疏导或设置临时停车区。",
     "您反映的问题已转交交警大队，上学高峰期将安排警力疏导，并施划临时停车位。", "市公安局交通警察支队", "建议"),
    ("医保报销手续太繁琐", "王**", "父亲住院后报销要跑好几个窗口，材料也要反复提交，能不能简化流程，实行一站式结算？",
     None, None, "咨询"),
    ("夜间施工噪音扰民", "网友", "小区旁边工地每天晚上十一点以后还在施工，噪音很大，严重影响休息，请相关部门查处。",
     "经查，该工地未办理夜间施工许可，已责令其停止夜间施工并予以处罚。", "市生态环境局", "投诉"),
    ("农村自来水水压不足", "赵师傅", "我村自来水水压一直很低，高处住户经常没有水用，夏天尤其严重，希望能加装加压设备。",
     "已安排供水公司对该村管网进行检测，计划加装增压泵站一座，预计两个月内完成。", "市水务集团有限公司", "求助"),
    ("建议增设公交线路", "陈女士", "新建的安置小区离公交站太远，居民出行不便，建议增设一条公交线路或调整现有线路走向。",
     None, None, "建议"),
    ("路灯长期不亮", "刘先生", "幸福路中段的路灯已经坏了一个多月，晚上一片漆黑，行人和电动车都很容易出事。",
     "感谢您的反映，我局已派人检修，目前路灯已恢复正常照明。", "市城市管理局", "投诉"),
    ("养老金发放时间咨询", "孙大爷", "请问今年养老金调整后的差额什么时候补发？社区说不清楚，想请相关部门给个准信。",
     "养老金调整差额将于本月底前一次性补发到位，请留意银行账户。", "市人力资源和社会保障局", "咨询"),
    ("菜市场周边占道经营", "周女士", "菜市场门口摊贩占道经营，早上人车混行，垃圾也没人及时清理，希望加强管理。",
     "城管执法中队已对占道经营进行整治，并在市场内增设临时摊位，引导摊贩入场经营。", "市城市管理综合执法局", "投诉"),
    ("小学学位紧张", "吴先生", "我们片区新建了好几个楼盘，但只有一所小学，学位非常紧张，希望规划新建学校。",
     None, None, "建议"),
]


def letters(board: int, count: int) -> list[Letter]:
    out = []
    for n in range(count):
        title, author, body, reply, unit, kind = _POOL[(n + board) % len(_POOL)]
        day = f"2026-0{1 + (board + n) % 9}-{10 + n:02d}"
        reply_day = f"2026-0{1 + (board + n) % 9}-{20 + n % 8:02d}" if reply else None
        out.append(Letter(n + 1, title, author, day, f"{8 + n % 9:02d}:{(13 * n) % 60:02d}", body, reply, reply_day,
                          unit, kind))
    return out


def cn_date(day: str) -> str:
    y, m, d = day.split("-")
    return f"{y}年{int(m)}月{int(d)}日"


def slash(day: str, clock: str) -> str:
    return f"{day.replace('-', '/')} {clock}"


def rel(path: str) -> str:
    """A list page's link to another list page of the same folder: its file name."""
    return path.rsplit("/", 1)[-1]


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title></head>\n<body>\n{body}\n</body></html>\n")


HEADER = ('<div class="header"><h1>某某市人民政府</h1><ul class="nav"><li><a href="/index.html">首页</a></li>'
          '<li><a href="/zwgk/index.html">政务公开</a></li><li><a href="/hdjl/index.html">互动交流</a></li>'
          '<li><a href="/bszn/index.html">办事服务</a></li></ul></div>')
FOOTER = ('<div class="footer"><a href="/about.html">关于本站</a> | <a href="/map.html">网站地图</a> | '
          '<a href="/contact.html">联系我们</a><p>主办：某某市人民政府办公室 备案号：X ICP备00000000号</p></div>')


def crumbs(*names: str) -> str:
    return '<div class="position">当前位置：<a href="/index.html">首页</a> &gt; ' + " &gt; ".join(
        f'<a href="/hdjl/{n}.html">{n}</a>' for n in names) + "</div>"


@dataclass
class Board:
    name: str
    describe: str
    charset: str
    per_page: int
    count: int
    list_name: Callable[[int], str]
    list_page: Callable[[list[Letter], int, int, Board], str]
    detail_name: Callable[[Letter], str]
    detail_page: Callable[[Letter, Board], str]
    author_shown: bool = True


def sidebar(board: Board, chosen: list[Letter], heading: str = "热点留言") -> str:
    items = "".join(f'<li><a href="/{board.detail_name(x)}">{x.title}</a></li>' for x in chosen)
    return f'<div class="side"><h3>{heading}</h3><ul>{items}</ul></div>'


# --- 1: 大汉-style ul list, td label cells with U+3000 inside, UTF-8 ----------------------------


def list_ul(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f'<li><span class="date">{x.day}</span><a href="/{b.detail_name(x)}" target="_blank">{x.title}</a></li>'
                   for x in items)
    nxt = f'<a href="{rel(b.list_name(n + 1))}">下一页</a>' if n < pages else "<span>下一页</span>"
    prev = f'<a href="{rel(b.list_name(n - 1))}">上一页</a>' if n > 1 else "<span>上一页</span>"
    return page("市长信箱_某某市人民政府", f"{HEADER}{crumbs('市长信箱')}<div class='main'><div class='list-box'>"
                f"<ul>{rows}</ul></div><div class='pages'>{prev} 第{n}页/共{pages}页 {nxt}</div></div>"
                f"{sidebar(b, all_letters[b.name][:4])}{FOOTER}", b.charset)


def detail_td(x: Letter, b: Board) -> str:
    state = "已回复" if x.reply else "待回复"
    reply = (f"<tr><td class='lb'>回复单位：</td><td>{x.reply_unit}</td></tr>"
             f"<tr><td class='lb'>回复时间：</td><td>{x.reply_day}</td></tr>"
             f"<tr><td class='lb'>回复内容：</td><td>{x.reply}</td></tr>") if x.reply else \
        "<tr><td class='lb'>回复内容：</td><td></td></tr>"
    return page(f"{x.title}_市长信箱", f"{HEADER}{crumbs('市长信箱', '信件详情')}<table class='xj' border='1'>"
                f"<tr><td class='lb'>标　　题：</td><td>{x.title}</td></tr>"
                f"<tr><td class='lb'>来 信 人：</td><td>{x.author}</td></tr>"
                f"<tr><td class='lb'>来信时间：</td><td>{x.day} {x.clock}</td></tr>"
                f"<tr><td class='lb'>状　　态：</td><td>{state}</td></tr>"
                f"<tr><td class='lb'>来信内容：</td><td>{x.body}</td></tr>{reply}</table>"
                f"{sidebar(b, all_letters[b.name][-3:], '最新回复')}{FOOTER}", b.charset)


# --- 2: TRS-style table rows with header, index_N.html, dl detail, GBK ---------------------------


def list_table(items: list[Letter], n: int, pages: int, b: Board) -> str:
    head = "<tr><th>编号</th><th>标题</th><th>来信时间</th><th>状态</th></tr>"
    rows = "".join(f"<tr><td>{x.number:04d}</td><td><a href='/{b.detail_name(x)}'>{x.title}</a></td>"
                   f"<td>{cn_date(x.day)}</td><td>{'已办结' if x.reply else '办理中'}</td></tr>" for x in items)
    numbers = " ".join(f'<a href="{rel(b.list_name(k))}">{k}</a>' for k in range(1, pages + 1))
    nxt = f'<a href="{rel(b.list_name(n + 1))}">下一页</a>' if n < pages else ""
    return page("领导信箱", f"{HEADER}{crumbs('领导信箱')}<table class='tb' width='100%'>{head}{rows}</table>"
                f"<div class='page'>{numbers} {nxt}</div>{FOOTER}", b.charset)


def detail_dl(x: Letter, b: Board) -> str:
    reply = (f"<dt>答复单位:</dt><dd>{x.reply_unit}</dd><dt>答复时间:</dt><dd>{cn_date(x.reply_day or '')}</dd>"
             f"<dt>答复内容:</dt><dd>{x.reply}</dd>") if x.reply else "<dt>答复内容:</dt><dd>暂无答复</dd>"
    return page(f"{x.title}", f"{HEADER}{crumbs('领导信箱')}<div class='detail'><dl>"
                f"<dt>信件标题:</dt><dd>{x.title}</dd><dt>来信人:</dt><dd>{x.author}</dd>"
                f"<dt>来信时间 </dt><dd>{cn_date(x.day)}</dd><dt>信件类型:</dt><dd>{x.category}</dd>"
                f"<dt>信件内容:</dt><dd>{x.body}</dd>{reply}</dl></div>{FOOTER}", b.charset)


# --- 3: div cards, labelled divs, reply under a 回复 heading, 下页 ------------------------------


def list_cards(items: list[Letter], n: int, pages: int, b: Board) -> str:
    cards = "".join(f"<div class='card'><h4><a href='/{b.detail_name(x)}'>{x.title}</a></h4>"
                    f"<p class='meta'>{slash(x.day, x.clock)} · {x.category}</p></div>" for x in items)
    nxt = f'<a class="pg" href="{rel(b.list_name(n + 1))}">下页</a>' if n < pages else ""
    return page("网络问政平台", f"{HEADER}{crumbs('网络问政')}<div class='cards'>{cards}</div>"
                f"<div class='pager'><a class='pg' href='{rel(b.list_name(1))}'>首页</a> {nxt}</div>{FOOTER}", b.charset)


def detail_divs(x: Letter, b: Board) -> str:
    reply = (f"<div class='answer'><h3>回复</h3><p>回复单位：{x.reply_unit}</p><p>回复时间：{slash(x.reply_day or '', '16:00')}"
             f"</p><div class='answer-text'>{x.reply}</div></div>") if x.reply else \
        "<div class='answer'><h3>回复</h3><p>状态：待回复</p></div>"
    return page(f"{x.title}-网络问政", f"{HEADER}{crumbs('网络问政')}<div class='letter'>"
                f"<div class='row'><span class='k'>主题：</span><span class='v'>{x.title}</span></div>"
                f"<div class='row'><span class='k'>留言人：</span><span class='v'>{x.author}</span></div>"
                f"<div class='row'><span class='k'>留言时间：</span><span class='v'>{slash(x.day, x.clock)}</span></div>"
                f"<h3>留言内容</h3><div class='con'>{x.body}</div></div>{reply}{FOOTER}", b.charset)


# --- 4: dl list items, inline <p>标题：…</p> detail, › next --------------------------------------


def list_dl(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f"<dl><dt><a href='/{b.detail_name(x)}'>{x.title}</a></dt>"
                   f"<dd>留言时间：{x.day}　状态：{'已回复' if x.reply else '待回复'}</dd></dl>" for x in items)
    nxt = f'<a href="{rel(b.list_name(n + 1))}">›</a>' if n < pages else ""
    return page("书记信箱", f"{HEADER}{crumbs('书记信箱')}<div class='mailbox'>{rows}</div>"
                f"<div class='fy'>{nxt}</div>{FOOTER}", b.charset)


def detail_inline(x: Letter, b: Board) -> str:
    reply = (f"<div class='hf'><p>答复单位：{x.reply_unit}</p><p>答复时间：{x.reply_day}</p>"
             f"<p>答复内容：{x.reply}</p></div>") if x.reply else "<div class='hf'><p>答复内容：</p></div>"
    return page(f"{x.title}", f"{HEADER}<div class='article'><p>标题：{x.title}</p>"
                f"<p>写信人：{x.author}　写信时间：{x.day} {x.clock}</p><p>内容：{x.body}</p></div>{reply}{FOOTER}",
                b.charset)


# --- 5: old nested tables without classes, GBK, 后页, label cell above its value ----------------


def list_oldtable(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f"<tr><td><font color=#333>·<a href='/{b.detail_name(x)}'>{x.title}</a></font></td>"
                   f"<td>{int(x.day[5:7])}月{int(x.day[8:])}日</td></tr>" for x in items)
    nxt = f'<a href="{rel(b.list_name(n + 1))}">后页</a>' if n < pages else ""
    links = "<table><tr><td><a href='/index.html'>网站首页</a></td><td><a href='/news.html'>新闻中心</a></td></tr></table>"
    return page("县长信箱", f"<table width=900><tr><td>{links}</td></tr><tr><td><table width=100%>{rows}</table>"
                f"</td></tr><tr><td align=center>{nxt}</td></tr></table>", b.charset)


def detail_oldtable(x: Letter, b: Board) -> str:
    reply = (f"<tr><td><b>办理单位：</b>{x.reply_unit}</td></tr><tr><td><b>办理时间：</b>{x.reply_day}</td></tr>"
             f"<tr><td bgcolor=#eeeeee>办理结果</td></tr><tr><td>{x.reply}</td></tr>") if x.reply else ""
    return page(f"县长信箱--{x.title}", f"<table width=900><tr><td align=center><font size=4>{x.title}</font></td></tr>"
                f"<tr><td><b>来信人：</b>{x.author}</td></tr><tr><td><b>来信时间：</b>{cn_date(x.day)}</td></tr>"
                f"<tr><td bgcolor=#eeeeee>来信内容</td></tr><tr><td>{x.body}</td></tr>{reply}</table>", b.charset)


# --- 6: title in h1 only, meta line of spans, javascript next plus page-number links ------------


def list_js(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f"<li><a href='/{b.detail_name(x)}' title='{x.title}'>{x.title}</a><em>{x.day}</em></li>"
                   for x in items)
    numbers = " ".join(f'<a href="{rel(b.list_name(k))}">{k}</a>' for k in range(1, pages + 1) if k != n)
    nxt = '<a href="javascript:void(0)" onclick="goPage(this)">下一页</a>' if n < pages else ""
    return page("民意征集", f"{HEADER}{crumbs('留言板')}<ul class='msg-list'>{rows}</ul>"
                f"<div class='paging'>{numbers} {nxt}</div>{FOOTER}", b.charset)


def detail_h1(x: Letter, b: Board) -> str:
    reply = (f"<div class='answer'><div class='answer-title'>答复内容</div><div class='answer-body'>{x.reply}</div>"
             f"<div class='answer-meta'>答复单位：{x.reply_unit}　答复时间：{x.reply_day}</div></div>") if x.reply else ""
    who = f"<span>留言人：{x.author}</span>" if x.author else ""
    return page(f"{x.title}", f"{HEADER}{crumbs('留言板')}<div class='msg'><h1>{x.title}</h1>"
                f"<div class='info'>{who}<span>留言时间：{x.day} {x.clock}</span><span>浏览次数：12</span></div>"
                f"<div class='content'><strong>问题描述：</strong>{x.body}</div></div>{reply}{FOOTER}", b.charset)


# --- 7: 12345 platform: list table with columns, th/td pairs side by side, 2026/03/05 14:20 -----


def list_12345(items: list[Letter], n: int, pages: int, b: Board) -> str:
    head = "<thead><tr><th>标题</th><th>类别</th><th>提交时间</th><th>办理状态</th></tr></thead>"
    rows = "".join(f"<tr><td class='t'><a href='/{b.detail_name(x)}'>{x.title}</a></td><td>{x.category}</td>"
                   f"<td>{slash(x.day, x.clock)}</td><td>{'已办结' if x.reply else '办理中'}</td></tr>" for x in items)
    nxt = f'<a href="{rel(b.list_name(n + 1))}">下一页</a>' if n < pages else ""
    return page("12345政务服务便民热线", f"{HEADER}{crumbs('诉求公开')}<table class='gk'>{head}<tbody>{rows}</tbody>"
                f"</table><div class='pg'><a href='{rel(b.list_name(1))}'>首页</a> {nxt}</div>"
                f"{sidebar(b, all_letters[b.name][2:6], '最新回复')}{FOOTER}", b.charset)


def detail_12345(x: Letter, b: Board) -> str:
    reply = (f"<tr><th>处理单位</th><td>{x.reply_unit}</td><th>处理时间</th><td>{slash(x.reply_day or '', '17:30')}</td></tr>"
             f"<tr><th>处理结果</th><td colspan='3'>{x.reply}</td></tr>") if x.reply else \
        "<tr><th>处理结果</th><td colspan='3'>正在办理中</td></tr>"
    return page(f"{x.title}-12345", f"{HEADER}{crumbs('诉求公开')}<table class='info'>"
                f"<tr><th>诉求标题</th><td colspan='3'>{x.title}</td></tr>"
                f"<tr><th>诉求人</th><td>{x.author}</td><th>提交时间</th><td>{slash(x.day, x.clock)}</td></tr>"
                f"<tr><th>诉求类型</th><td>{x.category}</td><th>办理状态</th><td>{'已办结' if x.reply else '办理中'}</td></tr>"
                f"<tr><th>诉求内容</th><td colspan='3'>{x.body}</td></tr>{reply}</table>{FOOTER}", b.charset)


# --- 8: list split over several <ul>, title from h2 / <title>, index_N.html -----------------------


def list_split(items: list[Letter], n: int, pages: int, b: Board) -> str:
    halves = [items[:2], items[2:]]
    uls = "<div class='line'></div>".join(
        "<ul class='news'>" + "".join(f"<li><a href='/{b.detail_name(x)}'>{x.title}</a><span>[{x.day}]</span></li>"
                                      for x in half) + "</ul>" for half in halves if half)
    nxt = f'<a href="{rel(b.list_name(n + 1))}">下一页</a>' if n < pages else ""
    return page("政民互动_某某区人民政府", f"{HEADER}{crumbs('政民互动')}<div class='con'>{uls}</div>"
                f"<div class='pagebar'><a href='{rel(b.list_name(1))}'>首页</a>{nxt}</div>{FOOTER}", b.charset)


def detail_h2(x: Letter, b: Board) -> str:
    reply = (f"<div class='reply'><b>回复单位：</b>{x.reply_unit}<br><b>回复时间：</b>{x.reply_day}<br>"
             f"<b>办理结果：</b>{x.reply}</div>") if x.reply else "<div class='reply'><b>办理结果：</b>尚未回复</div>"
    return page(f"{x.title} - 某某区人民政府", f"{HEADER}{crumbs('政民互动')}<div class='wz'><h2>{x.title}</h2>"
                f"<div class='xx'><b>来信人：</b>{x.author}<br><b>来信日期：</b>{x.day}<br>"
                f"<b>来信内容：</b>{x.body}</div>{reply}</div>{FOOTER}", b.charset)


# --- 9: TRS createPageHTML script paging, reply under "<unit>答复：", greyed-out 后页 --------------


def list_trs_script(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f"<li><a href='/{b.detail_name(x)}'>{x.title}</a><span>{x.day}</span></li>" for x in items)
    script = (f"<script>var countPage = {pages}; var currentPage = {n - 1};\n"
              "createPageHTML(countPage, currentPage, \"index\", \"html\");</script>")
    last = "<a>后页</a>" if n == pages else ""
    return page("县长信箱_某某县人民政府", f"{HEADER}{crumbs('县长信箱')}<ul class='xxgk'>{rows}</ul>"
                f"<div class='page'>{script}{last}</div>{FOOTER}", b.charset)


def detail_unit_reply(x: Letter, b: Board) -> str:
    unit = (x.reply_unit or "").removeprefix("市")
    reply = (f"<div class='bt'>{unit}答复：</div><div class='nr'>{x.reply}</div>"
             f"<div class='rq'>答复日期：{x.reply_day}</div>") if x.reply else \
        "<div class='bt'>答复：</div><div class='nr'>该信件正在办理中，请耐心等待</div>"
    return page(f"{x.title}", f"{HEADER}<div class='xj'><div class='bt'>标题：{x.title}</div>"
                f"<div class='rq'>来信人：{x.author}　来信时间：{x.day}</div>"
                f"<div class='bt'>来信内容</div><div class='nr'>{x.body}</div>{reply}</div>{FOOTER}", b.charset)


# --- 10: 大汉 JCMS: the list rows only in a <datastore> script, shown by javascript ---------------


def list_datastore(items: list[Letter], n: int, pages: int, b: Board) -> str:
    everything = all_letters[b.name]
    records = "".join(f"<record><![CDATA[<li><a href=\"/{b.detail_name(x)}\" title=\"{x.title}\">{x.title}</a>"
                      f"<span>{x.day}</span></li>]]></record>" for x in everything)
    store = (f"<div id='4421'><script type='text/xml'><datastore><nextgroup><![CDATA[]]></nextgroup>"
             f"<recordset>{records}</recordset><totalrecord>{len(everything)}</totalrecord></datastore></script>"
             "<script>new Pager('4421', 5);</script></div>")
    return page("市长信箱 某某市人民政府", f"{HEADER}{crumbs('市长信箱')}<div class='main'>{store}</div>{FOOTER}",
                b.charset)


def detail_hanweb(x: Letter, b: Board) -> str:
    reply = x.reply or "暂未回复"
    unit = f"<tr><td>办理单位</td><td>{x.reply_unit}</td></tr>" if x.reply else ""
    return page(f"{x.title}", f"{HEADER}<table class='tab' id='zoom'><tr><td>信件标题</td><td>{x.title}</td></tr>"
                f"<tr><td>写信时间</td><td>{x.day} {x.clock}</td></tr><tr><td>信件内容</td><td>{x.body}</td></tr>"
                f"{unit}<tr><td>办理结果</td><td>{reply}</td></tr></table>{FOOTER}", b.charset, ) if x.author is None \
        else page(f"{x.title}", f"{HEADER}<table class='tab' id='zoom'><tr><td>信件标题</td><td>{x.title}</td></tr>"
                  f"<tr><td>写信人</td><td>{x.author}</td></tr><tr><td>写信时间</td><td>{x.day} {x.clock}</td></tr>"
                  f"<tr><td>信件内容</td><td>{x.body}</td></tr>{unit}<tr><td>办理结果</td><td>{reply}</td></tr></table>"
                  f"{FOOTER}", b.charset)


# --- 11: 大汉 JCMS jpage: first group in <datastore>, later groups from dataproxy.jsp ---------------
# A saved answer's file name carries its query, as wget saves it: the local server serves it
# for that query (scrapers.localsite).

JPAGE = {"col": 1, "appid": 1, "webid": 3, "path": "/", "columnid": 5521, "sourceContentType": 1, "unitid": 20563,
         "webname": "某某市人民政府", "permissiontype": 0}
JPAGE_PER_PAGE, JPAGE_GROUP = 3, 2


def jpage_name(n: int) -> str:
    if n == 1:
        return "col/col5521/index.html"
    from urllib.parse import urlencode
    size = JPAGE_PER_PAGE * JPAGE_GROUP
    start = (n - 1) * size + 1
    query = urlencode({"startrecord": start, "endrecord": start + size - 1, "perpage": JPAGE_PER_PAGE, **JPAGE})
    return f"module/web/jpage/dataproxy.jsp?{query}"


def list_jpage(items: list[Letter], n: int, pages: int, b: Board) -> str:
    records = "".join(f"<record><![CDATA[<li><a href=\"/{b.detail_name(x)}\" target=\"_blank\" title=\"{x.title}\">"
                      f"{x.title}</a><span class=\"bt-data-time\">[{x.day}]</span></li>]]></record>\n" for x in items)
    total = len(all_letters[b.name])
    if n > 1:  # the proxy's answer: bare XML, no page around it
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[]]></nextgroup>\n'
                f"<recordset>\n{records}</recordset>\n</datastore>\n")
    params = ",".join(f"{k}:{v!r}" if isinstance(v, str) else f"{k}:{v}" for k, v in JPAGE.items())
    nextgroup = ("<a href=\"/module/web/jpage/dataproxy.jsp?page=1&webid=3&path=/&columnid=5521&unitid=20563"
                 "&webname=%E6%9F%90%E6%9F%90%E5%B8%82%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0\"></a>")
    store = (f"<div id='20563'><script type='text/xml'><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
             f"<recordset>{records}</recordset><totalrecord>{total}</totalrecord></datastore></script>"
             "<script type='text/javascript' src='/module/web/jpage/jquery.page.min.js'></script>"
             f"<script>$('#20563').jpage({{dataStore: dataStore, perPage: {JPAGE_PER_PAGE}, groupSize: {JPAGE_GROUP}, "
             "barPosition: 'bottom', proxyUrl: '/module/web/jpage/dataproxy.jsp', "
             f"ajaxParam: {{{params}}}, showMode: 'full'}});</script></div>")
    return page("市长信箱 某某市人民政府", f"{HEADER}{crumbs('市长信箱')}<div class='main'>{store}</div>{FOOTER}",
                b.charset)


# --- 12: 开普-style: every pager link calls goPage(n); the function in the page builds index_N.shtml ---


def list_kaipu(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f"<li><a href='{b.detail_name(x).split('/', 1)[1]}' target='_blank'>{x.title}</a>"
                   f"<span>{x.day}</span></li>" for x in items)
    numbers = "".join(f"<span class='current'>{k}</span>" if k == n else f"<a href='javascript:goPage({k})'>{k}</a>"
                      for k in range(1, pages + 1))
    pager = (f"<div class='fenye'><a href='javascript:goPage(1)'>首页</a>"
             f"<a href='javascript:goPage({max(n - 1, 1)})'>上一页</a>{numbers}"
             f"<a href='javascript:goPage({min(n + 1, pages)})'>下一页</a><a href='javascript:goPage({pages})'>尾页</a>"
             f"<span>共{pages}页</span></div>")
    script = ("<script type='text/javascript'>function goPage(page) {\n  if (page == 1) {\n"
              "    window.location.href = 'index.shtml';\n  } else {\n"
              "    window.location.href = 'index_' + page + '.shtml';\n  }\n}</script>")
    return page("信件选登_某某县人民政府", f"{HEADER}{crumbs('县长信箱', '信件选登')}<div class='xjxd'><ul class='list'>"
                f"{rows}</ul>{pager}</div>{script}{FOOTER}", b.charset)


# --- 13: a <select> page jumper; the onchange script builds list_N.htm; 下一页 calls a function ---


def list_jumper(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f"<tr><td><a href='/{b.detail_name(x)}'>{x.title}</a></td><td>{x.category}</td>"
                   f"<td>{slash(x.day, x.clock)}</td></tr>" for x in items)
    options = "".join(f"<option value='{k}'{' selected' if k == n else ''}>第{k}页</option>" for k in range(1, pages + 1))
    jumper = ("<select name='page' onchange=\"window.location.href='list_'+this.options[this.selectedIndex].value"
              f"+'.htm'\">{options}</select>")
    nxt = "<a href='javascript:void(0)' onclick='nextPage()'>下一页</a>" if n < pages else "<span>下一页</span>"
    return page("领导留言板", f"{HEADER}{crumbs('领导留言板')}<table class='lylist'><tr><th>留言标题</th><th>类别</th>"
                f"<th>留言时间</th></tr>{rows}</table><div class='page'>{nxt} 转到 {jumper}</div>"
                "<script src='/js/page.js'></script>" + FOOTER, b.charset)


# --- 14: "共N页 当前第M页" and 尾页 linking index_N.html (from 0); 下一页 only javascript ---------


def list_count_text(items: list[Letter], n: int, pages: int, b: Board) -> str:
    rows = "".join(f"<li><em>{cn_date(x.day)}</em><a href='/{b.detail_name(x)}'>{x.title}</a></li>" for x in items)
    last = f"index_{pages - 1}.html"
    pager = (f"<div class='pagination'>共{pages}页 当前第{n}页 <a href='index.html'>首页</a> "
             "<a href='javascript:void(0)' onclick='prevPage()'>上一页</a> "
             "<a href='javascript:void(0)' onclick='nextPage()'>下一页</a> "
             f"<a href='{last}'>尾页</a></div>")
    return page("民生留言_某某区人民政府", f"{HEADER}{crumbs('民生留言')}<ul class='msglist'>{rows}</ul>{pager}{FOOTER}",
                b.charset)


BOARDS = [
    Board("ul_td_labels", "大汉-style ul list, label cells 标　　题：, UTF-8", "utf-8", 4, 7,
          lambda n: f"szxx/list_{n}.html", list_ul, lambda x: f"szxx/detail_{x.number}.html", detail_td),
    Board("table_dl_gbk", "TRS-style table list, index_N.html, dl letter page, GBK", "gbk", 3, 8,
          lambda n: "ldxx/index.html" if n == 1 else f"ldxx/index_{n - 1}.html", list_table,
          lambda x: f"ldxx/t2026_{1000 + x.number}.html", detail_dl),
    Board("cards_divs", "div cards, labelled divs, reply under a heading", "utf-8", 4, 7,
          lambda n: f"wz/list_{n}.html", list_cards, lambda x: f"wz/show/{x.number}.html", detail_divs),
    Board("dl_inline", "dl list items, inline labels, › next", "utf-8", 3, 6,
          lambda n: f"sjxx/p{n}.html", list_dl, lambda x: f"sjxx/letter/{x.number:03d}.html", detail_inline),
    Board("old_tables_gbk", "nested tables, no classes, label above its value, GBK", "gbk", 4, 7,
          lambda n: f"xzxx/list_{n}.htm", list_oldtable, lambda x: f"xzxx/view_{x.number}.htm", detail_oldtable),
    Board("h1_meta_js", "title in h1 only, meta spans, javascript 下一页", "utf-8", 3, 7,
          lambda n: f"lyb/list_{n}.html", list_js, lambda x: f"lyb/msg_{x.number}.html", detail_h1),
    Board("wz12345", "12345 table with columns, th/td pairs side by side", "utf-8", 4, 8,
          lambda n: f"gk/list_{n}.html", list_12345, lambda x: f"gk/detail_{x.number}.html", detail_12345),
    Board("split_lists_h2", "list split over several ul, title in h2, inline b labels", "gbk", 4, 7,
          lambda n: "zmhd/index.html" if n == 1 else f"zmhd/index_{n}.html", list_split,
          lambda x: f"zmhd/art_{x.number}.html", detail_h2),
    Board("trs_script_unit_reply", "TRS createPageHTML paging, reply under 某局答复：, pending text", "utf-8", 3, 7,
          lambda n: "xzxx/index.html" if n == 1 else f"xzxx/index_{n - 1}.html", list_trs_script,
          lambda x: f"xzxx/t20260305_{x.number}.html", detail_unit_reply),
    Board("hanweb_datastore", "大汉 JCMS list rows only in a datastore script, 暂未回复", "utf-8", 100, 7,
          lambda n: "col/col4421/index.html", list_datastore, lambda x: f"art/2026/3/5/art_4421_{x.number}.html",
          detail_hanweb),
    Board("hanweb_jpage", "大汉 JCMS jpage: later rows from dataproxy.jsp?startrecord=&endrecord=", "utf-8", 6, 14,
          jpage_name, list_jpage, lambda x: f"art/2026/4/2/art_5521_{300 + x.number}.html", detail_hanweb),
    Board("kaipu_gopage", "开普-style javascript:goPage(n) pager, the URL built by the page's function", "utf-8", 3, 8,
          lambda n: "xjxd/index.shtml" if n == 1 else f"xjxd/index_{n}.shtml", list_kaipu,
          lambda x: f"xjxd/{x.number:05d}.shtml", detail_dl),
    Board("select_jumper", "a <select> page jumper, javascript 下一页", "gbk", 3, 7,
          lambda n: f"lyb/list_{n}.htm", list_jumper, lambda x: f"lyb/show_{x.number}.htm", detail_12345),
    Board("count_text_index", "共N页 当前第M页, 尾页 to index_N.html, javascript 下一页", "utf-8", 2, 7,
          lambda n: "msly/index.html" if n == 1 else f"msly/index_{n - 1}.html", list_count_text,
          lambda x: f"msly/content_{x.number}.html", detail_divs),
]
all_letters: dict[str, list[Letter]] = {}


def write(board: Board, root: Path = ROOT) -> None:
    folder = root / board.name
    items = letters(BOARDS.index(board), board.count)
    all_letters[board.name] = items
    pages = -(-len(items) // board.per_page)
    for n in range(1, pages + 1):
        chunk = items[(n - 1) * board.per_page:n * board.per_page]
        path = folder / board.list_name(n)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(board.list_page(chunk, n, pages, board).encode(board.charset))
    for x in items:
        path = folder / board.detail_name(x)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(board.detail_page(x, board).encode(board.charset))
    expected = {
        "board": board.name, "layout": board.describe, "encoding": board.charset,
        "list_pages": [board.list_name(n) for n in range(1, pages + 1)],
        "letters": [{"url": board.detail_name(x), "title": x.title, "author": x.author, "date": x.day, "body": x.body,
                     "reply": x.reply, "reply_date": x.reply_day, "reply_unit": x.reply_unit,
                     "status": "replied" if x.reply else "pending"} for x in items],
    }
    (folder / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    for b in BOARDS:
        write(b)
