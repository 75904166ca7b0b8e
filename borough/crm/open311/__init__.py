"""Open311 GeoReport v2 at /open311/v2/, per tenant (the host name, or `jurisdiction_id`), in XML and JSON.

The spec's resources (discovery, services, service definitions, requests, tokens) and FixMyStreet's
`servicerequestupdates` extension. Cases are created and changed only through `borough.crm.services`; this package
parses the spec's request shapes, checks the `api_key` (a tenant API key with the `open311` scope) and renders the
spec's answers and error bodies.

Only cases of services that need a location (street-scene reports, what GeoReport is for) are published by the
GET resources; enquiries about a resident's own affairs (council tax, benefits) never are.
"""
