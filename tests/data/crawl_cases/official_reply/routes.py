"""A government-run forum thread where a department and an administrator answer citizens."""

H = {"Content-Type": "text/html; charset=utf-8"}


def page(title, body):
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} - 同心问政</title></head>'
            f"<body>{body}</body></html>").encode("utf-8")


def post(pid, nick, group, when, html):
    return (f'<div id="post_{pid}"><table id="pid{pid}"><tr><td class="pls"><div class="authi">'
            f'<a href="space-uid-{pid}.html" class="xw1">{nick}</a></div>'
            f'<p><em><a href="home.php?mod=spacecp&amp;ac=usergroup&amp;gid=10">{group}</a></em></p></td>'
            f'<td class="plc"><div class="authi"><em id="authorposton{pid}">发表于 {when}</em></div>'
            f'<div class="t_fsz"><table><tr><td class="t_f" id="postmessage_{pid}">{html}</td></tr></table></div>'
            "</td></tr></table></div>")


LIST = page("百姓问政", '<table id="threadlisttableid"><tbody id="normalthread_201"><tr><th>'
            '<a href="thread-201-1-1.html" class="s xst">小区门口路灯坏了三个月</a></th></tr></tbody></table>')
PAGE1 = page("小区门口路灯坏了三个月", '<h1 class="ts"><span id="thread_subject">小区门口路灯坏了三个月</span></h1>'
             '<div id="postlist">'
             + post(7001, "夜归人", "注册会员", "2026-3-2 21:10", "小区门口的路灯坏了三个月，晚上老人出门摔了好几次。")
             + post(7002, "同心县住建局", "官方认证", "2026-3-4 10:00",
                    "回复单位：县住建局<br />您好，已安排维修人员于3月6日前修复路灯，感谢监督。")
             + post(7003, "楼下邻居", "中级会员", "2026-3-4 12:30", "我们这栋楼前面也是黑的，一起修一下吧。")
             + '</div><div class="pg"><a href="thread-201-2-1.html" class="nxt">下一页</a></div>')
PAGE2 = page("小区门口路灯坏了三个月", '<div id="postlist">'
             + post(7004, "论坛小编", "管理员", "2026-3-7 09:00", "本帖已转交相关部门，办理结果将在此公布。")
             + post(7005, "夜归人", "注册会员", "2026-3-7 20:00", "今天路灯亮了，谢谢！")
             + "</div>")
ROUTES = {"/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
          "/forum-3-1.html": (200, H, LIST), "/thread-201-1-1.html": (200, H, PAGE1),
          "/thread-201-2-1.html": (200, H, PAGE2)}
