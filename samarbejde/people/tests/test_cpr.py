import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from samarbejde.people.cpr import format_cpr, mask_cpr, normalize_cpr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0101901234", "0101901234"), ("010190-1234", "0101901234"), (" 010190 1234 ", "0101901234")],
)
def test_valid_cpr_is_normalised(raw, expected):
    assert normalize_cpr(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "10 cifre"),
        ("01019012", "8 cifre"),
        ("01019012345", "11 cifre"),
        ("01019O1234", "kun indeholde cifre"),
        ("3102901234", "gyldig fødselsdato"),
        ("0113901234", "gyldig fødselsdato"),
    ],
)
def test_invalid_cpr_gives_a_danish_message(raw, fragment):
    with pytest.raises(ValidationError) as info:
        normalize_cpr(raw)
    assert fragment in " ".join(info.value.messages)


@given(st.text(max_size=20))
def test_normalize_never_raises_anything_but_validation_error(raw):
    try:
        result = normalize_cpr(raw)
    except ValidationError:
        return
    assert len(result) == 10 and result.isdigit()


def test_format_and_mask():
    assert format_cpr("0101901234") == "010190-1234"
    assert mask_cpr("0101901234") == "010190-xxxx"
    assert mask_cpr("") == "xxxxxx-xxxx"
