"""Application services: one module per step of the cycle, each taking a Runtime and a date."""
