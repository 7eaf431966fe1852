"""The generic reader (scrapers.generic) on page snippets, and on the development boards."""
from __future__ import annotations

import pytest
from parsel import Selector

from scrapers import generic


def letter(html: str) -> generic.LetterReading:
    return generic.read_letter(Selector(text=f"<html><head><title>某某市人民政府</title></head><body>{html}</body></html>").root)


def listing(html: str, url: str = "http://gov.example.cn/szxx/list_1.html") -> generic.ListReading:
    return generic.read_list(Selector(text=f"<html><body>{html}</body></html>").root, url)


# --- labels --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("html", "rule"), [
    ("<table><tr><th>来信人</th><td>张先生</td></tr></table>", "label 来信人 (th → td)"),
    ("<table><tr><td>来 信 人：</td><td>张先生</td></tr></table>", "label 来 信 人 (td → td)"),
    ("<table><tr><td>来\u3000信\u3000人:</td><td>张先生</td></tr></table>", "label 来 信 人 (td → td)"),
    ("<dl><dt>来信人:</dt><dd>张先生</dd></dl>", "label 来信人 (dt → dd)"),
    ("<div><span class='k'>来信人：</span><span>张先生</span></div>", "label 来信人 (span followed by text)"),
    ("<p><strong>来信人：</strong>张先生</p>", "label 来信人 (strong followed by text)"),
    ("<p><label>来信人</label> 张先生</p>", "label 来信人 (label followed by text)"),
    ("<p>来信人：张先生</p>", "label 来信人: (inline in p)"),
    ("<p>来信人:张先生\u3000来信时间：2026-03-05</p>", "label 来信人: (inline in p)"),
    ("<table><tr><td>来信人 </td><td>张先生</td></tr></table>", "label 来信人 (td → td)"),
])
def test_a_label_is_found_wherever_it_sits(html: str, rule: str) -> None:
    found = letter(html).fields["author"]
    assert found.value == "张先生"
    assert found.rule == rule


def test_inline_labels_on_one_line_end_each_other() -> None:
    fields = letter("<div class='info'>留言人：网友 留言时间：2026/03/05 14:20 浏览次数：12</div>").fields
    assert fields["author"].value == "网友"
    assert fields["posted"].value == "2026/03/05 14:20"


def test_letter_and_reply_are_kept_apart_under_headings() -> None:
    fields = letter(
        "<h3>留言内容</h3><div class='con'>路灯坏了一个月。</div>"
        "<div class='answer'><h3>回复</h3><p>回复单位：市城管局</p><p>回复时间：2026-03-09</p>"
        "<div>已派人修好。</div></div>").fields
    assert fields["text"].value == "路灯坏了一个月。"
    assert fields["reply_text"].value == "已派人修好。"
    assert fields["reply_unit"].value == "市城管局"
    assert fields["replied"].value == "2026-03-09"


def test_a_reply_under_the_units_own_name_is_the_reply() -> None:
    fields = letter("<div>来信内容</div><div>水压太低。</div><div>县水务局答复：</div><div>已加装增压泵。</div>").fields
    assert fields["text"].value == "水压太低。"
    assert fields["reply_text"].value == "已加装增压泵。"
    assert fields["reply_text"].rule == "label 县水务局答复 (div followed by text)"


@pytest.mark.parametrize("pending", ["待回复", "正在办理中", "暂无答复", "该信件尚未回复", ""])
def test_a_pending_letter_is_a_letter_without_a_reply(pending: str) -> None:
    fields = letter(f"<table><tr><th>内容</th><td>学位太紧张。</td></tr><tr><th>回复内容</th><td>{pending}</td></tr>"
                    "<tr><th>状态</th><td>办理中</td></tr></table>").fields
    assert fields["text"].value == "学位太紧张。"
    assert "reply_text" not in fields


def test_a_sidebar_of_links_under_a_reply_heading_is_no_reply() -> None:
    fields = letter("<table><tr><th>内容</th><td>噪音扰民。</td></tr></table>"
                    "<div class='side'><h3>最新回复</h3><ul><li><a href='/a/1.html'>路灯不亮的问题</a></li>"
                    "<li><a href='/a/2.html'>学校门口拥堵</a></li></ul></div>").fields
    assert "reply_text" not in fields


