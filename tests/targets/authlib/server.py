"""Target: Authlib (PyPI `authlib`) as an OAuth 2.1 authorization server for MCP,
with an MCP resource endpoint on the same origin, in Flask.

    AS (issuer):  http://127.0.0.1:4220
    MCP resource: http://127.0.0.1:4220/mcp

The OAuth protocol code is Authlib's own: the code grant (RFC 6749), PKCE
(RFC 7636), refresh with rotation, dynamic registration (RFC 7591), revocation
(RFC 7009), RFC 9068 JWT access tokens, the RFC 9207 `iss` parameter, the RFC
8414 metadata model, and the RFC 6750 resource protector. This file holds only
the storage (in memory, reset on restart) and the glue Authlib leaves to the
application:
  * auto-login of a fixed account ("test-user") and auto-consent, so the code
    flow completes without a browser;
  * open dynamic registration (any request may register);
  * the RFC 8707 `resource` parameter (Authlib does not implement RFC 8707):
    the resource named at /authorize is kept with the code and becomes the
    token's `aud`; an unknown resource is refused with `invalid_target`;
  * the RFC 9728 document, and `resource_metadata` added to the challenges
    Authlib's resource protector writes.
"""

import json
import os
import secrets
import time

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, grants
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientMetadataClaims, ClientRegistrationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator, JWTBearerTokenValidator
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask, Response, g, jsonify, request
from joserfc.jwk import ECKey, KeySet

HOST = "127.0.0.1"
PORT = int(os.environ.get("PORT", "4220"))
ISSUER = f"http://{HOST}:{PORT}"
MCP_URL = f"{ISSUER}/mcp"
PRM_URL = f"{ISSUER}/.well-known/oauth-protected-resource/mcp"
SCOPES = ["mcp:tools", "mcp:read"]
TEST_USER = "test-user"

KEY = ECKey.generate_key("P-256", parameters={"kid": "es256-test", "use": "sig", "alg": "ES256"}, private=True)
JWKS = KeySet([KEY])

app = Flask(__name__)

# ---- storage (in memory) ----
CLIENTS = {}
CODES = {}
TOKENS = {}  # refresh token -> record


class User:
    def get_user_id(self):
        return TEST_USER


class Client(ClientMixin):
    def __init__(self, info, metadata):
        self.client_id = info["client_id"]
        self.client_secret = info.get("client_secret")
        self.metadata = metadata

    @property
    def token_endpoint_auth_method(self):
        return self.metadata.get("token_endpoint_auth_method", "client_secret_basic")

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        uris = self.metadata.get("redirect_uris") or []
        return uris[0] if uris else None

    def get_allowed_scope(self, scope):
        if not scope:
            return ""
        allowed = set(scope_to_list(self.metadata.get("scope") or " ".join(SCOPES)))
        return list_to_scope([s for s in scope_to_list(scope) if s in allowed])

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in (self.metadata.get("redirect_uris") or [])

    def check_client_secret(self, client_secret):
        return bool(self.client_secret) and secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        if endpoint == "token":
            return self.token_endpoint_auth_method == method
        return True

    def check_response_type(self, response_type):
        return response_type in self.metadata.get("response_types", ["code"])

    def check_grant_type(self, grant_type):
        return grant_type in self.metadata.get("grant_types", ["authorization_code"])


class AuthorizationCode(AuthorizationCodeMixin):
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


class RefreshToken:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.scope

    def is_expired(self):
        return time.time() > self.expires_at

    def is_revoked(self):
        return self.revoked


def query_client(client_id):
    return CLIENTS.get(client_id)


def save_token(token, req):
    if token.get("refresh_token"):
        TOKENS[token["refresh_token"]] = RefreshToken(
            client_id=req.client.get_client_id(),
            scope=token.get("scope", ""),
            resource=getattr(g, "resource", None),
            expires_at=time.time() + 14 * 24 * 3600,
            revoked=False,
        )


# ---- RFC 8707 glue ----
def check_resource(value):
    if value is None:
        return None
    if value != MCP_URL:
        err = OAuth2Error(description="unknown resource")
        err.error = "invalid_target"
        err.status_code = 400
        raise err
    return value


class TokenGenerator(JWTBearerTokenGenerator):
    def get_jwks(self):
        return JWTS_PRIVATE

    def get_audiences(self, client, user, scope):
        # The resource the grant was made for; without one the client is the audience
        # (Authlib's default).
        return getattr(g, "resource", None) or client.get_client_id()


JWTS_PRIVATE = KeySet([KEY]).as_dict(private=True)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, req):
        try:
            resource = check_resource(req.payload.data.get("resource"))
        except OAuth2Error as err:
            err.redirect_uri = req.payload.redirect_uri or req.client.get_default_redirect_uri()
            err.redirect_fragment = False
            raise
        CODES[code] = AuthorizationCode(
            code=code,
            client_id=req.client.get_client_id(),
            redirect_uri=req.payload.redirect_uri,
            scope=req.payload.scope,
            user_id=TEST_USER,
            code_challenge=req.payload.data.get("code_challenge"),
            code_challenge_method=req.payload.data.get("code_challenge_method"),
            resource=resource,
            expires_at=time.time() + 60,
        )

    def query_authorization_code(self, code, client):
        item = CODES.get(code)
        if item and item.client_id == client.get_client_id() and time.time() < item.expires_at:
            asked = check_resource(self.request.form.get("resource"))
            if asked is not None and item.resource is not None and asked != item.resource:
                err = OAuth2Error(description="resource differs from the authorization request")
                err.error = "invalid_target"
                err.status_code = 400
                raise err
            g.resource = asked or item.resource
            return item
        return None

    def delete_authorization_code(self, authorization_code):
        CODES.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return User()


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        item = TOKENS.get(refresh_token)
        if item and not item.is_revoked() and not item.is_expired():
            item.token = refresh_token
            asked = check_resource(self.request.form.get("resource"))
            g.resource = asked or item.resource
            return item
        return None

    def authenticate_user(self, refresh_token):
        return User()

    def revoke_old_credential(self, refresh_token):
        refresh_token.revoked = True


