"""Phrase banks for the demo county's texts: what people say about each topic.

Every core phrase names exactly one topic through words of ``data/lexicon/topics.yaml``
and no other topic, so a voice's texts can be built to mention only the concerns the
voice really has. ``check_banks`` verifies that promise against the lexicon itself,
because an innocent word such as 工作 or 小区 would otherwise leak a topic in.
"""
from __future__ import annotations

import random
from pathlib import Path

import yaml

LEXICON_PATH = Path(__file__).resolve().parents[1] / "lexicon" / "topics.yaml"


def load_topic_words(path: Path = LEXICON_PATH) -> dict[str, list[str]]:
    """Topic code -> lexicon words, in the lexicon's order (the order of every output)."""
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return {code: list(entry["words"]) for code, entry in raw.items()}


def topics_in(text: str, words: dict[str, list[str]]) -> set[str]:
    """Topics whose words occur in the text as substrings (stricter than token matching)."""
    return {code for code, ws in words.items() if any(w in text for w in ws)}


# Core phrases: colloquial, one topic each; "u" urban, "r" rural speakers.
CORE: dict[str, dict[str, list[str]]] = {
    "healthcare": {
        "r": ["看病要跑到县里，一趟下来大半天", "村里卫生室经常没人，村医一个人忙不过来",
              "新农合报销比例能不能再提高一点", "慢性病的药费一个月好几百，负担太重",
              "镇卫生院看不了大病，还得往县医院跑", "医保报销手续太麻烦了"],
        "u": ["县医院挂号排队太久了", "孩子半夜发烧去医院，急诊就一个医生",
              "医保报销的流程希望能简化", "好点的医生都在县医院，社区看病不方便",
              "慢性病开药每次都要排半天队", "希望县医院多开几个专家门诊，就医太难"],
    },
    "eldercare": {
        "r": ["村里留守老人多，老人没人照顾", "镇上的敬老院床位太少了",
              "养老金一个月就一百多块，不够用", "希望村里办个日间照料中心，老人能有个地方吃饭",
              "老年人腿脚不好，平时也没人管"],
        "u": ["社区的养老服务跟不上", "家里老人需要护理，请人太贵了", "县里的养老院排不上号",
              "希望社区多建几个日间照料点，再搞个助餐食堂", "老年人活动的地方太少"],
    },
    "education": {
        "u": ["孩子上学的学位太紧张了", "幼儿园收费太高，公办的又进不去", "学区划分年年变，家长心里没底",
              "校外辅导班乱收费", "学校门口接送孩子太乱", "补课之风刹不住，孩子太累"],
        "r": ["村小撤了以后孩子上学要走好远", "希望恢复校车，孩子天不亮就得出门",
              "村里的学校留不住老师", "孩子入学的手续跑了好几趟"],
    },
    "employment": {
        "u": ["大学毕业回来找工作太难了", "两个月没发钱了，拖欠工资找谁管", "县里招聘岗位太少",
              "厂子裁员，一家人没了收入", "想创业，贷款门槛太高"],
        "r": ["地里挣不到钱，年轻人都出去务工了", "在外面打工被拖欠工资，一直要不回来",
              "希望在镇上多办点厂，家门口就能就业", "农闲的时候找不到工作"],
    },
    "housing": {
        "u": ["房价涨得太快，年轻人买不起房", "每个月还房贷压力太大", "物业不管事，收了钱不干活",
              "租房的价格一年一个样", "公积金提取手续太复杂", "我们小区的电梯三天两头坏"],
        "r": ["家里的房子是危房，危房改造一直没轮到我们", "住房条件太差，一下雨就漏",
              "想在县城买房，房价太高"],
    },
    "transport": {
        "u": ["老城区停车太难，天天转好几圈", "上下班高峰堵车堵得厉害", "公交车太少，等半个小时来一趟",
              "新城那边的红绿灯设置不合理", "路灯坏了好久没人修"],
        "r": ["村里的路面太烂了，下雨没法走", "农村公路年久失修，坑坑洼洼", "村道太窄，两辆车错不开",
              "去县城的班车一天就两趟", "什么时候给我们村修路"],
    },
    "environment": {
        "u": ["楼下饭馆的油烟太大", "晚上工地噪音吵得睡不着", "河边有臭味，好像有人偷排污水",
              "垃圾清运不及时，夏天味道很大"],
        "r": ["村口的垃圾堆了好久没人清", "养殖场的臭味太大了", "河水被污染了，鱼都死了",
              "附近厂子排污，庄稼都受影响"],
    },
    "social_security": {
        "r": ["低保评定不公平，真正困难的没评上", "家里有残疾人，救助申请一直没批下来",
              "五保户的待遇能不能提高", "困难户的补贴迟迟没发"],
        "u": ["社保断缴了不知道怎么补", "个人交社保太贵了", "低保的申请条件能不能说清楚",
              "临时救助到底怎么申请"],
    },
    "public_safety": {
        "u": ["楼道里的电动车被盗了好几辆", "家里老人接到诈骗电话被骗了钱", "夜市经常有人打架",
              "路口的监控坏了好久"],
        "r": ["村里最近小偷多，丢了好几只羊", "希望村里装几个监控", "派出所离得太远，报警半天才来",
              "有人上门推销保健品，其实是诈骗"],
    },
    "agriculture": {
        "r": ["今年玉米收购价太低，种地不挣钱", "水渠年久失修，灌溉跟不上", "化肥一年比一年贵",
              "土地流转的钱好几年没给", "农机不够用，抢收的时候排不上", "粮价太低了，辛苦一年白干"],
        "u": ["老家的农产品卖不出去，价钱太低", "回老家帮家里收庄稼，粮价太低了"],
    },
    "governance": {
        "u": ["去窗口办事来回跑了好几趟", "办证的材料要求能不能一次说清楚", "有的部门互相推诿",
              "审批太慢了，等了两个月", "政务服务中心中午没人"],
        "r": ["村务公开不及时，账目看不到", "村干部不作为，反映了也没用", "办证要跑好几趟县城",
              "打通最后一公里说了好久"],
    },
    "prices": {
        "u": ["菜价涨得厉害", "燃气费又涨价了", "物价涨了，收入没涨", "水费电费都在涨",
              "冬天的取暖费太贵"],
        "r": ["油价太高，开三轮都开不起", "电费比城里还贵", "冬天买煤，取暖费太贵", "菜价一天一个样"],
    },
}

