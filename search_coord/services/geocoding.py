"""Address lookup through the configured geocoder adapter (none configured: the feature says so)."""
from __future__ import annotations

from ..core.errors import SearchCoordError, Unavailable, ValidationError
from .context import Actor, Services


class GeocoderNotConfigured(SearchCoordError):
    """No geocoder is configured on this server; type coordinates or click the map instead."""

    code = "geocoder_not_configured"
    status = 501


def geocode(svc: Services, actor: Actor, query) -> list[dict]:
    if not isinstance(query, str) or not 2 <= len(query.strip()) <= 200:
        raise ValidationError({"q": "must be an address of 2 to 200 characters"})
    if svc.geocoder is None:
        raise GeocoderNotConfigured(GeocoderNotConfigured.__doc__)
    try:
        results = svc.geocoder.lookup(query.strip())
    except Exception as exc:  # the adapter turns geopy's errors into this; anything else is the service failing
        raise Unavailable(f"the address lookup failed: {exc}") from exc
    return results
