"""Staff reports over the platform roll-ups (never over raw rows)."""
