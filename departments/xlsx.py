"""A bounded reader of .xlsx workbooks: streamed, capped, no trust in what the file declares.

A workbook is a zip of XML. The sizes in its zip headers, its ``<dimension>`` and its
shared-string counts are all written by whoever made the file, so none of them is
believed: every part is inflated in small chunks and the bytes actually inflated are
counted against a hard cap and a compression-ratio cap, and the XML is read as a stream
(expat, no DTD, no entities) that counts elements, cells, rows and shared strings as it
goes and stops at the first limit passed. Nothing builds a tree; a refusal costs at most
the limits, whatever the file claims.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Context, Decimal
from xml.parsers import expat

CHUNK = 64 * 1024
RATIO_FLOOR = 1024 * 1024  # below this many inflated bytes any ratio is harmless
MAX_MEMBERS = 2_000
MAX_TEXT = 32_767  # Excel's own limit for one cell
MAX_PART_ELEMENTS = 20_000  # workbook.xml and relationship parts
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
MAX_COLUMN, MAX_ROW = 16_384, 1_048_576
_EXCEL = Context(prec=15)


class TableError(Exception):
    """A file that cannot be read as a table; the message is for the user."""


@dataclass(frozen=True)
class Limits:
    """What one read may cost; every count is of what the file really holds."""

    rows: int = 20_000
    columns: int = 50
    cells: int = 120_000
    shared_strings: int = 60_000
    inflated_bytes: int = 50 * 1024 * 1024
    ratio: int = 100


class Formula(str):
    """A cell that holds a formula (kept apart from text that merely starts with '=')."""


class Number(str):
    """A numeric cell, as the raw text Excel stored (exact; no float round trip)."""

    @property
    def is_valid(self) -> bool:
        return bool(_NUMBER.match(self))

    @property
    def shown(self) -> str:
        """The number as Excel shows it (15 significant digits: 98.59999999999999 → 98.6); raw if out of range."""
        if not self.is_valid or len(self) > 40:
            return str(self)
        value = Decimal(self)
        if not value or abs(value.adjusted()) > 15:
            return str(self) if value else "0"
        text = f"{_EXCEL.plus(value):f}"
        return text.rstrip("0").rstrip(".") if "." in text else text


CellValue = str | bool


@dataclass
class Sheet:
    title: str
    cells: dict[tuple[int, int], CellValue] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


@functools.lru_cache(maxsize=1024)
def _column(letters: str) -> int:
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return col


def _parse_ref(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha() and letters.isupper()
            and 0 < len(digits) <= 7):
        raise TableError(f"单元格地址「{ref[:20]}」无效，工作簿可能已损坏。")
    row, col = int(digits), _column(letters)
    if not (1 <= col <= MAX_COLUMN and 1 <= row <= MAX_ROW):
        raise TableError(f"单元格地址「{ref}」超出 Excel 的范围，工作簿可能已损坏。")
    return row, col


class _Budget:
    """Inflated bytes left for the whole workbook."""

    def __init__(self, limits: Limits):
        self.limits, self.left = limits, limits.inflated_bytes

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            limit = self.limits.inflated_bytes // (1024 * 1024)
            raise TableError(f"工作簿解压后超过 {limit} MB，已拒绝（文件中的大小信息与实际内容不符或内容过多）。")


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> Iterator[bytes]:
    """The member's bytes in bounded chunks, refused past the byte or ratio cap."""
    inflated, ratio = 0, budget.limits.ratio
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                inflated += len(chunk)
                budget.spend(len(chunk))
                if inflated > RATIO_FLOOR and inflated > ratio * max(info.compress_size, 1):
                    raise TableError(f"工作簿压缩比异常（超过 {ratio} 倍），已拒绝。")
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        raise TableError("工作簿已损坏（压缩数据无法读取），请用 Excel 或 WPS 重新保存后再试。") from exc


def _forbid(*_args: object) -> None:
    raise TableError("工作簿含有 DTD 或实体声明，已拒绝。")


class _Counter:
    def __init__(self, cap: int, what: str):
        self.count, self.cap, self.what = 0, cap, what

    def add(self) -> None:
        self.count += 1
        if self.count > self.cap:
            raise TableError(self.what)


def _parse(chunks: Iterator[bytes], part: str, start: Callable, end: Callable, data: Callable | None) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler, parser.EndElementHandler = start, end
    if data is not None:
        parser.CharacterDataHandler = data
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise TableError(f"工作簿的部件 {part} 不是有效的 XML（{exc.lineno} 行），请用 Excel 或 WPS 重新保存后再试。") from exc


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _attr(attrs: dict[str, str], local: str) -> str:
    for key, value in attrs.items():
        if _local(key) == local:
            return value
    return ""


