"""Realistic corpora of any size, as JSON Lines in the import format (docs/architecture.md).

    python bench/corpus.py --size 200000 --out bench/out/corpus-200000-0.jsonl

What the rows look like (all deterministic for a given ``seed``):

* languages: ~62 % English, ~25 % French, ~8 % Spanish, ~5 % German, from
  templates and word lists written for this project; every text names one of
  the configured topics with one of its own terms (phrase, @handle, #hashtag)
  so the topic queries in :data:`TOPICS` match;
* about a third retweets (``RT @author: …``) or copies (identical text, another
  author: press releases, bots);
* heavy-tailed follower counts (lognormal body, Pareto tail), authors who post
  many times, likes that grow with followers;
* a steady background over ``days`` days plus bursts (a bad day for a brand:
  one to three hours with many times the usual volume);
* the platform's ``lang`` tag on about 70 % of rows (X and Mastodon give one),
  so the rest go through language detection.

One million rows take ~15 s on one core.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The topics the corpus talks about: the bench config uses these queries.
TOPICS = (
    {"name": "Acme Coffee", "kind": "brand", "query": '"acme coffee" OR @acmecoffee OR #acmecoffee',
     "terms": ("Acme Coffee", "@acmecoffee", "#acmecoffee", "acme coffee")},
    {"name": "Beanly", "kind": "competitor", "query": "beanly OR @beanly",
     "terms": ("Beanly", "@beanly", "#beanly", "beanly")},
    {"name": "Rival Roasters", "kind": "competitor", "query": '"rival roasters" OR @rivalroasters',
     "terms": ("Rival Roasters", "@rivalroasters")},
    {"name": "specialty coffee", "kind": "industry",
     "query": '"specialty coffee" OR #specialtycoffee OR "café de spécialité"',
     "terms": ("specialty coffee", "#specialtycoffee", "café de spécialité")},
)
TOPIC_WEIGHTS = (5, 3, 2, 1)

END = datetime(2026, 3, 2, tzinfo=UTC)  # fixed, so a seed gives the same file on any day
LANGS = (("en", 62), ("fr", 25), ("es", 8), ("de", 5))
SOURCES = (("x", 45), ("reddit", 15), ("mastodon", 12), ("bluesky", 12), ("hackernews", 6), ("rss", 10))
TAGGED = {"x": 0.9, "mastodon": 0.8, "bluesky": 0.7, "reddit": 0.0, "hackernews": 0.0, "rss": 0.3}

# {t}: a topic term; {w}: a word from the language's word list; {n}: a number.
TEMPLATES = {
    "en": {
        "positive": [
            "Honestly {t} made my morning, the {w} was perfect",
            "Love the new {w} at {t}! Best {w} in town {n}/10",
            "Shoutout to {t} for the amazing {w} today, great service as always",
            "{t} never disappoints. Fresh {w}, friendly staff, happy me",
            "Just tried the {w} from {t} and wow, really good",
            "Big thanks to the team at {t}, you fixed my {w} order fast. Impressed!",
            "The {w} at {t} is so smooth, highly recommend",
        ],
        "negative": [
            "Waited {n} minutes at {t} for a cold {w}. Terrible service",
            "{t} charged me twice for one {w}, still no refund. Awful",
            "Worst {w} I have had in years, what happened to {t}?",
            "Really disappointed with {t}, the {w} tasted burnt and the staff was rude",
            "Never going back to {t}. Broken {w} machine again and nobody cares",
            "{t} app crashed {n} times while ordering my {w}. So frustrating",
            "Hey {t} my {w} order is late, lost and nobody answers. Fix this!",
        ],
        "neutral": [
            "{t} opens a new shop on {w} street next week",
            "Anyone know what time {t} closes on Sunday? Need a {w}",
            "{t} announced a {w} menu change starting {n} March",
            "Reading about {t} and the {w} market this morning",
            "Is the {w} at {t} dairy free? Asking for a friend",
            "{t} quarterly report: {n} new stores, {w} sales flat",
        ],
    },
    "fr": {
        "positive": [
            "Franchement {t} a sauvé ma matinée, le {w} était parfait",
            "J'adore le nouveau {w} chez {t} ! Le meilleur du quartier {n}/10",
            "Merci {t} pour ce super {w}, service impeccable comme toujours",
            "{t} ne déçoit jamais. {w} frais, équipe sympa, je suis ravi",
            "Je viens de goûter le {w} de {t}, vraiment excellent",
        ],
        "negative": [
            "Attendu {n} minutes chez {t} pour un {w} froid. Service nul",
            "{t} m'a débité deux fois pour un seul {w}, toujours pas remboursé. Honteux",
            "Le pire {w} depuis des années, qu'est-ce qui arrive à {t} ?",
            "Très déçu par {t}, le {w} avait un goût de brûlé et le personnel était désagréable",
            "Plus jamais {t}. Encore la machine à {w} en panne, personne ne s'en occupe",
        ],
        "neutral": [
            "{t} ouvre une nouvelle boutique rue du {w} la semaine prochaine",
            "Quelqu'un sait à quelle heure ferme {t} le dimanche ? Besoin d'un {w}",
            "{t} annonce un changement de carte {w} à partir du {n} mars",
            "Je lis un article sur {t} et le marché du {w} ce matin",
        ],
    },
    "es": {
        "positive": [
            "Me encanta el {w} de {t}, el mejor de la ciudad {n}/10",
            "Gracias {t} por el {w} de hoy, servicio excelente",
        ],
        "negative": [
            "Esperé {n} minutos en {t} por un {w} frío. Pésimo servicio",
            "{t} me cobró dos veces el {w} y nadie responde",
        ],
        "neutral": [
            "{t} abre una nueva tienda en la calle {w} la próxima semana",
            "¿Alguien sabe a qué hora cierra {t}? Necesito un {w}",
        ],
    },
    "de": {
        "positive": [
            "Der {w} bei {t} ist einfach großartig, {n}/10",
            "Danke {t} für den tollen {w} heute, super Service",
        ],
        "negative": [
            "{n} Minuten bei {t} auf einen kalten {w} gewartet. Schrecklich",
            "{t} hat mir den {w} doppelt berechnet, keine Antwort",
        ],
        "neutral": [
            "{t} eröffnet nächste Woche einen neuen Laden in der {w}straße",
            "Weiß jemand, wann {t} sonntags schließt? Brauche einen {w}",
        ],
    },
}
WORDS = {
    "en": ["latte", "espresso", "flat white", "cold brew", "cappuccino", "mocha", "oat milk", "croissant",
           "pour over", "americano", "cortado", "chai", "loyalty card", "mobile order", "drive thru",
           "decaf", "macchiato", "bagel", "muffin", "house blend", "single origin", "iced tea", "barista"],
    "fr": ["café", "crème", "expresso", "cappuccino", "croissant", "chocolat chaud", "lait d'avoine",
           "allongé", "noisette", "pain au chocolat", "thé glacé", "moka", "sablé", "filtre", "décaféiné"],
    "es": ["café", "cortado", "capuchino", "croissant", "té", "espresso", "latte", "descafeinado"],
    "de": ["Kaffee", "Cappuccino", "Espresso", "Croissant", "Latte", "Milchkaffee", "Tee", "Kuchen"],
}
TAILS = ["", "", "", " #coffee", " #morning", " 🙄", " ☕", " 😡", " 👍", " https://example.com/p/{n}",
         " lol", " !!", " #mondaymood", " (again)"]
SENTIMENTS = (("positive", 35), ("negative", 30), ("neutral", 35))


def _cumulative(pairs):
    names = [name for name, _ in pairs]
    total, cumulative = 0, []
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return names, [c / total for c in cumulative]


def _times(rng: random.Random, size: int, days: int, end: datetime) -> list[datetime]:
    """Sorted creation times: a daily rhythm, plus ~12 % of rows in a few bursts."""
    span = days * 86_400.0
    bursts = [rng.uniform(0.1 * span, span - 4 * 3600) for _ in range(max(1, days // 10))]
    offsets = []
    for _ in range(size):
        if rng.random() < 0.12:
            offsets.append(rng.choice(bursts) + rng.expovariate(1 / 3600))
        else:  # busier by day than by night
            day = rng.randrange(days)
            hour = rng.triangular(0, 24, 14)
            offsets.append(day * 86_400.0 + hour * 3600)
    offsets.sort()
    start = end - timedelta(days=days)
    start_ts = start.timestamp()
    return [datetime.fromtimestamp(start_ts + min(o, span - 1), UTC) for o in offsets]


def generate(size: int, *, seed: int = 0, days: int = 90, end: datetime = END, first_id: int = 1):
    """Yield ``size`` records (dicts) in time order."""
    rng = random.Random(seed)
    lang_names, lang_cum = _cumulative(LANGS)
    source_names, source_cum = _cumulative(SOURCES)
    sent_names, sent_cum = _cumulative(SENTIMENTS)
    topic_names, topic_cum = _cumulative([(i, w) for i, w in enumerate(TOPIC_WEIGHTS)])
    choose = rng.choices
    n_authors = max(50, size // 6)
    authors = []
    for i in range(n_authors):
        followers = int(rng.lognormvariate(5.0, 1.6))
        if rng.random() < 0.02:  # the influencer tail
            followers = int(1000 * rng.paretovariate(1.1))
        authors.append((f"user{seed}_{i}", choose(lang_names, cum_weights=lang_cum)[0], followers))
    times = _times(rng, size, days, end)
    recent: list[tuple[str, str, str]] = []  # (text, lang, author) of recent originals
    for index in range(size):
        handle, lang, followers = authors[int(n_authors * rng.random() ** 1.5)]  # some post a lot
        source = choose(source_names, cum_weights=source_cum)[0]
        roll = rng.random()
        if recent and roll < 0.33:
            text, lang, original_author = recent[int(len(recent) * (1 - rng.random() ** 2)) - 1]
            if roll < 0.2 and source in ("x", "bluesky", "mastodon"):
                text = f"RT @{original_author}: {text}"
            is_repost = roll < 0.2
        else:
            lang = lang if rng.random() < 0.85 else choose(lang_names, cum_weights=lang_cum)[0]
            topic = TOPICS[choose(topic_names, cum_weights=topic_cum)[0]]
            sentiment = choose(sent_names, cum_weights=sent_cum)[0]
            words = WORDS[lang]
            template = rng.choice(TEMPLATES[lang][sentiment]) + rng.choice(TAILS)
            text = template.format(t=rng.choice(topic["terms"]), w=rng.choice(words),
                                   n=rng.randint(2, 99))
            if rng.random() < 0.5:  # a second clause keeps originals mostly distinct
                text += f" {rng.choice(words)} {rng.randint(1, 999)}"
            recent.append((text, lang, handle))
            if len(recent) > 500:
                del recent[:100]
            is_repost = False
        likes = int(rng.paretovariate(1.3) * (1 + followers / 5000)) - 1
        record = {
            "source": source,
            "id": str(first_id + index),
            "text": text,
            "created_at": times[index].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "author": handle,
            "author_followers": followers,
            "likes": likes,
            "reposts": likes // 7,
            "replies": likes // 11,
            "url": f"https://{source}.example/{handle}/{first_id + index}",
        }
        if rng.random() < TAGGED[source]:
            record["lang"] = lang
        if is_repost:
            record["is_repost"] = True
        yield record


def write(path: Path, size: int, *, seed: int = 0, days: int = 90, end: datetime = END,
          first_id: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        buffer = []
        for record in generate(size, seed=seed, days=days, end=end, first_id=first_id):
            buffer.append(dumps(record))
            if len(buffer) >= 10_000:
                handle.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            handle.write("\n".join(buffer) + "\n")
    tmp.replace(path)
    return path


def cached(out: Path, size: int, *, seed: int = 0, days: int = 90, end: datetime = END,
           first_id: int = 1, name: str = "corpus") -> Path:
    """The corpus file for these parameters under ``out``, generated once."""
    path = out / f"{name}-{size}-s{seed}-d{days}-{end:%Y%m%d}-i{first_id}.jsonl"
    if not path.exists():
        write(path, size, seed=seed, days=days, end=end, first_id=first_id)
    return path


def days_for(size: int) -> int:
    """History length: a big corpus spans a quarter, a small one a few weeks."""
    return max(14, min(90, math.ceil(size / 10_000)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write(args.out, args.size, seed=args.seed, days=args.days)


if __name__ == "__main__":
    main()
