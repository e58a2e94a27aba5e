"""Strings and number/date formats for the digest, in English and French.

A small hand table rather than gettext/babel: two languages, a few dozen strings.
French follows CLDR: narrow no-break space (U+202F) between thousands and before
``%``, decimal comma, dates like "21 nov. 2026".
"""

from __future__ import annotations

from datetime import date, datetime

LANGUAGES = ("en", "fr")
NNBSP = "\u202f"  # narrow no-break space
COLON = {"en": ":", "fr": "\u00a0:"}  # French puts a no-break space before a colon
SEMICOLON = {"en": ";", "fr": "\u00a0;"}  # and before a semicolon

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
}
_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "{name}: your week {week} ({start} – {end})",
        "title": "Weekly listening digest",
        "intro": "{topics} · week {week}, {start} – {end}",
        "headline": "This week at a glance",
        "volume": "Mentions",
        "net_sentiment": "Net sentiment",
        "share_of_voice": "Share of voice",
        "vs_last_week": "vs last week",
        "last_week": "last week",
        "stories": "Stories",
        "volume_detail": "{mentions} mentions ({stories} stories); last week {previous} stories",
        "mentions_short": "{count} mentions",
        "sentiment_detail": "raw counts: {positive} positive, {negative} negative of {scored} scored stories (raw net {net})",
        "interval": "90% interval {low} to {high}",
        "interval_wide": "interval is wide: only {n} scored stories",
        "estimate_note": "Net sentiment is an estimate (the share of positive minus negative stories) with its 90% interval; the positive and negative figures beside it are the raw counts of stories as scored. Copies of one story (the same article or link from several sources) count once.",
        "table_note": "Stories: each story once, however many sources carried it (mentions: every copy). Net sentiment: estimate, its 90% interval, then +raw positive / −raw negative stories.",
        "sov_detail": "{part} of {whole} brand and competitor stories",
        "no_previous": "no mentions last week",
        "comparison": "Our brand vs competitors",
        "topic": "Topic",
        "change": "Change",
        "positive": "Positive",
        "negative": "Negative",
        "neutral": "Neutral",
        "authors": "Authors",
        "reach": "Reach",
        "chart_volume": "Mentions per day",
        "chart_sentiment": "Sentiment of the week",
        "chart_volume_alt": "Line chart: mentions per day for {topics}",
        "chart_sentiment_alt": "Bar chart: positive, neutral and negative mentions for {topics}",
        "what_people_say": "What people say",
        "top_positive": "Most positive",
        "top_negative": "Most negative",
        "emerging_terms": "Emerging terms",
        "term_detail": "{count} mentions (last week {previous})",
        "conversations": "Conversations to answer today",
        "conversations_hint": "Answer in public quickly, then move the conversation to private. Ranked by priority: how negative, the author's reach (followers, or engagement when unknown), whether it asks you something, and how long it has waited (up to 3 days); already answered posts are left out.",
        "influencers": "Influencers",
        "followers": "Followers",
        "mentions": "Mentions",
        "engagement": "Engagement",
        "new": "new",
        "look_back": "A week to look back on",
        "lb_stories": "{topic} was in {stories} stories this week ({mentions} mentions), {change} vs last week's {previous}.",
        "lb_stories_new": "{topic} was in {stories} stories this week ({mentions} mentions), none last week.",
        "lb_net_up": "Net sentiment rose to {now} from {previous} last week (estimate; 90% interval {low} to {high}, {scored} scored stories).",
        "lb_net_down": "Net sentiment fell to {now} from {previous} last week (estimate; 90% interval {low} to {high}, {scored} scored stories).",
        "lb_net_steady": "Net sentiment held at {now} (last week {previous}; 90% interval {low} to {high}, {scored} scored stories).",
        "lb_wide": ", a wide interval).",
        "lb_spike": "Mentions of {topic} spiked on {day}: {observed} against a usual {baseline} a day.",
        "lb_theme_new": "New criticism this week: {count} of {total} negative stories were about {theme} ({share}), none last week.",
        "lb_theme_up": "Criticism about {theme} grew to {share} of negative stories ({count} of {total}), from {previous} last week.",
        "lb_theme_down": "Criticism about {theme} eased to {share} of negative stories ({count} of {total}), from {previous} last week.",
        "lb_voice": "{topic}'s share of voice is {now} ({stories} of {total} brand and competitor stories), {previous} last week.",
        "themes": "Themes of criticism",
        "themes_hint": "{topic}: share of the week's {count} negative stories in each theme (a story can be in several; last week: {previous} negative stories).",
        "theme": "Theme",
        "theme_other": "other (no theme)",
        "this_week": "This week",
        "followers_unknown": "followers unknown",
        "raw": "raw",
        "influencers_hint": "Authors in the top {share} of the week's voices by reach (followers, or engagement where the platform gives no follower count) with at least {mentions} mentions or {followers} followers; with their most-engaged post.",
        "industry": "Industry trends",
        "spikes": "This week's spikes",
        "spike_detail": "{observed} mentions on {day}; usual level {baseline}, alert threshold {threshold} (median absolute deviation {mad})",
        "posts_behind": "Posts behind it",
        "source_health": "Sources",
        "source_ok": "{source}: OK, {new} new mentions in the last run (last data {last})",
        "source_silent": "{source}: no data since {since}",
        "source_never": "{source}: no data yet",
        "source_error": " — {error}",
        "unscored": "{count} mentions were not scored for sentiment because their language is not supported ({languages}).",
        "unscored_none": "Every mention of the week was scored for sentiment.",
        "unknown_language": "unknown",
        "none": "Nothing this week.",
        "open": "open",
        "by": "by",
        "other_sources": "also in {count} other sources",
        "other_source": "also in {count} other source",
        "why": "words that weighed",
        "reason_negative": "negative ({compound})",
        "reason_followers": "{count} followers",
        "reason_engagement": "engagement {count} (followers unknown)",
        "reason_question_to": "question to {handle}",
        "reason_waiting_hours": "waiting {count} h",
        "reason_waiting_days": "waiting {count} days",
        "footer": "Generated by listener on {generated}. Figures cover {start} 00:00 – {end} 24:00 UTC; every percentage shows its counts.",
        "text_link": "Link",
        "alert_spike_subject": "[listener] Spike: {topic}, {observed} mentions on {day}",
        "alert_spike_body": "{topic}: {observed} mentions on {day}, usual level {baseline}, threshold {threshold}.",
        "alert_negative_subject": "[listener] Negative mention of {topic} by {author} ({followers} followers)",
        "alert_negative_body": "{author} on {source} ({followers} followers) wrote about {topic}:",
    },
    "fr": {
        "subject": "{name} : votre semaine {week} ({start} – {end})",
        "title": "Synthèse hebdomadaire de veille",
        "intro": "{topics} · semaine {week}, du {start} au {end}",
        "headline": "La semaine en bref",
        "volume": "Mentions",
        "net_sentiment": "Sentiment net",
        "share_of_voice": "Part de voix",
        "vs_last_week": "par rapport à la semaine dernière",
        "last_week": "semaine dernière",
        "stories": "Sujets",
        "volume_detail": "{mentions} mentions ({stories} sujets) ; semaine dernière : {previous} sujets",
        "mentions_short": "{count} mentions",
        "sentiment_detail": "effectifs bruts : {positive} positifs, {negative} négatifs sur {scored} sujets évalués (net brut {net})",
        "interval": "intervalle à 90 % : de {low} à {high}",
        "interval_wide": "intervalle large : seulement {n} sujets évalués",
        "estimate_note": "Le sentiment net est une estimation (part des sujets positifs moins part des négatifs) avec son intervalle à 90 % ; les chiffres positifs et négatifs à côté sont les effectifs bruts des sujets tels qu’évalués. Les copies d’un même sujet (le même article ou lien repris par plusieurs sources) comptent une fois.",
        "table_note": "Sujets : chaque sujet une fois, quel que soit le nombre de sources qui l’ont repris (mentions : toutes les copies). Sentiment net : estimation, son intervalle à 90 %, puis +positifs / −négatifs bruts.",
        "sov_detail": "{part} sur {whole} sujets de la marque et des concurrents",
        "no_previous": "aucune mention la semaine dernière",
        "comparison": "Notre marque face aux concurrents",
        "topic": "Sujet",
        "change": "Évolution",
        "positive": "Positives",
        "negative": "Négatives",
        "neutral": "Neutres",
        "authors": "Auteurs",
        "reach": "Portée",
        "chart_volume": "Mentions par jour",
        "chart_sentiment": "Sentiment de la semaine",
        "chart_volume_alt": "Graphique : mentions par jour pour {topics}",
        "chart_sentiment_alt": "Graphique : mentions positives, neutres et négatives pour {topics}",
        "what_people_say": "Ce que les gens disent",
        "top_positive": "Les plus positives",
        "top_negative": "Les plus négatives",
        "emerging_terms": "Termes émergents",
        "term_detail": "{count} mentions (semaine dernière : {previous})",
        "conversations": "Conversations auxquelles répondre aujourd’hui",
        "conversations_hint": "Répondez vite en public, puis poursuivez en privé. Classées par priorité : degré de négativité, audience de l’auteur (abonnés, ou engagement s’ils sont inconnus), question qui vous est posée, et temps d’attente (jusqu’à 3 jours) ; les publications auxquelles vous avez déjà répondu sont exclues.",
        "influencers": "Influenceurs",
        "followers": "Abonnés",
        "mentions": "Mentions",
        "engagement": "Engagement",
        "new": "nouveau",
        "look_back": "La semaine en trois phrases",
        "lb_stories": "{topic} a fait l’objet de {stories} sujets cette semaine ({mentions} mentions), {change} par rapport aux {previous} de la semaine dernière.",
        "lb_stories_new": "{topic} a fait l’objet de {stories} sujets cette semaine ({mentions} mentions), aucun la semaine dernière.",
        "lb_net_up": "Le sentiment net monte à {now}, contre {previous} la semaine dernière (estimation ; intervalle à 90 % de {low} à {high}, {scored} sujets évalués).",
        "lb_net_down": "Le sentiment net baisse à {now}, contre {previous} la semaine dernière (estimation ; intervalle à 90 % de {low} à {high}, {scored} sujets évalués).",
        "lb_net_steady": "Le sentiment net reste à {now} (semaine dernière : {previous} ; intervalle à 90 % de {low} à {high}, {scored} sujets évalués).",
        "lb_wide": ", intervalle large).",
        "lb_spike": "Pic de mentions de {topic} le {day} : {observed} contre {baseline} par jour d’habitude.",
        "lb_theme_new": "Nouvelle critique cette semaine : {count} des {total} sujets négatifs portent sur « {theme} » ({share}), aucun la semaine dernière.",
        "lb_theme_up": "Les critiques sur « {theme} » montent à {share} des sujets négatifs ({count} sur {total}), contre {previous} la semaine dernière.",
        "lb_theme_down": "Les critiques sur « {theme} » reculent à {share} des sujets négatifs ({count} sur {total}), contre {previous} la semaine dernière.",
        "lb_voice": "La part de voix de {topic} est de {now} ({stories} sur {total} sujets de la marque et des concurrents), contre {previous} la semaine dernière.",
        "themes": "Thèmes des critiques",
        "themes_hint": "{topic} : part des {count} sujets négatifs de la semaine dans chaque thème (un sujet peut relever de plusieurs ; semaine dernière : {previous} sujets négatifs).",
        "theme": "Thème",
        "theme_other": "autres (sans thème)",
        "this_week": "Cette semaine",
        "followers_unknown": "abonnés inconnus",
        "raw": "brut",
        "influencers_hint": "Auteurs parmi les {share} de la semaine à la plus forte audience (abonnés, ou engagement quand la plateforme ne donne pas d’abonnés) avec au moins {mentions} mentions ou {followers} abonnés ; avec leur publication la plus engageante.",
        "industry": "Tendances du secteur",
        "spikes": "Les pics de la semaine",
        "spike_detail": "{observed} mentions le {day} ; niveau habituel {baseline}, seuil d’alerte {threshold} (écart absolu médian {mad})",
        "posts_behind": "Publications à l’origine du pic",
        "source_health": "Sources",
        "source_ok": "{source} : OK, {new} nouvelles mentions au dernier passage (dernières données le {last})",
        "source_silent": "{source} : aucune donnée depuis {since}",
        "source_never": "{source} : aucune donnée pour l’instant",
        "source_error": " — {error}",
        "unscored": "{count} mentions n’ont pas été évaluées car leur langue n’est pas prise en charge ({languages}).",
        "unscored_none": "Toutes les mentions de la semaine ont été évaluées.",
        "unknown_language": "inconnue",
        "none": "Rien cette semaine.",
        "open": "ouvrir",
        "by": "par",
        "other_sources": "repris par {count} autres sources",
        "other_source": "repris par {count} autre source",
        "why": "mots qui ont pesé",
        "reason_negative": "négatif ({compound})",
        "reason_followers": "{count} abonnés",
        "reason_engagement": "engagement {count} (abonnés inconnus)",
        "reason_question_to": "question à {handle}",
        "reason_waiting_hours": "en attente depuis {count} h",
        "reason_waiting_days": "en attente depuis {count} jours",
        "footer": "Produit par listener le {generated}. Les chiffres couvrent du {start} 00:00 au {end} 24:00 UTC ; chaque pourcentage est accompagné de ses effectifs.",
        "text_link": "Lien",
        "alert_spike_subject": "[listener] Pic : {topic}, {observed} mentions le {day}",
        "alert_spike_body": "{topic} : {observed} mentions le {day}, niveau habituel {baseline}, seuil {threshold}.",
        "alert_negative_subject": "[listener] Mention négative de {topic} par {author} ({followers} abonnés)",
        "alert_negative_body": "{author} sur {source} ({followers} abonnés) a écrit à propos de {topic} :",
    },
}


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


