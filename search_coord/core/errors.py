"""One exception hierarchy for the whole domain; every edge maps it once to a status code."""


class SearchCoordError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"
    status = 400
    #: More for the client beyond the message (e.g. the overlapping reviews a warning is about).
    extra: dict | None = None

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message or self.__class__.__doc__ or self.code


class ValidationError(SearchCoordError):
    """One or more input fields are invalid; ``errors`` maps each field to its message."""

    code = "invalid"

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class GeometryError(SearchCoordError):
    """A geometry is not valid GeoJSON of the expected kind (ranges, rings, self-intersection, size)."""

    code = "invalid_geometry"


class ProbabilityError(SearchCoordError):
    """Probabilities, coverages or efforts are out of range or do not sum as they must."""

    code = "invalid_probability"


class UnknownCategoryError(SearchCoordError):
    """A lost-person category or terrain name is not one of the accepted names."""

    code = "unknown_category"


class NotFound(SearchCoordError):
    """The object asked for does not exist (or is not visible to the caller)."""

    code = "not_found"
    status = 404


class NotAuthenticated(SearchCoordError):
    """The caller is not logged in."""

    code = "not_authenticated"
    status = 401


class Forbidden(SearchCoordError):
    """The caller is logged in but may not do this."""

    code = "forbidden"
    status = 403


class Conflict(SearchCoordError):
    """The change is not allowed in the object's current state (e.g. a closed search, a done assignment)."""

    code = "conflict"
    status = 409


class OverlapWarning(Conflict):
    """The footage was already reviewed (or is being reviewed) by someone else; send again to confirm."""

    code = "overlap"

    def __init__(self, message: str, overlaps: list[dict]):
        super().__init__(message)
        self.extra = {"overlaps": overlaps}


class Unavailable(SearchCoordError):
    """A backing service (database, geocoder) is briefly unavailable; the request may be retried."""

    code = "unavailable"
    status = 503
