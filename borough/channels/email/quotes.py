"""The new text of a reply, without the history it quotes: everything from the first quote marker on is dropped
(`>` lines, "On ... wrote:", Outlook's "-----Original Message-----" or "From: ... Sent: ..." block), and the
signature after "-- ". If that leaves nothing, the whole text is kept: losing what a resident wrote is worse."""

import re

MARKERS = [
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*Ar\b.{0,300}\bysgrifennodd\b.*:\s*$", re.IGNORECASE),  # Welsh mail clients
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above the quoted header block
    re.compile(r"^\s*From:\s.+$", re.IGNORECASE),  # a quoted header block: From:, then Sent: or Date:
    re.compile(r"^\s*Sent from my \w+", re.IGNORECASE),
    re.compile(r"^-- $"),
]


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    if line.lstrip().startswith(">"):
        return True
    for marker in MARKERS:
        if marker.match(line):
            if marker.pattern.startswith(r"^\s*From:"):
                following = " ".join(lines[index + 1 : index + 4]).lower()
                return "sent:" in following or "date:" in following
            return True
    return False


def new_text(text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    for index in range(len(lines)):
        if _starts_quote(lines, index):
            kept = "\n".join(lines[:index]).strip()
            return kept or text.strip()
    return text.strip()
