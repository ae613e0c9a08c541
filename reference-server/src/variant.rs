//! The catalogue of conformant alternatives ("variants") the reference
//! server can be switched into: the mirror image of [`crate::Mutant`]. Each
//! variant is a choice a correct server is free to make and some real server
//! does make, so that every conformance check can be shown to pass (or skip)
//! on a server that is right in another way than the default one.

use std::fmt;
use std::str::FromStr;

/// One conformant alternative. Each variant changes one choice and leaves
/// the rest of the server as it is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    ConfidentialClientsOnly,
    PublicRegistrationRefused,
    RegistrationReplacesBadValues,
    RegistrationNeedsInitialToken,
    NoRegistrationEndpoint,
    NoClientManagement,
    MetadataAtRoot,
    ChallengeWithoutResourceMetadata,
    OpaqueTokens,
    NoRefreshTokens,
    NoRevocationEndpoint,
    OtherScopeNames,
    DefaultAudience,
    InvalidRequestErrors,
    RedirectUriIgnoredAtToken,
    PlainPkceAdvertised,
    IssuerTrailingSlash,
    VersionBeforeAuth,
    LoginConsentForm,
    DropsUnknownScopes,
    OidcDiscoveryOnly,
    NoOidcDiscovery,
    HeaderOnlyBearer,
    NoSignedMetadata,
    RevocationRefusesAccessTokens,
    ScopeRequired,
    ResourceRequired,
    VerifierFormatUnchecked,
    SeveralChallenges,
    EmptyErrorBodies,
}

