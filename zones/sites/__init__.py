"""Sites on the safety map (issue 25): facilities with their self-assessed safety score,
quarantine sites (capacity, occupied) and lockdown areas (points or polygons), each with
its validity dates, in the units they sit in.

``read`` reads an upload (CSV, XLSX, GeoJSON) within its bounds, in the child process;
``check`` validates every row (units, coordinates inside the unit's shape, dates, scores,
counts) and words every problem; ``registry`` keeps them (history of every version) and
lists them; ``scheme`` is the facility scoring scheme as data; ``demo`` the simulated
sites of the Kiên Giang demo.
"""
