"""Audit publishes no events: it only listens (to the others' signals.py and to
apps.core.row_changes) and records."""
