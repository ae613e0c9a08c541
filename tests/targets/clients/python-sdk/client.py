"""The official MCP Python SDK client (PyPI `mcp`), driven headlessly through the whole OAuth
flow: the SDK's OAuthClientProvider does discovery, registration, PKCE, the token request, the
RFC 9207 check and step-up; this launcher only plays the user agent. Its "browser" fetches the
authorization URL without following the redirect and hands the SDK the code, state and iss
from Location (the server under test approves by itself).

Usage: python client.py MCP-URL. The client has a Client ID Metadata Document
(AUTHSPEC_CLIENT_METADATA_URL, empty for none). MCP_CONFORMANCE_CONTEXT may carry pre-registered credentials
(client_id, client_secret); MCP_CONFORMANCE_PROTOCOL_VERSION picks the wire model (a 2025
revision: initialize; otherwise the SDK's own negotiation).
"""

import asyncio
import json
import os
import sys
from urllib.parse import parse_qs, urlparse

import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

REDIRECT = "http://127.0.0.1:3000/callback"
# The client's Client ID Metadata Document: the URL the official conformance tool has clients
# use, which `authspec client` knows. The SDK uses it as client_id where the authorization
# server advertises client_id_metadata_document_supported, and registers (DCR) otherwise.
CLIENT_METADATA_URL = os.environ.get(
    "AUTHSPEC_CLIENT_METADATA_URL", "https://conformance-test.local/client-metadata.json"
)


class MemoryStorage(TokenStorage):
    def __init__(self, client_info: OAuthClientInformationFull | None):
        self.tokens: OAuthToken | None = None
        self.client_info = client_info

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class HeadlessBrowser:
    """Fetches the authorization URL and keeps the redirect's parameters for the SDK."""

    def __init__(self) -> None:
        self.result: AuthorizationCodeResult | None = None

    async def redirect(self, authorization_url: str) -> None:
        async with httpx2.AsyncClient(follow_redirects=False) as http:
            response = await http.get(authorization_url)
        location = response.headers.get("location")
        if not location:
            raise RuntimeError(f"the authorization endpoint answered {response.status_code} without a redirect")
        query = parse_qs(urlparse(location).query)
        first = lambda k: query.get(k, [None])[0]  # noqa: E731
        if not first("code"):
            raise RuntimeError(f"the redirect carries no code (error {first('error')})")
        self.result = AuthorizationCodeResult(code=first("code"), state=first("state"), iss=first("iss"))

    async def callback(self) -> AuthorizationCodeResult:
        if self.result is None:
            raise RuntimeError("no authorization response")
        result, self.result = self.result, None
        return result


async def main(url: str) -> int:
    context = json.loads(os.environ.get("MCP_CONFORMANCE_CONTEXT") or "{}")
    version = os.environ.get("MCP_CONFORMANCE_PROTOCOL_VERSION", "")
    client_info = None
    if context.get("client_id"):
        client_info = OAuthClientInformationFull(
            client_id=context["client_id"],
            client_secret=context.get("client_secret"),
            redirect_uris=[REDIRECT],
        )
    browser = HeadlessBrowser()
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="authspec python-sdk launcher",
            redirect_uris=[REDIRECT],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
        ),
        storage=MemoryStorage(client_info),
        redirect_handler=browser.redirect,
        callback_handler=browser.callback,
        client_metadata_url=CLIENT_METADATA_URL or None,
    )
    mode = "legacy" if version.startswith("2025") else "auto"
    async with httpx2.AsyncClient(auth=provider, timeout=10) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            tools = await client.list_tools()
            print(f"python-sdk: connected, {len(tools.tools)} tool(s)")
            # A tool call too, so that later scenarios (a new authorization server) see more traffic.
            if any(t.name == "echo" for t in tools.tools):
                await client.call_tool("echo", {"text": "authspec"})
                print("python-sdk: called echo")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main(sys.argv[-1])))
    except BaseException as e:  # noqa: BLE001 - any stop is reported the same way
        if isinstance(e, SystemExit):
            raise
        # A TaskGroup wraps the real cause; show the innermost one.
        while isinstance(e, BaseExceptionGroup) and e.exceptions:
            e = e.exceptions[0]
        print(f"python-sdk: stopped: {type(e).__name__}: {e}")
        sys.exit(1)
