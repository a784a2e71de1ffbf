"""Maps: the folium map both the dashboard and the standalone export draw, the level
palettes, and the vendored Leaflet (no CDN, ever)."""
