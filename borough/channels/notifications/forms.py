"""Forms of the notification settings and template pages. Services do the real validation; forms parse and
explain (a template's placeholders are checked here too, so that a preview shows the same errors as a save)."""

from django import forms

from borough.channels.notifications.events import Event, NotifyChannel
from borough.channels.notifications.services import check_template


class SettingsForm(forms.Form):
    bilingual = forms.BooleanField(required=False, label="Write to residents in English and Welsh")
    both_languages_in_email = forms.BooleanField(
        required=False, label="Email residents who have not chosen Welsh in both languages, Welsh first"
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Tell residents when",
        help_text="Residents are told on their preferred channel, where they have agreed to it.",
    )
    survey_url = forms.CharField(
        required=False,
        max_length=500,
        label="Survey address (optional)",
        help_text="A survey of your own, starting with https://. ((reference)) in it is replaced by the case "
        "reference. Leave it empty to use the feedback page of your site.",
    )


class TemplateForm(forms.Form):
    subject = forms.CharField(required=False, max_length=200, label="Subject")
    body = forms.CharField(required=False, widget=forms.Textarea, max_length=5000, label="Message")

    def __init__(self, *args, event: str, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.event, self.channel = event, channel
        if channel == NotifyChannel.SMS:
            del self.fields["subject"]

    def clean(self):
        data = super().clean()
        subject, body = data.get("subject", ""), data.get("body", "")
        problems = check_template(event=self.event, channel=self.channel, subject=subject or "", body=body or "")
        for field, messages in problems.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)
        return data
