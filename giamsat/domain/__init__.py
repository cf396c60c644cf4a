"""The pure core: calendar, clock, sampling, validation, indicators, reminder policy, vocabulary.

Standard library (+ pydantic) only: no database, no Prefect, no Word, no templates.
"""
