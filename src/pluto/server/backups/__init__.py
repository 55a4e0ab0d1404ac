"""Backups of an installation: its database and stored objects, restored into an empty one.

A backup is a folder: ``manifest.json`` (written last, so an interrupted backup has none),
the database (``database.sqlite3`` or a ``pg_dump`` archive ``database.pgdump``), the
objects under ``objects/`` by key, and the data directory's own files (the generated
secret key) under ``data/``.
"""
