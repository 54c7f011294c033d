from pathlib import Path

import pytest

from flows.crawl.config import (
    CrawlSettings,
    SourcesError,
    domain_allowed,
    load_sources,
    netloc_of,
    site_for_url,
)

REPO = Path(__file__).resolve().parents[3]


def test_repo_sources_file_loads_and_names_no_live_site() -> None:
    assert load_sources(REPO / "sources.toml") == []


def test_sources_file_with_politeness(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[[site]]\nname = "pt"\nstart_url = "https://www.pingtan.gov.cn/zwgk/"\n'
                    'allowed_domains = ["pingtan.gov.cn"]\nconcurrency_per_host = 1\n'
                    "delay = 2.5\n", encoding="utf-8")
    (site,) = load_sources(path)
    assert site.name == "pt" and site.start_urls == ("https://www.pingtan.gov.cn/zwgk/",)
    settings = site.settings(CrawlSettings())
    assert settings.concurrency_per_host == 1 and settings.delay == 2.5


@pytest.mark.parametrize("body, message", [
    ('[[site]]\nstart_url = "ftp://x"\n', "must be one or more"),
    ('[[site]]\nstart_url = "http://a.gov.cn/"\nallowed_domains = ["b.gov.cn"]\n', "outside"),
    ('[[site]]\nstart_url = "http://a.gov.cn/"\nspeed = 3\n', "unknown keys speed"),
    ("[[site]\n", "not valid TOML"),
])
def test_bad_sources_files_say_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


def test_domains_port_entries_are_exact_and_host_entries_cover_subdomains() -> None:
    assert netloc_of("http://127.0.0.1:80/x") == "127.0.0.1"
    assert domain_allowed("https://www.pingtan.gov.cn/a", ("pingtan.gov.cn",))
    assert not domain_allowed("https://pingtan.gov.cn.evil.com/a", ("pingtan.gov.cn",))
    assert domain_allowed("http://127.0.0.1:8001/a", ("127.0.0.1:8001",))
    assert not domain_allowed("http://127.0.0.1:8002/a", ("127.0.0.1:8001",))
    site = site_for_url("http://127.0.0.1:8001/zfxxgknb/")
    assert site.allowed_domains == ("127.0.0.1:8001",)
