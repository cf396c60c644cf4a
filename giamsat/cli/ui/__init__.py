"""What every command prints through: Vietnamese labels, numbers, dates, choices and Click's own words.

- ``giamsat.cli.ui.present``: ``choice`` (a filter that takes the label or the code and refuses
  anything else, naming the valid values), ``counts`` (``{"sent": 3}`` → "Đã gửi: 3"), ``number`` /
  ``percent`` (Vietnamese separators), ``moment`` / ``day`` (dd/mm/yyyy, Vietnam time),
  ``audit_detail`` (an audit entry's details as a sentence).
- ``giamsat.cli.ui.click_vi``: ``install()`` turns Click's and Typer's help and usage errors into
  Vietnamese (called once by ``giamsat.cli``).
"""
