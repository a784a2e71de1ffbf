"""A province's draft rule set, opened against the official ones before it is added.

The file is bounded before it is read (``rules.loader.MAX_BYTES``), read in the bounded
child process like every untrusted file (``zones.isolate``), and checked exactly as
``rulesets add`` checks a file it keeps (``zones.levels.stored_rulesets.validate``: every
problem listed, an id of a shipped or folder rule set or an official title refused). It is
never stored: the comparison holds it for the time of a page or a command.
"""

from __future__ import annotations

import rules
from zones import isolate
from zones.levels import stored_rulesets
from zones.settings import Settings


def read(settings: Settings, data: bytes, file_name: str, taken: dict[str, str]
         ) -> rules.RuleSet:
    """The draft rule set of ``data`` (a ZonesError listing its problems otherwise: a
    message value, rendered by the edge in the user's language)."""
    stored_rulesets.check_size(len(data), file_name)  # before anything reads it
    return isolate.bounded(settings, _parse, data, file_name, taken)


def _parse(data: bytes, file_name: str, taken: dict[str, str]) -> rules.RuleSet:
    """In the child: the checks of ``rulesets add``."""
    return stored_rulesets.validate(data, file_name, taken)[1]
