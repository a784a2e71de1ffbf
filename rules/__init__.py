"""Zone-risk rule engine: levels 1–4 (xanh/vàng/cam/đỏ) from rule sets written as data.

Public API::

    from rules import Inputs, load_rulesets, assess_in_force
    registry = load_rulesets("data/rulesets")           # shipped + custom rule sets
    result = assess_in_force(inputs, registry, dates)   # QĐ 2686 before 2021-10-12, QĐ 4800 after
    result.at("2021-10-20"); result.explain("31117", "2021-10-20", lang="vi")

``Inputs`` holds plain frames: ``units`` (index code; name, level, parent_code,
population, pop_18plus, pop_50plus, pop_65plus), ``observations`` (unit_code, date + metric
columns; NaN = not reported, which is not 0), ``adjacency`` (code_a, code_b) and optional
manual ``flags`` (unit_code, date, flag). Levels are int 1..4 and ``NO_DATA`` (0) for "not
enough data", which is never green. This package imports nothing else of the project.
"""

from .describe import describe_ruleset
from .engine import assess, assess_arrays, assess_in_force, indicators
from .errors import Problem, RuleSetError, RulesInputError
from .indicators import REGISTRY as INDICATOR_FUNCTIONS
from .inputs import Inputs
from .levels import LEVEL_KEYS, LEVELS, NO_DATA, NO_DATA_NAME
from .loader import load_ruleset, parse_ruleset
from .model import RuleSet
from .operators import OPERATORS
from .registry import RuleSetRegistry, load_rulesets
from .result import Explanation, Result
from .text import fmt_number, fmt_percent

__all__ = [
    "INDICATOR_FUNCTIONS", "LEVELS", "LEVEL_KEYS", "NO_DATA", "NO_DATA_NAME", "OPERATORS",
    "Explanation", "Inputs", "Problem", "Result", "RuleSet", "RuleSetError",
    "RuleSetRegistry", "RulesInputError", "assess", "assess_arrays", "assess_in_force", "describe_ruleset",
    "fmt_number", "fmt_percent", "indicators", "load_ruleset", "load_rulesets",
    "parse_ruleset",
]