TITLES: dict[str, list[str]] = {
    "healthcare": ["关于看病难的问题", "医保报销能否简化", "希望改善就医条件", "慢性病药费负担重"],
    "eldercare": ["老人没人照顾怎么办", "关于养老院床位的建议", "养老金能否提高", "建议建设日间照料中心"],
    "education": ["孩子上学难", "关于学区划分的疑问", "幼儿园入园难", "希望恢复校车"],
    "employment": ["拖欠工资谁来管", "找工作太难", "关于县里招聘的建议", "希望家门口就业"],
    "housing": ["物业收钱不干活", "房价太高了", "危房改造什么时候轮到我们", "公积金提取咨询"],
    "transport": ["停车难问题", "高峰期堵车严重", "公交班次太少", "村道什么时候修",
                  "农村公路坑洼难行", "去县城的班车太少"],
    "environment": ["饭馆油烟扰民", "垃圾清运不及时", "河道污染问题", "工地噪音扰民"],
    "social_security": ["低保评定不公平", "救助申请迟迟没结果", "社保补缴咨询", "困难户补贴没发"],
    "public_safety": ["电动车被盗", "防诈骗宣传要加强", "建议加装监控", "治安问题"],
    "agriculture": ["收购价太低", "水渠失修影响灌溉", "土地流转款拖欠", "粮价太低不挣钱"],
    "governance": ["办事来回跑", "窗口人员态度差", "审批太慢", "村务公开不及时"],
    "prices": ["菜价太高", "燃气费涨价", "取暖费太贵", "物价上涨"],
}
_RURAL_TITLES = {"村道什么时候修", "农村公路坑洼难行", "去县城的班车太少"}

