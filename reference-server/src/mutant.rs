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
    AsMetadataNoS256,
    AsMetadataNoCodeChallengeMethods,
    AsMetadataNoResponseTypes,
    AsMetadataNoCodeResponseType,
    AsMetadataNoTokenEndpoint,
    AsMetadataNoAuthorizationEndpoint,
    AsMetadataHttpEndpoint,
    AsMetadataEndpointFragment,
    AsMetadataGrantTypesWithoutCode,
    AsMetadataNoPublicAuthMethod,
    AsMetadataNoRegistrationEndpoint,
    AsMetadataWrongContentType,
    AsMetadataEmptyScopes,
    AsMetadataJwtAuthWithoutAlgs,
    AsMetadataJwksUriHttp,
    AsMetadataSignedUnsigned,
    AsOidcIssuerMismatch,
    DcrAcceptsFragmentRedirect,
    DcrAcceptsJavascriptRedirect,
    DcrAcceptsUndottedScheme,
    DcrAcceptsHttpRedirect,
    DcrAcceptsMissingRedirectUris,
    DcrAcceptsInconsistentTypes,
    DcrAcceptsUnknownAuthMethod,
    DcrAcceptsJwksAndJwksUri,
    DcrAcceptsUnsignedSoftwareStatement,
    DcrRejectsUnknownFields,
    DcrMalformedJson500,
    DcrWrongContentType500,
    DcrStaticClientId,
    DcrStatus200,
    DcrOmitsMetadata,
    DcrSecretForPublicClient,
    DcrNoSecretExpiry,
    DcrWrongErrorCode,
    DcrManagementNoAuth,
    PkceNotRequired,
    PkceAcceptsPlain,
    PkceAcceptsUnknownMethod,
    AuthorizeRedirectsUnknownClient,
    AuthorizeRedirectsUnregisteredUri,
    AuthorizePrefixRedirectMatch,
    AuthorizeFixedLoopbackPort,
    AuthorizeDropsState,
    AuthorizeAltersState,
    AuthorizeOmitsIss,
    AuthorizeAcceptsTokenResponseType,
    AuthorizeAcceptsFragmentResource,
    AuthorizeAcceptsForeignResource,
    AuthorizeFrameable,
    AuthorizeCorsWildcard,
    AuthorizeReflectsUnescaped,
    AuthorizeRejectsUnknownParams,
    AuthorizeAcceptsRepeatedParams,
    AuthorizeEmptyParamNotAbsent,
    AuthorizeDefaultRedirectWithMany,
    AuthorizeDropsRedirectQuery,
    AuthorizeCaseSensitiveResource,
    TokenIgnoresVerifier,
    TokenAcceptsMissingVerifier,
    CodeReusable,
    CodeReplayKeepsTokens,
    CodeRace,
    CodeShort,
    TokenIgnoresRedirectUri,
    TokenIgnoresClientBinding,
    TokenNoStoreMissing,
    TokenTypeNotBearer,
    TokenNoExpiresIn,
    TokenErrorHtml,
    TokenWrongErrorCode,
    TokenBasicAuthNoChallenge,
    TokenAcceptsPasswordGrant,
    TokenIgnoresResource,
    TokenAudienceIssuer,
    TokenAcceptsTwoAuthMethods,
    TokenAcceptsQueryCredentials,
    TokenRejectsUnknownParams,
    TokenAcceptsRepeatedParams,
    TokenErrorBadCharset,
    TokenClientCredentialsPublic,
    RefreshNotRotated,
    RefreshReuseAllowed,
    RefreshWidensScope,
    RevokeIgnored,
    RsAcceptsWrongAudience,
    RsIgnoresSignature,
    RsAcceptsRevoked,
    RsIgnoresScope,
    RsInsufficientScope401,
    RsIgnoresProtocolVersion,
    RsPrereleaseVersionCode,
    RsTrustsVersionHeader,
    RsMissingVersionHeaderAccepted,
    RsIgnoresMcpHeaders,
    RsMcpMethodCaseInsensitive,
    RsUnknownMethod200,
    RsNoDiscover,
    RsRequiresDiscoverFirst,
    RsNoResultType,
    RsNoCacheHints,
    RsNoServerInfo,
    RsTextPlainResponse,
    RsIgnoresOrigin,
    RsGetOpensStream,
    RsRejectsUnknownSession,
    RsRejectsLastEventId,
    RsDefaultsMissingCapabilities,
    RsTrustsClientInfo,
    RsNotification200,
    RsNullIdOnRejection,
    RsLegacyResourceNotFound,
    RsSseWithRequest,
    RsEmptyInitializeError,
    RsResourcesOpen,
    PrmOfflineAccess,
    AuthorizeErrorOmitsIss,
    AuthorizeIssMismatch,
    AsMetadataNoIssFlag,
    AsMetadataIssFlagString,
    AsMetadataIssuerTrailingSlash,
    RegisterRejectsApplicationType,
    RsUndefinedReservedCode,
    AuthorizeIssWithQuery,
    RsIgnoresParamHeaders,
    RsInputRequestUndeclared,
    CimdNotAdvertised,
    CimdFlagString,
    CimdFetchesHttp,
    CimdAcceptsFragment,
    CimdAcceptsUserinfo,
    CimdAcceptsDotSegments,
    CimdAcceptsNoPath,
    CimdClientIdUnchecked,
    CimdAnyRedirectUri,
    CimdAcceptsSymmetricAuth,
    CimdAcceptsMalformedDocument,
    CimdIgnoresFetchFailure,
    CimdNoSizeLimit,
    CimdCachesErrors,
    CimdIgnoresCacheControl,
    CimdFetchesPrivateAddresses,
    CimdConsentHidesHost,
    CimdConsentHotlinksLogo,
    CimdKeyAuthAsPublic,
    CimdFollowsRedirects,
    CimdDocumentIgnored,
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
        Mutant::AsMetadataNoS256,
        Mutant::AsMetadataNoCodeChallengeMethods,
        Mutant::AsMetadataNoResponseTypes,
        Mutant::AsMetadataNoCodeResponseType,
        Mutant::AsMetadataNoTokenEndpoint,
        Mutant::AsMetadataNoAuthorizationEndpoint,
        Mutant::AsMetadataHttpEndpoint,
        Mutant::AsMetadataEndpointFragment,
        Mutant::AsMetadataGrantTypesWithoutCode,
        Mutant::AsMetadataNoPublicAuthMethod,
        Mutant::AsMetadataNoRegistrationEndpoint,
        Mutant::AsMetadataWrongContentType,
        Mutant::AsMetadataEmptyScopes,
        Mutant::AsMetadataJwtAuthWithoutAlgs,
        Mutant::AsMetadataJwksUriHttp,
        Mutant::AsMetadataSignedUnsigned,
        Mutant::AsOidcIssuerMismatch,
        Mutant::DcrAcceptsFragmentRedirect,
        Mutant::DcrAcceptsJavascriptRedirect,
        Mutant::DcrAcceptsUndottedScheme,
        Mutant::DcrAcceptsHttpRedirect,
        Mutant::DcrAcceptsMissingRedirectUris,
        Mutant::DcrAcceptsInconsistentTypes,
        Mutant::DcrAcceptsUnknownAuthMethod,
        Mutant::DcrAcceptsJwksAndJwksUri,
        Mutant::DcrAcceptsUnsignedSoftwareStatement,
        Mutant::DcrRejectsUnknownFields,
        Mutant::DcrMalformedJson500,
        Mutant::DcrWrongContentType500,
        Mutant::DcrStaticClientId,
        Mutant::DcrStatus200,
        Mutant::DcrOmitsMetadata,
        Mutant::DcrSecretForPublicClient,
        Mutant::DcrNoSecretExpiry,
        Mutant::DcrWrongErrorCode,
        Mutant::DcrManagementNoAuth,
        Mutant::PkceNotRequired,
        Mutant::PkceAcceptsPlain,
        Mutant::PkceAcceptsUnknownMethod,
        Mutant::AuthorizeRedirectsUnknownClient,
        Mutant::AuthorizeRedirectsUnregisteredUri,
        Mutant::AuthorizePrefixRedirectMatch,
        Mutant::AuthorizeFixedLoopbackPort,
        Mutant::AuthorizeDropsState,
        Mutant::AuthorizeAltersState,
        Mutant::AuthorizeOmitsIss,
        Mutant::AuthorizeAcceptsTokenResponseType,
        Mutant::AuthorizeAcceptsFragmentResource,
        Mutant::AuthorizeAcceptsForeignResource,
        Mutant::AuthorizeFrameable,
        Mutant::AuthorizeCorsWildcard,
        Mutant::AuthorizeReflectsUnescaped,
        Mutant::AuthorizeRejectsUnknownParams,
        Mutant::AuthorizeAcceptsRepeatedParams,
        Mutant::AuthorizeEmptyParamNotAbsent,
        Mutant::AuthorizeDefaultRedirectWithMany,
        Mutant::AuthorizeDropsRedirectQuery,
        Mutant::AuthorizeCaseSensitiveResource,
        Mutant::TokenIgnoresVerifier,
        Mutant::TokenAcceptsMissingVerifier,
        Mutant::CodeReusable,
        Mutant::CodeReplayKeepsTokens,
        Mutant::CodeRace,
        Mutant::CodeShort,
        Mutant::TokenIgnoresRedirectUri,
        Mutant::TokenIgnoresClientBinding,
        Mutant::TokenNoStoreMissing,
        Mutant::TokenTypeNotBearer,
        Mutant::TokenNoExpiresIn,
        Mutant::TokenErrorHtml,
        Mutant::TokenWrongErrorCode,
        Mutant::TokenBasicAuthNoChallenge,
        Mutant::TokenAcceptsPasswordGrant,
        Mutant::TokenIgnoresResource,
        Mutant::TokenAudienceIssuer,
        Mutant::TokenAcceptsTwoAuthMethods,
        Mutant::TokenAcceptsQueryCredentials,
        Mutant::TokenRejectsUnknownParams,
        Mutant::TokenAcceptsRepeatedParams,
        Mutant::TokenErrorBadCharset,
        Mutant::TokenClientCredentialsPublic,
        Mutant::RefreshNotRotated,
        Mutant::RefreshReuseAllowed,
        Mutant::RefreshWidensScope,
        Mutant::RevokeIgnored,
        Mutant::RsAcceptsWrongAudience,
        Mutant::RsIgnoresSignature,
        Mutant::RsAcceptsRevoked,
        Mutant::RsIgnoresScope,
        Mutant::RsInsufficientScope401,
        Mutant::RsIgnoresProtocolVersion,
        Mutant::RsPrereleaseVersionCode,
        Mutant::RsTrustsVersionHeader,
        Mutant::RsMissingVersionHeaderAccepted,
        Mutant::RsIgnoresMcpHeaders,
        Mutant::RsMcpMethodCaseInsensitive,
        Mutant::RsUnknownMethod200,
        Mutant::RsNoDiscover,
        Mutant::RsRequiresDiscoverFirst,
        Mutant::RsNoResultType,
        Mutant::RsNoCacheHints,
        Mutant::RsNoServerInfo,
        Mutant::RsTextPlainResponse,
        Mutant::RsIgnoresOrigin,
        Mutant::RsGetOpensStream,
        Mutant::RsRejectsUnknownSession,
        Mutant::RsRejectsLastEventId,
        Mutant::RsDefaultsMissingCapabilities,
        Mutant::RsTrustsClientInfo,
        Mutant::RsNotification200,
        Mutant::RsNullIdOnRejection,
        Mutant::RsLegacyResourceNotFound,
        Mutant::RsSseWithRequest,
        Mutant::RsEmptyInitializeError,
        Mutant::RsResourcesOpen,
        Mutant::PrmOfflineAccess,
        Mutant::AuthorizeErrorOmitsIss,
        Mutant::AuthorizeIssMismatch,
        Mutant::AsMetadataNoIssFlag,
        Mutant::AsMetadataIssFlagString,
        Mutant::AsMetadataIssuerTrailingSlash,
        Mutant::RegisterRejectsApplicationType,
        Mutant::RsUndefinedReservedCode,
        Mutant::AuthorizeIssWithQuery,
        Mutant::RsIgnoresParamHeaders,
        Mutant::RsInputRequestUndeclared,
        Mutant::CimdNotAdvertised,
        Mutant::CimdFlagString,
        Mutant::CimdFetchesHttp,
        Mutant::CimdAcceptsFragment,
        Mutant::CimdAcceptsUserinfo,
        Mutant::CimdAcceptsDotSegments,
        Mutant::CimdAcceptsNoPath,
        Mutant::CimdClientIdUnchecked,
        Mutant::CimdAnyRedirectUri,
        Mutant::CimdAcceptsSymmetricAuth,
        Mutant::CimdAcceptsMalformedDocument,
        Mutant::CimdIgnoresFetchFailure,
        Mutant::CimdNoSizeLimit,
        Mutant::CimdCachesErrors,
        Mutant::CimdIgnoresCacheControl,
        Mutant::CimdFetchesPrivateAddresses,
        Mutant::CimdConsentHidesHost,
        Mutant::CimdConsentHotlinksLogo,
        Mutant::CimdKeyAuthAsPublic,
        Mutant::CimdFollowsRedirects,
        Mutant::CimdDocumentIgnored,
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
            Mutant::AsMetadataNoS256 => "as-metadata-no-s256",
            Mutant::AsMetadataNoCodeChallengeMethods => "as-metadata-no-code-challenge-methods",
            Mutant::AsMetadataNoResponseTypes => "as-metadata-no-response-types",
            Mutant::AsMetadataNoCodeResponseType => "as-metadata-no-code-response-type",
            Mutant::AsMetadataNoTokenEndpoint => "as-metadata-no-token-endpoint",
            Mutant::AsMetadataNoAuthorizationEndpoint => "as-metadata-no-authorization-endpoint",
            Mutant::AsMetadataHttpEndpoint => "as-metadata-http-endpoint",
            Mutant::AsMetadataEndpointFragment => "as-metadata-endpoint-fragment",
            Mutant::AsMetadataGrantTypesWithoutCode => "as-metadata-grant-types-without-code",
            Mutant::AsMetadataNoPublicAuthMethod => "as-metadata-no-public-auth-method",
            Mutant::AsMetadataNoRegistrationEndpoint => "as-metadata-no-registration-endpoint",
            Mutant::AsMetadataWrongContentType => "as-metadata-wrong-content-type",
            Mutant::AsMetadataEmptyScopes => "as-metadata-empty-scopes",
            Mutant::AsMetadataJwtAuthWithoutAlgs => "as-metadata-jwt-auth-without-algs",
            Mutant::AsMetadataJwksUriHttp => "as-metadata-jwks-uri-http",
            Mutant::AsMetadataSignedUnsigned => "as-metadata-signed-unsigned",
            Mutant::AsOidcIssuerMismatch => "as-oidc-issuer-mismatch",
            Mutant::DcrAcceptsFragmentRedirect => "dcr-accepts-fragment-redirect",
            Mutant::DcrAcceptsJavascriptRedirect => "dcr-accepts-javascript-redirect",
            Mutant::DcrAcceptsUndottedScheme => "dcr-accepts-undotted-scheme",
            Mutant::DcrAcceptsHttpRedirect => "dcr-accepts-http-redirect",
            Mutant::DcrAcceptsMissingRedirectUris => "dcr-accepts-missing-redirect-uris",
            Mutant::DcrAcceptsInconsistentTypes => "dcr-accepts-inconsistent-types",
            Mutant::DcrAcceptsUnknownAuthMethod => "dcr-accepts-unknown-auth-method",
            Mutant::DcrAcceptsJwksAndJwksUri => "dcr-accepts-jwks-and-jwks-uri",
            Mutant::DcrAcceptsUnsignedSoftwareStatement => {
                "dcr-accepts-unsigned-software-statement"
            }
            Mutant::DcrRejectsUnknownFields => "dcr-rejects-unknown-fields",
            Mutant::DcrMalformedJson500 => "dcr-malformed-json-500",
            Mutant::DcrWrongContentType500 => "dcr-wrong-content-type-500",
            Mutant::DcrStaticClientId => "dcr-static-client-id",
            Mutant::DcrStatus200 => "dcr-status-200",
            Mutant::DcrOmitsMetadata => "dcr-omits-metadata",
            Mutant::DcrSecretForPublicClient => "dcr-secret-for-public-client",
            Mutant::DcrNoSecretExpiry => "dcr-no-secret-expiry",
            Mutant::DcrWrongErrorCode => "dcr-wrong-error-code",
            Mutant::DcrManagementNoAuth => "dcr-management-no-auth",
            Mutant::PkceNotRequired => "pkce-not-required",
            Mutant::PkceAcceptsPlain => "pkce-accepts-plain",
            Mutant::PkceAcceptsUnknownMethod => "pkce-accepts-unknown-method",
            Mutant::AuthorizeRedirectsUnknownClient => "authorize-redirects-unknown-client",
            Mutant::AuthorizeRedirectsUnregisteredUri => "authorize-redirects-unregistered-uri",
            Mutant::AuthorizePrefixRedirectMatch => "authorize-prefix-redirect-match",
            Mutant::AuthorizeFixedLoopbackPort => "authorize-fixed-loopback-port",
            Mutant::AuthorizeDropsState => "authorize-drops-state",
            Mutant::AuthorizeAltersState => "authorize-alters-state",
            Mutant::AuthorizeOmitsIss => "authorize-omits-iss",
            Mutant::AuthorizeAcceptsTokenResponseType => "authorize-accepts-token-response-type",
            Mutant::AuthorizeAcceptsFragmentResource => "authorize-accepts-fragment-resource",
            Mutant::AuthorizeAcceptsForeignResource => "authorize-accepts-foreign-resource",
            Mutant::AuthorizeFrameable => "authorize-frameable",
            Mutant::AuthorizeCorsWildcard => "authorize-cors-wildcard",
            Mutant::AuthorizeReflectsUnescaped => "authorize-reflects-unescaped",
            Mutant::AuthorizeRejectsUnknownParams => "authorize-rejects-unknown-params",
            Mutant::AuthorizeAcceptsRepeatedParams => "authorize-accepts-repeated-params",
            Mutant::AuthorizeEmptyParamNotAbsent => "authorize-empty-param-not-absent",
            Mutant::AuthorizeDefaultRedirectWithMany => "authorize-default-redirect-with-many",
            Mutant::AuthorizeDropsRedirectQuery => "authorize-drops-redirect-query",
            Mutant::AuthorizeCaseSensitiveResource => "authorize-case-sensitive-resource",
            Mutant::TokenIgnoresVerifier => "token-ignores-verifier",
            Mutant::TokenAcceptsMissingVerifier => "token-accepts-missing-verifier",
            Mutant::CodeReusable => "code-reusable",
            Mutant::CodeReplayKeepsTokens => "code-replay-keeps-tokens",
            Mutant::CodeRace => "code-race",
            Mutant::CodeShort => "code-short",
            Mutant::TokenIgnoresRedirectUri => "token-ignores-redirect-uri",
            Mutant::TokenIgnoresClientBinding => "token-ignores-client-binding",
            Mutant::TokenNoStoreMissing => "token-no-store-missing",
            Mutant::TokenTypeNotBearer => "token-type-not-bearer",
            Mutant::TokenNoExpiresIn => "token-no-expires-in",
            Mutant::TokenErrorHtml => "token-error-html",
            Mutant::TokenWrongErrorCode => "token-wrong-error-code",
            Mutant::TokenBasicAuthNoChallenge => "token-basic-auth-no-challenge",
            Mutant::TokenAcceptsPasswordGrant => "token-accepts-password-grant",
            Mutant::TokenIgnoresResource => "token-ignores-resource",
            Mutant::TokenAudienceIssuer => "token-audience-issuer",
            Mutant::TokenAcceptsTwoAuthMethods => "token-accepts-two-auth-methods",
            Mutant::TokenAcceptsQueryCredentials => "token-accepts-query-credentials",
            Mutant::TokenRejectsUnknownParams => "token-rejects-unknown-params",
            Mutant::TokenAcceptsRepeatedParams => "token-accepts-repeated-params",
            Mutant::TokenErrorBadCharset => "token-error-bad-charset",
            Mutant::TokenClientCredentialsPublic => "token-client-credentials-public",
            Mutant::RefreshNotRotated => "refresh-not-rotated",
            Mutant::RefreshReuseAllowed => "refresh-reuse-allowed",
            Mutant::RefreshWidensScope => "refresh-widens-scope",
            Mutant::RevokeIgnored => "revoke-ignored",
            Mutant::RsAcceptsWrongAudience => "rs-accepts-wrong-audience",
            Mutant::RsIgnoresSignature => "rs-ignores-signature",
            Mutant::RsAcceptsRevoked => "rs-accepts-revoked",
            Mutant::RsIgnoresScope => "rs-ignores-scope",
            Mutant::RsInsufficientScope401 => "rs-insufficient-scope-401",
            Mutant::RsIgnoresProtocolVersion => "rs-ignores-protocol-version",
            Mutant::RsPrereleaseVersionCode => "rs-prerelease-version-code",
            Mutant::RsTrustsVersionHeader => "rs-trusts-version-header",
            Mutant::RsMissingVersionHeaderAccepted => "rs-missing-version-header-accepted",
            Mutant::RsIgnoresMcpHeaders => "rs-ignores-mcp-headers",
            Mutant::RsMcpMethodCaseInsensitive => "rs-mcp-method-case-insensitive",
            Mutant::RsUnknownMethod200 => "rs-unknown-method-200",
            Mutant::RsNoDiscover => "rs-no-discover",
            Mutant::RsRequiresDiscoverFirst => "rs-requires-discover-first",
            Mutant::RsNoResultType => "rs-no-result-type",
            Mutant::RsNoCacheHints => "rs-no-cache-hints",
            Mutant::RsNoServerInfo => "rs-no-server-info",
            Mutant::RsTextPlainResponse => "rs-text-plain-response",
            Mutant::RsIgnoresOrigin => "rs-ignores-origin",
            Mutant::RsGetOpensStream => "rs-get-opens-stream",
            Mutant::RsRejectsUnknownSession => "rs-rejects-unknown-session",
            Mutant::RsRejectsLastEventId => "rs-rejects-last-event-id",
            Mutant::RsDefaultsMissingCapabilities => "rs-defaults-missing-capabilities",
            Mutant::RsTrustsClientInfo => "rs-trusts-client-info",
            Mutant::RsNotification200 => "rs-notification-200",
            Mutant::RsNullIdOnRejection => "rs-null-id-on-rejection",
            Mutant::RsLegacyResourceNotFound => "rs-legacy-resource-not-found",
            Mutant::RsSseWithRequest => "rs-sse-with-request",
            Mutant::RsEmptyInitializeError => "rs-empty-initialize-error",
            Mutant::RsResourcesOpen => "rs-resources-open",
            Mutant::PrmOfflineAccess => "prm-offline-access",
            Mutant::AuthorizeErrorOmitsIss => "authorize-error-omits-iss",
            Mutant::AuthorizeIssMismatch => "authorize-iss-mismatch",
            Mutant::AsMetadataNoIssFlag => "as-metadata-no-iss-flag",
            Mutant::AsMetadataIssFlagString => "as-metadata-iss-flag-string",
            Mutant::AsMetadataIssuerTrailingSlash => "as-metadata-issuer-trailing-slash",
            Mutant::RegisterRejectsApplicationType => "register-rejects-application-type",
            Mutant::RsUndefinedReservedCode => "rs-undefined-reserved-code",
            Mutant::AuthorizeIssWithQuery => "authorize-iss-with-query",
            Mutant::RsIgnoresParamHeaders => "rs-ignores-param-headers",
            Mutant::RsInputRequestUndeclared => "rs-input-request-undeclared",
            Mutant::CimdNotAdvertised => "cimd-not-advertised",
            Mutant::CimdFlagString => "cimd-flag-string",
            Mutant::CimdFetchesHttp => "cimd-fetches-http",
            Mutant::CimdAcceptsFragment => "cimd-accepts-fragment",
            Mutant::CimdAcceptsUserinfo => "cimd-accepts-userinfo",
            Mutant::CimdAcceptsDotSegments => "cimd-accepts-dot-segments",
            Mutant::CimdAcceptsNoPath => "cimd-accepts-no-path",
            Mutant::CimdClientIdUnchecked => "cimd-client-id-unchecked",
            Mutant::CimdAnyRedirectUri => "cimd-any-redirect-uri",
            Mutant::CimdAcceptsSymmetricAuth => "cimd-accepts-symmetric-auth",
            Mutant::CimdAcceptsMalformedDocument => "cimd-accepts-malformed-document",
            Mutant::CimdIgnoresFetchFailure => "cimd-ignores-fetch-failure",
            Mutant::CimdNoSizeLimit => "cimd-no-size-limit",
            Mutant::CimdCachesErrors => "cimd-caches-errors",
            Mutant::CimdIgnoresCacheControl => "cimd-ignores-cache-control",
            Mutant::CimdFetchesPrivateAddresses => "cimd-fetches-private-addresses",
            Mutant::CimdConsentHidesHost => "cimd-consent-hides-host",
            Mutant::CimdConsentHotlinksLogo => "cimd-consent-hotlinks-logo",
            Mutant::CimdKeyAuthAsPublic => "cimd-key-auth-as-public",
            Mutant::CimdFollowsRedirects => "cimd-follows-redirects",
            Mutant::CimdDocumentIgnored => "cimd-document-ignored",
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
                "RFC 9728 §3.1: the metadata is served only at the root well-known URL instead of the path-inserted URL for the resource, and the challenge does not point at it."
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
            Mutant::AsMetadataNoS256 => {
                "RFC 7636 §4.2 and OAuth 2.1 §4.1.1: code_challenge_methods_supported offers only plain, not S256."
            }
            Mutant::AsMetadataNoCodeChallengeMethods => {
                "MCP authorization: the AS metadata omits code_challenge_methods_supported, so PKCE support cannot be confirmed."
            }
            Mutant::AsMetadataNoResponseTypes => {
                "RFC 8414 §2: the AS metadata omits the REQUIRED response_types_supported."
            }
            Mutant::AsMetadataNoCodeResponseType => {
                "OAuth 2.1 §4.1: response_types_supported does not include code."
            }
            Mutant::AsMetadataNoTokenEndpoint => {
                "RFC 8414 §2: the AS metadata omits token_endpoint, which is REQUIRED unless only the implicit grant is supported."
            }
            Mutant::AsMetadataNoAuthorizationEndpoint => {
                "RFC 8414 §2: the AS metadata omits authorization_endpoint, which is REQUIRED when a grant type uses it."
            }
            Mutant::AsMetadataHttpEndpoint => {
                "OAuth 2.1 §1.5: token_endpoint uses plain http on a non-loopback host."
            }
            Mutant::AsMetadataEndpointFragment => {
                "RFC 6749 §3.1: authorization_endpoint contains a fragment component."
            }
            Mutant::AsMetadataGrantTypesWithoutCode => {
                "MCP authorization: grant_types_supported omits authorization_code."
            }
            Mutant::AsMetadataNoPublicAuthMethod => {
                "MCP authorization: token_endpoint_auth_methods_supported omits none, so public clients cannot use the token endpoint."
            }
            Mutant::AsMetadataNoRegistrationEndpoint => {
                "RFC 8414 §2: the metadata omits registration_endpoint although RFC 7591 dynamic registration is offered."
            }
            Mutant::AsMetadataWrongContentType => {
                "RFC 8414 §3.2: the metadata response is not served as application/json."
            }
            Mutant::AsMetadataEmptyScopes => {
                "RFC 8414 §2: scopes_supported is present but lists no scope."
            }
            Mutant::AsMetadataJwtAuthWithoutAlgs => {
                "RFC 8414 §2: private_key_jwt is advertised without token_endpoint_auth_signing_alg_values_supported."
            }
            Mutant::AsMetadataJwksUriHttp => "RFC 8414 §2: jwks_uri does not use the https scheme.",
            Mutant::AsMetadataSignedUnsigned => {
                "RFC 8414 §2.1: signed_metadata is an unsecured JWT with alg none."
            }
            Mutant::AsOidcIssuerMismatch => {
                "OpenID Connect Discovery §4.3: the openid-configuration document's issuer differs from the issuer it was fetched for."
            }
            Mutant::DcrAcceptsFragmentRedirect => {
                "RFC 6749 §3.1.2: registration accepts a redirect URI with a fragment component."
            }
            Mutant::DcrAcceptsJavascriptRedirect => {
                "RFC 7591 §5: registration accepts a javascript:, data:, file: or vbscript: redirect URI."
            }
            Mutant::DcrAcceptsUndottedScheme => {
                "OAuth 2.1 §2.3.1: registration accepts a private-use redirect scheme that is not a reverse domain name."
            }
            Mutant::DcrAcceptsHttpRedirect => {
                "OAuth 2.1 §2.3.1: registration accepts a plain-http redirect URI on a non-loopback host."
            }
            Mutant::DcrAcceptsMissingRedirectUris => {
                "RFC 7591 §2: registration for the authorization code grant succeeds without redirect_uris."
            }
            Mutant::DcrAcceptsInconsistentTypes => {
                "RFC 7591 §2.1: registration accepts response_types that do not match grant_types."
            }
            Mutant::DcrAcceptsUnknownAuthMethod => {
                "RFC 7591 §3.2.2: registration accepts an unsupported token_endpoint_auth_method."
            }
            Mutant::DcrAcceptsJwksAndJwksUri => {
                "RFC 7591 §2: registration accepts both jwks and jwks_uri in one request."
            }
            Mutant::DcrAcceptsUnsignedSoftwareStatement => {
                "RFC 7591 §2.3: registration accepts a software statement that is an unsigned (alg none) JWT."
            }
            Mutant::DcrRejectsUnknownFields => {
                "RFC 7591 §2: registration refuses an unknown metadata member instead of ignoring it."
            }
            Mutant::DcrMalformedJson500 => {
                "RFC 7591 §3.2.2: a malformed JSON body yields a 500 HTML page instead of 400 invalid_client_metadata."
            }
            Mutant::DcrWrongContentType500 => {
                "RFC 7591 §3.2.2: a non-JSON request content type yields a 500 instead of a 400 error response."
            }
            Mutant::DcrStaticClientId => {
                "RFC 7591 §3.2.1: every registration gets the same client_id, so identifiers are not unique."
            }
            Mutant::DcrStatus200 => {
                "RFC 7591 §3.2.1: a successful registration answers 200 instead of 201 Created."
            }
            Mutant::DcrOmitsMetadata => {
                "RFC 7591 §3.2.1: the registration response omits the registered redirect_uris."
            }
            Mutant::DcrSecretForPublicClient => {
                "RFC 7591 §2: a client registered with token_endpoint_auth_method none is issued a client_secret."
            }
            Mutant::DcrNoSecretExpiry => {
                "RFC 7591 §3.2.1: a response carrying a client_secret lacks the REQUIRED client_secret_expires_at."
            }
            Mutant::DcrWrongErrorCode => {
                "RFC 7591 §3.2.2: an invalid redirect URI is reported as invalid_client_metadata instead of invalid_redirect_uri."
            }
            Mutant::DcrManagementNoAuth => {
                "RFC 7592 §2: the client configuration endpoint answers without the registration access token."
            }
            Mutant::PkceNotRequired => {
                "OAuth 2.1 §4.1.1: an authorization request without code_challenge still gets a code."
            }
            Mutant::PkceAcceptsPlain => {
                "MCP authorization and OAuth 2.1 §4.1.1: code_challenge_method plain is accepted instead of requiring S256."
            }
            Mutant::PkceAcceptsUnknownMethod => {
                "RFC 7636 §4.4.1: an unsupported code_challenge_method is treated as S256 instead of refused."
            }
            Mutant::AuthorizeRedirectsUnknownClient => {
                "RFC 6749 §4.1.2.1: an unknown client_id is answered with a redirect instead of an error shown to the user."
            }
            Mutant::AuthorizeRedirectsUnregisteredUri => {
                "RFC 6749 §3.1.2.4: an unregistered redirect_uri receives a redirect carrying a code."
            }
            Mutant::AuthorizePrefixRedirectMatch => {
                "OAuth 2.1 §4.1.1: a redirect_uri is accepted because it starts with a registered one, not by exact comparison."
            }
            Mutant::AuthorizeFixedLoopbackPort => {
                "RFC 8252 §7.3: a loopback redirect URI is refused when only its port differs from the registered one."
            }
            Mutant::AuthorizeDropsState => {
                "RFC 6749 §4.1.2: the authorization response omits the state the client sent."
            }
            Mutant::AuthorizeAltersState => {
                "RFC 6749 §4.1.2: the authorization response returns a state different from the one sent."
            }
            Mutant::AuthorizeOmitsIss => {
                "RFC 9207 §2: the authorization response lacks the iss parameter the metadata promises."
            }
            Mutant::AuthorizeAcceptsTokenResponseType => {
                "OAuth 2.1 §4.1.1: response_type=token (the removed implicit grant) is honoured with a token in the fragment."
            }
            Mutant::AuthorizeAcceptsFragmentResource => {
                "RFC 8707 §2: a resource indicator with a fragment component is accepted."
            }
            Mutant::AuthorizeAcceptsForeignResource => {
                "RFC 8707 §2: a resource indicator naming another server is accepted and becomes the token audience."
            }
            Mutant::AuthorizeFrameable => {
                "RFC 6749 §10.13: the authorization endpoint can be framed (no X-Frame-Options, no CSP frame-ancestors)."
            }
            Mutant::AuthorizeCorsWildcard => {
                "OAuth 2.0 for Browser-Based Apps: the authorization endpoint, meant for top-level navigation only, sends Access-Control-Allow-Origin: *, so any web origin can read its responses."
            }
            Mutant::AuthorizeReflectsUnescaped => {
                "RFC 6749 §10.14: the authorization error page echoes the redirect_uri without HTML escaping."
            }
            Mutant::AuthorizeRejectsUnknownParams => {
                "OAuth 2.1 §3.1: an unknown authorization request parameter is refused with invalid_request instead of ignored."
            }
            Mutant::AuthorizeAcceptsRepeatedParams => {
                "OAuth 2.1 §3.1: an authorization request with a repeated parameter is accepted, the first value winning, instead of refused."
            }
            Mutant::AuthorizeEmptyParamNotAbsent => {
                "OAuth 2.1 §3.1: an empty code_challenge_method is taken as S256 instead of treated as omitted, so the request gets a code."
            }
            Mutant::AuthorizeDefaultRedirectWithMany => {
                "OAuth 2.1 §4.1.1: a request without redirect_uri from a client with several registered redirect URIs is redirected to the first one."
            }
            Mutant::AuthorizeDropsRedirectQuery => {
                "OAuth 2.1 §2.3: the authorization response drops the query component of the registered redirect URI."
            }
            Mutant::AuthorizeCaseSensitiveResource => {
                "RFC 3986 §6.2.2.1 and MCP authorization: a resource with an uppercase scheme or host is refused with invalid_target instead of matching the MCP endpoint."
            }
            Mutant::TokenIgnoresVerifier => {
                "RFC 7636 §4.6: the token endpoint accepts any code_verifier without comparing it with the code_challenge."
            }
            Mutant::TokenAcceptsMissingVerifier => {
                "RFC 7636 §4.5 and OAuth 2.1 §4.1.3: a code issued with a code_challenge is redeemed without code_verifier."
            }
            Mutant::CodeReusable => {
                "OAuth 2.1 §4.1.2: an authorization code can be redeemed more than once."
            }
            Mutant::CodeReplayKeepsTokens => {
                "OAuth 2.1 §4.1.2: a replayed code is refused but the tokens already issued from it stay valid."
            }
            Mutant::CodeRace => {
                "OAuth 2.1 §4.1.2: code redemption is not atomic, so concurrent requests can redeem one code several times (for one code in three, as a race is won only now and then)."
            }
            Mutant::CodeShort => {
                "OAuth 2.1 §7.7: authorization codes are 6 decimal digits, far less than 128 bits of randomness."
            }
            Mutant::TokenIgnoresRedirectUri => {
                "RFC 6749 §4.1.3: the token request must repeat the redirect_uri, but its value is not compared with the authorization request's."
            }
            Mutant::TokenIgnoresClientBinding => {
                "RFC 6749 §4.1.3: a code issued to one client is redeemed by another."
            }
            Mutant::TokenNoStoreMissing => {
                "RFC 6749 §5.1: token responses lack Cache-Control: no-store."
            }
            Mutant::TokenTypeNotBearer => {
                "RFC 6750 §4 and MCP authorization: the token response's token_type is mac instead of Bearer."
            }
            Mutant::TokenNoExpiresIn => {
                "RFC 6749 §5.1: the token response omits the RECOMMENDED expires_in."
            }
            Mutant::TokenErrorHtml => {
                "RFC 6749 §5.2: token endpoint errors are 500 HTML pages instead of 400 JSON error responses."
            }
            Mutant::TokenWrongErrorCode => {
                "RFC 7636 §4.6: a code_verifier mismatch is reported as invalid_request instead of invalid_grant."
            }
            Mutant::TokenBasicAuthNoChallenge => {
                "RFC 6749 §5.2: failed HTTP Basic client authentication gets 400 without a WWW-Authenticate challenge instead of 401."
            }
            Mutant::TokenAcceptsPasswordGrant => {
                "OAuth 2.1 (which drops the resource owner password credentials grant): grant_type=password issues a token for any username and password."
            }
            Mutant::TokenIgnoresResource => {
                "RFC 8707 §2.2: a token request for a resource outside the authorized set is not refused with invalid_target."
            }
            Mutant::TokenAudienceIssuer => {
                "RFC 8707 §2 and MCP authorization: access tokens are audience-restricted to the issuer instead of the requested resource."
            }
            Mutant::TokenAcceptsTwoAuthMethods => {
                "RFC 6749 §2.3: a client using more than one authentication method in one request is not refused."
            }
            Mutant::TokenAcceptsQueryCredentials => {
                "RFC 6749 §2.3.1: client credentials in the request URI query authenticate the client."
            }
            Mutant::TokenRejectsUnknownParams => {
                "OAuth 2.1 §3.2: an unknown token request parameter is refused with invalid_request instead of ignored."
            }
            Mutant::TokenAcceptsRepeatedParams => {
                "OAuth 2.1 §3.2: a token request with a repeated parameter is accepted, the first value winning, instead of refused with invalid_request."
            }
            Mutant::TokenErrorBadCharset => {
                "RFC 6749 §5.2: token error_description values contain a double quote and non-ASCII characters."
            }
            Mutant::TokenClientCredentialsPublic => {
                "OAuth 2.1 §4.2: grant_type=client_credentials issues an access token to a public client, which cannot authenticate."
            }
            Mutant::RefreshNotRotated => {
                "OAuth 2.1 §4.3.1: public clients' refresh tokens are not rotated."
            }
            Mutant::RefreshReuseAllowed => {
                "OAuth 2.1 §4.3.1: a rotated-out refresh token still works, and its reuse does not revoke the grant."
            }
            Mutant::RefreshWidensScope => {
                "RFC 6749 §6: a refresh request obtains a scope beyond the one originally granted."
            }
            Mutant::RevokeIgnored => {
                "RFC 7009 §2.1: the revocation endpoint answers 200 but revokes nothing."
            }
            Mutant::RsAcceptsWrongAudience => {
                "RFC 8707 §2 and MCP authorization: the resource server accepts access tokens whose audience is another resource."
            }
            Mutant::RsIgnoresSignature => {
                "OAuth 2.1 §5.2: the resource server does not verify access token signatures."
            }
            Mutant::RsAcceptsRevoked => {
                "RFC 7009 §2 and OAuth 2.1 §5.2: the resource server accepts revoked access tokens."
            }
            Mutant::RsIgnoresScope => {
                "RFC 6750 §3.1: tools/list and tools/call are served to a token without the mcp:tools scope."
            }
            Mutant::RsInsufficientScope401 => {
                "RFC 6750 §3.1: a token lacking the needed scope is answered 401 invalid_token instead of 403 insufficient_scope."
            }
            Mutant::RsIgnoresProtocolVersion => {
                "MCP 2026-07-28 streamable HTTP §6.1: a request for a protocol version the server does not serve is answered as if it were a supported one."
            }
            Mutant::RsPrereleaseVersionCode => {
                "MCP 2026-07-28 basic §1.2.3: an unsupported version is refused with the pre-release code -32004 instead of -32022."
            }
            Mutant::RsTrustsVersionHeader => {
                "MCP 2026-07-28 streamable HTTP §6.1: a request whose MCP-Protocol-Version header differs from its _meta version is served by the header."
            }
            Mutant::RsMissingVersionHeaderAccepted => {
                "MCP 2026-07-28 streamable HTTP §6.1: a modern request without MCP-Protocol-Version is served as the latest version, though 2025-03-26 is not supported."
            }
            Mutant::RsIgnoresMcpHeaders => {
                "MCP 2026-07-28 streamable HTTP §6.5: Mcp-Method and Mcp-Name are not checked against the body."
            }
            Mutant::RsMcpMethodCaseInsensitive => {
                "MCP 2026-07-28 streamable HTTP §6.4: the Mcp-Method value is compared without regard to case."
            }
            Mutant::RsUnknownMethod200 => {
                "MCP 2026-07-28 streamable HTTP §6.1: an unknown method is answered 200 with -32601 instead of 404."
            }
            Mutant::RsNoDiscover => {
                "MCP 2026-07-28 versioning §2: server/discover is not implemented."
            }
            Mutant::RsRequiresDiscoverFirst => {
                "MCP 2026-07-28 basic §2: a request is refused unless the caller called server/discover before it."
            }
            Mutant::RsNoResultType => "MCP 2026-07-28 basic §1.2.1: results carry no resultType.",
            Mutant::RsNoCacheHints => {
                "MCP 2026-07-28 caching §1: cacheable results carry no ttlMs or cacheScope."
            }
            Mutant::RsNoServerInfo => {
                "MCP 2026-07-28 basic §6.1: results do not name the server in _meta."
            }
            Mutant::RsTextPlainResponse => {
                "MCP 2026-07-28 streamable HTTP §2: responses to requests are sent as text/plain."
            }
            Mutant::RsIgnoresOrigin => {
                "MCP streamable HTTP §1: a request with a foreign Origin is served (DNS rebinding)."
            }
            Mutant::RsGetOpensStream => {
                "MCP 2026-07-28 streamable HTTP §7.1: GET on the MCP endpoint still opens an SSE stream."
            }
            Mutant::RsRejectsUnknownSession => {
                "MCP 2026-07-28 streamable HTTP §7.1: a modern request with an Mcp-Session-Id is refused with 404 instead of the header being ignored."
            }
            Mutant::RsRejectsLastEventId => {
                "MCP 2026-07-28 streamable HTTP §7.1: a request with Last-Event-ID is refused instead of the header being ignored."
            }
            Mutant::RsDefaultsMissingCapabilities => {
                "MCP 2026-07-28 basic §6.1: a request without clientCapabilities in _meta is served as if it declared none."
            }
            Mutant::RsTrustsClientInfo => {
                "MCP 2026-07-28 basic §6.1: a client calling itself claude-ai in clientInfo sees an extra admin tool."
            }
            Mutant::RsNotification200 => {
                "MCP streamable HTTP §2: an accepted notification is answered 200 with a body instead of 202."
            }
            Mutant::RsNullIdOnRejection => {
                "MCP 2026-07-28 basic §1.2.2: header-mismatch and version errors carry id null instead of the request's id."
            }
            Mutant::RsLegacyResourceNotFound => {
                "MCP 2026-07-28 basic §1.2.3: an unknown resource is answered with the retired code -32002."
            }
            Mutant::RsSseWithRequest => {
                "MCP 2026-07-28 streamable HTTP §3: a response stream carries a server-to-client JSON-RPC request."
            }
            Mutant::RsEmptyInitializeError => {
                "MCP 2026-07-28 versioning §4: initialize is refused with an empty 400 that names no supported version."
            }
            Mutant::RsResourcesOpen => {
                "MCP 2026-07-28 security §9 and streamable HTTP §1: resources/* are served without a token."
            }
            Mutant::PrmOfflineAccess => {
                "MCP 2026-07-28 authorization §10: offline_access appears in the PRM scopes_supported and in the challenge scope."
            }
            Mutant::AuthorizeErrorOmitsIss => {
                "RFC 9207 §2: error redirects from the authorization endpoint carry no iss."
            }
            Mutant::AuthorizeIssMismatch => {
                "RFC 9207 §2.3: the iss in authorization responses differs from the metadata issuer (a trailing slash)."
            }
            Mutant::AsMetadataNoIssFlag => {
                "RFC 9207 §2.3: iss is sent but the metadata lacks authorization_response_iss_parameter_supported."
            }
            Mutant::AsMetadataIssFlagString => {
                "RFC 9207 §3: authorization_response_iss_parameter_supported is a string, not a boolean."
            }
            Mutant::AsMetadataIssuerTrailingSlash => {
                "RFC 8414 §3.3 and MCP 2026-07-28 discovery §3: the metadata issuer adds a trailing slash to the identifier the resource metadata lists."
            }
            Mutant::RegisterRejectsApplicationType => {
                "MCP 2026-07-28 registration §3.1 and RFC 7591 §2: a registration carrying application_type is refused."
            }
            Mutant::RsUndefinedReservedCode => {
                "MCP 2026-07-28 basic §1.2.3: a header mismatch is answered with -32030, a code from the reserved range the specification does not define."
            }
            Mutant::AuthorizeIssWithQuery => {
                "RFC 9207 §2: the iss in authorization responses carries a query component."
            }
            Mutant::RsIgnoresParamHeaders => {
                "MCP 2026-07-28 streamable HTTP §6.3.4: an Mcp-Param header that is missing or differs from the tool argument it mirrors is not refused."
            }
            Mutant::RsInputRequestUndeclared => {
                "MCP 2026-07-28 basic §6.1: a tool asks a client that declared no capabilities for elicitation input."
            }
            Mutant::CimdNotAdvertised => {
                "CIMD §5 and MCP 2026-07-28 registration §1.4: documents are fetched, but the metadata omits client_id_metadata_document_supported."
            }
            Mutant::CimdFlagString => {
                "CIMD §5: client_id_metadata_document_supported is the string \"true\", not a boolean."
            }
            Mutant::CimdFetchesHttp => {
                "CIMD §3: a client_id URL with the http scheme is fetched (on any host, not only the test-mode loopback address)."
            }
            Mutant::CimdAcceptsFragment => {
                "CIMD §3: a client_id URL with a fragment is fetched and accepted."
            }
            Mutant::CimdAcceptsUserinfo => {
                "CIMD §3: a client_id URL with a username and password is fetched and accepted."
            }
            Mutant::CimdAcceptsDotSegments => {
                "CIMD §3: a client_id URL with . or .. path segments is fetched and accepted."
            }
            Mutant::CimdAcceptsNoPath => {
                "CIMD §3 and MCP registration §1.1: a client_id URL without a path is fetched and accepted."
            }
            Mutant::CimdClientIdUnchecked => {
                "CIMD §4.1 and MCP registration §1.1: a document whose client_id differs from its URL is accepted."
            }
            Mutant::CimdAnyRedirectUri => {
                "CIMD §4.5 and MCP registration §1.1: a redirect_uri the document does not list is accepted."
            }
            Mutant::CimdAcceptsSymmetricAuth => {
                "CIMD §4.1: a document declaring client_secret_basic (a shared secret) is accepted, as a public client."
            }
            Mutant::CimdAcceptsMalformedDocument => {
                "MCP registration §1.1: a document that is not JSON, or lacks redirect_uris, is accepted with the requested redirect_uri as default."
            }
            Mutant::CimdIgnoresFetchFailure => {
                "CIMD §4.3: when the document cannot be fetched (404, 500), the request goes on as an anonymous public client."
            }
            Mutant::CimdNoSizeLimit => {
                "CIMD §6.6: documents are read whatever their size (the 5 KB cap is not applied)."
            }
            Mutant::CimdCachesErrors => {
                "CIMD §4.4: a failed fetch is remembered for an hour, so a fixed document is not seen."
            }
            Mutant::CimdIgnoresCacheControl => {
                "CIMD §4.4 and MCP registration §1.1: documents are cached for an hour whatever their Cache-Control says (no-store included)."
            }
            Mutant::CimdFetchesPrivateAddresses => {
                "CIMD §6.5: client_id hosts resolving to loopback or private addresses are fetched (SSRF)."
            }
            Mutant::CimdConsentHidesHost => {
                "CIMD §6.4: the consent page shows only the document's client_name, not the client_id host."
            }
            Mutant::CimdConsentHotlinksLogo => {
                "CIMD §6.7: the consent page embeds the document's logo_uri directly instead of a prefetched copy."
            }
            Mutant::CimdKeyAuthAsPublic => {
                "CIMD §6.2: a document declaring private_key_jwt is treated as a public client: tokens are issued without a client assertion."
            }
            Mutant::CimdFollowsRedirects => {
                "CIMD §4.3 and §6.5: a redirect from the client_id URL is followed to another document."
            }
            Mutant::CimdDocumentIgnored => {
                "CIMD §4 and MCP registration §1.1: the document is fetched, but the client it describes is refused as unknown, though the metadata advertises documents."
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
