"""Prefect tasks wrapping service calls; retries only on I/O."""
