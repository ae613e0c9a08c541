//! The catalogue of deliberate faults ("mutants") the reference server can be
//! switched into, so that every conformance check can be shown to fail when the
//! rule it guards is broken.

use std::fmt;
use std::str::FromStr;

/// One deliberate fault. Each mutant breaks exactly one rule and leaves the
/// rest of the server strict and correct.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mutant {
    PrmMissingResource,
    PrmResourceMismatch,
    PrmResourceTrailingSlash,
    PrmResourceWithQuery,
    PrmWrongContentType,
    PrmNotObject,
    PrmRootOnly,
    PrmNotServed,
    PrmNoAuthorizationServers,
    PrmEmptyAuthorizationServers,
    PrmAuthorizationServersString,
    PrmInsecureAuthorizationServer,
    PrmJwksUriHttp,
    PrmJwksMixedWithoutUse,
    PrmSigningAlgNone,
    PrmSignedMetadataUnsigned,
    PrmNoScopesSupported,
    PrmEmptyScopesSupported,
    PrmBearerMethodsQuery,
    PrmNoResourceName,
    PrmTaggedNameOnly,
    ChallengeMissing,
    ChallengeNoParams,
    ChallengeNoResourceMetadata,
    ChallengeResourceMetadataBroken,
    ChallengeDuplicateScope,
    ChallengeBadCharset,
    ChallengeErrorWithoutToken,
    ChallengeNoErrorOnBadToken,
    ChallengeNoScope,
    ChallengeScopeVaries,
    RsNoAuthRequired,
    RsAcceptsAnyToken,
    RsInvalidToken403,
    RsAcceptsUnsignedJwt,
    RsReadsQueryToken,
    RsBearerCaseSensitive,
    RsLeaksToolsList,
    RsDoubleTokenAccepted,
    RsMalformedAuth500,
    AsMetadataIssuerMismatch,
    AsMetadataNotServed,
    AsMetadataProtectedResourcesHttp,
}

