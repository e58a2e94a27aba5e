"""English and French stopwords (normalized like query tokens: lower case, no accents)."""

from __future__ import annotations

from listener.query import normalize

_ENGLISH = """
a about above after again against all almost also am an and any are aren arent as at be because
been before being below between both but by can cannot cant could couldn did didn didnt do does
doesn doesnt doing don dont down during each else even ever every few for from further get gets
got had hadn has hasn hasnt have haven havent having he her here hers herself him himself his how
i if im in into is isn isnt it its itself ive just let lets like ll made make many may me might
more most much must mustn my myself need no nor not now of off often on once one only or other
our ours ourselves out over own re really same say says said shan she should shouldn so some
still such than that thats the their theirs them themselves then there theres these they theyre
thing things think this those though through to too under until up upon us use used using ve
very via was wasn we were weren what whats when where which while who whom why will with won
would wouldn yes yet you youd youll your youre yours yourself yourselves
rt amp http https www com co gt lt via today day time new get got go going know want see
"""

_FRENCH = """
a ai aie aient aies ait alors as au aucun aura aurai auraient aurais aurait aux avaient avais
avait avant avec avez aviez avions avoir avons ayant bien c ca car ce ceci cela celle celles
celui cependant ces cet cette ceux chaque chez ci comme comment d dans de des deja depuis donc
dont du elle elles en encore entre es est et etaient etais etait etant ete etes etiez etions
etre eu eue eues eus eut fait faire fais faut fois font hors ici il ils j je jusqu l la le les
leur leurs lui m ma mais me meme mes moi moins mon n ne ni non nos notre nous on ont ou par
parce pas peu peut plus pour pourquoi puis qu quand que quel quelle quelles quels qui sa sans
se sera serai seraient serait ses si sien soi soit sommes son sont sous suis sur t ta te tes
toi ton tous tout toute toutes tres tu un une vers voici voila vos votre vous vu y
aujourd hui c est trop tres aussi oui ca
"""

STOPWORDS: frozenset[str] = frozenset(normalize(w) for w in (_ENGLISH + _FRENCH).split())
