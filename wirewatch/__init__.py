"""wirewatch: who did what to whom, where, when — and according to whom."""

__version__ = "0.1.0"
