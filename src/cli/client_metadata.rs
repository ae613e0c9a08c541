//! `authspec client-metadata`: a Client ID Metadata Document to host.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Args, Debug)]
pub struct ClientMetadataArgs {
    /// A redirect URI the document lists (repeatable); use the one the run uses
    /// (default http://127.0.0.1:8976/callback).
    #[arg(long = "redirect-uri", required = true)]
    pub redirect_uris: Vec<String>,
    /// The client_name shown on consent pages.
    #[arg(long)]
    pub name: Option<String>,
    /// The https URL the document will be served from: it is the document's client_id. Without
    /// it the client_id is a placeholder to replace before publishing.
    #[arg(long)]
    pub url: Option<String>,
}

pub(super) fn cmd_client_metadata(a: ClientMetadataArgs) -> i32 {
    const PLACEHOLDER: &str = "https://YOUR-HOST/path/authspec-client.json";
    for r in &a.redirect_uris {
        match Url::parse(r) {
            Ok(u) if u.fragment().is_none() => {}
            Ok(_) => {
                eprintln!("error: --redirect-uri {r}: a redirect URI must not have a fragment");
                return exit::USAGE;
            }
            Err(e) => {
                eprintln!("error: --redirect-uri {r} is not an absolute URL: {e}");
                return exit::USAGE;
            }
        }
    }
    let url = match &a.url {
        Some(u) => match crate::oauth::cimd::check_document_url(u) {
            Ok(_) => u.clone(),
            Err(e) => {
                eprintln!("error: --url: {e}");
                return exit::USAGE;
            }
        },
        None => PLACEHOLDER.to_string(),
    };
    let name = a
        .name
        .as_deref()
        .unwrap_or(crate::oauth::cimd::DEFAULT_NAME);
    let doc = crate::oauth::cimd::document(&url, &a.redirect_uris, name);
    print_out(&format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    ));
    if a.url.is_none() {
        eprintln!(
            "note: replace the client_id {PLACEHOLDER} with the exact https URL you publish the document at (or pass --url)"
        );
    }
    eprintln!(
        "note: publish it (served as application/json, no redirect), then run: authspec run --target MCP-URL --client-metadata-url {url}"
    );
    exit::OK
}
