"""Reading the first sheet of an untrusted `.xlsx` workbook in bounded time and memory.

A workbook is a zip of XML parts. Generic readers trust its shape: openpyxl walks every
row number between two rows (a single row numbered 100,000,000 takes minutes) and pads
every row to the widest one (16,384 columns). This reader streams the sheet's XML with
expat and looks only at what is there: the zip's declared sizes and ratios are checked
before anything is inflated (and zipfile never inflates past the declared size), and the
rows, columns, cells, row-number gaps and shared strings it meets are counted against
limits. Any file is read or refused in time proportional to its real content.
"""

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from app.core.errors import PayloadTooLarge
from app.core.i18n import Text, t

CHUNK = 64 * 1024
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
EXCEL_MAX_ROW = 1_048_576
MAX_CELL_CHARS = 32_767  # what Excel lets a cell hold
_INT = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold; the defaults fit the distribution template many times over."""

    max_uncompressed_bytes: int = 64 * 1024 * 1024
    max_ratio: int = 100  # inflated / compressed, for parts larger than 1 MiB inflated
    max_rows: int = 200_001
    max_columns: int = 256
    max_cells: int = 4_000_000
    max_row_gap: int = 10_000
    max_shared_strings: int = 1_000_000


class Unreadable(Exception):
    """The workbook is not one we can read (damaged zip, missing part, bad XML)."""


def too_large(what: Text) -> PayloadTooLarge:
    return PayloadTooLarge(
        t(
            f"工作簿超出可读取的上限：{what.zh}。",
            f"The workbook is beyond what we read: {what.en}.",
        ),
        code="file_too_large",
    )


def sheet_rows(file: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's non-empty rows as (sheet row number, values by column)."""
    try:
        book = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable from exc
    with book:
        _check_sizes(book, limits)
        sheet, strings_part = _parts(book)
        strings = _shared_strings(book, strings_part, limits) if strings_part else []
        yield from _SheetReader(strings, limits).rows(lambda: book.open(sheet))


