"""The cycle's documents as the văn thư keeps them: list, export to sign, register the signed original."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from giamsat.db import audit
from giamsat.db.models import Document
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound, SignatureRefused
from giamsat.domain.formatting import short_date
from giamsat.files.fsutil import write_bytes_atomic
from giamsat.issuance import kinds, match, pdf, signatures
from giamsat.issuance.kinds import DRAFT, ISSUED
from giamsat.runtime import Runtime

MAX_SIGNED_MB = 50


@dataclass(frozen=True)
class DocView:
    """One row of the register as read by ``doc list``."""

    id: int
    kind: str
    status: str
    number: str | None
    issued_on: dt.date | None
    signers: list[dict]
    path: str
    sha256: str
    signed_path: str | None
    signed_sha256: str | None

    @property
    def status_label(self) -> str:
        """``dự thảo`` or ``đã ký, phát hành``."""
        return kinds.STATUS_LABELS.get(self.status, self.status)

    def as_json(self) -> dict[str, object]:
        """For ``doc list --json``."""
        return {"id": self.id, "kind": self.kind, "status": self.status, "status_label": self.status_label,
                "number": self.number, "date": self.issued_on.isoformat() if self.issued_on else None,
                "signers": self.signers, "path": self.path, "sha256": self.sha256,
                "signed_path": self.signed_path, "signed_sha256": self.signed_sha256}


def _view(row: Document) -> DocView:
    return DocView(row.id, kinds.public_kind(row.kind), row.status or DRAFT, row.number, row.issued_on,
                   list(row.signers or []), row.path, row.sha256, row.signed_path, row.signed_sha256)


def documents(rt: Runtime, kind: str | None = None) -> list[DocView]:
    """Every document of the cycle, in the order written (optionally one kind only)."""
    with rt.db.unit_of_work() as s:
        rows = s.scalars(select(Document).where(Document.cycle_id == rt.cycle_id).order_by(Document.id))
        views = [_view(r) for r in rows]
    return [v for v in views if kind is None or v.kind == kind]


def document(rt: Runtime, doc_id: int) -> DocView:
    """One document of the cycle by id, or ``NotFound``."""
    with rt.db.unit_of_work() as s:
        row = s.get(Document, doc_id)
        if row is None or row.cycle_id != rt.cycle_id:
            raise NotFound(f"Không có văn bản số hiệu {doc_id} trong chu kỳ {rt.plan.cycle_key} "
                           "(xem: giamsat doc list).")
        return _view(row)


def export_pdf(rt: Runtime, doc_id: int, out: Path) -> Path:
    """The draft as the PDF to sign in the document system, carrying the draft's fingerprint."""
    return export_pdfs(rt, [(doc_id, Path(out))])[0]


def export_pdfs(rt: Runtime, wanted: list[tuple[int, Path]]) -> list[Path]:
    """Several drafts to PDF in one LibreOffice run, each stamped with its fingerprint (``match``)."""
    docs = [document(rt, doc_id) for doc_id, _ in wanted]
    for doc in docs:
        if not Path(doc.path).is_file():
            raise NotFound(f"Không tìm thấy tệp dự thảo {doc.path}; chạy lại bước đã tạo văn bản.")
    scratch = rt.home / "tmp"
    stamp = f"{dt.datetime.now().timestamp():.0f}"
    plain = pdf.to_pdfs([(Path(d.path), scratch / f"export-{d.id:05d}-{stamp}.pdf") for d in docs], scratch)
    written = []
    try:
        for doc, made, (_, out) in zip(docs, plain, wanted, strict=True):
            marked = match.stamp(made.read_bytes(), match.fingerprint(rt.plan.cycle_key, doc.id,
                                                                       Path(doc.path)))
            written.append(write_bytes_atomic(Path(out), marked))
    finally:
        for made in plain:
            made.unlink(missing_ok=True)
    return written


@dataclass(frozen=True)
class Registered:
    """What ``doc register`` recorded (``changed`` is False when the same file was registered before)."""

    doc: DocView
    signers: list[signatures.Signer]
    changed: bool


def register(rt: Runtime, doc_id: int, signed: Path, number: str | None, issued_on: dt.date | None,
             now: dt.datetime, actor: str) -> Registered:
    """Check the signed PDF and record it as the issued original; a refused file records nothing."""
    doc = document(rt, doc_id)
    data = _read_signed(Path(signed))
    signers = signatures.verify(data, signatures.load_roots(rt.settings.trust_root_paths()))
    digest = hashlib.sha256(data).hexdigest()
    if doc.status == ISSUED:
        if doc.signed_sha256 == digest:
            return Registered(doc, signers, changed=False)
        raise Conflict(f"Văn bản {doc.id} đã được đăng ký với số {doc.number or '(không số)'}; không "
                       "đăng ký lại bằng tệp khác.")
    label = kinds.kind_of(doc.kind).label.lower()
    match.check(data, cycle_key=rt.plan.cycle_key, doc_id=doc.id, label=label, draft=Path(doc.path))
    full = _number(rt, doc, number)
    day = issue_date(signers, issued_on)
    stored = write_bytes_atomic(rt.path("documents", "signed", f"{doc.id:05d}-{digest[:12]}.pdf"), data)
    with rt.db.unit_of_work() as s:
        row = s.get_one(Document, doc.id)
        row.status, row.number, row.issued_on = ISSUED, full, day
        row.signers = [x.as_json() for x in signers]
        row.signed_path, row.signed_sha256 = str(stored), digest
        row.registered_at, row.registered_by = now, actor
        audit.record(s, at=now, actor=actor, action="document.register", entity="document",
                     entity_id=doc.id, cycle_id=rt.cycle_id, kind=doc.kind, number=full,
                     date=day.isoformat(), sha256=digest, signers=row.signers)
        view = _view(row)
    return Registered(view, signers, changed=True)