class S256Only(CodeChallenge):
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class Issuer(IssuerParameter):
    def get_issuer(self):
        return ISSUER


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string, token_type_hint):
        item = TOKENS.get(token_string)
        if item:
            item.token = token_string
        return item

    def revoke_token(self, token, req):
        token.revoked = True


class Registration(ClientRegistrationEndpoint):
    def authenticate_token(self, req):
        return True  # open registration (test mode)

    def resolve_public_key(self, req):
        return None

    def get_server_metadata(self):
        return METADATA

    def generate_client_info(self, req):
        info = super().generate_client_info(req)
        if req.payload.data.get("token_endpoint_auth_method") == "none":
            info.pop("client_secret", None)
            info.pop("client_secret_expires_at", None)
        return info

    def save_client(self, client_info, client_metadata, req):
        client = Client(client_info, client_metadata)
        CLIENTS[client.client_id] = client
        return client


METADATA = AuthorizationServerMetadata(
    {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "registration_endpoint": f"{ISSUER}/register",
        "revocation_endpoint": f"{ISSUER}/revoke",
        "jwks_uri": f"{ISSUER}/jwks",
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
    }
)
METADATA.validate()

server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
server.register_token_generator(
    "default",
    TokenGenerator(ISSUER, alg="ES256", refresh_token_generator=lambda *a, **kw: generate_token(48)),
)
server.register_grant(AuthorizationCodeGrant, [S256Only(required=True)])
server.register_grant(RefreshTokenGrant)
server.register_endpoint(Revocation)
server.register_endpoint(Registration(claims_classes=[ClientMetadataClaims]))
server.register_extension(Issuer())


@app.route("/.well-known/oauth-authorization-server")
def as_metadata():
    return jsonify(dict(METADATA))


@app.route("/authorize", methods=["GET"])
def authorize():
    # Test mode: the fixed user is logged in and consents to everything.
    try:
        grant = server.get_consent_grant(end_user=User())
    except OAuth2Error as err:
        return server.handle_error_response(None, err)
    return server.create_authorization_response(grant_user=User(), grant=grant)


@app.route("/token", methods=["POST"])
def issue_token():
    return server.create_token_response()


@app.route("/revoke", methods=["POST"])
def revoke():
    return server.create_endpoint_response(RevocationEndpoint.ENDPOINT_NAME)


@app.route("/register", methods=["POST"])
def register():
    return server.create_endpoint_response(ClientRegistrationEndpoint.ENDPOINT_NAME)


@app.route("/jwks")
def jwks():
    return jsonify(JWKS.as_dict(private=False))


# ---- MCP resource ----
class Validator(JWTBearerTokenValidator):
    def get_jwks(self):
        return JWKS.as_dict(private=False)


require_oauth = ResourceProtector()
require_oauth.register_token_validator(Validator(ISSUER, MCP_URL, resource_metadata=PRM_URL))


@app.route("/.well-known/oauth-protected-resource/mcp")
def prm():
    return jsonify(
        {
            "resource": MCP_URL,
            "authorization_servers": [ISSUER],
            "scopes_supported": SCOPES,
            "bearer_methods_supported": ["header"],
            "resource_name": "Authlib target MCP resource",
        }
    )


def with_resource_metadata(response):
    # Authlib's challenge for a missing token carries no resource_metadata; add it.
    header = response.headers.get("WWW-Authenticate")
    if header and "resource_metadata=" not in header:
        sep = ", " if header.strip() != "Bearer" else " "
        response.headers["WWW-Authenticate"] = f'{header}{sep}resource_metadata="{PRM_URL}"'
    return response


@app.route("/mcp", methods=["GET", "POST", "DELETE"])
def mcp():
    try:
        require_oauth.acquire_token([])
    except OAuth2Error as error:
        # The response Authlib's Flask protector builds (raise_error_response), plus
        # the RFC 9728 pointer.
        response = Response(json.dumps(dict(error.get_body())), error.status_code, error.get_headers())
        return with_resource_metadata(response)
    if request.method != "POST":
        return "", 405, {"Allow": "POST"}
    body = request.get_json(silent=True) or {}
    rid = body.get("id")
    method = body.get("method")
    if method == "initialize":
        result = {
            "protocolVersion": "2025-06-18",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "authlib-target-rs", "version": "0.0.1"},
        }
        return jsonify({"jsonrpc": "2.0", "id": rid, "result": result})
    if method == "tools/list":
        tools = [{"name": "whoami", "inputSchema": {"type": "object"}}]
        return jsonify({"jsonrpc": "2.0", "id": rid, "result": {"tools": tools}})
    if method and method.startswith("notifications/"):
        return "", 202
    return jsonify({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "Method not found"}})

if __name__ == "__main__":
    app.run(host=HOST, port=PORT, threaded=True)
