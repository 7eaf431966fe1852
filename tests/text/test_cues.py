from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from opinion.errors import InputError
from opinion.text import cues
from opinion.text.cues import (
    chinese_number,
    evaluate_blind,
    evaluate_blind_rules,
    evaluate_cues,
    extract_cues,
    find_cues,
    load_gazetteer,
    read_cues,
)
from opinion.text.segment import normalize
from tests.helpers import TEST_DATA

DATA = TEST_DATA
TODAY = date(2026, 6, 1)


def test_self_stated_age_and_group() -> None:
    cues = extract_cues("我今年72岁，村里的路没法走", today=TODAY)
    assert cues["age"].value == 72
    assert cues["age"].rule == "self_age"
    assert cues["age_group"].value == "60+"
    assert cues["urban"].value == "rural"


def test_chinese_numerals_and_approximate_ages() -> None:
    assert chinese_number("七十二") == 72
    assert chinese_number("十五") == 15
    assert chinese_number("一百零二") == 102
    assert extract_cues("今年七十二岁，身体还行", today=TODAY)["age"].value == 72
    assert extract_cues("我今年七十多岁了", today=TODAY)["age"].value == 75


def test_generation_uses_today() -> None:
    assert extract_cues("我是80后", today=date(2026, 1, 1))["age"].value == 2026 - 1985
    assert extract_cues("我是80后", today=date(2030, 1, 1))["age"].value == 2030 - 1985


def test_other_peoples_ages_are_not_the_writers() -> None:
    assert extract_cues("孩子今年8岁，我爸退休了", today=TODAY) == {}


def test_conflicting_sex_is_left_out_and_recorded() -> None:
    result = find_cues("本人女，奶爸一枚", today=TODAY)
    assert "sex" not in result.cues
    assert sorted(c.value for c in result.conflicts["sex"]) == ["female", "male"]
    assert result.cues["age_group"].value == "30-44"


def test_gazetteer_place_then_town(tmp_path: Path) -> None:
    gaz = load_gazetteer(DATA / "gazetteer.csv")
    assert gaz.lookup("东关社区") == ("城关镇", "urban")
    assert gaz.lookup("不存在村") is None
    cues = extract_cues("我住在杨家湾村，路不好走", gaz, today=TODAY)
    assert (cues["region"].value, cues["place"].value, cues["urban"].value) == ("河西镇", "杨家湾村", "rural")
    town = extract_cues("青山镇的班车太少", gaz, today=TODAY)
    assert town["region"].value == "青山镇"
    assert "urban" not in town and "place" not in town


def test_gazetteer_urban_against_village_talk_conflicts() -> None:
    gaz = load_gazetteer(DATA / "gazetteer.csv")
    result = find_cues("我住东关社区，我们村以前的地都征了", gaz, today=TODAY)
    assert "urban" in result.conflicts