class _Text:
    """Collects the character data of the element being captured, capped per value."""

    def __init__(self) -> None:
        self.parts: list[str] | None = None
        self.size = 0

    def begin(self) -> None:
        self.parts, self.size = [], 0

    def data(self, text: str) -> None:
        if self.parts is not None:
            self.size += len(text)
            if self.size > MAX_TEXT:
                raise TableError(f"单元格文字超过 {MAX_TEXT} 个字符，已拒绝。")
            self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts or ())
        self.parts = None
        return text


class SharedStrings:
    """sharedStrings.xml: the text of each ``<si>`` (phonetic runs left out), counted."""

    def __init__(self, limits: Limits):
        self.strings: list[str] = []
        self.text = _Text()
        self.elements = _Counter(limits.shared_strings * 8 + 1_000, "共享字符串部件含有过多元素，已拒绝。")
        self.cap = limits.shared_strings
        self.in_si = self.in_phonetic = False
        self.parts: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.elements.add()
        local = _local(tag)
        if local == "si":
            if len(self.strings) >= self.cap:
                raise TableError(f"工作簿的共享字符串超过 {self.cap} 个，已拒绝。")
            self.in_si, self.parts = True, []
        elif local == "rPh":
            self.in_phonetic = True
        elif local == "t" and self.in_si and not self.in_phonetic:
            self.text.begin()

    def end(self, tag: str) -> None:
        local = _local(tag)
        if local == "t" and self.text.parts is not None:
            self.parts.append(self.text.take())
        elif local == "rPh":
            self.in_phonetic = False
        elif local == "si":
            text = "".join(self.parts)
            if len(text) > MAX_TEXT:
                raise TableError(f"单元格文字超过 {MAX_TEXT} 个字符，已拒绝。")
            self.strings.append(text)
            self.in_si = False

    def data(self, text: str) -> None:
        self.text.data(text)


class SheetReader:
    """One worksheet part, streamed: cells counted as they come, values kept up to the column cap.

    The handlers run once per element of a file that may be hostile, so they are kept flat:
    plain attributes, the commonest tags first, text gathered only inside ``<v>``/``<f>``/``<t>``.
    """

    def __init__(self, sheet: Sheet, limits: Limits, strings: list[str]):
        self.sheet, self.limits, self.strings, self.cells = sheet, limits, strings, sheet.cells
        self.cell_count, self.element_count = 0, 0
        self.element_cap = limits.cells * 6 + 10_000
        self.row = self.col = 0
        self.kind, self.value, self.formula, self.capture = "n", "", None, ""
        self.in_cell = self.in_inline = self.in_phonetic = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.element_count += 1
        if self.element_count > self.element_cap:
            raise TableError(f"工作表「{self.sheet.title}」含有过多元素，已拒绝。")
        tag = tag.rpartition(" ")[2]
        if tag == "c":
            self._cell_start(attrs)
        elif tag == "v" or tag == "f":
            self.capture, self.value = tag, "" if tag == "v" else self.value
            if tag == "f":
                self.formula = ""
        elif tag == "row":
            self.row = _parse_ref("A" + attrs["r"])[0] if attrs.get("r") else self.row + 1
            self.col = 0
        elif self.in_cell:
            self._inline_start(tag)
        elif tag == "mergeCell" and len(self.sheet.merged) < 1_000:
            self.sheet.merged.append(attrs.get("ref", "")[:30])

    def _inline_start(self, tag: str) -> None:
        if tag == "is":
            self.in_inline = True
        elif tag == "rPh":
            self.in_phonetic = True
        elif tag == "t" and self.in_inline and not self.in_phonetic:
            self.capture = "t"

    def _cell_start(self, attrs: dict[str, str]) -> None:
        self.cell_count += 1
        if self.cell_count > self.limits.cells:
            raise TableError(f"工作表「{self.sheet.title}」的单元格超过 {self.limits.cells} 个，已拒绝。")
        ref = attrs.get("r")
        if ref:
            self.row, self.col = _parse_ref(ref)
        else:
            self.row, self.col = max(self.row, 1), self.col + 1
        if self.row > self.limits.rows:
            raise TableError(f"工作表「{self.sheet.title}」超过 {self.limits.rows} 行，已拒绝。")
        if self.col > MAX_COLUMN:
            raise TableError(f"工作表「{self.sheet.title}」的列超出 Excel 的范围，工作簿可能已损坏。")
        self.in_cell, self.kind, self.value, self.formula = True, attrs.get("t", "n"), "", None

    def data(self, text: str) -> None:
        if self.capture == "f":
            self.formula += text
        elif self.capture:
            self.value += text
        else:
            return
        if len(self.value) + len(self.formula or "") > MAX_TEXT:
            raise TableError(f"单元格 {cell_ref(self.row, self.col)} 的文字超过 {MAX_TEXT} 个字符，已拒绝。")

    def end(self, tag: str) -> None:
        if not self.in_cell:
            return
        tag = tag.rpartition(" ")[2]
        if tag == "c":
            self.in_cell = self.in_inline = self.in_phonetic = False
            self.capture = ""
            if self.col <= self.limits.columns:
                value = self._value()
                if value != "":
                    self.cells[(self.row, self.col)] = value
        elif tag == "v" or tag == "f" or tag == "t":
            self.capture = ""
        elif tag == "rPh":
            self.in_phonetic = False

    def _value(self) -> CellValue:
        if self.formula is not None:
            return Formula("=" + self.formula)
        kind, value = self.kind, self.value
        if kind == "s":
            index = int(value) if value.isdigit() and len(value) < 10 else -1
            if not 0 <= index < len(self.strings):
                raise TableError(f"单元格 {cell_ref(self.row, self.col)} 引用了不存在的共享字符串，工作簿可能已损坏。")
            return self.strings[index]
        if kind == "b":
            return value.strip() == "1"
        if kind == "n" and value.strip():
            return Number(value.strip())
        return value


