//! Discovery documents: RFC 9728 protected resource metadata and RFC 8414 /
//! OpenID Connect authorization server metadata (each with a signed copy),
//! the JWK set, and the resource's documentation page, each with its mutants.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::jws;
use crate::responses;
use crate::state::AppState;
use crate::{Mutant, Variant};

const RESOURCE_NAME: &str = "authspec reference MCP server";

/// The RFC 7515 Appendix A.3 example P-256 public key: well-formed and on the
/// curve. Nothing is ever signed with it.
const EC_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const EC_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
/// The RFC 7517 Appendix A.1 example RSA modulus.
const RSA_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

/// `GET /.well-known/oauth-protected-resource/mcp` (RFC 9728 §3.1 path-inserted form).
pub(crate) async fn prm_path_inserted(State(state): State<Arc<AppState>>) -> Response {
    if state.has(Mutant::PrmRootOnly)
        || state.has(Mutant::PrmNotServed)
        || state.is(Variant::MetadataAtRoot)
    {
        responses::not_found()
    } else {
        prm_response(&state)
    }
}

/// `GET /.well-known/oauth-protected-resource`: the resource identifier has
/// a path, so only a faulty server or the `metadata-at-root` variant (which
/// names this URL in its challenge) answers here.
pub(crate) async fn prm_root(State(state): State<Arc<AppState>>) -> Response {
    let served = state.has(Mutant::PrmRootOnly) || state.is(Variant::MetadataAtRoot);
    if served && !state.has(Mutant::PrmNotServed) {
        prm_response(&state)
    } else {
        responses::not_found()
    }
}

fn prm_response(state: &AppState) -> Response {
    let mut document = prm_members(state);
    // The signed copy repeats the (possibly mutated) plain members: signed
    // values take precedence (RFC 9728 §2.2), so a fault must be in both.
    if !state.is(Variant::NoSignedMetadata) {
        let mut claims = document.clone();
        claims.insert("iss".into(), state.resource().into());
        let claims = Value::Object(claims);
        let signed = if state.has(Mutant::PrmSignedMetadataUnsigned) {
            jws::unsecured(&claims)
        } else {
            jws::sign_hs256(&claims)
        };
        document.insert("signed_metadata".into(), signed.into());
    }

    let body = if state.has(Mutant::PrmNotObject) {
        json!([document])
    } else {
        Value::Object(document)
    };
    let content_type = if state.has(Mutant::PrmWrongContentType) {
        "text/plain"
    } else {
        "application/json"
    };
    responses::json_with_type(StatusCode::OK, content_type, &body)
}

fn prm_members(state: &AppState) -> Map<String, Value> {
    let base = &state.base;
    let issuer = state.issuer();
    let resource = state.resource();
    let mut m = Map::new();

    if !state.has(Mutant::PrmMissingResource) {
        let value = if state.has(Mutant::PrmResourceMismatch) {
            format!("{base}/other")
        } else if state.has(Mutant::PrmResourceTrailingSlash) {
            format!("{resource}/")
        } else if state.has(Mutant::PrmResourceWithQuery) {
            format!("{resource}?tenant=a")
        } else {
            resource.clone()
        };
        m.insert("resource".into(), value.into());
    }

    let authorization_servers = if state.has(Mutant::PrmNoAuthorizationServers) {
        None
    } else if state.has(Mutant::PrmEmptyAuthorizationServers) {
        Some(json!([]))
    } else if state.has(Mutant::PrmAuthorizationServersString) {
        Some(json!(base))
    } else if state.has(Mutant::PrmInsecureAuthorizationServer) {
        Some(json!(["http://as.example.com"]))
    } else {
        Some(json!([issuer]))
    };
    if let Some(value) = authorization_servers {
        m.insert("authorization_servers".into(), value);
    }

    if !state.has(Mutant::PrmNoScopesSupported) {
        let scopes = if state.has(Mutant::PrmEmptyScopesSupported) {
            json!([])
        } else {
            json!(state.scopes())
        };
        let scopes = if state.has(Mutant::PrmOfflineAccess) {
            json!(["mcp:tools", "mcp:read", "offline_access"])
        } else {
            scopes
        };
        m.insert("scopes_supported".into(), scopes);
    }

    let bearer_methods = if state.is(Variant::HeaderOnlyBearer) {
        json!(["header"])
    } else if state.has(Mutant::PrmBearerMethodsQuery) {
        json!(["header", "body", "query"])
    } else {
        json!(["header", "body"])
    };
    m.insert("bearer_methods_supported".into(), bearer_methods);

    if !state.has(Mutant::PrmNoResourceName) {
        if !state.has(Mutant::PrmTaggedNameOnly) {
            m.insert("resource_name".into(), RESOURCE_NAME.into());
        }
        m.insert("resource_name#en".into(), RESOURCE_NAME.into());
    }

    m.insert("resource_documentation".into(), state.url("/docs").into());

    let jwks_uri = if state.has(Mutant::PrmJwksUriHttp) {
        "http://rs.example.com/jwks.json".to_owned()
    } else {
        state.url("/jwks.json")
    };
    m.insert("jwks_uri".into(), jwks_uri.into());

    let algs = if state.has(Mutant::PrmSigningAlgNone) {
        json!(["HS256", "none"])
    } else {
        json!(["HS256"])
    };
    m.insert("resource_signing_alg_values_supported".into(), algs);
    m
}

