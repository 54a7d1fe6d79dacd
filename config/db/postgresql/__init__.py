"""Django's PostgreSQL backend, whose kept connections are health-checked only when idle
(see base.py)."""
