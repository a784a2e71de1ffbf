"""Start the dashboard: ``python -m ui.serve [streamlit options]`` (what ``make run`` does).

``app.py`` declares its pages with ``st.navigation``. Streamlit still has a legacy mode for
apps with a ``pages/`` folder, and it picks that mode when the very first visitor after a
start opens a page URL directly (e.g. a bookmarked ``/upload``): the sidebar then lists
file names and ``app.py`` never runs. Telling Streamlit up front that the app uses
``st.navigation`` avoids it.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def main() -> int:
    """Run ``streamlit run app.py`` in this process with the legacy pages mode off."""
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