@pytest.mark.parametrize(("html", "title", "rule"), [
    ("<h1>某某市人民政府</h1><h2>路灯长期不亮</h2><p>内容：坏了。</p>", "路灯长期不亮", "heading h2"),
    ("<div class='title'>路灯长期不亮</div><p>内容：坏了。</p>", "路灯长期不亮", "heading div"),
])
def test_the_title_falls_back_to_the_heading(html: str, title: str, rule: str) -> None:
    found = letter(html).fields["title"]
    assert (found.value, found.rule) == (title, rule)


def test_the_title_falls_back_to_the_page_title_without_the_site_name() -> None:
    root = Selector(text="<html><head><title>县长信箱--路灯长期不亮</title></head><body><table><tr>"
                         "<td><font size=4>路灯长期不亮</font></td></tr><tr><td>来信内容：坏了。</td></tr>"
                         "</table></body></html>").root
    assert generic.read_letter(root).value("title") == "路灯长期不亮"


# --- list pages ------------------------------------------------------------------------------------

NAV = ("<ul class='nav'><li><a href='/index.html'>首页</a></li><li><a href='/zwgk/'>政务公开栏目</a></li>"
       "<li><a href='/hdjl/'>互动交流栏目</a></li></ul><div class='position'><a href='/'>首页</a> &gt; "
       "<a href='/szxx/'>市长信箱栏目</a></div>")


def test_the_list_is_the_largest_group_of_linked_items_not_the_navigation() -> None:
    rows = "".join(f"<tr><td>{n}</td><td><a href='/szxx/t_{n}.html'>第{n}封来信的标题</a></td><td>2026年3月{n}日</td></tr>"
                   for n in range(1, 5))
    side = "".join(f"<li><a href='/szxx/t_{n}.html'>第{n}封来信的标题</a></li>" for n in (1, 2))
    found = listing(f"{NAV}<table><tr><th>编号</th><th>标题</th><th>时间</th></tr>{rows}</table>"
                    f"<div class='side'><h3>热点留言</h3><ul>{side}</ul></div>")
    assert [e.url for e in found.entries] == [f"http://gov.example.cn/szxx/t_{n}.html" for n in range(1, 5)]
    assert [e.date_raw for e in found.entries] == [f"2026年3月{n}日" for n in range(1, 5)]
    assert found.item_css == "table tr"


@pytest.mark.parametrize(("pager", "next_url", "rule"), [
    ("<a href='list_2.html'>下一页</a>", "http://gov.example.cn/szxx/list_2.html", "link text 下一页"),
    ("<a href='list_2.html'>下页</a>", "http://gov.example.cn/szxx/list_2.html", "link text 下页"),
    ("<a href='list_2.html'>后页</a>", "http://gov.example.cn/szxx/list_2.html", "link text 后页"),
    ("<a href='list_2.html'> › </a>", "http://gov.example.cn/szxx/list_2.html", "link text ›"),
    ("<a href='list_2.html'>»</a>", "http://gov.example.cn/szxx/list_2.html", "link text »"),
    ("<a href='list_2.html'>下一頁</a>", "http://gov.example.cn/szxx/list_2.html", "link text 下一頁"),
    ("<a href='list_1.html'>1</a><a href='list_2.html'>2</a><a href='list_3.html'>3</a>",
     "http://gov.example.cn/szxx/list_2.html", "page number in the URL (2)"),
    ("<a href='javascript:;' onclick=\"location.href='list_2.html'\">下一页</a>",
     "http://gov.example.cn/szxx/list_2.html", "link 下一页 (URL in its script)"),
])
def test_the_next_page(pager: str, next_url: str, rule: str) -> None:
    found = listing(pager)
    assert (found.next_url, found.next_rule) == (next_url, rule)


def test_index_pages_number_from_the_first_page_without_a_number() -> None:
    found = listing("<a href='index_1.html'>2</a><a href='index_2.html'>3</a>", "http://x.gov.cn/ldxx/index.html")
    assert found.next_url == "http://x.gov.cn/ldxx/index_1.html"


