//! The catalogue of conformant alternatives ("variants") the reference
//! server can be switched into: the mirror image of [`crate::Mutant`]. Each
//! variant is a choice a correct server is free to make and some real server
//! does make, so that every conformance check can be shown to pass (or skip)
//! on a server that is right in another way than the default one.
//!
//! The catalogue is one table (the `variants!` invocation below): a row names
//! the variant, its kebab-case name, an optional `since "<revision>"` (the
//! default is 2025-06-18) and the one sentence describing the choice.

use std::fmt;
use std::str::FromStr;

/// The MCP revision a variant is conformant from unless its row says otherwise.
const FIRST_REVISION: &str = "2025-06-18";

/// What the table records about one variant besides its enum variant.
struct Row {
    name: &'static str,
    description: &'static str,
    since: &'static str,
}

/// Generates [`Variant`], [`Variant::ALL`] and the row table from one list of
/// `Variant "kebab-name" [since "revision"] "description";` rows, in
/// catalogue order.
macro_rules! variants {
    (@since) => { FIRST_REVISION };
    (@since $since:literal) => { $since };
    ($( $variant:ident $name:literal $(since $since:literal)? $description:literal; )*) => {
        /// One conformant alternative. Each variant changes one choice and leaves
        /// the rest of the server as it is.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Variant {
            $( #[doc = $description] $variant, )*
        }

        impl Variant {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Variant] = &[$( Variant::$variant, )*];

            /// One row per variant, indexed by the variant's discriminant.
            const ROWS: &'static [Row] = &[$(
                Row {
                    name: $name,
                    description: $description,
                    since: variants!(@since $($since)?),
                },
            )*];
        }
    };
}

