//! The catalogue of deliberate faults ("mutants") the reference server can be
//! switched into, so that every conformance check can be shown to fail when the
//! rule it guards is broken.
//!
//! The catalogue is one table (the `mutants!` invocation below): a row names
//! the variant, its kebab-case name, an optional `needs_tls` flag and the one
//! sentence naming the rule it breaks. Adding a mutant is one row here plus
//! its behaviour in a handler.

use std::fmt;
use std::str::FromStr;

/// What the table records about one mutant besides its variant.
struct Row {
    name: &'static str,
    description: &'static str,
    needs_tls: bool,
}

/// Generates [`Mutant`], [`Mutant::ALL`] and the row table from one list of
/// `Variant "kebab-name" [needs_tls] "description";` rows, in catalogue order.
macro_rules! mutants {
    (@needs_tls) => { false };
    (@needs_tls needs_tls) => { true };
    ($( $variant:ident $name:literal $($flag:ident)? $description:literal; )*) => {
        /// One deliberate fault. Each mutant breaks exactly one rule and leaves the
        /// rest of the server strict and correct.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Mutant {
            $( #[doc = $description] $variant, )*
        }

        impl Mutant {
            /// Every mutant, in declaration order.
            pub const ALL: &'static [Mutant] = &[$( Mutant::$variant, )*];

            /// One row per mutant, indexed by the variant's discriminant.
            const ROWS: &'static [Row] = &[$(
                Row {
                    name: $name,
                    description: $description,
                    needs_tls: mutants!(@needs_tls $($flag)?),
                },
            )*];
        }
    };
}

