"""Recommendations: what an entry relates to and why, and the watchlist by predicted score.

Every tie between two entries is a piece of evidence with a strength between 0 and 1: a link
the user wrote, a link the index derived (a mention in a review, the same series), the
creators and tags they share, and how alike their reviews read. Pieces are combined like
independent chances (a noisy-OR: 1 - product of (1 - strength)), so the result stays in 0-1
and every extra piece raises it.

Shared creators and tags are weighted by how rare they are in this journal: a creator on two
entries says a lot, the tag every entry carries says almost nothing. Rarity is an IDF scaled
to 0-1: ln((N - 1) / (holders - 1)) / ln(N - 1), which is 1 when no third entry holds the
feature and 0 when every entry does. Candidates are only the entries reachable from the
query through inverted lists (holders of each creator and tag, links), never the whole
journal pairwise.

Modules: evidence (what one tie says, and how ties combine), wording (reviews compared as
tf-idf vectors), sources (what ranking reads: from a Catalog, or from the index without loading
every entry), related (`recommend QUERY`), taste (the score the user would likely give a planned
title, fitted on their own scores), watchlist (`recommend` alone, and rewatch ideas).
"""