def test_the_trs_paging_script_gives_the_next_page() -> None:
    found = listing("<script>var countPage = 3;createPageHTML(countPage, 1, \"index\", \"shtml\");</script>",
                    "http://x.gov.cn/xzxx/index_1.shtml")
    assert (found.next_url, found.next_rule) == ("http://x.gov.cn/xzxx/index_2.shtml",
                                                 "page count in the TRS script createPageHTML")


def test_a_next_link_only_javascript_follows_is_said_so() -> None:
    found = listing("<a href=\"javascript:__doPostBack('pager','2')\">下一页</a>")
    assert found.next_url is None
    assert found.unfollowable == ["下一页: javascript:__doPostBack('pager','2')"]


def test_a_greyed_out_next_link_is_the_last_page() -> None:
    found = listing("<a>下一页</a>")
    assert (found.next_url, found.unfollowable) == (None, [])


def test_rows_a_jcms_page_keeps_in_a_datastore_script_are_its_letters() -> None:
    records = "".join(f"<record><![CDATA[<li><a href=\"/art/2026/3/5/art_1_{n}.html\">第{n}封来信的标题</a></li>]]>"
                      "</record>" for n in range(1, 4))
    found = listing(f"<div id='1'><script type='text/xml'><datastore><recordset>{records}</recordset>"
                    "</datastore></script></div>", "http://x.gov.cn/col/col1/index.html")
    assert [e.url.rsplit("/", 1)[-1] for e in found.entries] == ["art_1_1.html", "art_1_2.html", "art_1_3.html"]


def test_a_list_printing_labelled_titles_and_excerpts_is_no_letter() -> None:
    items = "".join(f"<li><p>标题：<a href='/l/{n}.html'>第{n}封来信的标题</a></p><p>内容：第{n}封的摘要……</p></li>"
                    for n in (1, 2))
    assert letter(f"<ul>{items}</ul>").repeated
    assert not letter("<p>标题：路灯不亮</p><p>内容：坏了一个月。</p>").repeated


def test_hyphenated_page_numbers() -> None:
    found = listing("<a href='list-1.html'>1</a><a href='list-2.html'>2</a>", "http://x.gov.cn/a/list-1.html")
    assert found.next_url == "http://x.gov.cn/a/list-2.html"


def test_a_list_of_one_dated_letter_and_short_numbered_titles_are_lists() -> None:
    one = listing("<ul><li><a href='detail_1.html'>看病难</a> <span>2026-03-02</span></li></ul>")
    assert [e.url for e in one.entries] == ["http://gov.example.cn/szxx/detail_1.html"]
    numbered = listing("<ul>" + "".join(f"<li><a href='detail_{n}.html'>信件{n}</a></li>" for n in (1, 2, 3)) + "</ul>")
    assert len(numbered.entries) == 3
    assert listing("<ul><li><a href='/about.html'>关于本站</a></li></ul>").entries == []


# --- pagination only a script follows: the URL pattern the page itself shows ----------------------

GO_PAGE = ("<script>function goPage(page) {\n if (page == 1) { location.href = 'index.shtml'; }\n"
           " else { window.location.href = 'index_' + page + '.shtml'; }\n}</script>")