class Workbook:
    """The sheets of an .xlsx (names in order); a sheet's cells are read on demand."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits, self.budget = limits, _Budget(limits)
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
            members = self.archive.infolist()
        except Exception as exc:  # zipfile raises several types for a file that is not a zip
            raise TableError("文件不是有效的 .xlsx 工作簿。") from exc
        if len(members) > MAX_MEMBERS:
            raise TableError("工作簿包含的部件过多，已拒绝。")
        if sum(i.file_size for i in members) > limits.inflated_bytes:  # cheap early refusal; not trusted
            raise TableError(f"工作簿解压后超过 {limits.inflated_bytes // (1024 * 1024)} MB，已拒绝。")
        self._names = {i.filename: i for i in members}
        book = self._target(self._relations("_rels/.rels"), "officeDocument", "", "xl/workbook.xml")
        self.sheets = self._sheet_parts(book)
        rels = self._relations(posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels"))
        self._strings_part = self._target(rels, "sharedStrings", posixpath.dirname(book), "")
        self._strings: list[str] | None = None

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def _chunks(self, name: str) -> Iterator[bytes]:
        info = self._names.get(name)
        if info is None:
            raise TableError(f"工作簿缺少部件 {name}，请用 Excel 或 WPS 重新保存后再试。")
        return _inflate(self.archive, info, self.budget)

    def _relations(self, name: str) -> dict[str, tuple[str, str]]:
        """Id → (type, target) of a relationship part; empty if the part is absent."""
        if name not in self._names:
            return {}
        found: dict[str, tuple[str, str]] = {}
        count = _Counter(MAX_PART_ELEMENTS, "工作簿的关系部件过大，已拒绝。")

        def start(tag: str, attrs: dict[str, str]) -> None:
            count.add()
            if _local(tag) == "Relationship":
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), attrs.get("Target", ""))

        _parse(self._chunks(name), name, start, lambda tag: None, None)
        return found

    @staticmethod
    def _target(rels: dict[str, tuple[str, str]], kind: str, base: str, default: str) -> str:
        for rel_type, target in rels.values():
            if rel_type.rsplit("/", 1)[-1] == kind:
                return posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(base, target))
        return default

    def _sheet_parts(self, book: str) -> dict[str, str]:
        base = posixpath.dirname(book)
        rels = self._relations(posixpath.join(base, "_rels", posixpath.basename(book) + ".rels"))
        sheets: dict[str, str] = {}
        count = _Counter(MAX_PART_ELEMENTS, "工作簿的目录部件过大，已拒绝。")

        def start(tag: str, attrs: dict[str, str]) -> None:
            count.add()
            if _local(tag) == "sheet":
                _type, target = rels.get(_attr(attrs, "id"), ("", ""))
                if target:
                    sheets[attrs.get("name", "")] = self._target({"": ("worksheet", target)}, "worksheet", base, "")

        _parse(self._chunks(book), book, start, lambda tag: None, None)
        if not sheets:
            raise TableError("工作簿中没有任何工作表。")
        return sheets

    def shared_strings(self) -> list[str]:
        if self._strings is None:
            reader = SharedStrings(self.limits)
            if self._strings_part and self._strings_part in self._names:
                _parse(self._chunks(self._strings_part), self._strings_part, reader.start, reader.end, reader.data)
            self._strings = reader.strings
        return self._strings

    def sheet(self, title: str) -> Sheet:
        """Every non-empty cell of a sheet (columns past the cap ignored), its merged ranges."""
        part = self.sheets[title]
        reader = SheetReader(Sheet(title), self.limits, self.shared_strings())
        _parse(self._chunks(part), part, reader.start, reader.end, reader.data)
        return reader.sheet

    def close(self) -> None:
        self.archive.close()
