"""The match lifecycle: scheduling, check-in, result submission and confirmation, disputes,
forfeits, the time sweeps, and completion through the brackets service."""
