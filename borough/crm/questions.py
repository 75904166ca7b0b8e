"""Answers to a service's questions: from what a form or an Open311 `attribute[code]` sends (strings, or lists of
strings for multiple choice) to typed values stored on the case.

    clean_answers(service, {"bin_type": "general", "collection_day": "2026-01-19"})
    -> {"bin_type": "general", "collection_day": "2026-01-19"}

Numbers become int (or float when they have a fraction), dates and times ISO 8601 strings, single choices the
choice's key, multiple choices a list of keys. Answers to codes the service does not ask are ignored (Open311
clients such as FixMyStreet send extra attributes of their own). Every problem is reported at once, as
ValidationError({"answers.<code>": message}).
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from borough.crm.models import Service, ServiceQuestion

Kind = ServiceQuestion.Kind
MAX_TEXT = 2000
MAX_NUMBER = Decimal("1e12")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list | tuple):
        return all(_blank(item) for item in value)
    return isinstance(value, str) and not value.strip()


def _one(value: Any) -> str:
    """A single value as text; a list of one is accepted (forms send lists), more than one is not."""
    if isinstance(value, list | tuple):
        values = [item for item in value if not _blank(item)]
        if len(values) != 1:
            raise ValueError("Give one answer")
        value = values[0]
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("Give the answer as text")
    return str(value).strip()


def _number(value: Any) -> int | float:
    text = _one(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter a number, like 12 or 2.5") from None
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise ValueError("Enter a number, like 12 or 2.5")
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _datetime(value: Any) -> str:
    text = _one(value)
    try:
        if len(text) <= 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        raise ValueError("Enter a date like 2026-01-19, or a date and time like 2026-01-19 07:30") from None
    return moment.isoformat(timespec="minutes")


def _choices(question: ServiceQuestion) -> dict[str, str]:
    return {str(choice["key"]): str(choice.get("name", choice["key"])) for choice in question.choices or []}


def _choice(question: ServiceQuestion, text: str) -> str:
    choices = _choices(question)
    if text in choices:
        return text
    by_name = {name.casefold(): key for key, name in choices.items()}
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    raise ValueError(f"“{text}” is not one of the choices: {', '.join(choices.values())}")


def _multi(question: ServiceQuestion, value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    keys: list[str] = []
    for item in items:
        if _blank(item):
            continue
        key = _choice(question, _one(item))
        if key not in keys:
            keys.append(key)
    return keys


def _text(value: Any) -> str:
    text = _one(value)
    if len(text) > MAX_TEXT:
        raise ValueError(f"Use {MAX_TEXT} characters or fewer (this has {len(text)})")
    return text


def clean_answer(question: ServiceQuestion, value: Any) -> Any:
    """One answer, typed; ValueError with a message for the person answering."""
    if question.kind == Kind.NUMBER:
        return _number(value)
    if question.kind == Kind.DATETIME:
        return _datetime(value)
    if question.kind == Kind.SINGLE_CHOICE:
        return _choice(question, _one(value))
    if question.kind == Kind.MULTI_CHOICE:
        return _multi(question, value)
    return _text(value)


def _missing_message(question: ServiceQuestion) -> str:
    verb = "Select" if question.kind in (Kind.SINGLE_CHOICE, Kind.MULTI_CHOICE) else "Enter"
    return f"{verb} an answer to “{question.prompt}”"


def clean_answers(service: Service, raw: dict[str, Any] | None, *, questions=None) -> dict[str, Any]:
    """Typed answers to `service`'s questions; ValidationError({"answers.<code>": message}) for every problem."""
    if raw is not None and not isinstance(raw, dict):
        raise ValidationError({"answers": "Give the answers as an object of question code to answer"})
    raw = raw or {}
    questions = questions if questions is not None else list(service.questions.all())
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in questions:
        value = raw.get(question.code)
        if _blank(value):
            if question.required:
                errors[f"answers.{question.code}"] = _missing_message(question)
            continue
        try:
            answer = clean_answer(question, value)
        except ValueError as error:
            errors[f"answers.{question.code}"] = str(error)
            continue
        if answer == [] and question.required:
            errors[f"answers.{question.code}"] = _missing_message(question)
        elif answer != []:
            cleaned[question.code] = answer
    if errors:
        raise ValidationError(errors)
    return cleaned
