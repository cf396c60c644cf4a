"""Step collect: take in each commune's report, validate it, acknowledge or ask for corrections."""