def _check_sizes(book: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in book.infolist():
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            mib = limits.max_uncompressed_bytes // (1024 * 1024)
            raise too_large(t(f"解压后超过 {mib} MiB", f"more than {mib} MiB uncompressed"))
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > limits.max_ratio:
            raise too_large(
                t(
                    f"{info.filename} 的压缩比超过 {limits.max_ratio}:1",
                    f"{info.filename} is compressed more than {limits.max_ratio}:1",
                )
            )


def _read_part(book: zipfile.ZipFile, name: str) -> bytes:
    try:
        return book.read(name)
    except KeyError as exc:
        raise Unreadable from exc


def _relationships(book: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, target part)."""
    folder = posixpath.dirname(posixpath.dirname(name))
    found: dict[str, tuple[str, str]] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{PKG_REL_NS} Relationship":
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(path))

    _parse(_read_part(book, name), start)
    return found


def _parts(book: zipfile.ZipFile) -> tuple[str, str | None]:
    """The first sheet's part and the shared strings' part (if any)."""
    first: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{MAIN_NS} sheet" and not first:
            first.append(attrs.get(f"{REL_NS} id", ""))

    _parse(_read_part(book, "xl/workbook.xml"), start)
    rels = _relationships(book, "xl/_rels/workbook.xml.rels")
    if not first or first[0] not in rels:
        raise Unreadable
    strings = [target for kind, target in rels.values() if kind.endswith("/sharedStrings")]
    return rels[first[0]][1], strings[0] if strings else None


def _parser(start: Callable[..., None]) -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_: Any) -> None:  # no DTDs: no entity expansion, nothing fetched
        raise Unreadable

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.buffer_text = True
    return parser


def _parse(data: bytes, start: Callable[..., None]) -> None:
    parser = _parser(start)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unreadable from exc


def _shared_strings(book: zipfile.ZipFile, name: str, limits: Limits) -> list[str]:
    strings: list[str] = []
    parts: list[str] = []
    depth = {"t": False, "phonetic": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "si":
            parts.clear()
        elif local == "rPh":
            depth["phonetic"] = True
        elif local == "t" and not depth["phonetic"]:
            depth["t"] = True

    def end(tag: str) -> None:
        local = tag.rpartition(" ")[2]
        if local == "si":
            if len(strings) >= limits.max_shared_strings:
                raise too_large(
                    t(
                        f"共享字符串超过 {limits.max_shared_strings} 个",
                        f"more than {limits.max_shared_strings} shared strings",
                    )
                )
            strings.append("".join(parts))
        elif local == "rPh":
            depth["phonetic"] = False
        elif local == "t":
            depth["t"] = False

    def text(data: str) -> None:
        if depth["t"]:
            parts.append(data)

    parser = _parser(start)
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    for _ in _feed(parser, lambda: book.open(name)):
        pass
    return strings


def _feed(parser: Any, open_part: Callable[[], IO[bytes]]) -> Iterator[None]:
    """Feed a part to the parser in chunks; yields after each chunk (a generator)."""
    try:
        with open_part() as part:
            while chunk := part.read(CHUNK):
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
    except KeyError as exc:
        raise Unreadable from exc
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise Unreadable from exc
    yield


_DIGITS = "0123456789"
_COLUMN_OF: dict[str, int] = {}  # "A" → 1, … "XFD" → 16,384: filled as met (at most 18,278)


def _column(letters: str) -> int:
    """The 1-based column of a reference's letters (A, BC), checked and remembered."""
    ascii_capitals = letters.isascii() and letters.isalpha() and letters.isupper()
    if not (0 < len(letters) <= 3 and ascii_capitals):
        raise Unreadable
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    _COLUMN_OF[letters] = column
    return column


class _SheetReader:
    """Collects the sheet's rows as expat reports its elements.

    This is the hot path of an import (three callbacks per cell), so the callbacks keep
    their work small: tags are told apart through a small dictionary, a cell's text is
    one string, a row is a list filled as its cells come.
    """

    def __init__(self, strings: list[str], limits: Limits) -> None:
        self.strings = strings
        self.limits = limits
        self.cells_left = limits.max_cells
        self.row_count = 0
        self.row_number = 0
        self.last_row = 0
        self.row: list[Any] = []
        self.column = 0
        self.kind = "n"
        self.text: str | None = None  # the open cell's text, None before its <v> or <t>
        self.capturing = False
        self.local: dict[str, str] = {}  # expat's "namespace local" tag → local name
        self.done: list[tuple[int, list[Any]]] = []

    def rows(self, open_part: Callable[[], IO[bytes]]) -> Iterator[tuple[int, list[Any]]]:
        parser = _parser(self.start)
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        for _ in _feed(parser, open_part):
            yield from self.done
            self.done.clear()

    def _local(self, tag: str) -> str:
        local = tag.rpartition(" ")[2]
        if len(self.local) < 64:  # a hostile sheet may use any number of tags
            self.local[tag] = local
        return local

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = self.local.get(tag) or self._local(tag)
        if local == "c":
            self.cells_left -= 1
            if self.cells_left < 0:
                n = self.limits.max_cells
                raise too_large(t(f"单元格超过 {n} 个", f"more than {n} cells"))
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(_DIGITS)
                if len(letters) == len(ref):
                    raise Unreadable
                self.column = _COLUMN_OF.get(letters) or _column(letters)
            else:
                self.column += 1
            self.kind = attrs.get("t", "n")
            self.text = None
        elif local == "v" or local == "t":
            if self.text is None:
                self.text = ""
            self.capturing = True
        elif local == "row":
            number = attrs.get("r", "")
            ascii_digits = number.isascii() and number.isdigit()
            self.row_number = int(number) if ascii_digits else self.row_number + 1
            self.row, self.column = [], 0

    def characters(self, data: str) -> None:
        if self.capturing and self.text is not None:
            self.text += data
            if len(self.text) > MAX_CELL_CHARS:
                raise too_large(
                    t(
                        f"单元格文字超过 {MAX_CELL_CHARS} 个字符",
                        f"a cell of more than {MAX_CELL_CHARS} characters",
                    )
                )

    def end(self, tag: str) -> None:
        local = self.local.get(tag) or self._local(tag)
        if local == "v" or local == "t":
            self.capturing = False
        elif local == "c":
            if self.text is not None:
                self._value(self.text)
                self.text = None
        elif local == "row" and self.row:
            self._finish_row()

    def _value(self, raw: str) -> None:
        value: Any
        kind = self.kind
        if kind == "n":
            value = int(raw) if raw.isascii() and raw.isdigit() else _number(raw)
        elif kind == "s":
            index = int(raw) if raw.strip().isascii() and raw.strip().isdigit() else -1
            if not 0 <= index < len(self.strings):
                raise Unreadable
            value = self.strings[index]
        elif kind in ("str", "inlineStr", "e", "d"):
            value = raw
        elif kind == "b":
            value = raw.strip() == "1"
        else:
            value = _number(raw)
        if value is None or value == "":
            return
        column, row = self.column, self.row
        if column > self.limits.max_columns:
            n = self.limits.max_columns
            raise too_large(t(f"第 {column} 列有数据：超过 {n} 列", f"data beyond column {n}"))
        if column > len(row):
            if column > len(row) + 1:
                row.extend([None] * (column - len(row) - 1))
            row.append(value)
        else:
            row[column - 1] = value

    def _finish_row(self) -> None:
        number, gap = self.row_number, self.limits.max_row_gap
        if number > EXCEL_MAX_ROW:
            raise too_large(
                t(f"行号 {number} 超过 Excel 的上限", f"row number {number} is beyond Excel's")
            )
        if number <= self.last_row:
            raise Unreadable
        if number - self.last_row > gap:
            raise too_large(
                t(
                    f"第 {number} 行之前的空行超过 {gap} 行",
                    f"more than {gap} empty rows before row {number}",
                )
            )
        self.row_count += 1
        if self.row_count > self.limits.max_rows:
            raise too_large(t("数据行过多", "too many rows"))
        self.last_row = number
        self.done.append((number, self.row[:]))  # stray cells after </row> must not reach it


def _number(raw: str) -> int | float | str | None:
    if raw.isascii() and raw.isdigit():  # the common case: a whole number as Excel writes it
        return int(raw)
    raw = raw.strip()
    if not raw:
        return None
    if _INT.match(raw):
        return int(raw)
    try:
        number = float(raw)
    except ValueError:
        return raw
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
