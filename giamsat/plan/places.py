"""Every Vietnamese phrase that depends on the issuer's level or the kinds of its units (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from giamsat.domain.formatting import in_sentence as in_sentence  # one rule, re-exported

Level = Literal["province", "district", "commune"]
UnitKind = Literal["xa", "phuong", "thi_tran", "dac_khu", "thon", "xom", "to_dan_pho", "ap", "ban"]

LEVEL_WORD: dict[str, str] = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
KIND_WORD: dict[str, str] = {"xa": "xã", "phuong": "phường", "thi_tran": "thị trấn",
                             "dac_khu": "đặc khu", "thon": "thôn", "xom": "xóm",
                             "to_dan_pho": "tổ dân phố", "ap": "ấp", "ban": "bản"}
# Units with a People's Committee (a province's or a district's units) and the villages and
# residential groups under a commune (thôn, xóm in the north, ấp in the south, bản in the mountains).
COMMUNE_KINDS: tuple[str, ...] = ("xa", "phuong", "thi_tran", "dac_khu")
VILLAGE_KINDS: tuple[str, ...] = ("thon", "xom", "to_dan_pho", "ap", "ban")
KIND_ORDER: tuple[str, ...] = COMMUNE_KINDS + VILLAGE_KINDS
# Who heads a village and is written to ("Kính gửi: Trưởng thôn Đông"); a plan may say otherwise.
HEAD_TITLE: dict[str, str] = {"thon": "Trưởng thôn", "xom": "Trưởng xóm",
                              "to_dan_pho": "Tổ trưởng tổ dân phố", "ap": "Trưởng ấp",
                              "ban": "Trưởng bản"}
# A village has no statistics-office code: the commune's code, a dash, the office's own number.
VILLAGE_CODE_HINT = "mã xã, dấu gạch ngang và số thứ tự do xã tự đặt, ví dụ 13741-01"


def level_word(level: str) -> str:
    """``tỉnh`` / ``huyện`` / ``xã``."""
    return LEVEL_WORD[level]


def area(level: str, name: str) -> str:
    """The issuer's territory named in a sentence: ``huyện Vụ Bản``, ``tỉnh Ninh Bình``."""
    return f"{LEVEL_WORD[level]} {name}"


def on_territory(level: str, name: str) -> str:
    """``trên địa bàn huyện Vụ Bản`` / ``trên địa bàn tỉnh Ninh Bình``."""
    return f"trên địa bàn {area(level, name)}"


def whole(level: str) -> str:
    """The total row of a table: ``Toàn huyện`` / ``Toàn tỉnh``."""
    return f"Toàn {LEVEL_WORD[level]}"


def tier(level: str) -> str:
    """A heading for the issuer's own tier: ``Cấp huyện`` / ``Cấp tỉnh``."""
    return f"Cấp {LEVEL_WORD[level]}"


def committee_ref(level: str) -> str:
    """The issuing committee referred to generically: ``UBND huyện`` / ``UBND tỉnh``."""
    return f"UBND {LEVEL_WORD[level]}"


def committee_ref_long(level: str) -> str:
    """``Ủy ban nhân dân huyện`` / ``Ủy ban nhân dân tỉnh``."""
    return f"Ủy ban nhân dân {LEVEL_WORD[level]}"


def upper_level(level: str) -> str:
    """Whose monitoring team visits the issuer: ``tỉnh`` for a district or commune."""
    return "Trung ương" if level == "province" else "tỉnh"


def kinds_phrase(kinds: Iterable[str]) -> str:
    """The kinds of units present, in the usual order: ``xã, thị trấn`` / ``xã, phường``."""
    present = set(kinds)
    unknown = present - set(KIND_ORDER)
    if unknown:
        raise ValueError(f"unknown unit kinds: {sorted(unknown)}")
    return ", ".join(KIND_WORD[k] for k in KIND_ORDER if k in present)


