"""Reading a received message: headers, the text a person wrote, attachments. Never raises on bad MIME or
charsets: what cannot be read is replaced and said so, because the raw message is kept anyway."""

import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from django.utils.html import strip_tags

MESSAGE_ID = re.compile(r"<[^<>\s]{1,498}>")


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class ParsedEmail:
    from_address: str
    from_name: str
    subject: str
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str
    attachments: tuple[Attachment, ...]
    headers: dict[str, str]
    problems: tuple[str, ...] = field(default=())

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        value = message.get(name)
        return "" if value is None else " ".join(str(value).split())
    except Exception:  # noqa: BLE001 - a header the email package cannot decode: keep going without it
        problems.append(f"The {name} header could not be read")
        return ""


def _text_of(part: Message, problems: list[str]) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        problems.append(f"Text in an unknown or wrong character set ({charset}) was read with replacements")
        return payload.decode("utf-8", errors="replace")


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>|</h\d>", "\n", markup)
    text = html.unescape(strip_tags(markup))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _walk(message: Message, problems: list[str]) -> tuple[str, list[Attachment]]:
    plain: list[str] = []
    markup: list[str] = []
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        name = part.get_filename()
        if disposition == "attachment" or (name and not content_type.startswith("text/")):
            attachments.append(
                Attachment(name=str(name or "attachment"), content_type=content_type, content=_payload(part))
            )
        elif content_type == "text/plain":
            plain.append(_text_of(part, problems))
        elif content_type == "text/html":
            markup.append(_text_of(part, problems))
    text = "\n\n".join(plain) if plain else html_to_text("\n".join(markup))
    return text, attachments


def _payload(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _message_ids(value: str) -> tuple[str, ...]:
    return tuple(MESSAGE_ID.findall(value or ""))


def parse_email(raw: bytes) -> ParsedEmail:
    problems: list[str] = []
    message = message_from_bytes(raw, policy=policy.compat32)
    if message.defects:
        problems.append("The message is not well-formed MIME; what could be read was kept")
    name, address = parseaddr(_header(message, "From", problems))
    if not address and message.get_all("From"):
        problems.append("The sender's address could not be read")
    try:
        text, attachments = _walk(message, problems)
    except Exception:  # noqa: BLE001 - any MIME the email package chokes on: the raw message is kept for review
        problems.append("The body could not be read")
        text, attachments = "", []
    headers = {}
    for key in message:
        headers[key.lower()] = _header(message, key, problems)
    return ParsedEmail(
        from_address=address.strip().lower(),
        from_name=_decoded(name),
        subject=_decoded(_header(message, "Subject", problems))[:500],
        message_id=(_message_ids(_header(message, "Message-ID", problems)) or ("",))[0],
        in_reply_to=_message_ids(_header(message, "In-Reply-To", problems)),
        references=_message_ids(_header(message, "References", problems)),
        text=text.replace("\x00", ""),
        attachments=tuple(attachments),
        headers=headers,
        problems=tuple(problems),
    )


def _decoded(value: str) -> str:
    """RFC 2047 encoded words (=?utf-8?q?...?=) as text."""
    try:
        return str(EmailMessage(policy=policy.default).policy.header_factory("subject", value)).replace("\x00", "")
    except Exception:  # noqa: BLE001 - undecodable encoded words stay as they came
        return value.replace("\x00", "")


def recipients(value: str) -> list[str]:
    return [address.lower() for _name, address in getaddresses([value]) if address]
