"""Who is writing: demographic cues read from what a voice says about itself.

Online voices rarely carry age, sex or residence as metadata, yet weighting needs
them. Many writers say it themselves ("我今年72岁", "本人女", "我们村"). This module
reads such self-descriptions with explicit, auditable rules; each :class:`Cue` names
the rule that fired and the span of text it read. Precision matters more than
recall: a wrong attribute moves a voice to the wrong cell, a missing one leaves it
``unknown``, which weighting handles openly. So every rule needs a self-reference
(我/本人/俺/咱 or a self-describing noun), and words about other people (孩子今年8岁,
我爸退休了) are not read as the writer's.

Rules (``rule`` names in brackets). Every level of an attribute has rules of its own;
the precision of each on blind text is in ``docs/cues-evaluation.md``
(:func:`evaluate_blind_rules`).

``age``
  [self_age] 我/本人/俺 (+ 今年/已经/都/快/刚满/是一名 ...) N岁, N in digits or Chinese numerals;
  without 岁 only a two-digit N closing the clause ("我七十四，", "俺今年六十一", "我71了");
  我和老伴都七十多了; 我们五十多岁的人; N岁的我.
  [clause_age] a clause that opens with 今年N岁 / 刚满N岁 (letters start "今年72岁，..."),
  is just "N岁" ("本人男，28岁，..."), or, in short answers, "今年65，" / "八十多了，";
  not when someone else is named earlier in the sentence (我母亲住在县城，今年八十八岁).
  [birth_year] 本人1981年出生, "1961年生，": the reference year minus the birth year.
  "N多岁"/"N来岁" with N a multiple of ten reads as N+5 (七十多岁 -> 75), "N出头" as N+2,
  "快N" as N-1 (快六十了 -> 59). An age followed by a person (8岁孩子) is that person's.
  [generation] 我是80后 / 本人90后 / 作为一个70后, or "80后" standing alone as a
  clause: age ``today.year - (decade + 5)``
  (80后 -> today.year - 1985). Ages outside 16-110 are ignored.
``age_group``
  [from_age] the group of the age cue; [retired] 我/本人/作为 ... 退休 (not 才能退休,
  还没退休), a clause opening with 退休 that says it of the writer ("本人男，退休职工，",
  退休以后, 退休老头一个; not "退休工人哪出得起" or 退休金), 退休在家 -> 60+
  (retirement comes at 50-60, most retirees writing are older; an age cue that says
  otherwise conflicts and leaves the group unknown). 我父亲是退休工人 is not the writer's;
  [near_retirement] 我还差两年才能退休, 快退休了, 即将退休 -> 45-59;
  [parent_young_child] 孩子/女儿/儿子 上小学/上幼儿园/读小学/上一年级, 宝妈 (not 宝妈学生
  均可, an advertisement), 奶爸, 二胎妈妈 -> 30-44; [student] 我是大学生/研究生/大二的学生,
  我刚毕业, 应届生 -> 18-29; [old_self] 我一个老太太/我是农村的老太太/老婆子我/"老头一个",
  俺老汉 -> 60+ (a classifier is needed: 我老头子 is also "my husband").
  Each cue also allows a range of ages (:func:`cue_age_range`: 80后 36-46 in 2026, 退休 50
  and over, 上小学的孩子 25-44), so that margins with other age bands (ten-year bands, 70+)
  can place the writer where the whole range falls inside one band, and leave it unknown
  otherwise; the groups above are those of the default bands.
``sex``
  [self_sex] 本人女/男, 我是女的/男的/女生/一名…的女性, 我一个大老爷们, 作为一个女生,
  我们这个年纪的女性, 我是独生女/独生子; [parent_role] 宝妈, 单亲/全职妈妈, 我是…的妈妈,
  作为(一名)母亲, 当妈的 -> female; 奶爸, 作为(一名)父亲, 我是一名父亲, 当爹的 -> male;
  [spouse] 我老公/我丈夫/俺家男人/孩子他爸/老头子走了 -> female, 我老婆/我妻子/我媳妇/
  老婆孩子/孩子他妈 -> male (老伴 and 爱人 say nothing); [old_self] 老太太/老婆子 ->
  female, 老头子/老汉 -> male; [family_role] 作为女儿, 我们姐妹俩 -> female, 作为儿子,
  我们兄弟三个 -> male; [pregnancy] 我是孕妇, 怀孕七个月了, 坐月子 -> female (我妻子怀孕了
  is the husband's); [signature] a letter that ends with its signature, "——幸福里社区
  孙先生", "联系人：刘女士" (not "王先生您好", which addresses someone).
``occupation`` (only where it bears on weighting)
  [farmer] 我/俺/咱 ... 种地/种田/务农/农民/种了一辈子地/承包了…地/种菜的, or a clause
  opening with 在家务农, 种了一辈子地 -> ``farmer``, and rural (a farmer lives where the
  land is); [migrant_worker] 我 ... 外出务工/在外打工/进城务工/农民工, or a clause
  opening with 在外打工, 从外地打工 -> ``migrant_worker``, with no urban cue: the census
  counts people where they live, and a migrant worker writing from the city lives in
  the city; [retired] as above -> ``retired``. Between the self-reference and the
  occupation no kin word, village or town may stand (我爸在家种地, 我们村的年轻人都外出
  打工了 describe others).
``urban``
  rural: [rural_life] 种地, 我们村, 咱村, 俺们那个村, 本村, 村里, 村民, 我是农民 (not 农民工),
  我是农村人/一个农村妇女 (not 农村出来的), 我们山里/乡下;
  [named_village] the writer's village by name (我们下河湾村, 我是柳庄村的, "城关镇东岗村人");
  [village_place] the village's places and people as "the" village (村口, 村东头, 村小,
  村干部, 村委, 村医, 村卫生室, 全村, 村子, 通村公路); [own_land] one's own land (俺们的地,
  我家的庄稼, 浇地, 地流转, 地让人占了, 种了二十亩, 下地干活); [rural_job] 我是一名乡村教师,
  在山区学校教书; [farmer] as above.
  urban: [urban_home] 小区, 单元楼, 家属院, 厂宿舍, 城中村, 楼道, 楼上楼下/楼上漏水, 住六楼,
  我家在二楼, 加装电梯/电梯费/没有电梯; [urban_owner] 业主, 业委会, 物业 (wy), 物管;
  [urban_community] 社区 (the residents' committee; not 社区医院/社区卫生站, 社区团购,
  在社区做志愿者), 居委会, 街道办, 网格员; [urban_self] 我住在县城/城里, 在城里打拼/安家
  (living, not working: 在县城上班 says nothing), 我们城里人; [urban_utilities] 暖气费/采暖费,
  公摊, 暖气不热, 集中供暖 (not 土暖气). Bare 楼下 and 老家在农村 are not read: the first is
  said of village houses too, the second is where one comes from, not where one lives.
  Mentioned is not lived in: a place rule's match is dropped when its clause names
  someone else or elsewhere before it (我妈住的小区, 我爸在家种地, 他们村, 我老家村里,
  县城的小区, 想买个小区房), when the writer only goes there (回村里 unless to live, 去村里
  看望父母), and in a classified advertisement (出租：…小区两室一厅).
  [gazetteer] the place mentioned is a 城镇 or 乡村 place.
``region`` / ``place``
  [gazetteer] the longest place name mentioned (a community or village), else a
  town name (region only, urban unknown).

Two cues for one attribute that disagree (本人女 and 奶爸) cancel: the attribute is
left out and the conflict is recorded (:func:`find_cues` returns both).
"""
from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from opinion.attributes import LEVELS, age_group, normalise_level
from opinion.errors import InputError
from opinion.files.tables import read_table
from opinion.text.segment import normalize

__all__ = [
    "Cue",
    "CueResult",
    "Gazetteer",
    "PlaceMatch",
    "chinese_number",
    "cue_age_range",
    "cue_config",
    "cue_from_record",
    "cue_record",
    "evaluate_blind",
    "evaluate_blind_rules",
    "evaluate_cues",
    "extract_cues",
    "find_cues",
    "load_gazetteer",
    "read_cues",
    "resolve_cues",
]


