"""Input limits, in one place: the readers, the ingest runner, ``extract`` and the API all use these.

``MAX_TEXT_CHARS`` is the longest article text wirewatch analyses: spaCy's default ``max_length``
(its parser's memory grows with the text), so longer texts are refused with one message, not split.
``MAX_BYTES`` bounds what one file, ``text_file`` or stdin may hold (many JSONL
articles may share a file); ``$WIREWATCH_MAX_BYTES`` raises it.
"""

from __future__ import annotations

import os

MAX_TEXT_CHARS = 1_000_000
MAX_BYTES = int(os.environ.get("WIREWATCH_MAX_BYTES", str(10 * 1024 * 1024)))
MAX_URL_CHARS = 4000  # longer URLs are refused (the URL is the article's identity)
MAX_TITLE_CHARS = 2000  # longer titles are cut
MAX_SOURCE_CHARS = 500  # longer outlet names are cut
MAX_LANGUAGE_CHARS = 20  # a BCP 47 tag such as "en" or "pt-BR"
PUBLISHED_YEARS = (1000, 2999)  # publication dates outside these years are refused
