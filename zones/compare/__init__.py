"""What-if side by side: the levels of one view under two rule sets on one day, or on two
days under one rule set (a draft rule set, read but never stored, included), and the units
on which the two differ (``zones.compare.diff``; drafts: ``zones.compare.draft``)."""
