from __future__ import annotations

import random
import time

import pytest

from transforms import regions
from transforms.regions import Region, division, place_mentions, resolve_region


def where(region: Region) -> tuple[str | None, str | None, str | None]:
    return region.province, region.city, region.county


def test_autonomous_county_is_found_by_its_everyday_name() -> None:
    region = resolve_region("张家川县商务局")
    assert where(region) == ("甘肃省", "天水市", "张家川回族自治县")
    assert region.code == "620525000000"
    assert region.confidence >= 0.85


def test_autonomous_county_is_not_mapped_to_chongqing() -> None:
    # a popular address library resolves "张家川县" to 重庆市 through its generic 县 row
    region = resolve_region("张家川县商务局", text="张家川县行广场西侧")
    assert region.province != "重庆市"
    assert region.code is not None and region.code.startswith("62")


def test_township_page_resolves_to_its_county() -> None:
    region = resolve_region("张家川县张棉驿乡人民政府", text="张家川县张棉驿乡张棉村")
    assert where(region) == ("甘肃省", "天水市", "张家川回族自治县")


def test_zone_resolves_to_the_county_it_sits_in() -> None:
    region = resolve_region("平潭综合实验区", text="福建省人民政府办公厅关于…")
    assert where(region) == ("福建省", "福州市", "平潭县")
    assert region.code == "350128000000"
    assert "福建省" in region.evidence


def test_district_with_its_city() -> None:
    assert where(resolve_region("安源区商务局")) == ("江西省", "萍乡市", "安源区")


def test_city_department_has_no_county() -> None:
    assert where(resolve_region("赣州市商务局")) == ("江西省", "赣州市", None)
    assert where(resolve_region("石家庄市")) == ("河北省", "石家庄市", None)
    assert where(resolve_region("淮安市人民政府")) == ("江苏省", "淮安市", None)


def test_municipality_repeats_its_name_as_city() -> None:
    region = resolve_region("上海市人民政府办公厅")
    assert where(region) == ("上海市", "上海市", None)
    assert region.code == "310000000000"
    district = resolve_region("浦东新区人民政府")
    assert where(district) == ("上海市", "上海市", "浦东新区")


def test_homonym_district_is_chosen_by_the_city_named_in_the_text() -> None:
    cangzhou = resolve_region("新华区商务局", text="为沧州市经济发展服务，沧州市商务局指导")
    assert where(cangzhou) == ("河北省", "沧州市", "新华区")
    assert "homonym" in cangzhou.evidence
    shijiazhuang = resolve_region("新华区商务局", text="石家庄市新华区位于河北省")
    assert where(shijiazhuang) == ("河北省", "石家庄市", "新华区")


def test_homonym_without_evidence_is_low_confidence() -> None:
    region = resolve_region("鼓楼区人民政府")
    assert region.county == "鼓楼区"
    assert region.confidence < 0.5
    assert "ambiguous" in region.evidence


def test_chain_in_the_name_disambiguates() -> None:
    assert where(resolve_region("南京市鼓楼区人民政府")) == ("江苏省", "南京市", "鼓楼区")
    assert where(resolve_region("福州市鼓楼区教育局")) == ("福建省", "福州市", "鼓楼区")


def test_department_named_by_level_only_takes_the_city_from_the_text() -> None:
    region = resolve_region("市商务局", text="石家庄市商务局 河北省 石家庄市 新华区政府 新华区政府")
    assert where(region) == ("河北省", "石家庄市", None)
    assert region.confidence <= 0.7


def test_prefecture_short_forms() -> None:
    assert where(resolve_region("恩施州人民政府")) == ("湖北省", "恩施土家族苗族自治州", None)


def test_title_and_meta_are_used_when_the_name_is_missing() -> None:
    region = resolve_region(None, title="张家川县2019年政府信息公开工作年度报告")
    assert region.county == "张家川回族自治县"
    region = resolve_region(None, meta={"ContentSource": "安源区商务局"})
    assert region.county == "安源区"


def test_nothing_found() -> None:
    region = resolve_region("国务院办公厅", text="政府信息公开工作年度报告")
    assert region.code is None and region.confidence == 0.0


def test_place_mentions_skip_bare_names() -> None:
    text = "平潭是海岛，福州市和张家川县"
    spans = [text[s:e] for s, e, _ in place_mentions(text)]
    assert spans == ["福州市", "张家川县"]


def test_dataset_is_the_official_list() -> None:
    d = division("620525000000")
    assert d is not None and d.name == "张家川回族自治县" and d.level == 3


def test_resolution_is_fast_on_a_long_page() -> None:
    resolve_region("石家庄市商务局")  # load the list once
    text = "石家庄市商务局认真贯彻落实条例要求，做好政府信息公开工作。" * 10_000  # ~300 KB
    start = time.perf_counter()
    region = resolve_region("市商务局", text=text)
    assert region.city == "石家庄市"
    assert time.perf_counter() - start < 2.0  # a scan per name would take minutes


@pytest.mark.parametrize(("name", "county"), [
    ("大厂回族自治县民政局", "大厂回族自治县"),
    ("大厂县民政局", "大厂回族自治县"),
    ("鄂伦春旗人民政府", "鄂伦春自治旗"),
])
def test_ethnic_autonomous_names_have_short_forms(name: str, county: str) -> None:
    assert resolve_region(name).county == county


def _whole_text_hits(text: str) -> list[tuple[int, str]]:
    """What _hits stands for: one iter_long pass of the automaton over the whole text."""
    automaton = regions._gazetteer().automaton
    return [(end - len(form) + 1, form) for end, form in automaton.iter_long(text)] if text else []


def test_stretch_scan_finds_what_one_pass_over_the_text_finds() -> None:
    forms = sorted(regions._gazetteer().aliases)
    rng = random.Random(3)
    texts = ["", "张", "政府信息公开", "张家川回族自治县张家川县张家川张棉驿乡",
             "北京市北京市海淀区", "福建省福州市平潭综合实验区管委会"]
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 12)):
            form = rng.choice(forms)
            cut = rng.random()
            if cut < 0.3:
                form = form[:rng.randint(1, len(form))]  # a prefix that goes nowhere
            elif cut < 0.5:
                form = form[rng.randint(0, len(form) - 1):]  # a suffix: failure links
            elif cut < 0.6:
                form += rng.choice(forms)[:3]  # forms running into each other
            parts.append(form)
            if rng.random() < 0.3:
                parts.append(rng.choice("政府信息公开，。 \n12市县区省州新") * rng.randint(1, 2))
        texts.append("".join(parts))
    for text in texts:
        assert list(regions._hits(text)) == _whole_text_hits(text), text
    # long texts find their candidate starts with numpy rather than the start patterns
    for i in range(0, len(texts) - 40, 40):
        text = "\n".join(texts[i:i + 40])
        assert len(text) >= regions._NUMPY_MIN
        assert list(regions._hits(text)) == _whole_text_hits(text)
        assert list(regions._hits(text[1:] + "\ud800")) == _whole_text_hits(text[1:] + "\ud800")