def kinds_title(kinds: Iterable[str]) -> str:
    """The same phrase capitalised, for a table header: ``Xã, phường``."""
    phrase = kinds_phrase(kinds)
    return phrase[:1].upper() + phrase[1:]


def deadline_words(rule: str) -> str:
    """The deadline rule worded once: ``trước ngày`` (strictly before) or ``chậm nhất ngày``."""
    return "trước ngày" if rule == "before" else "chậm nhất ngày"


def unit_kinds_of(level: str) -> tuple[str, ...]:
    """The kinds of units an issuer at ``level`` monitors: a commune its villages, others communes."""
    return VILLAGE_KINDS if level == "commune" else COMMUNE_KINDS


def is_village(kind: str) -> bool:
    """Whether a unit of ``kind`` is a village or residential group (no People's Committee)."""
    return kind in VILLAGE_KINDS


def capfirst(text: str) -> str:
    """``thôn Đông báo cáo`` → ``Thôn Đông báo cáo``: a phrase opening a sentence."""
    return text[:1].upper() + text[1:]


def head_title(kind: str, head: str | None = None) -> str:
    """The title of a village's head (``Trưởng thôn``), or the one the plan gives."""
    return head or HEAD_TITLE[kind]


def _bare(kind: str, name: str) -> str:
    """The name without its kind word: ``Thôn Đông`` → ``Đông``, ``Tổ dân phố 1`` → ``1``."""
    word = KIND_WORD[kind]
    return name[len(word):].strip() if name.casefold().startswith(word + " ") else name


def unit_body(kind: str, name: str) -> str:
    """Who reports for a unit, in a sentence: ``UBND xã Đại An`` / ``thôn Đông``."""
    return in_sentence(name) if is_village(kind) else f"UBND {in_sentence(name)}"


def unit_body_long(kind: str, name: str) -> str:
    """The same in full: ``Ủy ban nhân dân xã Đại An`` / ``thôn Đông`` (a village has no committee)."""
    return in_sentence(name) if is_village(kind) else f"Ủy ban nhân dân {in_sentence(name)}"


def unit_addressee(kind: str, name: str, head: str | None = None) -> str:
    """Whom a unit's letters and e-mails greet: ``UBND xã Đại An`` / ``Trưởng thôn Đông``."""
    if is_village(kind):
        return f"{head_title(kind, head)} {_bare(kind, name)}"
    return unit_body(kind, name)


def unit_addressee_long(kind: str, name: str, head: str | None = None) -> str:
    """``Ủy ban nhân dân xã Đại An`` / ``Trưởng thôn Đông``."""
    return unit_addressee(kind, name, head) if is_village(kind) else unit_body_long(kind, name)


def unit_chief(kind: str, name: str, committee: str) -> str:
    """Whom an escalation greets: the unit's chairman (``Đồng chí Chủ tịch UBND xã Đại An``); a
    village's is the chairman of the commune's committee (``committee``: ``UBND xã Vụ Bản``)."""
    return f"Đồng chí Chủ tịch {committee if is_village(kind) else unit_body(kind, name)}"


def unit_venue(kind: str, name: str) -> str:
    """Where a visit's minutes are made: ``trụ sở Ủy ban nhân dân xã Đại An`` / ``nhà văn hóa thôn Đông``."""
    return f"nhà văn hóa {in_sentence(name)}" if is_village(kind) else f"trụ sở {unit_body_long(kind, name)}"


def bodies_long(kind: str, names: Iterable[str]) -> str:
    """Several units of one kind as the bodies addressed: ``Ủy ban nhân dân xã A, xã B`` /
    ``thôn A, thôn B``."""
    listed = ", ".join(in_sentence(n) for n in names)
    return listed if is_village(kind) else f"Ủy ban nhân dân {listed}"


def unit_request(kind: str) -> str:
    """What the office's letter asks of a unit: a committee directs (``quan tâm, chỉ đạo thực
    hiện``); a village head, who directs no one, carries it out (``tổ chức thực hiện``)."""
    return "tổ chức thực hiện" if is_village(kind) else "quan tâm, chỉ đạo thực hiện"


