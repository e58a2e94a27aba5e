"""A generated, deterministic world of posts about configured brands, for the sandbox.

Platform-neutral: every :class:`Post` carries the fields any platform needs;
each platform module of the sandbox (``listener/sandbox/x.py``, ``reddit.py``…)
serves ``world.for_platform(name)`` in its own wire format. The same
``(topics, start, end, seed, per_day, platforms)`` always gives the same posts.

What it looks like: posts in English and French, some Spanish and German (so
"a language we do not score" exists), positive / negative / neutral / question
templates written for this project, heavy-tailed follower counts, authors who
post more than once, about a third reposts or copies, and a bad day for one
brand (a burst of complaints). Every post names its topic with one of the
topic's own terms (phrase, @handle or #hashtag), so the topic queries match.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from listener.query import Term, parse

DEFAULT_PLATFORMS = ("x", "reddit")
FIRST_ID = 1_600_000_000_000_000_000  # looks like an X snowflake, grows with time


@dataclass(frozen=True, slots=True)
class WorldTopic:
    name: str
    kind: str  # brand | competitor | industry
    query: str
    terms: tuple[str, ...] = ()  # how posts name it: "Acme Coffee", "@acmecoffee", "#acmecoffee"

    def names(self) -> tuple[str, ...]:
        return self.terms or terms_of(self.query)


DEMO_TOPICS: tuple[WorldTopic, ...] = (
    WorldTopic("Acme Coffee", "brand", '"acme coffee" OR @acmecoffee OR #acmecoffee',
               ("Acme Coffee", "@acmecoffee", "#acmecoffee")),
    WorldTopic("Beanly", "competitor", "beanly OR @beanly", ("Beanly", "@beanly", "#beanly")),
    WorldTopic("Rival Roasters", "competitor", '"rival roasters" OR @rivalroasters',
               ("Rival Roasters", "@rivalroasters")),
    WorldTopic("specialty coffee", "industry",
               '"specialty coffee" OR #specialtycoffee OR "café de spécialité"',
               ("specialty coffee", "#specialtycoffee", "café de spécialité")),
)


def terms_of(query: str) -> tuple[str, ...]:
    """Ways to write a topic in a post, from its query's positive terms."""
    out = []
    for term in parse(query).positive_terms():
        out.append(_written(term))
    return tuple(out)


def _written(term: Term) -> str:
    if term.kind == "handle":
        return f"@{term.value}"
    if term.kind == "hashtag":
        return f"#{term.value}"
    return term.value.title() if term.kind == "word" else term.value


@dataclass(slots=True)
class Post:
    id: str  # numeric string, unique in the world, grows with created_at
    platform: str
    text: str
    author: str
    author_id: str
    author_name: str
    followers: int
    created_at: datetime
    lang: str
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    views: int = 0
    is_repost: bool = False
    parent_id: str | None = None  # reposted or replied-to post id
    url: str | None = None
    title: str | None = None  # reddit submissions
    subreddit: str | None = None
    topic: str | None = None  # the topic this post was written about (for tests)
    sentiment: str | None = None  # positive | negative | neutral | question

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None and not self.is_repost


@dataclass
class World:
    posts: list[Post]  # sorted by created_at (and id)
    topics: tuple[WorldTopic, ...]
    start: datetime
    end: datetime
    seed: int
    by_id: dict[str, Post] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {post.id: post for post in self.posts}

    def for_platform(self, platform: str) -> list[Post]:
        return [post for post in self.posts if post.platform == platform]


@dataclass(frozen=True, slots=True)
class _Author:
    handle: str
    id: str
    name: str
    followers: int
    lang: str