def t(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``values`` filled in (already formatted)."""
    return STRINGS[check_language(lang)][key].format(**values)


def format_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text.replace("-", "−") if text.startswith("-") else text


def format_percent(fraction: float | None, lang: str, decimals: int = 0, signed: bool = False) -> str:
    """``0.253`` -> "25%" (en) / "25 %" (fr); ``signed`` adds "+" to gains."""
    if fraction is None:
        return "–"
    value = round(fraction * 100, decimals)
    if value == 0:
        value = 0.0  # no "-0"
    number = format_number(abs(value), lang, decimals)
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if signed else ("−" if value < 0 else "")
    return f"{sign}{number}{NNBSP if lang == 'fr' else ''}%"


def format_date(value: date | datetime | None, lang: str) -> str:
    if value is None:
        return "–"
    month = _MONTHS[check_language(lang)][value.month - 1]
    if lang == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{month} {value.day}, {value.year}"


def format_datetime(value: datetime | None, lang: str) -> str:
    if value is None:
        return "–"
    return f"{format_date(value, lang)} {value:%H:%M}"


def format_weekday(value: date | datetime, lang: str) -> str:
    return _WEEKDAYS[check_language(lang)][value.weekday()]


def format_since(value: date | datetime, today: date, lang: str) -> str:
    """"Tuesday" within the last week, else a date: "since Tuesday" reads better than a date."""
    day = value.date() if isinstance(value, datetime) else value
    if 0 <= (today - day).days < 7:
        return format_weekday(day, lang)
    return format_date(day, lang)
