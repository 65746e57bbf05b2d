"""Hostile .xlsx files built in memory: lying zip headers, bombs, huge rows, millions of strings.

Shared by the upload tests and ``bench/hostile_uploads.py``. The zip is written by hand so
its headers can say what an attacker wants them to say.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def deflate(chunks: Iterable[bytes]) -> tuple[bytes, int, int]:
    """Raw deflate of the chunks: (compressed, crc32, size) without holding the inflated bytes."""
    packer, out, crc, size = zlib.compressobj(9, zlib.DEFLATED, -15), [], 0, 0
    for chunk in chunks:
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        out.append(packer.compress(chunk))
    out.append(packer.flush())
    return b"".join(out), crc, size


def zip_bytes(members: dict[str, Iterable[bytes] | bytes], declared: dict[str, int] | None = None) -> bytes:
    """A zip of deflated members; ``declared`` overrides a member's stated size (a lying header)."""
    local, central, offset = [], [], 0
    for name, content in members.items():
        data, crc, size = deflate([content] if isinstance(content, bytes) else content)
        size = (declared or {}).get(name, size)
        raw = name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(raw), 0)
        local.append(header + raw + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size,
                                   len(raw), 0, 0, 0, 0, 0, offset) + raw)
        offset += len(header) + len(raw) + len(data)
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(local) + directory + end


def workbook(sheet: Iterable[bytes] | bytes, *, title: str = "指标进度", shared: Iterable[bytes] | bytes | None = None,
             declared: dict[str, int] | None = None) -> bytes:
    """A minimal .xlsx whose first sheet part is ``sheet`` (and shared strings, if given)."""
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="' + REL + b'worksheet" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="rId2" Type="' + REL + b'sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>")
    members: dict[str, Iterable[bytes] | bytes] = {
        "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       b'<Relationship Id="rId1" Type="' + REL + b'officeDocument" Target="xl/workbook.xml"/>'
                       b"</Relationships>",
        "xl/workbook.xml": b"<workbook " + NS + b" " + R_NS + b'><sheets><sheet name="' + title.encode()
                           + b'" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": rels,
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        members["xl/sharedStrings.xml"] = shared
    return zip_bytes(members, declared)


def sheet_of(rows: Iterable[bytes]) -> Iterable[bytes]:
    yield b"<worksheet " + NS + b"><sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def wide_row(cells: int, batch: int = 10_000) -> Iterable[bytes]:
    """One row of ``cells`` numeric cells (3 million: ~48 MB of XML, ~100 KB deflated)."""
    yield b'<row r="1">'
    for start in range(0, cells, batch):
        yield b"<c><v>1</v></c>" * min(batch, cells - start)
    yield b"</row>"


def many_strings(count: int, batch: int = 10_000) -> Iterable[bytes]:
    """A shared-strings part of ``count`` distinct strings."""
    yield b"<sst " + NS + b">"
    for start in range(0, count, batch):
        yield b"".join(b"<si><t>s%d</t></si>" % i for i in range(start, min(start + batch, count)))
    yield b"</sst>"


def understated_bomb(inflated: int, declared: int = 1024 * 1024) -> bytes:
    """A sheet whose zip headers say ``declared`` bytes while its data inflates to ``inflated``."""
    spaces = b" " * (1024 * 1024)
    body = [b"<worksheet " + NS + b"><sheetData>"] + [spaces] * (inflated // len(spaces)) + [b"</sheetData></worksheet>"]
    return workbook(body, declared={"xl/worksheets/sheet1.xml": declared})


def ratio_bomb(inflated: int) -> bytes:
    """Honest headers, but a ratio no real workbook has (whitespace inside the sheet)."""
    spaces = b" " * (1024 * 1024)
    return workbook([b"<worksheet " + NS + b"><sheetData>"] + [spaces] * (inflated // len(spaces))
                    + [b"</sheetData></worksheet>"])
