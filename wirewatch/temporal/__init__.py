"""Time: temporal expressions normalised against the publication date, and event dates.

``TimeTagger().find(doc, published)`` lists every expression (TIMEX3-style values with a precision);
``TimeTagger().date_event(doc, draft, timexes, published)`` picks the one that dates an event;
``is_historical(expr, published)`` tells background events from current ones.
"""

from wirewatch.periods import period_bounds, period_end
from wirewatch.temporal.tagger import TimeTagger, is_historical, published_expr

__all__ = ["TimeTagger", "is_historical", "period_bounds", "period_end", "published_expr"]
