"""Does a post ask something? English and French rules, measured on a labelled set.

A post asks something when one of its sentences is a question that expects an
answer. The rules, in order, per sentence (links, @handles, #hashtags and quoted
titles removed first, so ``?utm_source=`` or a quoted headline ending in ``?``
never make a question):

1. It ends with ``?``: a question, unless it is rhetorical (a known figure of
   speech: "who needs…", "guess what", "qui aurait cru…", "quoi de mieux…") or
   the author answers it at once ("Did I need a third coffee? No.").
2. No ``?``, and the sentence is not closed by ``.`` or ``!``: a question when it
   has the shape of one:

   * English: an auxiliary followed by its subject ("do you ship", "is there",
     "can someone", "don't you"), a question word followed by an auxiliary or a
     degree word ("when will", "how long", "what's"), or a polite form ("any idea",
     "anyone know", "wondering if");
   * French: "est-ce que", an inverted verb and pronoun ("pouvez-vous",
     "y a-t-il", "dois-je"), a question word not followed by "je" ("pourquoi ma
     commande…", but not "Pourquoi j'ai quitté…", a headline), or a polite form
     ("je me demandais si", "vous pourriez").

   A question word that opens a subordinate clause or an exclamation is not a
   question: "When I got there…", "What a great cup", "Quelle horreur", "Quand on
   goûte…"; a how-to headline ("How to brew…", "Comment préparer…") asks only
   when it is put to someone (an @handle).

Measured on ``tests/fixtures/questions/questions.tsv`` (332 sentences, en + fr):
the test prints precision and recall and holds them at >= 0.9 and >= 0.8.
"""

from __future__ import annotations

import re

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|(?<!\w)'[^']{4,}'(?!\w)")
_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+|\n|$)")
_GREETING = re.compile(
    r"^(?:(?:hey|hi|hello|dear|ok|so|please|pls|quick question|bonjour|salut|coucou|"
    r"petite question|svp|s'il vous pla[iî]t)\b[\s,:;-]*)+", re.IGNORECASE)

_AUX_EN = (r"(?:is|are|am|was|were|do|does|did|can|could|will|would|should|shall|may|might|"
           r"has|have|had|must)(?:n['’]?t)?")
_SUBJECT_EN = (r"(?:i|you|u|ya|he|she|it|we|they|there|anyone|anybody|someone|somebody|"
               r"everyone|this|that|these|those|the|my|your|our|their|his|her|its|a|an|any)")
_WH_EN = r"(?:how|why|when|where|what|who|whom|which|whose)"
_QUESTION_EN = re.compile(
    rf"^(?:{_AUX_EN} {_SUBJECT_EN}\b"
    rf"|{_WH_EN}(?: {_AUX_EN}\b| happened\b|['’](?:s|re|ll|d)\b)"
    rf"|(?:whats|wheres|hows|whos|whens)\b"
    r"|how (?:long|much|many|often|far|soon|come|late|early)\b"
    r"|what (?:time|day|size|kind|sort)\b|which (?:one|of|shop|store|blend|beans?)\b"
    r"|any (?:idea|news|update|word|chance|plans?|reason|way)\b"
    r"|(?:does )?any(?:one|body) (?:know|knows|else|have|has|tried|got|seen|using)\b"
    r"|(?:i was |i'?m |just )?wondering (?:if|whether|when|why|how|what)\b)",
    re.IGNORECASE)

_PRONOUN_FR = r"(?:je|tu|il|elle|on|nous|vous|ils|elles)"
_INVERSION_FR = re.compile(rf"\b\w+-(?:t-)?{_PRONOUN_FR}\b", re.IGNORECASE)
_WH_FR = r"(?:pourquoi|comment|combien|o[uù]|quand|que|qu['’]|quel|quelle|quels|quelles|qui)"
_QUESTION_FR = re.compile(
    r"^(?:est[- ]ce qu|qu['’]est[- ]ce qu|c['’]est quoi\b|que faire\b|"
    r"je me demandais\b|vous (?:pourriez|pouvez|auriez|savez|sauriez)\b|"
    r"quelqu['’]un (?:sait|conna[iî]t|a d[ée]j[àa])\b|une id[ée]e\b|des nouvelles\b)",
    re.IGNORECASE)