@dataclass(frozen=True)
class Cue:
    """One attribute value read from the text, with the span read and the rule that fired."""

    attribute: str
    value: str | int
    span: tuple[int, int]
    rule: str


@dataclass(frozen=True)
class CueResult:
    """Agreed cues by attribute, and the cues of attributes whose cues disagreed."""

    cues: dict[str, Cue]
    conflicts: dict[str, list[Cue]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlaceMatch:
    """A place (community, village) or town found in a text."""

    name: str
    region: str
    urban: str | None
    span: tuple[int, int]


class Gazetteer:
    """Place names of the study area: place -> (region, urban); region names as towns."""

    def __init__(self, places: dict[str, tuple[str, str]], source: str = "<gazetteer>") -> None:
        self.places = dict(places)
        self.source = source  # the file it was read from
        self.regions = sorted({region for region, _ in self.places.values()}, key=len, reverse=True)
        self._names = sorted(self.places, key=len, reverse=True)
        # Every name mentioned brings its last character (村, 社区's 区, 镇 ...): a text
        # with none of these names no place, and the search by name is skipped.
        self._last_chars = tuple(sorted({name[-1] for name in (*self.places, *self.regions)}))

    @property
    def urban_of_place(self) -> dict[str, str]:
        """place -> urban/rural, as :func:`opinion.surveys.importer.import_survey` takes it."""
        return {place: urban for place, (_, urban) in self.places.items()}

    @property
    def region_of_place(self) -> dict[str, str]:
        """place -> its town (region)."""
        return {place: region for place, (region, _) in self.places.items()}

    def lookup(self, place: str) -> tuple[str, str] | None:
        """(region, urban) of a place, None when it is not in the gazetteer."""
        return self.places.get(place.strip())

    def find(self, text: str) -> PlaceMatch | None:
        """The place mentioned in ``text`` (longest, then first), else a town name."""
        if not any(ch in text for ch in self._last_chars):
            return None
        best: PlaceMatch | None = None
        for name in self._names:
            pos = text.find(name)
            if pos >= 0 and (best is None or len(name) > len(best.name) or
                             (len(name) == len(best.name) and pos < best.span[0])):
                region, urban = self.places[name]
                best = PlaceMatch(name, region, urban, (pos, pos + len(name)))
        if best is not None:
            return best
        hits = [(text.find(r), r) for r in self.regions if r in text]
        if not hits:
            return None
        pos, region = min(hits, key=lambda h: (h[0], -len(h[1])))
        return PlaceMatch(region, region, None, (pos, pos + len(region)))


def load_gazetteer(path: Path | str) -> Gazetteer:
    """Read a ``region,place,urban`` table (urban as 城镇/乡村 or urban/rural), in any
    format the table reader takes (CSV in UTF-8/GBK/UTF-16, any delimiter, .xlsx).

    Raises:
        InputError: the file is missing or unreadable, a column is missing, a row has an
            empty region or place or an unknown urban value, or a place is listed twice
            with different region/urban (each naming the file and line).
    """
    table = read_table(path)
    table.require(["region", "place", "urban"], "a gazetteer needs the columns region,place,urban")
    places: dict[str, tuple[str, str]] = {}
    for number, row in table.rows:
        where = table.where(number)
        if "__error__" in row:
            raise InputError(f"{where}: {row['__error__']}; fix the row's delimiters")
        region, place = row["region"], row["place"]
        urban = normalise_level("urban", row["urban"])
        if not region or not place:
            raise InputError(f"{where}: empty region or place; fill both")
        if urban is None:
            raise InputError(f"{where}: urban {row['urban']!r} is not 城镇/乡村 or urban/rural")
        if place in places and places[place] != (region, urban):
            raise InputError(f"{where}: place {place!r} listed twice with different region/urban")
        places[place] = (region, urban)
    return Gazetteer(places, source=str(table.path))


_DIGITS_ZH = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """Value of a number 0-199 in digits or Chinese numerals (七十二, 八十, 十五, 一百零二)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS_ZH:
            current = _DIGITS_ZH[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


_NUM = r"(?P<n>\d{1,3}|[一二两三四五六七八九十百零〇]{1,5})"
# An age said without 岁 (我七十四了, 八十多了) is read only as a two-digit number: a bare
# "一百多了" is more often money than years.
_NUM2 = r"(?P<n>\d{2}|[二三四五六七八九]十[一二三四五六七八九]?|十[一二三四五六七八九])"
_APPROX = r"(?P<approx>多|来|出头)?"
_SELF = r"(?:我|本人|俺|咱)"
_OTHERS = "爸妈父母亲爷奶姥公婆老伴孩子儿女孙哥姐弟妹叔姨舅"
_CLAUSE_START = r"(?:^|[，。！？；：,.!?;: ])"
_CLAUSE_END = r"(?=[，。！？；：,.!?;: ]|$)"
# "我和老伴都七十多了" speaks for the writer too.
_WITH_PARTNER = r"(?:和(?:爱人|老伴|老公|老婆|妻子|丈夫|媳妇))?"
# Words between the self-reference and the age; 快/将近 (快六十了) read as a year less.
_AGE_PRE = r"(?P<pre>(?:今年|已经|已|都|快|将近|也|现在|是|也是|已年过|年过|刚满|满|一名|一个|个|一位)*)"
# "我是一个8岁孩子的妈妈": an age followed by a person is that person's.
_NOT_THEIR_AGE = r"(?!的?(?:孩子|儿子|女儿|闺女|娃|宝宝|小孩|老人|父亲|母亲|老父亲|老母亲|孙))"
# A two-digit number is written with 十 or two digits: the needles of the ages said without 岁.
_NUM2_NEEDLES = ("十", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
_YEAR = r"(?P<year>(?:19|一九)[0-9零〇一二三四五六七八九]{2}|(?:20|二〇|二零)[0-2零〇一二][0-9零〇一二三四五六七八九])"

# (rule, needles: one must occur for the pattern to match, pattern). Groups: ``n`` the
# number, ``approx`` 多/来/出头, ``pre`` the words before it, ``year`` a birth year.
_AGE_RULES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("self_age", ("岁",), re.compile(_SELF + _WITH_PARTNER + _AGE_PRE + _NUM + _APPROX + r"周?岁" + _NOT_THEIR_AGE)),
    # "我七十四，老伴走了", "俺今年六十一", "我71了": the writer's age without 岁.
    ("self_age", _NUM2_NEEDLES, re.compile(_SELF + _WITH_PARTNER + _AGE_PRE + _NUM2 + _APPROX + r"了?" + _CLAUSE_END)),
    ("clause_age", ("今年", "刚满", "年满"),
     re.compile(_CLAUSE_START + r"(?P<pre>今年|刚满|年满)" + _NUM + _APPROX + r"周?岁" + _NOT_THEIR_AGE)),
    # "本人男，28岁，..." : an age standing alone as a clause describes the writer.
    ("clause_age", ("岁",), re.compile(_CLAUSE_START + _NUM + _APPROX + r"周?岁" + _CLAUSE_END)),
    # Answers: "今年６５，腰间盘突出", "都七十多了，...", "八十多了，一个人住".
    ("clause_age", _NUM2_NEEDLES,
     re.compile(_CLAUSE_START + r"(?P<pre>今年|都|已经|已|刚满|快|年过|将近)" + _NUM2 + _APPROX
                + r"(?:周?岁)?了?" + _CLAUSE_END)),
    ("clause_age", _NUM2_NEEDLES, re.compile(_CLAUSE_START + _NUM2 + _APPROX + r"(?:周?岁)?了" + _CLAUSE_END)),
    ("self_age", ("岁的我", "岁的俺"), re.compile(_NUM + _APPROX + r"周?岁的(?:我|俺)")),
    # "我们五十多岁的人出去没人要": a group the writer counts in.
    ("self_age", ("岁的",),
     re.compile(r"(?:我们|俺们|咱们)(?:这些)?" + _NUM + _APPROX + r"周?岁的(?:人|老人|老年人|老头|老太太)")),
    # "本人１９８１年出生", "我叫吴守义，１９６１年生，今年６５岁": age = the reference year - the birth year.
    ("birth_year", ("生",),
     re.compile(r"(?:我|本人|俺)(?:是|于)?" + _YEAR + r"年(?:出生|生人|生(?![了孩下病意产活日气]))")),
    ("birth_year", ("生",), re.compile(_CLAUSE_START + _YEAR + r"年(?:出生|生人|生)" + _CLAUSE_END)),
)
_DECADE = r"([5-9]0|00|[五六七八九]零|零零)后"
_GENERATION_RES = (
    re.compile(r"(?:" + _SELF + r"(?:是|也是)?|作为)(?:一个|一名|个)?" + _DECADE),
    # "80后，..." opening a clause and standing alone describes the writer.
    re.compile(r"(?:^|[，。！？；：,.!?;: ])" + _DECADE + r"(?=[，。！？；：,.!?;: ]|$)"),
)
_GENERATION_NEEDLES = ("0后", "零后")  # every _DECADE ends in one of these
_ZH_DECADE = {"五零": "50", "六零": "60", "七零": "70", "八零": "80", "九零": "90", "零零": "00"}
_YEAR_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")

# Someone else named earlier in the sentence owns an age that merely opens a clause
# (我母亲住在县城，今年八十八岁); the writer's own (我叫吴守义，今年65岁) has nobody before it.
_SENTENCE_OTHERS_RE = re.compile(
    r"父母|爸|妈|爹|娘|父亲|母亲|爷爷|奶奶|姥姥|姥爷|外婆|外公|公公|婆婆|岳父|岳母|老伴|爱人|丈夫|老公|妻子|"
    r"老婆|媳妇|孩子|儿子|女儿|闺女|孙子|孙女|哥|姐|弟|妹|叔|姨|舅|亲戚|朋友|同事|邻居|他|她|"
    # "我们村有个老光棍周大爷，八十多了": someone introduced.
    r"大爷|大妈|大娘|大婶|老人|有个|有一个|有位|有一位")

_SELF_OR_AS = r"(?:我|本人|俺|咱|作为)"
# Between the self-reference and the occupation: nobody else's kin, no village or town
# ("我们村的年轻人都外出打工了" speaks of others), no clause break.
_NOT_OTHERS = rf"[^{_OTHERS}村镇，。！？；]"

_RETIRED_RE = re.compile(
    # 我是退休工人, 我刚退休, 作为一名退休干部; not 我还差两年才能退休 (not yet retired).
    _SELF_OR_AS + rf"[^{_OTHERS}差没未才要快将，。！？；]{{0,6}}退休"
    # A clause that opens with 退休 and says so of the writer: "本人男，退休职工，", "退休以后我每天
    # 带孙子", "退休老头一个"; not "退休工人哪出得起" (retired workers in general) or 退休金.
    + "|" + _CLAUSE_START + r"(?:刚|已经)?退休(?:了|以后|后|在家|多年|[\d一二三四五六七八九十两几]+年|"
    r"(?:职工|干部|教师|老师|工人|人员|老头子?|老太太)?(?=[，。！？；：,.!?;: ]|$|一个|一枚))|退休在家"
)
# Not yet retired but close (我还差两年才能退休, 快退休了): 45-59 whatever the retirement age
# (50/55 for women, 60 and rising for men).
_NEAR_RETIREMENT_RE = re.compile(
    _SELF_OR_AS + rf"[^{_OTHERS}，。！？；]{{0,8}}?(?:快(?:要)?退休|即将退休|马上(?:就)?(?:要)?退休|临近退休|"
    r"还差[^，。！？；]{0,6}?退休|离退休(?:还)?(?:差|有)|再过[^，。！？；]{0,4}?(?:就|才能|就能|就要)退休)"
    + "|" + _CLAUSE_START
    + r"(?:快(?:要)?退休了|即将退休|马上(?:就)?(?:要)?退休|离退休(?:还)?(?:差|有)|还差[^，。！？；]{0,6}?退休)"
)
_FARMER_RE = re.compile(
    _SELF_OR_AS + _NOT_OTHERS + r"{0,8}?(?:种地|种田|务农|农民(?!工)|种了.{0,5}?地|承包了.{0,6}?地|"
    r"种(?:菜|果树|粮食|粮|小麦|玉米|水稻|果园|蔬菜|大棚)的)"
    + "|" + _CLAUSE_START + r"(?:一直|常年)?(?:在村里|在家)?(?:种了.{0,5}?地|种不动地|种地|种田|务农)"
)
_MIGRANT_RE = re.compile(
    _SELF_OR_AS + _NOT_OTHERS + r"{0,8}?(?:外出务工|在外务工|外出打工|在外打工|出去打工|在外地打工|外地打工|"
    r"进城务工|在城里打工|农民工|务工人员)"
    + "|" + _CLAUSE_START + r"(?:刚|一直|常年)?(?:从外地|在外地|在城里|在外|外出|进城)(?:务工|打工)"
)

# -- where the writer lives: each level has its own words ---------------------------------
# Town: the housing estate and what comes with it (小区, 单元楼, 家属院, 楼上楼下, 电梯),
# owners and their management (业主, 物业), the residents' committee (社区, 居委会, 街道),
# living in town said outright (我住在县城, 在城里打拼), and district heating billed by
# area (暖气费, 公摊). Bare 楼下 is left out: the blind labeller placed 1 of 4 writers
# who used it ("楼下新开的火锅店"), and a village house has a downstairs too.
_URBAN_HOME_RE = re.compile(
    r"小区|单元楼|单元房|(?:我们|本|这个)单元|单元门|家属院|家属楼|家属区|(?:厂|单位|矿)宿舍|城中村|楼道|"
    r"楼上楼下|楼上(?:的)?(?:住户|邻居|人家)|楼下(?:的)?(?:住户|邻居|人家)|楼上[^，。！？；]{0,4}?漏水|漏(?:水)?到楼下|"
    r"住(?:在)?(?:[3-9]|[1-3]\d|[三四五六七八九]|十[一二三四五六七八九]?|二十[一二三四五六七八九]?)楼|"
    r"(?:我家|俺家)(?:住在|在|住)?(?:\d{1,2}|[一二三四五六七八九十]{1,3})楼|"
    r"加装电梯|电梯(?:费|房|维保|年检)|(?:小区|楼|单元|楼道)[^，。！？；]{0,3}?电梯|(?:没有|没|无)电梯"
)
_URBAN_OWNER_RE = re.compile(r"业主(?!方)|业委会|物业(?!税)|物管|(?<![A-Za-z])[wW][yY](?![A-Za-z])")
_URBAN_COMMUNITY_RE = re.compile(
    # A 社区 is a town's residents' committee (villages have a 村委会); not 社区医院 or
    # 社区卫生站, which serve whoever comes, nor an online 社区 or 社区团购.
    r"(?<!农村)(?<!网络)(?<!论坛)社区(?!医院|卫生|诊所|门诊|团购|做志愿|当志愿|志愿|实习|挂职)|居委会|居委|街道办|(?:找|去|到)了?街道|"
    r"街道(?:说|办事处|工作人员|出面|的人|干部)|网格员"
)
_URBAN_SELF_RE = re.compile(
    r"(?:我|本人|俺|我们|我家|俺家|我们家)(?:一家人?|两口子|全家)?(?:现在|目前|一直|也|都|就)?(?:住在|住|生活在|定居在?)"
    r"(?:县城|城里|城区|市区|市里|市中心)"
    # Living, not working: many villagers work in the county town (在县城上班) and go home at
    # night, and 在城里打工 is a migrant worker's (no urban cue, see migrant_worker).
    r"|(?:我|本人|俺|我们|我家|我们家|^|[，。！？；：,.!?;: ])(?:和(?:爱人|老伴|老公|老婆|妻子|丈夫|家人|孩子))?"
    r"(?:现在|目前|一直|也|都|就)?在(?:县城|城里|城区|市区|市里)[^，。！？；]{0,4}?(?:住|生活|打拼|安家|定居|买了?房|租房)"
    r"|(?:我|我们|俺们?|咱们?)(?:是|这些)?城里人|我们城里"
)
_URBAN_UTILITIES_RE = re.compile(r"(?<!土)(?:暖气|采暖|供暖)费|公摊|(?<!土)暖气(?:不热|片|管)|集中供暖")

# Village: the writer's own village (我们村, 俺们那个村, 我们下河湾村, 东岗村人), the
# village's places and people said as "the" village (村口, 村干部, 村卫生室, 全村), farming
# one's own land (俺们的地, 浇地, 种了二十亩, 地流转), rural work (乡村教师). 城中村 is a
# town's (urban). 老家在农村 is left alone: 老家 is where one comes from, and those who say
# it mostly live somewhere else now.
_VILLAGE_NAME = r"(?:(?![去到回在和跟给帮看来县市有个是])[\u4e00-\u9fff])"
_RURAL_LIFE_RE = re.compile(
    r"种地|我们村|咱村|俺村|俺们村|咱们村|额们村|(?:我们|俺们|咱们)(?:这个|那个|这|那)村|本村|(?<!城中)村里|村民|我是(?:个|一个|一名)?农民(?!工)|"
    r"我(?:是|一个)?(?:个|一个)?农村(?:的)?(?:人|妇女|老人|老太太|老太婆|老头子?|老汉)?(?!出来|来的|长大|出身|考出来|户口)|"
    r"(?:我们|俺们|咱们)(?:这|这个|那个)?(?:山区|山里|乡下|农村)(?!出来)"
)
_NAMED_VILLAGE_RE = re.compile(
    r"(?:我们|俺们|咱们|额们|咱)(?:是|这个|那个|这|那)?" + _VILLAGE_NAME + r"{1,5}?(?<!城中)(?<![乡农])村"
    # 我是柳庄村的; not 我是一名乡村教师 or 我是大学生村官 (rural_job, village_place).
    r"|(?:我|本人|俺)(?:是|家在|家住|住在|来自)" + _VILLAGE_NAME + r"{1,8}?(?<!城中)(?<![乡农])村(?![官医委]|干部)"
    r"|(?:^|[，。！？；：,.!?;: ])(?:是)?" + _VILLAGE_NAME + r"{1,8}?(?<!城中)村人"
    r"|(?:^|[，。！？；：,.!?;: ])是" + _VILLAGE_NAME + r"{1,8}?(?<!城中)(?<![乡农])村的"
)
_VILLAGE_PLACE_RE = re.compile(
    r"(?<!城中)(?:村(?:口|头|[东西南北]头|小|干部|委|支书|书记|主任|医|卫生室|会计|集体|道|组|广场|官)|全村|村子)|通村(?:公)?路"
)
_OWN_LAND_RE = re.compile(
    r"(?:我|俺|咱)(?:们|家|们家)?(?:的|家的)?(?:地|田|庄稼|麦子|玉米|稻子|果园|菜地|责任田|承包地|口粮田|自留地)"
    r"(?![方址铁下区点图域道位产摊板基震毯球盘税标处暖理段面砖窖库皮])|"
    r"浇地|(?:土地|地)(?:都)?流转|(?:地|田)(?:让人|被人?)(?:占|征|毁|淹)|(?:下地|在地里|地里)干活|"
    r"种了[\d一二三四五六七八九十几百]+亩|(?:我|俺|咱)(?:们)?家[^，。！？；]{0,8}?宅基地|地头(?!蛇)"
)
_RURAL_JOB_RE = re.compile(
    r"(?:我|本人)(?:是)?(?:一名|一个|个)?(?:乡村|农村|村里的?|村)(?:小学|学校|中学)?(?:的)?(?:教师|老师|医生|村医|会计)|"
    r"(?:(?:我|本人)[^，。！？；]{0,6}?|(?:^|[，。！？；：,.!?;: ]))在(?:山区|乡下|农村)(?:的)?(?:学校|小学|中学|卫生院|卫生室)?"
    r"(?:里)?(?:教书|教了|工作|上班|任教|当老师|当医生)"
)

# Who lives there: a place word is the writer's unless the clause before it names someone
# else (我妈住的小区, 我爸在家种地, 他们村) or the writer only goes there (回村里, 去村里
# 看望父母). Rules in _PLACE_RULES are checked by :func:`_writers_place`.
_ELSEWHERE_RE = re.compile(
    r"父母|爸妈|爹妈|爸|妈|爹|娘|父亲|母亲|爷爷|奶奶|姥姥|姥爷|外婆|外公|公公|婆婆|岳父|岳母|丈母娘|"
    r"儿子|女儿|闺女|孩子|孙子|孙女|哥|姐|弟|妹|叔|姨|舅|亲戚|朋友|同学|同事|老乡|他|她|别人|人家|"
    # 老家 is where one comes from ("我老家村里的路"); a place named as elsewhere ("县城的小区",
    # "别的小区") or bought into ("想买个小区房") is not where one lives.
    r"老家|(?:县城|城里|市里|市区|镇上|外地|别的|其他)的?$|(?:想|要|打算|准备)买"
)
_RETURN_RE = re.compile(r"回(?:到)?了?$")
# ... unless one goes back to live there: "退休后回到村里住".
_STAY_RE = re.compile(r"[^，。！？；]{0,2}?(?:住|生活|养老|定居|安家|种地)")
_GO_RE = re.compile(r"(?:去|到|来)了?$")
_VISIT_RE = re.compile(
    r"[^，。！？；]{0,2}?(?:看望|探望|看看|走亲戚|串门|玩|过年|过节|拜年|上坟|慰问|走访|调研|扶贫|检查|住几天)")
_AD_RE = re.compile(r"[【\[]?(?:出租|出售|急售|转让|招租|求租|房源)")
_PLACE_RULES = frozenset({"rural_life", "named_village", "village_place", "own_land", "rural_job",
                          "urban_home", "urban_owner", "urban_community", "urban_self", "urban_utilities"})
_CLAUSE_MARKS = "，。！？；：,.!?;:"

# -- sex -----------------------------------------------------------------------------------
_SELF_FEMALE_RE = re.compile(
    r"本人女|我是(?:个|一个|一名|一位)?(?:[^，。！？；]{0,12}?的)?女(?:的|生|性|人|孩子?|士|同志|学生|大学生|职工|工人|教师|老师|医生|护士|司机|青年)|"
    r"我一个(?:女(?:的|人|孩子?)|弱女子)|作为(?:一个|一名|一位)?(?:女生|女性|女人|女孩子?|女同志)|我一个农村妇女|"
    r"(?:我们|咱们|俺们)(?:这个年纪的|这个岁数的|这些|这样的)?(?:女人|女性|女同志|妇女)(?!主任|干部|联合会|儿童)|我是独生女"
)
_SELF_MALE_RE = re.compile(
    r"本人男|我是(?:个|一个|一名|一位)?(?:[^，。！？；]{0,12}?的)?男(?:的|生|性|人|孩子?|士|同志|学生|大学生|职工|工人|教师|老师|医生|护士|司机|青年)|"
    r"我一个(?:大)?(?:男(?:的|人)|老爷们)|作为(?:一个|一名|一位)?(?:男生|男性|男人|男同志|大?老爷们)|"
    r"(?:我们|咱们|俺们)(?:这些)?大?老爷们|我是独生子(?!女)"
)
# 宝妈 advertised to (兼职日结，宝妈学生均可) is not the writer.
_BAOMA = r"宝妈(?!学生|、|均|都可)"
_MOTHER_RE = re.compile(
    _BAOMA + r"|二胎妈妈|单亲妈妈|全职妈妈|作为(?:一名|一个|一位)?(?:二胎|单亲|全职)?(?:母亲|妈妈|宝妈)|"
    r"我是(?:一名|一个|个|一位)?(?:[^，。！？；]{0,8}?的)?(?:二胎|单亲|全职|新手)?(?:妈妈|母亲|宝妈)|当(?:妈妈?|娘)的|做(?:妈妈|母亲)的"
)
_FATHER_RE = re.compile(
    r"奶爸|单亲爸爸|作为(?:一名|一个|一位)?(?:父亲|爸爸|老父亲|单亲爸爸)|"
    r"我是(?:一名|一个|个|一位)?(?:[^，。！？；]{0,8}?的)?(?:单亲|新手)?(?:父亲|爸爸|奶爸)|当(?:爹|爸爸?)的|做(?:爸爸|父亲)的"
)
# A wife speaks of 我老公, 俺家男人, 孩子他爸, 老头子走了; a husband of 我媳妇, 老婆孩子, 孩子他妈.
# 老伴 and 爱人 say nothing (either spouse uses them).
_HUSBAND_RE = re.compile(
    r"我(?:老公|丈夫)|(?:我|俺)(?:家|们家)(?:男人|汉子|老头子?|老头儿)|俺(?:男人|汉子)|(?:孩子|娃娃?)他(?:爸|爹)|"
    r"老头子(?:没了|走了|去世|过世|不在了|死了|走得早)"
)
_WIFE_RE = re.compile(
    r"我(?:老婆|妻子|媳妇|太太|夫人)|俺(?:老婆|媳妇|婆娘|婆姨)|(?<![他她的])老婆孩子|(?:孩子|娃娃?)他(?:妈|娘)|"
    r"(?:我|俺)(?:家|们家)(?:老婆子|老太婆)"
)
# 我一个老太太 / 俺这个老汉 / 我是农村的老太太 / 老婆子我 / "退休老头一个": the writer. The
# classifier (一个, 这个, 是) is required: 我老头子 is also "my husband", 我老汉 "my father".
_OLD_CLASSIFIER = r"(?:我|俺)(?:是一个|是个|是|一个|这个|个|这)(?:孤|孤寡|农村的?|退休的?|独居的?|空巢)?"
_OLD_WOMAN_RE = re.compile(
    _OLD_CLASSIFIER + r"(?:老太太|老太婆|老婆子|老婆婆)|(?:老婆子|老太婆)我|"
    + _CLAUSE_START + r"(?:退休)?(?:老太太|老太婆|老婆子)(?:一个|一枚)"
)
_OLD_MAN_RE = re.compile(
    # 俺老汉 is northern speech for "I, an old man" (where 我老汉 would be Sichuanese for "my father").
    _OLD_CLASSIFIER + r"(?:老头子|老头儿|老头|老汉|老光棍)|俺老汉|(?:老头子|老汉)我|"
    + _CLAUSE_START + r"(?:退休)?(?:老头子?|老汉)(?:一个|一枚)|(?:我们|俺们)这些(?:退休)?老头"
)
# Daughters, sons, siblings: 作为女儿, 我们兄弟三个, 我是独生女.
_DAUGHTER_RE = re.compile(
    r"作为(?:一个|一名)?(?:女儿|闺女|儿媳妇?|媳妇|妻子|姐姐|妹妹|外孙女|孙女)|(?:我们|俺们)姐妹(?:俩|[两三四五几]个)|"
    r"我是(?:家里的|她的|他的|他们的|老人的)?(?:女儿|闺女|儿媳妇?)(?!的)"
)
_SON_RE = re.compile(
    r"作为(?:一个|一名)?(?:儿子|女婿|丈夫|哥哥|弟弟|外孙|孙子)|(?:我们|俺们)(?:兄弟|哥)(?:俩|[两三四五几]个)|"
    r"我是(?:家里的|她的|他的|他们的|老人的)?(?:儿子|女婿)(?!的)"
)
_PREGNANT_RE = re.compile(
    r"(?:我|本人)(?:是)?(?:一名|一个|个)?(?:孕妇|准妈妈)|作为(?:一名|一个)?(?:孕妇|准妈妈)|"
    r"(?:我|本人)(?:现在|目前|已经|刚|刚刚)?(?:怀孕|怀了二胎|在哺乳期|坐月子|休产假)|"
    + _CLAUSE_START
    + r"(?:今年|刚|现在|目前|已经)?(?:怀孕(?:了|后|期间|[\d一二三四五六七八九十两几]+个?月)|在哺乳期|坐月子|休产假)"
)
# A letter signed at its end: "——幸福里社区 孙先生", "星河湾3栋业主 陈先生 138****6671".
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
             "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_SIGNED = r"(?:^|[ ，。、！!—\-:：])[" + _SURNAMES + r"]"
_SIGNATURE_TAIL = r"(?:\s*(?:联系)?(?:电话|手机)?[:：]?\s*[\d*\-\s]{0,20})?[。！!.]?$"
_SIGNED_MALE_RE = re.compile(_SIGNED + r"先生" + _SIGNATURE_TAIL)
_SIGNED_FEMALE_RE = re.compile(_SIGNED + r"女士" + _SIGNATURE_TAIL)

# (attribute, value, rule, pattern)
_PHRASE_RULES: tuple[tuple[str, str, str, re.Pattern[str]], ...] = (
    ("age_group", "60+", "retired", _RETIRED_RE),
    ("occupation", "retired", "retired", _RETIRED_RE),
    ("age_group", "45-59", "near_retirement", _NEAR_RETIREMENT_RE),
    ("occupation", "farmer", "farmer", _FARMER_RE),
    ("urban", "rural", "farmer", _FARMER_RE),
    ("occupation", "migrant_worker", "migrant_worker", _MIGRANT_RE),
    ("age_group", "30-44", "parent_young_child",
     re.compile(r"(?:孩子|女儿|儿子|娃)(?:今年|刚|正在)?(?:上|读)(?:小学|幼儿园|一年级|二年级|三年级)|"
                + _BAOMA + "|奶爸|二胎妈妈")),
    ("age_group", "18-29", "student",
     re.compile(_SELF + r"(?:是|还是)(?:一名|一个|个)?(?:在校)?(?:大学生|研究生|大[一二三四](?:的)?(?:女|男)?学?生)|"
                r"我刚毕业|本人应届|我是(?:今年的)?应届(?:毕业)?生")),
    ("age_group", "60+", "old_self", _OLD_WOMAN_RE),
    ("age_group", "60+", "old_self", _OLD_MAN_RE),
    ("sex", "female", "self_sex", _SELF_FEMALE_RE),
    ("sex", "male", "self_sex", _SELF_MALE_RE),
    ("sex", "female", "parent_role", _MOTHER_RE),
    ("sex", "male", "parent_role", _FATHER_RE),
    ("sex", "female", "spouse", _HUSBAND_RE),
    ("sex", "male", "spouse", _WIFE_RE),
    ("sex", "female", "old_self", _OLD_WOMAN_RE),
    ("sex", "male", "old_self", _OLD_MAN_RE),
    ("sex", "female", "family_role", _DAUGHTER_RE),
    ("sex", "male", "family_role", _SON_RE),
    ("sex", "female", "pregnancy", _PREGNANT_RE),
    ("sex", "male", "signature", _SIGNED_MALE_RE),
    ("sex", "female", "signature", _SIGNED_FEMALE_RE),
    ("urban", "rural", "rural_life", _RURAL_LIFE_RE),
    ("urban", "rural", "named_village", _NAMED_VILLAGE_RE),
    ("urban", "rural", "village_place", _VILLAGE_PLACE_RE),
    ("urban", "rural", "own_land", _OWN_LAND_RE),
    ("urban", "rural", "rural_job", _RURAL_JOB_RE),
    ("urban", "urban", "urban_home", _URBAN_HOME_RE),
    ("urban", "urban", "urban_owner", _URBAN_OWNER_RE),
    ("urban", "urban", "urban_community", _URBAN_COMMUNITY_RE),
    ("urban", "urban", "urban_self", _URBAN_SELF_RE),
    ("urban", "urban", "urban_utilities", _URBAN_UTILITIES_RE),
)


# A rule can only fire when one of its needles is in the text: checking the needles
# first (a fast substring search) skips most regular expressions on most texts.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "age": tuple(sorted({n for _, needles, _ in _AGE_RULES for n in needles} | set(_GENERATION_NEEDLES))),
    "retired": ("退休",),
    "near_retirement": ("退休",),
    "farmer": ("种", "务农", "农民", "承包"),
    "migrant_worker": ("务工", "打工", "农民工"),
    "parent_young_child": ("小学", "幼儿园", "年级", "宝妈", "奶爸", "二胎"),
    "student": ("大学生", "研究生", "毕业", "应届", "大一", "大二", "大三", "大四"),
    "old_self": ("老太", "老婆", "老头", "老汉", "老光棍"),
    "self_sex": ("女", "男", "老爷们", "独生"),
    "parent_role": ("妈", "爸", "母亲", "父亲", "娘", "爹"),
    "spouse": ("老公", "丈夫", "老婆", "妻子", "媳妇", "太太", "夫人", "男人", "汉子", "婆娘", "婆姨",
               "他爸", "他爹", "他妈", "他娘", "老头", "老太婆"),
    "family_role": ("女儿", "闺女", "媳", "妻子", "姐", "妹", "孙", "儿子", "女婿", "丈夫", "哥", "弟"),
    "pregnancy": ("孕", "准妈妈", "哺乳", "月子", "产假", "怀了"),
    "signature": ("先生", "女士"),
    "rural_life": ("村", "种地", "农民", "农村", "山区", "山里", "乡下"),
    "named_village": ("村",),
    "village_place": ("村",),
    "own_land": ("地", "田", "庄稼", "麦子", "玉米", "稻子", "果园", "亩"),
    "rural_job": ("村", "山区", "乡下"),
    "urban_home": ("小区", "单元", "家属", "宿舍", "城中村", "楼", "电梯"),
    "urban_owner": ("业主", "业委会", "物业", "物管", "wy", "wY", "Wy", "WY"),
    "urban_community": ("社区", "居委", "街道", "网格员"),
    "urban_self": ("城", "市"),
    "urban_utilities": ("暖气", "采暖", "供暖", "公摊"),
}


_ALL_RULES = frozenset({rule for _, _, rule, _ in _PHRASE_RULES} | {"age"})


# Python's regular expressions skip fast to where a match can start only when a pattern
# opens with a literal or a character class. Most rules here open with alternatives, a
# lookbehind or a clause start, and were tried at every character, five times slower.
# Such a pattern gets a lookahead of the characters its match can start with, read from
# the parsed pattern: it matches nothing itself, so a rule reads exactly what it did.
# Where the parser (CPython's, private) is missing or a pattern is beyond the reading
# below, the pattern is left as it is.
def _start_chars(items: Any, const: Any) -> tuple[set[str] | None, bool]:
    """(characters a match of the parsed ``items`` can start with, whether it can be empty); None: any.

    "" stands for the start of the text (a branch that opens with ``^``).
    """
    chars: set[str] = set()
    for op, av in items:
        if op is const.LITERAL:
            return chars | {chr(av)}, False
        if op is const.AT and av in (const.AT_BEGINNING, const.AT_BEGINNING_STRING):
            return chars | {""}, False
        if op in (const.AT, const.ASSERT, const.ASSERT_NOT):  # zero-width: the next item starts the match
            continue
        if op is const.IN:
            if any(o not in (const.LITERAL, const.RANGE) or (o is const.RANGE and a[1] - a[0] > 256) for o, a in av):
                return None, False
            for o, a in av:
                chars |= {chr(a)} if o is const.LITERAL else {chr(c) for c in range(a[0], a[1] + 1)}
            return chars, False
        if op is const.BRANCH:
            branches = [_start_chars(branch, const) for branch in av[1]]
        elif op is const.SUBPATTERN:
            branches = [_start_chars(av[3], const)]
        elif op in (const.MAX_REPEAT, const.MIN_REPEAT):
            first, empty = _start_chars(av[2], const)
            branches = [(first, empty or av[0] == 0)]
        else:
            return None, False
        if any(first is None for first, _ in branches):
            return None, False
        for first, _ in branches:
            chars |= first or set()
        if not any(empty for _, empty in branches):
            return chars, False
    return chars, True


def _opens_fast(items: Any, const: Any) -> bool:
    """Whether the engine already skips ahead for the parsed pattern (it opens with a literal or a class)."""
    while items and items[0][0] is const.SUBPATTERN:
        items = items[0][1][3]
    if not items:
        return False
    op, av = items[0]
    return op in (const.LITERAL, const.IN) or (
        op is const.BRANCH and all(branch and branch[0][0] is const.LITERAL for branch in av[1]))


def _fast(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern``, with a lookahead of the characters its matches can start with where that helps."""
    try:
        parser, const = importlib.import_module("re._parser"), importlib.import_module("re._constants")
        items = parser.parse(pattern.pattern, pattern.flags).data
        chars, empty = _start_chars(items, const)
    except (ImportError, AttributeError, TypeError, IndexError, ValueError):
        return pattern
    if chars is None or empty or not chars or _opens_fast(items, const):
        return pattern
    cls = "".join(re.escape(c) for c in sorted(chars - {""}))
    ahead = f"(?:^|(?=[{cls}]))" if "" in chars else f"(?=[{cls}])"
    return re.compile(f"{ahead}(?:{pattern.pattern})", pattern.flags)


_FAST: dict[re.Pattern[str], re.Pattern[str]] = {}  # one fast pattern per pattern, so shared ones stay shared
_AGE_RULES = tuple((rule, needles, _FAST.setdefault(p, _fast(p))) for rule, needles, p in _AGE_RULES)
_PHRASE_RULES = tuple((a, v, rule, _FAST.setdefault(p, _fast(p))) for a, v, rule, p in _PHRASE_RULES)


class _NeedleIndex:
    """Needles by first character, for a fast :func:`_fired` (rebuilt when ``_NEEDLES`` is replaced)."""

    def __init__(self, needles: dict[str, tuple[str, ...]]) -> None:
        self.needles = needles
        self.always = frozenset(rule for rule in _ALL_RULES if rule not in needles)
        by_char: dict[str, list[tuple[str, str]]] = {}
        for rule, words in needles.items():
            for word in words:
                by_char.setdefault(word[0], []).append((word, rule))
        self.by_char = by_char
        self.first_chars = frozenset(by_char)


_INDEX: list[_NeedleIndex] = []


def _fired(text: str) -> set[str]:
    """The rules whose needles occur in ``text`` (rules without needles always run)."""
    if not _INDEX or _INDEX[0].needles is not _NEEDLES:
        _INDEX[:] = [_NeedleIndex(_NEEDLES)]
    index = _INDEX[0]
    found = set(index.always)
    for ch in index.first_chars.intersection(text):
        for needle, rule in index.by_char[ch]:
            if rule not in found and (len(needle) == 1 or needle in text):
                found.add(rule)
    return found


def _clause_before(text: str, start: int, marks: str = _CLAUSE_MARKS) -> str:
    """The text from the last clause mark (or sentence mark, with ``marks="。！？!?"``) before ``start``."""
    cut = max(text.rfind(mark, 0, start) for mark in marks)
    return text[cut + 1:start]


def _writers_place(text: str, span: tuple[int, int]) -> bool:
    """Whether the place word at ``span`` is where the writer lives (see _ELSEWHERE_RE)."""
    start, end = span
    if text[start] in _CLAUSE_MARKS or text[start] == " ":  # a pattern that opens a clause matched its mark
        start += 1
    before = _clause_before(text, start)
    if _ELSEWHERE_RE.search(before) or _AD_RE.match(text):
        return False
    if text[start] in "我俺咱额本":  # 我们村, 俺村, 本村: the writer's own, wherever one goes
        return True
    if _RETURN_RE.search(before):
        return bool(_STAY_RE.match(text, end))
    return not (_GO_RE.search(before) and _VISIT_RE.match(text, end))


def _ages(text: str, today: date) -> Iterable[Cue]:
    for rule, needles, pattern in _AGE_RULES:
        if not any(n in text for n in needles):
            continue
        for m in pattern.finditer(text):
            groups = m.groupdict()
            if groups.get("year"):
                value: int | None = today.year - int(groups["year"].translate(_YEAR_DIGITS))
            else:
                value = chinese_number(groups["n"])
            if value is None:
                continue
            approx, pre = groups.get("approx"), groups.get("pre") or ""
            if approx in ("多", "来") and value % 10 == 0:
                value += 5
            elif approx == "出头" and value % 10 == 0:
                value += 2
            if "快" in pre or "将近" in pre:
                value -= 1
            if rule != "self_age" and not (rule == "birth_year" and text[m.start()] in "我本俺") \
                    and _SENTENCE_OTHERS_RE.search(_clause_before(text, m.start() + 1, "。！？!?")):
                continue
            if 16 <= value <= 110:
                yield Cue("age", value, m.span(), rule)
    if not any(n in text for n in _GENERATION_NEEDLES):
        return
    for pattern in _GENERATION_RES:
        for m in pattern.finditer(text):
            decade = int(_ZH_DECADE.get(m.group(1), m.group(1)))
            born = (2000 if decade < 50 else 1900) + decade + 5
            yield Cue("age", today.year - born, m.span(1), "generation")


# The ages an age-group rule allows, in completed years (None: no upper bound), so that a
# voice can be placed in whatever age bands the margins use. The default groups keep the
# rule's own group (the ``age_group`` value); these ranges are what the rules know: women
# retire at 50 or 55 and men at 60, a parent of a young schoolchild is 25-44.
_RULE_AGES: dict[str, tuple[int, int | None]] = {
    "retired": (50, None),
    "near_retirement": (45, 59),
    "parent_young_child": (25, 44),
    "student": (18, 29),
    "old_self": (60, None),
}


def cue_age_range(attribute: str, value: object, rule: str, text: str = "") -> tuple[int, int | None] | None:
    """The ages (lowest, highest; highest None for "and over") a cue allows; None for a cue
    that is not about age, or an age group read from an age cue (``from_age``: the age
    cue itself says it).

    An age is exact, but "七十多岁" (``text`` the words read) allows 70-79 and "六十出头"
    60-63; a generation (80后, born 1980-89) allows ages ``value - 5`` to ``value + 5``
    (its middle year's age, give or take the birthday); an age-group rule allows the ages
    of :data:`_RULE_AGES`.
    """
    if attribute == "age" and isinstance(value, int | float):
        age = int(value)
        if rule == "generation":
            return age - 5, age + 5
        if re.search(r"[十\d][多来]", text) and age % 10 == 5:
            return age - 5, age + 4
        if "出头" in text and age % 10 == 2:
            return age - 2, age + 1
        return age, age
    if attribute == "age_group" and rule in _RULE_AGES:
        return _RULE_AGES[rule]
    return None


def find_cues(text: str, gazetteer: Gazetteer | None = None, *, today: date, normalized: bool = False) -> CueResult:
    """All cues in ``text``, resolved: agreed attributes and conflicting ones apart.

    Spans index the normalised text (``normalized=True``: ``text`` already is).
    """
    return resolve_cues(read_cues(text, gazetteer, today=today, normalized=normalized))


def read_cues(text: str, gazetteer: Gazetteer | None = None, *, today: date, normalized: bool = False) -> list[Cue]:
    """Every cue in ``text``, unresolved, in text order (see :func:`resolve_cues`)."""
    if not normalized:
        text = normalize(text)
    fired = _fired(text)
    found: list[Cue] = list(_ages(text, today)) if "age" in fired else []
    for cue in list(found):
        group = age_group(int(cue.value))
        if group is not None:
            found.append(Cue("age_group", group, cue.span, "from_age"))
    spans: dict[re.Pattern[str], list[tuple[int, int]]] = {}  # a pattern shared by two rules runs once
    for attribute, value, rule, pattern in _PHRASE_RULES:
        if rule not in fired:
            continue
        if pattern not in spans:
            spans[pattern] = [m.span() for m in pattern.finditer(text)]
        found.extend(Cue(attribute, value, span, rule) for span in spans[pattern]
                     if rule not in _PLACE_RULES or _writers_place(text, span))
    if gazetteer is not None:
        match = gazetteer.find(text)
        if match is not None:
            found.append(Cue("region", match.region, match.span, "gazetteer"))
            if match.urban is not None:
                found.append(Cue("place", match.name, match.span, "gazetteer"))
                found.append(Cue("urban", match.urban, match.span, "gazetteer"))
    return sorted(found, key=lambda c: c.span)


def resolve_cues(cues: Iterable[Cue]) -> CueResult:
    """Agreed attributes (first cue in order kept) and attributes whose cues disagree."""
    by_attribute: dict[str, list[Cue]] = {}
    for cue in cues:
        by_attribute.setdefault(cue.attribute, []).append(cue)
    agreed: dict[str, Cue] = {}
    conflicts: dict[str, list[Cue]] = {}
    for attribute, cues in by_attribute.items():
        if len({c.value for c in cues}) == 1:
            agreed[attribute] = cues[0]
        else:
            conflicts[attribute] = cues
    return CueResult(agreed, conflicts)


def cue_config(gazetteer: Gazetteer | None, today: date) -> str:
    """Fingerprint of what decides a text's cues: the rules, the gazetteer and the year.

    The year is part of it because generation cues are relative (80后 is 41 in 2026).
    Cues stored under another configuration are never reused: editing a rule or the
    gazetteer reads every text again.
    """
    digest = hashlib.sha256()
    parts = [repr([(rule, needles, p.pattern) for rule, needles, p in _AGE_RULES]),
             repr([p.pattern for p in _GENERATION_RES]),
             repr([(a, v, rule, p.pattern) for a, v, rule, p in _PHRASE_RULES]),
             repr(sorted(_NEEDLES.items())),
             repr([p.pattern for p in (_SENTENCE_OTHERS_RE, _ELSEWHERE_RE, _RETURN_RE, _STAY_RE, _GO_RE, _VISIT_RE, _AD_RE)]),
             repr(sorted(_PLACE_RULES)),
             repr(sorted(gazetteer.places.items()) if gazetteer is not None else None),
             str(today.year),
             # Cues read normalised text; a change in normalisation (traditional characters
             # converted to simplified since OpenCC t2s was added) must read texts again.
             "normalize: NFKC, OpenCC t2s"]
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def cue_record(cue: Cue, text: str) -> dict[str, str | int]:
    """A cue as stored: attribute, value, rule, span and the text of the span (``text`` it was read from)."""
    start, end = cue.span
    return {"attribute": cue.attribute, "value": cue.value, "rule": cue.rule,
            "start": start, "end": end, "text": text[start:end]}


def cue_from_record(record: dict[str, str | int]) -> Cue:
    """The :class:`Cue` of a stored record (see :func:`cue_record`)."""
    return Cue(str(record["attribute"]), record["value"], (int(record["start"]), int(record["end"])),
               str(record["rule"]))


def extract_cues(text: str, gazetteer: Gazetteer | None = None, *, today: date) -> dict[str, Cue]:
    """The attributes whose cues agree, by attribute name (see the module docstring)."""
    return find_cues(text, gazetteer, today=today).cues


def evaluate_cues(
    path: Path | str, attributes: Iterable[str] = ("age_group", "sex", "urban", "occupation"), *,
    gazetteer: Gazetteer | None = None, today: date,
) -> dict[str, dict[str, float | int | None]]:
    """Precision and recall per attribute on a labelled CSV (``text`` plus one column per attribute).

    An empty cell means "the text does not say": a cue there counts against precision.
    """
    table = read_table(path)
    table.require(["text"], "a labelled sample needs a text column")
    rows = [row for _, row in table.rows if "__error__" not in row]
    found = [extract_cues(row["text"], gazetteer, today=today) for row in rows]
    out: dict[str, dict[str, float | int | None]] = {}
    for attribute in attributes:
        if attribute not in table.header:
            raise InputError(f"{table.path}: no column {attribute!r}; label it or leave it out of attributes")
        tp = fp = fn = 0
        for row, cues in zip(rows, found, strict=True):
            got = cues[attribute].value if attribute in cues else None
            want = row[attribute] or None
            if got is not None:
                tp += got == want
                fp += got != want
            if want is not None and got != want:
                fn += 1
        out[attribute] = {
            "labelled": sum(1 for r in rows if r[attribute]),
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        }
    return out


# The blind set's age labels are years: an exact ``age``, or an ``age_band`` "lo-hi"
# ("lo-" open-ended). The group boundaries of opinion.attributes.age_group.
_GROUP_BOUNDS = {"18-29": (18, 29), "30-44": (30, 44), "45-59": (45, 59), "60+": (60, None)}
_BAND_RE = re.compile(r"(\d+)-(\d+)?")


def _band(age: str, band: str, where: str) -> tuple[int, int | None] | None:
    """(lo, hi) years of a blind row, hi None when open-ended; None when the text says nothing."""
    if age.strip():
        if not age.strip().isdigit():
            raise InputError(f"{where}: age {age!r} is not a whole number of years")
        return int(age), int(age)
    if not band.strip():
        return None
    m = _BAND_RE.fullmatch(band.strip())
    if m is None:
        raise InputError(f"{where}: age_band {band!r} is not lo-hi or lo- in years")
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)


