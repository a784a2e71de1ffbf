"""Application core: storage, ingest, assessments, demo data and the CLI."""