impl Mutant {
    /// Every mutant, in declaration order.
    pub const ALL: &'static [Mutant] = &[
        Mutant::PrmMissingResource,
        Mutant::PrmResourceMismatch,
        Mutant::PrmResourceTrailingSlash,
        Mutant::PrmResourceWithQuery,
        Mutant::PrmWrongContentType,
        Mutant::PrmNotObject,
        Mutant::PrmRootOnly,
        Mutant::PrmNotServed,
        Mutant::PrmNoAuthorizationServers,
        Mutant::PrmEmptyAuthorizationServers,
        Mutant::PrmAuthorizationServersString,
        Mutant::PrmInsecureAuthorizationServer,
        Mutant::PrmJwksUriHttp,
        Mutant::PrmJwksMixedWithoutUse,
        Mutant::PrmSigningAlgNone,
        Mutant::PrmSignedMetadataUnsigned,
        Mutant::PrmNoScopesSupported,
        Mutant::PrmEmptyScopesSupported,
        Mutant::PrmBearerMethodsQuery,
        Mutant::PrmNoResourceName,
        Mutant::PrmTaggedNameOnly,
        Mutant::ChallengeMissing,
        Mutant::ChallengeNoParams,
        Mutant::ChallengeNoResourceMetadata,
        Mutant::ChallengeResourceMetadataBroken,
        Mutant::ChallengeDuplicateScope,
        Mutant::ChallengeBadCharset,
        Mutant::ChallengeErrorWithoutToken,
        Mutant::ChallengeNoErrorOnBadToken,
        Mutant::ChallengeNoScope,
        Mutant::ChallengeScopeVaries,
        Mutant::RsNoAuthRequired,
        Mutant::RsAcceptsAnyToken,
        Mutant::RsInvalidToken403,
        Mutant::RsAcceptsUnsignedJwt,
        Mutant::RsReadsQueryToken,
        Mutant::RsBearerCaseSensitive,
        Mutant::RsLeaksToolsList,
        Mutant::RsDoubleTokenAccepted,
        Mutant::RsMalformedAuth500,
        Mutant::AsMetadataIssuerMismatch,
        Mutant::AsMetadataNotServed,
        Mutant::AsMetadataProtectedResourcesHttp,
    ];

    /// The stable kebab-case name used on command lines and in suites.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::PrmMissingResource => "prm-missing-resource",
            Mutant::PrmResourceMismatch => "prm-resource-mismatch",
            Mutant::PrmResourceTrailingSlash => "prm-resource-trailing-slash",
            Mutant::PrmResourceWithQuery => "prm-resource-with-query",
            Mutant::PrmWrongContentType => "prm-wrong-content-type",
            Mutant::PrmNotObject => "prm-not-object",
            Mutant::PrmRootOnly => "prm-root-only",
            Mutant::PrmNotServed => "prm-not-served",
            Mutant::PrmNoAuthorizationServers => "prm-no-authorization-servers",
            Mutant::PrmEmptyAuthorizationServers => "prm-empty-authorization-servers",
            Mutant::PrmAuthorizationServersString => "prm-authorization-servers-string",
            Mutant::PrmInsecureAuthorizationServer => "prm-insecure-authorization-server",
            Mutant::PrmJwksUriHttp => "prm-jwks-uri-http",
            Mutant::PrmJwksMixedWithoutUse => "prm-jwks-mixed-without-use",
            Mutant::PrmSigningAlgNone => "prm-signing-alg-none",
            Mutant::PrmSignedMetadataUnsigned => "prm-signed-metadata-unsigned",
            Mutant::PrmNoScopesSupported => "prm-no-scopes-supported",
            Mutant::PrmEmptyScopesSupported => "prm-empty-scopes-supported",
            Mutant::PrmBearerMethodsQuery => "prm-bearer-methods-query",
            Mutant::PrmNoResourceName => "prm-no-resource-name",
            Mutant::PrmTaggedNameOnly => "prm-tagged-name-only",
            Mutant::ChallengeMissing => "challenge-missing",
            Mutant::ChallengeNoParams => "challenge-no-params",
            Mutant::ChallengeNoResourceMetadata => "challenge-no-resource-metadata",
            Mutant::ChallengeResourceMetadataBroken => "challenge-resource-metadata-broken",
            Mutant::ChallengeDuplicateScope => "challenge-duplicate-scope",
            Mutant::ChallengeBadCharset => "challenge-bad-charset",
            Mutant::ChallengeErrorWithoutToken => "challenge-error-without-token",
            Mutant::ChallengeNoErrorOnBadToken => "challenge-no-error-on-bad-token",
            Mutant::ChallengeNoScope => "challenge-no-scope",
            Mutant::ChallengeScopeVaries => "challenge-scope-varies",
            Mutant::RsNoAuthRequired => "rs-no-auth-required",
            Mutant::RsAcceptsAnyToken => "rs-accepts-any-token",
            Mutant::RsInvalidToken403 => "rs-invalid-token-403",
            Mutant::RsAcceptsUnsignedJwt => "rs-accepts-unsigned-jwt",
            Mutant::RsReadsQueryToken => "rs-reads-query-token",
            Mutant::RsBearerCaseSensitive => "rs-bearer-case-sensitive",
            Mutant::RsLeaksToolsList => "rs-leaks-tools-list",
            Mutant::RsDoubleTokenAccepted => "rs-double-token-accepted",
            Mutant::RsMalformedAuth500 => "rs-malformed-auth-500",
            Mutant::AsMetadataIssuerMismatch => "as-metadata-issuer-mismatch",
            Mutant::AsMetadataNotServed => "as-metadata-not-served",
            Mutant::AsMetadataProtectedResourcesHttp => "as-metadata-protected-resources-http",
        }
    }

    /// One sentence naming the rule this mutant breaks.
    pub fn description(self) -> &'static str {
        match self {
            Mutant::PrmMissingResource => {
                "RFC 9728 §2: the protected resource metadata omits the REQUIRED resource member."
            }
            Mutant::PrmResourceMismatch => {
                "RFC 9728 §3.3: the metadata's resource differs from the URL it was fetched for."
            }
            Mutant::PrmResourceTrailingSlash => {
                "RFC 9728 §3.3: the metadata's resource adds a trailing slash, so it is not identical to the resource URL."
            }
            Mutant::PrmResourceWithQuery => {
                "RFC 9728 §2 and RFC 8707 §2: the resource identifier carries a query component."
            }
            Mutant::PrmWrongContentType => {
                "RFC 9728 §3.2: the metadata response is not served as application/json."
            }
            Mutant::PrmNotObject => {
                "RFC 9728 §3.2: the metadata response body is a JSON array rather than a JSON object."
            }
            Mutant::PrmRootOnly => {
                "RFC 9728 §3.1: the metadata is served only at the root well-known URL instead of the path-inserted URL for the resource."
            }
            Mutant::PrmNotServed => {
                "MCP authorization: the resource publishes no protected resource metadata at any well-known URL nor in its challenge."
            }
            Mutant::PrmNoAuthorizationServers => {
                "MCP authorization: the protected resource metadata omits authorization_servers."
            }
            Mutant::PrmEmptyAuthorizationServers => {
                "MCP authorization: the protected resource metadata lists no authorization server."
            }
            Mutant::PrmAuthorizationServersString => {
                "RFC 9728 §2: authorization_servers is a bare string instead of a JSON array."
            }
            Mutant::PrmInsecureAuthorizationServer => {
                "OAuth 2.1 §1.5: an authorization server issuer uses plain http on a non-loopback host."
            }
            Mutant::PrmJwksUriHttp => "RFC 9728 §2: jwks_uri does not use the https scheme.",
            Mutant::PrmJwksMixedWithoutUse => {
                "RFC 9728 §2: the JWK set mixes signing and encryption keys without a use member on every key."
            }
            Mutant::PrmSigningAlgNone => {
                "RFC 9728 §2: resource_signing_alg_values_supported lists the none algorithm."
            }
            Mutant::PrmSignedMetadataUnsigned => {
                "RFC 9728 §2.2: signed_metadata is an unsecured JWT with alg none."
            }
            Mutant::PrmNoScopesSupported => {
                "MCP authorization: the protected resource metadata omits scopes_supported."
            }
            Mutant::PrmEmptyScopesSupported => {
                "MCP authorization: scopes_supported is an empty array."
            }
            Mutant::PrmBearerMethodsQuery => {
                "OAuth 2.1 §5.1: bearer_methods_supported advertises sending tokens in the URI query."
            }
            Mutant::PrmNoResourceName => {
                "RFC 9728 §2: the metadata omits the RECOMMENDED human-readable resource_name."
            }
            Mutant::PrmTaggedNameOnly => {
                "RFC 9728 §2.1: a language-tagged resource_name#en is published without the untagged resource_name."
            }
            Mutant::ChallengeMissing => {
                "RFC 6750 §3 and RFC 9110 §11.6.1: a 401 response carries no WWW-Authenticate header."
            }
            Mutant::ChallengeNoParams => {
                "RFC 9728 §5.1: the Bearer challenge carries no parameters, so no resource_metadata."
            }
            Mutant::ChallengeNoResourceMetadata => {
                "RFC 9728 §5.1: the Bearer challenge omits resource_metadata."
            }
            Mutant::ChallengeResourceMetadataBroken => {
                "RFC 9728 §5.1: the challenge's resource_metadata URL does not serve metadata."
            }
            Mutant::ChallengeDuplicateScope => {
                "RFC 6750 §3: an auth-param (scope) appears more than once in the challenge."
            }
            Mutant::ChallengeBadCharset => {
                "RFC 6750 §3: error_description contains characters outside %x20-21 / %x23-5B / %x5D-7E."
            }
            Mutant::ChallengeErrorWithoutToken => {
                "RFC 6750 §3.1: a request with no authentication information gets an error code."
            }
            Mutant::ChallengeNoErrorOnBadToken => {
                "RFC 6750 §3.1: a rejected access token gets a challenge without error=\"invalid_token\"."
            }
            Mutant::ChallengeNoScope => {
                "MCP authorization: the challenge omits the scope needed to access the resource."
            }
            Mutant::ChallengeScopeVaries => {
                "MCP authorization: the scope in the challenge is not stable between identical requests."
            }
            Mutant::RsNoAuthRequired => {
                "MCP authorization: the MCP endpoint serves requests without any access token."
            }
            Mutant::RsAcceptsAnyToken => {
                "OAuth 2.1 §5.2: the resource server accepts access tokens it never validated."
            }
            Mutant::RsInvalidToken403 => {
                "RFC 6750 §3.1: an invalid access token is answered with 403 instead of 401."
            }
            Mutant::RsAcceptsUnsignedJwt => {
                "OAuth 2.1 §5.2: the resource server accepts an unsecured JWT (alg none) as an access token."
            }
            Mutant::RsReadsQueryToken => {
                "OAuth 2.1 §5.1: the resource server reads an access token from the URI query."
            }
            Mutant::RsBearerCaseSensitive => {
                "RFC 9110 §11.1: the Bearer authentication scheme is matched case-sensitively."
            }
            Mutant::RsLeaksToolsList => {
                "MCP authorization: tools/list is answered without authorization."
            }
            Mutant::RsDoubleTokenAccepted => {
                "RFC 6750 §2 and OAuth 2.1 §5.1: a token sent by more than one method is not rejected as invalid_request."
            }
            Mutant::RsMalformedAuth500 => {
                "RFC 6750 §3.1: a malformed Authorization header yields a server error instead of 400 invalid_request."
            }
            Mutant::AsMetadataIssuerMismatch => {
                "RFC 8414 §3.3: the metadata's issuer differs from the issuer it was fetched for."
            }
            Mutant::AsMetadataNotServed => {
                "MCP authorization: the authorization server publishes no RFC 8414 or OpenID Connect discovery metadata."
            }
            Mutant::AsMetadataProtectedResourcesHttp => {
                "RFC 9728 §4: the AS metadata's protected_resources lists a plain-http resource identifier."
            }
        }
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
