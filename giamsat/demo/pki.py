"""A TEST certification authority made at run time, its signers, and PDFs signed with pyHanko.

Nothing here is a real digital signature: the CA is self-made, named "CA THỬ NGHIỆM" and its
certificates say "CHỨNG THƯ THỬ NGHIỆM — không có giá trị pháp lý". The demo signs its plan and
letters with it (as the document system would: the competent person, then the organisation) so
the cycle runs the way an office runs it — draft, signed PDF, register, sent; the tests use it to
check ``doc register``. A real office signs in its document system with certificates of the
government's CA, configured as trust roots (``GIAMSAT_TRUST_ROOTS``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko_certvalidator.registry import SimpleCertificateStore

DER = serialization.Encoding.DER
TEST_LABEL = "CHỨNG THƯ THỬ NGHIỆM — không có giá trị pháp lý"
VALID_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # the demo signs on its plan's dates (2024, 2026)


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_LABEL),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class _SignerAt(signers.PdfSigner):
    """A pyHanko signer whose signing time is given (the demo's clock), not the machine's."""

    def __init__(self, *args: object, at: dt.datetime | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._at = at

    def init_signing_session(self, pdf_out: BasePdfFileWriter,
                             existing_fields_only: bool = False) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        if self._at is not None:
            session.system_time = self._at
        return session


@dataclass
class Identity:
    """A key and its certificate (and the CA certificate above it)."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    ca: x509.Certificate | None = None

    def pem(self, path: Path) -> Path:
        """The certificate as a PEM file (a trust root for GIAMSAT_TRUST_ROOTS)."""
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def issue(self, cn: str, org: str) -> Identity:
        """A signing certificate for ``cn`` issued by this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        cert = (x509.CertificateBuilder().subject_name(_name(cn, org)).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(min(VALID_FROM, now - dt.timedelta(days=1)))
                .not_valid_after(now + dt.timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=False, crl_sign=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .sign(self.key, hashes.SHA256()))
        return Identity(key, cert, self.cert)

    def sign(self, data: bytes, field: str, at: dt.datetime | None = None) -> bytes:
        """``data`` signed once more (PAdES, incremental update) by this identity, at ``at`` if given."""
        key = asn1_keys.PrivateKeyInfo.load(self.key.private_bytes(
            DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        chain = [asn1_x509.Certificate.load(c.public_bytes(DER)) for c in (self.cert, self.ca) if c]
        signer = signers.SimpleSigner(signing_cert=chain[0], signing_key=key,
                                      cert_registry=SimpleCertificateStore.from_certs(chain))
        meta = signers.PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES)
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        out = _SignerAt(meta, signer=signer, at=at).sign_pdf(writer)
        return out.getvalue()


def make_ca(cn: str) -> Identity:
    """A self-signed root CA (a test one: its name says so)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(cn, "Tổ chức chứng thực thử nghiệm")
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(min(VALID_FROM, now - dt.timedelta(days=2)))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return Identity(key, cert)
