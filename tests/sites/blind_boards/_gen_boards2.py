# -*- coding: utf-8 -*-
"""Boards 4-6: Discuz! 问政版块 (GBK), ASP.NET WebForms 区长信箱 (GB2312),
JSP 领导信箱 (UTF-8)."""
from _gen_common import Place, Board, make_letters, chunks, e, paras_html, cn_date

HANDLES = ["岫山老李", "风吹麦浪2019", "小城故事多", "cloud_walker", "奔跑的蜗牛", "老街坊", "晴天娃娃88",
           "一个普通市民", "南门口老王", "zhangsan_yx", "阳光下的向日葵", "夜归人", "岫水长流", "家住河西",
           "平凡之路", "路过的小张"]
NETIZEN_POSTS = ["顶一下，我们那边也是同样的情况，希望早点解决。", "同问，坐等回复。", "支持楼主！这个问题反映很久了。"]


# --------------------------------------------------------------------------
# 4. Discuz! X3 网络问政版块 (GBK): threadlist table, [已回复]/[待回复] type
#    prefix, pg bar with <strong> current + 下一页 class nxt; thread pages with
#    first post = letter, official account post = reply, some netizen posts
# --------------------------------------------------------------------------
def board_discuz():
    b = Board("discuz_wz", "gbk", "Discuz! X3 问政版块(GBK)：threadlist 表格+[已回复]分类前缀，"
              "pg 页码条(strong 当前页)+下一页(class=nxt) → forum-36-2.html，帖子页：楼主=来信，职能部门账号回帖=答复，夹杂网友跟帖")
    pl = Place("云岫县", "县", "县长", ["岫城镇", "云台镇", "落霞乡", "青溪镇", "东关街道"],
               ["上岫村", "下岫村", "松林村", "石埠村", "云中村"], "云岫县人民医院", "0000")
    L = make_letters(pl, 14, seed=404)
    netizen_at = {2: "before", 6: "after", 9: "only"}  # index -> where a netizen post goes
    for i, l in enumerate(L):
        tid = 23190 - i * 17
        l["tid"] = tid
        l["url"] = "thread-%d-1-1.html" % tid
        l["status"] = "待回复" if l["pending"] else "已回复"
        l["author"] = HANDLES[i % len(HANDLES)]
        l["uid"] = 8800 + i * 13
        l["views"] = 90 + (i * 137) % 900
    # thread 9 must be a pending one for "only" case: pick first pending index instead
    pend = [i for i, l in enumerate(L) if l["pending"]]
    netizen_at = {2 if 2 not in pend else 3: "before", 6 if 6 not in pend else 7: "after", pend[-1]: "only"}

    def dz(d):
        return "%d-%d-%d" % (d.year, d.month, d.day)

    def dzt(d):
        return "%d-%d-%d %02d:%02d" % (d.year, d.month, d.day, d.hour, d.minute)

    def head(title):
        return """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" />
<title>%s -  云岫论坛 -  Powered by Discuz!</title>
<meta name="keywords" content="网络问政" />
<meta name="generator" content="Discuz! X3.4" />
<meta name="author" content="Discuz! Team and Comsenz UI Team" />
<link rel="stylesheet" type="text/css" href="data/cache/style_1_common.css?Xk2" />
<script type="text/javascript">var STYLEID = '1', STATICURL = 'static/', IMGDIR = 'static/image/common', VERHASH = 'Xk2', charset = 'gbk', discuz_uid = '0', cookiepre = 'yx_2132_', cookiedomain = '', cookiepath = '/', showusercard = '1', attackevasive = '0', disallowfloat = 'newthread', creditnotice = '', defaultstyle = '', REPORTURL = '', SITEURL = 'http://bbs.yunxiu.example/', JSPATH = 'data/cache/';</script>
<script src="data/cache/common.js?Xk2" type="text/javascript"></script>
</head>
<body id="nv_forum" class="pg_forumdisplay" onkeydown="if(event.keyCode==27) return false;">
<div id="toptb" class="cl"><div class="wp"><div class="z"><a href="javascript:;" onclick="setHomepage('http://bbs.yunxiu.example/');">设为首页</a><a href="http://bbs.yunxiu.example/" onclick="addFavorite(this.href, '云岫论坛');return false;">收藏本站</a></div>
<div class="y"><a href="member.php?mod=register">立即注册</a> <a href="member.php?mod=logging&amp;action=login">登录</a></div></div></div>
<div id="hd"><div class="wp"><div class="hdc cl"><h2><a href="./" title="云岫论坛"><img src="static/image/common/logo.png" alt="云岫论坛" border="0" /></a></h2>
<div id="scbar" class="cl"><form id="scbar_form" method="post" autocomplete="off" action="search.php?searchsubmit=yes" target="_blank"><input type="text" name="srchtxt" id="scbar_txt" value="请输入搜索内容" /><button type="submit" name="searchsubmit" id="scbar_btn" value="true">搜索</button></form></div></div>
<div id="nv"><ul><li><a href="./" hidefocus="true">首页</a></li><li class="a"><a href="index.html" hidefocus="true">网络问政</a></li><li><a href="javascript:;" hidefocus="true">岫城生活</a></li><li><a href="javascript:;" hidefocus="true">便民信息</a></li></ul></div></div></div>
""" % e(title)
    foot = """<div id="ft" class="wp cl"><div id="flk" class="y"><p><a href="javascript:;">联系我们</a><span class="pipe">|</span><a href="javascript:;">Archiver</a><span class="pipe">|</span><strong><a href="./" target="_blank">云岫论坛</a></strong> ( <a href="javascript:;" target="_blank">示ICP备00000004号</a> )</p>
<p class="xs0">GMT+8, 2026-3-27 21:06 </p></div>
<div id="frt"><p>Powered by <strong><a href="https://www.discuz.net" target="_blank">Discuz!</a></strong> <em>X3.4</em></p><p class="xs0">主办单位：云岫县融媒体中心　问政协办：云岫县人民政府办公室　热线：0000-5512345</p></div></div>
</body>
</html>"""
    names = ["index.html", "forum-36-2.html"]
    pages = chunks(L, [8, 6])
    for pi, chunk in enumerate(pages):
        rows = []
        for l in chunk:
            last = l["reply_date"] if l["reply_paras"] else l["date"]
            lastby = l["dept"] if l["reply_paras"] else l["author"]
            nrep = (1 if l["reply_paras"] else 0) + (1 if netizen_at.get(L.index(l)) else 0)
            rows.append("""<tbody id="normalthread_%d">
<tr>
<td class="icn"><a href="%s" title="新窗口打开" target="_blank"><img src="static/image/common/folder_common.gif" /></a></td>
<th class="common">
<em>[<a href="forum.php?mod=forumdisplay&amp;fid=36&amp;filter=typeid&amp;typeid=%d">%s</a>]</em> <a href="%s" onclick="atarget(this)" class="s xst">%s</a>
</th>
<td class="by"><cite><a href="space-uid-%d.html" c="1">%s</a></cite><em><span>%s</span></em></td>
<td class="num"><a href="%s" class="xi2">%d</a><em>%d</em></td>
<td class="by"><cite><a href="javascript:;" c="1">%s</a></cite><em><a href="forum.php?mod=redirect&amp;tid=%d&amp;goto=lastpost#lastpost">%s</a></em></td>
</tr>
</tbody>""" % (l["tid"], l["url"], 5 if l["pending"] else 6, l["status"], l["url"], e(l["title"]), l["uid"],
               e(l["author"]), dz(l["date"]), l["url"], nrep, l["views"], e(lastby), l["tid"], dzt(last)))
        if pi == 0:
            pg = '<div class="pg"><strong>1</strong><a href="forum-36-2.html">2</a><label><input type="text" name="custompage" class="px" size="2" title="输入页码，按回车快速跳转" value="1" /><span title="共 2 页"> / 2 页</span></label><a href="forum-36-2.html" class="nxt">下一页</a></div>'
        else:
            pg = '<div class="pg"><a href="index.html" class="prev">&nbsp;&nbsp;</a><a href="index.html">1</a><strong>2</strong><label><input type="text" name="custompage" class="px" size="2" value="2" /><span title="共 2 页"> / 2 页</span></label></div>'
        page = head("网络问政") + """<div id="wp" class="wp">
<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm" title="首页">云岫论坛</a><em>&raquo;</em><a href="forum.php">论坛</a><em>&rsaquo;</em><a href="index.html">网络问政</a></div></div>
<div class="boardnav"><div id="ct" class="wp cl">
<div class="bm bml pbn"><div class="bm_h cl"><h1 class="xs2"><a href="index.html">网络问政</a> <span class="xs1 xw0 i">今日: <strong class="xi1">3</strong><span class="pipe">|</span>主题: <strong class="xi1">1862</strong></span></h1></div>
<div class="bm_c cl pbn"><div>版主: <span class="xi2"><a href="javascript:;" c="1">问政办小编</a></span></div>
<div id="an"><dl class="cl"><dt class="z xw1">公告:&nbsp;</dt><dd><a href="announcement-1.html">问政版块发帖须知：请写明具体地点和诉求，县直部门将在5个工作日内回复</a></dd></dl></div></div></div>
<div id="pgt" class="bm bw0 pgs cl">%s<a href="forum.php?mod=post&amp;action=newthread&amp;fid=36" id="newspecial" title="发新帖"><img src="static/image/common/pn_post.png" alt="我要问政" /></a></div>
<ul id="thread_types" class="ttp bm cl"><li id="ttp_all" class="xw1 a"><a href="index.html">全部</a></li><li><a href="javascript:;">已回复</a></li><li><a href="javascript:;">待回复</a></li></ul>
<div id="threadlist" class="tl bm bmw"><div class="th"><table cellspacing="0" cellpadding="0"><tr><th colspan="2"><div class="tf">筛选: 全部主题</div></th><td class="by">作者</td><td class="num">回复/查看</td><td class="by">最后发表</td></tr></table></div>
<div class="bm_c"><form method="post" autocomplete="off" name="moderate" id="moderate" action="forum.php?mod=topicadmin&amp;action=moderate&amp;fid=36">
<table summary="forum_36" cellspacing="0" cellpadding="0" id="threadlisttableid">
""" % pg + "\n".join(rows) + "\n</table></form></div></div>\n" + \
            '<div class="bm bw0 pgs cl">%s</div>\n</div></div></div>\n' % pg + foot
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"] for l in chunk])

    pid = 91000
    for i, l in enumerate(L):
        posts = [(l["author"], l["uid"], "注册会员", l["date"], l["paras"], "楼主")]
        net = netizen_at.get(i)
        nd = l["date"].replace(hour=min(l["date"].hour + 2, 23))
        nuser = HANDLES[(i + 5) % len(HANDLES)]
        if net == "before" or net == "only":
            posts.append((nuser, 9100 + i, "注册会员", nd, [NETIZEN_POSTS[i % 3]], None))
        if l["reply_paras"]:
            posts.append((l["dept"], 500 + i, "职能部门", l["reply_date"], l["reply_paras"], None))
        if net == "after":
            posts.append((nuser, 9100 + i, "注册会员", l["reply_date"].replace(hour=20), ["感谢回复，已经看到在处理了。"], None))
        floors = ["楼主", "沙发", "板凳", "地板"]
        blocks = []
        for k, (who, uid, grp, d, ps, _) in enumerate(posts):
            pid += 1
            badge = '<p><img src="static/image/common/verify_gov.png" alt="官方认证" /> 官方认证</p>' if grp == "职能部门" else ""
            blocks.append("""<div id="post_%d"><table id="pid%d" class="plhin" summary="pid%d" cellspacing="0" cellpadding="0">
<tr><td class="pls" rowspan="2"><div id="favatar%d" class="pls favatar"><div class="pi"><div class="authi"><a href="space-uid-%d.html" target="_blank" class="xw1">%s</a></div></div>
<div class="avatar"><a href="space-uid-%d.html" class="avtm" target="_blank"><img src="uc_server/images/noavatar_middle.gif" /></a></div>
<p><em><a href="javascript:;" target="_blank">%s</a></em></p>%s</div></td>
<td class="plc"><div class="pi"><strong><a href="javascript:;" id="postnum%d">%s</a></strong>
<div class="pti"><div class="authi"><img class="authicn vm" src="static/image/common/online_member.gif" /><em id="authorposton%d">发表于 %s</em><span class="pipe">|</span><a href="javascript:;" rel="nofollow">只看该作者</a></div></div></div>
<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_%d">
%s</td></tr></table></div></div></div></td></tr>
<tr><td class="plc plm"></td></tr></table></div>""" % (pid, pid, pid, pid, uid, e(who), uid, grp, badge, pid,
                                                      floors[k], pid, dzt(d), pid,
                                                      paras_html(ps, tag="br", sep="\r\n")))
        page = head(l["title"] + " - 网络问政") + """<div id="wp" class="wp">
<div id="pt" class="bm cl"><div class="z"><a href="./" class="nvhm" title="首页">云岫论坛</a><em>&raquo;</em><a href="forum.php">论坛</a><em>&rsaquo;</em><a href="index.html">网络问政</a><em>&rsaquo;</em><a href="%s">%s</a></div></div>
<div id="ct" class="wp cl"><div id="pgt" class="pgs mbm cl "><span class="y pgb"><a href="index.html">返回列表</a></span></div>
<div id="postlist" class="pl bm">
<table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">%d</span><span class="pipe">|</span><span class="xg1">回复:</span> <span class="xi1">%d</span></div></td>
<td class="plc ptm pbn vwthd"><h1 class="ts"><a href="javascript:;">[%s]</a>
<span id="thread_subject">%s</span>
</h1></td></tr></table>
%s
</div></div></div>
""" % (l["url"], e(l["title"]), l["views"], len(posts) - 1, l["status"], e(l["title"]), "\n".join(blocks)) + foot
        b.write(l["url"], page)
        b.add_letter(l["url"], l["title"], l["author"], l["date"], l["paras"], l["reply_paras"], l["reply_date"],
                     l["dept"], l["status"])
    b.write("announcement-1.html", head("公告") + '<div id="wp" class="wp"><div id="pt" class="bm cl"><a href="./">云岫论坛</a> &rsaquo; 公告</div><div class="bm"><h1>问政版块发帖须知</h1><p>一、请实名或留下有效联系方式；二、请写明具体地点和诉求；三、县直部门将在5个工作日内以认证账号回复。</p></div></div>' + foot)
    b.save_expected(notes="Threads contain extra posts by ordinary members (用户组 注册会员) in a few threads; "
                          "the expected reply is only the post by the 职能部门 (官方认证) account. author is the forum user name.")
    return b


