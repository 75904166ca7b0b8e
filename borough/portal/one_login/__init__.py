"""Residents sign in with GOV.UK One Login (OpenID Connect, ADR 0021).

`provider.py` speaks One Login's documented flow (discovery, authorisation request, token request with a
`private_key_jwt` client assertion, ID token validation, userinfo, end session); `services.py` sets a tenant's
client up and records sign-ins and account links; `views.py` are the /sign-in/ pages.
"""
