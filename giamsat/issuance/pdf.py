"""Word draft → PDF to sign, with LibreOffice headless in a throw-away profile under the home."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from giamsat.domain.errors import ExportFailed, StorageError, ToolMissing

TIMEOUT_S = 180
MISSING = ("Chưa cài LibreOffice (không tìm thấy lệnh soffice) nên chưa xuất được PDF. Cài gói "
           "libreoffice-writer-nogui (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) rồi "
           "chạy lại lệnh.")
SYSTEM_FONTCONFIG = "/etc/fonts/fonts.conf"
# The documents name Times New Roman, which LibreOffice draws with its metric twin Liberation Serif.
# Liberation 1.x (Debian's fonts-liberation) lacks Vietnamese capitals such as Ộ, Ở, Ư, so their
# glyphs would come from DejaVu: only faces covering Vietnamese (fonts-liberation2) are seen.
FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="no">{base}</include>
  <selectfont>
    <rejectfont>
      <pattern><patelt name="family"><string>Liberation Serif</string></patelt></pattern>
      <pattern><patelt name="family"><string>Liberation Sans</string></patelt></pattern>
    </rejectfont>
    <acceptfont>
      <pattern><patelt name="family"><string>Liberation Serif</string></patelt>
               <patelt name="lang"><string>vi</string></patelt></pattern>
      <pattern><patelt name="family"><string>Liberation Sans</string></patelt>
               <patelt name="lang"><string>vi</string></patelt></pattern>
    </acceptfont>
  </selectfont>
</fontconfig>
"""


def soffice() -> str:
    """The LibreOffice program, or a ``ToolMissing`` saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise ToolMissing(MISSING)
    return found


def to_pdf(source: Path, out: Path, scratch: Path) -> Path:
    """Convert ``source`` (.docx) to ``out``; the profile and the output live in ``scratch`` first.

    Each conversion gets its own LibreOffice profile: two exports at once, or an office user's
    open LibreOffice, would otherwise lock the same profile and fail.
    """
    return to_pdfs([(source, out)], scratch)[0]


def to_pdfs(pairs: list[tuple[Path, Path]], scratch: Path) -> list[Path]:
    """Convert each (``source``, ``out``) in one LibreOffice run (its start-up dominates the time)."""
    program = soffice()
    scratch = scratch.resolve()  # the home may be relative ("var")
    sources = [src.resolve() for src, _ in pairs]
    if len({s.stem for s in sources}) != len(sources):
        return [p for pair in pairs for p in to_pdfs([pair], scratch)]  # same names: one at a time
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-", dir=scratch) as tmp:
        work = Path(tmp)
        cmd = [program, "--headless", "--norestore", "--nologo",
               f"-env:UserInstallation={(work / 'profile').as_uri()}",
               "--convert-to", "pdf", "--outdir", str(work / "out"), *map(str, sources)]
        timeout = TIMEOUT_S + 10 * (len(sources) - 1)
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False,
                                  env={**os.environ, "HOME": str(work), **font_env(work)})
        except subprocess.TimeoutExpired:
            raise ExportFailed(f"LibreOffice không xuất xong PDF sau {timeout} giây.") from None
        for source, (_, out) in zip(sources, pairs, strict=True):
            produced = work / "out" / f"{source.stem}.pdf"
            if done.returncode != 0 or not produced.is_file():
                detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-300:]
                raise ExportFailed(f"LibreOffice không xuất được PDF từ {source.name}: "
                                   f"{detail or 'không rõ lỗi'}")
            _move(produced, out)
    return [out for _, out in pairs]


def font_env(work: Path) -> dict[str, str]:
    """LibreOffice's fontconfig for this run (in ``work``): the system's, Vietnamese-less faces
    of Liberation left out (see ``FONTCONFIG``); nothing when there is no fontconfig to extend."""
    base = os.environ.get("FONTCONFIG_FILE") or SYSTEM_FONTCONFIG
    if not Path(base).is_file():
        return {}
    conf = work / "fonts.conf"
    conf.write_text(FONTCONFIG.format(base=escape(str(Path(base).resolve()))), encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


def _move(src: Path, dst: Path) -> None:
    """Put the PDF in place atomically (a half-copied PDF would be signed as the document)."""
    tmp: str | None = None
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dst.stem}-", suffix=".tmp", dir=dst.parent)
        os.close(fd)
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise StorageError(f"Không ghi được {dst}: {exc.strerror or exc}") from exc
