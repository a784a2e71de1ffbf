"""The settings, for the edges (the CLI, the web server) to read once from the environment
(a light area: ``python -m zones --help`` imports nothing heavier than the catalogue)."""

from zones.settings import Settings

__all__ = ["Settings"]
