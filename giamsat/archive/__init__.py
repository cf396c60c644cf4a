"""Export and import of a whole cycle (rows and stored files)."""
