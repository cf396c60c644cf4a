"""The plan of a cycle: its schema, the milestones it implies, and the deployment schedules."""
