"""The form that starts an audit export: two GOV.UK date inputs (day, month, year), with GOV.UK's error
messages.

The form reads the dates; whether they make sense together (order, span) is the run kind's rule, checked by
the service, whose field messages `add_service_errors` puts back on the dates."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


class AuditExportForm(forms.Form):
    DATES = (("from", "Start date"), ("to", "End date"))

    def __init__(self, data=None):
        super().__init__(data, initial=self._last_month())
        for name, _legend in self.DATES:
            for part, _label, _width in PARTS:
                self.fields[f"{name}-{part}"] = forms.CharField(required=False)
        self.date_errors: dict[str, tuple[str, tuple[str, ...]]] = {}

    @staticmethod
    def _last_month() -> dict[str, int]:
        last = timezone.localdate().replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
        return {
            f"{name}-{part}": getattr(day, part)
            for name, day in (("from", first), ("to", last))
            for part, _label, _width in PARTS
        }

    def _date_error(self, name: str, message: str, parts) -> None:
        self.date_errors[name] = (message, tuple(parts))
        self.add_error(f"{name}-{parts[0]}", message)

    def _read_date(self, name: str, legend: str) -> date | None:
        values = {part: (self.cleaned_data.get(f"{name}-{part}") or "").strip() for part, _label, _width in PARTS}
        all_parts = [part for part, _label, _width in PARTS]
        missing = [part for part in all_parts if not values[part]]
        if len(missing) == len(all_parts):
            return self._date_error(name, f"Enter the {legend.lower()}", all_parts)
        if missing:
            return self._date_error(name, f"{legend} must include a {' and '.join(missing)}", missing)
        too_long = len(values["day"]) > 2 or len(values["month"]) > 2
        if too_long or not all(value.isdigit() for value in values.values()):
            return self._date_error(name, f"{legend} must be a real date", all_parts)
        if len(values["year"]) != 4:
            return self._date_error(name, "Year must include 4 numbers", ["year"])
        try:
            return date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            return self._date_error(name, f"{legend} must be a real date", all_parts)

    def clean(self):
        cleaned = super().clean()
        for name, legend in self.DATES:
            cleaned[name] = self._read_date(name, legend)
        return cleaned

    def parameters(self) -> dict[str, str]:
        return {name: self.cleaned_data[name].isoformat() for name, _legend in self.DATES}

    def add_service_errors(self, error: ValidationError) -> None:
        messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        for field, field_messages in messages.items():
            if field in dict(self.DATES):
                self._date_error(field, " ".join(field_messages), [part for part, _label, _width in PARTS])
            else:
                for message in field_messages:
                    self.add_error(None, message)

    def date_inputs(self) -> list[dict]:
        """What the template needs to draw each date input, with its error and the parts it concerns."""
        inputs = []
        for name, legend in self.DATES:
            message, error_parts = self.date_errors.get(name, (None, ()))
            parts = [
                {
                    "id": f"{name}-{part}",
                    "name": f"{name}-{part}",
                    "label": label,
                    "width": width,
                    "value": self[f"{name}-{part}"].value() or "",
                    "error": part in error_parts,
                }
                for part, label, width in PARTS
            ]
            inputs.append(
                {
                    "name": name,
                    "legend": legend,
                    "error": message,
                    "parts": parts,
                    "first_error_id": f"{name}-{error_parts[0]}" if error_parts else None,
                }
            )
        return inputs

    def error_summary(self) -> list[tuple[str, str | None]]:
        """(message, id of the input it links to) for the GOV.UK error summary, in the order of the page."""
        summary: list[tuple[str, str | None]] = [(message, None) for message in self.non_field_errors()]
        summary += [(d["error"], d["first_error_id"]) for d in self.date_inputs() if d["error"]]
        return summary
