"""Reading uploaded distribution files (CSV in UTF-8, UTF-8 with BOM or GB18030; XLSX) as
streams of rows, and the template colleges fill in.

Files are read row by row: neither the bytes nor a parsed sheet are held in memory.
Whatever a file contains, it ends in rows or in a 415/422 problem, never in a crash.
"""

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

import openpyxl

from app.core.errors import Invalid, UnsupportedMediaType
from app.core.i18n import Text, t
from app.models.enums import SubmissionSource
from app.services.distribution import workbook
from app.services.distribution.rows import CHINESE_HEADERS, FIELDS, IGNORED_HEADERS, REQUIRED

Rows = Iterator[tuple[int, dict[str, Any]]]

SNIFF_BYTES = 64 * 1024
UTF8_BOM = codecs.BOM_UTF8
_COLUMNS = {**{f: f for f in FIELDS}, **{zh: f for f, zh in CHINESE_HEADERS.items()}}
# Magic numbers of files people upload by mistake, with what to tell them.
_NOT_TABLES = {
    b"\xd0\xcf\x11\xe0": t(
        "旧版 Excel .xls（或其他 OLE）文件：请另存为 .xlsx 或 CSV",
        "an old Excel .xls (or other OLE) file: save it as .xlsx or CSV",
    ),
    b"\x89PNG": t("PNG 图片", "a PNG image"),
    b"\xff\xd8\xff": t("JPEG 图片", "a JPEG image"),
    b"GIF8": t("GIF 图片", "a GIF image"),
    b"%PDF": t("PDF 文档", "a PDF document"),
    b"\x1f\x8b": t("gzip 压缩包", "a gzip archive"),
    b"Rar!": t("RAR 压缩包", "a RAR archive"),
    b"7z\xbc\xaf": t("7-Zip 压缩包", "a 7-Zip archive"),
    b"\xff\xfe": t("UTF-16 文本：请另存为“CSV UTF-8”", "UTF-16 text: save it as CSV UTF-8"),
    b"\xfe\xff": t("UTF-16 文本：请另存为“CSV UTF-8”", "UTF-16 text: save it as CSV UTF-8"),
}


def open_rows(file: IO[bytes], filename: str | None) -> tuple[SubmissionSource, Rows]:
    """Sniff the file's real type (never trusting its name) and stream its data rows."""
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if not head.strip():
        raise Invalid(t("文件是空的。", "The file is empty."), code="empty_file")
    if head.startswith(b"PK\x03\x04"):
        return SubmissionSource.xlsx, _xlsx_rows(file)
    for magic, what in _NOT_TABLES.items():
        if head.startswith(magic):
            raise UnsupportedMediaType(
                t(
                    f"该文件是{what.zh}；请上传 .xlsx 或 .csv 文件。",
                    f"The file is {what.en}; upload .xlsx or .csv.",
                )
            )
    if (filename or "").lower().endswith((".xlsx", ".xlsm")):
        raise UnsupportedMediaType(
            t(
                "文件扩展名为 .xlsx，但不是 Excel 工作簿。",
                "The file is named .xlsx but is not an Excel workbook.",
            )
        )
    if b"\x00" in head:
        raise UnsupportedMediaType(
            t(
                "该文件是二进制文件，不是 CSV 文本；请上传 .xlsx 或 .csv 文件。",
                "The file is binary, not CSV text; upload .xlsx or .csv.",
            )
        )
    return SubmissionSource.csv, _csv_rows(file, detect_encoding(head))


