"""Target: FastMCP's OAuth proxy (PyPI `fastmcp`) in front of an upstream identity provider
on another origin.

    MCP server, proxy AS (issuer): http://127.0.0.1:4260   (MCP at /mcp)
    upstream IdP:                  http://127.0.0.1:4261   (authspec's reference server with
                                                            a login form, started by start.sh)

The OAuth code of the proxy is FastMCP's own (`fastmcp.server.auth.OAuthProxy`): the RFC 8414
metadata, open dynamic registration (RFC 7591), the authorization endpoint with PKCE (S256),
its consent page (CSRF token plus a cookie that binds the browser), the redirect to the
upstream IdP with the proxy's own PKCE, the callback that exchanges the upstream code, the
token endpoint that issues FastMCP's own JWTs (a reference to the upstream token) with refresh,
revocation, the RFC 9728 document and the Bearer challenge of the MCP endpoint, which checks
each FastMCP JWT and then validates the upstream token it stands for.

Glue here, because FastMCP leaves it to the application:
  * the upstream client (pre-registered at the IdP by start.sh with `--client`) and the
    verifier of upstream tokens (`JWTVerifier` on the IdP's JWKS, issuer and scope);
  * in-memory storage (FastMCP's default is an encrypted file store in the home folder);
  * one tool, so the MCP endpoint has something to list.
"""

import os

from fastmcp import FastMCP
from fastmcp.server.auth import OAuthProxy
from fastmcp.server.auth.providers.jwt import JWTVerifier
from key_value.aio.stores.memory import MemoryStore

HOST = "127.0.0.1"
PORT = int(os.environ.get("PORT", "4260"))
BASE = f"http://{HOST}:{PORT}"
UPSTREAM = os.environ.get("UPSTREAM", "http://127.0.0.1:4261")
SCOPES = ["mcp:tools", "mcp:read"]

verifier = JWTVerifier(
    jwks_uri=f"{UPSTREAM}/jwks.json",
    issuer=UPSTREAM,
    algorithm="ES256",  # the IdP signs with ES256; JWTVerifier defaults to RS256
    required_scopes=["mcp:tools"],
)

auth = OAuthProxy(
    upstream_authorization_endpoint=f"{UPSTREAM}/authorize",
    upstream_token_endpoint=f"{UPSTREAM}/token",
    upstream_revocation_endpoint=f"{UPSTREAM}/revoke",
    upstream_client_id="fastmcp-proxy",
    upstream_client_secret=os.environ["UPSTREAM_CLIENT_SECRET"],
    token_verifier=verifier,
    base_url=BASE,
    valid_scopes=SCOPES,
    # The upstream IdP knows only its own resource; the proxy's resource stays with the proxy.
    forward_resource=False,
    client_storage=MemoryStore(),
    jwt_signing_key=os.environ["JWT_SIGNING_KEY"],
    require_authorization_consent=True,
)

mcp = FastMCP("fastmcp-oauth-proxy-target", auth=auth)


@mcp.tool
def whoami() -> str:
    """Says who the token belongs to."""
    return "a user of the upstream IdP"


if __name__ == "__main__":
    mcp.run(transport="http", host=HOST, port=PORT, show_banner=False)
