"""Step provincial_visit: preparing for the upper body's monitoring team, its report and findings."""