impl Variant {
    /// Every variant, in declaration order.
    pub const ALL: &'static [Variant] = &[
        Variant::ConfidentialClientsOnly,
        Variant::PublicRegistrationRefused,
        Variant::RegistrationReplacesBadValues,
        Variant::RegistrationNeedsInitialToken,
        Variant::NoRegistrationEndpoint,
        Variant::NoClientManagement,
        Variant::MetadataAtRoot,
        Variant::ChallengeWithoutResourceMetadata,
        Variant::OpaqueTokens,
        Variant::NoRefreshTokens,
        Variant::NoRevocationEndpoint,
        Variant::OtherScopeNames,
        Variant::DefaultAudience,
        Variant::InvalidRequestErrors,
        Variant::RedirectUriIgnoredAtToken,
        Variant::PlainPkceAdvertised,
        Variant::IssuerTrailingSlash,
        Variant::VersionBeforeAuth,
        Variant::LoginConsentForm,
        Variant::DropsUnknownScopes,
        Variant::OidcDiscoveryOnly,
        Variant::NoOidcDiscovery,
        Variant::HeaderOnlyBearer,
        Variant::NoSignedMetadata,
        Variant::RevocationRefusesAccessTokens,
        Variant::ScopeRequired,
        Variant::ResourceRequired,
        Variant::VerifierFormatUnchecked,
        Variant::SeveralChallenges,
        Variant::EmptyErrorBodies,
    ];

    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Variant::ConfidentialClientsOnly => "confidential-clients-only",
            Variant::PublicRegistrationRefused => "public-registration-refused",
            Variant::RegistrationReplacesBadValues => "registration-replaces-bad-values",
            Variant::RegistrationNeedsInitialToken => "registration-needs-initial-token",
            Variant::NoRegistrationEndpoint => "no-registration-endpoint",
            Variant::NoClientManagement => "no-client-management",
            Variant::MetadataAtRoot => "metadata-at-root",
            Variant::ChallengeWithoutResourceMetadata => "challenge-without-resource-metadata",
            Variant::OpaqueTokens => "opaque-tokens",
            Variant::NoRefreshTokens => "no-refresh-tokens",
            Variant::NoRevocationEndpoint => "no-revocation-endpoint",
            Variant::OtherScopeNames => "other-scope-names",
            Variant::DefaultAudience => "default-audience",
            Variant::InvalidRequestErrors => "invalid-request-errors",
            Variant::RedirectUriIgnoredAtToken => "redirect-uri-ignored-at-token",
            Variant::PlainPkceAdvertised => "plain-pkce-advertised",
            Variant::IssuerTrailingSlash => "issuer-trailing-slash",
            Variant::VersionBeforeAuth => "version-before-auth",
            Variant::LoginConsentForm => "login-consent-form",
            Variant::DropsUnknownScopes => "drops-unknown-scopes",
            Variant::OidcDiscoveryOnly => "oidc-discovery-only",
            Variant::NoOidcDiscovery => "no-oidc-discovery",
            Variant::HeaderOnlyBearer => "header-only-bearer",
            Variant::NoSignedMetadata => "no-signed-metadata",
            Variant::RevocationRefusesAccessTokens => "revocation-refuses-access-tokens",
            Variant::ScopeRequired => "scope-required",
            Variant::ResourceRequired => "resource-required",
            Variant::VerifierFormatUnchecked => "verifier-format-unchecked",
            Variant::SeveralChallenges => "several-challenges",
            Variant::EmptyErrorBodies => "empty-error-bodies",
        }
    }

    /// One sentence: what the server does instead, and the text that allows it.
    pub fn description(self) -> &'static str {
        match self {
            Variant::ConfidentialClientsOnly => {
                "Registers confidential clients only: a request for token_endpoint_auth_method none is given client_secret_basic and a secret instead (RFC 7591 §3.2.1 lets the server replace requested values), and the metadata does not list none."
            }
            Variant::PublicRegistrationRefused => {
                "Refuses to register public clients with 400 invalid_client_metadata (RFC 7591 §3.2.2), and the metadata does not list none."
            }
            Variant::RegistrationReplacesBadValues => {
                "Replaces bad registration values instead of refusing them (RFC 7591 §2 and §3.2.1): an unknown auth method becomes client_secret_basic, response_types follow grant_types, a redirect URI loses its fragment, jwks is dropped beside jwks_uri, unknown scopes are dropped."
            }
            Variant::RegistrationNeedsInitialToken => {
                "The registration endpoint requires an initial access token and answers 401 without one (RFC 7591 §3)."
            }
            Variant::NoRegistrationEndpoint => {
                "Offers no dynamic client registration: no registration_endpoint, /register answers 404 (optional since MCP 2025-11-25)."
            }
            Variant::NoClientManagement => {
                "Offers no RFC 7592 client management: registration responses carry no registration_access_token or registration_client_uri."
            }
            Variant::MetadataAtRoot => {
                "Serves the protected resource metadata only at the root well-known URL and names it in the challenge, where MCP clients look first (MCP 2025-11-25 §4.2 also allows the root location)."
            }
            Variant::ChallengeWithoutResourceMetadata => {
                "The 401 challenge has no resource_metadata; the metadata is at the path-inserted well-known URL (MCP 2025-11-25 §4.2 lets the server choose either mechanism)."
            }
            Variant::OpaqueTokens => {
                "Issues opaque access tokens, which the resource server validates through RFC 7662 introspection (advertised as introspection_endpoint)."
            }
            Variant::NoRefreshTokens => {
                "Issues no refresh tokens and does not offer the refresh_token grant; a registration asking for it gets authorization_code only (OAuth 2.1 §4.3: refresh tokens are optional)."
            }
            Variant::NoRevocationEndpoint => {
                "Offers no token revocation: no revocation_endpoint, /revoke answers 404 (RFC 7009 is optional)."
            }
            Variant::OtherScopeNames => {
                "Uses its own scope names: api.basic (initialize, ping) and api.tools (tools/list, tools/call); none is called mcp:*."
            }
            Variant::DefaultAudience => {
                "A token requested without a resource indicator gets this MCP server as its audience (RFC 8707 §2 allows a default resource)."
            }
            Variant::InvalidRequestErrors => {
                "Answers invalid_request instead of invalid_grant where the text allows it: a missing or malformed code_verifier, a missing redirect_uri (RFC 6749 §5.2, RFC 7636 §4.4.1)."
            }
            Variant::RedirectUriIgnoredAtToken => {
                "An OAuth 2.1 token endpoint: redirect_uri in the token request is ignored (OAuth 2.1 §4.1.3 drops it; only §10.2 compatibility with OAuth 2.0 clients needs it)."
            }
            Variant::PlainPkceAdvertised => {
                "Supports the plain PKCE method and says so in code_challenge_methods_supported (RFC 7636 §4.2; S256 stays supported)."
            }
            Variant::IssuerTrailingSlash => {
                "The issuer identifier ends with a slash (http://host:port/), used the same everywhere: metadata, iss, tokens and authorization_servers (RFC 8414 §3.1 removes it to build the well-known URL)."
            }
            Variant::VersionBeforeAuth => {
                "The MCP endpoint checks the MCP-Protocol-Version header before authorization, so an unsupported version gets 400 even without a token."
            }
            Variant::LoginConsentForm => {
                "Shows a login and consent form (alice / wonderland) before issuing a code, instead of approving at once."
            }
            Variant::DropsUnknownScopes => {
                "Drops scopes it does not know, or that exceed the grant on refresh, instead of answering invalid_scope (RFC 6749 §3.3 lets the server fully or partially ignore the requested scope), and names the granted scope in the response."
            }
            Variant::OidcDiscoveryOnly => {
                "Publishes its metadata only as an OpenID Connect discovery document (MCP 2025-11-25 §4.3 has clients try both)."
            }
            Variant::NoOidcDiscovery => {
                "Publishes RFC 8414 metadata only, no OpenID Connect discovery document."
            }
            Variant::HeaderOnlyBearer => {
                "Accepts bearer tokens in the Authorization header only, and advertises bearer_methods_supported [header] (RFC 6750 §2.2 is optional)."
            }
            Variant::NoSignedMetadata => {
                "Publishes its metadata documents without signed_metadata (an optional member)."
            }
            Variant::RevocationRefusesAccessTokens => {
                "Revokes refresh tokens only: an access token gets 400 unsupported_token_type (RFC 7009 §2.2.1 lets the server refuse a token type)."
            }
            Variant::ScopeRequired => {
                "An authorization request without scope is refused with invalid_scope (RFC 6749 §3.3: process it with a default or fail it)."
            }
            Variant::ResourceRequired => {
                "An authorization request without a resource indicator is refused with invalid_target (RFC 8707 §2 allows this)."
            }
            Variant::VerifierFormatUnchecked => {
                "Does not check the code_verifier's length or characters, only its S256 transform (RFC 7636 §4.1 binds the client, §4.6 the comparison)."
            }
            Variant::SeveralChallenges => {
                "Sends a DPoP challenge beside the Bearer one in every 401 (RFC 9110 §11.6.1 and RFC 9728 §5.4 allow several challenges)."
            }
            Variant::EmptyErrorBodies => {
                "The MCP endpoint's 401, 403 and 400 answers have an empty body; the status and the challenge say it all (RFC 6750 §3 requires no body)."
            }
        }
    }

    /// The earliest MCP revision under which this choice is conformant:
    /// some were SHOULDs or MUSTs in MCP 2025-06-18.
    pub fn since(self) -> &'static str {
        match self {
            Variant::NoRegistrationEndpoint
            | Variant::ChallengeWithoutResourceMetadata
            | Variant::OidcDiscoveryOnly => "2025-11-25",
            _ => "2025-06-18",
        }
    }

    /// Looks a variant up by its kebab-case name.
    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.iter().copied().find(|v| v.name() == name)
    }
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Variant::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Variant::ALL.iter().map(|v| v.name()).collect();
            format!(
                "unknown variant `{s}`; valid names are: {}",
                names.join(", ")
            )
        })
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Variant::ALL.iter().map(|v| v.name()).collect();
        for v in Variant::ALL {
            assert_eq!(Variant::from_name(v.name()), Some(*v));
            assert!(!v.description().is_empty());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Variant::ALL.len());
        // A variant named like a mutant would be confusing on the command line.
        for m in crate::Mutant::ALL {
            assert!(Variant::from_name(m.name()).is_none(), "{m}");
        }
    }
}
