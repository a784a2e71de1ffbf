"""Interoperability: what other systems plug into.

``tokens``: the tokens other systems read the HTTP API with (made and revoked by
administrators, hashed at rest, scoped to a subtree, rate-limited); ``http``: the
answers of the read-only API ``/zones-api/v1/…`` (served by ``ui.server.interop``);
``dhis2``: weekly figures and levels as DHIS2 ``dataValueSets`` JSON through a
strictly checked mapping file. The PostGIS views QGIS opens are in
``zones.storage.interop_sql``.
"""
