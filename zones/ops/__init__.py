"""Operations: the deployment's health (``health``), the levels in force exported with
their shapes for GIS tools (``export``), the migrations as a deploy step (``upgrade``),
and the log's set-up (``logs``)."""
