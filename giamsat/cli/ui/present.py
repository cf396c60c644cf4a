"""How the commands show codes, numbers and moments to an officer (Vietnamese, Vietnam time)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import NoReturn

import typer
from rich.markup import escape

from giamsat.domain import clock
from giamsat.domain.formatting import short_date, short_date_time
from giamsat.domain.vocabulary import GROUPS, label


def _fold(text: str) -> str:
    """Case-, space- and diacritics-insensitive form of a label ("quá hạn" = "Qua han")."""
    text = unicodedata.normalize("NFD", " ".join(text.split()).casefold()).replace("đ", "d")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


Vocabulary = str | Mapping[str, str]  # a group of the vocabulary, or its own code → label mapping


def _labels(group: Vocabulary) -> Mapping[str, str]:
    return GROUPS[group] if isinstance(group, str) else group


def choices_text(group: Vocabulary, allowed: Iterable[str] | None = None) -> str:
    """The values a filter accepts: each label with its code, e.g. "Quá hạn (overdue)"."""
    labels = _labels(group)
    codes = list(allowed) if allowed is not None else list(labels)
    return "; ".join(f"{labels.get(c, c)} ({c})" for c in codes)


def choice(group: Vocabulary, value: str, option: str, allowed: Iterable[str] | None = None) -> str:
    """The code of ``value`` (a code or a Vietnamese label of ``group``); a clear error otherwise.

    Labels match without regard to case, spacing or diacritics ("qua han" finds "Quá hạn").
    """
    labels = _labels(group)
    codes = list(allowed) if allowed is not None else list(labels)
    wanted = _fold(value)
    for code in codes:
        if wanted in (_fold(code), _fold(labels.get(code, code))):
            return code
    raise typer.BadParameter(f"không có giá trị {value!r}. Chọn một trong: {choices_text(group, codes)}.",
                             param_hint=option)


def choices(group: Vocabulary, values: Iterable[str] | None, option: str,
            allowed: Iterable[str] | None = None) -> list[str] | None:
    """``choice`` for a repeatable option; None when it was not given."""
    if not values:
        return None
    return [choice(group, v, option, allowed) for v in values]


def no_database(where: str, home: Path) -> NoReturn:
    """Stop a reading command that found no database: say where it looked and how to make one."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(f"[bold red]Chưa có cơ sở dữ liệu[/] tại {escape(where)} (thư mục dữ liệu "
                  f"GIAMSAT_HOME: {escape(str(home))}); lệnh này chỉ đọc nên không tạo mới.")
    console.print("Tạo dữ liệu bằng: giamsat notify (bắt đầu chu kỳ), giamsat import TỆP.tar.gz "
                  "(nhập bản lưu trữ) hoặc giamsat db upgrade (cơ sở dữ liệu trống). Xem bản chạy thử: "
                  "make demo, rồi đặt GIAMSAT_HOME=var/demo/home.")
    raise typer.Exit(2)


def number(n: int | float, digits: int = 0) -> str:
    """A number as Vietnamese writes it: "1.234", "94,4"."""
    text = f"{n:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value: float, digits: int = 1) -> str:
    """A percentage as Vietnamese writes it: "94,4 %"."""
    return f"{number(value, digits)} %"


def counts(group: str, by_code: Mapping[str, int], order: Iterable[str] | None = None) -> str:
    """``{"sent": 132, "failed": 0}`` → "Đã gửi: 132; Gửi không thành công: 0" (vocabulary order)."""
    known = [c for c in (order or GROUPS[group]) if c in by_code]
    rest = sorted(c for c in by_code if c not in known)
    return "; ".join(f"{label(group, c)}: {number(by_code[c])}" for c in known + rest) or "không có"


def day(value: dt.date | str | None) -> str:
    """``05/6/2024`` (``short_date``; an ISO text is read first); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return short_date(value)


def moment(value: dt.datetime | str | None) -> str:
    """``05/6/2024 14:30`` in Vietnam time (a naive value is taken as UTC, as the database keeps it)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return short_date_time(value.astimezone(clock.TZ))


