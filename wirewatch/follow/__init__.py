"""Following feeds and sitemaps over HTTP(S): guarded fetching (:mod:`.fetch`), parsing from bytes
(:mod:`.feeds`), saved sources and their health (:mod:`.sources`), one follow cycle (:mod:`.runner`)
and the long-lived service helpers (:mod:`.service`)."""