@pytest.mark.parametrize(("html", "url", "next_url"), [
    # 开普-style: the next link calls the page's own function with the next page's number
    (f"<a href='javascript:goPage(1)'>首页</a><a href='javascript:goPage(3)'>下一页</a>{GO_PAGE}",
     "http://x.gov.cn/xjxd/index_2.shtml", "http://x.gov.cn/xjxd/index_3.shtml"),
    # onclick on a void link, the function assigned to a variable, a page index counted from 0
    ("<a href='javascript:void(0)' onclick='toPage(this)'>下一页</a><span class='cur'>1</span>"
     "<a href='javascript:void(0)' onclick='toPage(2)'>2</a><a href='javascript:void(0)' onclick='toPage(3)'>3</a>"
     "<script>var toPage = function(p) { window.location.href = 'list.jsp?pageIndex=' + (p - 1) + '&type=1'; };</script>",
     "http://x.gov.cn/ly/list.jsp", "http://x.gov.cn/ly/list.jsp?pageIndex=1&type=1"),
    # a <select> jumper whose onchange builds the URL from the option's value
    ("共5页 <select onchange=\"location.href='list_'+this.options[this.selectedIndex].value+'.htm'\">"
     "<option value='1'>第1页</option><option value='2' selected>第2页</option><option value='3'>第3页</option>"
     "</select>", "http://x.gov.cn/ly/list_2.htm", "http://x.gov.cn/ly/list_3.htm"),
    # option values that are URLs
    ("<select onchange='location=this.value'><option value='p1.html'>1</option><option value='p2.html'>2</option>"
     "</select>", "http://x.gov.cn/ly/p1.html", "http://x.gov.cn/ly/p2.html"),
    # 共N页 and a 尾页 link: TRS-style numbering from 0 (index.html, index_1.html ... index_3.html) ...
    ("共4页 当前第1页 <a href='javascript:;'>下一页</a> <a href='index_3.html'>尾页</a>",
     "http://x.gov.cn/ms/index.html", "http://x.gov.cn/ms/index_1.html"),
    ("共4页 当前第3页 <a href='javascript:;'>下一页</a> <a href='index_3.html'>尾页</a>",
     "http://x.gov.cn/ms/index_2.html", "http://x.gov.cn/ms/index_3.html"),
    # ... or from 1 (index_4.html is page 4)
    ("共4页 当前第1页 <a href='javascript:;'>下一页</a> <a href='index_4.html'>尾页</a>",
     "http://x.gov.cn/ms/index.html", "http://x.gov.cn/ms/index_2.html"),
    # 开普-style createPageHTML with the container first and the record count last
    ("<script>createPageHTML('page_div', 3, 1, 'index', 'shtml', 15);</script>",
     "http://x.gov.cn/xx/index.shtml", "http://x.gov.cn/xx/index_2.shtml"),
    # data-page attributes read by a click handler
    ("<a href='javascript:;' data-page='2'>2</a><a href='javascript:;' data-page='3'>3</a>"
     "<script>$('.pg a').click(function () { location.href = '?pageNo=' + $(this).data('page'); });</script>",
     "http://x.gov.cn/xx/list.jsp", "http://x.gov.cn/xx/list.jsp?pageNo=2"),
    # a form sent by GET whose page field the function sets
    ("<form id='f' action='list.jsp' method='get'><input type='hidden' name='type' value='3'>"
     "<input type='hidden' id='curPage' name='curPage' value='1'></form><a href='javascript:goPage(2)'>下一页</a>"
     "<script>function goPage(p) { document.getElementById('curPage').value = p; document.forms[0].submit(); }</script>",
     "http://x.gov.cn/xx/list.jsp", "http://x.gov.cn/xx/list.jsp?type=3&curPage=2"),
    # a pager the script writes itself from its current page (TRS's document.write), counted from 0
    ("<script>var currentPage = 0; var countPage = 3;\nif (currentPage < countPage - 1) document.write("
     "'<a href=\"index_' + (currentPage + 1) + '.html\">下一页</a>');</script>",
     "http://x.gov.cn/xx/index.html", "http://x.gov.cn/xx/index_1.html"),
])
def test_a_javascript_pager_is_followed_by_the_pattern_the_page_shows(html: str, url: str, next_url: str) -> None:
    found = listing(html, url)
    assert found.next_url == next_url, found.next_rule
    assert found.unfollowable == []


@pytest.mark.parametrize("html", [
    # the function is in an external script: nothing shows how page 2's URL is made
    "<a href='javascript:goPage(2)'>2</a><a href='javascript:goPage(3)'>3</a><script src='/js/page.js'></script>",
    "<a href='javascript:void(0)' onclick='nextPage()'>下一页</a>",
    # a function building the URL in pieces: only a fragment ('_' + p) is shown, not the URL
    "<a href='javascript:goPage(2)'>下一页</a>"
    "<script>function goPage(p) { var u = 'index'; if (p > 1) u += '_' + p; location.href = u + '.shtml'; }</script>",
    # a form sent by POST
    "<form action='list.jsp' method='post'><input type='hidden' id='curPage' name='curPage' value='1'></form>"
    "<a href='javascript:goPage(2)'>下一页</a>"
    "<script>function goPage(p) { document.getElementById('curPage').value = p; document.forms[0].submit(); }</script>",
])
def test_a_javascript_pager_without_a_visible_pattern_is_counted_not_guessed(html: str) -> None:
    found = listing(html, "http://x.gov.cn/xx/list.jsp")
    assert found.next_url is None
    assert len(found.unfollowable) == 1