/// `GET /jwks.json`
pub(crate) async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    let mut signing = json!({
        "kty": "EC",
        "crv": "P-256",
        "use": "sig",
        "alg": "ES256",
        "kid": "rs-sig-1",
        "x": EC_X,
        "y": EC_Y,
    });
    let mut keys = Vec::new();
    if state.has(Mutant::PrmJwksMixedWithoutUse) {
        if let Value::Object(key) = &mut signing {
            key.remove("use");
        }
        keys.push(signing);
        keys.push(json!({
            "kty": "RSA",
            "alg": "RSA-OAEP-256",
            "kid": "rs-enc-1",
            "n": RSA_N,
            "e": "AQAB",
        }));
    } else {
        keys.push(signing);
    }
    responses::json(StatusCode::OK, &json!({ "keys": keys }))
}

/// `GET /docs`: the page `resource_documentation` points at.
pub(crate) async fn docs() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>authspec reference MCP server</title></head>\n<body>\
         <h1>authspec reference MCP server</h1>\
         <p>A known-good MCP server used by the authspec conformance tester. \
         POST JSON-RPC to <code>/mcp</code> with a bearer token: any valid token \
         may <code>initialize</code> and <code>ping</code>; <code>tools/list</code> \
         and <code>tools/call</code> need the <code>mcp:tools</code> scope. It \
         offers one tool, <code>echo</code>.</p>\
         </body></html>\n",
    )
        .into_response()
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414).
pub(crate) async fn authorization_server(State(state): State<Arc<AppState>>) -> Response {
    as_metadata_response(&state, false)
}

/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery): the
/// same document, except under the `as-oidc-issuer-mismatch` mutant.
pub(crate) async fn openid_configuration(State(state): State<Arc<AppState>>) -> Response {
    as_metadata_response(&state, true)
}

fn as_metadata_response(state: &AppState, oidc: bool) -> Response {
    let withheld = if oidc {
        state.is(Variant::NoOidcDiscovery)
    } else {
        state.is(Variant::OidcDiscoveryOnly)
    };
    if state.has(Mutant::AsMetadataNotServed) || withheld {
        return responses::not_found();
    }
    let mut document = as_members(state, oidc);
    // As for the resource metadata, the signed copy repeats the (possibly
    // mutated) members, because signed values take precedence (RFC 8414 §2.1).
    if !state.is(Variant::NoSignedMetadata) {
        let mut claims = document.clone();
        claims.insert("iss".into(), state.issuer().into());
        let claims = Value::Object(claims);
        let signed = if state.has(Mutant::AsMetadataSignedUnsigned) {
            jws::unsecured(&claims)
        } else {
            jws::sign_hs256(&claims)
        };
        document.insert("signed_metadata".into(), signed.into());
    }
    let content_type = if state.has(Mutant::AsMetadataWrongContentType) {
        "text/plain"
    } else {
        "application/json"
    };
    responses::json_with_type(StatusCode::OK, content_type, &Value::Object(document))
}