variants! {
    ConfidentialClientsOnly "confidential-clients-only"
        "Registers confidential clients only: a request for token_endpoint_auth_method none is given client_secret_basic and a secret instead (RFC 7591 §3.2.1 lets the server replace requested values), and the metadata does not list none.";
    PublicRegistrationRefused "public-registration-refused"
        "Refuses to register public clients with 400 invalid_client_metadata (RFC 7591 §3.2.2), and the metadata does not list none.";
    RegistrationReplacesBadValues "registration-replaces-bad-values"
        "Replaces bad registration values instead of refusing them (RFC 7591 §2 and §3.2.1): an unknown auth method becomes client_secret_basic, response_types follow grant_types, a redirect URI loses its fragment, jwks is dropped beside jwks_uri, unknown scopes are dropped.";
    RegistrationNeedsInitialToken "registration-needs-initial-token"
        "The registration endpoint requires an initial access token and answers 401 without one (RFC 7591 §3).";
    NoRegistrationEndpoint "no-registration-endpoint" since "2025-11-25"
        "Offers no dynamic client registration: no registration_endpoint, /register answers 404 (optional since MCP 2025-11-25).";
    NoClientManagement "no-client-management"
        "Offers no RFC 7592 client management: registration responses carry no registration_access_token or registration_client_uri.";
    MetadataAtRoot "metadata-at-root"
        "Serves the protected resource metadata only at the root well-known URL and names it in the challenge, where MCP clients look first (MCP 2025-11-25 §4.2 also allows the root location).";
    ChallengeWithoutResourceMetadata "challenge-without-resource-metadata" since "2025-11-25"
        "The 401 challenge has no resource_metadata; the metadata is at the path-inserted well-known URL (MCP 2025-11-25 §4.2 lets the server choose either mechanism).";
    OpaqueTokens "opaque-tokens"
        "Issues opaque access tokens, which the resource server validates through RFC 7662 introspection (advertised as introspection_endpoint).";
    NoRefreshTokens "no-refresh-tokens"
        "Issues no refresh tokens and does not offer the refresh_token grant; a registration asking for it gets authorization_code only (OAuth 2.1 §4.3: refresh tokens are optional).";
    NoRevocationEndpoint "no-revocation-endpoint"
        "Offers no token revocation: no revocation_endpoint, /revoke answers 404 (RFC 7009 is optional).";
    OtherScopeNames "other-scope-names"
        "Uses its own scope names: api.basic (initialize, ping) and api.tools (tools/list, tools/call); none is called mcp:*.";
    DefaultAudience "default-audience"
        "A token requested without a resource indicator gets this MCP server as its audience (RFC 8707 §2 allows a default resource).";
    DefaultAudienceSlash "default-audience-slash"
        "A token requested without a resource indicator gets this MCP server as its audience, written with a trailing slash, and the MCP server takes both spellings as itself (RFC 8707 §2 allows a default resource; how the server writes its own identifier is its choice).";
    InvalidRequestErrors "invalid-request-errors"
        "Answers invalid_request instead of invalid_grant where the text allows it: a missing or malformed code_verifier, a missing redirect_uri (RFC 6749 §5.2, RFC 7636 §4.4.1).";
    RedirectUriIgnoredAtToken "redirect-uri-ignored-at-token"
        "An OAuth 2.1 token endpoint: redirect_uri in the token request is ignored (OAuth 2.1 §4.1.3 drops it; only §10.2 compatibility with OAuth 2.0 clients needs it).";
    PlainPkceAdvertised "plain-pkce-advertised"
        "Supports the plain PKCE method and says so in code_challenge_methods_supported (RFC 7636 §4.2; S256 stays supported).";
    IssuerTrailingSlash "issuer-trailing-slash"
        "The issuer identifier ends with a slash (http://host:port/), used the same everywhere: metadata, iss, tokens and authorization_servers (RFC 8414 §3.1 removes it to build the well-known URL).";
    VersionBeforeAuth "version-before-auth"
        "The MCP endpoint checks the MCP-Protocol-Version header before authorization, so an unsupported version gets 400 even without a token.";
    LoginConsentForm "login-consent-form"
        "Shows a login and consent form (alice / wonderland) before issuing a code, instead of approving at once.";
    DropsUnknownScopes "drops-unknown-scopes"
        "Drops scopes it does not know, or that exceed the grant on refresh, instead of answering invalid_scope (RFC 6749 §3.3 lets the server fully or partially ignore the requested scope), and names the granted scope in the response.";
    OidcDiscoveryOnly "oidc-discovery-only" since "2025-11-25"
        "Publishes its metadata only as an OpenID Connect discovery document (MCP 2025-11-25 §4.3 has clients try both).";
    NoOidcDiscovery "no-oidc-discovery"
        "Publishes RFC 8414 metadata only, no OpenID Connect discovery document.";
    HeaderOnlyBearer "header-only-bearer"
        "Accepts bearer tokens in the Authorization header only, and advertises bearer_methods_supported [header] (RFC 6750 §2.2 is optional).";
    NoSignedMetadata "no-signed-metadata"
        "Publishes its metadata documents without signed_metadata (an optional member).";
    RevocationRefusesAccessTokens "revocation-refuses-access-tokens"
        "Revokes refresh tokens only: an access token gets 400 unsupported_token_type (RFC 7009 §2.2.1 lets the server refuse a token type).";
    ScopeRequired "scope-required"
        "An authorization request without scope is refused with invalid_scope (RFC 6749 §3.3: process it with a default or fail it).";
    ResourceRequired "resource-required"
        "An authorization request without a resource indicator is refused with invalid_target (RFC 8707 §2 allows this).";
    VerifierFormatUnchecked "verifier-format-unchecked"
        "Does not check the code_verifier's length or characters, only its S256 transform (RFC 7636 §4.1 binds the client, §4.6 the comparison).";
    SeveralChallenges "several-challenges"
        "Sends a DPoP challenge beside the Bearer one in every 401 (RFC 9110 §11.6.1 and RFC 9728 §5.4 allow several challenges).";
    PerOperationScopes "per-operation-scopes"
        "Scopes per operation: server/discover, initialize and tools/list need mcp:read, tools/call needs mcp:tools, and each challenge names the scope of the operation it refuses (MCP 2026-07-28 authorization §6: the challenge's scopes are those of the current operation).";
    EmptyErrorBodies "empty-error-bodies"
        "The MCP endpoint's 401, 403 and 400 answers have an empty body; the status and the challenge say it all (RFC 6750 §3 requires no body).";
    FederatedLogin "federated-login"
        "Signs users in at an upstream authorization server on another origin (an OAuth proxy in front of an identity provider): /authorize sends the browser to the upstream's login form, takes the upstream code back at /authorize/upstream and only then issues its own code (MCP 2026-07-28 authorization §2 leaves how the AS authenticates the user to it).";
    CimdAllowlist "cimd-allowlist" since "2025-11-25"
        "Accepts Client ID Metadata Documents only from client hosts on its allow-list (clients.authspec.example): any other client_id URL gets an error page and no fetch (MCP 2026-07-28 security considerations §7.3 allows domain-based trust policies).";
    CimdHttpPermitted "cimd-http-permitted" since "2025-11-25"
        "Its document test mode accepts plain-http client_id URLs on any name that resolves to loopback, localhost included, not only on the address 127.0.0.1 (no text defines the test mode; real servers have such an http-permitted switch).";
    CimdLoopbackFetch "cimd-loopback-fetch" since "2025-11-25"
        "Its document test mode fetches documents on loopback addresses over https too, not only plain http (the CIMD draft lets a development server on loopback fetch from loopback).";
    CimdMinCacheLifetime "cimd-min-cache-lifetime" since "2025-11-25"
        "Keeps a good metadata document for at least 60 seconds, whatever its Cache-Control says (no-store included): CIMD §4.4 lets the server set its own lower bound on the cache lifetime.";
    CimdFetchThenValidate "cimd-fetch-then-validate" since "2025-11-25"
        "Fetches a client_id URL (within its address rules) before checking the URL's syntax, then refuses a bad identifier (no text orders the syntax check before the fetch).";
    ModernOnly "modern-only" since "2026-07-28"
        "Speaks MCP 2026-07-28 alone: server/discover lists no 2025 revision, 2025 requests (initialize) get 400 with -32022 naming the supported version, GET and DELETE get 405 (2026-07-28 versioning §4, streamable HTTP §7.1).";
}

impl Variant {
    fn row(self) -> &'static Row {
        &Variant::ROWS[self as usize]
    }

    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// One sentence: what the server does instead, and the text that allows it.
    pub fn description(self) -> &'static str {
        self.row().description
    }

    /// The earliest MCP revision under which this choice is conformant:
    /// some were SHOULDs or MUSTs in MCP 2025-06-18.
    pub fn since(self) -> &'static str {
        self.row().since
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
    fn rows_follow_the_variants() {
        assert_eq!(Variant::ALL.len(), Variant::ROWS.len());
        for (i, v) in Variant::ALL.iter().enumerate() {
            assert_eq!(*v as usize, i);
        }
    }

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