def detect_encoding(head: bytes) -> str:
    """BOM → UTF-8 with BOM; valid UTF-8 → UTF-8; otherwise GB18030 (Chinese Excel's ANSI)."""
    if head.startswith(UTF8_BOM):
        return "utf-8-sig"
    try:
        # Not final: the sample may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _decoded_lines(file: IO[bytes], encoding: str) -> Iterator[str]:
    """The file's lines, each decoded only when the CSV reader asks for it, so that an
    encoding error is met at the record it is in (a text wrapper decodes ahead). Splitting
    at b"\n" is safe: no UTF-8 or GB18030 multi-byte character contains that byte."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    for line in file:
        yield decoder.decode(line)
    if tail := decoder.decode(b"", final=True):
        yield tail


def _csv_rows(file: IO[bytes], encoding: str) -> Rows:
    reader = csv.reader(_decoded_lines(file, encoding))
    row = 0
    try:
        columns = _header(next(reader, []))
        for row, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                yield row, _record(columns, cells)
    except UnicodeDecodeError:
        raise _unreadable(
            t(f"不是有效的 {encoding} 文本", f"is not valid {encoding} text"), row + 1
        ) from None
    except csv.Error as exc:
        raise _unreadable(
            t(f"CSV 格式有误（{exc}）", f"is not well-formed CSV ({exc})"), row + 1
        ) from None


def _xlsx_rows(file: IO[bytes]) -> Rows:
    # Untrusted bytes: a bad zip, a missing part or bad XML means the upload is not a
    # readable workbook; none of them is a server error. Limits beyond which a workbook
    # is refused are in `workbook.Limits`.
    rows = workbook.sheet_rows(file, workbook.Limits())
    header_row = row = 0
    try:
        for number, cells in rows:
            if not header_row:
                header_row, columns = number, _header(cells)
            elif any(c is not None and str(c).strip() for c in cells):
                row = number - header_row
                yield row, _record(columns, cells)
    except workbook.Unreadable:
        if not header_row:
            raise Invalid(
                t(
                    "该文件不是可读取的 Excel .xlsx 工作簿。",
                    "The file is not a readable Excel .xlsx workbook.",
                ),
                code="unreadable_file",
            ) from None
        raise _unreadable(t("工作簿已损坏", "is a damaged workbook"), row + 1) from None
    if not header_row:
        _header(())


def _unreadable(what: Text, row: int) -> Invalid:
    msg = t(f"文件在第 {row} 行数据处{what.zh}。", f"The file {what.en} at data row {row}.")
    return Invalid(
        msg,
        code="unreadable_file",
        errors=[{"loc": ["file"], "msg": msg, "type": "unreadable", "row": row}],
    )


def _header(cells: Sequence[Any]) -> list[str | None]:
    """Each column's field (None for ignored ones); every required field must be present."""
    columns: list[str | None] = []
    errors: list[Text] = []
    for index, cell in enumerate(cells):
        name = "" if cell is None else str(cell).strip().lstrip("\ufeff")
        field = _COLUMNS.get(name) or _COLUMNS.get(name.lower())
        if field is None and name and name not in IGNORED_HEADERS:
            errors.append(
                t(
                    f"第 {index + 1} 列 {name!r} 不是模板中的列",
                    f"column {index + 1} {name!r} is not a known column",
                )
            )
        columns.append(field)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        errors.append(
            t(
                "缺少列：" + "、".join(f"{CHINESE_HEADERS[f]}（{f}）" for f in missing),
                "missing column(s) " + ", ".join(f"{f} ({CHINESE_HEADERS[f]})" for f in missing),
            )
        )
    if errors:
        raise Invalid(
            t(
                "表头与模板不符：" + "；".join(e.zh for e in errors) + "。",
                "The header row does not match the template: "
                + "; ".join(e.en for e in errors)
                + ".",
            ),
            code="bad_header",
            errors=[_header_error(e) for e in errors],
        )
    return columns


def _header_error(msg: Text) -> dict[str, Any]:
    return {"loc": ["file", "header"], "msg": msg, "type": "bad_header"}


def _record(columns: list[str | None], cells: Iterable[Any]) -> dict[str, Any]:
    return {f: v for f, v in zip(columns, cells, strict=False) if f is not None}


TEMPLATE_HEADERS = [
    CHINESE_HEADERS["major_code"],
    "专业名称",
    *(CHINESE_HEADERS[f] for f in FIELDS[1:]),
]
TEMPLATE_NOTES = [
    ("列", "说明"),
    ("专业代码", "《职业教育专业目录》六位专业代码（中职61–79，高职专科41–59，职业本科21–39开头）"),
    ("专业名称", "选填，仅供核对，不导入"),
    ("层次", "secondary/中职、higher/高职专科、undergraduate/职业本科"),
    ("入学年份", "四位年份，如 2024"),
    ("毕业年份", "预计毕业年份，如 2027"),
    ("在校生人数", "该专业该年级在校生人数（整数，≥0）"),
    ("应届毕业生人数", "选填，默认等于在校生人数，不得超过在校生人数"),
    ("所在区县代码", "选填，默认为学校所在区县，见 /api/v1/taxonomies/districts"),
    ("", "同一专业、层次、入学年份只填一行；英文字段名亦可作为表头。"),
]


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template(format: str) -> tuple[bytes, str]:
    """The template's bytes and media type."""
    if format == "csv":
        return template_csv(), "text/csv; charset=utf-8"
    return template_xlsx(), XLSX


def template_csv() -> bytes:
    """The upload template as CSV: UTF-8 with BOM (Excel opens it), Chinese headers."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(TEMPLATE_HEADERS)
    return UTF8_BOM + out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The upload template as a workbook: the data sheet first, then the notes."""
    book = openpyxl.Workbook(write_only=True)
    data = book.create_sheet("学生分布")
    data.append(TEMPLATE_HEADERS)
    notes = book.create_sheet("说明")
    for line in TEMPLATE_NOTES:
        notes.append(list(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
