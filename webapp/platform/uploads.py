"""Reading what people hand in as files: CSV text from Excel in Taiwan, in the encoding it has.

Shared by every import (offices, paper questionnaires), on the command line and on the web.
"""

from __future__ import annotations

from flask_babel import gettext as _


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


def decode(raw: bytes) -> str:
    """UTF-8 with or without BOM (Excel in Taiwan writes one); Big5, a workbook or a PDF
    each get a clear refusal."""
    if kind_of(raw) != "text":
        raise ImportFileError(_("這是試算表、壓縮檔或 PDF，不是 CSV 文字檔。請在 Excel 選「另存新檔 → "
                                "CSV UTF-8（逗號分隔）」後再上傳。"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" in text:
            raise ImportFileError(_("檔案含有無法辨識的控制字元（NUL），請確認是 CSV 文字檔。"))
        return text
    try:
        raw.decode("big5")
    except UnicodeDecodeError:
        raise ImportFileError(_("檔案不是 UTF-8 編碼，無法讀取。請在 Excel 選「另存新檔 → CSV UTF-8」後再匯入。")
                              ) from None
    raise ImportFileError(_("檔案看起來是 Big5 編碼。請在 Excel 選「另存新檔 → CSV UTF-8（逗號分隔）」"
                            "後再匯入。"))


#: an XLSX is a ZIP of XML; these bound what reading one may cost (a zip bomb expands a few
#: kilobytes into gigabytes): members, their total unpacked size, and how much one may expand
XLSX_MAX_MEMBERS = 200
XLSX_MAX_UNPACKED = 20 * 1024 * 1024
XLSX_MAX_RATIO = 200
XLSX_MAX_ROWS = 20_000


def kind_of(raw: bytes) -> str:
    """What a file is by its first bytes, whatever its name says: xlsx, ods, xls, pdf or text."""
    if raw.startswith(b"PK\x03\x04"):
        head = raw[:2048]
        return "ods" if b"mimetypeapplication/vnd.oasis.opendocument" in head else "zip"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if raw.startswith(b"%PDF"):
        return "pdf"
    return "text"


def read_xlsx(raw: bytes, max_rows: int = XLSX_MAX_ROWS) -> dict[str, list[list]]:
    """Every sheet of an uploaded workbook as rows of cell values, read in memory.

    Refused, each with its own message: anything but an XLSX (judged by content), a ZIP that
    would unpack too large (a zip bomb), a workbook openpyxl cannot read, and any cell holding
    a formula (an upload stores what people typed, never what a formula computes, and never a
    formula that would run when someone opens an export).
    """
    import io
    import zipfile

    kind = kind_of(raw)
    if kind == "xls":
        raise ImportFileError(_("這是舊版 Excel（.xls）檔案。請在 Excel 選「另存新檔 → Excel 活頁簿（.xlsx）」"
                                "後再上傳。"))
    if kind == "ods":
        raise ImportFileError(_("這是 OpenDocument（.ods）檔案。請另存為 Excel 活頁簿（.xlsx）後再上傳。"))
    if kind != "zip":
        raise ImportFileError(_("檔案不是 Excel 活頁簿（.xlsx）。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportFileError(_("檔案已損壞，無法當作 Excel 活頁簿（.xlsx）讀取。")) from None
    unpacked = sum(m.file_size for m in members)
    if (len(members) > XLSX_MAX_MEMBERS or unpacked > XLSX_MAX_UNPACKED
            or any(m.file_size > XLSX_MAX_RATIO * max(m.compress_size, 1) + 65536 for m in members)):
        raise ImportFileError(_("這個活頁簿解壓縮後異常地大（可能是惡意的壓縮檔），沒有讀取。"))
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise ImportFileError(_("檔案不是 Excel 活頁簿（.xlsx）。"))
    import warnings

    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # openpyxl says it drops what it cannot read (Kobo's data-validation extensions);
        # the cells are all read, so that is no news for the person uploading
        warnings.filterwarnings("ignore", message=".*extension is not supported", category=UserWarning)
        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        except Exception:  # openpyxl raises many kinds on a malformed part; all mean the same
            raise ImportFileError(_("檔案已損壞，無法當作 Excel 活頁簿（.xlsx）讀取。")) from None
        sheets, formulas = {}, []
        try:
            for sheet in book.worksheets:
                rows = []
                for cells in sheet.iter_rows():
                    if len(rows) >= max_rows:
                        raise ImportFileError(_("工作表「%(sheet)s」超過 %(rows)s 列，沒有讀取。",
                                                sheet=sheet.title, rows=f"{max_rows:,}"))
                    values = []
                    for cell in cells:
                        if cell.data_type == "f":
                            formulas.append(f"{sheet.title}!{cell.coordinate}")
                        values.append(cell.value)
                    rows.append(values)
                while rows and all(v is None for v in rows[-1]):
                    rows.pop()
                sheets[sheet.title] = rows
        finally:
            book.close()
        if formulas:
            shown = "、".join(formulas[:10]) + ("……" if len(formulas) > 10 else "")
            raise ImportFileError(_("儲存格 %(cells)s 含有公式。請改成直接輸入的值"
                                    "（複製後用「選擇性貼上 → 值」），再上傳。", cells=shown))
        return sheets


# -- an upload waiting for its confirmation -------------------------------------------------
#: an upload checked and previewed waits here, named by its content hash (never by the name
#: the client sent), until it is confirmed or a day has passed


def _pending_dir():
    from pathlib import Path

    from flask import current_app

    folder = Path(current_app.config.get("PENDING_UPLOADS_DIR")
                  or Path(current_app.instance_path) / "pending")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def keep(raw: bytes) -> str:
    """Keep ``raw`` until confirmed; return its SHA-256, the only name it has here."""
    import hashlib
    import os
    import time

    folder = _pending_dir()
    for old in folder.glob("*.upload"):  # what nobody confirmed within a day
        if old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256(raw).hexdigest()
    path = folder / f"{digest}.upload"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(raw)
    return digest


def _pending_path(digest: str):
    """Where a kept upload is; ``None`` for anything but a SHA-256 in hex (never a path)."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        return None
    return _pending_dir() / f"{digest}.upload"


def kept(digest: str) -> bytes | None:
    path = _pending_path(digest)
    return path.read_bytes() if path is not None and path.exists() else None


def forget(digest: str) -> None:
    path = _pending_path(digest)
    if path is not None:
        path.unlink(missing_ok=True)
