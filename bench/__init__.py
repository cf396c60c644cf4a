"""Benchmarks of the notify step: outbox delivery over SMTP and letter rendering."""