PREFIXES = ["", "", "说实话，", "反映一个情况：", "大家好，", "想问一下，", "我想说说，", "说句心里话，"]
SUFFIXES = ["。", "，希望有关部门重视。", "，大家怎么看？", "，真是太难了。", "，什么时候能解决？",
            "，请领导关注一下。", "！"]
REPLY_LEADS = ["同感，", "我也是，", "楼主说得对，", "说到这个，", "补充一下，", "", "", "唉，"]
FILLERS = ["顶", "同意楼上", "支持楼主", "路过", "顶一下，希望有人管管", "+1"]
LETTER_OPEN = ["尊敬的县长：您好！", "县长您好！", "领导好，", "您好，"]
LETTER_CLOSE = ["恳请领导帮忙解决，谢谢！", "希望能尽快给个答复。", "麻烦领导过问一下。", "盼复。"]
REPLY_TEXTS = [
    "您好！您反映的问题已收悉。经核实，我们已将有关情况转交相关单位研究处理，后续进展将及时向您反馈。感谢您对我县的关心和支持。",
    "来信人您好：来信收悉，我们高度重视，已安排专人核实了解情况，并将依法依规妥善处理。如有疑问，可来电咨询。",
    "您好，感谢您的来信。您提出的意见很有参考价值，我们将认真研究，积极改进。",
]
# Units that answer letters; named so that no topic word sits in the reply block.
REPLY_UNITS = ["县卫健局", "县民政局", "县教体局", "县人社局", "县住建局", "县公路段",
               "县环保局", "县公安局", "县农业农村局", "县信访局", "县发改局", "县委督查室"]
RULES_TEXT = "请文明发言，不得发布广告、谩骂和违法信息，违者删帖。欢迎大家理性讨论身边的民生话题。"

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
                "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_MALE = list("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国志文亮成")
GIVEN_FEMALE = list("芳娜敏静丽艳娟霞秀英玲桂兰萍红梅琳燕彩春菊凤洁琴云莲雪婷慧倩颖")

NICK_PREFIX_REGION = {"城关镇": "城关", "河西镇": "河西", "青山镇": "青山", "柳林乡": "柳林", "石门乡": "石门"}
NICK_PREFIX_OTHER = ["风中", "蓝天", "快乐", "平凡", "阳光", "小城", "老街", "西北", "追梦", "清风"]


def nickname(rng: random.Random, region: str, age: int, sex: str) -> str:
    """A pseudonym-like nickname that fits the person (a forum shows no real name)."""
    prefix = NICK_PREFIX_REGION[region] if rng.random() < 0.6 else rng.choice(NICK_PREFIX_OTHER)
    surname = rng.choice(SURNAMES[:30])
    if sex == "male":
        if age < 30:
            tail = rng.choice([f"小{surname}", "阿强", "小伙", "少年", "小哥"])
        elif age < 45:
            if rng.random() < 0.3:
                return rng.choice(["奶爸", "老爸"]) + rng.choice(["阿强", "阿军", f"老{surname}", "大刘"])
            tail = rng.choice([f"{surname}哥", "大哥", f"老{surname}"])
        elif age < 60:
            tail = rng.choice([f"老{surname}", "大叔", f"{surname}师傅"])
        else:
            tail = rng.choice([f"老{surname}头", "大爷", f"老{surname}"])
    else:
        if age < 30:
            tail = rng.choice(["小雨", "妹妹", "小燕", "丫头", f"小{surname}"])
        elif age < 45:
            if rng.random() < 0.3:
                return "宝妈" + rng.choice(["小雨", "阿敏", "晓燕", "丽丽"])
            tail = rng.choice([f"{surname}姐", "二姐", "大姐"])
        elif age < 60:
            tail = rng.choice(["大姐", "阿姨", f"{surname}嫂"])
        else:
            tail = rng.choice(["奶奶", "老太", f"{surname}婶"])
    return prefix + tail


