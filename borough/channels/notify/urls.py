"""GOV.UK Notify's callbacks on a tenant's host (`/callbacks/notify/`)."""

from django.urls import path

from borough.channels.notify import views

app_name = "notify_callbacks"
urlpatterns = [
    path("delivery-status", views.delivery_status, name="delivery_status"),
    path("inbound-sms", views.inbound_sms, name="inbound_sms"),
]
