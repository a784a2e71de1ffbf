"""The embedded demo: Kiên Giang 2021 (or all ~10,000 legacy communes) with approximate
shapes and simulated figures, built from installed packages only."""

from zones.demo.build import build_demo, build_units, check_rebuild

__all__ = ["build_demo", "build_units", "check_rebuild"]
