"""The Streamlit shell's helpers: the only package (with app.py and pages/) that imports
streamlit. ``ui.mapview`` builds folium maps without streamlit, so the CLI can use it."""
