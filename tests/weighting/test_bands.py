from __future__ import annotations

import pytest

from weighting.bands import Band, BandError, Bands, band_label, is_partition, parse_band


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("18-29", 18, 29),
        ("18—29岁", 18, 29),
        ("18–29", 18, 29),
        ("18~29岁", 18, 29),
        ("18～29岁", 18, 29),
        ("18至29岁", 18, 29),
        ("18到29", 18, 29),
        ("18岁-29岁", 18, 29),
        (" 18 - 29 ", 18, 29),
        ("１８－２９岁", 18, 29),
        ("15-59岁", 15, 59),
        ("0-14岁", 0, 14),
        ("70+", 70, None),
        ("70岁+", 70, None),
        ("７０＋", 70, None),
        ("60岁及以上", 60, None),
        ("60岁以上", 60, None),
        ("65岁以上", 65, None),
        ("65周岁及以上", 65, None),
        ("70及以上", 70, None),
        ("８５岁及以上", 85, None),
        ("不满18岁", 0, 17),
        ("未满18周岁", 0, 17),
        ("18岁以下", 0, 17),
        ("14岁及以下", 0, 14),
        ("65岁", 65, 65),
    ],
)
def test_band_labels_as_bureaus_write_them(text, lo, hi):
    assert parse_band(text) == Band(lo, hi)


@pytest.mark.parametrize(
    "text", ["合计", "总计", "男", "65", "21,436", "其中：65岁以上", "29-18", "", None, "200-300岁", "18-29%"]
)
def test_non_bands_are_none(text):
    assert parse_band(text) is None


def test_canonical_labels():
    assert band_label("18—29岁") == "18-29"
    assert band_label("60岁及以上") == "60+"
    assert band_label("不满18岁") == "0-17"
    assert band_label("男") is None
    assert str(Band(70)) == "70+"


def test_band_is_frozen_and_checks_its_bounds():
    band = Band(18, 29)
    with pytest.raises(AttributeError):
        band.lo = 20  # type: ignore[misc]
    with pytest.raises(BandError, match="lo <= hi"):
        Band(30, 29)


def test_bands_place_ages_and_ranges():
    bands = Bands.from_labels(["60岁及以上", "18—29岁", "30-44", "45~59岁"])
    assert bands.labels == ("18-29", "30-44", "45-59", "60+")
    assert [bands.place(a) for a in (17, 18, 29, 30, 59, 60, 101)] == [None, "18-29", "18-29", "30-44", "45-59", "60+", "60+"]
    assert bands.place_range(25, 29) == "18-29"
    assert bands.place_range(60, None) == "60+"
    assert bands.place_range(65, 69) == "60+"
    assert bands.place_range(25, 34) is None  # straddles two bands
    assert bands.place_range(15, 19) is None  # partly below the first band
    assert bands.place_range(45, None) is None  # open range over a closed band
    assert "60+" in bands and len(bands) == 4
    assert bands.lo == 18 and bands.hi is None


def test_closed_last_band_leaves_older_ages_outside():
    bands = Bands.from_labels(["0-14岁", "15-59岁"])
    assert bands.place(59) == "15-59" and bands.place(60) is None
    assert bands.hi == 59


def test_overlapping_bands_are_reported():
    with pytest.raises(BandError, match=r"60\+ and 65\+ overlap"):
        Bands.from_labels(["0-14岁", "15-59岁", "60岁及以上", "65岁以上"])
    with pytest.raises(BandError, match="18-29 and 25-34 overlap"):
        Bands.from_labels(["18-29", "25-34"])


def test_gaps_are_reported_or_listed():
    with pytest.raises(BandError, match="ages 30-39 in no band"):
        Bands.from_labels(["18-29", "40-49", "50+"])
    bands = Bands.from_labels(["18-29", "40-49", "50+"], allow_gaps=True)
    assert bands.gaps == ((30, 39),)
    assert bands.place(35) is None
    assert Bands.from_labels(["18-64岁", "65岁以上"]).gaps == ()


def test_a_label_that_is_not_a_band_is_named():
    with pytest.raises(BandError, match="'合计' is not an age band"):
        Bands.from_labels(["18-29", "合计"])


def test_is_partition():
    assert is_partition(["18-64岁", "65岁以上"])
    assert not is_partition(["15-59岁", "60岁及以上", "65岁以上"])
    assert not is_partition(["男", "女"])
