"""Event coding: PLOVER 2.0 type/mode/contexts, CAMEO root, roles, modality, attribution, confidence.

    from wirewatch.events import EventExtractor
    drafts = EventExtractor().extract(doc, mentions)
"""

from wirewatch.events.extractor import EventExtractor

__all__ = ["EventExtractor"]
