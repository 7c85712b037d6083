"""Eligibility dates: Archives Law 2020 art. 27 (25 years, earlier for economic/sci-tech/cultural
records), secrecy periods of the State Secrets Law art. 20, and review dates of deferrals."""
from datetime import date

import pytest

from models.eligibility import (
    EligibilityParams,
    add_years,
    document_date,
    eligible_from,
    is_early_opening_genre,
    marking_expiry,
    parse_date,
    review_after,
)
from models.policy import Rulebook


def test_twenty_five_years_from_the_document_date():
    assert eligible_from({"date": "1987-03-15"}) == date(2012, 3, 15)
    assert eligible_from({"date": "1999-12-31"}) == date(2024, 12, 31)


def test_leap_day_becomes_28_february():
    assert add_years(date(1988, 2, 29), 25) == date(2013, 2, 28)
    assert eligible_from({"date": "1988-02-29"}) == date(2013, 2, 28)


@pytest.mark.parametrize("value, expected", [
    ("1987年3月15日", date(1987, 3, 15)),
    ("一九八七年三月", date(1987, 3, 31)),      # partial date: the last day it could mean
    ("1987.03", date(1987, 3, 31)),
    ("１９８７年０３月１５日", date(1987, 3, 15)),  # full-width digits
    (1987, date(1987, 12, 31)),
    ("", None),
    ("无日期", None),
])
def test_parse_date_is_conservative(value, expected):
    assert parse_date(value) == expected


def test_year_only_never_overstates_eligibility():
    # formed some time in 1987: eligible only once 25 years have passed for every day of 1987
    assert eligible_from({"year": 1987}) == date(2012, 12, 31)
    assert document_date({"date": "1990-06-01", "year": 1987}) == date(1990, 6, 1)
    assert eligible_from({}) is None


def test_economic_scientific_cultural_records_open_earlier():
    params = EligibilityParams.from_rulebook(Rulebook.load().parameters)
    assert params.standard_opening_years == 25 and params.early_opening_years == 10
    assert is_early_opening_genre("科技档案", params)
    assert is_early_opening_genre("Economic records", params)
    assert not is_early_opening_genre("人事档案", params)
    assert eligible_from({"date": "2001-05-04", "genre": "经济"}, params) == date(2011, 5, 4)
    assert eligible_from({"date": "2001-05-04", "genre": "文书"}, params) == date(2026, 5, 4)


def test_marking_expiry_from_printed_period_or_statutory_maximum():
    d = date(1990, 5, 1)
    assert marking_expiry("机密★10年", d) == date(2000, 5, 1)
    assert marking_expiry("秘密★３年", d) == date(1993, 5, 1)   # full-width digit
    assert marking_expiry("绝密", d) == date(2020, 5, 1)        # 30 years, State Secrets Law art. 20
    assert marking_expiry("机密", d) == date(2010, 5, 1)        # 20 years
    assert marking_expiry("秘密★长期", d) is None
    assert marking_expiry("机密★10年", None) is None


def test_review_after_is_the_latest_relevant_date():
    as_of = date(2026, 11, 24)
    assert review_after(as_of=as_of, eligible=None, mark_expiries=[]) == date(2031, 11, 24)
    assert review_after(as_of=as_of, eligible=date(2040, 1, 1), mark_expiries=[]) == date(2040, 1, 1)
    assert review_after(as_of=as_of, eligible=date(2012, 3, 15), mark_expiries=[date(2045, 6, 1)]) == date(2045, 6, 1)


def test_bad_rulebook_parameters_fail_clearly():
    with pytest.raises(ValueError, match="eligibility parameters"):
        EligibilityParams.from_rulebook({"standard_opening_years": "twenty-five"})
