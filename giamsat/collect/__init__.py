"""Step collect: take in each commune's report, validate it, acknowledge or ask for corrections.

Modules, each importing only those after it: ``service`` (the public face: ``submit``,
``sweep_inbox``, ``take_in``), ``sweep`` (inbox claims, fed to ``take_in`` by chunks),
``recording`` (the one recording path every way in goes through), ``intake`` (read and validate
one file into a pure result), ``records`` (the rows besides the submission), ``reader`` and
``xml_reader`` (the filled form).
"""