_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "Honestly the best flat white I've had this month is from {t}. Smooth and not bitter at all.",
            "Shout-out to the barista at {t} this morning, remembered my order and made my day",
            "{t} just nailed it with the new seasonal blend. Nutty, sweet, perfect with oat milk.",
            "Switched my office to {t} beans last week and everyone noticed. Great call.",
            "Love that {t} finally offers compostable cups. Small thing, big difference.",
        ),
        "negative": (
            "Waited 25 minutes for a lukewarm latte at {t}. Not good enough.",
            "Third time my {t} order arrived wrong. Customer service hasn't replied in days.",
            "{t} raised prices again and the coffee tastes burnt. I'm done.",
            "My {t} subscription charged me twice this month and nobody answers the phone.",
            "The new {t} app keeps crashing at checkout. Lost my rewards points too.",
        ),
        "neutral": (
            "{t} is opening a new shop near the station next month.",
            "Reading an article about how {t} sources its beans from Colombia and Ethiopia.",
            "Had a meeting at {t} today. Wifi works, seats are fine.",
            "{t} announced a partnership with a local bakery, starting Monday.",
        ),
        "question": (
            "Does anyone know if {t} ships to Canada?",
            "Is the {t} decaf any good? Thinking of trying it.",
            "Hey {t}, when will the holiday blend be back in stock?",
            "Which grinder do you use for {t} beans? Mine gives uneven results.",
        ),
    },
    "fr": {
        "positive": (
            "Franchement le meilleur café de la semaine, merci {t} ! Doux et pas amer du tout.",
            "Super accueil chez {t} ce matin, le barista connaissait déjà ma commande.",
            "Le nouveau mélange de saison de {t} est une réussite, notes de noisette et de caramel.",
            "J'adore que {t} propose enfin des gobelets compostables.",
        ),
        "negative": (
            "Vingt-cinq minutes d'attente chez {t} pour un café tiède. Décevant.",
            "Ma commande {t} est encore arrivée incomplète et le service client ne répond pas.",
            "{t} augmente encore ses prix et le café a un goût de brûlé. Inadmissible.",
            "L'application {t} plante au moment de payer, j'ai perdu mes points fidélité.",
        ),
        "neutral": (
            "{t} ouvre une nouvelle boutique près de la gare le mois prochain.",
            "Article intéressant sur la façon dont {t} choisit ses producteurs.",
            "Réunion chez {t} aujourd'hui, le wifi fonctionne, c'est calme.",
        ),
        "question": (
            "Quelqu'un sait si {t} livre en Belgique ?",
            "Le déca de {t} vaut le coup ? Vos avis ?",
            "Bonjour {t}, quand revient le mélange de Noël ?",
        ),
    },
    "es": {
        "positive": ("Me encanta el café de {t}, suave y con mucho aroma.",),
        "negative": ("Esperé media hora en {t} y el café llegó frío.",),
        "neutral": ("{t} abre una nueva tienda en Madrid la semana que viene.",),
        "question": ("¿Alguien sabe si {t} envía a México?",),
    },
    "de": {
        "positive": ("Der Kaffee von {t} ist wirklich hervorragend, sehr empfehlenswert.",),
        "negative": ("Bei {t} dreißig Minuten gewartet und der Kaffee war kalt.",),
        "neutral": ("{t} eröffnet nächsten Monat eine Filiale in Berlin.",),
        "question": ("Weiß jemand, ob {t} nach Österreich liefert?",),
    },
}
# Industry topics ("specialty coffee") are talked about differently from a company.
_INDUSTRY: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": ("{t} keeps getting better: more roasters, more transparency about farms.",
                     "Went to a {t} tasting last night, eye-opening. Never going back to instant."),
        "negative": ("{t} has become way too expensive for what it is, $7 for a filter coffee?",
                     "Tired of {t} snobbery, let people enjoy their coffee."),
        "neutral": ("New report on {t} imports: volumes up 8% this year.",
                    "Panel on the future of {t} at the trade fair next week."),
        "question": ("What got you into {t}? Looking for book recommendations.",
                     "Is {t} worth it for a home setup on a budget?"),
    },
    "fr": {
        "positive": ("Le {t} progresse enfin dans les petites villes, ça fait plaisir.",),
        "negative": ("Le {t} devient hors de prix, 6 euros le filtre, sérieusement ?",),
        "neutral": ("Conférence sur l'avenir du {t} au salon la semaine prochaine.",),
        "question": ("Vous conseillez quel livre pour débuter dans le {t} ?",),
    },
}
_LANG_WEIGHTS = (("en", 60), ("fr", 25), ("es", 8), ("de", 7))
_SENTIMENT_WEIGHTS = (("positive", 35), ("negative", 25), ("neutral", 25), ("question", 15))
_FIRST = {
    "en": ("Sam", "Alex", "Jordan", "Taylor", "Chris", "Morgan", "Jamie", "Riley", "Pat", "Casey"),
    "fr": ("Camille", "Louis", "Chloé", "Hugo", "Léa", "Théo", "Manon", "Julien"),
    "es": ("Lucía", "Mateo", "Sofía", "Diego"),
    "de": ("Lukas", "Anna", "Felix", "Mia"),
}
_LAST = ("Martin", "Bernard", "Smith", "Garcia", "Müller", "Dubois", "Lopez", "Brown", "Nguyen", "Rossi")
_SUBREDDITS = ("coffee", "espresso", "pourover", "cafe")


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _authors(rng: random.Random, count: int) -> list[_Author]:
    authors = []
    for index in range(count):
        lang = _weighted(rng, _LANG_WEIGHTS)
        first, last = rng.choice(_FIRST[lang]), rng.choice(_LAST)
        handle = f"{first}{last}{index}".lower()
        handle = "".join(c for c in handle if c.isascii() and c.isalnum())
        followers = int(min(5_000_000, 20 * rng.paretovariate(1.1)))  # heavy tail
        authors.append(_Author(handle, str(10_000 + index), f"{first} {last}", followers, lang))
    return authors


