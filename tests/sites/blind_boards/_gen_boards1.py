# -*- coding: utf-8 -*-
"""Boards 1-3: hanweb-style 市长信箱, TRS WCM 县长信箱, 集约化平台 领导留言板."""
from _gen_common import Place, Board, make_letters, chunks, e, paras_html, cn_date, ymd


# --------------------------------------------------------------------------
# 1. 大汉 JCMS-like 市长信箱: table list, 首页/上页/下页/尾页, root-absolute
#    /art/Y/M/D/art_col_id.html details with a th/td grid
# --------------------------------------------------------------------------
def board_hanweb():
    b = Board("hanweb_szxx", "utf-8", "大汉JCMS式市长信箱：table 列表(编号/信件标题/来信时间/办理状态)，"
              "首页/上页/下页/尾页，详情为 th/td 四列网格，回复为独立表格")
    pl = Place("槐安市", "市", "市长", ["城东街道", "城西街道", "南湖街道", "柳营镇", "石桥镇", "桂坊镇"],
               ["张庄村", "杨树沟村", "后河村", "大王庄村", "青龙村"], "槐安市第一人民医院", "0000")
    L = make_letters(pl, 17, seed=101, tags=("urban",))
    col = 2841
    for i, l in enumerate(L):
        d = l["date"]
        l["no"] = "HA%s%04d" % (d.strftime("%Y%m%d"), 37 + i * 3)
        l["url"] = "/art/%d/%d/%d/art_%d_%d.html" % (d.year, d.month, d.day, col, 60321 - i * 7)
        l["status"] = "办理中" if l["pending"] else "已办结"
        l["author"] = l["person"] if i % 4 else l["person"][0] + "**"

    nav = """<div class="top-bar"><div class="w1200"><span class="fl">今天是：<span id="today"></span></span>
<span class="fr"><a href="javascript:void(0)" onclick="addFavorite()">加入收藏</a> | <a href="/">设为首页</a> | <a href="https://www.gov.cn/" target="_blank">中国政府网</a> | 无障碍浏览</span></div></div>
<div class="header"><div class="w1200"><a href="/" class="logo"><img src="/images/logo.png" alt="槐安市人民政府"></a>
<form class="search" action="/jrobot/search.do" method="get" target="_blank"><input type="hidden" name="webid" value="1"><input type="text" name="q" placeholder="请输入关键字"><input type="submit" value="搜索"></form></div></div>
<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li><li><a href="javascript:;">政务公开</a></li><li><a href="javascript:;">政务服务</a></li><li class="on"><a href="/index.html">互动交流</a></li><li><a href="javascript:;">走进槐安</a></li></ul></div>
"""
    foot = """<div class="footer"><div class="w1200">
<p>主办单位：槐安市人民政府办公室　　承办单位：槐安市大数据中心</p>
<p>网站标识码：0000000001　　<a href="javascript:;">备案号：示例ICP备00000001号</a>　　联系电话：0000-2211000</p>
<p>技术支持：示例网络科技有限公司</p></div></div>
<script type="text/javascript" src="/script/0/jquery.min.js"></script>
</body></html>"""

    def head(title):
        return """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="SiteName" content="槐安市人民政府"><meta name="SiteDomain" content="www.huaian.example">
<meta name="ColumnName" content="市长信箱"><meta name="ColumnType" content="互动交流">
<title>%s</title>
<link rel="stylesheet" href="/images/2841/style.css" type="text/css">
</head><body>
""" % e(title)

    hot = [L[3], L[0], L[8], L[5], L[12]]
    sidebar = '<div class="main-fr"><div class="bt-box"><div class="bt-title">热点信件</div><ul class="hot-list">\n' + \
        "\n".join('<li><a href="%s" target="_blank" title="%s">%s</a></li>' % (l["url"], e(l["title"]), e(l["title"][:12] + ("…" if len(l["title"]) > 12 else ""))) for l in hot) + \
        '\n</ul></div><div class="bt-box xx-btn"><a href="/col/col2842/index.html" class="write">我要写信</a><a href="javascript:;" class="query">信件查询</a></div></div>'

    pages = chunks(L, [7, 5, 5])
    names = ["index.html", "index_2.html", "index_3.html"]
    for pi, chunk in enumerate(pages):
        rows = []
        for l in chunk:
            t = l["title"]
            short = t if len(t) <= 18 else t[:17] + "..."
            rows.append("""<tr>
<td class="bh">%s</td>
<td class="bt"><a href="%s" target="_blank" title="%s">%s</a></td>
<td class="sj">%s</td>
<td class="zt"><span class="%s">%s</span></td>
</tr>""" % (l["no"], l["url"], e(t), e(short), l["date"].strftime("%Y-%m-%d"),
               "blz" if l["pending"] else "ybj", l["status"]))
        n = len(pages)
        pg = ['<div class="default_pgContainer_bar">共%d条记录 第%d/%d页　' % (len(L), pi + 1, n)]
        pg.append('<a href="/index.html">首页</a>' if pi else '<span class="default_pgFirstDisabled">首页</span>')
        pg.append('<a href="/%s">上页</a>' % names[pi - 1] if pi else '<span class="default_pgPrevDisabled">上页</span>')
        pg.append('<a href="/%s">下页</a>' % names[pi + 1] if pi < n - 1 else '<span class="default_pgNextDisabled">下页</span>')
        pg.append('<a href="/%s">尾页</a>' % names[-1] if pi < n - 1 else '<span class="default_pgLastDisabled">尾页</span>')
        pg.append('</div>')
        body = head("市长信箱 槐安市人民政府") + nav + """<div class="w1200 main">
<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/index.html">互动交流</a> &gt; <span>市长信箱</span></div>
<div class="main-fl"><div class="bt-title"><span>市长信箱</span><a class="more" href="/col/col2842/index.html">我要写信 &gt;&gt;</a></div>
<div class="xx-tip">来信须知：本信箱受理涉及槐安市政府工作的意见、建议和求助。涉法涉诉事项请通过法定途径解决。</div>
<div id="2841" class="default_pgContainer"><table class="xx-table" width="100%" cellspacing="0" cellpadding="0">
<tr class="tr-head"><th width="18%">编号</th><th>信件标题</th><th width="14%">来信时间</th><th width="12%">状态</th></tr>
""" + "\n".join(rows) + "\n</table></div>\n" + "".join(pg) + "\n</div>\n" + sidebar + "\n</div>\n" + foot
        b.write(names[pi], body)
        b.add_list_page(names[pi], [l["url"].lstrip("/") for l in chunk])

    for l in L:
        rep = ""
        if l["reply_paras"]:
            rep = """<div class="hf-box"><div class="hf-title">答复信息</div>
<table class="xx-detail hf" width="100%%" cellspacing="0">
<tr><th width="15%%">回复单位</th><td width="35%%">%s</td><th width="15%%">回复时间</th><td>%s</td></tr>
<tr><th>回复内容</th><td colspan="3" class="hfnr">
%s
</td></tr></table></div>""" % (e(l["dept"]), l["reply_date"].strftime("%Y-%m-%d %H:%M:%S"),
                               paras_html(l["reply_paras"], indent="&nbsp;&nbsp;&nbsp;&nbsp;"))
        page = head(l["title"] + "_市长信箱_槐安市人民政府") + nav + """<div class="w1200 main">
<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/index.html">互动交流</a> &gt; <a href="/index.html">市长信箱</a> &gt; 信件详情</div>
<div class="detail-box">
<div class="fontsize">【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</div>
<table class="xx-detail" width="100%%" cellspacing="0">
<tr><th width="15%%">信件编号</th><td width="35%%">%s</td><th width="15%%">来信时间</th><td>%s</td></tr>
<tr><th>来 信 人</th><td>%s</td><th>办理状态</th><td>%s</td></tr>
<tr><th>信件标题</th><td colspan="3">%s</td></tr>
<tr><th>信件内容</th><td colspan="3" class="xjnr">
%s
</td></tr></table>
%s
<div class="btns"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div></div>
""" % (l["no"], l["date"].strftime("%Y-%m-%d %H:%M:%S"), e(l["author"]), l["status"], e(l["title"]),
       paras_html(l["paras"], indent="&nbsp;&nbsp;&nbsp;&nbsp;"), rep) + foot
        b.write(l["url"].lstrip("/"), page)
        b.add_letter(l["url"].lstrip("/"), l["title"], l["author"], l["date"], l["paras"], l["reply_paras"],
                     l["reply_date"], l["dept"], l["status"])
    b.write("col/col2842/index.html", head("我要写信_市长信箱") + nav + """<div class="w1200 main"><div class="dqwz">当前位置：<a href="/">首页</a> &gt; 我要写信</div>
<form action="/jact/front/mailsave.do" method="post"><table class="xx-detail"><tr><th>姓　　名</th><td><input name="name"></td></tr>
<tr><th>联系电话</th><td><input name="tel"></td></tr><tr><th>信件标题</th><td><input name="title"></td></tr>
<tr><th>信件内容</th><td><textarea name="content"></textarea></td></tr></table><input type="submit" value="提交"></form></div>""" + foot)
    b.save_expected()
    return b


