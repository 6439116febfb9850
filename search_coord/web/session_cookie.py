"""The signed session cookie (Flask's), sent again only when it changed or is at least ``REFRESH_AFTER_S`` old.

Sessions are permanent and slide: a cookie is good for ``PERMANENT_SESSION_LIFETIME`` after it was last signed, so
an officer on shift stays logged in while the phone talks to the server. Flask keeps the cookie sliding by signing
it again for every response; a phone sending its fixes every second then had a new signature made (and a
``Set-Cookie`` sent) each second, on the path whose latency every dispatcher's map waits on. Here an unchanged
cookie is signed again once it is ``REFRESH_AFTER_S`` old: the session still ends that lifetime after the last
request, give or take that interval. A changed session (login, logout, a new CSRF token) is sent at once, as before.

Since the cookie stays the same for that minute, a cookie whose signature was checked lately is remembered
(``VERIFIED_MAX`` of them, by the cookie's whole text and the app's keys) and not checked again; its age is still
checked on every request. Only cookies that verified are remembered, and only those holding plain values (each
request gets its own copy).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timezone

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

#: An unchanged cookie is signed and sent again once it is this old (s).
REFRESH_AFTER_S = 60.0
#: Cookies whose signature was checked, remembered at most (the least recently used is forgotten).
VERIFIED_MAX = 1024
_PLAIN = (str, int, float, bool, type(None))


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SignedSession(SecureCookieSession):
    """Flask's cookie session, with when its cookie was signed (``signed_at``, aware UTC; None for a new one)."""

    signed_at: datetime | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie sessions (``SecureCookieSessionInterface``), refreshed at most every
    ``REFRESH_AFTER_S`` when unchanged (``SESSION_REFRESH_EACH_REQUEST`` false: as Flask, never)."""

    session_class = SignedSession

    def __init__(self):
        self._verified: OrderedDict[tuple, tuple[dict, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        if not app.secret_key:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()), value)
        with self._lock:
            known = self._verified.get(key)
            if known is not None:
                self._verified.move_to_end(key)
        if known is None:
            try:   # the signature only: the age is checked below, for a remembered cookie too
                known = self.get_signing_serializer(app).loads(value, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if isinstance(known[0], dict) and all(isinstance(v, _PLAIN) for v in known[0].values()):
                with self._lock:
                    self._verified[key] = known
                    while len(self._verified) > VERIFIED_MAX:
                        self._verified.popitem(last=False)
        data, signed_at = known
        age = (_now() - signed_at).total_seconds()
        if not 0 <= age <= app.permanent_session_lifetime.total_seconds():   # expired (or signed in the future)
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SignedSession) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or (_now() - signed_at).total_seconds() >= REFRESH_AFTER_S


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
