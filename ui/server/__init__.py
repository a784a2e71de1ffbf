"""The web server: Streamlit's own server running ``app.py`` (``web``, started by
``serve``) plus our routes, the session and language cookies (``auth``) and the map's
files (``served``), the deployment's health as JSON (``health``), and Streamlit's
bundles sent gzipped (``compress``); every request's log lines carry its id (``context``).

It imports the core's front door, never a page helper of ``ui``; the page helpers import
nothing of it but ``names``, the cookies and paths both sides share."""
