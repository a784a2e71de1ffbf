"""Numbers as the UI's language writes them: grids and charts (issue 14, item 5)."""

import json

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app import run_page
from ui import charts


def _columns(element) -> dict:
    return json.loads(element.proto.columns or "{}")


def test_population_in_the_overview_list_uses_vietnamese_separators(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py", side_tab="Tổng quan")
    lists = {d.key: d for d in at.dataframe if d.key}
    grid = lists["list-level-commune"]
    assert _columns(grid)["Dân số"]["type_config"]["format"] == "%'.,d"
    assert pd.api.types.is_numeric_dtype(grid.value["Dân số"])  # sorted as numbers


def test_population_in_english_uses_english_separators(demo_url, use_db):
    use_db(demo_url)
    at = run_page("app_pages/map.py", lang="en", side_tab="Overview")
    grid = next(d for d in at.dataframe if d.key == "list-level-commune")
    assert _columns(grid)["Population"]["type_config"]["format"] == "%,d"


def _table_app(language: str):
    def app(language):
        import pandas as pd
        import streamlit as st

        from ui import widgets

        st.session_state["lang"] = language
        widgets.table(pd.DataFrame({"n": [1240, 5], "x": [365.705, 1234.5], "s": ["a", "b"],
                                    "gap": [None, 2.0]}))
    return AppTest.from_function(app, kwargs={"language": language}, default_timeout=60).run()


@pytest.mark.parametrize(("language", "whole", "decimal"),
                         [("vi", "%'.,d", "1.234,5"), ("en", "%,d", "1,234.5")])
def test_grid_numbers_follow_the_language(language, whole, decimal):
    at = _table_app(language)
    assert not at.exception, at.exception
    grid = at.dataframe[0]
    cols = _columns(grid)
    assert cols["n"]["type_config"]["format"] == whole and cols["gap"]["type_config"]["format"] == whole
    assert "s" not in cols
    shown = pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()
    assert decimal in set(shown["x"])


@pytest.mark.parametrize(("language", "words"),
                         [("vi", ("365,7", "1.240", "4.000")), ("en", ("365.7", "1,240", "4,000"))])
def test_charts_use_the_languages_marks_and_dd_mm(language, words):
    """The panel's SVG charts: numbers with the language's marks, days dd/mm on the axis
    and dd/mm/yyyy in the words."""
    days = pd.date_range("2021-09-01", periods=10)
    h = pd.DataFrame({"rate_7d": [365.705] * 10, "tests_pcr": [1240] * 10,
                      "tests_antigen": [2000] * 10, "positivity": [0.0] * 10,
                      "cover_18": [50.0] * 10, "cover_50": [40.0] * 10,
                      "cover_65": [30.0] * 10}, index=days)
    colours = dict.fromkeys(range(5), "#00aa00")
    rate, rate_words = charts.rate_svg(h, days[3], colours, [20, 50, 150], language)
    tests, tests_words = charts.tests_svg(h, days[3], language)
    decimal, whole, tick = words
    assert f">{decimal}</text>" in rate and decimal in rate_words
    assert whole in tests_words and f">{tick}</text>" in tests  # the left axis' top
    assert ">03/09</text>" in rate and "04/09/2021" in rate_words
    assert "01/09/2021–10/09/2021" in tests_words
