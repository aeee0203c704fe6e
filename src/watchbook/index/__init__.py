"""The index: a disposable SQLite cache of the journal beside it, kept fresh by itself.

`<journal>/.watchbook/index.sqlite` holds every parsed entry, the files that could not be read,
the derived links, a full-text index of verdicts and reviews, the folder listing it was built
from and the search keys. Every command lists the folder (watchbook.listing) and compares it
with the stored listing; only files that were added, changed or removed are read again. A
missing, damaged or older-version index is rebuilt. The TOML files stay the only source of
truth: deleting the index loses nothing.

One module per concern, and all of watchbook's SQL lives in this package:
- codec: entries as bytes, blobs with checksums;
- searchdata: the search keys of every entry, and what search reads of a row;
- schema: tables, the row of an entry, helpers every writer shares;
- store: the index file, its lock, keeping it fresh (the entry points open_index, read_index);
- view: reading one consistent snapshot;
- catalog: the whole journal with its links, for commands that need all of it;
- queries: what single commands ask (an entry with its links, a search, a pair);
- relations: what recommend reads (holders of creators and tags, liked entries, link kinds);
- build: filling an index from every file; update: patching it for what changed;
- check: `watchbook check`.
"""

from collections.abc import Callable

# Told (done, total) as a long job advances.
Progress = Callable[[int, int], None]
