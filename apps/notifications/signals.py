"""Notifications publishes no events: no other app depends on it."""
