"""What the channels learn from the rest of Borough: every email sent about a case (an outbound Interaction that
carries its Message-ID) is remembered, so that the resident's reply finds the case by its In-Reply-To header even
when the subject lost the reference."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from borough.channels.email.threading import thread_remember
from borough.crm.models import Interaction
from borough.people.models import Channel


@receiver(post_save, sender=Interaction)
def remember_outbound_email(sender, instance: Interaction, created: bool, **kwargs) -> None:
    if not created or instance.case_id is None or instance.channel != Channel.EMAIL:
        return
    if instance.direction != Interaction.Direction.OUTBOUND:
        return
    message_id = (instance.data or {}).get("message_id")
    if isinstance(message_id, str) and message_id:
        thread_remember(instance.case.tenant, message_id, instance.case)