# An audit entry's detail keys as an officer reads them.
DETAIL_KEYS: Mapping[str, str] = {
    "as_of": "ngày", "on": "ngày", "date": "ngày", "taken_at": "nhận lúc", "status": "trạng thái",
    "note": "ghi chú", "reason": "lý do", "evidence": "minh chứng", "unit": "đơn vị",
    "units": "đơn vị", "file": "tệp", "path": "tệp", "files": "số tệp", "sender": "người gửi",
    "message_id": "mã thư", "late": "nộp muộn", "errors": "số lỗi", "superseded": "thay bản",
    "queued": "thư xếp hàng", "open": "nghĩa vụ đang mở", "obligations": "nghĩa vụ",
    "obligations_created": "nghĩa vụ mới", "marked_overdue": "chuyển quá hạn",
    "rendered": "văn bản đã tạo", "by_kind": "theo loại", "without_address": "thiếu địa chỉ",
    "plan_path": "tệp kế hoạch", "plan_sha256": "SHA-256 kế hoạch", "sha256": "SHA-256",
    "record_sha256": "SHA-256 hồ sơ", "seed_source": "nguồn hạt giống", "findings": "kết quả",
    "recommendations": "kiến nghị", "synthetic": "dữ liệu minh họa", "number": "số",
    "signers": "người ký", "kind": "loại", "previous": "trước đó", "previous_error": "lỗi trước đó",
    "error": "lỗi", "changed": "có thay đổi", "waiting_for_signature": "chờ ký số",
    "generation": "lần cấp", "frozen": "đã chốt", "client": "máy khách", "by": "bởi",
}
_STATUS_GROUP = {"recommendation": "rec_status", "submission": "submission_status",
                 "message": "message_status", "visit": "visit_status", "sample_draw": "draw_status",
                 "step": "step_status", "obligation": "obligation_status"}
_SEED_SOURCE = {"coordinator": "người điều phối đưa ra", "public_values": "tính từ giá trị công khai",
                "system_random": "máy tính sinh ngẫu nhiên"}
VALUE_WIDTH = 200


def _value(key: str, value: object, entity: str) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, Mapping):
        return ", ".join(f"{_value(key, k, entity)}: {_value(key, v, entity)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, v, entity) for v in value) or "không"
    if isinstance(value, int | float):
        return number(value)
    text = str(value)
    if key == "status" and entity in _STATUS_GROUP:
        return label(_STATUS_GROUP[entity], text)
    if key == "by_kind":  # "report:reminder_before"
        return label("message_kind", text.rpartition(":")[2])
    if key == "seed_source":
        return _SEED_SOURCE.get(text, text)
    if key == "kind" and entity == "document":  # "interim_report": the register's own name for it
        from giamsat.issuance.kinds import KINDS

        return KINDS[text].label if text in KINDS else text
    if key in ("path", "plan_path"):
        return PurePath(text).name
    if "sha256" in key:
        return text[:12] + "…"
    if key in ("unit", "units") and "@" in text:  # "13765@2024-01-01": the code is what users know
        return text.partition("@")[0]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:.+-]+)?", text):
        try:
            return moment(text) if "T" in text else day(text)
        except ValueError:
            pass
    return text if len(text) <= VALUE_WIDTH else text[:VALUE_WIDTH - 1] + "…"


def seed_source(code: str) -> str:
    """Where a draw's seed came from, in words."""
    return _SEED_SOURCE.get(code, code)


def actor_name(actor: str) -> str:
    """Who did it: the scheduled steps act as "system", shown as "hệ thống"."""
    return "hệ thống" if actor == "system" else actor


def entity_text(entity: str, entity_id: str | None) -> str:
    """What an audit entry concerns: "kiến nghị 34", "bước Báo cáo kết quả giám sát, đánh giá"."""
    name = label("audit_entity", entity)
    if not entity_id:
        return name
    parts = [label("step", p) if p in GROUPS["step"] else label("message_kind", p)
             for p in entity_id.split(":")]
    return f"{name} {' · '.join(p for p in parts if p)}"


def audit_detail(detail: Mapping[str, object], entity: str = "") -> str:
    """An audit entry's details as "trạng thái: Đã thực hiện; ghi chú: …" (empty values left out)."""
    parts = [f"{DETAIL_KEYS.get(k, k.replace('_', ' '))}: {_value(k, v, entity)}"
             for k, v in detail.items() if v not in (None, "", [], {})]
    return "; ".join(parts)


YES, NO = frozenset({"c", "co", "y", "yes"}), frozenset({"k", "khong", "n", "no"})


def ask(question: str, default: bool = False) -> bool:
    """A yes/no question in Vietnamese: ``[c/K]`` (the capital is the default); answers c/có/k/không,
    y/n too, any case or diacritics; end of input (no terminal) is the default."""
    hint = "[C/k]" if default else "[c/K]"
    while True:
        try:
            answer = _fold(typer.prompt(f"{question} {hint}", default="", show_default=False))
        except typer.Abort:  # no more input (not a terminal)
            return default
        if not answer:
            return default
        if answer in YES or answer in NO:
            return answer in YES
        typer.echo("Xin trả lời c (có) hoặc k (không).")
