"""GOV.UK Pay's webhook on a tenant's host: /callbacks/pay/."""

from django.urls import path

from borough.revenues.payments import callbacks

app_name = "pay_callbacks"
urlpatterns = [path("webhook", callbacks.webhook, name="webhook")]
