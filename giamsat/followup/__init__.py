"""Step followup: every recommendation tracked until it is resolved."""
