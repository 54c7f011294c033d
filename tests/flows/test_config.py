"""ogi.toml: the nightly deployment's sources, warehouse, schedule and webhook."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import DEFAULT_CONFIG, ConfigError, load_config
from flows.deployment import deployment_parameters


def test_the_project_config_serves_the_samples_at_two_china_time() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert (config.cron, config.timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert config.warehouse == DEFAULT_CONFIG.parent / "warehouse"
    assert config.sources == [] and config.notify is None and config.retries >= 1


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "ogi.toml"
    path.parent.mkdir()
    path.write_text('[nightly]\nsources = ["docs", "https://x.gov.cn/a.html"]\n'
                    'warehouse = "../wh"\nnotify = "http://127.0.0.1:9/hook"\nretries = 0\n',
                    encoding="utf-8")
    config = load_config(path)
    assert config.sources == [str(tmp_path / "conf" / "docs"), "https://x.gov.cn/a.html"]
    assert config.warehouse == tmp_path / "wh"
    assert (config.notify, config.retries) == ("http://127.0.0.1:9/hook", 0)


@pytest.mark.parametrize(("text", "message"), [
    ("[nightly]\nwarehous = 'x'\n", "unknown \\[nightly\\] key\\(s\\) warehous"),
    ("[nightly]\nnotify = 'ftp://x'\n", "not an http"),
    ("[nightly]\nretries = 'two'\n", "retries = 'two' is not"),
    ("[nightly\n", "ogi.toml"),
])
def test_bad_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "ogi.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "none.toml")


def test_a_warehouse_url_is_kept_as_given(tmp_path: Path) -> None:
    cfg = tmp_path / "ogi.toml"
    cfg.write_text('[nightly]\nwarehouse = "s3://bucket/ogi/"\n', encoding="utf-8")
    assert load_config(cfg).warehouse == "s3://bucket/ogi"
    params = deployment_parameters(load_config(cfg))
    assert params["warehouse"] == "s3://bucket/ogi"
