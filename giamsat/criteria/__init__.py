"""The monitoring criteria at work: findings per criterion, and the office's preliminary appraisal.

Recorded by ``giamsat.visits.minutes`` (a visit's minutes), ``giamsat.criteria.findings``
(``record_findings``: another source, e.g. the upper team on the issuer's own work) and
``giamsat.criteria.appraisal`` (``record_appraisal``). Other steps and documents read them
through ``giamsat.criteria.summary``: ``findings_list``, ``findings_by_criterion``,
``findings_by_unit``, ``communes_answers`` and ``appraisal_summary``.
"""
