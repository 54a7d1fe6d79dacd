"""Analytics: raw activity events and the daily roll-ups that reports read."""
