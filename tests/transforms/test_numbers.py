import pytest

from transforms.numbers import is_number_like, read_number


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [("0", 0.0, None), ("12", 12.0, None), ("251000元", 251000.0, "元"),
     ("13万元", 13.0, "万元"), ("-3", -3.0, None), ("－3", -3.0, None),
     ("24252.311082", 24252.311082, None), ("1,234", 1234.0, None), ("１２", 12.0, None)],
)
def test_reads_numbers_with_units(text: str, value: float, unit: str | None) -> None:
    cell = read_number(text)
    assert cell.ok and cell.value == value and cell.unit == unit


def test_blank_is_zero_and_not_applicable_is_null() -> None:
    assert read_number("").value == 0.0
    assert read_number("\u00a0 ").value == 0.0
    for mark in ("/", "—", "／"):
        cell = read_number(mark)
        assert cell.ok and cell.value is None


@pytest.mark.parametrize("text", ["abc", "3 5", "12件数", "1.2.3"])
def test_strict_rejects_what_is_not_a_number(text: str) -> None:
    assert not read_number(text).ok


def test_number_like() -> None:
    assert is_number_like("42") and not is_number_like("") and not is_number_like("/")