mutants! {
    PrmMissingResource "prm-missing-resource"
        "RFC 9728 §2: the protected resource metadata omits the REQUIRED resource member.";
    PrmResourceMismatch "prm-resource-mismatch"
        "RFC 9728 §3.3: the metadata's resource differs from the URL it was fetched for.";
    PrmResourceTrailingSlash "prm-resource-trailing-slash"
        "RFC 9728 §3.3: the metadata's resource adds a trailing slash, so it is not identical to the resource URL.";
    PrmResourceWithQuery "prm-resource-with-query"
        "RFC 9728 §2 and RFC 8707 §2: the resource identifier carries a query component.";
    PrmWrongContentType "prm-wrong-content-type"
        "RFC 9728 §3.2: the metadata response is not served as application/json.";
    PrmNotObject "prm-not-object"
        "RFC 9728 §3.2: the metadata response body is a JSON array rather than a JSON object.";
    PrmRootOnly "prm-root-only"
        "RFC 9728 §3.1: the metadata is served only at the root well-known URL instead of the path-inserted URL for the resource, and the challenge does not point at it.";
    PrmNotServed "prm-not-served"
        "MCP authorization: the resource publishes no protected resource metadata at any well-known URL nor in its challenge.";
    PrmNoAuthorizationServers "prm-no-authorization-servers"
        "MCP authorization: the protected resource metadata omits authorization_servers.";
    PrmEmptyAuthorizationServers "prm-empty-authorization-servers"
        "MCP authorization: the protected resource metadata lists no authorization server.";
    PrmAuthorizationServersString "prm-authorization-servers-string"
        "RFC 9728 §2: authorization_servers is a bare string instead of a JSON array.";
    PrmInsecureAuthorizationServer "prm-insecure-authorization-server"
        "OAuth 2.1 §1.5: an authorization server issuer uses plain http on a non-loopback host.";
    PrmJwksUriHttp "prm-jwks-uri-http"
        "RFC 9728 §2: jwks_uri does not use the https scheme.";
    PrmJwksMixedWithoutUse "prm-jwks-mixed-without-use"
        "RFC 9728 §2: the JWK set mixes signing and encryption keys without a use member on every key.";
    PrmSigningAlgNone "prm-signing-alg-none"
        "RFC 9728 §2: resource_signing_alg_values_supported lists the none algorithm.";
    PrmSignedMetadataUnsigned "prm-signed-metadata-unsigned"
        "RFC 9728 §2.2: signed_metadata is an unsecured JWT with alg none.";
    PrmNoScopesSupported "prm-no-scopes-supported"
        "MCP authorization: the protected resource metadata omits scopes_supported.";
    PrmEmptyScopesSupported "prm-empty-scopes-supported"
        "MCP authorization: scopes_supported is an empty array.";
    PrmBearerMethodsQuery "prm-bearer-methods-query"
        "OAuth 2.1 §5.1: bearer_methods_supported advertises sending tokens in the URI query.";
    PrmNoResourceName "prm-no-resource-name"
        "RFC 9728 §2: the metadata omits the RECOMMENDED human-readable resource_name.";
    PrmTaggedNameOnly "prm-tagged-name-only"
        "RFC 9728 §2.1: a language-tagged resource_name#en is published without the untagged resource_name.";
    ChallengeMissing "challenge-missing"
        "RFC 6750 §3 and RFC 9110 §11.6.1: a 401 response carries no WWW-Authenticate header.";
    ChallengeNoParams "challenge-no-params"
        "RFC 9728 §5.1: the Bearer challenge carries no parameters, so no resource_metadata.";
    ChallengeNoResourceMetadata "challenge-no-resource-metadata"
        "RFC 9728 §5.1: the Bearer challenge omits resource_metadata.";
    ChallengeResourceMetadataBroken "challenge-resource-metadata-broken"
        "RFC 9728 §5.1: the challenge's resource_metadata URL does not serve metadata.";
    ChallengeDuplicateScope "challenge-duplicate-scope"
        "RFC 6750 §3: an auth-param (scope) appears more than once in the challenge.";
    ChallengeBadCharset "challenge-bad-charset"
        "RFC 6750 §3: error_description contains characters outside %x20-21 / %x23-5B / %x5D-7E.";
    ChallengeErrorWithoutToken "challenge-error-without-token"
        "RFC 6750 §3.1: a request with no authentication information gets an error code.";
    ChallengeNoErrorOnBadToken "challenge-no-error-on-bad-token"
        "RFC 6750 §3.1: a rejected access token gets a challenge without error=\"invalid_token\".";
    ChallengeNoScope "challenge-no-scope"
        "MCP authorization: the challenge omits the scope needed to access the resource.";
    ChallengeScopeVaries "challenge-scope-varies"
        "MCP authorization: the scope in the challenge is not stable between identical requests.";
    RsNoAuthRequired "rs-no-auth-required"
        "MCP authorization: the MCP endpoint serves requests without any access token.";
    RsAcceptsAnyToken "rs-accepts-any-token"
        "OAuth 2.1 §5.2: the resource server accepts access tokens it never validated.";
    RsInvalidToken403 "rs-invalid-token-403"
        "RFC 6750 §3.1: an invalid access token is answered with 403 instead of 401.";
    RsAcceptsUnsignedJwt "rs-accepts-unsigned-jwt"
        "OAuth 2.1 §5.2: the resource server accepts an unsecured JWT (alg none) as an access token.";
    RsReadsQueryToken "rs-reads-query-token"
        "OAuth 2.1 §5.1: the resource server reads an access token from the URI query.";
    RsBearerCaseSensitive "rs-bearer-case-sensitive"
        "RFC 9110 §11.1: the Bearer authentication scheme is matched case-sensitively.";
    RsLeaksToolsList "rs-leaks-tools-list"
        "MCP authorization: tools/list is answered without authorization.";
    RsDoubleTokenAccepted "rs-double-token-accepted"
        "RFC 6750 §2 and OAuth 2.1 §5.1: a token sent by more than one method is not rejected as invalid_request.";
    RsMalformedAuth500 "rs-malformed-auth-500"
        "RFC 6750 §3.1: a malformed Authorization header yields a server error instead of 400 invalid_request.";
    AsMetadataIssuerMismatch "as-metadata-issuer-mismatch"
        "RFC 8414 §3.3: the metadata's issuer differs from the issuer it was fetched for.";
    AsMetadataNotServed "as-metadata-not-served"
        "MCP authorization: the authorization server publishes no RFC 8414 or OpenID Connect discovery metadata.";
    AsMetadataProtectedResourcesHttp "as-metadata-protected-resources-http"
        "RFC 9728 §4: the AS metadata's protected_resources lists a plain-http resource identifier.";
    AsMetadataNoS256 "as-metadata-no-s256"
        "RFC 7636 §4.2 and OAuth 2.1 §4.1.1: code_challenge_methods_supported offers only plain, not S256.";
    AsMetadataNoCodeChallengeMethods "as-metadata-no-code-challenge-methods"
        "MCP authorization: the AS metadata omits code_challenge_methods_supported, so PKCE support cannot be confirmed.";
    AsMetadataNoResponseTypes "as-metadata-no-response-types"
        "RFC 8414 §2: the AS metadata omits the REQUIRED response_types_supported.";
    AsMetadataNoCodeResponseType "as-metadata-no-code-response-type"
        "OAuth 2.1 §4.1: response_types_supported does not include code.";
    AsMetadataNoTokenEndpoint "as-metadata-no-token-endpoint"
        "RFC 8414 §2: the AS metadata omits token_endpoint, which is REQUIRED unless only the implicit grant is supported.";
    AsMetadataNoAuthorizationEndpoint "as-metadata-no-authorization-endpoint"
        "RFC 8414 §2: the AS metadata omits authorization_endpoint, which is REQUIRED when a grant type uses it.";
    AsMetadataHttpEndpoint "as-metadata-http-endpoint"
        "OAuth 2.1 §1.5: token_endpoint uses plain http on a non-loopback host.";
    AsMetadataEndpointFragment "as-metadata-endpoint-fragment"
        "RFC 6749 §3.1: authorization_endpoint contains a fragment component.";
    AsMetadataGrantTypesWithoutCode "as-metadata-grant-types-without-code"
        "MCP authorization: grant_types_supported omits authorization_code.";
    AsMetadataNoPublicAuthMethod "as-metadata-no-public-auth-method"
        "MCP authorization: token_endpoint_auth_methods_supported omits none, so public clients cannot use the token endpoint.";
    AsMetadataNoRegistrationEndpoint "as-metadata-no-registration-endpoint"
        "RFC 8414 §2: the metadata omits registration_endpoint although RFC 7591 dynamic registration is offered.";
    AsMetadataWrongContentType "as-metadata-wrong-content-type"
        "RFC 8414 §3.2: the metadata response is not served as application/json.";
    AsMetadataEmptyScopes "as-metadata-empty-scopes"
        "RFC 8414 §2: scopes_supported is present but lists no scope.";
    AsMetadataJwtAuthWithoutAlgs "as-metadata-jwt-auth-without-algs"
        "RFC 8414 §2: private_key_jwt is advertised without token_endpoint_auth_signing_alg_values_supported.";
    AsMetadataJwksUriHttp "as-metadata-jwks-uri-http"
        "RFC 8414 §2: jwks_uri does not use the https scheme.";
    AsMetadataSignedUnsigned "as-metadata-signed-unsigned"
        "RFC 8414 §2.1: signed_metadata is an unsecured JWT with alg none.";
    AsOidcIssuerMismatch "as-oidc-issuer-mismatch"
        "OpenID Connect Discovery §4.3: the openid-configuration document's issuer differs from the issuer it was fetched for.";
    DcrAcceptsFragmentRedirect "dcr-accepts-fragment-redirect"
        "RFC 6749 §3.1.2: registration accepts a redirect URI with a fragment component.";
    DcrAcceptsJavascriptRedirect "dcr-accepts-javascript-redirect"
        "RFC 7591 §5: registration accepts a javascript:, data:, file: or vbscript: redirect URI.";
    DcrAcceptsUndottedScheme "dcr-accepts-undotted-scheme"
        "OAuth 2.1 §2.3.1: registration accepts a private-use redirect scheme that is not a reverse domain name.";
    DcrAcceptsHttpRedirect "dcr-accepts-http-redirect"
        "OAuth 2.1 §2.3.1: registration accepts a plain-http redirect URI on a non-loopback host.";
    DcrAcceptsMissingRedirectUris "dcr-accepts-missing-redirect-uris"
        "RFC 7591 §2: registration for the authorization code grant succeeds without redirect_uris.";
    DcrAcceptsInconsistentTypes "dcr-accepts-inconsistent-types"
        "RFC 7591 §2.1: registration accepts response_types that do not match grant_types.";
    DcrAcceptsUnknownAuthMethod "dcr-accepts-unknown-auth-method"
        "RFC 7591 §3.2.2: registration accepts an unsupported token_endpoint_auth_method.";
    DcrAcceptsJwksAndJwksUri "dcr-accepts-jwks-and-jwks-uri"
        "RFC 7591 §2: registration accepts both jwks and jwks_uri in one request.";
    DcrAcceptsUnsignedSoftwareStatement "dcr-accepts-unsigned-software-statement"
        "RFC 7591 §2.3: registration accepts a software statement that is an unsigned (alg none) JWT.";
    DcrRejectsUnknownFields "dcr-rejects-unknown-fields"
        "RFC 7591 §2: registration refuses an unknown metadata member instead of ignoring it.";
    DcrMalformedJson500 "dcr-malformed-json-500"
        "RFC 7591 §3.2.2: a malformed JSON body yields a 500 HTML page instead of 400 invalid_client_metadata.";
    DcrWrongContentType500 "dcr-wrong-content-type-500"
        "RFC 7591 §3.2.2: a non-JSON request content type yields a 500 instead of a 400 error response.";
    DcrStaticClientId "dcr-static-client-id"
        "RFC 7591 §3.2.1: every registration gets the same client_id, so identifiers are not unique.";
    DcrStatus200 "dcr-status-200"
        "RFC 7591 §3.2.1: a successful registration answers 200 instead of 201 Created.";
    DcrOmitsMetadata "dcr-omits-metadata"
        "RFC 7591 §3.2.1: the registration response omits the registered redirect_uris.";
    DcrSecretForPublicClient "dcr-secret-for-public-client"
        "RFC 7591 §2: a client registered with token_endpoint_auth_method none is issued a client_secret.";
    DcrNoSecretExpiry "dcr-no-secret-expiry"
        "RFC 7591 §3.2.1: a response carrying a client_secret lacks the REQUIRED client_secret_expires_at.";
    DcrWrongErrorCode "dcr-wrong-error-code"
        "RFC 7591 §3.2.2: an invalid redirect URI is reported as invalid_client_metadata instead of invalid_redirect_uri.";
    DcrManagementNoAuth "dcr-management-no-auth"
        "RFC 7592 §2: the client configuration endpoint answers without the registration access token.";
    PkceNotRequired "pkce-not-required"
        "OAuth 2.1 §4.1.1: an authorization request without code_challenge still gets a code.";
    PkceAcceptsPlain "pkce-accepts-plain"
        "MCP authorization and OAuth 2.1 §4.1.1: code_challenge_method plain is accepted instead of requiring S256.";
    PkceAcceptsUnknownMethod "pkce-accepts-unknown-method"
        "RFC 7636 §4.4.1: an unsupported code_challenge_method is treated as S256 instead of refused.";
    AuthorizeRedirectsUnknownClient "authorize-redirects-unknown-client"
        "RFC 6749 §4.1.2.1: an unknown client_id is answered with a redirect instead of an error shown to the user.";
    AuthorizeRedirectsUnregisteredUri "authorize-redirects-unregistered-uri"
        "RFC 6749 §3.1.2.4: an unregistered redirect_uri receives a redirect carrying a code.";
    AuthorizePrefixRedirectMatch "authorize-prefix-redirect-match"
        "OAuth 2.1 §4.1.1: a redirect_uri is accepted because it starts with a registered one, not by exact comparison.";
    AuthorizeFixedLoopbackPort "authorize-fixed-loopback-port"
        "RFC 8252 §7.3: a loopback redirect URI is refused when only its port differs from the registered one.";
    AuthorizeDropsState "authorize-drops-state"
        "RFC 6749 §4.1.2: the authorization response omits the state the client sent.";
    AuthorizeAltersState "authorize-alters-state"
        "RFC 6749 §4.1.2: the authorization response returns a state different from the one sent.";
    AuthorizeOmitsIss "authorize-omits-iss"
        "RFC 9207 §2: the authorization response lacks the iss parameter the metadata promises.";
    AuthorizeAcceptsTokenResponseType "authorize-accepts-token-response-type"
        "OAuth 2.1 §4.1.1: response_type=token (the removed implicit grant) is honoured with a token in the fragment.";
    AuthorizeAcceptsFragmentResource "authorize-accepts-fragment-resource"
        "RFC 8707 §2: a resource indicator with a fragment component is accepted.";
    AuthorizeAcceptsForeignResource "authorize-accepts-foreign-resource"
        "RFC 8707 §2: a resource indicator naming another server is accepted and becomes the token audience.";
    AuthorizeFrameable "authorize-frameable"
        "RFC 6749 §10.13: the authorization endpoint can be framed (no X-Frame-Options, no CSP frame-ancestors).";
    AuthorizeCorsWildcard "authorize-cors-wildcard"
        "OAuth 2.0 for Browser-Based Apps: the authorization endpoint, meant for top-level navigation only, sends Access-Control-Allow-Origin: *, so any web origin can read its responses.";
    AuthorizeReflectsUnescaped "authorize-reflects-unescaped"
        "RFC 6749 §10.14: the authorization error page echoes the redirect_uri without HTML escaping.";
    AuthorizeRejectsUnknownParams "authorize-rejects-unknown-params"
        "OAuth 2.1 §3.1: an unknown authorization request parameter is refused with invalid_request instead of ignored.";
    AuthorizeAcceptsRepeatedParams "authorize-accepts-repeated-params"
        "OAuth 2.1 §3.1: an authorization request with a repeated parameter is accepted, the first value winning, instead of refused.";
    AuthorizeEmptyParamNotAbsent "authorize-empty-param-not-absent"
        "OAuth 2.1 §3.1: an empty code_challenge_method is taken as S256 instead of treated as omitted, so the request gets a code.";
    AuthorizeDefaultRedirectWithMany "authorize-default-redirect-with-many"
        "OAuth 2.1 §4.1.1: a request without redirect_uri from a client with several registered redirect URIs is redirected to the first one.";
    AuthorizeDropsRedirectQuery "authorize-drops-redirect-query"
        "OAuth 2.1 §2.3: the authorization response drops the query component of the registered redirect URI.";
    AuthorizeCaseSensitiveResource "authorize-case-sensitive-resource"
        "RFC 3986 §6.2.2.1 and MCP authorization: a resource with an uppercase scheme or host is refused with invalid_target instead of matching the MCP endpoint.";
    TokenIgnoresVerifier "token-ignores-verifier"
        "RFC 7636 §4.6: the token endpoint accepts any code_verifier without comparing it with the code_challenge.";
    TokenAcceptsMissingVerifier "token-accepts-missing-verifier"
        "RFC 7636 §4.5 and OAuth 2.1 §4.1.3: a code issued with a code_challenge is redeemed without code_verifier.";
    CodeReusable "code-reusable"
        "OAuth 2.1 §4.1.2: an authorization code can be redeemed more than once.";
    CodeReplayKeepsTokens "code-replay-keeps-tokens"
        "OAuth 2.1 §4.1.2: a replayed code is refused but the tokens already issued from it stay valid.";
    CodeRace "code-race"
        "OAuth 2.1 §4.1.2: code redemption is not atomic, so concurrent requests can redeem one code several times (for one code in three, as a race is won only now and then).";
    CodeShort "code-short"
        "OAuth 2.1 §7.7: authorization codes are 6 decimal digits, far less than 128 bits of randomness.";
    TokenIgnoresRedirectUri "token-ignores-redirect-uri"
        "RFC 6749 §4.1.3: the token request must repeat the redirect_uri, but its value is not compared with the authorization request's.";
    TokenIgnoresClientBinding "token-ignores-client-binding"
        "RFC 6749 §4.1.3: a code issued to one client is redeemed by another.";
    TokenNoStoreMissing "token-no-store-missing"
        "RFC 6749 §5.1: token responses lack Cache-Control: no-store.";
    TokenTypeNotBearer "token-type-not-bearer"
        "RFC 6750 §4 and MCP authorization: the token response's token_type is mac instead of Bearer.";
    TokenNoExpiresIn "token-no-expires-in"
        "RFC 6749 §5.1: the token response omits the RECOMMENDED expires_in.";
    TokenErrorHtml "token-error-html"
        "RFC 6749 §5.2: token endpoint errors are 500 HTML pages instead of 400 JSON error responses.";
    BadReplayRevokes "bad-replay-revokes"
        "OAuth 2.1 §4.1.3: a replayed code with a wrong code_verifier revokes the tokens already issued from it (SHOULD NOT: the replay proves nothing).";
    RefreshAcceptsUnknown "refresh-accepts-unknown"
        "OAuth 2.1 §4.3: a refresh token the server never issued is honoured (looked up by the client, not by its value).";
    PkceAbsentMethodS256 "pkce-absent-method-s256"
        "RFC 7636 §4.3: a code_challenge sent without code_challenge_method is read as S256 instead of plain.";
    TokenErrorPlainText "token-error-plain-text"
        "RFC 6749 §5.2: token endpoint errors keep their 4xx status but come as text/plain, with no JSON error object.";
    TokenWrongErrorCode "token-wrong-error-code"
        "RFC 7636 §4.6: a code_verifier mismatch is reported as invalid_request instead of invalid_grant.";
    TokenBasicAuthNoChallenge "token-basic-auth-no-challenge"
        "RFC 6749 §5.2: failed HTTP Basic client authentication gets 400 without a WWW-Authenticate challenge instead of 401.";
    TokenAcceptsPasswordGrant "token-accepts-password-grant"
        "OAuth 2.1 (which drops the resource owner password credentials grant): grant_type=password issues a token for any username and password.";
    TokenIgnoresResource "token-ignores-resource"
        "RFC 8707 §2.2: a token request for a resource outside the authorized set is not refused with invalid_target.";
    TokenAudienceIssuer "token-audience-issuer"
        "RFC 8707 §2 and MCP authorization: access tokens are audience-restricted to the issuer instead of the requested resource.";
    TokenAcceptsTwoAuthMethods "token-accepts-two-auth-methods"
        "RFC 6749 §2.3: a client using more than one authentication method in one request is not refused.";
    TokenAcceptsQueryCredentials "token-accepts-query-credentials"
        "RFC 6749 §2.3.1: client credentials in the request URI query authenticate the client.";
    TokenRejectsUnknownParams "token-rejects-unknown-params"
        "OAuth 2.1 §3.2: an unknown token request parameter is refused with invalid_request instead of ignored.";
    TokenAcceptsRepeatedParams "token-accepts-repeated-params"
        "OAuth 2.1 §3.2: a token request with a repeated parameter is accepted, the first value winning, instead of refused with invalid_request.";
    TokenErrorBadCharset "token-error-bad-charset"
        "RFC 6749 §5.2: token error_description values contain a double quote and non-ASCII characters.";
    TokenClientCredentialsPublic "token-client-credentials-public"
        "OAuth 2.1 §4.2: grant_type=client_credentials issues an access token to a public client, which cannot authenticate.";
    RefreshNotRotated "refresh-not-rotated"
        "OAuth 2.1 §4.3.1: public clients' refresh tokens are not rotated.";
    RefreshReuseAllowed "refresh-reuse-allowed"
        "OAuth 2.1 §4.3.1: a rotated-out refresh token still works, and its reuse does not revoke the grant.";
    RefreshWidensScope "refresh-widens-scope"
        "RFC 6749 §6: a refresh request obtains a scope beyond the one originally granted.";
    RevokeIgnored "revoke-ignored"
        "RFC 7009 §2.1: the revocation endpoint answers 200 but revokes nothing.";
    RsAcceptsWrongAudience "rs-accepts-wrong-audience"
        "RFC 8707 §2 and MCP authorization: the resource server accepts access tokens whose audience is another resource.";
    RsIgnoresSignature "rs-ignores-signature"
        "OAuth 2.1 §5.2: the resource server does not verify access token signatures.";
    RsAcceptsRevoked "rs-accepts-revoked"
        "RFC 7009 §2 and OAuth 2.1 §5.2: the resource server accepts revoked access tokens.";
    RsIgnoresScope "rs-ignores-scope"
        "RFC 6750 §3.1: tools/list and tools/call are served to a token without the mcp:tools scope.";
    RsInsufficientScope401 "rs-insufficient-scope-401"
        "RFC 6750 §3.1: a token lacking the needed scope is answered 401 invalid_token instead of 403 insufficient_scope.";
    RsIgnoresProtocolVersion "rs-ignores-protocol-version"
        "MCP streamable HTTP (2025-06-18 §2.7, 2025-11-25 §2.7, 2026-07-28 §6.1): a request for a protocol version the server does not serve is answered as if it were a supported one.";
    RsPrereleaseVersionCode "rs-prerelease-version-code"
        "MCP 2026-07-28 basic §1.2.3: an unsupported version is refused with the pre-release code -32004 instead of -32022.";
    RsTrustsVersionHeader "rs-trusts-version-header"
        "MCP 2026-07-28 streamable HTTP §6.1: a request whose MCP-Protocol-Version header differs from its _meta version is served by the header.";
    RsMissingVersionHeaderAccepted "rs-missing-version-header-accepted"
        "MCP 2026-07-28 streamable HTTP §6.1: a modern request without MCP-Protocol-Version is served as the latest version, though 2025-03-26 is not supported.";
    RsIgnoresMcpHeaders "rs-ignores-mcp-headers"
        "MCP 2026-07-28 streamable HTTP §6.5: Mcp-Method and Mcp-Name are not checked against the body.";
    RsMcpMethodCaseInsensitive "rs-mcp-method-case-insensitive"
        "MCP 2026-07-28 streamable HTTP §6.4: the Mcp-Method value is compared without regard to case.";
    RsUnknownMethod200 "rs-unknown-method-200"
        "MCP 2026-07-28 streamable HTTP §6.1: an unknown method is answered 200 with -32601 instead of 404.";
    RsNoDiscover "rs-no-discover"
        "MCP 2026-07-28 versioning §2: server/discover is not implemented.";
    RsRequiresDiscoverFirst "rs-requires-discover-first"
        "MCP 2026-07-28 basic §2: a request is refused unless the caller called server/discover before it.";
    RsNoResultType "rs-no-result-type"
        "MCP 2026-07-28 basic §1.2.1: results carry no resultType.";
    RsNoCacheHints "rs-no-cache-hints"
        "MCP 2026-07-28 caching §1: cacheable results carry no ttlMs or cacheScope.";
    RsNoServerInfo "rs-no-server-info"
        "MCP 2026-07-28 basic §6.1: results do not name the server in _meta.";
    RsTextPlainResponse "rs-text-plain-response"
        "MCP 2026-07-28 streamable HTTP §2: responses to requests are sent as text/plain.";
    RsIgnoresOrigin "rs-ignores-origin"
        "MCP streamable HTTP §1: a request with a foreign Origin is served (DNS rebinding).";
    RsGetOpensStream "rs-get-opens-stream"
        "MCP 2026-07-28 streamable HTTP §7.1: a server that lists only 2026-07-28 in server/discover still opens an SSE stream on GET.";
    RsRejectsUnknownSession "rs-rejects-unknown-session"
        "MCP 2026-07-28 streamable HTTP §7.1: a modern request with an Mcp-Session-Id is refused with 404 instead of the header being ignored.";
    RsRejectsLastEventId "rs-rejects-last-event-id"
        "MCP 2026-07-28 streamable HTTP §7.1: a request with Last-Event-ID is refused instead of the header being ignored.";
    RsDefaultsMissingCapabilities "rs-defaults-missing-capabilities"
        "MCP 2026-07-28 basic §6.1: a request without clientCapabilities in _meta is served as if it declared none.";
    RsTrustsClientInfo "rs-trusts-client-info"
        "MCP 2026-07-28 basic §6.1: a client calling itself claude-ai in clientInfo sees an extra admin tool.";
    RsNotification200 "rs-notification-200"
        "MCP streamable HTTP §2: an accepted notification is answered 200 with a body instead of 202.";
    RsNullIdOnRejection "rs-null-id-on-rejection"
        "MCP 2026-07-28 basic §1.2.2: header-mismatch and version errors carry id null instead of the request's id.";
    RsLegacyResourceNotFound "rs-legacy-resource-not-found"
        "MCP 2026-07-28 basic §1.2.3: an unknown resource is answered with the retired code -32002.";
    RsSseWithRequest "rs-sse-with-request"
        "MCP 2026-07-28 streamable HTTP §3: a response stream carries a server-to-client JSON-RPC request.";
    RsEmptyInitializeError "rs-empty-initialize-error"
        "MCP 2026-07-28 versioning §4: initialize is refused with an empty 400 that names no supported version.";
    RsResourcesOpen "rs-resources-open"
        "MCP 2026-07-28 security §9 and streamable HTTP §1: resources/* are served without a token.";
    PrmOfflineAccess "prm-offline-access"
        "MCP 2026-07-28 authorization §10: offline_access appears in the PRM scopes_supported and in the challenge scope.";
    AuthorizeErrorOmitsIss "authorize-error-omits-iss"
        "RFC 9207 §2: error redirects from the authorization endpoint carry no iss.";
    AuthorizeIssMismatch "authorize-iss-mismatch"
        "RFC 9207 §2.3: the iss in authorization responses differs from the metadata issuer (a trailing slash).";
    AsMetadataNoIssFlag "as-metadata-no-iss-flag"
        "RFC 9207 §2.3: iss is sent but the metadata lacks authorization_response_iss_parameter_supported.";
    AsMetadataIssFlagString "as-metadata-iss-flag-string"
        "RFC 9207 §3: authorization_response_iss_parameter_supported is a string, not a boolean.";
    AsMetadataIssuerTrailingSlash "as-metadata-issuer-trailing-slash"
        "RFC 8414 §3.3 and MCP 2026-07-28 discovery §3: the metadata issuer adds a trailing slash to the identifier the resource metadata lists.";
    RegisterRejectsApplicationType "register-rejects-application-type"
        "MCP 2026-07-28 registration §3.1 and RFC 7591 §2: a registration carrying application_type is refused.";
    RsUndefinedReservedCode "rs-undefined-reserved-code"
        "MCP 2026-07-28 basic §1.2.3: a header mismatch is answered with -32030, a code from the reserved range the specification does not define.";
    AuthorizeIssWithQuery "authorize-iss-with-query"
        "RFC 9207 §2: the iss in authorization responses carries a query component.";
    RsIgnoresParamHeaders "rs-ignores-param-headers"
        "MCP 2026-07-28 streamable HTTP §6.3.4: an Mcp-Param header that is missing or differs from the tool argument it mirrors is not refused.";
    RsInputRequestUndeclared "rs-input-request-undeclared"
        "MCP 2026-07-28 basic §6.1: a tool asks a client that declared no capabilities for elicitation input.";
    CimdNotAdvertised "cimd-not-advertised"
        "CIMD §5 and MCP 2026-07-28 registration §1.4: documents are fetched, but the metadata omits client_id_metadata_document_supported.";
    CimdFlagString "cimd-flag-string"
        "CIMD §5: client_id_metadata_document_supported is the string \"true\", not a boolean.";
    CimdFetchesHttp "cimd-fetches-http"
        "CIMD §3: a client_id URL with the http scheme is fetched (on any host, not only the test-mode loopback address).";
    CimdAcceptsFragment "cimd-accepts-fragment"
        "CIMD §3: a client_id URL with a fragment is fetched and accepted.";
    CimdAcceptsUserinfo "cimd-accepts-userinfo"
        "CIMD §3: a client_id URL with a username and password is fetched and accepted.";
    CimdAcceptsDotSegments "cimd-accepts-dot-segments"
        "CIMD §3: a client_id URL with . or .. path segments is fetched and accepted.";
    CimdAcceptsNoPath "cimd-accepts-no-path"
        "CIMD §3 and MCP registration §1.1: a client_id URL without a path is fetched and accepted.";
    CimdClientIdUnchecked "cimd-client-id-unchecked"
        "CIMD §4.1 and MCP registration §1.1: a document whose client_id differs from its URL is accepted.";
    CimdAnyRedirectUri "cimd-any-redirect-uri"
        "CIMD §4.5 and MCP registration §1.1: a redirect_uri the document does not list is accepted.";
    CimdAcceptsSymmetricAuth "cimd-accepts-symmetric-auth"
        "CIMD §4.1: a document declaring client_secret_basic (a shared secret) is accepted, as a public client.";
    CimdAcceptsMalformedDocument "cimd-accepts-malformed-document"
        "MCP registration §1.1: a document that is not JSON, or lacks redirect_uris, is accepted with the requested redirect_uri as default.";
    CimdIgnoresFetchFailure "cimd-ignores-fetch-failure"
        "CIMD §4.3: when the document cannot be fetched (404, 500), the request goes on as an anonymous public client.";
    CimdNoSizeLimit "cimd-no-size-limit"
        "CIMD §6.6: documents are read whatever their size (the 5 KB cap is not applied).";
    CimdCachesErrors "cimd-caches-errors"
        "CIMD §4.4: a failed fetch is remembered for an hour, so a fixed document is not seen.";
    CimdIgnoresCacheControl "cimd-ignores-cache-control"
        "CIMD §4.4 and MCP registration §1.1: documents are cached for an hour whatever their Cache-Control says (no-store included).";
    CimdFetchesPrivateAddresses "cimd-fetches-private-addresses"
        "CIMD §6.5: client_id hosts resolving to loopback or private addresses are fetched (SSRF).";
    CimdConsentHidesHost "cimd-consent-hides-host"
        "CIMD §6.4: the consent page shows only the document's client_name, not the client_id host.";
    CimdConsentHotlinksLogo "cimd-consent-hotlinks-logo"
        "CIMD §6.7: the consent page embeds the document's logo_uri directly instead of a prefetched copy.";
    CimdKeyAuthAsPublic "cimd-key-auth-as-public"
        "CIMD §6.2: a document declaring private_key_jwt is treated as a public client: tokens are issued without a client assertion.";
    CimdFollowsRedirects "cimd-follows-redirects"
        "CIMD §4.3 and §6.5: a redirect from the client_id URL is followed to another document.";
    CimdDocumentIgnored "cimd-document-ignored"
        "CIMD §4 and MCP registration §1.1: the document is fetched, but the client it describes is refused as unknown, though the metadata advertises documents.";
    RsIgnoresKid "rs-ignores-kid"
        "RFC 7515 §4.1.4 and OAuth 2.1 §5.2: the resource server does not insist that the token's kid names a key in the authorization server's JWK set; a token under an unknown kid is verified with the key it embeds in its own header.";
    RsAlgConfusion "rs-alg-confusion"
        "RFC 8725 §3.1 and OAuth 2.1 §5.2: the resource server lets the token pick HS256 and verifies it with the authorization server's public key (PEM) as the HMAC secret.";
    RsTrustsJku "rs-trusts-jku"
        "RFC 8725 §3.10 and OAuth 2.1 §5.2: the resource server fetches verification keys from the jku URL the token names instead of the authorization server's jwks_uri.";
    AsMetadataPlainTokenEndpoint "as-metadata-plain-token-endpoint" needs_tls
        "OAuth 2.1 §1.5 and RFC 8414 §2: metadata served over https advertises the token endpoint under plain http on the same host.";
    AsMetadataPlainJwksUri "as-metadata-plain-jwks-uri" needs_tls
        "RFC 8414 §2 and RFC 9728 §2: metadata served over https advertises a plain-http jwks_uri, so the keys tokens are checked with can be swapped in transit.";
    PrmPlainAuthorizationServer "prm-plain-authorization-server" needs_tls
        "OAuth 2.1 §1.5 and RFC 8414 §2: a resource served over https lists its authorization server's issuer under plain http.";
    PrmPlainResource "prm-plain-resource" needs_tls
        "RFC 9728 §1.2 and OAuth 2.1 §1.5: a resource served over https names itself with a plain-http resource identifier.";
    Tls13Only "tls13-only" needs_tls
        "RFC 8414 §6.1, RFC 7591 §3 and BCP 195: the server refuses TLS 1.2, which it must support (it speaks TLS 1.3 alone).";
    DcrDeleteKeepsTokens "dcr-delete-keeps-tokens"
        "RFC 7592 §2.3: deleting a client leaves its access tokens valid at the MCP server.";
    TokenNoBruteForceLimit "token-no-brute-force-limit"
        "OAuth 2.1 §2.4.1: the token endpoint lets a client secret be guessed without limit (no throttling of failed client authentication).";
    TokenClientCredentialsUnauthenticated "token-client-credentials-unauthenticated"
        "OAuth 2.1 §4.2: grant_type=client_credentials issues an access token to a request that authenticates no client (no client_id, or a confidential client's id without its secret).";
    RefreshWidensToKnownScope "refresh-widens-to-known-scope"
        "OAuth 2.1 §4.3.1: a refresh request obtains any scope the server offers, though the grant never had it (scopes the server does not know are dropped).";
    RedirectLeaksToken "redirect-leaks-token"
        "OAuth 2.1 §7.1.3.7 and §2.4.1: the authorization redirect to the client carries, beside the code, a freshly minted access token in its query.";
    RsToolSnakeCaseSchema "rs-tool-snake-case-schema"
        "MCP basic §1 and the published schema: tools/list names the echo tool's input schema input_schema, so the required inputSchema is missing.";
}

impl Mutant {
    fn row(self) -> &'static Row {
        &Mutant::ROWS[self as usize]
    }

    /// The stable kebab-case name used on command lines and in suites.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// One sentence naming the rule this mutant breaks.
    pub fn description(self) -> &'static str {
        self.row().description
    }

    /// Whether the fault shows only when the server speaks https (its
    /// effect is to put `http` where `https` belongs).
    pub fn needs_tls(self) -> bool {
        self.row().needs_tls
    }

    /// Looks a mutant up by its kebab-case name.
    pub fn from_name(name: &str) -> Option<Mutant> {
        Mutant::ALL.iter().copied().find(|m| m.name() == name)
    }
}

impl FromStr for Mutant {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mutant::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
            format!(
                "unknown mutant `{s}`; valid names are: {}",
                names.join(", ")
            )
        })
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_follow_the_variants() {
        assert_eq!(Mutant::ALL.len(), Mutant::ROWS.len());
        for (i, m) in Mutant::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i);
            assert_eq!(m.row().name, Mutant::ROWS[i].name);
        }
    }
}
