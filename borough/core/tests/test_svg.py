"""The uploaded logo is inlined with |safe on every page of a tenant's sites: nothing that runs survives."""

import pytest

from borough.core.svg import MAX_LOGO_BYTES, SvgError, sanitise_svg

HOSTILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"
     onload="alert(1)">
  <script>alert("script")</script>
  <script xlink:href="https://evil.example/x.js"/>
  <g OnClick="alert(2)"><rect width="10" height="10" fill="#00703c"/></g>
  <a href="javascript:alert(3)"><text>link</text></a>
  <use xlink:href="#shape"/><use href="https://evil.example/sprite.svg#x"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml" onclick="alert(4)">html</div></foreignObject>
  <style>body { display: none }</style>
  <animate attributeName="href" to="javascript:alert(5)"/>
  <circle cx="5" cy="5" r="2" fill="#fff"/>
</svg>"""


def test_scripts_handlers_and_outside_links_are_removed_and_drawing_is_kept():
    clean = sanitise_svg(HOSTILE)
    lowered = clean.lower()
    for bad in (
        "<script",
        "onload",
        "onclick",
        "javascript:",
        "foreignobject",
        "<style",
        "<animate",
        "evil.example",
    ):
        assert bad not in lowered, bad
    assert clean.startswith("<svg")
    assert 'fill="#00703c"' in clean and "<circle" in clean
    assert 'xlink:href="#shape"' in clean
    assert "ns0:" not in clean


def test_an_svg_without_a_namespace_is_cleaned_too():
    clean = sanitise_svg(b'<svg viewBox="0 0 1 1" onload="x()"><script>x()</script><path d="M0 0h1v1z"/></svg>')
    assert "script" not in clean and "onload" not in clean and "<path" in clean


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg><g></svg>", "not a well-formed"),
        (b"just text", "not a well-formed"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "root element must be <svg>"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "DOCTYPE"),
        (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg/>', "DOCTYPE"),
        ("<svg>é</svg>".encode("latin-1"), "UTF-8"),
        (b"<svg>" + b" " * MAX_LOGO_BYTES + b"</svg>", "100 kB"),
    ],
)
def test_what_is_not_a_usable_svg_is_refused_with_a_reason(data, message):
    with pytest.raises(SvgError, match=message):
        sanitise_svg(data)
