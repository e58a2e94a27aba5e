from datetime import date

import pytest

from reports import i18n


@pytest.mark.parametrize(("lang", "expected"), [("en", "1,234,567.5"), ("fr", "1\u202f234\u202f567,5")])
def test_numbers_use_the_languages_separators(lang, expected):
    assert i18n.format_number(1234567.5, lang, 1) == expected


def test_percent_in_french_has_a_narrow_space_and_a_decimal_comma():
    assert i18n.format_percent(0.2534, "fr", 1) == "25,3\u202f%"
    assert i18n.format_percent(0.2534, "en", 1) == "25.3%"


def test_signed_percent_shows_direction_and_never_minus_zero():
    assert i18n.format_percent(0.5, "en", signed=True) == "+50%"
    assert i18n.format_percent(-0.25, "en", signed=True) == "−25%"
    assert i18n.format_percent(-0.0001, "en", signed=True) == "±0%"
    assert i18n.format_percent(None, "en") == "–"


def test_dates():
    assert i18n.format_date(date(2026, 11, 21), "fr") == "21 nov. 2026"
    assert i18n.format_date(date(2026, 2, 1), "fr") == "1er févr. 2026"
    assert i18n.format_date(date(2026, 11, 21), "en") == "Nov 21, 2026"


def test_since_names_the_weekday_within_a_week_else_the_date():
    today = date(2026, 11, 23)  # a Monday
    assert i18n.format_since(date(2026, 11, 17), today, "en") == "Tuesday"
    assert i18n.format_since(date(2026, 11, 17), today, "fr") == "mardi"
    assert i18n.format_since(date(2026, 11, 1), today, "en") == "Nov 1, 2026"


def test_every_string_exists_in_both_languages_with_the_same_placeholders():
    import string

    def fields(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert i18n.STRINGS["en"].keys() == i18n.STRINGS["fr"].keys()
    for key, text in i18n.STRINGS["en"].items():
        assert fields(text) == fields(i18n.STRINGS["fr"][key]), key


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.t("de", "title")
