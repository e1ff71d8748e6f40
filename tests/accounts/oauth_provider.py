"""A small OAuth 2.0 authorization server for the sign-in tests, served on a free local port
in a thread: `/authorize` approves at once for the `user` it is told to be, `/token` trades a
code once for an access token (client secret, redirect URI and PKCE S256 verifier checked),
`/users/@me` answers Discord's shape of user info for a bearer token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "deltacrown-test-client"
CLIENT_SECRET = "local-provider-secret"  # noqa: S105 (a test fixture)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LocalProvider:
    def __init__(self) -> None:
        self.user: dict[str, Any] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.used_codes: set[str] = set()
        self.tokens: dict[str, dict[str, Any]] = {}
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def settings(self) -> dict[str, str]:
        return {
            "DISCORD_CLIENT_ID": CLIENT_ID,
            "DISCORD_CLIENT_SECRET": CLIENT_SECRET,
            "DISCORD_AUTHORIZE_URL": f"{self.url}/authorize",
            "DISCORD_TOKEN_URL": f"{self.url}/token",
            "DISCORD_USERINFO_URL": f"{self.url}/users/@me",
        }

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        handler = {
            "/authorize": self.authorize,
            "/token": self.token,
            "/users/@me": self.userinfo,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code":
            return Response("unknown client", status=400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return Response("PKCE S256 required", status=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": args["redirect_uri"],
            "challenge": args["code_challenge"],
            "user": dict(self.user),
        }
        query = urlencode({"code": code, "state": args.get("state", "")})
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{query}"})

    def _error(self, error: str) -> Response:
        return Response(json.dumps({"error": error}), status=400, content_type="application/json")

    def token(self, request: Request) -> Response:
        auth = request.authorization
        client = (auth.username, auth.password) if auth else (None, None)
        if client != (CLIENT_ID, CLIENT_SECRET):
            return self._error("invalid_client")
        form = request.form
        code = form.get("code", "")
        if form.get("grant_type") != "authorization_code" or code in self.used_codes:
            return self._error("invalid_grant")
        grant = self.codes.pop(code, None)
        if grant is None:
            return self._error("invalid_grant")
        self.used_codes.add(code)
        verifier = form.get("code_verifier") or ""
        if form.get("redirect_uri") != grant["redirect_uri"] or not hmac.compare_digest(
            s256(verifier), grant["challenge"]
        ):
            return self._error("invalid_grant")
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant["user"]
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 600}
        return Response(json.dumps(body), content_type="application/json")

    def userinfo(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        user = self.tokens.get(header.removeprefix("Bearer "))
        if user is None:
            return Response('{"message": "401: Unauthorized"}', status=401)
        return Response(json.dumps(user), content_type="application/json")

    def __enter__(self) -> LocalProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