# --------------------------------------------------------------------------
# 5. ASP.NET WebForms 区长信箱 (GB2312): __VIEWSTATE form, GridView table,
#    AspNetPager (首页 前页 1 2 3 后页 尾页, disabled anchors), span/label detail
# --------------------------------------------------------------------------
def board_aspnet():
    b = Board("aspnet_qzxx", "gb2312", "ASP.NET WebForms 区长信箱(GB2312)：__VIEWSTATE 表单，GridView 表格(序号/信件主题/来信人/来信日期/处理状态)，"
              "AspNetPager 后页(末页为 disabled 锚)，详情 td.lbl 标签+span id=lblXxx，处理结果 fieldset")
    pl = Place("澄溪区", "区", "区长", ["澄湖街道", "溪口街道", "紫荆街道", "清泉镇", "花溪镇"],
               ["溪头村", "柳湾村", "大塘村"], "澄溪区人民医院", "0000")
    L = make_letters(pl, 15, seed=505, tags=("urban",))
    for i, l in enumerate(L):
        l["id"] = 10987 - i * 5
        l["url"] = "MailView_%d.htm" % l["id"]
        l["status"] = "处理中" if l["pending"] else "已处理"
        l["author"] = l["person"][0] + "**"

    def nd(d):
        return "%d/%d/%d %d:%02d:%02d" % (d.year, d.month, d.day, d.hour, d.minute, d.second)

    vs = "/wEPDwUKLTM0NTY3ODkwMQ9kFgJmD2QWAgIDD2QWBAIBDw8WAh4EVGV4dAUG5Yy66ZW/5L+h566xZGQCAw88KwANAQAPFgQeC18hRGF0YUJvdW5kZx4LXyFJdGVtQ291bnQCD2RkGAEFHl9fQ29udHJvbHNSZXF1aXJlUG9zdEJhY2tLZXlfXxYBBQxjdGwwMCRidG5Tb3U="

    def head(title, action):
        return """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head id="ctl00_Head1"><meta http-equiv="Content-Type" content="text/html; charset=gb2312" /><title>
	%s
</title><link href="App_Themes/Default/main.css" type="text/css" rel="stylesheet" /></head>
<body>
<form name="aspnetForm" method="post" action="%s" id="aspnetForm">
<div>
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="%s" />
</div>
<script type="text/javascript">
//<![CDATA[
var theForm = document.forms['aspnetForm'];
if (!theForm) { theForm = document.aspnetForm; }
function __doPostBack(eventTarget, eventArgument) {
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }
}
//]]>
</script>
<div id="header"><img src="images/banner.jpg" alt="澄溪区人民政府" width="1000" height="120" /></div>
<div id="menu"><a href="Default.htm">网站首页</a> | <a href="javascript:;">政务公开</a> | <a href="javascript:;">网上办事</a> | <a href="index.html">区长信箱</a> | <a href="javascript:;">政策法规</a></div>
<div id="search">站内搜索：<input name="ctl00$txtKey" type="text" id="ctl00_txtKey" class="txt" /><input type="submit" name="ctl00$btnSou" value="搜 索" id="ctl00_btnSou" class="btn" /></div>
""" % (e(title), action, vs)
    foot = """<div id="footer">
版权所有：澄溪区人民政府办公室　　地址：澄溪区政通路88号<br />
联系电话：0000-3360000　　传真：0000-3360001　　示ICP备00000005号<br />
建议使用1024×768分辨率 IE8.0以上浏览器
</div>
<div>
<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" value="/wEWBAKH2sXhDwLs0bLrBgKM54rGBgLS+5P4Cg==" />
</div></form>
</body>
</html>"""
    names = ["index.html", "MailList_2.htm", "MailList_3.htm"]
    pages = chunks(L, [5, 5, 5])
    n = len(pages)
    for pi, chunk in enumerate(pages):
        rows = ['<tr class="gvHeader">\n\t\t\t<th scope="col">序号</th><th scope="col">信件主题</th><th scope="col">来信人</th><th scope="col">来信日期</th><th scope="col">处理状态</th>\n\t\t</tr>']
        for k, l in enumerate(chunk):
            c = "ctl00_ContentPlaceHolder1_gvMail_ctl%02d" % (k + 2)
            rows.append("""<tr class="%s">
			<td align="center">%d</td><td align="left"><a id="%s_hlTitle" href="%s" target="_blank">%s</a></td><td align="center">%s</td><td align="center">%s</td><td align="center"><span id="%s_lblState" style="color:%s;">%s</span></td>
		</tr>""" % ("gvRow" if k % 2 == 0 else "gvAltRow", sum(len(c) for c in pages[:pi]) + k + 1, c, l["url"], e(l["title"]), e(l["author"]),
                     l["date"].strftime("%Y-%m-%d"), c, "Red" if l["pending"] else "Green", l["status"]))
        pgr = ['<div id="ctl00_ContentPlaceHolder1_AspNetPager1" class="pages">']
        pgr.append('<a href="index.html" style="margin-right:5px;">首页</a>' if pi else '<a disabled="disabled" style="margin-right:5px;">首页</a>')
        pgr.append('<a href="%s" style="margin-right:5px;">前页</a>' % names[pi - 1] if pi else '<a disabled="disabled" style="margin-right:5px;">前页</a>')
        for j in range(n):
            pgr.append('<span style="margin-right:5px;font-weight:Bold;color:red;">%d</span>' % (j + 1) if j == pi
                       else '<a href="%s" style="margin-right:5px;">%d</a>' % (names[j], j + 1))
        pgr.append('<a href="%s" style="margin-right:5px;">后页</a>' % names[pi + 1] if pi < n - 1 else '<a disabled="disabled" style="margin-right:5px;">后页</a>')
        pgr.append('<a href="%s" style="margin-right:5px;">尾页</a>' % names[-1] if pi < n - 1 else '<a disabled="disabled" style="margin-right:5px;">尾页</a>')
        pgr.append('　共%d封 第%d/%d页</div>' % (len(L), pi + 1, n))
        page = head("区长信箱--澄溪区人民政府", "MailList.aspx" + ("?page=%d" % (pi + 1) if pi else "")) + """<table id="main" width="1000" border="0" cellspacing="0" cellpadding="0"><tr>
<td id="left" valign="top" width="220">
<div class="lefttitle">区长信箱</div>
<ul class="leftmenu"><li><a href="WriteMail.htm">我要写信</a></li><li><a href="javascript:__doPostBack('ctl00$lbQuery','')">信件查询</a></li><li><a href="Notice.htm">写信须知</a></li></ul>
</td>
<td id="right" valign="top">
<div class="position">您现在的位置：<a href="Default.htm">首页</a> &gt;&gt; <a href="index.html">区长信箱</a> &gt;&gt; 信件列表</div>
<div>
	<table class="gv" cellspacing="0" rules="all" border="1" id="ctl00_ContentPlaceHolder1_gvMail" style="width:100%%;border-collapse:collapse;">
		""".replace("%%", "%") + "\n\t\t".join(rows) + "\n\t</table>\n</div>\n" + "".join(pgr) + "\n</td></tr></table>\n" + foot
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"] for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        cp = "ctl00_ContentPlaceHolder1_"
        page = head(l["title"] + "--区长信箱", "MailView.aspx?id=%d" % l["id"]) + """<div class="position">您现在的位置：<a href="Default.htm">首页</a> &gt;&gt; <a href="index.html">区长信箱</a> &gt;&gt; 查看信件</div>
<table class="mailview" width="900" border="0" cellspacing="1" cellpadding="6" align="center">
<tr><td class="lbl" width="110">来信标题：</td><td><span id="%slblTitle">%s</span></td></tr>
<tr><td class="lbl">来&nbsp;信&nbsp;人：</td><td><span id="%slblName">%s</span></td></tr>
<tr><td class="lbl">来信日期：</td><td><span id="%slblDate">%s</span></td></tr>
<tr><td class="lbl">处理状态：</td><td><span id="%slblState"><font color="%s">%s</font></span></td></tr>
<tr><td class="lbl" valign="top">来信内容：</td><td><span id="%slblContent">%s</span></td></tr>
</table>
<fieldset class="result"><legend>处理结果</legend>
<table width="880" border="0" cellspacing="1" cellpadding="6">
<tr><td class="lbl" width="110">处理单位：</td><td><span id="%slblDept">%s</span></td></tr>
<tr><td class="lbl">处理时间：</td><td><span id="%slblReplyDate">%s</span></td></tr>
<tr><td class="lbl" valign="top">处理意见：</td><td><span id="%slblReply">%s</span></td></tr>
</table></fieldset>
<div align="center"><input type="button" value="关 闭" onclick="window.close();" class="btn" /></div>
""" % (cp, e(l["title"]), cp, e(l["author"]), cp, nd(l["date"]), cp, "red" if l["pending"] else "green", l["status"],
       cp, paras_html(l["paras"], tag="br", indent="&nbsp;&nbsp;&nbsp;&nbsp;"),
       cp, e(l["dept"]) if rp else "", cp, nd(l["reply_date"]) if rp else "",
       cp, paras_html(rp, tag="br", indent="&nbsp;&nbsp;&nbsp;&nbsp;") if rp else "") + foot
        b.write(l["url"], page)
        b.add_letter(l["url"], l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"], l["dept"], l["status"])
    b.write("Notice.htm", head("写信须知", "Notice.aspx") + '<div class="position">您现在的位置：<a href="index.html">区长信箱</a> &gt;&gt; 写信须知</div><div class="notice"><p>一、来信请使用真实姓名和联系方式。</p><p>二、一般信件在10个工作日内答复。</p></div>' + foot)
    b.write("WriteMail.htm", head("我要写信", "WriteMail.aspx") + '<div class="position">您现在的位置：<a href="index.html">区长信箱</a> &gt;&gt; 我要写信</div><table class="mailview"><tr><td class="lbl">姓名：</td><td><input name="ctl00$ContentPlaceHolder1$txtName" type="text" /></td></tr><tr><td class="lbl">标题：</td><td><input name="ctl00$ContentPlaceHolder1$txtTitle" type="text" /></td></tr><tr><td class="lbl">内容：</td><td><textarea name="ctl00$ContentPlaceHolder1$txtContent"></textarea></td></tr></table><input type="submit" name="ctl00$ContentPlaceHolder1$btnSubmit" value="提 交" />' + foot)
    b.save_expected()
    return b


# --------------------------------------------------------------------------
# 6. JSP 领导信箱 (UTF-8): div-grid rows (not a table), "1/3 << < > >>"
#    pager with &gt; to list_2.html; detail: title only in <h2>, meta line of
#    spans, separate reply div
# --------------------------------------------------------------------------
def board_jsp():
    b = Board("jsp_ldxx", "utf-8", "JSP 领导信箱：div 栅格行(编号/主题/留言时间/状态)，“1/3 &lt;&lt; &lt; &gt; &gt;&gt;”翻页 → list_2.html，"
              "详情标题仅在 h2，元信息为一行 span，回复为独立 div")
    pl = Place("芷阳市", "市", "市长", ["芷江街道", "阳明街道", "兰桥镇", "杜若镇", "白芷乡"],
               ["蒲草村", "兰溪村", "香樟村", "桃湾村"], "芷阳市人民医院", "0000")
    L = make_letters(pl, 15, seed=606)
    for i, l in enumerate(L):
        l["id"] = 4521 - i * 9
        l["url"] = "detail_%d.html" % l["id"]
        l["status"] = "未回复" if l["pending"] else "已回复"
        l["author"] = None if i % 4 == 1 else l["person"]
        l["no"] = "ZY-%s-%03d" % (l["date"].strftime("%y%m"), 180 - i * 4)
    names = ["index.html", "list_2.html", "list_3.html"]
    pages = chunks(L, [5, 5, 5])

    def head(title):
        return """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>%s</title>
<link type="text/css" rel="stylesheet" href="/ldxx/css/ldxx.css">
<script type="text/javascript" src="/ldxx/js/jquery-1.11.3.min.js"></script>
</head>
<body>
<div id="top"><div class="top-in"><span class="welcome">欢迎访问芷阳市人民政府网站！</span><span class="links"><a href="/">首页</a> | <a href="javascript:;">English</a> | <a href="javascript:;">手机版</a></span></div></div>
<div id="banner"><h1 class="site-name">芷阳市人民政府</h1></div>
<div id="nav"><a href="/">首 页</a><a href="javascript:;">政务要闻</a><a href="javascript:;">信息公开</a><a href="javascript:;">网上办事</a><a href="index.html" class="current">公众参与</a></div>
""" % e(title)
    foot = """<div id="footer"><div class="footer-in">
<p><a href="javascript:;">关于我们</a> | <a href="javascript:;">网站地图</a> | <a href="javascript:;">隐私声明</a></p>
<p>芷阳市人民政府办公室主办　芷阳市信息中心承办　联系电话：0000-7712345</p>
<p>示ICP备00000006号　网站标识码：0000000006</p>
</div></div>
</body>
</html>"""
    for pi, chunk in enumerate(pages):
        rows = ["""<div class="grid-row grid-head"><div class="c-no">编号</div><div class="c-title">留言主题</div><div class="c-date">留言时间</div><div class="c-state">状态</div></div>"""]
        for l in chunk:
            rows.append("""<div class="grid-row">
  <div class="c-no">%s</div>
  <div class="c-title"><a href="%s" title="%s" target="_blank">%s</a></div>
  <div class="c-date">%s</div>
  <div class="c-state %s">%s</div>
</div>""" % (l["no"], l["url"], e(l["title"]), e(l["title"]), cn_date(l["date"]),
             "s-no" if l["pending"] else "s-yes", l["status"]))
        n = len(pages)
        pg = '<div class="pagebar">%d/%d　' % (pi + 1, n)
        pg += ('<a href="index.html">&lt;&lt;</a> <a href="%s">&lt;</a> ' % names[pi - 1]) if pi else '&lt;&lt; &lt; '
        pg += ('<a href="%s">&gt;</a> <a href="%s">&gt;&gt;</a>' % (names[pi + 1], names[-1])) if pi < n - 1 else '&gt; &gt;&gt;'
        pg += '　转到<input type="text" size="2" id="goPage"><input type="button" value="GO" onclick="goPage()"></div>'
        page = head("领导信箱") + """<div id="main">
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="index.html">公众参与</a> &gt; 领导信箱</div>
<div class="ldxx-left">
<div class="box"><div class="box-t">领导信箱</div>
<p class="intro">市长信箱是市政府联系群众的重要渠道。为提高办理效率，请您如实填写联系方式，我们将在15个工作日内予以答复。</p>
<p class="btn"><a href="write.html" class="xiexin">我要写信</a></p></div>
<div class="box"><div class="box-t">信件查询</div><form action="query.jsp" method="post">查询码：<input type="text" name="cxm" size="12"><input type="submit" value="查询"></form></div>
</div>
<div class="ldxx-right">
<div class="grid">
""" + "\n".join(rows) + "\n</div>\n" + pg + "\n</div>\n</div>\n" + foot
        b.write(names[pi], page)
        b.add_list_page(names[pi], [l["url"] for l in chunk])
    for l in L:
        rp = l["reply_paras"]
        meta = []
        meta.append("<span>信件编号：%s</span>" % l["no"])
        if l["author"]:
            meta.append("<span>留言人：%s</span>" % e(l["author"]))
        meta.append("<span>留言时间：%s</span>" % cn_date(l["date"]))
        meta.append("<span>状态：%s</span>" % l["status"])
        if rp:
            reply = """<div class="reply">
<div class="reply-head">回复单位：%s　　回复时间：%s</div>
<div class="reply-body">
%s
</div>
</div>""" % (e(l["dept"]), cn_date(l["reply_date"]), paras_html(rp, indent="　　"))
        else:
            reply = '<div class="reply reply-none"></div>'
        page = head(l["title"]) + """<div id="main">
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="index.html">公众参与</a> &gt; <a href="index.html">领导信箱</a> &gt; 信件内容</div>
<div class="letter">
<h2 class="letter-title">%s</h2>
<div class="letter-meta">%s</div>
<div class="letter-body">
%s
</div>
%s
</div>
<div class="back"><a href="javascript:history.go(-1)">【返回】</a><a href="javascript:window.close()">【关闭】</a></div>
</div>
""" % (e(l["title"]), "　".join(meta), paras_html(l["paras"], indent="　　"), reply) + foot
        b.write(l["url"], page)
        b.add_letter(l["url"], l["title"], l["author"], l["date"], l["paras"], rp, l["reply_date"], l["dept"], l["status"])
    b.write("write.html", head("我要写信") + '<div id="main"><div class="location"><a href="index.html">领导信箱</a> &gt; 我要写信</div><form action="save.jsp" method="post"><p>姓名：<input name="xm"></p><p>主题：<input name="zt"></p><p>内容：<textarea name="nr"></textarea></p><input type="submit" value="提交"></form></div>' + foot)
    b.save_expected(notes="Some letters show no 留言人 at all (author null).")
    return b