def _overlaps(band: tuple[int, int | None], group: str) -> bool:
    lo, hi = band
    g_lo, g_hi = _GROUP_BOUNDS[group]
    return (hi is None or hi >= g_lo) and (g_hi is None or lo <= g_hi)


def _band_group(band: tuple[int, int | None]) -> str | None:
    """The age group a band falls inside, None when it straddles groups (or reaches below 18)."""
    lo, hi = band
    for group, (g_lo, g_hi) in _GROUP_BOUNDS.items():
        if lo >= g_lo and (g_hi is None or (hi is not None and hi <= g_hi)):
            return group
    return None


_BLIND_ATTRIBUTES = ("age_group", "sex", "urban")


@dataclass(frozen=True)
class _BlindRow:
    text: str
    band: tuple[int, int | None] | None  # the age label in years
    wanted: dict[str, str | None]  # the level of each attribute, None where the text does not say

    def judge(self, attribute: str, got: str) -> bool | None:
        """Whether the cue ``got`` is right; None when an age band straddling groups allows it."""
        want = self.wanted[attribute]
        if attribute == "age_group" and want is None and self.band is not None and _overlaps(self.band, got):
            return None
        return got == want


def _blind_rows(path: Path | str) -> list[_BlindRow]:
    table = read_table(path)
    table.require(["text", "age", "age_band", "sex", "urban"], "a blind set needs text,age,age_band,sex,urban")
    rows = []
    for number, row in table.rows:
        where = table.where(number)
        if "__error__" in row:
            raise InputError(f"{where}: {row['__error__']}; fix the row's delimiters")
        band = _band(row["age"], row["age_band"], where)
        wanted: dict[str, str | None] = {"age_group": _band_group(band) if band is not None else None}
        for attribute in ("sex", "urban"):
            wanted[attribute] = normalise_level(attribute, row[attribute]) if row[attribute].strip() else None
            if row[attribute].strip() and wanted[attribute] is None:
                raise InputError(f"{where}: {attribute} {row[attribute]!r} is not one of {'/'.join(LEVELS[attribute])}")
        rows.append(_BlindRow(row["text"], band, wanted))
    return rows


