"""The demo's văn thư: signs the drafts with a TEST certificate and registers them, as an office would.

An office exports a draft (``giamsat doc export``), signs it in its document system (the competent
person, then the organisation) and registers the signed PDF (``giamsat doc register``). The demo
does the same with a certification authority it makes at run time, named and labelled as a test
one (``giamsat.demo.pki``): no real certificate, no legal value. The demo's plan runs with
``documents.allow_drafts: false``, so notify sends the registered, signed PDFs; without LibreOffice
(no PDF to sign), or for a province's plan (``can_sign``), the demo keeps the plan as written and
says its drafts went out unsigned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from giamsat.demo import pki
from giamsat.domain import clock
from giamsat.domain.errors import ToolMissing
from giamsat.issuance import pdf, service
from giamsat.plan.schema import Plan, load_plan
from giamsat.runtime import Runtime

CLERK = "Văn thư (chạy thử, chữ ký số thử nghiệm)"


SIGN_UP_TO_UNITS = 60  # a district's letters are signed one by one; a province's 129 would add minutes


def can_sign(config: Path) -> bool:
    """LibreOffice is there to make the PDFs to sign, and the plan has a district's number of units.

    Each unit's letter is a document to export, sign twice and verify (about a second each): a
    province's demo keeps its drafts allowed and says so in its summary.
    """
    try:
        pdf.soffice()
    except ToolMissing:
        return False
    return len(load_plan(config).units) <= SIGN_UP_TO_UNITS


def signing_config(config: Path, home: Path) -> Path:
    """The demo's copy of the plan with drafts not allowed to go out (the plan itself is left alone)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.setdefault("documents", {})["allow_drafts"] = False
    out = home / f"{config.stem}-ky-so-thu-nghiem.yaml"
    out.write_text("# Bản chạy thử: như " + config.name + ", nhưng văn bản chỉ gửi đi sau khi ký số "
                   "(chứng thư THỬ NGHIỆM) và đăng ký.\n"
                   + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


@dataclass
class _Signers:
    person: pki.Identity
    organisation: pki.Identity


class DemoClerk:
    """Signs with the demo's test CA and registers; one pair of signers per issuing body."""

    def __init__(self, rt: Runtime, folder: Path) -> None:
        self.rt, self.folder = rt, folder
        folder.mkdir(parents=True, exist_ok=True)
        ca = pki.make_ca("CA THỬ NGHIỆM giamsat (chạy thử)")
        plan: Plan = rt.plan
        sig, bodies = plan.signatories, plan.bodies
        self.committee = _Signers(ca.issue(sig.committee.name, bodies.committee.name),
                                  ca.issue(bodies.committee.name, bodies.committee.name))
        self.office = _Signers(ca.issue(sig.office.name, bodies.office.name),
                               ca.issue(bodies.office.name, bodies.office.name))
        ca.pem(folder / "ca-thu-nghiem.pem")  # the test root, for whoever wants to check the PDFs

    def register(self, docs: list[tuple[int, str, dt.date, bool]], at: dt.time | None = None) -> int:
        """Export, sign (person, then organisation) and register each (id, number, date, by office?).

        Signed on the document's day from ``at`` (the step's day); without ``at``, as the seed plan was.
        """
        if not docs:
            return 0
        exported = service.export_pdfs(self.rt, [(d[0], self.folder / f"{d[0]:05d}.pdf") for d in docs])
        for (doc_id, number, day, by_office), path in zip(docs, exported, strict=True):
            who = self.office if by_office else self.committee
            person_at, organisation_at = _times(self.rt, day, at)
            signed = who.organisation.sign(who.person.sign(path.read_bytes(), "ChuKyCaNhan", at=person_at),
                                           "ChuKyCoQuan", at=organisation_at)
            out = self.folder / f"{doc_id:05d}-da-ky-thu-nghiem.pdf"
            out.write_bytes(signed)
            service.register(self.rt, doc_id, out, number, day, organisation_at + dt.timedelta(minutes=10),
                             CLERK)
        return len(docs)


def _times(rt: Runtime, day: dt.date, at: dt.time | None) -> tuple[dt.datetime, dt.datetime]:
    """The person signs late on the document's day, the organisation the next working morning — as in
    the seed (dated 26/3/2024; signed 26/3 16:59:07 and 27/3 09:20:18); or both from ``at`` that day."""
    if at is not None:
        person = dt.datetime.combine(day, at, tzinfo=clock.TZ)
        return person, person + dt.timedelta(minutes=17, seconds=11)
    person = dt.datetime.combine(day, dt.time(16, 59, 7), tzinfo=clock.TZ)
    organisation = dt.datetime.combine(rt.calendar.next_working_day(day + dt.timedelta(days=1)),
                                       dt.time(9, 20, 18), tzinfo=clock.TZ)
    return person, organisation
