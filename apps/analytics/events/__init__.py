"""Capturing activity events: a buffer per deployment mode, the middleware and receivers
that feed it, and the flush that writes it in bulk."""
