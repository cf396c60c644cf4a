"""Signed PDFs checked with pyHanko: every signature intact, covering the document, and trusted.

The document system signs twice (Decree 30/2020, Phụ lục I): the competent person, then the
organisation, each as an incremental update. Every signature must be cryptographically valid and
cover its whole revision; later revisions may only add signatures; the last one covers the whole
file. With trust roots configured (the government CA roots), each signer must chain to one.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import ValueErrorWithMessage
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from giamsat.domain import clock
from giamsat.domain.errors import SettingsError, SignatureRefused

# A signing certificate carries non-repudiation or digital signature (either is accepted).
KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"},
                                match_all_key_usages=False)


@dataclass(frozen=True)
class Signer:
    """One valid signature: who signed (certificate's name and organisation) and when."""

    name: str
    organisation: str
    signed_at: dt.datetime
    issuer: str
    trusted: bool

    def as_json(self) -> dict[str, object]:
        """As stored in the register (time in ISO 8601 with Vietnam's offset)."""
        return {"name": self.name, "organisation": self.organisation, "issuer": self.issuer,
                "signed_at": self.signed_at.isoformat(), "trusted": self.trusted}


def load_roots(paths: list[Path]) -> list[x509.Certificate]:
    """The trust roots from PEM (or DER) files; an unreadable file is a settings error."""
    roots: list[x509.Certificate] = []
    for p in paths:
        try:
            roots += list(load_certs_from_pemder([str(p)]))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"GIAMSAT_TRUST_ROOTS: không đọc được chứng thư gốc {p}: {exc}") from None
    if paths and not roots:
        raise SettingsError("GIAMSAT_TRUST_ROOTS: các tệp đã khai không chứa chứng thư nào.")
    return roots


def verify(data: bytes, roots: list[x509.Certificate] | None) -> list[Signer]:
    """The signers of a signed PDF, in signing order; ``SignatureRefused`` says what is wrong."""
    sigs = _signatures(data)
    signers = []
    with _quiet_pyhanko():
        for i, sig in enumerate(sigs):
            signers.append(_verified(sig, last=i == len(sigs) - 1, roots=roots))
    return signers


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs an untrusted path as a warning with a traceback; our refusal says it instead."""
    log = logging.getLogger("pyhanko")
    previous, log.level = log.level, logging.CRITICAL
    try:
        yield
    finally:
        log.setLevel(previous)


def _verified(sig: EmbeddedPdfSignature, last: bool, roots: list[x509.Certificate] | None) -> Signer:
    """One signature checked; its signer and signing time."""
    who = _name(sig.signer_cert)
    try:
        status = validate_pdf_signature(sig, _context(roots), key_usage_settings=KEY_USAGE)
    except (ValueErrorWithMessage, PdfError, ValueError) as exc:
        raise SignatureRefused(f"Chữ ký số của {who} không kiểm tra được: {exc}") from None
    _check(status, who, last=last, roots=roots)
    return Signer(name=who, organisation=_attr(sig.signer_cert, "organization_name"),
                  signed_at=_signed_at(sig, status), issuer=_name_of(sig.signer_cert.issuer),
                  trusted=bool(roots) and status.trusted)


def _signatures(data: bytes) -> list[EmbeddedPdfSignature]:
    try:
        sigs = list(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise SignatureRefused(f"Tệp không phải PDF hợp lệ hoặc đã bị hỏng ({exc}).") from None
    if not sigs:
        raise SignatureRefused("Tệp PDF chưa có chữ ký số nào: hãy ký số văn bản trên hệ thống quản lý "
                               "văn bản rồi đăng ký bản đã ký.")
    return sigs


def _context(roots: list[x509.Certificate] | None) -> ValidationContext:
    """No roots configured: integrity only (an empty list, never the operating system's TLS roots)."""
    return ValidationContext(trust_roots=list(roots or []), allow_fetching=False,
                             revocation_mode="soft-fail")


def _check(status: PdfSignatureStatus, who: str, last: bool, roots: list | None) -> None:
    """Refuse a signature that is broken, partial, followed by edits, or outside the trust roots."""
    if not (status.intact and status.valid):
        raise SignatureRefused(f"Chữ ký số của {who} không còn nguyên vẹn: nội dung tệp đã bị thay đổi "
                               "sau khi ký.")
    coverage = status.coverage
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        raise SignatureRefused(f"Chữ ký số của {who} không bao trùm toàn bộ văn bản.")
    if last and coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise SignatureRefused(f"Tệp có nội dung được thêm vào sau chữ ký số cuối cùng ({who}).")
    level = status.modification_level
    if not last and (level is None or level > ModificationLevel.FORM_FILLING):
        raise SignatureRefused(f"Văn bản đã bị sửa sau khi {who} ký (không chỉ thêm chữ ký số).")
    if status.docmdp_ok is False:
        raise SignatureRefused(f"Văn bản bị thay đổi trái quyền hạn mà chữ ký của {who} cho phép.")
    if roots and not status.trusted:
        raise SignatureRefused(f"Chứng thư số của {who} không do tổ chức chứng thực được tin cậy cấp "
                               "(GIAMSAT_TRUST_ROOTS), hoặc không dùng để ký văn bản.")


def _signed_at(sig: EmbeddedPdfSignature, status: PdfSignatureStatus) -> dt.datetime:
    """The signing time: the timestamp token's, else the signer's (CMS attribute, then /M)."""
    ts = status.timestamp_validity
    when = ts.timestamp if ts is not None else status.signer_reported_dt or sig.self_reported_timestamp
    if when is None:
        raise SignatureRefused(f"Chữ ký số của {_name(sig.signer_cert)} không ghi thời gian ký.")
    return when.astimezone(clock.TZ).replace(microsecond=0)


def _attr(cert: x509.Certificate, key: str) -> str:
    return str(cert.subject.native.get(key, "") or "")


def _name(cert: x509.Certificate) -> str:
    return _attr(cert, "common_name") or cert.subject.human_friendly


def _name_of(name: x509.Name) -> str:
    return str(name.native.get("common_name", "")) or name.human_friendly
