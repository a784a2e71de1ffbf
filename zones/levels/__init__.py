"""Levels: assessment runs, the refresh after a write, the snapshot, declarations,
transitions and the day view that every page, export and command reads."""

from zones.levels.dayview import DayView, day_view
from zones.levels.refresh import refresh
from zones.levels.tables import Table

__all__ = ["DayView", "Table", "day_view", "refresh"]
