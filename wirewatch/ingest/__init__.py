"""Ingest: files, folders, stdin and feeds → :class:`~wirewatch.records.Article`."""

from wirewatch.ingest.identity import article_id, canonical_url, content_hash
from wirewatch.ingest.readers import MAX_BYTES, read_articles

__all__ = ["MAX_BYTES", "article_id", "canonical_url", "content_hash", "read_articles"]
