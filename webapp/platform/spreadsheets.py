"""Spreadsheets people open in Excel or LibreOffice: XLSX (XlsxWriter) and ODS, from one spec.

A :class:`Sheet` says what each column holds (:class:`Column` ``kind``), so both formats show
rounded numbers and percentages while the cells keep full precision, freeze the header row,
and size columns to their contents (a CJK character counts double).  Text cells can never run
as formulas: one starting with ``= + - @``, a tab or a carriage return gets an apostrophe
(OWASP's advice).  The ODS file is written as XML directly: odfpy took seconds for a
400-office report.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

# one list: the apostrophe written before these, and taken off again reading an upload back
from forms.workbook import FORMULA_PREFIXES

#: kind -> (Excel number format, ODS data style, decimals); "text" cells are strings
KINDS = {
    "text": (None, None, 0),
    "int": ("0", "N0", 0),
    "dec1": ("0.0", "N1", 1),
    "dec2": ("0.00", "N2", 2),
    "dec3": ("0.000", "N3", 3),
    "pct1": ("0.0%", "P1", 1),
}


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: list[list[object]] = field(default_factory=list)
    #: column index -> the only values its cells may take: an XLSX drop-down that refuses
    #: anything else (a paper-keying template, an instrument's question types)
    choices: dict[int, Sequence[str]] = field(default_factory=dict)
    #: rows below the data that the drop-downs still cover, for people to fill
    blank_rows: int = 0
    #: what the sheet is of (a report's period and filters): the header of every printed page
    #: and the document's title
    caption: str = ""
    #: the leading columns that say what a row is (office code and name): repeated on every
    #: printed page, so a page of figures never lacks its office
    key_columns: int = 0

    @property
    def title(self) -> str:
        """The name as both formats accept it: at most 31 characters, none of []:*?/\\."""
        cleaned = "".join("_" if c in "[]:*?/\\" else c for c in self.name)
        return cleaned[:31] or "Sheet"


def safe_cell(value: object) -> object:
    """A spreadsheet cell that can never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _width(values: Iterable[object]) -> float:
    """Column width in characters: a CJK character counts double, capped.  Numbers and codes
    are ASCII and only need their length (most of a report's cells)."""
    widest = 4
    for value in values:
        text = str(value) if value is not None else ""
        if len(text) * 2 <= widest:
            continue   # cannot be the widest even if every character were double
        width = len(text) if text.isascii() else sum(2 if ord(c) > 0x2E7F else 1 for c in text)
        widest = max(widest, width)
    return min(widest + 2.0, 60.0)


def _shown(value: object, kind: str) -> object:
    if kind != "text" and isinstance(value, int | float) and not isinstance(value, bool):
        decimals = KINDS[kind][2]
        return f"{100 * value:.{decimals}f}%" if kind == "pct1" else f"{value:.{decimals}f}"
    return value


def widths(sheet: Sheet) -> list[float]:
    return [_width([c.title] + [_shown(r[i], c.kind) for r in sheet.rows])
            for i, c in enumerate(sheet.columns)]


STREAM_CELLS = 200_000   # more cells than a 400-office report's sheets hold


def write_xlsx(path: Path | IO[bytes], sheets: Iterable[Sheet]) -> None:
    """Write the sheets into an XLSX file with XlsxWriter; past :data:`STREAM_CELLS` cells
    row by row (``constant_memory``: a raw-data export of any length holds one row in memory,
    at a tenth more time).

    Why XlsxWriter and not openpyxl, which still reads the uploads: it writes a 400-office
    report in a third of the time openpyxl's write-only mode took.  Every text goes through
    ``write_string`` after :func:`safe_cell`, so no value is ever taken for a formula.
    """
    import xlsxwriter

    sheets = list(sheets)
    cells = sum(len(s.rows) * len(s.columns) for s in sheets)
    # font charset 136 (Big5): Excel's mark of Traditional Chinese text, so a reader draws it
    # in a Traditional Chinese face rather than a Japanese one
    book = xlsxwriter.Workbook(path, {"constant_memory": cells > STREAM_CELLS,
                                      "strings_to_formulas": False, "strings_to_urls": False,
                                      "default_format_properties": {"font_charset": TC_CHARSET}})
    captions = [s.caption for s in sheets if s.caption]
    if captions:
        book.set_properties({"title": captions[0]})
    bold = book.add_format({"bold": True, "font_charset": TC_CHARSET})
    dated = book.add_format({"num_format": "yyyy-mm-dd", "font_charset": TC_CHARSET})
    shown = {kind: book.add_format({"num_format": number_format, "font_charset": TC_CHARSET})
             for kind, (number_format, _ods, _decimals) in KINDS.items()
             if number_format and kind != "int"}   # whole numbers show as they are
    lists: list[Sequence[str]] = []
    for spec in sheets:
        sheet = book.add_worksheet(spec.title)
        for i, width in enumerate(widths(spec)):
            sheet.set_column(i, i, width)
        sheet.freeze_panes(1, 0)
        _print_setup(sheet, spec)
        if spec.choices:
            _drop_downs(sheet, spec, lists)
        for i, column in enumerate(spec.columns):
            sheet.write_string(0, i, str(safe_cell(column.title)), bold)
        formats = [shown.get(c.kind) for c in spec.columns]
        for r, row in enumerate(spec.rows, start=1):
            for c, (value, number_format) in enumerate(zip(row, formats, strict=True)):
                _write(sheet, r, c, value, number_format, dated)
    if lists:
        _lists_sheet(book, lists)
    book.close()


