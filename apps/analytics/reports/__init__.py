"""The company admins' reports, each read from the roll-ups only (a fixed few queries
whatever the range), as plain dicts the serializers shape, and as CSV rows."""
