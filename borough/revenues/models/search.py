"""What staff search looks up: each account's search keys (docs/adr/0009, docs/revenues.md "Staff pages")."""

from django.db import models

from borough.tenancy.models import TenantOwnedModel


class AccountSearchKey(TenantOwnedModel):
    """One key of an account's search index: a field of the account (a liable party's name, an address line, the
    town, the postcode, the firm name) in search form ("14 high street"), from each of its words to the end
    ("14 high street", "high street", "street"), so that any word, or words in order, is a prefix of a key. A
    prefix is a range on the (tenant, key) b-tree, which PostgreSQL can use under row-level security (ADR 0009).
    Written only by `borough.revenues.services.search.account_search_keys_refresh`."""

    class Field(models.TextChoices):
        NAME = "name", "Liable party"
        FIRM = "firm", "Firm name"
        ADDRESS = "address", "Address"
        TOWN = "town", "Town"
        POSTCODE = "postcode", "Postcode"

    account = models.ForeignKey("revenues.Account", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    field = models.CharField(max_length=10, choices=Field.choices)
    position = models.PositiveSmallIntegerField(help_text="The word of the field the key starts at (0: the first).")

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "key", "account"], name="searchkey_tenant_key"),
            models.Index(fields=["tenant", "account", "key"], name="searchkey_tenant_account"),
        ]

    def __str__(self) -> str:
        return self.key