TC_CHARSET = 136


def _print_setup(sheet, spec: Sheet) -> None:
    """Printed: the caption and page numbers on every page, the header row and the key
    columns repeated, landscape (a report's tables are wide)."""
    if spec.caption:
        # "&" starts a header code in Excel; a literal one is doubled
        sheet.set_header("&L" + spec.caption[:100].replace("&", "&&") + "&R&P / &N")
        sheet.set_landscape()
    sheet.repeat_rows(0)
    if spec.key_columns:
        sheet.repeat_columns(0, spec.key_columns - 1)


def _write(sheet, row: int, column: int, value: object, number_format, dated) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        if math.isfinite(value):   # NaN and infinity stay blank: no number, no error formula
            sheet.write_number(row, column, value, number_format)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, dated)
    else:
        sheet.write_string(row, column, safe_cell(str(value)))


def _drop_downs(sheet, spec: Sheet, lists: list[Sequence[str]]) -> None:
    """Each choice column as a list-validated range whose values live on a hidden sheet (an
    inline list is capped at 255 characters); Excel and LibreOffice refuse other input."""
    from xlsxwriter.utility import xl_col_to_name

    last = max(len(spec.rows) + spec.blank_rows, 1)   # rows below the header, zero-based
    for index, values in spec.choices.items():
        lists.append(values)
        letter = xl_col_to_name(len(lists) - 1)
        sheet.data_validation(1, index, last, index, {
            "validate": "list", "source": f"=lists!${letter}$1:${letter}${max(len(values), 1)}",
            "ignore_blank": True, "error_type": "stop", "error_title": "請從清單中選擇",
            "error_message": "請從清單中選擇 Choose a value from the list"})


def _lists_sheet(book, lists: list[Sequence[str]]) -> None:
    """The hidden sheet the drop-downs read, one list per column."""
    sheet = book.add_worksheet("lists")
    sheet.hide()
    for row in range(max(len(v) for v in lists)):
        for column, values in enumerate(lists):
            if row < len(values):
                sheet.write_string(row, column, str(safe_cell(values[row])))


# --- ODS ---------------------------------------------------------------------------------

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" '
       'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
       'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"')


def _data_styles() -> str:
    parts = []
    for decimals in range(4):
        parts.append(f'<number:number-style style:name="N{decimals}"><number:number '
                     f'number:decimal-places="{decimals}" number:min-integer-digits="1"/>'
                     '</number:number-style>')
    parts.append('<number:percentage-style style:name="P1"><number:number '
                 'number:decimal-places="1" number:min-integer-digits="1"/><number:text>%'
                 '</number:text></number:percentage-style>')
    for name in ("N0", "N1", "N2", "N3", "P1"):
        parts.append(f'<style:style style:name="c{name}" style:family="table-cell" '
                     f'style:data-style-name="{name}"/>')
    parts.append('<style:style style:name="head" style:family="table-cell">'
                 '<style:text-properties fo:font-weight="bold"/></style:style>')
    return "".join(parts)


def _cell(value: object, kind: str) -> str:
    if value is None:
        return "<table:table-cell/>"
    if kind == "text" or isinstance(value, bool) or not isinstance(value, int | float):
        return (f'<table:table-cell office:value-type="string"><text:p>'
                f"{escape(str(safe_cell(value)))}</text:p></table:table-cell>")
    if not math.isfinite(value):   # NaN and infinity stay blank, as in the XLSX
        return "<table:table-cell/>"
    value_type = "percentage" if kind == "pct1" else "float"
    return (f'<table:table-cell table:style-name="c{KINDS[kind][1]}" '
            f'office:value-type="{value_type}" office:value="{value!r}">'
            f"<text:p>{_shown(value, kind)}</text:p></table:table-cell>")


