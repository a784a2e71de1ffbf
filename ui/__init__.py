"""The Streamlit shell's helpers: the only package (with app.py and app_pages/) that
imports streamlit. The map's spec and its standalone export are in ``zones.maps.mapview``
(no streamlit), so the CLI can use them."""