def _rates(tally: dict[str, int]) -> dict[str, float | int | None]:
    judged = tally["cues"] - tally["undecided"]
    out: dict[str, float | int | None] = dict(tally)
    out["precision"] = round(tally["correct"] / judged, 3) if judged else None
    if "labelled" in tally:
        out["recall"] = round(tally["correct"] / tally["labelled"], 3) if tally["labelled"] else None
    return out


def evaluate_blind(
    path: Path | str, *, gazetteer: Gazetteer | None = None, today: date,
) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """Cues scored per attribute and level on a blind set (``tests/data/blind/topics/*.csv``).

    The file has ``text`` and the writer labels ``age`` (years), ``age_band`` ("lo-hi" or
    "lo-" years), ``sex`` (male/female) and ``urban`` (urban/rural); empty means the text
    does not say. Ages map to the groups of :func:`opinion.attributes.age_group`; a band
    counts only where it falls inside one group (55-59 -> 45-59). A band that straddles
    groups (退休 -> 55-) judges no cue that agrees with it (60+ there is neither right nor
    wrong: counted as ``undecided``) and makes one that contradicts it (18-29) wrong.

    Returns ``{attribute: {level or "all": {"labelled", "cues", "correct", "undecided",
    "precision", "recall"}}}`` for age_group, sex and urban: ``labelled`` rows carry the
    level, ``cues`` rows were given it (cues that conflict leave a row unknown and give
    nothing), ``precision`` = correct / (cues - undecided), a cue where the text says
    nothing counting as wrong, ``recall`` = correct / labelled; None where undefined.
    "all" pools the levels and adds ``conflicts``, rows whose cues disagreed.

    Raises:
        InputError: the file is unreadable, lacks a column, or an age or band is malformed.
    """
    counts = {attribute: {level: {"labelled": 0, "cues": 0, "correct": 0, "undecided": 0}
                          for level in (*LEVELS[attribute], "all")}
              for attribute in _BLIND_ATTRIBUTES}
    conflicts = dict.fromkeys(counts, 0)
    for row in _blind_rows(path):
        result = find_cues(row.text, gazetteer, today=today)
        for attribute, tally in counts.items():
            want = row.wanted[attribute]
            conflicts[attribute] += attribute in result.conflicts
            for level in ((want, "all") if want is not None else ()):
                tally[level]["labelled"] += 1
            cue = result.cues.get(attribute)
            if cue is None:
                continue
            got = str(cue.value)
            right = row.judge(attribute, got)
            for level in (got, "all"):
                tally[level]["cues"] += 1
                tally[level]["correct"] += right is True
                tally[level]["undecided"] += right is None
    out: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for attribute, tally in counts.items():
        out[attribute] = {level: _rates(c) for level, c in tally.items()}
        out[attribute]["all"]["conflicts"] = conflicts[attribute]
    return out