def test_no_page_past_the_last_one_the_page_names() -> None:
    last = listing(f"<span>共3页</span><a href='javascript:goPage(2)'>2</a><span class='current'>3</span>{GO_PAGE}",
                   "http://x.gov.cn/xjxd/index_3.shtml")
    assert (last.next_url, last.unfollowable) == (None, [])
    counted = listing("共4页 当前第4页 <a href='javascript:void(0)' onclick='nextPage()'>下一页</a>",
                      "http://x.gov.cn/ms/index_3.html")
    assert (counted.next_url, counted.unfollowable) == (None, [])
    trs = listing("<script>createPageHTML(3, 2, 'index', 'html');</script>", "http://x.gov.cn/xx/index_2.html")
    assert trs.next_url is None
    written = listing("<script>var currentPage = 2; var countPage = 3;\nif (currentPage < countPage - 1) "
                      "document.write('<a href=\"index_' + (currentPage + 1) + '.html\">下一页</a>');</script>",
                      "http://x.gov.cn/xx/index_2.html")
    assert written.next_url is None


JPAGE = ("<div id='20563'><script type='text/xml'><datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/"
         "dataproxy.jsp?page=1&webid=3&path=/&columnid=5521&unitid=20563&permissiontype=0\"></a>]]></nextgroup>"
         "<recordset>{records}</recordset><totalrecord>14</totalrecord></datastore></script>"
         "<script>$('#20563').jpage({{dataStore: dataStore, perPage: 3, groupSize: 2, "
         "proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: {{col: 1, appid: 1, webid: 3, path: '/', "
         "columnid: 5521, unitid: 20563, permissiontype: 0}}}});</script></div>")


def test_a_jcms_jpage_column_names_its_later_groups_from_dataproxy() -> None:
    records = "".join(f"<record><![CDATA[<li><a href=\"/art/2026/4/2/art_5521_{n}.html\">第{n}封来信的标题</a>"
                      "</li>]]></record>" for n in range(1, 7))
    found = listing(JPAGE.format(records=records), "http://x.gov.cn/col/col5521/index.html")
    assert len(found.entries) == 6
    query = "&perpage=3&col=1&appid=1&webid=3&path=%2F&columnid=5521&unitid=20563&permissiontype=0"
    assert found.more_urls == [f"http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}"
                               f"{query}" for start, end in ((7, 12), (13, 18))]
    without_total = JPAGE.replace("<totalrecord>14</totalrecord>", "").format(records=records)
    assert listing(without_total, "http://x.gov.cn/col/col5521/index.html").more_urls == []
    without_proxy = listing(JPAGE.replace("dataproxy.jsp", "proxy").format(records=records),
                            "http://x.gov.cn/col/col5521/index.html")
    assert (without_proxy.more_urls, without_proxy.unfollowable) == (
        [], ["jpage: 6 of 14 records in the <datastore>, no dataproxy.jsp request in the page"])


def test_a_dataproxy_answer_gives_its_records_as_letters() -> None:
    answer = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore><nextgroup><![CDATA[]]></nextgroup><recordset>'
              + "".join(f"<record><![CDATA[<li><a href=\"/art/2026/4/2/art_5521_{n}.html\">第{n}封来信的标题</a>"
                        f"<span>[2026-04-0{n}]</span></li>]]></record>" for n in (7, 8)) + "</recordset></datastore>")
    assert generic.is_datastore(answer)
    found = generic.read_records(answer, "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7")
    assert [(e.url, e.date_raw) for e in found.entries] == [
        (f"http://x.gov.cn/art/2026/4/2/art_5521_{n}.html", f"2026-04-0{n}") for n in (7, 8)]
    assert not generic.is_datastore("<html><body><script type='text/xml'><datastore></datastore></script></body></html>")
