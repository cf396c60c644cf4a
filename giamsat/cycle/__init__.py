"""The cycle as a whole: the plan synced to the database, its overview and status."""