def issue_date(signers: list[signatures.Signer], given: dt.date | None) -> dt.date:
    """The issue date: given, or the day the competent person signed (the first signature).

    The competent person signs first and the organisation's signature issues the document (Decree
    30/2020, Phụ lục I), so the date lies between the first and the last signing day (Vietnam time),
    as in the seed plan: dated 26/3/2024, signed 26/3 16:59 and 27/3 09:20.
    """
    first = signers[0].signed_at.astimezone(clock.TZ)
    last = signers[-1].signed_at.astimezone(clock.TZ)
    if given is None:
        return first.date()
    if given < first.date():
        raise SignatureRefused(f"Ngày ban hành {short_date(given)} sớm hơn thời điểm ký số của "
                               f"{signers[0].name} ({first.isoformat()}): văn bản không thể ban hành trước "
                               "khi được ký. Kiểm tra lại --date.")
    if given > last.date():
        raise SignatureRefused(f"Ngày ban hành {short_date(given)} muộn hơn chữ ký số cuối cùng, của "
                               f"{signers[-1].name} ({last.isoformat()}), là lúc văn bản được phát hành. "
                               "Kiểm tra lại --date.")
    return given


def _read_signed(path: Path) -> bytes:
    if not path.is_file():
        raise NotFound(f"Không tìm thấy tệp đã ký {path}.")
    if path.stat().st_size > MAX_SIGNED_MB * 1024 * 1024:
        raise SignatureRefused(f"Tệp đã ký lớn hơn {MAX_SIGNED_MB} MB.")
    return path.read_bytes()


def _number(rt: Runtime, doc: DocView, number: str | None) -> str | None:
    """The full number (``52/KH-UBND``); required for the kinds the văn thư numbers."""
    kind = kinds.KINDS.get(doc.kind)
    if number is None or not number.strip():
        if kind is not None and kind.numbered:
            raise SignatureRefused(f"{kind.label} phải có số do văn thư cấp: thêm --number (ví dụ "
                                   f"--number 52).")
        return None
    return kinds.full_number(doc.kind, rt.plan, number)


def signature_summary(rt: Runtime) -> dict[str, object]:
    """What waits for a signature (drafts of the kinds the văn thư numbers), with its sentence."""
    numbered = [k for k in {*kinds.KINDS, *kinds.PUBLIC_KINDS} if kinds.kind_of(k).numbered]
    with rt.db.unit_of_work() as s:  # every flow run asks, twice: counts in SQL, five ids a kind
        issued = int(s.scalar(select(func.count()).select_from(Document).where(
            Document.cycle_id == rt.cycle_id, Document.status == ISSUED)) or 0)
        drafts = (Document.cycle_id == rt.cycle_id, Document.status != ISSUED)
        counts = s.execute(select(Document.kind, func.count(), func.min(Document.id))
                           .where(*drafts, Document.kind.in_(numbered)).group_by(Document.kind)).all()
        by_kind: dict[str, tuple[int, int, list[str]]] = {}  # public kind → (count, first id, raw kinds)
        for row_kind, n, first in counts:
            count, low, raw = by_kind.get(kinds.public_kind(row_kind), (0, first, []))
            by_kind[kinds.public_kind(row_kind)] = (count + n, min(low, first), [*raw, row_kind])
        # The scan in id order starts at the kind's first draft and stops at its last one shown
        # (a report drafted last, or the one plan, was found after walking every letter).
        shown = {k: list(s.scalars(select(Document.id).where(*drafts, Document.kind.in_(raw),
                                                             Document.id >= first)
                                   .order_by(Document.id).limit(min(n, _SHOWN))))
                 for k, (n, first, raw) in sorted(by_kind.items(), key=lambda kv: kv[1][1])}
    waiting = sum(n for n, _, _ in by_kind.values())
    allow = rt.plan.documents.allow_drafts
    parts = [f"{kinds.KINDS[k].label.lower()} ({_ids(ids, by_kind[k][0])})" for k, ids in shown.items()]
    if not waiting:
        line = f"Văn bản: {issued} đã ký số và đăng ký; không có dự thảo nào chờ ký."
    elif allow:
        line = (f"Văn bản gửi đi dạng dự thảo, chưa ký số (kế hoạch cho phép: documents.allow_drafts): "
                f"{'; '.join(parts)}; {issued} đã đăng ký.")
    else:
        line = (f"Văn bản chờ ký số và đăng ký (giamsat doc register): {'; '.join(parts)}; "
                f"{issued} đã đăng ký.")
    return {"allow_drafts": allow, "issued": issued, "waiting": {k: by_kind[k][0] for k in shown},
            "summary": line}


def signature_line(rt: Runtime) -> str:
    """The sentence of ``signature_summary``: what waits for a signature, or that nothing does."""
    return str(signature_summary(rt)["summary"])


_SHOWN = 5  # ids named per kind; the rest counted


def _ids(ids: list[int], total: int) -> str:
    shown = ", ".join(str(i) for i in ids[:_SHOWN])
    return f"mã {shown}" + (f" và {total - _SHOWN} văn bản khác" if total > _SHOWN else "")