def unit_hosts(kind: str, head: str | None = None) -> str:
    """Who receives the monitoring team at the unit (a visit notice asks for them)."""
    if is_village(kind):
        return f"{head_title(kind, head)}, cán bộ phụ trách công tác giảm nghèo"
    return "lãnh đạo Ủy ban nhân dân, cán bộ phụ trách công tác giảm nghèo"


def unit_signer(kind: str, head: str | None = None) -> tuple[str | None, str]:
    """The capacity and title under a unit's own report: ``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH``;
    a village's head signs in person (``TRƯỞNG THÔN``)."""
    if is_village(kind):
        return None, head_title(kind, head).upper()
    return "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"


def units_body(kinds: Iterable[str]) -> str:
    """The units as the bodies that act: ``UBND các xã, thị trấn`` / ``các thôn, tổ dân phố``."""
    kinds = list(kinds)
    phrase = f"các {kinds_phrase(kinds)}"
    return phrase if any(is_village(k) for k in kinds) else f"UBND {phrase}"


def units_body_long(kinds: Iterable[str]) -> str:
    """``Ủy ban nhân dân các xã, thị trấn`` / ``các thôn, tổ dân phố``."""
    kinds = list(kinds)
    phrase = f"các {kinds_phrase(kinds)}"
    return phrase if any(is_village(k) for k in kinds) else f"Ủy ban nhân dân {phrase}"


def units_tier(level: str, kinds: Iterable[str]) -> str:
    """A heading for the units' tier: ``Cấp xã`` under a province or district; ``Thôn, tổ dân phố``."""
    return kinds_title(kinds) if level == "commune" else "Cấp xã"


def step_title(title: str, level: str, kinds: Iterable[str], sampled: str | None = None) -> str:
    """A step's title for the plan: ``các đơn vị cấp xã`` → ``các xã, phường``; the sampled units
    as the plan names them (``sampled``: "xã", "xã, phường"); a commune draws and visits its
    villages (``Chọn ngẫu nhiên thôn, tổ dân phố để giám sát``)."""
    phrase = kinds_phrase(kinds)
    title = title.replace("các đơn vị cấp xã", f"các {phrase}")
    if level == "commune":
        return title.replace("xã và thôn", phrase).replace("các xã được chọn", f"các {phrase} được chọn")
    noun = sampled or phrase
    return title.replace("xã và thôn", f"{noun} và thôn").replace("các xã được chọn", f"các {noun} được chọn")


def component_in_sentence(component: str) -> str:
    """A programme component's name mid-sentence: a numbered one is a proper name and keeps its
    capital ("Dự án 2"), a described one is lower-cased ("nội dung đa dạng hóa sinh kế, …")."""
    return component if re.match(r"(\S+\s+){1,3}\d", component) else in_sentence(component)


def component_models(component: str) -> str:
    """What the report counts under a component: ``mô hình giảm nghèo`` (thuộc Dự án 2); a
    component whose name already says it (``… phát triển mô hình giảm nghèo``) just ``mô hình``."""
    return "mô hình" if "mô hình giảm nghèo" in component.casefold() else "mô hình giảm nghèo"


_VILLAGE_WORDS = "|".join(KIND_WORD[k] for k in VILLAGE_KINDS)
_VILLAGES = re.compile(rf"các (?:{_VILLAGE_WORDS})(?:(?:, | và )(?:{_VILLAGE_WORDS}))*")


def for_village(text: str, kind: str, name: str) -> str:
    """A plan's phrase about a commune's villages, worded for a visit to one of them (``kind``,
    ``name``): ``tại các thôn, tổ dân phố`` → ``tại tổ dân phố Hai``, ``họp thôn`` → ``họp tổ dân phố``."""
    text = _VILLAGES.sub(lambda _: in_sentence(name), text)
    return re.sub(r"\bhọp thôn\b", f"họp {KIND_WORD[kind]}", text)
