"""The report's words: the coding note as readers see it."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opinion.reports.build import coding_note
from opinion.reports.i18n import coding_lines
from opinion.text.coder import as_coder

LABEL = {"zh": "未归类（其他）", "en": "Uncoded (other)"}


def note(voices: int, uncoded: int, lang: str) -> dict[str, object]:
    """The coding note the pipeline writes for ``voices`` voices, ``uncoded`` of them coded to no topic."""
    coded = np.arange(voices) >= uncoded
    topics = pd.DataFrame({"healthcare": coded})
    return coding_note(topics, pd.Series(coded), None, as_coder(None), lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("voices", "uncoded", "share"), [
    (624, 2, "0.3%"), (6240, 2, "<0.1%"), (200, 2, "1%"), (400, 130, "32%"), (300, 0, "0%"), (1000, 996, "99.6%"),
])
def test_uncoded_share_keeps_a_few_voices_visible(lang: str, voices: int, uncoded: int, share: str) -> None:
    label, text = coding_lines(note(voices, uncoded, lang), lang)[0]
    assert label == LABEL[lang]
    assert text.startswith(f"{uncoded} / {voices} 个声音（{share}）。" if lang == "zh"
                           else f"{uncoded} of {voices} voices ({share}). ")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_uncoded_line_names_its_label_once(lang: str) -> None:
    label, text = coding_lines(note(624, 2, lang), lang)[0]
    assert LABEL[lang] not in text
    assert text.count("编码器" if lang == "zh" else "coder") == 1  # the explanation itself is kept
