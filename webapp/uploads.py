"""Reading what people hand in as files: CSV text from Excel in Taiwan, in the encoding it has.

Shared by every import (offices, paper questionnaires), on the command line and on the web.
"""

from __future__ import annotations


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


def decode(raw: bytes) -> str:
    """UTF-8 with or without BOM (Excel in Taiwan writes one); Big5 gets a clear refusal."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" in text:
            raise ImportFileError("檔案含有無法辨識的控制字元（NUL），請確認是 CSV 文字檔。")
        return text
    try:
        raw.decode("big5")
    except UnicodeDecodeError:
        raise ImportFileError("檔案不是 UTF-8 編碼，無法讀取。請在 Excel 選「另存新檔 → CSV UTF-8」後再匯入。"
                              ) from None
    raise ImportFileError("檔案看起來是 Big5 編碼。請在 Excel 選「另存新檔 → CSV UTF-8（逗號分隔）」"
                          "後再匯入。")