def test_bad_gazetteer(tmp_path: Path) -> None:
    bad = tmp_path / "gaz.csv"
    bad.write_text("region,place,urban\n城关镇,东关社区,海边\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"gaz.csv line 2: urban '海边'"):
        load_gazetteer(bad)
    missing = tmp_path / "cols.csv"
    missing.write_text("region,place\n城关镇,东关社区\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        load_gazetteer(missing)


def test_occupation_cues() -> None:
    farmer = extract_cues("我在家务农，今年玉米价格太低了。", today=TODAY)
    assert (farmer["occupation"].value, farmer["occupation"].rule, farmer["urban"].value) == ("farmer", "farmer", "rural")
    assert extract_cues("俺一个老汉，种了一辈子地。", today=TODAY)["occupation"].value == "farmer"
    migrant = extract_cues("本人常年在外务工，家里的老人没人照顾。", today=TODAY)
    assert migrant["occupation"].value == "migrant_worker" and "urban" not in migrant
    retired = extract_cues("作为一名退休干部，我建议多建几个老年活动中心。", today=TODAY)
    assert retired["occupation"].value == "retired" and retired["age_group"].value == "60+"
    text = "我是一名农民工，工资被拖欠。"
    cues = extract_cues(text, today=TODAY)
    assert cues["occupation"].value == "migrant_worker" and "urban" not in cues
    span = cues["occupation"].span
    assert "农民工" in text[span[0]:span[1]]


@pytest.mark.parametrize("text", [
    "我爸在家种地，一年到头挣不了几个钱。", "我们村的年轻人都外出打工了。", "单位说我还差两年才能退休。",
    "我父亲是退休工人，住院押金太高了。", "我哥在外务工，嫂子一个人带孩子。",
])
def test_other_peoples_occupations_are_not_the_writers(text: str) -> None:
    assert "occupation" not in extract_cues(text, today=TODAY)


# Rows of cues_labelled.csv labelled when no rule read the town, 45-59 or a wife's 孩子他爸:
# their blanks said "no rule reads this", not "the text does not say". Relabelled here by
# the blind set's written conventions (tests/data/blind/topics/README.md: 我们小区, 业主,
# 物业, 社区 -> urban; 快六十 -> 55-59; 孩子他爸 -> female), as the file may only gain rows.
RELABELLED: dict[str, dict[str, str]] = {
    "尊敬的领导：我是退休工人，小区加装电梯的事拖了两年了。": {"urban": "urban"},
    "物业费年年涨，服务却越来越差，业主们都很不满。": {"urban": "urban"},
    "我们小区门口的红绿灯坏了一周了。": {"urban": "urban"},
    "我是一名退休教师，对社区的文化活动很满意。": {"urban": "urban"},
    "我是个女生，一个人租房，希望加强小区安保。": {"urban": "urban"},
    "我们这个小区物业不作为，垃圾堆了好几天。": {"urban": "urban"},
    "退休以后我每天带孙子，社区没有托管班。": {"urban": "urban"},
    "老两口都退休了，住的是老小区，没有电梯。": {"urban": "urban"},
    "我们小区的老人大多是退休职工。": {"urban": "urban"},
    "本人退休教师，反映小区停车难的问题。": {"urban": "urban"},
    "快六十了，还在工地干活，工资经常拖欠。": {"age_group": "45-59"},
    "单位说我还差两年才能退休，社保交不够。": {"age_group": "45-59"},
    "孩子他爸在外面打工，一年回来一次。": {"sex": "female"},
}


def _scores(attribute: str, relabelled: bool = False) -> tuple[float, float]:
    with (DATA / "cues_labelled.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 120
    tp = fp = fn = 0
    for row in rows:
        cue = extract_cues(row["text"], today=TODAY).get(attribute)
        label = RELABELLED.get(row["text"], {}).get(attribute, row[attribute]) if relabelled else row[attribute]
        got, want = (cue.value if cue else None), (label or None)
        if got is not None:
            tp += got == want
            fp += got != want
        if want is not None and got != want:
            fn += 1
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize(("attribute", "min_precision", "min_recall"),
                         [("age_group", 0.95, 0.9), ("sex", 0.92, 0.85), ("urban", 0.95, 0.88),
                          ("occupation", 0.95, 0.85)])
def test_precision_recall_on_labelled_sample(attribute: str, min_precision: float, min_recall: float) -> None:
    precision, recall = _scores(attribute, relabelled=True)
    assert precision >= min_precision, f"{attribute} precision {precision:.3f}"
    assert recall >= min_recall, f"{attribute} recall {recall:.3f}"


# One text per way of saying each cue, beside the labelled samples.
RULE_EXAMPLES = [
    "我家承包了五十亩地。", "本人80后，宝妈。", "我今年七十多岁了", "我住在市区，上班近", "我是准妈妈，想问产检",
    "我们一家住在市中心", "在城区安家十年了", "我是独生子，父母都靠我", "作为大老爷们不该抱怨", "当娘的都心疼",
    "俺婆姨在家带娃", "孩子他娘身体不好", "俺家老婆子腿疼", "我们这些老头", "在哺乳期被辞退", "坐月子没人管",
    "联系人：刘女士 138****1234", "我七十四，老伴走了", "都七十多了，没人管", "一九六一年生，今年住院", "我快要退休了",
    "离退休还差三年", "我是大三的学生", "我们姐妹俩轮流照顾", "我们兄弟俩轮流照顾", "作为儿媳妇我也尽力了",
    "楼上楼下都漏水", "我家住在五楼", "小区没有电梯", "电梯费又涨了", "物管不作为", "WY不管事", "网格员上门登记",
    "街道办说不归他们管", "集中供暖不热", "我们乡下的路", "俺们那个村小", "通村公路修好了", "地头堆满了秸秆",
    "我家门前的宅基地被占了", "在乡下中学教书二十年", "我是村里的医生",
]


def _sample_texts() -> list[str]:
    texts = []
    for path in (DATA / "cues_labelled.csv", DATA / "tone_labelled.csv", DATA / "blind" / "topics" / "dev.csv"):
        with path.open(encoding="utf-8") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
    return texts + RULE_EXAMPLES


def test_needles_only_skip_rules_that_cannot_fire(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _sample_texts()
    fast = [find_cues(t, today=TODAY) for t in texts]
    monkeypatch.setattr(cues, "_NEEDLES", {})
    # the empty string occurs in every text: every age pattern runs
    monkeypatch.setattr(cues, "_AGE_RULES", tuple((rule, ("",), p) for rule, _, p in cues._AGE_RULES))
    monkeypatch.setattr(cues, "_GENERATION_NEEDLES", ("",))
    assert [find_cues(t, today=TODAY) for t in texts] == fast


def test_start_lookaheads_change_no_match() -> None:
    texts = [normalize(t) for t in _sample_texts()]
    assert len(cues._FAST) >= 30
    sped_up = 0
    for plain, fast in cues._FAST.items():
        sped_up += fast is not plain
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], plain.pattern
    assert sped_up >= 20


def test_evaluate_cues_agrees_with_the_tests_own_count(tmp_path: Path) -> None:
    scores = evaluate_cues(DATA / "cues_labelled.csv", today=TODAY)
    for attribute in ("age_group", "sex", "urban", "occupation"):
        precision, recall = _scores(attribute)
        assert scores[attribute]["precision"] == round(precision, 3)
        assert scores[attribute]["recall"] == round(recall, 3)
    with pytest.raises(InputError, match="no column 'region'"):
        evaluate_cues(DATA / "cues_labelled.csv", ["region"], today=TODAY)


# -- every level has rules of its own; mentioned is not lived in ---------------------------

def _read(text: str, attribute: str) -> tuple[str | int, str] | None:
    """(value, rule) of the attribute read from ``text``, None when it is unknown."""
    cue = extract_cues(text, today=TODAY).get(attribute)
    return (cue.value, cue.rule) if cue else None


def test_urban_home() -> None:
    for text in ("我们小区门口的路灯坏了", "小区里老丢东西", "我们单元的楼道堆满了电动车", "住在纺织厂家属院三十多年了",
                 "楼上漏水到我家三个月了", "住六楼，腿不行，下不了楼", "老旧小区加装电梯的事拖了两年", "我住在城中村，房租便宜"):
        assert _read(text, "urban") == ("urban", "urban_home"), text
    for text in ("我妈住的小区没有电梯", "县城的小区房价太高", "想买个小区房，首付还差十万",
                 "出租：城北锦华小区两室一厅，拎包入住", "医院电梯坏了，病人只能走楼梯", "楼下新开的火锅店油烟大"):
        assert _read(text, "urban") is None, text


def test_urban_owner() -> None:
    for text in ("物业费年年涨，服务越来越差", "业主们多次申请成立业委会", "wy就知道收钱不知道换水"):
        assert _read(text, "urban") == ("urban", "urban_owner"), text
    assert _read("我朋友家的物业倒是挺负责", "urban") is None
    assert _read("二手房交易要交的税太多了", "urban") is None


def test_urban_community() -> None:
    for text in ("去社区开证明，说书记不在", "居委会让我们自己协调", "建议社区给独居老人装个呼叫按钮", "找了街道，说产权不明"):
        assert _read(text, "urban") == ("urban", "urban_community"), text
    for text in ("在社区医院看病花了三百多", "社区团购的菜不新鲜", "我是研究生，暑期在社区做志愿者", "我姐住的社区没有菜市场"):
        assert _read(text, "urban") is None, text


def test_urban_self() -> None:
    for text in ("我家住在县城，孩子上学方便", "和爱人在城里打拼了十几年", "我们城里人也不容易"):
        assert _read(text, "urban") == ("urban", "urban_self"), text
    # working in town, migrant work in town, or the town as somewhere else: not where one lives
    for text in ("我在县城上班，每天骑车回家", "在市里打工一个月五千", "城里的茶叶店卖三四百一斤", "我女儿住在城里"):
        assert _read(text, "urban") is None, text


def test_urban_utilities() -> None:
    assert _read("暖气费按建筑面积收，公摊也收", "urban") == ("urban", "urban_utilities")
    assert _read("我们小区暖气不热", "urban") == ("urban", "urban_home")
    assert _read("冬天烧土暖气，煤又涨价了", "urban") is None


def test_named_village() -> None:
    for text in ("我们下河湾村的灌溉渠塌了", "我叫李老栓，63岁，是柳庄村的种粮大户", "我叫赵长顺，城关镇东岗村人。"):
        assert _read(text, "urban") == ("rural", "named_village"), text
    for text in ("他们村修了新路", "我妈是柳庄村人", "我住在城中村，房租便宜"):
        assert _read(text, "urban") != ("rural", "named_village"), text


def test_village_place() -> None:
    for text in ("村口垃圾堆成山", "村干部办事不公", "村卫生室的药架子上就那么几样药", "这厂子离村子只有两百米"):
        assert _read(text, "urban") == ("rural", "village_place"), text
    assert _read("我爸妈那边村口的路还没修", "urban") is None
    assert _read("我住在城中村口那栋楼", "urban") != ("rural", "village_place")


def test_own_land() -> None:
    for text in ("俺们的地干得裂口子", "浇地难，没水", "地流转的钱没给", "种了二十亩辣椒，收购价跌到八毛", "我家的庄稼全淹了"):
        assert _read(text, "urban") == ("rural", "own_land"), text
    for text in ("他家种了二十亩辣椒", "我的地址换了，快递送不到", "我家地暖不热", "我舅舅家的地被占了"):
        assert _read(text, "urban") is None, text


def test_rural_job() -> None:
    assert _read("我是一名乡村教师，学校只剩十几个学生", "urban") == ("rural", "rural_job")
    assert _read("我是一名特岗教师，在山区学校教了三年", "urban") == ("rural", "rural_job")
    assert _read("我女儿是乡村教师，工资太低", "urban") is None


def test_village_mentioned_is_not_lived_in() -> None:
    assert _read("我们村的路坏了", "urban") == ("rural", "rural_life")
    assert _read("退休后回到村里住", "urban") == ("rural", "rural_life")
    for text in ("去村里看望父母，路太难走", "回村里过年，发现路灯还不亮", "我爸妈还住在村里", "我老家村里的路没人修",
                 "我爸在家种地，一年到头挣不了几个钱", "老家在农村，现在在县城上班", "我是农村出来的，考上了大学"):
        assert _read(text, "urban") is None, text


def test_town_and_village_talk_conflict() -> None:
    result = find_cues("我们小区是村里的安置房，物业不管事", today=TODAY)
    assert "urban" not in result.cues
    assert {c.value for c in result.conflicts["urban"]} == {"urban", "rural"}


def test_self_sex_more_ways() -> None:
    for text, value in (("我一个大老爷们晚上偷偷哭", "male"), ("作为一个女生真的是被套路了", "female"),
                        ("我是一名在商场上班的女性", "female"), ("我们这个年纪的女性求职太难了", "female"),
                        ("我是一名大二的女学生", "female")):
        assert _read(text, "sex") == (value, "self_sex"), text
    for text in ("我是女儿的班主任", "我们妇女主任说要开会", "我是独生子女", "公交上有人偷拍女生"):
        assert _read(text, "sex") != ("male", "self_sex") and _read(text, "sex") != ("female", "self_sex"), text


def test_parent_role_more_ways() -> None:
    for text, value in (("当爹的说一句：作业太多了", "male"), ("我是一名父亲，儿子上初一", "male"),
                        ("我是一名单亲妈妈", "female"), ("我是一名34岁的全职妈妈", "female")):
        assert _read(text, "sex") == (value, "parent_role"), text
    assert _read("兼职日结！宝妈学生均可，加V了解", "sex") is None


def test_spouse_more_ways() -> None:
    for text, value in (("俺家男人在外头打工", "female"), ("娃他爸没了，娘仨靠低保过", "female"),
                        ("老头子走了三年，一个人过", "female"), ("我家老头子住院了", "female"),
                        ("带我媳妇去县医院产检", "male"), ("老婆孩子都靠我这点收入", "male")):
        assert _read(text, "sex") == (value, "spouse"), text
    for text in ("他老婆孩子都走了", "老伴身体不好", "我爱人在医院上班", "我老头子住院了"):
        assert _read(text, "sex") is None, text


def test_old_self_needs_a_classifier() -> None:
    for text, value in (("老婆子我血压高", "female"), ("我今年六十八，老太婆一个", "female"),
                        ("我是一个农村老太太", "female"), ("我一个孤老头子，病了都没人晓得", "male"),
                        ("退休老头一个，天天去公园下象棋", "male")):
        cues = extract_cues(text, today=TODAY)
        assert (cues["sex"].value, cues["sex"].rule) == (value, "old_self"), text
        assert cues["age_group"].value == "60+", text
    # 我老汉 is Sichuanese for "my father", 我老头子 also "my husband"
    for text in ("我老汉在医院住院", "隔壁的老头子每天晚上放音乐"):
        assert _read(text, "age_group") is None, text


def test_family_role() -> None:
    assert _read("我母亲住院了，作为女儿我真的很心疼", "sex") == ("female", "family_role")
    assert _read("我们兄弟三个分摊养老院的钱", "sex") == ("male", "family_role")
    assert _read("我女儿刚考上大学", "sex") is None


def test_pregnancy() -> None:
    for text in ("怀孕七个月了，每次产检都要排一上午队", "我是一名孕妇，在区妇幼保健院建档", "今年怀孕后，厂里把我辞退了"):
        assert _read(text, "sex") == ("female", "pregnancy"), text
    assert _read("我妻子怀孕了，想问产检能不能报销", "sex") == ("male", "spouse")
    assert _read("孕妇也没个优先通道", "sex") is None


def test_signature() -> None:
    assert _read("请尽快处理。——幸福里社区 孙先生", "sex") == ("male", "signature")
    assert _read("星河湾３栋业主 陈先生 １３８****６６７１", "sex") == ("male", "signature")
    assert _read("联系人：刘女士", "sex") == ("female", "signature")
    for text in ("王先生您好，我想咨询一下", "感谢张女士的耐心解答，窗口服务很好", "是李先生帮我查的记录，谢谢他"):
        assert _read(text, "sex") is None, text


def test_ages_without_sui() -> None:
    for text, age, rule in (("我七十四，老伴走了", 74, "self_age"), ("我７１了，每月养老金１６５块", 71, "self_age"),
                            ("俺今年六十一，说不行", 61, "self_age"), ("我五十出头，上有老下有小", 52, "self_age"),
                            ("我和爱人都快六十了，照顾老人太累", 59, "self_age"), ("今年６５，腰间盘突出", 65, "clause_age"),
                            ("八十多了，一个人住", 85, "clause_age"), ("我们五十多岁的人出去没人要", 55, "self_age")):
        cues = extract_cues(text, today=TODAY)
        assert (cues["age"].value, cues["age"].rule) == (age, rule), text
    # money, somebody else's age, an age followed by its owner
    for text in ("菜价都涨到一百多了，", "我母亲住在县城，今年八十八岁，瘫痪在床", "我们村有个老光棍周大爷，八十多了",
                 "我是一个十六岁孩子的妈妈"):
        assert "age" not in extract_cues(text, today=TODAY), text


def test_birth_year() -> None:
    cues = extract_cues("我是一名父亲，本人１９８１年出生", today=TODAY)
    assert (cues["age"].value, cues["age"].rule, cues["age_group"].value) == (45, "birth_year", "45-59")
    assert extract_cues("我叫吴守义，一九六一年生，在机床厂干了三十年", today=TODAY)["age"].value == 65
    for text in ("我1998年参加过抗洪", "我2019年生了孩子", "我父亲1940年出生，今年住院了"):
        assert "age" not in extract_cues(text, today=TODAY), text


def test_near_retirement() -> None:
    for text in ("单位说我还差两年才能退休", "快退休了，单位还让我天天加班", "我马上就要退休了"):
        assert _read(text, "age_group") == ("45-59", "near_retirement"), text
        assert "occupation" not in extract_cues(text, today=TODAY), text
    assert _read("我爸快退休了", "age_group") is None
    # retirement said of the writer, and of retired people in general
    assert _read("退休工人哪出得起？", "age_group") is None
    assert _read("本人男，退休职工，反映医保卡的问题", "age_group") == ("60+", "retired")


def test_student_more_ways() -> None:
    assert _read("我是一名大二的女学生", "age_group") == ("18-29", "student")
    assert _read("我是今年的应届毕业生，想留下来工作", "age_group") == ("18-29", "student")
    assert _read("我是学生家长，想问一下", "age_group") is None


def test_evaluate_blind_maps_ages_to_groups(tmp_path: Path) -> None:
    path = tmp_path / "blind.csv"
    path.write_text(
        "id,source,text,topics,age,age_band,sex,urban\n"
        "t1,post,我今年72岁，我们村的路没法走,,72,72-72,,rural\n"
        "t2,post,我刚退休，小区物业不管事,,,55-,female,urban\n"  # 55- straddles 45-59 and 60+: 60+ undecided
        "t3,post,我是00后，想问问公租房,,,17-26,,\n"  # reaches below 18: no group, 18-29 undecided
        "t4,post,我一个老头子，晚上怕黑,,,,male,\n",  # no age label: 60+ is wrong
        encoding="utf-8")
    scores = evaluate_blind(path, today=date(2026, 3, 1))
    assert scores["age_group"]["60+"] == {"labelled": 1, "cues": 3, "correct": 1, "undecided": 1,
                                          "precision": 0.5, "recall": 1.0}
    assert scores["age_group"]["18-29"]["undecided"] == 1
    assert scores["sex"]["female"]["recall"] == 0.0 and scores["sex"]["male"]["precision"] == 1.0
    assert scores["urban"]["urban"]["correct"] == 1 and scores["urban"]["rural"]["correct"] == 1
    rules = evaluate_blind_rules(path, today=date(2026, 3, 1))
    assert rules[("age_group", "60+", "self_age")]["correct"] == 1
    assert rules[("age_group", "60+", "old_self")]["precision"] == 0.0
    bad = tmp_path / "bad.csv"
    bad.write_text("id,source,text,topics,age,age_band,sex,urban\nt1,post,文本,,七十,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv line 2: age '七十' is not a whole number"):
        evaluate_blind(bad, today=date(2026, 3, 1))


# Reached on dev.csv when the rules were written (tuned there; holdout figures are in
# docs/cues-evaluation.md). A rule change that loses more than the margin fails here.
DEV = DATA / "blind" / "topics" / "dev.csv"
DEV_REACHED = {"urban": (0.919, 0.905), "rural": (0.986, 0.91)}  # precision, recall
MARGIN = 0.05


def test_blind_dev_reads_both_town_and_village() -> None:
    scores = evaluate_blind(DEV, today=date(2026, 3, 1))["urban"]
    for level, (precision, recall) in DEV_REACHED.items():
        assert int(scores[level]["cues"] or 0) >= 20, f"{level} gets too few cues"
        assert float(scores[level]["precision"] or 0) >= precision - MARGIN, f"{level} precision {scores[level]}"
        assert float(scores[level]["recall"] or 0) >= recall - MARGIN, f"{level} recall {scores[level]}"


def test_every_cue_names_its_rule() -> None:
    rules = {rule for _, _, rule, _ in cues._PHRASE_RULES} | {rule for rule, _, _ in cues._AGE_RULES}
    for text in ("我们小区物业不作为", "俺们村的路", "本人女，1981年出生", "——东关社区 王先生"):
        for cue in read_cues(text, today=TODAY):
            assert cue.rule in rules | {"generation", "from_age"}, cue
