"""The monitoring criteria at work: findings per criterion, and the office's preliminary appraisal.

Other steps and documents read them through ``giamsat.criteria.summary``:
``findings_by_criterion``, ``findings_by_unit``, ``communes_answers`` and ``appraisal_summary``.
"""