def _as_topics(topics: Iterable[WorldTopic | tuple[str, str, str]]) -> tuple[WorldTopic, ...]:
    out = []
    for topic in topics:
        out.append(topic if isinstance(topic, WorldTopic) else WorldTopic(*topic))
    return tuple(out)


def _url(platform: str, post: Post) -> str | None:
    if platform == "x":
        return f"https://x.com/{post.author}/status/{post.id}"
    return None


def generate_world(
    topics: Iterable[WorldTopic | tuple[str, str, str]] = DEMO_TOPICS,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    seed: int = 0,
    per_day: int = 40,
    platforms: Sequence[str] = DEFAULT_PLATFORMS,
    bad_day: bool = True,
) -> World:
    """Posts about ``topics`` between ``start`` and ``end`` (default: the 14 days up to now)."""
    topics = _as_topics(topics)
    if not topics:
        raise ValueError("a world needs at least one topic")
    end = (end or datetime.now(UTC)).astimezone(UTC)
    start = (start or end - timedelta(days=14)).astimezone(UTC)
    if end <= start:
        raise ValueError("end must be after start")
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    days = max(1, round(span / 86_400))
    authors = _authors(rng, max(20, per_day * days // 6))  # each author posts ~6 times
    brands = [t for t in topics if t.kind == "brand"] or list(topics)
    weights = [3 if t.kind == "brand" else 2 if t.kind == "competitor" else 1 for t in topics]

    drafts: list[tuple[float, WorldTopic, str, str | None]] = []  # (offset, topic, sentiment, forced lang)
    for _ in range(per_day * days):
        topic = rng.choices(topics, weights=weights)[0]
        drafts.append((rng.uniform(0, span), topic, _weighted(rng, _SENTIMENT_WEIGHTS), None))
    if bad_day and days >= 3:  # a burst of complaints about one brand on one day
        victim = brands[0]
        day_start = rng.uniform(span * 0.4, span * 0.8)
        for _ in range(max(10, per_day // 2)):
            drafts.append((day_start + rng.uniform(0, 6 * 3600), victim, "negative", None))
    drafts.sort(key=lambda draft: draft[0])

    posts: list[Post] = []
    for index, (offset, topic, sentiment, _lang) in enumerate(drafts):
        created = start + timedelta(seconds=offset)
        platform = platforms[index % len(platforms)] if len(platforms) > 1 else platforms[0]
        platform = rng.choice(platforms) if rng.random() < 0.5 else platform
        author = rng.choice(authors)
        post_id = str(FIRST_ID + index)
        earlier = [p for p in posts[-200:] if p.platform == platform and not p.is_repost]
        roll = rng.random()
        if earlier and roll < 0.25 and platform == "x":  # a retweet
            original = rng.choice(earlier)
            post = replace(
                original, id=post_id, text=f"RT @{original.author}: {original.text}"[:280],
                author=author.handle, author_id=author.id, author_name=author.name,
                followers=author.followers, created_at=created, likes=0, reposts=0, replies=0,
                views=0, is_repost=True, parent_id=original.id, title=None,
            )
        elif earlier and roll < (0.35 if platform == "x" else 0.3):  # a copy: same words, another author (press release, bots)
            original = rng.choice(earlier)
            post = replace(
                original, id=post_id, author=author.handle, author_id=author.id,
                author_name=author.name, followers=author.followers, created_at=created,
                likes=int(rng.paretovariate(1.5)) - 1, reposts=0, replies=0, views=0,
                is_repost=False, parent_id=None,
            )
        else:
            lang = author.lang
            templates = _INDUSTRY.get(lang, _TEMPLATES[lang]) if topic.kind == "industry" else _TEMPLATES[lang]
            text = rng.choice(templates[sentiment]).format(t=rng.choice(topic.names()))
            likes = int(rng.paretovariate(1.2) * (1 + author.followers / 2000)) - 1
            post = Post(
                id=post_id, platform=platform, text=text, author=author.handle,
                author_id=author.id, author_name=author.name, followers=author.followers,
                created_at=created, lang=lang, likes=likes, reposts=likes // 7,
                replies=int(rng.random() * 5) if sentiment != "question" else 1 + likes // 3,
                views=likes * 40 + int(rng.random() * 500), topic=topic.name, sentiment=sentiment,
            )
            if platform == "reddit":
                if earlier and rng.random() < 0.4:  # a comment on an earlier submission
                    parents = [p for p in earlier if p.title is not None]
                    if parents:
                        parent = rng.choice(parents)
                        post.parent_id, post.subreddit = parent.id, parent.subreddit
                if post.parent_id is None:
                    post.title = text.split(". ")[0][:120]
                    post.subreddit = rng.choice(_SUBREDDITS)
        post.platform = platform
        post.url = _url(platform, post)
        posts.append(post)
    return World(posts=posts, topics=topics, start=start, end=end, seed=seed)