def person_name(rng: random.Random, sex: str) -> str:
    """A fake Chinese name (surname plus one or two given characters)."""
    pool = GIVEN_MALE if sex == "male" else GIVEN_FEMALE
    given = "".join(rng.choice(pool) for _ in range(rng.choice([1, 2, 2])))
    return rng.choice(SURNAMES) + given


def _age_group(age: int) -> str:
    return "18-29" if age < 30 else "30-44" if age < 45 else "45-59" if age < 60 else "60+"


_ZH_TENS = "零一二三四五六七八九"


def age_cues(age: int, sex: str, urban: str) -> list[str]:
    """Ways a writer states their age; each one reads back as the writer's true age group.

    A generation (80后) reads as its middle year and "七十多岁" as 75, so those forms are
    offered only where that reading falls in the writer's own age group.
    """
    group = _age_group(age)
    cues = [f"我今年{age}岁", f"本人今年{age}岁"]
    decade = (2026 - age) % 100 // 10 * 10
    born = (2000 if decade < 50 else 1900) + decade + 5
    if _age_group(2026 - born) == group:
        cues += [f"我是{decade:02d}后", f"本人{decade:02d}后"]
    if _age_group(age // 10 * 10 + 5) == group:
        cues.append(f"我{_ZH_TENS[age // 10]}十多岁了")
    if age >= 60:
        if urban == "urban":
            cues += ["我是退休工人", "退休在家"]
        cues.append("我一个老太太" if sex == "female" else "我一个老头子")
    return cues


def sex_cues(age: int, sex: str) -> list[str]:
    """Ways a writer states their sex (宝妈/奶爸 also say 30-44, so only for that group)."""
    if sex == "female":
        return ["本人女", "我是女的"] + (["宝妈一个", "我是宝妈"] if 30 <= age <= 44 else [])
    return ["本人男", "我是男的"] + (["奶爸一枚", "我是奶爸"] if 30 <= age <= 44 else [])


def place_cues(place: str, urban: str) -> list[str]:
    """Ways a writer says where they live: the place by name, or 我们村 in a village."""
    cues = [f"我住{place}", f"我家在{place}"]
    if urban == "rural":
        return cues + [f"我们{place}这边", "我们村这边", "我们村的"]
    return cues + [f"我是{place}的"]


def core_phrase(rng: random.Random, topic: str, urban: str) -> str:
    """One core phrase for the topic, in the speaker's urban or rural register when there is one."""
    bank = CORE[topic]
    return rng.choice(bank["u" if urban == "urban" else "r"])


def title_for(rng: random.Random, topic: str, urban: str) -> str:
    """A short title naming the topic (rural road titles only for rural writers)."""
    pool = [t for t in TITLES[topic] if (t in _RURAL_TITLES) == (urban == "rural")] if topic == "transport" else TITLES[topic]
    return rng.choice(pool)


def check_banks(words: dict[str, list[str]]) -> None:
    """Fail loudly if a phrase names a topic other than its own (the lexicon may change)."""
    for topic, bank in CORE.items():
        for phrase in bank["u"] + bank["r"]:
            if topics_in(phrase, words) != {topic}:
                raise ValueError(f"core phrase {phrase!r} for {topic} codes as {sorted(topics_in(phrase, words))}")
    for topic, titles in TITLES.items():
        for title in titles:
            if topics_in(title, words) != {topic}:
                raise ValueError(f"title {title!r} for {topic} codes as {sorted(topics_in(title, words))}")
    neutral = (PREFIXES + SUFFIXES + REPLY_LEADS + FILLERS + LETTER_OPEN + LETTER_CLOSE + REPLY_TEXTS
               + REPLY_UNITS + [RULES_TEXT])
    for phrase in neutral:
        if topics_in(phrase, words):
            raise ValueError(f"neutral phrase {phrase!r} codes as {sorted(topics_in(phrase, words))}")
