"""Read-side of notifications (for its own views): a user's notifications."""
