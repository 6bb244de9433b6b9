"""Training, evaluation and data tooling for caveat (not imported by the service)."""
