"""May Norway take part, may a municipality apply: the pure verdicts on collected eligibility words."""

from __future__ import annotations

import pytest

from eumonitor.sources.eligibility import municipalities_eligible, norway_eligible, split_list


@pytest.mark.parametrize(
    ("countries", "verdict"),
    [
        (("EU Member States", "Norway (Norge)", "Iceland (Ísland)"), True),  # Euro-Access, call 135
        (("Andorra", "Spain", "France", "Portugal"), False),  # interreg.eu, Interreg SUDOE
        (("NO",), True),  # a NUTS country code
        (("All countries",), True),
        (("EU Member States", "EEA countries"), True),
        (("EU Member States", "Horizon Europe associated countries"), True),
        (("EU Member States",), False),
        (("Denmark", "Sweden"), False),
        ((), None),  # the EU portal says nothing: unknown, never "no"
        (("", "  "), None),
    ],
)
def test_norway(countries, verdict):
    assert norway_eligible(countries) is verdict


@pytest.mark.parametrize(
    ("types", "verdict"),
    [
        (("Local public authority", "SME"), True),  # interreg.eu's target audiences
        (("Regional public authority",), True),
        (("Public bodies",), True),
        (("Public Body",), True),
        (("Local Authorities",), True),
        (("Municipalities and regions",), True),
        (("All legal entities",), True),
        (("Education and training institution", "Research Institution incl. University"), False),  # Euro-Access 135
        (("SME", "Enterprise, except SME"), False),
        ((), None),
    ],
)
def test_municipalities(types, verdict):
    assert municipalities_eligible(types) is verdict


def test_split_list_keeps_commas_inside_brackets_and_breaks_at_lines():
    text = (
        "EU Member States, Overseas Countries and Territories (OCT)\n"
        "Albania (Shqipëria), Kosovo (Kosova/Kosovë, Косово)"
    )
    assert split_list(text) == (
        "EU Member States",
        "Overseas Countries and Territories (OCT)",
        "Albania (Shqipëria)",
        "Kosovo (Kosova/Kosovë, Косово)",
    )
