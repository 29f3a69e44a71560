"""Near-duplicate articles (wire copies with a changed headline or a trimmed tail) by MinHash/LSH."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2 default; stored signatures depend on it
# 3-word shingles at 0.5: a 4-sentence wire copy with one sentence rewritten scores ~0.57 (5-shingles
# at 0.8 missed it: ~0.5), while distinct short reports built from the same phrases stay below ~0.35.
SHINGLE = 3  # words per shingle
THRESHOLD = 0.5  # estimated Jaccard similarity at or above which two articles are the same story
_WORD = re.compile(r"\w+", re.UNICODE)


def minhash(text: str) -> MinHash:
    """MinHash of the article's word shingles (``SHINGLE`` words, case-folded)."""
    words = _WORD.findall(text.casefold())
    mh = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME)
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:
        shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    mh.update_batch([s.encode("utf-8") for s in shingles])
    return mh


def to_bytes(mh: MinHash) -> bytes:
    """Compact storage form of a MinHash (its hash values)."""
    return mh.hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    """Inverse of :func:`to_bytes`."""
    values = np.frombuffer(data, dtype=np.uint64).copy()
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, hashvalues=values)


_LSH = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
BANDS, ROWS = _LSH.b, _LSH.r  # datasketch's optimal banding for THRESHOLD (9 bands of 13 rows)

Lookup = Callable[[list[tuple[int, int]]], Iterable[tuple[str, bytes]]]


def band_hashes(mh: MinHash | bytes) -> list[tuple[int, int]]:
    """(band, hash) LSH keys of a signature: two articles sharing any key are candidates.

    The hash is the first 8 bytes of BLAKE2b over the band's values, as a signed 64-bit integer
    (stable across processes and machines, so the keys can be stored)."""
    values = np.frombuffer(mh, dtype=np.uint64) if isinstance(mh, bytes) else mh.hashvalues.astype(np.uint64)
    out = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "big", signed=True)))
    return out


class NearDuplicateIndex:
    """An LSH index over the articles of this run, plus (with ``lookup``) the stored articles.

    ``lookup(band_hashes)`` returns ``(article id, minhash bytes)`` of stored articles sharing a band
    hash (``Store.similar``), so nothing is loaded at start-up and each new article costs one indexed
    query, however large the store.
    """

    def __init__(self, threshold: float = THRESHOLD, lookup: Lookup | None = None) -> None:
        self.threshold = threshold
        self.lookup = lookup
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._hashes: dict[str, MinHash] = {}

    def load(self, stored: Iterable[tuple[str, bytes]]) -> None:
        """Add signatures already in the store (only needed without ``lookup``)."""
        for key, data in stored:
            if data:
                self.add(key, from_bytes(data))

    def add(self, key: str, mh: MinHash) -> None:
        if key not in self._hashes:
            self._lsh.insert(key, mh)
            self._hashes[key] = mh

    def find(self, mh: MinHash) -> str | None:
        """The most similar indexed or stored article at or above the threshold, or None (ties: the
        smallest id, so the answer does not depend on set order)."""
        candidates = {key: self._hashes[key] for key in self._lsh.query(mh)}
        if self.lookup is not None:
            for key, data in self.lookup(band_hashes(mh)):
                if key not in candidates and data:
                    candidates[key] = from_bytes(data)
        best, best_sim = None, self.threshold
        for key in sorted(candidates):
            sim = mh.jaccard(candidates[key])
            if sim > best_sim or (sim == best_sim and best is None):
                best, best_sim = key, sim
        return best

    def __len__(self) -> int:
        return len(self._hashes)
