"""Write the development Discuz! forum of a county's 网络问政 board: ``python tests/sites/dev_boards/discuz_gov/_generate.py``.

Discuz! X3.x pages (``forum-2-N.html`` thread lists, ``thread-T-P-1.html`` threads,
``#postlist > div#post_N``, sidebar ``td.pls``, message ``td.t_f``) where departments
answer citizens in the ways government-run forums mark it: an official user group,
the group only in the profile pop-up (``dl.pil``), a custom title (``p.xg1`` or
``<p><em>官方认证</em></p>``), a verification icon beside the name, a signature naming
the unit's reply account, an ``<em>回复单位：…</em>`` label, a post headed 【官方回复】, an answer box, an answer
edited into the opening post, a 点评 signed by a unit, a 网络问政 panel under the opening
post, and an administrator on page 2. Citizens quote and mention departments
("城管局回复说…", "昨天水务局答复：…"), wear medals and sit in ordinary groups.

``expected.json`` has the shape ``benchmarks/boards.py`` reads (one letter per thread,
its reply the department's answer) plus ``posts``: every post's id, page and whether
it is an official reply, and by which rule.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
FORUM = "县网络问政 - 同心论坛"


@dataclass
class Post:
    pid: int
    nick: str
    group: str  # the user-group link in the sidebar; "" prints none
    when: str
    html: str  # the message
    official: str | None = None  # the rule that should find it, None for a citizen
    pls: str = ""  # more sidebar markup (custom title, medals, profile pop-up, stars)
    authi: str = ""  # markup beside the name above the message (verification icons)
    plc: str = ""  # markup under the message (signature, 点评, 网络问政 panel)
    page: int = 1


@dataclass
class Thread:
    tid: int
    title: str
    posts: list[Post]
    body: str  # the citizen's words in the opening post
    reply: str | None  # the department's answer as the scorer should find it
    reply_unit: str | None
    pstatus: str = ""  # "本帖最后由 … 编辑" on the opening post


MEDAL = ('<p class="md_ctrl"><a href="home.php?mod=medal"><img src="static/image/common/medal6.gif" '
         'alt="优秀市民" title="优秀市民" /><img src="static/image/common/medal2.gif" alt="官方活动纪念章" '
         'title="官方活动纪念章" /></a></p>')
STARS = '<p><span><img src="static/image/common/star_level3.gif" alt="Rank: 5" /></span></p>'


def verify_icon(title: str) -> str:
    return ('<a href="home.php?mod=spacecp&amp;ac=profile&amp;op=verify&amp;vid=1" target="_blank">'
            f'<img src="data/attachment/common/vrf_1.gif" class="vm" alt="{title}" title="{title}" /></a>')


THREADS = [
    Thread(301, "小区门口路灯坏了三个月", [
        Post(8101, "夜归人", "注册会员", "2026-3-2 21:10", "小区门口的路灯坏了三个月，晚上老人出门摔了好几次。", pls=MEDAL + STARS),
        Post(8102, "县住建局问政", "职能部门", "2026-3-4 10:00",
             "您好，已安排维修人员于3月6日前修复路灯，感谢监督。", official="group"),
        Post(8103, "楼下邻居", "中级会员", "2026-3-4 12:30", "城管局回复说下周来修，结果还是没人管，我们这栋楼前面也是黑的。"),
        Post(8104, "论坛小编", "管理员", "2026-3-7 09:00", "本帖已转交相关部门，办理结果将在此公布。", official="group", page=2),
        Post(8105, "夜归人", "注册会员", "2026-3-7 20:00", "今天路灯亮了，谢谢！", page=2),
    ], "小区门口的路灯坏了三个月，晚上老人出门摔了好几次。", "您好，已安排维修人员于3月6日前修复路灯，感谢监督。", "职能部门"),
    Thread(302, "公交站台被占用", [
        Post(8201, "等车的人", "注册会员", "2026-3-10 07:40", "东关公交站台天天被三轮车占着，等车只能站在马路上。",
             authi=verify_icon("实名认证")),
        Post(8202, "交通小助手", "新手上路", "2026-3-11 16:05", "已通知运管所对东关站台周边进行清理，并安排人员早高峰值守。",
             official="verify", authi=verify_icon("政务认证")),
        Post(8203, "老司机", "高级会员", "2026-3-12 08:00", "希望能长期坚持，别一阵风。"),
    ], "东关公交站台天天被三轮车占着，等车只能站在马路上。", "已通知运管所对东关站台周边进行清理，并安排人员早高峰值守。", "政务认证"),
    Thread(303, "自来水发黄有异味", [
        Post(8301, "南街住户", "中级会员", "2026-4-1 19:20", "这一周家里自来水发黄，还有股怪味，不敢给孩子喝。",
             pls='<p class="xg1">热心网友</p>'),
        Post(8302, "水务小编", "中级会员", "2026-4-2 11:00", "经检测，系南街主管道冲洗所致，现已恢复正常，水质符合标准。",
             official="title", pls='<p class="xg1">县水务局官方账号</p>'),
        Post(8303, "隔壁老王", "注册会员", "2026-4-2 13:10", "昨天水务局答复：说是管道老化，要等改造。到底哪个说法对？"),
    ], "这一周家里自来水发黄，还有股怪味，不敢给孩子喝。", "经检测，系南街主管道冲洗所致，现已恢复正常，水质符合标准。",
        "县水务局官方账号"),
    Thread(304, "工地夜间施工扰民", [
        Post(8401, "失眠的人", "注册会员", "2026-4-8 23:40", "河滨路工地每天夜里十二点还在打桩，整栋楼都睡不着。"),
        Post(8402, "环保热线", "注册会员", "2026-4-10 09:30",
             "您好！经现场检查，该工地未办理夜间施工许可，已责令停止夜间作业。<br /><em>回复单位：县生态环境局</em>",
             official="label"),
    ], "河滨路工地每天夜里十二点还在打桩，整栋楼都睡不着。", "您好！经现场检查，该工地未办理夜间施工许可，已责令停止夜间作业。",
        "县生态环境局"),
    Thread(305, "学校门口没有红绿灯", [
        Post(8501, "接娃的妈妈", "注册会员", "2026-4-12 08:10",
             "实验小学门口没有红绿灯，放学时车多人多，很危险。<br /><br />【官方回复】县教育局：已会同交警部门勘查现场，"
             "将在学校门口增设信号灯和减速带。"),
        Post(8502, "路过", "中级会员", "2026-4-16 12:00", "支持，早该装了。"),
    ], "实验小学门口没有红绿灯，放学时车多人多，很危险。", "已会同交警部门勘查现场，将在学校门口增设信号灯和减速带。", "县教育局",
        pstatus="本帖最后由 问政小编 于 2026-4-15 10:00 编辑"),
    Thread(306, "乡卫生院看病难", [
        Post(8601, "山里人", "注册会员", "2026-5-3 10:00", "乡卫生院只有一个医生，早上排队到中午都看不上病。",
             plc=('<div class="wzpanel"><p class="zt">办理状态：<strong>已回复</strong></p><table class="hf">'
                  "<tr><th>回复单位</th><td>县卫生健康委员会</td></tr><tr><th>回复时间</th><td>2026-5-8 15:20</td></tr>"
                  "<tr><th>回复内容</th><td>已从县医院选派两名医生到乡卫生院坐诊，每周一至周五开诊。</td></tr></table></div>")),
        Post(8602, "同乡", "注册会员", "2026-5-9 09:00", "听说卫健委答复：下个月还要加人，希望是真的。"),
    ], "乡卫生院只有一个医生，早上排队到中午都看不上病。", "已从县医院选派两名医生到乡卫生院坐诊，每周一至周五开诊。",
        "县卫生健康委员会"),
    Thread(307, "菜市场垃圾没人清", [
        Post(8701, "买菜大妈", "注册会员", "2026-6-1 07:30", "西街菜市场门口的垃圾堆了三天没人清，苍蝇乱飞。",
             plc=('<div id="comment_8701" class="cm"><h3 class="psth xs1"><span class="icon_ring vm"></span>点评</h3>'
                  '<div class="pstl xs1 cl"><div class="psta vm"><a href="home.php?mod=space&amp;uid=88" class="xi2 xw1">'
                  '县城市管理局</a></div><div class="psti">已安排环卫车辆当日清运，并增加每日清运频次。'
                  '<span class="xg1">发表于 2026-6-2 09:30</span></div></div></div>')),
        Post(8702, "摊主老李", "中级会员", "2026-6-2 10:00", "今天早上已经拉走了。",
             plc=('<div id="comment_8702" class="cm"><h3 class="psth xs1">点评</h3><div class="pstl xs1 cl">'
                  '<div class="psta vm"><a href="home.php?mod=space&amp;uid=90" class="xi2 xw1">路人甲</a></div>'
                  '<div class="psti">确实拉走了<span class="xg1">发表于 2026-6-2 11:00</span></div></div></div>')),
    ], "西街菜市场门口的垃圾堆了三天没人清，苍蝇乱飞。", "已安排环卫车辆当日清运，并增加每日清运频次。", "县城市管理局"),
    Thread(308, "路口电动车乱闯红灯", [
        Post(8801, "开车的", "注册会员", "2026-6-10 18:00", "人民路口电动车闯红灯太多了，差点撞上。"),
        Post(8802, "网络问政小编", "注册会员", "2026-6-12 09:00",
             '<div class="reply_wrap"><h3>部门回复</h3><p>县公安局交警大队：将在人民路口增派警力，对电动车闯红灯开展专项整治。</p></div>',
             official="box"),
        Post(8803, "开车的", "注册会员", "2026-6-13 08:00",
             '<div class="quote"><blockquote><font size="2"><a href="forum.php?mod=redirect&amp;goto=findpost&amp;pid=8802">'
             '<font color="#999999">网络问政小编 发表于 2026-6-12 09:00</font></a></font><br />将在人民路口增派警力</blockquote>'
             "</div>希望说到做到，晚高峰也要管。"),
    ], "人民路口电动车闯红灯太多了，差点撞上。", "将在人民路口增派警力，对电动车闯红灯开展专项整治。", "县公安局交警大队"),
    Thread(309, "社保卡补办要跑三趟", [
        Post(8901, "上班族", "注册会员", "2026-7-1 12:00", "社保卡丢了去补办，材料前后跑了三趟才齐，能不能一次说清楚？",
             plc='<div class="sign">生活不止眼前的苟且</div>'),
        Post(8902, "人社服务", "注册会员", "2026-7-3 10:00", "您好，社保卡补办现已实行一次告知，可在政务服务网上预约办理。",
             official="signature", plc='<div class="sign">县人社局网络问政回复专用</div>'),
    ], "社保卡丢了去补办，材料前后跑了三趟才齐，能不能一次说清楚？", "您好，社保卡补办现已实行一次告知，可在政务服务网上预约办理。",
        "县人社局"),
    Thread(310, "村里自来水又停了", [
        Post(9001, "杨庄村民", "注册会员", "2026-7-5 06:30", "杨庄村自来水又停了两天，村里老人只能去井里挑水。"),
        Post(9002, "供水服务", "", "2026-7-6 14:00", "已派抢修队更换杨庄村损坏的供水管道，今日下午恢复供水。",
             official="group", pls='<dl class="pil cl"><dt>用户组</dt><dd>政府部门</dd><dt>积分</dt><dd>120</dd></dl>'),
    ], "杨庄村自来水又停了两天，村里老人只能去井里挑水。", "已派抢修队更换杨庄村损坏的供水管道，今日下午恢复供水。", "政府部门"),
    Thread(311, "农贸市场缺少停车位", [
        Post(9101, "赶集的", "中级会员", "2026-8-1 09:00", "农贸市场周边没有停车位，赶集的车停满了路两边。"),
        Post(9102, "城关镇", "", "2026-8-3 15:00", "城关镇已在市场东侧空地规划临时停车场，月底前投入使用。",
             official="title", pls="<p><em>官方认证</em></p>"),
    ], "农贸市场周边没有停车位，赶集的车停满了路两边。", "城关镇已在市场东侧空地规划临时停车场，月底前投入使用。", "官方认证"),
    Thread(312, "广场舞噪音太大", [
        Post(9201, "三楼住户", "注册会员", "2026-8-20 21:00", "小区广场每晚跳舞音响开到最大，孩子没法写作业。"),
        Post(9202, "跳舞的阿姨", "中级会员", "2026-8-21 08:00", "我们已经把音量调小了，大家互相体谅。", pls=MEDAL),
        Post(9203, "三楼住户", "注册会员", "2026-8-22 21:30", "城管局回复说这事归街道管，街道又说归派出所，踢皮球。"),
    ], "小区广场每晚跳舞音响开到最大，孩子没法写作业。", None, None),
    Thread(313, "老旧小区加装电梯", [
        Post(9301, "六楼老人", "注册会员", "2026-9-1 10:00", "我们小区都是六层楼，老人上下楼太难，想问加装电梯有没有补贴。"),
        Post(9302, "问政回复", "注册会员", "2026-9-4 16:00",
             "【官方回复】<br />县住房和城乡建设局：老旧小区加装电梯每台补贴二十万元，可由业主委员会向街道提出申请。",
             official="opening"),
    ], "我们小区都是六层楼，老人上下楼太难，想问加装电梯有没有补贴。",
        "老旧小区加装电梯每台补贴二十万元，可由业主委员会向街道提出申请。", "县住房和城乡建设局"),
]


def post_html(post: Post) -> str:
    group = (f'<p><em><a href="home.php?mod=spacecp&amp;ac=usergroup&amp;gid=10" target="_blank">{post.group}</a></em></p>'
             if post.group else "")
    return (f'<div id="post_{post.pid}"><table id="pid{post.pid}" class="plhin" cellspacing="0" cellpadding="0"><tr>'
            f'<td class="pls" rowspan="2"><div id="favatar{post.pid}" class="pls favatar"><div class="pi">'
            f'<div class="authi"><a href="home.php?mod=space&amp;uid={post.pid}" target="_blank" class="xw1">{post.nick}</a>'
            f"</div></div>{group}{post.pls}</div></td>"
            f'<td class="plc"><div class="pi"><strong><a href="#">#</a></strong><div class="pti"><div class="authi">'
            f'<img class="authicn vm" src="static/image/common/online_member.gif" />{post.authi}'
            f'<em id="authorposton{post.pid}">发表于 {post.when}</em></div></div></div>'
            f'<div class="pct"><div class="pcb">{{pstatus}}<div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr>'
            f'<td class="t_f" id="postmessage_{post.pid}">{post.html}</td></tr></table></div></div></div>{post.plc}</td>'
            "</tr></table></div>")


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8" /><title>{title} - {FORUM}</title></head>'
            f'<body><div id="wp" class="wp">{body}</div></body></html>')


def thread_pages(thread: Thread) -> dict[str, str]:
    pages = sorted({p.page for p in thread.posts})
    out = {}
    for number in pages:
        posts = []
        for post in (p for p in thread.posts if p.page == number):
            html = post_html(post)
            first = post is thread.posts[0]
            pstatus = f'<i class="pstatus"> {thread.pstatus} </i><br />' if first and thread.pstatus else ""
            posts.append(html.replace("{pstatus}", pstatus))
        nxt = (f'<div class="pg"><strong>{number}</strong><a href="thread-{thread.tid}-{number + 1}-1.html" class="nxt">下一页</a></div>'
               if number < pages[-1] else "")
        head = f'<h1 class="ts"><span id="thread_subject">{thread.title}</span></h1>' if number == 1 else ""
        out[f"thread-{thread.tid}-{number}-1.html"] = page(thread.title, f'{head}<div id="postlist">{"".join(posts)}</div>{nxt}')
    return out


def list_pages() -> dict[str, str]:
    halves = [THREADS[:7], THREADS[7:]]
    out = {}
    for index, threads in enumerate(halves, start=1):
        rows = "".join(f'<tbody id="normalthread_{t.tid}"><tr><th class="new"><a href="thread-{t.tid}-1-1.html" '
                       f'class="s xst">{t.title}</a></th><td class="by"><cite>{t.posts[0].nick}</cite></td></tr></tbody>'
                       for t in threads)
        sticky = ('<tbody id="stickthread_300"><tr><th><a href="thread-300-1-1.html" class="s xst">'
                  "【置顶】网络问政版块发帖须知</a></th></tr></tbody>") if index == 1 else ""
        nxt = (f'<div class="pg"><a href="forum-2-{index + 1}.html" class="nxt">下一页</a></div>'
               if index < len(halves) else "")
        out[f"forum-2-{index}.html"] = page("县网络问政",
                                            f'<table id="threadlisttableid">{sticky}{rows}</table>{nxt}')
    return out


def expected() -> dict[str, object]:
    letters = []
    for t in THREADS:
        opening = t.posts[0]
        letters.append({
            "url": f"thread-{t.tid}-1-1.html", "title": t.title, "author": opening.nick,
            "date": "{}-{:02d}-{:02d}".format(*map(int, opening.when.split()[0].split("-"))),
            "body": t.body, "reply": t.reply, "reply_unit": t.reply_unit,
            "status": "replied" if t.reply else "pending",
        })
    embedded = {305: "edited", 306: "panel", 307: "comment"}  # answers inside or beside the opening post
    posts = [{"thread": t.tid, "pid": p.pid, "page": p.page, "author": p.nick, "official": p.official}
             for t in THREADS for p in t.posts]
    return {
        "board": "discuz_gov", "profile": "discuz",
        "layout": "Discuz! X3 网络问政 board: official replies marked by group, pop-up group, custom title, "
                  "verification icon, signature, 回复单位 label, answer box, edited-in answer, 点评, panel",
        "encoding": "utf-8", "list_pages": ["forum-2-1.html"], "letters": letters, "posts": posts,
        "answers_in_opening_post": {str(tid): rule for tid, rule in embedded.items()},
    }


def main() -> None:
    files = {**list_pages()}
    for thread in THREADS:
        files.update(thread_pages(thread))
    for name, html in files.items():
        (ROOT / name).write_text(html, encoding="utf-8")
    (ROOT / "expected.json").write_text(json.dumps(expected(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