# --------------------------------------------------------------------------
# 2. TRS WCM 县长信箱 (GBK): ul/li with span dates, createPageHTML-style pager
#    index.html -> index_1.html -> index_2.html, ./YYYYMM/tYYYYMMDD_id.html
#    details with <td class="t"> label cells
# --------------------------------------------------------------------------
def board_trs():
    b = Board("trs_xzxx", "gbk", "拓尔思TRS WCM式县长信箱(GBK)：ul/li 列表+span日期，"
              "createPageHTML 式 下一页 → index_1.html，详情 ./YYYYMM/tYYYYMMDD_id.html，td class=\"t\" 标签单元格")
    pl = Place("栖梧县", "县", "县长", ["城关镇", "栖凤镇", "梧桐乡", "白沙镇", "双河镇", "凤台街道"],
               ["李家湾村", "石门村", "新庄村", "三官庙村", "高家岭村", "河口村"], "栖梧县人民医院", "0000")
    L = make_letters(pl, 16, seed=202)
    for i, l in enumerate(L):
        d = l["date"]
        l["url"] = "./%s/t%s_%d.html" % (d.strftime("%Y%m"), d.strftime("%Y%m%d"), 4521 - i * 13)
        l["status"] = "办理中" if l["pending"] else "已办结"
        l["author"] = "匿名" if i % 5 == 2 else l["person"]
    names = ["index.html", "index_1.html", "index_2.html"]
    pages = chunks(L, [6, 5, 5])

    def head(title):
        return """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>%s</title>
<link href="../../images/qwx_style.css" rel="stylesheet" type="text/css" />
<script language="javascript" src="../../images/jquery-1.8.3.min.js"></script>
</head>
<body>
<div class="head"><div class="top"><div class="logo"><img src="../../images/qwx_logo.png" alt="栖梧县人民政府门户网站" /></div>
<div class="ss"><form name="searchform" action="http://search.qiwu.example/was5/web/search" method="get" target="_blank">
<input type="hidden" name="channelid" value="213456" /><input type="text" name="searchword" class="ss_k" value="请输入搜索内容" /><input type="submit" class="ss_an" value="" /></form></div></div>
<div class="dh"><a href="../../">首 页</a><a href="../../zwgk/">政务公开</a><a href="../../zwfw/">政务服务</a><a href="../">政民互动</a><a href="../../zjqw/">走进栖梧</a></div></div>
""" % e(title)

    foot = """<div class="foot"><div class="foot_nr">
<p>主办：栖梧县人民政府办公室　承办：栖梧县政务服务数据管理局</p>
<p>地址：栖梧县城关镇政府路1号　联系电话：0000-6612345　邮编：000100</p>
<p>示ICP备00000002号-1　公安机关备案号：00000000000002　网站标识码：0000000002</p>
</div></div>
</body>
</html>"""
    for pi, chunk in enumerate(pages):
        lis = "\n".join('<li><span>%s</span><a href="%s" target="_blank" title="%s">%s</a></li>' % (
            l["date"].strftime("%Y-%m-%d"), l["url"], e(l["title"]), e(l["title"])) for l in chunk)
        n = len(pages)
        prev = ('<a href="%s">上一页</a>' % names[pi - 1]) if pi else '<span>上一页</span>'
        nxt = ('<a href="%s">下一页</a>' % names[pi + 1]) if pi < n - 1 else '<span>下一页</span>'
        first = '<a href="index.html">首页</a>' if pi else '<span>首页</span>'
        last = ('<a href="%s">尾页</a>' % names[-1]) if pi < n - 1 else '<span>尾页</span>'
        pager = """<div class="fy">
<script type="text/javascript">
var countPage = %d;//共多少页
var currentPage = %d;//当前页
var prevPage = currentPage - 1;var nextPage = currentPage + 1;
</script>
共%d页　%s　%s　%s　%s　当前第%d页
</div>""" % (n, pi, n, first, prev, nxt, last, pi + 1)
        html = head("县长信箱") + """<div class="main">
<div class="wz">您当前的位置：<a href="../../" title="首页" class="CurrChnlCls">首页</a>&nbsp;&gt;&nbsp;<a href="../" title="政民互动" class="CurrChnlCls">政民互动</a>&nbsp;&gt;&nbsp;<a href="./" title="县长信箱" class="CurrChnlCls">县长信箱</a></div>
<div class="left">
<div class="left_bt">政民互动</div>
<ul class="left_lm"><li><a href="./" class="on">县长信箱</a></li><li><a href="../zxft/">在线访谈</a></li><li><a href="../myzj/">民意征集</a></li></ul>
<div class="xx_btn"><a href="../xxxx/xiexin.html">我要写信</a></div>
</div>
<div class="right">
<div class="right_bt"><span>县长信箱</span></div>
<ul class="list">
""" + lis + "\n</ul>\n" + pager + "\n</div>\n</div>\n" + foot
        b.write(names[pi], html)
        b.add_list_page(names[pi], [l["url"][2:] for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        page = head(l["title"]).replace("../../", "../../../") + """<div class="main">
<div class="wz">您当前的位置：<a href="../../../">首页</a>&nbsp;&gt;&nbsp;<a href="../../">政民互动</a>&nbsp;&gt;&nbsp;<a href="../">县长信箱</a></div>
<div class="xl_box">
<table class="xjxq" width="100%%" border="0" cellspacing="1" cellpadding="0">
<tr><td class="t" width="120">信件标题：</td><td colspan="3">%s</td></tr>
<tr><td class="t">来　信　人：</td><td width="260">%s</td><td class="t" width="120">来信日期：</td><td>%s</td></tr>
<tr><td class="t">办理状态：</td><td colspan="3">%s</td></tr>
<tr><td class="t">来信内容：</td><td colspan="3" class="nr"><div class="TRS_Editor">
%s
</div></td></tr>
<tr><td class="t">回复单位：</td><td>%s</td><td class="t">回复日期：</td><td>%s</td></tr>
<tr><td class="t">回复内容：</td><td colspan="3" class="nr"><div class="TRS_Editor">
%s
</div></td></tr>
</table>
<div class="dy"><a href="javascript:window.print();">【打印】</a> <a href="javascript:window.close();">【关闭】</a></div>
</div></div>
""" % (e(l["title"]), e(l["author"]), cn_date(l["date"]), l["status"],
       paras_html(l["paras"], tag='p style="text-indent:2em;"'),
       e(l["dept"]) if rp else "", cn_date(l["reply_date"]) if rp else "",
       paras_html(rp, tag='p style="text-indent:2em;"') if rp else "")
        page = page + foot
        b.write(l["url"][2:], page)
        b.add_letter(l["url"][2:], l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"],
                     l["dept"], l["status"])
    b.save_expected()
    return b


# --------------------------------------------------------------------------
# 3. 政府网站集约化平台 领导留言板: div cards with excerpt, numbered bar with
#    current <span>, "›" next, root-absolute links, list pages in /lyb/,
#    details as dl/dt/dd
# --------------------------------------------------------------------------
def board_jyh():
    b = Board("jyh_lyb", "utf-8", "集约化平台式领导留言板：div 卡片(含正文摘要)，数字页码条+›，"
              "列表页 /lyb/page_N.html，根绝对链接，详情 dl/dt/dd")
    pl = Place("鹤汀市", "市", "市长", ["鹤鸣街道", "汀洲街道", "沙湾镇", "芦荡镇", "新港街道"],
               ["渔村", "芦苇村", "西塘村", "北堤村"], "鹤汀市中心医院", "0000")
    L = make_letters(pl, 17, seed=303, tags=("urban", "rural"))
    targets = ["市委书记", "市长", "常务副市长", "副市长", "市长", "市长"]
    kinds = ["咨询", "投诉", "建议", "求助"]
    for i, l in enumerate(L):
        l["url"] = "/lyb/content/%s/lyb_%d.html" % (l["date"].strftime("%Y-%m"), 88123 - i * 11)
        l["status"] = "待回复" if l["pending"] else "已回复"
        l["author"] = l["person"][0] + "**" if i % 3 else "网友" + "%04d" % (1000 + i * 37)
        l["target"] = targets[i % len(targets)]
        l["kind"] = kinds[(i * 7) % 4]
    names = ["index.html", "lyb/page_2.html", "lyb/page_3.html"]
    pages = chunks(L, [6, 6, 5])

    def head(title):
        return """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="renderer" content="webkit">
<title>%s</title>
<link rel="stylesheet" href="/static/jyh/css/base.css">
<link rel="stylesheet" href="/static/jyh/css/lyb.css">
</head>
<body>
<header class="g-header"><div class="g-w"><div class="g-logo"><a href="/"><img src="/static/jyh/img/logo.png" alt="鹤汀市人民政府"></a></div>
<div class="g-tools"><a href="javascript:;" id="zhjt">简/繁</a><a href="javascript:;" class="wza">无障碍</a><a href="javascript:;">长者模式</a></div></div>
<nav class="g-nav"><a href="/">首页</a><a href="javascript:;">要闻动态</a><a href="javascript:;">政务公开</a><a href="javascript:;">办事服务</a><a class="cur" href="/index.html">互动交流</a><a href="javascript:;">数据开放</a></nav></header>
""" % e(title)
    foot = """<footer class="g-footer"><div class="g-w">
<div class="f-links"><a href="https://www.gov.cn/" target="_blank">中国政府网</a><a href="javascript:;">网站地图</a><a href="javascript:;">联系我们</a></div>
<p>主办单位：鹤汀市人民政府办公厅　运维单位：鹤汀市政务数据局</p>
<p>网站标识码：0000000003　示ICP备00000003号　联系电话：0000-12345</p>
</div></footer>
<script src="/static/jyh/js/jquery.min.js"></script><script src="/static/jyh/js/common.js"></script>
</body>
</html>"""
    hot = [L[1], L[4], L[9], L[13]]
    side = '<aside class="lyb-side"><a class="btn-write" href="/lyb/write.html">我要留言</a><a class="btn-query" href="javascript:;">留言查询</a>\n<div class="side-box"><h3>热点留言</h3><ol>' + \
        "".join('<li><a href="%s">%s</a></li>' % (l["url"], e(l["title"])) for l in hot) + \
        '</ol></div>\n<div class="side-box"><h3>办理统计</h3><p>本年度收到留言 <b>1264</b> 件</p><p>已回复 <b>1198</b> 件</p></div></aside>'
    for pi, chunk in enumerate(pages):
        cards = []
        for l in chunk:
            body = " ".join(l["paras"])
            exc = body[:56] + "…"
            cards.append("""<div class="lyb-item">
  <div class="lyb-item-hd"><span class="lyb-type">[%s]</span><a class="lyb-tit" href="%s" target="_blank">%s</a><span class="zt %s">%s</span></div>
  <p class="lyb-desc">%s</p>
  <div class="lyb-meta"><span>留言人：%s</span><span>留言对象：%s</span><span>留言时间：%s</span></div>
</div>""" % (l["kind"], l["url"], e(l["title"]), "zt-dhf" if l["pending"] else "zt-yhf", l["status"], e(exc),
             e(l["author"]), l["target"], l["date"].strftime("%Y/%m/%d %H:%M")))
        n = len(pages)
        bar = ['<div class="pagination">']
        bar.append('<a href="/%s" class="prev">‹</a>' % names[pi - 1] if pi else '<span class="prev disabled">‹</span>')
        for j in range(n):
            bar.append('<span class="active">%d</span>' % (j + 1) if j == pi else '<a href="/%s">%d</a>' % (names[j], j + 1))
        bar.append('<a href="/%s" class="next">›</a>' % names[pi + 1] if pi < n - 1 else '<span class="next disabled">›</span>')
        bar.append('<span class="total">共 %d 条</span></div>' % len(L))
        page = head("领导留言板-鹤汀市人民政府") + """<main class="g-w g-main">
<div class="crumb"><a href="/">首页</a> &gt; <a href="/index.html">互动交流</a> &gt; <span>领导留言板</span></div>
<section class="lyb-main">
<div class="lyb-tabs"><a class="on" href="/index.html">全部留言</a><a href="javascript:;">书记留言</a><a href="javascript:;">市长留言</a></div>
<form class="lyb-search" action="/lyb/search" method="get"><input name="kw" placeholder="输入标题关键词"><select name="zt"><option value="">全部状态</option><option>已回复</option><option>待回复</option></select><button type="submit">查询</button></form>
<div class="lyb-list">
""" + "\n".join(cards) + "\n</div>\n" + "".join(bar) + "\n</section>\n" + side + "\n</main>\n" + foot
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"].lstrip("/") for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        if rp:
            hf = """<dl class="ly-hf">
<dt>办理状态：</dt><dd><span class="zt zt-yhf">%s</span></dd>
<dt>回复单位：</dt><dd>%s</dd>
<dt>回复时间：</dt><dd>%s</dd>
<dt>回复内容：</dt><dd class="hf-con">
%s
</dd>
</dl>""" % (l["status"], e(l["dept"]), l["reply_date"].strftime("%Y/%m/%d %H:%M"), paras_html(rp))
        else:
            hf = '<dl class="ly-hf">\n<dt>办理状态：</dt><dd><span class="zt zt-dhf">%s</span></dd>\n</dl>' % l["status"]
        page = head(l["title"] + "-领导留言板") + """<main class="g-w g-main">
<div class="crumb"><a href="/">首页</a> &gt; <a href="/index.html">互动交流</a> &gt; <a href="/index.html">领导留言板</a> &gt; <span>留言详情</span></div>
<section class="ly-detail">
<dl class="ly-info">
<dt>留言标题：</dt><dd class="ly-tit">%s</dd>
<dt>留 言 人：</dt><dd>%s</dd>
<dt>留言对象：</dt><dd>%s</dd>
<dt>留言类型：</dt><dd>%s</dd>
<dt>留言时间：</dt><dd>%s</dd>
<dt>留言内容：</dt><dd class="ly-con">
%s
</dd>
</dl>
%s
<div class="ly-tools"><a href="javascript:window.print()">打印</a><a href="javascript:history.back()">返回</a></div>
</section>
%s
</main>
""" % (e(l["title"]), e(l["author"]), l["target"], l["kind"], l["date"].strftime("%Y/%m/%d %H:%M"),
       paras_html(l["paras"]), hf, side) + foot
        u = l["url"].lstrip("/")
        b.write(u, page)
        b.add_letter(u, l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"], l["dept"], l["status"])
    b.write("lyb/write.html", head("我要留言") + '<main class="g-w"><div class="crumb"><a href="/">首页</a> &gt; 我要留言</div><form action="/lyb/save" method="post"><label>留言标题：<input name="title"></label><label>留言内容：<textarea name="content"></textarea></label><button>提交</button></form></main>' + foot)
    b.save_expected()
    return b
