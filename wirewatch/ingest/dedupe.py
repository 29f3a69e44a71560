"""Near-duplicate articles (wire copies with a changed headline or a trimmed tail) by MinHash/LSH."""

from __future__ import annotations

import re
from collections.abc import Iterable

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


class NearDuplicateIndex:
    """An LSH index over the articles seen so far (stored ones and this batch's)."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._hashes: dict[str, MinHash] = {}

    def load(self, stored: Iterable[tuple[str, bytes]]) -> None:
        """Add signatures already in the store."""
        for key, data in stored:
            if data:
                self.add(key, from_bytes(data))

    def add(self, key: str, mh: MinHash) -> None:
        if key not in self._hashes:
            self._lsh.insert(key, mh)
            self._hashes[key] = mh

    def find(self, mh: MinHash) -> str | None:
        """The most similar indexed article at or above the threshold, or None."""
        best, best_sim = None, self.threshold
        for key in self._lsh.query(mh):
            sim = mh.jaccard(self._hashes[key])
            if sim >= best_sim:
                best, best_sim = key, sim
        return best

    def __len__(self) -> int:
        return len(self._hashes)
