"""File-system adapters: atomic writes, safe archives, spreadsheets (CSV for Excel)."""
