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


@pytest.mark.parametrize(("text", "value"), [("0", 0.0), ("0012", 12.0), ("305", 305.0),
                                             ("３０５", 305.0), ("٣٠", 30.0)])
def test_digit_strings_read_alike_on_the_fast_path_and_off_it(text: str, value: float) -> None:
    """ASCII digits skip NFKC and the regex; full-width and other digits still go through."""
    first, again = read_number(text), read_number(text)
    assert (first.value, first.unit, first.ok) == (value, None, True)
    assert again == first  # the memoized reading is the same value


def test_long_texts_are_read_but_not_memoized() -> None:
    from transforms import numbers

    text = "1" * 100
    assert read_number(text).value == float(text)
    assert text not in numbers._CACHE
