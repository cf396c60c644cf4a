"""Step visits: schedule, notices, minutes and what they record."""
