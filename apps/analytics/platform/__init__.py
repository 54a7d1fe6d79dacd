"""Platform analytics for our staff: the daily roll-up, reports and the admin dashboard."""