fn as_members(state: &AppState, oidc: bool) -> Map<String, Value> {
    let has = |m| state.has(m);
    let mut m = Map::new();
    let issuer = if has(Mutant::AsMetadataIssuerMismatch) {
        state.url("/wrong")
    } else if has(Mutant::AsMetadataIssuerTrailingSlash) {
        state.url("/")
    } else if oidc && has(Mutant::AsOidcIssuerMismatch) {
        state.url("/other")
    } else {
        state.issuer()
    };
    m.insert("issuer".into(), issuer.into());
    let protected_resources = if has(Mutant::AsMetadataProtectedResourcesHttp) {
        json!(["http://rs.example.com/mcp"])
    } else {
        json!([state.resource(), state.second_resource()])
    };
    m.insert("protected_resources".into(), protected_resources);
    if !has(Mutant::AsMetadataNoAuthorizationEndpoint) {
        let endpoint = if has(Mutant::AsMetadataEndpointFragment) {
            state.url("/authorize#frag")
        } else {
            state.url("/authorize")
        };
        m.insert("authorization_endpoint".into(), endpoint.into());
    }
    if !has(Mutant::AsMetadataNoTokenEndpoint) {
        let endpoint = if has(Mutant::AsMetadataHttpEndpoint) {
            "http://as.example.com/token".to_owned()
        } else {
            state.url("/token")
        };
        m.insert("token_endpoint".into(), endpoint.into());
    }
    if !has(Mutant::AsMetadataNoRegistrationEndpoint) && state.offers_registration() {
        m.insert(
            "registration_endpoint".into(),
            state.url("/register").into(),
        );
    }
    let public = !state.is(Variant::ConfidentialClientsOnly)
        && !state.is(Variant::PublicRegistrationRefused);
    let client_auth: &[&str] = if public {
        &["none", "client_secret_basic", "client_secret_post"]
    } else {
        &["client_secret_basic", "client_secret_post"]
    };
    if !state.is(Variant::NoRevocationEndpoint) {
        m.insert("revocation_endpoint".into(), state.url("/revoke").into());
        m.insert(
            "revocation_endpoint_auth_methods_supported".into(),
            json!(client_auth),
        );
    }
    if state.is(Variant::OpaqueTokens) {
        m.insert(
            "introspection_endpoint".into(),
            state.url("/introspect").into(),
        );
        m.insert(
            "introspection_endpoint_auth_methods_supported".into(),
            json!(["client_secret_basic"]),
        );
    }
    let jwks_uri = if has(Mutant::AsMetadataJwksUriHttp) {
        "http://as.example.com/jwks.json".to_owned()
    } else {
        state.url("/jwks.json")
    };
    m.insert("jwks_uri".into(), jwks_uri.into());
    if !has(Mutant::AsMetadataNoResponseTypes) {
        let types = if has(Mutant::AsMetadataNoCodeResponseType) {
            json!(["token"])
        } else {
            json!(["code"])
        };
        m.insert("response_types_supported".into(), types);
    }
    m.insert("response_modes_supported".into(), json!(["query"]));
    let grants = if has(Mutant::AsMetadataGrantTypesWithoutCode) {
        json!(["client_credentials"])
    } else if state.is(Variant::NoRefreshTokens) {
        json!(["authorization_code"])
    } else {
        json!(["authorization_code", "refresh_token"])
    };
    m.insert("grant_types_supported".into(), grants);
    if !has(Mutant::AsMetadataNoCodeChallengeMethods) {
        let methods = if has(Mutant::AsMetadataNoS256) {
            json!(["plain"])
        } else if state.is(Variant::PlainPkceAdvertised) {
            json!(["S256", "plain"])
        } else {
            json!(["S256"])
        };
        m.insert("code_challenge_methods_supported".into(), methods);
    }
    let auth_methods = if has(Mutant::AsMetadataNoPublicAuthMethod) {
        json!(["client_secret_basic"])
    } else if has(Mutant::AsMetadataJwtAuthWithoutAlgs) {
        // Claims JWT client authentication without saying which algorithms it takes.
        json!([
            "none",
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt"
        ])
    } else {
        json!(client_auth)
    };
    m.insert("token_endpoint_auth_methods_supported".into(), auth_methods);
    let scopes = if has(Mutant::AsMetadataEmptyScopes) {
        json!([])
    } else {
        json!(state.scopes())
    };
    m.insert("scopes_supported".into(), scopes);
    if !has(Mutant::AsMetadataNoIssFlag) {
        let flag = if has(Mutant::AsMetadataIssFlagString) {
            json!("true")
        } else {
            json!(true)
        };
        m.insert(
            "authorization_response_iss_parameter_supported".into(),
            flag,
        );
    }
    // CIMD §5: the server fetches URL client_ids, and says so.
    if !has(Mutant::CimdNotAdvertised) {
        let flag = if has(Mutant::CimdFlagString) {
            json!("true")
        } else {
            json!(true)
        };
        m.insert("client_id_metadata_document_supported".into(), flag);
    }
    m.insert("subject_types_supported".into(), json!(["public"]));
    m.insert(
        "id_token_signing_alg_values_supported".into(),
        json!(["ES256"]),
    );
    m
}
