"""The signed session cookie (Flask's), sent again only when it changed or is at least ``REFRESH_AFTER_S`` old.

Sessions are permanent and slide: a cookie is good for ``PERMANENT_SESSION_LIFETIME`` after it was last signed, so
an officer on shift stays logged in while the phone talks to the server. Flask keeps the cookie sliding by signing
it again for every response; a phone sending its fixes every second then had a new signature made (and a
``Set-Cookie`` sent) each second, on the path whose latency every dispatcher's map waits on. Here an unchanged
cookie is signed again once it is ``REFRESH_AFTER_S`` old: the session still ends that lifetime after the last
request, give or take that interval. A changed session (login, logout, a new CSRF token) is sent at once, as before.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

#: An unchanged cookie is signed and sent again once it is this old (s).
REFRESH_AFTER_S = 60.0


class SignedSession(SecureCookieSession):
    """Flask's cookie session, with when its cookie was signed (``signed_at``, aware UTC; None for a new one)."""

    signed_at: datetime | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie sessions (``SecureCookieSessionInterface``), refreshed at most every
    ``REFRESH_AFTER_S`` when unchanged (``SESSION_REFRESH_EACH_REQUEST`` false: as Flask, never)."""

    session_class = SignedSession

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()),
                                               return_timestamp=True)
        except BadSignature:   # (an expired one too)
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
        return signed_at is None or (datetime.now(timezone.utc) - signed_at).total_seconds() >= REFRESH_AFTER_S


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
