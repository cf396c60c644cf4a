"""Verifiable random sampling of units, villages and households (stdlib only).

Algorithm ``giamsat-sha256-rank`` version 1, recomputable by hand with any SHA-256 tool:

* the seed is a text, Unicode NFC-normalised and stripped of surrounding blanks;
* every candidate gets a score, the SHA-256 (hex, lower case) of the UTF-8 bytes of
  ``seed + "|unit|" + unit_key`` (villages: ``seed + "|village|" + unit_key + "|" + village``;
  households: ``seed + "|household|" + unit_key + "|" + village + "|" + household``);
* the candidates with the smallest scores (compared as hex text) are selected, in score order.

Sorting by a hash of the seed and the candidate's name orders the candidates by a uniformly
random permutation, so every eligible unit has the same probability ``n / N`` of selection and
nobody can favour a unit without changing the seed. Public seeds follow RFC 3797's spirit:
``seed_from_public_values`` turns values announced before the draw into one canonical text.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ALGORITHM = "giamsat-sha256-rank"
VERSION = "1"
REMAINDER = "Các đơn vị còn lại"
_NUMBERS = re.compile(r"^\s*\d+(\s*[ ,;]\s*\d+)*\s*$")


class SamplingError(ValueError):
    """The parameters cannot be satisfied by the frame (message in Vietnamese)."""


@dataclass(frozen=True)
class FrameUnit:
    """One eligible unit: its key (``code@valid_from``), kind, name and villages."""

    key: str
    kind: str
    name: str = ""
    villages: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The JSON form kept in the draw record."""
        return {"key": self.key, "kind": self.kind, "name": self.name, "villages": list(self.villages)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FrameUnit:
        """Read a frame entry back from a record."""
        return cls(data["key"], data["kind"], data.get("name", ""), tuple(data.get("villages", ())))


@dataclass(frozen=True)
class Stratum:
    """A stratum: the unit kinds it covers and how many units to draw from it."""

    name: str
    kinds: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class Parameters:
    """How many units, villages per unit and households per village to draw."""

    communes: int
    villages_per_commune: int
    households_per_village: int = 0
    strata: tuple[Stratum, ...] = ()
    excluded_codes: tuple[str, ...] = ()
    beneficiaries: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The JSON form kept in the draw record."""
        return {
            "communes": self.communes, "villages_per_commune": self.villages_per_commune,
            "households_per_village": self.households_per_village,
            "strata": [{"name": s.name, "kinds": list(s.kinds), "count": s.count} for s in self.strata],
            "excluded_codes": list(self.excluded_codes),
            "beneficiaries": {u: {v: list(h) for v, h in vs.items()} for u, vs in self.beneficiaries.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Parameters:
        """Read parameters back from a record."""
        strata = tuple(Stratum(s["name"], tuple(s["kinds"]), int(s["count"])) for s in data.get("strata", ()))
        return cls(int(data["communes"]), int(data["villages_per_commune"]),
                   int(data.get("households_per_village", 0)), strata,
                   tuple(data.get("excluded_codes", ())), data.get("beneficiaries", {}))


def normalise(text: str) -> str:
    """NFC normalisation and outer blanks removed: the same seed typed twice hashes the same."""
    return unicodedata.normalize("NFC", text).strip()


def seed_from_public_values(values: Sequence[str]) -> str:
    """RFC 3797-style canonical seed from public values announced before the draw.

    Each value in the announced order: a list of whole numbers (e.g. lottery results) is sorted
    ascending and written ``n.`` for each number; any other value is written as normalised text
    with inner blanks collapsed; every value ends with ``/``. ``"45 3 12"`` → ``"3.12.45./"``.
    """
    parts = []
    for value in values:
        text = " ".join(normalise(value).split())
        if not text:
            raise SamplingError("giá trị công khai để tạo hạt giống không được để trống")
        if _NUMBERS.match(text):
            numbers = sorted(int(n) for n in re.findall(r"\d+", text))
            parts.append("".join(f"{n}." for n in numbers) + "/")
        else:
            parts.append(text + "/")
    if not parts:
        raise SamplingError("cần ít nhất một giá trị công khai để tạo hạt giống")
    return "".join(parts)


def score(seed: str, kind: str, *names: str) -> str:
    """SHA-256 hex of ``seed|kind|name1|name2…`` (UTF-8, NFC): a candidate's place in the order."""
    text = "|".join([normalise(seed), kind, *(unicodedata.normalize("NFC", n) for n in names)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rank(seed: str, kind: str, prefix: Sequence[str], names: Iterable[str], n: int) -> list[str]:
    """The ``n`` names with the smallest scores, in score order (ties broken by name)."""
    scored = sorted((score(seed, kind, *prefix, name), name) for name in names)
    return [name for _, name in scored[:n]]


def build_frame(units: Iterable[FrameUnit], excluded_codes: Iterable[str] = ()) -> list[FrameUnit]:
    """The frame: eligible units sorted by key, minus the excluded ones.

    An exclusion is a key (``13741@2024-01-01``: that unit only, since codes are reissued) or a bare
    code (every unit that ever had it).
    """
    skip = set(excluded_codes)
    return sorted((u for u in units if u.key not in skip and u.key.split("@")[0] not in skip),
                  key=lambda u: u.key)


def _strata(frame: Sequence[FrameUnit], params: Parameters) -> list[tuple[str, list[FrameUnit], int]]:
    """Each stratum with its units and count; units of no declared stratum form the remainder."""
    out, covered = [], set()
    for s in params.strata:
        members = [u for u in frame if u.kind in s.kinds and u.key not in covered]
        covered |= {u.key for u in members}
        out.append((s.name, members, s.count))
    rest = params.communes - sum(s.count for s in params.strata)
    if rest < 0:
        raise SamplingError(f"tổng số đơn vị của các tầng ({params.communes - rest}) lớn hơn số xã "
                            f"cần chọn ({params.communes})")
    remainder = [u for u in frame if u.key not in covered]
    if rest or not params.strata:
        out.append((REMAINDER, remainder, rest))
    for name, members, count in out:
        if count > len(members):
            raise SamplingError(f"tầng '{name}' chỉ có {len(members)} đơn vị đủ điều kiện, "
                                f"không chọn được {count}")
    return out


def draw(seed: str, frame: Sequence[FrameUnit], params: Parameters) -> dict[str, Any]:
    """The selected units (score order within each stratum), their villages and households."""
    if not normalise(seed):
        raise SamplingError("hạt giống (seed) không được để trống")
    by_key = {u.key: u for u in frame}
    selected = []
    for name, members, count in _strata(frame, params):
        for key in rank(seed, "unit", (), [u.key for u in members], count):
            unit = by_key[key]
            villages = rank(seed, "village", (key,), unit.villages, params.villages_per_commune)
            households = {v: rank(seed, "household", (key, v), lists, params.households_per_village)
                          for v, lists in params.beneficiaries.get(key, {}).items() if v in villages}
            selected.append({"key": key, "name": unit.name, "stratum": name,
                             "score": score(seed, "unit", key), "villages": villages,
                             "households": households})
    return {"units": selected}


def canonical_json(data: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no blanks: the bytes the record digest is computed on."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def digest(record: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``record`` without its ``record_sha256`` field."""
    return hashlib.sha256(canonical_json({k: v for k, v in record.items()
                                          if k != "record_sha256"})).hexdigest()


def verify(record: Mapping[str, Any]) -> tuple[bool, list[str]]:
    """Recompute a draw from its record; ``(ok, differences)`` lists every mismatch found."""
    diffs: list[str] = []
    if (record.get("algorithm"), str(record.get("algorithm_version"))) != (ALGORITHM, VERSION):
        return False, [f"thuật toán {record.get('algorithm')} v{record.get('algorithm_version')} "
                       f"không phải {ALGORITHM} v{VERSION}"]
    if "record_sha256" in record and digest(record) != record["record_sha256"]:
        diffs.append("mã băm SHA-256 của biên bản chọn mẫu không khớp: hồ sơ đã bị sửa sau khi chọn")
    frame = [FrameUnit.from_json(u) for u in record["frame"]]
    if [u.key for u in frame] != sorted(u.key for u in frame):
        diffs.append("danh sách đơn vị (khung mẫu) không được sắp xếp theo mã")
    try:
        again = draw(record["seed"], frame, Parameters.from_json(record["parameters"]))
    except SamplingError as exc:
        return False, [*diffs, f"không tính lại được: {exc}"]
    diffs += _compare(again["units"], record["result"].get("units", []))
    return not diffs, diffs


def _compare(expected: list[dict[str, Any]], stored: list[dict[str, Any]]) -> list[str]:
    out = []
    exp_keys, got_keys = [u["key"] for u in expected], [u.get("key") for u in stored]
    if exp_keys != got_keys:
        out.append(f"đơn vị được chọn khác: tính lại {exp_keys}, hồ sơ ghi {got_keys}")
        return out
    for exp, got in zip(expected, stored, strict=True):
        for part, label in (("villages", "thôn"), ("households", "hộ")):
            if exp[part] != got.get(part):
                out.append(f"{label} của {exp['key']} khác: tính lại {exp[part]}, hồ sơ ghi {got.get(part)}")
    return out
