"""Who is writing: demographic cues read from what a voice says about itself.

Online voices rarely carry age, sex or residence as metadata, yet weighting needs
them. Many writers say it themselves ("我今年72岁", "本人女", "我们村"). This module
reads such self-descriptions with explicit, auditable rules; each :class:`Cue` names
the rule that fired and the span of text it read. Precision matters more than
recall: a wrong attribute moves a voice to the wrong cell, a missing one leaves it
``unknown``, which weighting handles openly. So every rule needs a self-reference
(我/本人/俺/咱 or a self-describing noun), and words about other people (孩子今年8岁,
我爸退休了) are not read as the writer's.

Rules (``rule`` names in brackets):

``age``
  [self_age] 我/本人/俺 (+ 今年/已经/都/快 ...) N岁, N in digits or Chinese numerals;
  [clause_age] a clause that opens with 今年N岁 (letters start "今年72岁，...") or is
  just "N岁" ("本人男，28岁，..."); N岁的我 counts as [self_age];
  "N多岁"/"N来岁" with N a multiple of ten reads as N+5 (七十多岁 -> 75);
  [generation] 我是80后 / 本人90后 / 作为一个70后, or "80后" standing alone as a
  clause: age ``today.year - (decade + 5)``
  (80后 -> today.year - 1985). Ages outside 16-110 are ignored.
``age_group``
  [from_age] the group of the age cue; [retired] 我/本人/作为 ... 退休 (not 才能退休,
  还没退休), a clause opening with 退休 ("本人男，退休职工"), 退休在家 -> 60+
  (retirement comes at 50-60, most retirees writing are older; an age cue that says
  otherwise conflicts and leaves the group unknown). 我父亲是退休工人 is not the writer's;
  [parent_young_child] 孩子/女儿/儿子 上小学/上幼儿园/读小学/上一年级, 宝妈, 奶爸,
  二胎妈妈 -> 30-44; [student] 我是大学生/我是研究生/我刚毕业 -> 18-29;
  [old_self] 我一个老太太/老头子, 俺老汉 -> 60+.
``sex``
  [self_sex] 本人女/男, 我是女的/男的, 我是女生/男生; [parent_role] 宝妈, 作为(一名)
  母亲/妈妈 -> female; 奶爸, 作为(一名)父亲/爸爸 -> male; [spouse] 我老公/我丈夫 ->
  female, 我老婆/我妻子 -> male; [old_self] 老太太 -> female, 老头子/老汉 -> male.
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
  [rural_life] 种地, 我们村, 咱村, 俺村, 俺们村, 本村, 村里, 村民, 我是农民 (not 农民工),
  我一个农村妇女 -> rural; [farmer] as above.
  Nothing marks urban: 小区/业主 are too weak (villages have 小区 too). The
  gazetteer can give urban: [gazetteer] the place mentioned is a 城镇 place.
``region`` / ``place``
  [gazetteer] the longest place name mentioned (a community or village), else a
  town name (region only, urban unknown).

Two cues for one attribute that disagree (本人女 and 奶爸) cancel: the attribute is
left out and the conflict is recorded (:func:`find_cues` returns both).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from opinion.attributes import age_group, normalise_level
from opinion.errors import InputError
from opinion.files.tables import read_table
from opinion.text.segment import normalize

__all__ = [
    "Cue",
    "CueResult",
    "Gazetteer",
    "PlaceMatch",
    "chinese_number",
    "cue_config",
    "cue_from_record",
    "cue_record",
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


_NUM = r"(\d{1,3}|[一二两三四五六七八九十百零〇]{1,5})"
_SELF = r"(?:我|本人|俺|咱)"
_OTHERS = "爸妈父母亲爷奶姥公婆老伴孩子儿女孙哥姐弟妹叔姨舅"

# (rule, needles: one must occur for the pattern to match, pattern)
_AGE_RULES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("self_age", ("岁",), re.compile(_SELF + r"(?:今年|已经|已|都|快|也|现在|是|也是|已年过|年过)*" + _NUM + r"(多|来)?周?岁")),
    ("clause_age", ("今年",), re.compile(r"(?:^|[，。！？；：,.!?;: ])今年" + _NUM + r"(多|来)?周?岁")),
    # "本人男，28岁，..." : an age standing alone as a clause describes the writer.
    ("clause_age", ("岁",), re.compile(r"(?:^|[，。！？；：,.!?;: ])" + _NUM + r"(多|来)?周?岁(?=[，。！？；：,.!?;: ]|$)")),
    ("self_age", ("岁的我", "岁的俺"), re.compile(_NUM + r"(多|来)?周?岁的(?:我|俺)")),
)
_DECADE = r"([5-9]0|00|[五六七八九]零|零零)后"
_GENERATION_RES = (
    re.compile(r"(?:" + _SELF + r"(?:是|也是)?|作为)(?:一个|一名|个)?" + _DECADE),
    # "80后，..." opening a clause and standing alone describes the writer.
    re.compile(r"(?:^|[，。！？；：,.!?;: ])" + _DECADE + r"(?=[，。！？；：,.!?;: ]|$)"),
)
_GENERATION_NEEDLES = ("0后", "零后")  # every _DECADE ends in one of these
_ZH_DECADE = {"五零": "50", "六零": "60", "七零": "70", "八零": "80", "九零": "90", "零零": "00"}

_CLAUSE_START = r"(?:^|[，。！？；：,.!?;: ])"
_SELF_OR_AS = r"(?:我|本人|俺|咱|作为)"
# Between the self-reference and the occupation: nobody else's kin, no village or town
# ("我们村的年轻人都外出打工了" speaks of others), no clause break.
_NOT_OTHERS = rf"[^{_OTHERS}村镇，。！？；]"

_RETIRED_RE = re.compile(
    # 我是退休工人, 我刚退休, 作为一名退休干部; not 我还差两年才能退休 (not yet retired).
    _SELF_OR_AS + rf"[^{_OTHERS}差没未才要快将，。！？；]{{0,6}}退休"
    # A clause that opens with 退休 speaks of the writer: "本人男，退休职工", "退休以后我每天带孙子".
    + "|" + _CLAUSE_START + r"(?:刚|已经)?退休(?!金|工资|年龄|手续|政策)|退休在家"
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

# (attribute, value, rule, pattern)
_PHRASE_RULES: tuple[tuple[str, str, str, re.Pattern[str]], ...] = (
    ("age_group", "60+", "retired", _RETIRED_RE),
    ("occupation", "retired", "retired", _RETIRED_RE),
    ("occupation", "farmer", "farmer", _FARMER_RE),
    ("urban", "rural", "farmer", _FARMER_RE),
    ("occupation", "migrant_worker", "migrant_worker", _MIGRANT_RE),
    ("age_group", "30-44", "parent_young_child",
     re.compile(r"(?:孩子|女儿|儿子|娃)(?:今年|刚|正在)?(?:上|读)(?:小学|幼儿园|一年级|二年级|三年级)|宝妈|奶爸|二胎妈妈")),
    ("age_group", "18-29", "student",
     re.compile(_SELF + r"(?:是|还是)(?:一名|一个)?(?:在校)?(?:大学生|研究生)|我刚毕业|本人应届")),
    ("age_group", "60+", "old_self", re.compile(r"(?:我|俺)(?:一个|这个|这)?(?:老太太|老太婆|老头子|老头儿|老汉)")),
    ("sex", "female", "self_sex", re.compile(r"本人女|我是(?:个|一个|一名)?女(?:的|生|性)|我一个女(?:的|人)|我一个农村妇女")),
    ("sex", "male", "self_sex", re.compile(r"本人男|我是(?:个|一个|一名)?男(?:的|生|性)|我一个(?:大)?男(?:的|人)")),
    ("sex", "female", "parent_role", re.compile(r"宝妈|二胎妈妈|作为(?:一名|一个)?(?:母亲|妈妈)")),
    ("sex", "male", "parent_role", re.compile(r"奶爸|作为(?:一名|一个)?(?:父亲|爸爸)")),
    ("sex", "female", "spouse", re.compile(r"我(?:老公|丈夫)")),
    ("sex", "male", "spouse", re.compile(r"我(?:老婆|妻子)")),
    ("sex", "female", "old_self", re.compile(r"(?:我|俺)(?:一个|这个|这)?(?:老太太|老太婆)")),
    ("sex", "male", "old_self", re.compile(r"(?:我|俺)(?:一个|这个|这)?(?:老头子|老头儿|老汉)")),
    ("urban", "rural", "rural_life",
     re.compile(r"种地|我们村|咱村|俺村|俺们村|咱们村|本村|村里|村民|我是(?:个|一个|一名)?农民(?!工)|"
                r"我(?:是|一个)?(?:个)?农村(?:人|妇女|老人)")),
)


# A rule can only fire when one of its needles is in the text: checking the needles
# first (a fast substring search) skips most regular expressions on most texts.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "age": ("岁", "0后", "零后"),
    "retired": ("退休",),
    "farmer": ("种", "务农", "农民", "承包"),
    "migrant_worker": ("务工", "打工", "农民工"),
    "parent_young_child": ("小学", "幼儿园", "年级", "宝妈", "奶爸", "二胎"),
    "student": ("大学生", "研究生", "毕业", "应届"),
    "old_self": ("老",),
    "self_sex": ("女", "男"),
    "parent_role": ("妈", "爸", "母亲", "父亲"),
    "spouse": ("老公", "丈夫", "老婆", "妻子"),
    "rural_life": ("村", "种地", "农"),
}


_ALL_RULES = frozenset({rule for _, _, rule, _ in _PHRASE_RULES} | {"age"})


def _fired(text: str) -> set[str]:
    """The rules whose needles occur in ``text`` (rules without needles always run)."""
    found = {rule for rule in _ALL_RULES if rule not in _NEEDLES}
    for rule, needles in _NEEDLES.items():
        for needle in needles:
            if needle in text:
                found.add(rule)
                break
    return found


def _ages(text: str, today: date) -> Iterable[Cue]:
    for rule, needles, pattern in _AGE_RULES:
        if not any(n in text for n in needles):
            continue
        for m in pattern.finditer(text):
            value = chinese_number(m.group(1))
            if value is None:
                continue
            if m.group(2) and value % 10 == 0:
                value += 5
            if 16 <= value <= 110:
                yield Cue("age", value, m.span(), rule)
    if not any(n in text for n in _GENERATION_NEEDLES):
        return
    for pattern in _GENERATION_RES:
        for m in pattern.finditer(text):
            decade = int(_ZH_DECADE.get(m.group(1), m.group(1)))
            born = (2000 if decade < 50 else 1900) + decade + 5
            yield Cue("age", today.year - born, m.span(1), "generation")


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
        found.extend(Cue(attribute, value, span, rule) for span in spans[pattern])
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
             repr(sorted(gazetteer.places.items()) if gazetteer is not None else None),
             str(today.year)]
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
