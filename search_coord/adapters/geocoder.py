"""geopy geocoders behind one small interface: ``lookup(query) -> [{"label", "lon", "lat"}]``."""
from __future__ import annotations


class GeopyGeocoder:
    """Wraps a geopy geocoder (Nominatim by default) with our user agent, a timeout and a rate limit."""

    def __init__(self, name: str = "nominatim", user_agent: str = "search-coord", timeout: float = 5.0,
                 min_delay_seconds: float = 1.0, **options):
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import get_geocoder_for_service

        cls = get_geocoder_for_service(name)
        self._geocoder = cls(user_agent=user_agent, timeout=timeout, **options)
        self._geocode = RateLimiter(self._geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=1,
                                    swallow_exceptions=False)

    def lookup(self, query: str, limit: int = 5) -> list[dict]:
        found = self._geocode(query, exactly_one=False, limit=limit) or []
        return [{"label": loc.address, "lon": loc.longitude, "lat": loc.latitude} for loc in found]


class FakeGeocoder:
    """A fixed gazetteer for tests and demos: matches a query by substring."""

    def __init__(self, places: dict[str, tuple[float, float]]):
        self.places = places
        self.queries: list[str] = []

    def lookup(self, query: str, limit: int = 5) -> list[dict]:
        self.queries.append(query)
        q = query.lower()
        return [{"label": name, "lon": lon, "lat": lat}
                for name, (lon, lat) in self.places.items() if q in name.lower()][:limit]
