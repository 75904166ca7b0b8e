"""The text of a PDF that WeasyPrint wrote, page by page: enough of PDF to check what a bill says.

WeasyPrint (pydyf) keeps most objects in compressed object streams, draws text as glyph ids in TJ arrays, and maps
glyph ids back to characters with each font's ToUnicode CMap; this reads exactly that, nothing more.
"""

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream\s*$", re.S)
REF = r"(\d+) 0 R"


def pdf_objects(pdf: bytes) -> dict[int, tuple[str, bytes]]:
    """Object number -> (its dictionary as text, its decompressed stream or b"")."""
    objects: dict[int, tuple[str, bytes]] = {}
    for match in OBJECT.finditer(pdf):
        body = match.group(2)
        stream = STREAM.match(body)
        if stream:
            head, data = stream.group(1), stream.group(2)
            if b"/FlateDecode" in head:
                data = zlib.decompress(data)
            objects[int(match.group(1))] = (head.decode("latin-1"), data)
        else:
            objects[int(match.group(1))] = (body.decode("latin-1"), b"")
    for head, data in list(objects.values()):
        if "/Type /ObjStm" in head:
            first = int(re.search(r"/First (\d+)", head).group(1))
            numbers = [int(n) for n in data[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - first
                objects[number] = (data[first + offset : first + end].decode("latin-1"), b"")
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    text = data.decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, unicode in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(unicode).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, start in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(int(start, 16) + offset)
    return mapping


def _fonts(objects) -> dict[str, dict[int, str]]:
    """Font resource name -> its glyph-to-text map (WeasyPrint names each font uniquely in a document). The
    resource dictionaries may be inline or objects of their own, so every `/Name n 0 R` naming a font counts."""
    maps = {}
    for number, (head, _data) in objects.items():
        to_unicode = re.search(r"/ToUnicode " + REF, head)
        if "/Type /Font" in head and to_unicode:
            maps[number] = _cmap(objects[int(to_unicode.group(1))][1])
    fonts = {}
    for head, _data in objects.values():
        for name, number in re.findall(r"/([\w.+-]+) " + REF, head):
            if int(number) in maps:
                fonts[name] = maps[int(number)]
    return fonts


def _page_text(content: bytes, fonts: dict[str, dict[int, str]]) -> str:
    runs, mapping = [], {}
    text = content.decode("latin-1")
    for match in re.finditer(r"/([\w.+-]+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", text, re.S):
        if match.group(1):
            mapping = fonts.get(match.group(1), {})
            continue
        hexes = re.findall(r"<([0-9a-fA-F]*)>", match.group(2)) if match.group(2) is not None else [match.group(3)]
        glyphs = "".join(hexes)
        runs.append("".join(mapping.get(int(glyphs[i : i + 4], 16), "") for i in range(0, len(glyphs), 4)))
    return " ".join(" ".join(runs).split())


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, whitespace collapsed, in page order."""
    objects = pdf_objects(pdf)
    fonts = _fonts(objects)
    root = next(head for head, _ in objects.values() if "/Type /Pages" in head and "/Parent" not in head)
    kids = [int(n) for n in re.findall(REF, re.search(r"/Kids \[(.*?)\]", root, re.S).group(1))]
    pages = []
    for number in kids:
        head = objects[number][0]
        contents = re.search(r"/Contents (?:\[(.*?)\]|(\d+ 0 R))", head, re.S)
        refs = re.findall(REF, contents.group(1) or contents.group(2))
        pages.append(" ".join(_page_text(objects[int(ref)][1], fonts) for ref in refs))
    return pages


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages(pdf))
