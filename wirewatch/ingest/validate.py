"""The one place an article's fields are checked and normalised before analysis and the store.

Every reader builds its :class:`Article` with :func:`make_article`, and the runner and the API pass
articles through :func:`check_article`, so what reaches the database is the same whatever the source.
What each field accepts:

- ``text``: a string, not blank, at most :data:`~wirewatch.limits.MAX_ARTICLE_CHARS` characters
  (longer is refused). NUL characters are removed and lone UTF-16 surrogates become U+FFFD (neither can
  be stored in PostgreSQL or encoded as UTF-8); offsets refer to the text after this.
- ``url``: a string (surrounding whitespace removed) of at most ``MAX_URL_CHARS``; longer is refused.
- ``title``, ``source``: strings; cut to ``MAX_TITLE_CHARS`` / ``MAX_SOURCE_CHARS``.
- ``published``: ``YYYY-MM-DD`` or an ISO date-time string (or a ``date``), years in
  ``PUBLISHED_YEARS``.
- ``language``: a language tag like ``en`` or ``pt-BR`` (default ``en``), at most 20 characters.

A wrong type (``{"url": 12345}``, ``{"title": ["a"]}``) is an :class:`InputError` naming the field.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from wirewatch import limits
from wirewatch.errors import InputError
from wirewatch.ingest.identity import article_id
from wirewatch.records import Article

_SURROGATE = re.compile("[\ud800-\udfff]")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")
_JSON_TYPES = {dict: "an object", list: "a list", int: "a number", float: "a number", bool: "true/false"}


class TextTooLong(InputError):
    """The text is over :data:`~wirewatch.limits.MAX_ARTICLE_CHARS` (the API answers 413)."""


def clean_str(value: str) -> str:
    """``value`` without NUL characters and with lone surrogates replaced by U+FFFD."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def _kind(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _string(meta: dict[str, Any], key: str, where: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(where, f"{key} must be a string, not {_kind(value)}")
    return clean_str(value).strip() or None


def check_text(text: Any, where: str) -> str:
    """The article text, cleaned; InputError when it is not a string, blank or too long."""
    if not isinstance(text, str):
        raise InputError(where, f"text must be a string, not {_kind(text)}")
    if len(text) > limits.MAX_ARTICLE_CHARS:
        raise TextTooLong(
            where,
            f"text is {len(text):,} characters, over the {limits.MAX_ARTICLE_CHARS:,}-character limit "
            "(split the article)",
        )
    text = clean_str(text)
    if not text.strip():
        raise InputError(where, "empty text, nothing to read")
    return text


def check_url(url: Any, where: str) -> str | None:
    """The URL, stripped; InputError when it is not a string or too long."""
    value = _string({"url": url}, "url", where)
    if value is not None and len(value) > limits.MAX_URL_CHARS:
        raise InputError(where, f"url is {len(value):,} characters, over the {limits.MAX_URL_CHARS} limit")
    return value


def parse_published(value: Any, where: str) -> date | None:
    """A publication date from ``YYYY-MM-DD`` or an ISO datetime; anything else is an InputError."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        if not isinstance(value, str):
            raise InputError(where, f"published must be a date string (YYYY-MM-DD), not {_kind(value)}")
        text = clean_str(value).strip()
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                value = date.fromisoformat(text[:10])
            except ValueError:
                shown = text if len(text) <= 40 else text[:40] + "…"
                raise InputError(where, f"published {shown!r} is not a date (use YYYY-MM-DD)") from None
    low, high = limits.PUBLISHED_YEARS
    if not low <= value.year <= high:
        raise InputError(where, f"published {value.isoformat()} is outside the years {low}-{high}")
    return value


def check_language(value: Any, where: str) -> str:
    """A language tag (default ``en``); InputError when it does not look like one."""
    lang = _string({"language": value}, "language", where)
    if lang is None:
        return "en"
    if len(lang) > limits.MAX_LANGUAGE_CHARS or not _LANGUAGE.fullmatch(lang):
        shown = lang if len(lang) <= 30 else lang[:30] + "…"
        raise InputError(where, f"language {shown!r} is not a language tag such as en or pt-BR")
    return lang


def make_article(text: Any, meta: dict[str, Any], where: str) -> Article:
    """Build a checked :class:`Article` from its text and metadata (keys url, title, source,
    published, language); its id comes from the cleaned URL or text."""
    text = check_text(text, where)
    url = check_url(meta.get("url"), where)
    title = _string(meta, "title", where)
    source = _string(meta, "source", where)
    return Article(
        id=article_id(text, url),
        text=text,
        url=url,
        title=title[: limits.MAX_TITLE_CHARS] if title else None,
        source=source[: limits.MAX_SOURCE_CHARS] if source else None,
        published=parse_published(meta.get("published"), where),
        language=check_language(meta.get("language"), where),
        origin=clean_str(where),
    )


def check_article(article: Article) -> Article:
    """An article built elsewhere (library callers, the API), checked by the same rules.

    Returns it unchanged when it is already clean; a cleaned copy (same id) otherwise.
    """
    where = article.origin or article.id
    meta = {"url": article.url, "title": article.title, "source": article.source,
            "published": article.published, "language": article.language}
    clean = make_article(article.text, meta, where)
    clean = replace(clean, id=article.id, origin=clean_str(article.origin) if article.origin else None)
    return article if clean == article else clean
