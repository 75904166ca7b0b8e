"""Cleaning an uploaded SVG logo before it is inlined into every page of a tenant's sites.

The logo is shown with `|safe`, so it must carry nothing that runs or fetches: only an allow-list of drawing
elements survives, event-handler (`on*`) attributes go, and links may point only inside the document (`#id`).
Entity declarations are refused outright (no entity expansion, no external entities).
"""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPE/ENTITY are refused before parsing, see below

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_LOGO_BYTES = 100 * 1024

_SHAPES = {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon"}
_STRUCTURE = {"svg", "g", "defs", "symbol", "use", "title", "desc", "text", "tspan"}
_PAINT = {"linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern"}
ALLOWED_ELEMENTS = frozenset(_SHAPES | _STRUCTURE | _PAINT)
LINK_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class SvgError(ValueError):
    """The file is not an SVG image we can use."""


def _local_name(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _clean_attributes(element: ET.Element) -> None:
    for attribute in list(element.attrib):
        namespace, name = _local_name(attribute)
        value = element.attrib[attribute].strip()
        drop = (
            name.lower().startswith("on")
            or (namespace not in (None, XLINK_NS))
            or (attribute in LINK_ATTRIBUTES and not value.startswith("#"))
            or "javascript:" in value.lower().replace(" ", "")
        )
        if drop:
            del element.attrib[attribute]


def _clean_children(element: ET.Element, svg_namespace: str | None) -> None:
    for child in list(element):
        if not isinstance(child.tag, str):  # a comment or processing instruction
            element.remove(child)
            continue
        namespace, name = _local_name(child.tag)
        if namespace != svg_namespace or name not in ALLOWED_ELEMENTS:
            element.remove(child)  # <script>, <foreignObject>, <style>, <animate>, ... and all they contain
            continue
        _clean_attributes(child)
        _clean_children(child, svg_namespace)


def sanitise_svg(data: bytes) -> str:
    """The cleaned SVG as text, or SvgError saying what is wrong with the file."""
    if len(data) > MAX_LOGO_BYTES:
        raise SvgError("The logo must be 100 kB or smaller.")
    try:
        # Parsed as text: the parser reads UTF-8 whatever the file declares, and the check below sees it all.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SvgError("The logo must be an SVG file saved as UTF-8 text.") from error
    if _DECLARATION.search(text):
        raise SvgError("The logo must not contain a DOCTYPE or entity declarations.")
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DOCTYPE, so no entities to expand or fetch
    except ET.ParseError as error:
        raise SvgError("The logo is not a well-formed SVG file.") from error
    namespace, name = _local_name(root.tag)
    if name != "svg" or namespace not in (SVG_NS, None):
        raise SvgError("The logo must be an SVG image (its root element must be <svg>).")
    _clean_attributes(root)
    _clean_children(root, namespace)  # a file without xmlns is read as SVG too, as browsers do inline
    # Serialise as <svg xmlns=...> and xlink:href, not ns0:/ns1:. ElementTree's prefix registry is process-wide
    # and other libraries (WeasyPrint) change it, so it is set again right before each use.
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="unicode")
