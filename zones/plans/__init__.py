"""Plans with targets per unit (issue 22): the targets as data (``model``), their
progress and the emulation table computed from the levels in force (``progress``)."""
