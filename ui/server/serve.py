"""Start the dashboard: ``python -m ui.server.serve [streamlit options]`` (what ``make run`` does).

A thin wrapper around ``streamlit run ui/server/web.py``: Streamlit's own server running
``app.py``, plus the routes of ``ui.server.web``. The pages live in
``app_pages/`` (not ``pages/``), so Streamlit's legacy multipage mode never takes over
when the first visitor after a start opens a page URL directly: no private Streamlit
attribute is patched.
"""

import sys
from pathlib import Path

from streamlit.web import cli

APP = Path(__file__).resolve().parent / "web.py"


def main() -> int:
    """Run ``streamlit run ui/server/web.py`` in this process."""
    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
