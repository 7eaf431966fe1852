# -*- coding: utf-8 -*-
"""Boards 7-10: old ASP CMS 书记信箱 (GB2312), 12345 网络问政 (UTF-8),
开普云-like 县长信箱 (UTF-8), Dreamweaver-era 市长热线 table site (UTF-8)."""
from _gen_common import Place, Board, make_letters, chunks, e, paras_html, cn_date


# --------------------------------------------------------------------------
# 7. old ASP CMS (动易-like) 县委书记信箱, GB2312: ul/li "·" + [YYYY-MM-DD],
#    ShowPage pager 下一页 → List_2.html, details Article/ShowArticle_N.html
#    with <strong>label:</strong> text<br> lines
# --------------------------------------------------------------------------
def board_oldasp():
    b = Board("oldasp_sjxx", "gb2312", "旧式ASP CMS(动易式)县委书记信箱(GB2312)：ul/li「·标题 [日期]」，"
              "ShowPage 式 下一页 → List_2.html，详情 Article/ShowArticle_N.html，<strong>标签:</strong>文字<br> 行")
    pl = Place("蘅塘县", "县", "书记", ["蘅塘镇", "芦花镇", "北渚乡", "杏林镇", "塘口镇"],
               ["荷叶村", "菱角村", "莲塘村", "藕池村", "苇湾村"], "蘅塘县人民医院", "0000")
    L = make_letters(pl, 14, seed=707, party=True)
    for i, l in enumerate(L):
        l["id"] = 1287 - i * 3
        l["url"] = "Article/ShowArticle_%d.html" % l["id"]
        l["status"] = "正在办理" if l["pending"] else "已回复"
        l["author"] = l["person"] if i % 3 else "一名党员"

    def dot(d):
        return d.strftime("%Y.%m.%d")

    def head(title, up=""):
        return """<html>
<head>
<title>%s</title>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<link href="%sSkin/DefaultSkin.css" rel="stylesheet" type="text/css">
<script language="JavaScript" src="%sjs/menu.js"></script>
</head>
<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="778" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td><img src="%sImages/top_banner.jpg" width="778" height="110" alt="中共蘅塘县委"></td></tr>
<tr><td class="menu_bg" height="28">&nbsp;&nbsp;<a href="%sindex.html" class="menu">首页</a> | <a href="javascript:;" class="menu">党建动态</a> | <a href="javascript:;" class="menu">组织工作</a> | <a href="javascript:;" class="menu">纪检监察</a> | <a href="%sindex.html" class="menu">书记信箱</a> | <a href="javascript:;" class="menu">党员教育</a></td></tr></table>
""" % (e(title), up, up, up, up, up)
    foot_t = """<table width="778" border="0" align="center" cellpadding="0" cellspacing="0" class="bottom"><tr><td align="center" height="70">
主办：中共蘅塘县委办公室　承办：蘅塘县委网信办<br>
地址：蘅塘县塘口镇胜利路2号　电话：0000-8800000　<a href="http://beian.miit.gov.cn" target="_blank">示ICP备00000007号</a><br>
Copyright &copy; 2008-2026 All Rights Reserved　<a href="%sAdmin/Admin_Login.asp">管理登录</a>
</td></tr></table>
</body>
</html>"""
    names = ["index.html", "List_2.html"]
    pages = chunks(L, [9, 5])
    n = len(pages)
    for pi, chunk in enumerate(pages):
        lis = "\n".join('<li>\u30fb<a href="%s" title="信件标题：%s&#13;&#10;来信人：%s&#13;&#10;来信时间：%s" target="_blank">%s</a> <font color="#999999">[%s]</font></li>' % (
            l["url"], e(l["title"]), e(l["author"]), l["date"].strftime("%Y-%m-%d"), e(l["title"]), l["date"].strftime("%Y-%m-%d")) for l in chunk)
        sp = '共 <b>%d</b> 封信件　' % len(L)
        sp += ('<a href="index.html">首页</a> <a href="%s">上一页</a>　' % names[pi - 1]) if pi else '首页 上一页　'
        sp += ('<a href="%s">下一页</a> <a href="%s">尾页</a>' % (names[pi + 1], names[-1])) if pi < n - 1 else '下一页 尾页'
        sp += '　页次：<strong><font color="red">%d</font>/%d</strong>页　<b>9</b>封/页　转到：<select name="page" onchange="javascript:window.location=this.options[this.selectedIndex].value;">' % (pi + 1, n)
        sp += "".join('<option value="%s"%s>第%d页</option>' % (names[j], " selected" if j == pi else "", j + 1) for j in range(n)) + "</select>"
        page = head("书记信箱_中共蘅塘县委") + """<table width="778" border="0" align="center" cellpadding="0" cellspacing="0"><tr>
<td width="200" valign="top" class="left_bg">
<table width="100%%" border="0" cellspacing="0" cellpadding="0"><tr><td class="left_title">书记信箱</td></tr>
<tr><td class="left_text">　　书记信箱是县委书记联系群众的直通车。请您如实反映问题，并留下真实姓名和联系方式，以便及时回复。<br><a href="Write.html"><img src="Images/xiexin.gif" alt="我要写信" border="0"></a></td></tr>
<tr><td class="left_title">信件搜索</td></tr><tr><td><form method="get" action="Search.asp"><input name="Keyword" type="text" size="14"><input type="submit" value="搜索"></form></td></tr></table>
</td>
<td width="578" valign="top">
<table width="100%%" border="0" cellspacing="0" cellpadding="0"><tr><td class="position">您现在的位置：<a href="index.html">蘅塘党建网</a> &gt;&gt; 书记信箱 &gt;&gt; 信件列表</td></tr>
<tr><td class="listbg"><ul class="list">
""".replace("%%", "%") + lis + """
</ul></td></tr>
<tr><td align="center" class="showpage">""" + sp + """</td></tr></table>
</td></tr></table>
""" + foot_t % ""
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"] for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        rep = ""
        if rp:
            rep = """<hr size="1" color="#CCCCCC">
<div class="huifu">
<strong>回复部门:</strong> %s<br>
<strong>回复日期:</strong> %s<br>
<strong>回复内容:</strong><br>
%s
</div>""" % (e(l["dept"]), dot(l["reply_date"]), paras_html(rp, tag="br", indent="&nbsp;&nbsp;&nbsp;&nbsp;"))
        page = head(l["title"] + "_书记信箱", "../") + """<table width="778" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF"><tr><td class="position">您现在的位置：<a href="../index.html">蘅塘党建网</a> &gt;&gt; <a href="../index.html">书记信箱</a> &gt;&gt; 正文</td></tr>
<tr><td align="center" class="main_title"><font size="4"><b>%s</b></font></td></tr>
<tr><td class="main_content" id="fontzoom">
<strong>来信人:</strong> %s　<strong>来信时间:</strong> %s　<strong>办理状态:</strong> %s<br>
<strong>来信内容:</strong><br>
%s
%s
</td></tr>
<tr><td align="right">【<a href="javascript:window.print()">打印此文</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr></table>
""" % (e(l["title"]), e(l["author"]), dot(l["date"]), l["status"],
       paras_html(l["paras"], tag="br", indent="&nbsp;&nbsp;&nbsp;&nbsp;") + "<br>", rep) + foot_t % "../"
        b.write(l["url"], page)
        b.add_letter(l["url"], l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"], l["dept"], l["status"])
    b.write("Write.html", head("我要写信") + '<table width="778" align="center"><tr><td class="position"><a href="index.html">书记信箱</a> &gt;&gt; 我要写信</td></tr><tr><td><form action="Write.asp" method="post">姓名：<input name="name"><br>标题：<input name="title"><br>内容：<textarea name="content"></textarea><br><input type="submit" value="提交"></form></td></tr></table>' + foot_t % "")
    b.save_expected(notes="Letter body follows the line '来信内容:'; reply follows '回复内容:'. Title appears in a <b> heading only "
                          "(and in the list).")
    return b


# --------------------------------------------------------------------------
# 8. 12345 网络问政 (UTF-8, modern SSR markup): div cards with status tags,
#    «/» pager only (list/2.html), detail with <label> fields, sections and a
#    processing timeline
# --------------------------------------------------------------------------
def board_12345():
    b = Board("wz12345", "utf-8", "12345 网络问政平台(现代前端SSR)：div 卡片+状态标签，仅 «/» 翻页 → list/2.html，"
              "详情 <label>字段 + 诉求内容/办理结果分区 + 办理进程时间线，根绝对链接 /wz/Y/M/D/编号.html")
    pl = Place("枢城市", "市", "市长", ["枢北街道", "中轴街道", "通衢街道", "环城镇", "驿口镇"],
               ["驿站村", "车辙村", "古渡村"], "枢城市第二人民医院", "0000")
    L = make_letters(pl, 16, seed=808, tags=("urban",))
    kinds = ["投诉", "咨询", "求助", "建议"]
    for i, l in enumerate(L):
        d = l["date"]
        l["no"] = "SC%s%04d" % (d.strftime("%y%m%d"), 88 + i * 7)
        l["url"] = "/wz/%s/%s.html" % (d.strftime("%Y/%m/%d"), l["no"])
        l["status"] = "办理中" if l["pending"] else "已办结"
        p = l["person"]
        l["author"] = p if i % 3 == 0 else p[0] + "**" if i % 3 == 1 else "匿名用户"
        l["kind"] = kinds[i % 4]
    names = ["index.html", "list/2.html"]
    pages = chunks(L, [9, 7])

    def head(title):
        return """<!DOCTYPE html>
<html lang="zh-CN" data-n-head-ssr>
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width,initial-scale=1.0">
<title>%s</title>
<link rel="preload" href="/_nuxt/app.4f1c2e.js" as="script"><link rel="stylesheet" href="/_nuxt/css/app.9a8b7c.css">
</head>
<body>
<div id="__nuxt"><div id="__layout"><div class="app" data-v-6c3b1a2e>
<header class="hd" data-v-6c3b1a2e><div class="hd-inner"><a href="/" class="hd-logo">枢城12345<span>网络问政平台</span></a>
<nav class="hd-nav"><a href="/" class="nuxt-link-active">首页</a><a href="/index.html">诉求公开</a><a href="/submit.html">我要诉求</a><a href="javascript:;">知识库</a><a href="javascript:;">登录</a></nav></div></header>
""" % e(title)
    foot = """<footer class="ft" data-v-6c3b1a2e><div class="ft-inner">
<p>主办单位：枢城市12345政务服务便民热线中心　技术支持：枢城市大数据局</p>
<p>服务热线：12345　监督电话：0000-12345-0　示ICP备00000008号-2</p></div></footer>
</div></div></div>
<script>window.__NUXT__={layout:"default",data:[{}],state:{}};</script>
<script src="/_nuxt/app.4f1c2e.js" defer></script>
</body>
</html>"""
    hot = [L[2], L[5], L[11]]
    side = '<aside class="side" data-v-2b7e9f10><div class="side-box"><h4>热点诉求</h4><ul>' + "".join(
        '<li><a href="%s">%s</a></li>' % (l["url"], e(l["title"])) for l in hot) + \
        '</ul></div><div class="side-box"><a class="btn-primary" href="/submit.html">我要诉求</a></div></aside>'
    for pi, chunk in enumerate(pages):
        cards = []
        for l in chunk:
            unit = '<span class="unit">承办单位：%s</span>' % e(l["dept"]) if l["reply_paras"] else ""
            cards.append("""<div class="wz-card" data-v-2b7e9f10>
  <div class="wz-card__head"><span class="wz-no">诉求编号：%s</span><span class="wz-kind">%s</span><span class="wz-tag %s">%s</span></div>
  <h3 class="wz-card__title"><a href="%s">%s</a></h3>
  <div class="wz-card__foot"><span class="u"><i class="iconfont icon-user"></i>%s</span><span class="t"><i class="iconfont icon-time"></i>%s</span>%s</div>
</div>""" % (l["no"], l["kind"], "is-doing" if l["pending"] else "is-done", l["status"], l["url"], e(l["title"]),
             e(l["author"]), l["date"].strftime("%Y-%m-%d %H:%M"), unit))
        if pi == 0:
            pg = '<div class="pager" data-v-2b7e9f10><span class="pager-btn disabled">«</span><span class="pager-info">第 1 页 / 共 2 页</span><a class="pager-btn" href="/list/2.html" rel="next">»</a></div>'
        else:
            pg = '<div class="pager" data-v-2b7e9f10><a class="pager-btn" href="/index.html" rel="prev">«</a><span class="pager-info">第 2 页 / 共 2 页</span><span class="pager-btn disabled">»</span></div>'
        page = head("诉求公开 - 枢城12345网络问政平台") + """<main class="main" data-v-2b7e9f10>
<div class="crumb" data-v-2b7e9f10><a href="/">首页</a><i>/</i><span>诉求公开</span></div>
<div class="filter" data-v-2b7e9f10><form action="/search" method="get"><input name="keyword" placeholder="输入诉求编号或关键词"><select name="type"><option>全部类型</option><option>投诉</option><option>咨询</option><option>求助</option><option>建议</option></select><button type="submit">搜索</button></form></div>
<div class="wz-list" data-v-2b7e9f10>
""" + "\n".join(cards) + "\n</div>\n" + pg + "\n" + side + "\n</main>\n" + foot
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"].lstrip("/") for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        d = l["date"]
        tl = ['<li><span class="tl-time">%s</span><span class="tl-text">市民提交诉求</span></li>' % d.strftime("%Y-%m-%d %H:%M")]
        acc = d.replace(minute=min(d.minute + 25, 59))
        tl.append('<li><span class="tl-time">%s</span><span class="tl-text">12345热线中心受理</span></li>' % acc.strftime("%Y-%m-%d %H:%M"))
        if rp:
            tl.append('<li><span class="tl-time">%s</span><span class="tl-text">办结并回复市民</span></li>' % l["reply_date"].strftime("%Y-%m-%d %H:%M"))
            res = """<div class="section" data-v-4a1d7e22><div class="section-hd">办理结果</div><div class="section-bd">
<div class="field"><label>承办单位：</label><span>%s</span></div>
<div class="field"><label>办结时间：</label><span>%s</span></div>
<div class="reply-text">
%s
</div></div></div>""" % (e(l["dept"]), l["reply_date"].strftime("%Y-%m-%d %H:%M"), paras_html(rp))
        else:
            res = '<div class="section" data-v-4a1d7e22><div class="section-hd">办理结果</div><div class="section-bd"><div class="empty">暂无办理结果</div></div></div>'
        page = head(l["title"] + " - 枢城12345网络问政平台") + """<main class="main" data-v-4a1d7e22>
<div class="crumb" data-v-4a1d7e22><a href="/">首页</a><i>/</i><a href="/index.html">诉求公开</a><i>/</i><span>诉求详情</span></div>
<div class="detail" data-v-4a1d7e22>
<div class="section" data-v-4a1d7e22><div class="section-hd">诉求信息</div><div class="section-bd grid-2">
<div class="field"><label>诉求编号：</label><span>%s</span></div>
<div class="field"><label>诉求类型：</label><span>%s</span></div>
<div class="field full"><label>诉求标题：</label><span>%s</span></div>
<div class="field"><label>诉 求 人：</label><span>%s</span></div>
<div class="field"><label>提交时间：</label><span>%s</span></div>
<div class="field"><label>办理状态：</label><span class="wz-tag %s">%s</span></div>
</div></div>
<div class="section" data-v-4a1d7e22><div class="section-hd">诉求内容</div><div class="section-bd content">
%s
</div></div>
%s
<div class="section" data-v-4a1d7e22><div class="section-hd">办理进程</div><div class="section-bd"><ul class="timeline">%s</ul></div></div>
<div class="rate" data-v-4a1d7e22>满意度评价：<a href="javascript:;">满意</a><a href="javascript:;">基本满意</a><a href="javascript:;">不满意</a></div>
</div>
%s
</main>
""" % (l["no"], l["kind"], e(l["title"]), e(l["author"]), d.strftime("%Y-%m-%d %H:%M"),
       "is-doing" if l["pending"] else "is-done", l["status"], paras_html(l["paras"]), res, "".join(tl), side) + foot
        u = l["url"].lstrip("/")
        b.write(u, page)
        b.add_letter(u, l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"], l["dept"], l["status"])
    b.write("submit.html", head("我要诉求") + '<main class="main"><div class="crumb"><a href="/">首页</a><i>/</i><span>我要诉求</span></div><form action="/api/appeal" method="post"><label>诉求标题：<input name="title"></label><label>诉求内容：<textarea name="content"></textarea></label><button>提交</button></form></main>' + foot)
    b.save_expected(notes="Pending letters show '暂无办理结果' in the result section (reply null). A 办理进程 timeline repeats "
                          "the submission and reply timestamps.")
    return b


# --------------------------------------------------------------------------
# 9. 开普云-like 县长信箱 (UTF-8): one <dl> per letter (dt title, dd date, dd
#    state), pure numbered page bar (<b> current, no next word), detail with
#    title only in <h1> and span.xx-label/span.xx-value rows (no colons)
# --------------------------------------------------------------------------
def board_kaipu():
    b = Board("kaipu_xzxx", "utf-8", "开普云式县长信箱：每封信一个 dl(dt 标题/dd 日期/dd 状态)，纯数字页码条(<b>当前页，无“下一页”字样) → index_2.html，"
              "详情标题仅在 h1，span.xx-label/span.xx-value 行(无冒号)，答复意见区")
    pl = Place("岚峪县", "县", "县长", ["岚关镇", "峪口镇", "雾溪乡", "云崖镇", "城南街道"],
               ["岚沟村", "峪北村", "松坪村", "石砭村", "羊圈村"], "岚峪县中医医院", "0000")
    L = make_letters(pl, 15, seed=909, tags=("rural", "urban"))
    for i, l in enumerate(L):
        d = l["date"]
        l["url"] = "letter/%s/%s/%d.html" % (d.strftime("%Y"), d.strftime("%m%d"), 7030 - i * 6)
        l["status"] = "待答复" if l["pending"] else "已答复"
        l["author"] = l["person"]
    names = ["index.html", "index_2.html", "index_3.html"]
    pages = chunks(L, [5, 5, 5])

    def head(title, up):
        return """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="ucap-site" content="岚峪县人民政府">
<title>%s</title>
<link rel="stylesheet" href="%sres/css/common.css"><link rel="stylesheet" href="%sres/css/xzxx.css">
</head>
<body>
<div class="ucap-top"><div class="wrap"><span>岚峪县人民政府门户网站</span><a href="javascript:;">智能问答</a><a href="javascript:;">适老化</a></div></div>
<div class="ucap-head"><div class="wrap"><img src="%sres/img/logo.png" alt="岚峪县人民政府"><div class="ucap-search"><form action="https://search.lanyu.example/s" method="get"><input type="text" name="q"><button>搜索</button></form></div></div></div>
<div class="ucap-nav"><div class="wrap"><a href="%sindex.html">首页</a><a href="javascript:;">新闻中心</a><a href="javascript:;">政务公开</a><a href="javascript:;">政务服务</a><a href="%sindex.html" class="active">政民互动</a></div></div>
""" % (e(title), up, up, up, up, up)
    foot = """<div class="ucap-foot"><div class="wrap">
<p>主办单位：岚峪县人民政府办公室　承办单位：岚峪县融媒体中心</p>
<p>联系电话：0000-4412000　示ICP备00000009号　示公网安备00000000000009号</p>
<p>网站标识码：0000000009</p></div></div>
</body>
</html>"""
    for pi, chunk in enumerate(pages):
        dls = "\n".join("""<dl class="xx-item">
<dt><a href="%s" target="_blank">%s</a></dt>
<dd class="xx-date">%s</dd>
<dd class="xx-state%s">%s</dd>
</dl>""" % (l["url"], e(l["title"]), l["date"].strftime("%Y-%m-%d"), " wait" if l["pending"] else "", l["status"]) for l in chunk)
        bar = '<div class="ucap-page">' + " ".join(
            "<b>%d</b>" % (j + 1) if j == pi else '<a href="%s">%d</a>' % (names[j], j + 1) for j in range(len(pages))) + "</div>"
        page = head("县长信箱-岚峪县人民政府", "") + """<div class="wrap main">
<div class="crumbs">当前位置：<a href="index.html">首页</a> » <a href="index.html">政民互动</a> » 县长信箱</div>
<div class="xx-banner"><h2>县长信箱</h2><a class="xx-write" href="write.html">我要写信</a><a class="xx-query" href="javascript:;">办理查询</a></div>
<div class="xx-stat">累计收信 <em>2381</em> 封　已答复 <em>2306</em> 封</div>
<div class="xx-list">
<div class="xx-list-hd"><span>信件标题</span><span>来信日期</span><span>状态</span></div>
""" + dls + "\n</div>\n" + bar + "\n</div>\n" + foot
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"] for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        if rp:
            rep = """<div class="xx-reply">
<h3>答复意见</h3>
<div class="xx-row"><span class="xx-label">答复单位</span><span class="xx-value">%s</span></div>
<div class="xx-row"><span class="xx-label">答复时间</span><span class="xx-value">%s</span></div>
<div class="xx-reply-con">
%s
</div>
</div>""" % (e(l["dept"]), l["reply_date"].strftime("%Y-%m-%d"), paras_html(rp))
        else:
            rep = ""
        page = head(l["title"], "../../../") + """<div class="wrap main">
<div class="crumbs">当前位置：<a href="../../../index.html">首页</a> » <a href="../../../index.html">政民互动</a> » <a href="../../../index.html">县长信箱</a> » 信件详情</div>
<div class="xx-detail">
<h1>%s</h1>
<div class="xx-row"><span class="xx-label">来信人</span><span class="xx-value">%s</span></div>
<div class="xx-row"><span class="xx-label">来信时间</span><span class="xx-value">%s</span></div>
<div class="xx-row"><span class="xx-label">处理状态</span><span class="xx-value">%s</span></div>
<div class="xx-content">
<div class="xx-content-hd">来信内容</div>
%s
</div>
%s
</div>
<div class="share">分享到：<a href="javascript:;">微信</a><a href="javascript:;">微博</a></div>
</div>
""" % (e(l["title"]), e(l["author"]), l["date"].strftime("%Y-%m-%d"), l["status"], paras_html(l["paras"]), rep) + foot
        b.write(l["url"], page)
        b.add_letter(l["url"], l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"], l["dept"], l["status"])
    b.write("write.html", head("我要写信", "") + '<div class="wrap main"><div class="crumbs"><a href="index.html">县长信箱</a> » 我要写信</div><form action="/interact/save" method="post"><input name="title"><textarea name="content"></textarea><button>提交</button></form></div>' + foot)
    b.save_expected(notes="Detail labels have no colon (span.xx-label). Title only in <h1>.")
    return b


# --------------------------------------------------------------------------
# 10. Dreamweaver-era 市长热线 留言 (UTF-8 via http-equiv): header-less table
#     rows with a dot image, next page only as an <img alt="下一页"> link to
#     index_1.htm, detail in YYYY/MM/tYYYYMMDD_N.htm with 2-column tables,
#     labels without colons (标　　题), 答复 table
# --------------------------------------------------------------------------
def board_dwtable():
    b = Board("dw_szrx", "utf-8", "老式 Dreamweaver 表格站 市长热线留言：无表头 table 行(圆点图+标题+日期)，"
              "仅图片按钮 <img alt=\"下一页\"> → index_1.htm，详情 YYYY/MM/tYYYYMMDD_N.htm 两列表格(标　　题 无冒号)，答复表格")
    pl = Place("汀兰市", "市", "市长", ["兰汀街道", "沙洲街道", "芷岸镇", "江渚镇", "白鹭洲街道"],
               ["汀上村", "兰下村", "洲尾村"], "汀兰市人民医院", "0000")
    L = make_letters(pl, 13, seed=1010, tags=("urban", "rural"))
    for i, l in enumerate(L):
        d = l["date"]
        l["url"] = "%s/t%s_%d.htm" % (d.strftime("%Y/%m"), d.strftime("%Y%m%d"), 35120 - i * 23)
        l["status"] = "正在办理" if l["pending"] else "办理完毕"
        l["author"] = l["person"] if i % 2 == 0 else l["person"][0] + "**"

    def cd(d):
        return d.strftime("%Y年%m月%d日")

    def head(title, up):
        return """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>%s</title>
<style type="text/css">
<!--
body { margin: 0px; font-size: 12px; }
.lm { font-size: 14px; font-weight: bold; color: #FFFFFF; }
.nr { font-size: 14px; line-height: 26px; }
-->
</style>
</head>
<body>
<table width="960" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td><img src="%simages/top.jpg" width="960" height="150" border="0" usemap="#Map"></td></tr>
<tr><td height="32" background="%simages/nav_bg.gif" align="center"><a href="%sindex.html">首页</a>　|　<a href="javascript:;">市情概况</a>　|　<a href="javascript:;">政务公开</a>　|　<a href="%sindex.html">市长热线</a>　|　<a href="javascript:;">招商引资</a></td></tr>
</table>
""" % (e(title), up, up, up, up)
    foot = """<table width="960" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#E8E8E8">
<tr><td height="80" align="center">主办单位：汀兰市人民政府　维护：汀兰市信息化办公室<br>
联系电话：0000-6623456　电子邮箱：tinglan_gov@example.cn　示ICP备00000010号<br>
</td></tr></table>
</body>
</html>"""
    names = ["index.html", "index_1.htm"]
    pages = chunks(L, [7, 6])
    hot = [L[0], L[3], L[7]]
    for pi, chunk in enumerate(pages):
        rows = "\n".join("""<tr>
<td width="20" height="28" align="center"><img src="images/dot.gif" width="5" height="5"></td>
<td><a href="%s" target="_blank">%s</a></td>
<td width="120" align="center"><font color="#666666">%s</font></td>
</tr>
<tr><td colspan="3" height="1" background="images/line.gif"></td></tr>""" % (l["url"], e(l["title"]), cd(l["date"])) for l in chunk)
        nxt = '<a href="index_1.htm" title="下一页"><img src="images/next.gif" alt="下一页" width="60" height="20" border="0"></a>' if pi == 0 else \
            '<a href="index.html" title="上一页"><img src="images/prev.gif" alt="上一页" width="60" height="20" border="0"></a><img src="images/next_gray.gif" alt="" width="60" height="20" border="0">'
        page = head("市长热线--汀兰市人民政府", "") + """<table width="960" border="0" align="center" cellpadding="0" cellspacing="0">
<tr>
<td width="230" valign="top" bgcolor="#F2F7FC">
<table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td height="34" bgcolor="#2A6DB5" class="lm">&nbsp;&nbsp;市长热线</td></tr>
<tr><td height="60" align="center"><a href="liuyan.html"><img src="images/woyaoliuyan.gif" alt="我要留言" border="0"></a></td></tr>
<tr><td height="34" bgcolor="#2A6DB5" class="lm">&nbsp;&nbsp;热点留言</td></tr>
<tr><td>
""" + "<br>\n".join('·<a href="%s">%s</a>' % (l["url"], e(l["title"])) for l in hot) + """
</td></tr>
<tr><td height="34" bgcolor="#2A6DB5" class="lm">&nbsp;&nbsp;热线电话</td></tr>
<tr><td height="50" align="center"><font size="4" color="#CC0000"><b>0000-12345</b></font></td></tr>
</table></td>
<td width="10"></td>
<td valign="top">
<table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td height="30">当前位置：<a href="index.html">首页</a> &gt; 市长热线 &gt; 群众留言</td></tr>
</table>
<table width="100%" border="0" cellspacing="0" cellpadding="0">
""" + rows + """
</table>
<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td height="40" align="center">""" + nxt + """</td></tr></table>
</td></tr></table>
""" + foot
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"] for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        page = head(l["title"], "../../") + """<table width="960" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td height="30">当前位置：<a href="../../index.html">首页</a> &gt; <a href="../../index.html">市长热线</a> &gt; 留言详情</td></tr></table>
<table width="900" border="0" align="center" cellpadding="8" cellspacing="1" bgcolor="#C5D8EC" class="nr">
<tr><td width="110" align="center" bgcolor="#EAF2FA">标　　题</td><td bgcolor="#FFFFFF">%s</td></tr>
<tr><td align="center" bgcolor="#EAF2FA">留 言 人</td><td bgcolor="#FFFFFF">%s</td></tr>
<tr><td align="center" bgcolor="#EAF2FA">留言时间</td><td bgcolor="#FFFFFF">%s</td></tr>
<tr><td align="center" bgcolor="#EAF2FA">办理情况</td><td bgcolor="#FFFFFF">%s</td></tr>
<tr><td align="center" bgcolor="#EAF2FA">留言内容</td><td bgcolor="#FFFFFF">
%s
</td></tr>
</table>
<br>
<table width="900" border="0" align="center" cellpadding="8" cellspacing="1" bgcolor="#C5D8EC" class="nr">
<tr><td colspan="2" bgcolor="#2A6DB5" class="lm">答复意见</td></tr>
<tr><td width="110" align="center" bgcolor="#EAF2FA">答复单位</td><td bgcolor="#FFFFFF">%s</td></tr>
<tr><td align="center" bgcolor="#EAF2FA">答复时间</td><td bgcolor="#FFFFFF">%s</td></tr>
<tr><td align="center" bgcolor="#EAF2FA">答复内容</td><td bgcolor="#FFFFFF">
%s
</td></tr>
</table>
<p align="center"><a href="javascript:window.close()">[关闭窗口]</a></p>
""" % (e(l["title"]), e(l["author"]), cd(l["date"]), l["status"], paras_html(l["paras"], indent="　　"),
       e(l["dept"]) if rp else "&nbsp;", cd(l["reply_date"]) if rp else "&nbsp;",
       paras_html(rp, indent="　　") if rp else "&nbsp;") + foot
        b.write(l["url"], page)
        b.add_letter(l["url"], l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"], l["dept"], l["status"])
    b.write("liuyan.html", head("我要留言", "") + '<table width="960" align="center"><tr><td><a href="index.html">市长热线</a> &gt; 我要留言</td></tr><tr><td><form action="liuyan.asp" method="post">姓名 <input name="xm"><br>标题 <input name="bt"><br>内容 <textarea name="nr"></textarea><br><input type="submit" value="提交"></form></td></tr></table>' + foot)
    b.save_expected(notes="Next page link is only an image (alt/title 下一页). Pending letters keep an empty 答复意见 table (&nbsp; cells).")
    return b