# question words that open a narrative ("Comment j'ai…"), a subordinate clause
# ("Quand je suis arrivé", "Quand on goûte", "Où que j'aille") or an exclamation
# ("Quel bonheur"): not questions without a "?"
_NOT_QUESTION_FR = re.compile(
    r"^(?:\w+ ){0,3}?(?:j['’]|je\b|tu\b)|^quand (?!est[- ]ce)|^o[uù] que\b|"
    r"^quel(?:le)?s? (?!(?:est|sont|[ée]tait|[ée]taient|sera|seront)\b)", re.IGNORECASE)
_HOW_TO = re.compile(r"^(?:how to|comment \w+(?:er|ir|re)\b)", re.IGNORECASE)

_RHETORICAL = re.compile(
    r"\b(?:who (?:needs|cares|knew|else|doesn['’]?t|wouldn['’]?t)|guess what|"
    r"what could (?:possibly )?go wrong|what['’]?s not to|what (?:more|else) could|"
    r"(?:is there|can life get|does it get|can it get) any(?:thing)? better|"
    r"is there anything better|am i the only one|is it even|how good is|how hard can it be|"
    r"how is it already|isn['’]?t it (?:funny|amazing|great|crazy)|can you believe|"
    r"why is it always|why do i keep|just me|"
    r"qui (?:a besoin|aurait cru|d['’]autre|n['’]aime pas|ne voudrait)|devinez quoi|"
    r"quoi de (?:mieux|plus)|que demander de plus|qu['’]est-ce qu['’](?:il|elle) est|"
    r"(?:y a-t-il|existe-t-il) (?:quelque chose|rien) de (?:mieux|plus)|la vie peut-elle|"
    r"suis-je (?:le|la) seule?|c['’]est pas (?:dr[ôo]le|beau|g[ée]nial)|"
    r"c['’]est si (?:compliqu[ée]|difficile|dur)|c['’]est trop demander|"
    r"pourquoi c['’]est toujours|pourquoi je (?:retourne|continue|reste)|"
    r"c['’]est d[ée]j[àa]|c['’]est vraiment un|vous y croyez|juste moi)\b"
    r"|^(?:why not|pourquoi pas)\b",
    re.IGNORECASE)
_SELF_ANSWER = re.compile(
    r"^(?:no|nope|yes|yep|yeah|not me|never|of course|non|oui|nan|pas moi|jamais|"
    r"bien s[uû]r|apparemment|apparently)\b", re.IGNORECASE)


def _clean(text: str) -> str:
    text = _URL.sub(" ", text)
    text = _QUOTED.sub(" ", text)
    text = _HASHTAG.sub(" ", _HANDLE.sub(" ", text))
    return text


def _sentences(text: str) -> list[str]:
    parts = []
    for match in _SENTENCE.finditer(text):
        sentence = " ".join(match.group().split())
        sentence = _GREETING.sub("", sentence.lstrip(" ,;:-–—")).strip()
        if sentence.strip(".!?…"):
            parts.append(sentence)
    return parts


def _shaped_like_question(sentence: str, addressed: bool) -> bool:
    body = sentence.rstrip(" .!?…").replace("’", "'")
    if _RHETORICAL.search(body):
        return False
    if _HOW_TO.match(body):
        return addressed
    if _QUESTION_EN.match(body) or _QUESTION_FR.match(body):
        return True
    first_clause = re.split(r"[,;:]", body, maxsplit=1)[0]
    if _INVERSION_FR.search(" ".join(first_clause.split()[:6])) and not body.lower().startswith(
            ("peut-être", "dis-", "dites-")):
        return True
    starts_wh = re.match(rf"^{_WH_FR}\b|^qu'", body, re.IGNORECASE)
    return bool(starts_wh) and not _NOT_QUESTION_FR.match(body) and not re.match(
        r"^(?:que|qui)\b", body, re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether ``text`` asks its reader something and expects an answer (see the module doc)."""
    addressed = bool(_HANDLE.search(text))
    sentences = _sentences(_clean(text))
    for i, sentence in enumerate(sentences):
        if "?" in sentence or "？" in sentence:
            following = sentences[i + 1] if i + 1 < len(sentences) else ""
            if _RHETORICAL.search(sentence) or _SELF_ANSWER.match(following):
                continue
            return True
        if sentence.endswith((".", "!", "…")):
            continue
        if _shaped_like_question(sentence, addressed):
            return True
    return False