def evaluate_blind_rules(
    path: Path | str, *, gazetteer: Gazetteer | None = None, today: date,
) -> dict[tuple[str, str, str], dict[str, float | int | None]]:
    """Each rule's precision on a blind set (see :func:`evaluate_blind` for the file).

    Every cue a rule gives counts, before cues are resolved: a rule is judged also where
    an earlier cue was kept or a conflict left the attribute unknown. An age group read
    from an age is credited to the age's rule (self_age, clause_age, birth_year,
    generation), not to ``from_age``.

    Returns ``{(attribute, level, rule): {"cues", "correct", "undecided", "precision"}}``
    for age_group, sex and urban, ``cues`` counting rows (a rule firing twice in a text
    counts once).

    Raises:
        InputError: as :func:`evaluate_blind`.
    """
    tally: dict[tuple[str, str, str], dict[str, int]] = {}
    for row in _blind_rows(path):
        cues = read_cues(row.text, gazetteer, today=today)
        age_rules = {c.span: c.rule for c in cues if c.attribute == "age"}
        fired = {(c.attribute, str(c.value), age_rules.get(c.span, c.rule) if c.rule == "from_age" else c.rule)
                 for c in cues if c.attribute in _BLIND_ATTRIBUTES}
        for key in fired:
            counts = tally.setdefault(key, {"cues": 0, "correct": 0, "undecided": 0})
            right = row.judge(key[0], key[1])
            counts["cues"] += 1
            counts["correct"] += right is True
            counts["undecided"] += right is None
    return {key: _rates(counts) for key, counts in sorted(tally.items())}