def _settings(sheets: Sequence[Sheet]) -> str:
    """settings.xml: the header row of every sheet frozen, as LibreOffice writes it."""
    tables = "".join(
        f'<config:config-item-map-entry config:name={quoteattr(s.title)}>'
        '<config:config-item config:name="VerticalSplitMode" config:type="short">2'
        '</config:config-item><config:config-item config:name="VerticalSplitPosition" '
        'config:type="int">1</config:config-item><config:config-item '
        'config:name="ActiveSplitRange" config:type="short">2</config:config-item>'
        '<config:config-item config:name="PositionBottom" config:type="int">1'
        '</config:config-item></config:config-item-map-entry>' for s in sheets)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<office:document-settings {_NS} office:version="1.3"><office:settings>'
            '<config:config-item-set config:name="ooo:view-settings">'
            '<config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>'
            '<config:config-item-map-named config:name="Tables">'
            f'{tables}</config:config-item-map-named></config:config-item-map-entry>'
            '</config:config-item-map-indexed></config:config-item-set></office:settings>'
            '</office:document-settings>')


def _styles(sheets: Sequence[Sheet]) -> str:
    """styles.xml: every cell's language Traditional Chinese (zh-TW, so a reader draws it in a
    Traditional Chinese face), and a master page per sheet whose printed header is its caption."""
    pages = "".join(
        f'<style:master-page style:name="mp{i}" style:page-layout-name="landscape">'
        f'<style:header><text:p>{escape(s.caption)}</text:p></style:header>'
        '<style:footer><text:p><text:page-number>1</text:page-number></text:p></style:footer>'
        '</style:master-page>' for i, s in enumerate(sheets))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<office:document-styles {_NS} office:version="1.3"><office:styles>'
            '<style:default-style style:family="table-cell"><style:text-properties '
            'fo:language="zh" fo:country="TW" style:language-asian="zh" style:country-asian="TW"/>'
            '</style:default-style></office:styles><office:automatic-styles>'
            '<style:page-layout style:name="landscape"><style:page-layout-properties '
            'style:print-orientation="landscape" fo:page-width="29.7cm" fo:page-height="21cm"/>'
            '</style:page-layout></office:automatic-styles>'
            f'<office:master-styles>{pages}</office:master-styles></office:document-styles>')


def ods_bytes(sheets: Iterable[Sheet]) -> bytes:
    sheets = list(sheets)
    columns_styles, body = [], []
    for s_index, spec in enumerate(sheets):
        columns_styles.append(f'<style:style style:name="ta{s_index}" style:family="table" '
                              f'style:master-page-name="mp{s_index}"/>')
        cols = []
        for c_index, width in enumerate(widths(spec)):
            name = f"co{s_index}_{c_index}"
            columns_styles.append(
                f'<style:style style:name="{name}" style:family="table-column">'
                f'<style:table-column-properties style:column-width="{width * 0.21:.2f}cm"/>'
                "</style:style>")
            cols.append(f'<table:table-column table:style-name="{name}"/>')
        if spec.key_columns:   # repeated on every printed page
            cols = (["<table:table-header-columns>", *cols[:spec.key_columns],
                     "</table:table-header-columns>"] + cols[spec.key_columns:])
        rows = ["<table:table-header-rows><table:table-row>" + "".join(
            f'<table:table-cell table:style-name="head" office:value-type="string"><text:p>'
            f"{escape(str(safe_cell(c.title)))}</text:p></table:table-cell>"
            for c in spec.columns) + "</table:table-row></table:table-header-rows>"]
        for row in spec.rows:
            rows.append("<table:table-row>" + "".join(
                _cell(v, c.kind) for v, c in zip(row, spec.columns, strict=True))
                + "</table:table-row>")
        body.append(f'<table:table table:name={quoteattr(spec.title)} table:style-name="ta{s_index}">'
                    f"{''.join(cols)}{''.join(rows)}</table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               f'<office:document-content {_NS} office:version="1.3">'
               f"<office:automatic-styles>{_data_styles()}{''.join(columns_styles)}"
               "</office:automatic-styles><office:body><office:spreadsheet>"
               f"{''.join(body)}</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                'manifest:version="1.3" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/><manifest:file-entry '
                'manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry '
                'manifest:full-path="settings.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # the mimetype first and uncompressed: how a reader recognises an ODF file
        archive.writestr(zipfile.ZipInfo("mimetype"),
                         "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("styles.xml", _styles(sheets), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("settings.xml", _settings(sheets), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_ods(path: Path, sheets: Iterable[Sheet]) -> None:
    path.write_bytes(ods_bytes(sheets))
