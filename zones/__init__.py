"""Application core. Pages and the CLI come in through one door, ``zones.api`` (one
function per user action); the sub-packages behind it, by kind of work:

- ``storage``: the database (tables, migrations, plain reads and writes);
- ``ingest``: uploads of daily figures (read, resolve units, validate, store versions);
- ``boundaries``: boundary files and attribute tables (validate, hierarchy, store);
- ``levels``: assessment runs, the refresh after every write, the snapshot, declarations,
  transitions and the day view;
- ``maps``: the folium map, palettes and the vendored Leaflet;
- ``demo``: the embedded demo;
- ``cli``: the command line, a shell over ``api``.
"""
