"""Article identity: the canonical URL when there is one, else a hash of the normalised text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ref_src$|cmpid$|ocid$|smid$)")
_WS = re.compile(r"\s+")


def canonical_url(url: str | None) -> str | None:
    """Normalise a URL so the same page gets one identity.

    Lower-cases scheme and host, drops ``www.``, default ports, fragments, tracking parameters and a
    trailing slash, and sorts the query. ``http`` and ``https`` are the same article. A value that is
    not a string is no URL (None); a string that does not parse as one is kept as given.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # "http://[::1", "http://host:99999": not a URL we can normalise; keep it as given
        return url.strip()
    if not parts.netloc:
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def content_hash(text: str) -> str:
    """SHA-1 of the NFC-normalised text with whitespace collapsed (formatting changes keep the id)."""
    norm = _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


def article_id(text: str, url: str | None = None) -> str:
    """The article's id: ``u_`` + hash of the canonical URL, else ``t_`` + content hash."""
    canon = canonical_url(url)
    if canon:
        return "u_" + hashlib.sha1(canon.encode("utf-8")).hexdigest()[:20]
    return "t_" + content_hash(text)[:20]
