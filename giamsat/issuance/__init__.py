"""Issued documents: drafts, the PDF to sign, the signed original registered with its number."""
