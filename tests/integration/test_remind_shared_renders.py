"""The sweep renders each reminder shape once for every commune owed it, and its messages equal
those rendered in full one by one (hostile names, addresses, returned reports, links included)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message, Obligation, Recommendation, Submission, Unit
from giamsat.domain import clock
from giamsat.messaging import templates
from giamsat.notify.service import notify
from giamsat.plan.wording import unit_words_by_name
from giamsat.remind import routing, service
from giamsat.remind.service import sweep
from tests.conftest import CONFIG, OPENED_AT

D = dt.date
DAYS = (D(2024, 4, 2), D(2024, 4, 4), D(2024, 4, 5), D(2024, 4, 8), D(2024, 4, 10), D(2024, 4, 12),
        D(2024, 6, 12), D(2024, 6, 17), D(2024, 6, 19))
HOSTILE = ['Xã "Ba" <Bốn> & Năm', "Xã \ue0001\ue001 Lạ", "  Xã   Khoảng  trắng ", "Xã {{ unit_name }}",
           "xã thường viết thường", "Xã Đại An\nBcc: x@y.example"]
COLUMNS = ("idempotency_key", "kind", "to_addrs", "cc_addrs", "subject", "body_text", "body_html",
           "unit_id", "obligation_id", "created_at")


def _cycle(tmp_path):
    """The shipped plan's cycle after notify, with varied communes: hostile names, a commune
    without an address, a returned report, recommendations to the commune and to the district."""
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}",
                    web_url="https://giamsat.vuban.example/")
    notify(rt, D(2024, 4, 1))
    at = clock.at_office_hours(D(2024, 4, 1))
    with rt.db.unit_of_work() as s:
        units = s.scalars(select(Unit).join(Obligation, Obligation.unit_id == Unit.id)
                          .where(Obligation.kind == "report").order_by(Unit.id)).all()
        for unit, name in zip(units, HOSTILE, strict=False):
            unit.name = name
        units[7].email = ""
        units[8].chairman_email = ""
        s.add(Submission(cycle_id=rt.cycle_id, unit_id=units[9].id, received_at=at, source="mail",
                         original_filename="bc.docx", stored_path="x", sha256="0" * 64, size_bytes=1,
                         status="rejected", errors=[{"text": "Mục B: tổng <không khớp> & sai"}, "Dòng 3"]))
        for i, (unit, to, email) in enumerate([(units[0], units[0].name, None),
                                               (units[2], f"UBND {units[2].name}", "vp@xa.example"),
                                               (units[3], "UBND huyện Vụ Bản", None),
                                               (units[4], "Sở LĐTBXH tỉnh", "so@tinh.example")]):
            rec = Recommendation(cycle_id=rt.cycle_id, key=f"rec:{i}", source_kind="visit", unit_id=unit.id,
                                 content=f"Kiến nghị <{i}> & \"trích\"", addressed_to=to,
                                 addressed_email=email, due_on=D(2024, 6, 14), created_at=at, updated_at=at)
            s.add(rec)
            s.flush()
            s.add(Obligation(cycle_id=rt.cycle_id, kind="recommendation", key=f"recommendation:{i}",
                             recommendation_id=rec.id, due_on=D(2024, 6, 14), created_at=at))
    return rt


def _reminders(rt) -> list[tuple]:
    with rt.db.unit_of_work() as s:
        rows = s.execute(select(*(getattr(Message, c) for c in COLUMNS))
                         .where(Message.kind.like("reminder%")).order_by(Message.idempotency_key)).all()
    return [tuple(r) for r in rows]


def _sweep_all(rt) -> list[tuple]:
    with rt.db.unit_of_work() as s:
        s.execute(delete(Message).where(Message.kind.like("reminder%")))
    for day in DAYS:
        sweep(rt, day)
    return _reminders(rt)


def test_reminders_stamped_per_shape_equal_reminders_rendered_in_full(tmp_path, monkeypatch):
    rt = _cycle(tmp_path)
    try:
        stamped = _sweep_all(rt)
        monkeypatch.setattr(templates.StampedEmails, "render",
                            lambda self, shape, context, values: self.render_fn(context | values))
        full = _sweep_all(rt)
    finally:
        rt.db.dispose()
    assert len(stamped) > 100 and stamped == full
    assert any("Xã &#34;Ba&#34; &lt;Bốn&gt; &amp; Năm" in r[6] for r in stamped)
    assert any("Xã \ue0001\ue001 Lạ" in r[4] for r in stamped)
    assert any("/xa/" in r[5] for r in stamped) and any("không khớp" in r[5] for r in stamped)


def test_communes_owed_the_same_reminder_share_one_render(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url)
    calls: list[str] = []
    real = service.render_email
    monkeypatch.setattr(service, "render_email", lambda name, ctx: calls.append(name) or real(name, ctx))
    worded: list[str] = []
    for module in (service, routing):  # how each commune is named: once a commune, not once a use
        monkeypatch.setattr(module, "unit_words_by_name",
                            lambda plan, name: worded.append(name) or unit_words_by_name(plan, name))
    try:
        notify(rt, D(2024, 4, 1))
        summary = sweep(rt, D(2024, 4, 2))
    finally:
        rt.db.dispose()
    # 18 communes, one reminder shape: rendered twice (with tokens, then checked), stamped 17 times
    assert summary.queued == 18 and len(calls) == 2
    assert sorted(worded) == sorted(set(worded)) and len(worded) == 18
