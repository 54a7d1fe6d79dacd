"""Daily roll-ups: each builder replaces one day's rows for the companies given."""
