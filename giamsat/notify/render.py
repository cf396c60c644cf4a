"""The per-unit documents of the notify step (letter, outline), stamped from templates rendered once."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from giamsat.docx.stamp import BatchWriter, Stamp
from giamsat.domain import clock
from giamsat.domain.formatting import doc_number
from giamsat.notify.letter import letter_stamp, letter_values
from giamsat.notify.outline import outline_stamp, outline_values
from giamsat.plan import places
from giamsat.plan.schema import Unit
from giamsat.runtime import Runtime


@dataclass(frozen=True)
class Doc:
    """One document of the step: its key, where it is, the name the recipient sees."""

    key: str
    kind: str
    path: Path
    filename: str
    unit_key: str | None = None
    sha256: str = ""

    def with_sha(self, sha256: str) -> Doc:
        """The same document with its content hash."""
        return Doc(self.key, self.kind, self.path, self.filename, self.unit_key, sha256)


class UnitDocuments:
    """Renders letters and outlines chunk by chunk; each template is rendered once per run."""

    def __init__(self, rt: Runtime, as_of: dt.date) -> None:
        self.rt, self.as_of = rt, as_of
        self.draft = not rt.plan.documents.allow_drafts  # numbers blank until the văn thư gives them
        self.folder = rt.path("documents", "notify", "x").parent
        plan = rt.plan
        self.letter_no = doc_number(plan.notification_letter.number, None, plan.bodies.office.code or "") \
            .removeprefix("Số: ").replace("/", "-") if plan.notification_letter else "cong-van"
        self._letters: dict[dt.date, Stamp] = {}
        self._outlines: dict[tuple[dt.date, str | None, str | None], Stamp] = {}

    def filenames(self, unit_name: str) -> tuple[str, str]:
        """The names the recipient sees for the letter and the outline of unit ``unit_name``."""
        return f"Công văn {self.letter_no} - {unit_name}.docx", f"Đề cương báo cáo - {unit_name}.docx"

    def docs_of(self, u: Unit) -> tuple[Doc, Doc]:
        """The letter and the outline of ``u`` (names and keys; not rendered)."""
        ck, slug = self.rt.plan.cycle_key, f"{u.code}-{u.valid_from:%Y%m%d}"
        letter, outline = self.filenames(u.name)
        return (Doc(f"{ck}:notify:letter:{u.key}", "letter", self.folder / f"cong-van-{slug}.docx",
                    letter, u.key),
                Doc(f"{ck}:notify:outline:{u.key}", "outline", self.folder / f"de-cuong-{slug}.docx",
                    outline, u.key))

    def _letter(self, issued: dt.date, sample: Unit) -> Stamp:
        if issued not in self._letters:
            self._letters[issued] = letter_stamp(self.rt.plan, self.rt.calendar, issued, sample, self.draft)
        return self._letters[issued]

    def _outline(self, u: Unit) -> Stamp:
        # one stamp per validity start and form shape: a commune's, or a village's of each head
        village = places.is_village(u.kind)
        shape = (u.valid_from, u.kind if village else None, self.rt.plan.unit_head(u) if village else None)
        if shape not in self._outlines:
            self._outlines[shape] = outline_stamp(self.rt.plan, u.valid_from, self.rt.plan.cycle_key, u)
        return self._outlines[shape]

    def render(self, units: list[Unit], known: dict[str, Any]) -> tuple[dict[tuple[str, str], Doc], int]:
        """Every document of ``units`` by (unit key, kind); renders those missing or altered on disk."""
        out: dict[tuple[str, str], Doc] = {}
        batch, rendered = BatchWriter(), 0
        try:
            for u in units:
                for doc in self.docs_of(u):
                    row = known.get(doc.key)
                    if row is not None and doc.path.exists() and \
                            (sha := hashlib.sha256(doc.path.read_bytes()).hexdigest()) == row.sha256:
                        out[u.key, doc.kind] = doc.with_sha(sha)
                        continue
                    issued = row.created_at.astimezone(clock.TZ).date() if row else self.as_of
                    if doc.kind == "letter":
                        data = self._letter(issued, u).fill(letter_values(self.rt.plan, u))
                    else:
                        data = self._outline(u).fill(outline_values(u))
                    out[u.key, doc.kind] = doc.with_sha(batch.add(doc.path, data))
                    rendered += 1
            batch.commit()
        finally:
            batch.discard()
        return out, rendered
