//! `authspec serve`: the reference server, for people and for other tools.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Switch on a deliberate fault (repeatable); see `authspec mutants`.
    #[arg(long = "mutant")]
    pub mutants: Vec<String>,
    /// Switch on a conformant alternative (repeatable); see `authspec variants`.
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// auto: approve at once; form: an HTML login and consent form (user alice, password wonderland).
    #[arg(long, value_enum, default_value = "auto")]
    pub consent: ConsentArg,
    /// Test mode for Client ID Metadata Documents: also fetch http documents on 127.0.0.1
    /// (where a harness serves them).
    #[arg(long)]
    pub cimd_loopback: bool,
    /// Offer no dynamic client registration (clients use metadata documents or --client-id).
    #[arg(long)]
    pub without_registration: bool,
    /// Serve https with a certificate made at start; its CA certificate is written to a file
    /// whose path is printed (give it to `authspec run --ca-cert`).
    #[arg(long)]
    pub tls: bool,
    /// The URL clients reach the server at, when it is behind a proxy (the issuer and the
    /// base of every published URL).
    #[arg(long = "public-url")]
    pub public_url: Option<url::Url>,
    /// Pre-register a client, ID:SECRET:REDIRECT_URI (an empty SECRET makes it public;
    /// repeatable).
    #[arg(long = "client", value_parser = parse_client)]
    pub clients: Vec<reference_server::PreRegistered>,
    /// Append the audit log (one JSON object per line) to this file instead of stderr.
    #[arg(long = "audit-log")]
    pub audit_log: Option<PathBuf>,
    /// Limit every request to the token, revocation and registration endpoints per client and
    /// per address (429 with Retry-After). Failed client authentication is throttled regardless.
    #[arg(long = "rate-limit")]
    pub rate_limit: bool,
}

pub(super) fn parse_client(s: &str) -> Result<reference_server::PreRegistered, String> {
    let mut parts = s.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(id), Some(secret), Some(redirect)) if !id.is_empty() => {
            Url::parse(redirect)
                .map_err(|e| format!("the redirect URI `{redirect}` is not absolute: {e}"))?;
            Ok(reference_server::PreRegistered {
                client_id: id.to_owned(),
                client_secret: (!secret.is_empty()).then(|| secret.to_owned()),
                redirect_uri: redirect.to_owned(),
            })
        }
        _ => Err("expected ID:SECRET:REDIRECT_URI (SECRET may be empty)".into()),
    }
}

pub(super) async fn cmd_serve(a: ServeArgs) -> i32 {
    let mutants = or_usage!(parse_mutants(&a.mutants));
    let variants = or_usage!(parse_variants(&a.variants));
    let audit = match &a.audit_log {
        Some(path) => match reference_server::AuditLog::file(path) {
            Ok(log) => log,
            Err(e) => {
                eprintln!("error: cannot open the audit log {}: {e}", path.display());
                return exit::USAGE;
            }
        },
        None => reference_server::AuditLog::stderr(),
    };
    let config = Config {
        mutants: mutants.iter().copied().collect(),
        variants: variants.iter().copied().collect(),
        consent: a.consent.into(),
        cimd_loopback: a.cimd_loopback,
        without_registration: a.without_registration,
        tls: a.tls,
        public_url: a.public_url.as_ref().map(|u| u.as_str().to_owned()),
        clients: a.clients.clone(),
        log_requests: true,
        audit: Some(audit),
        rate_limit: a.rate_limit,
        cimd_sandbox: None,
    };
    let server = match reference_server::spawn(a.addr, config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot serve on {}: {e}", a.addr);
            return exit::RUNTIME;
        }
    };
    let ca_path = match server.ca_cert_pem().map(|pem| write_ca_cert(&server, pem)) {
        Some(Ok(path)) => Some(path),
        Some(Err(e)) => {
            eprintln!("error: cannot write the CA certificate: {e}");
            return exit::RUNTIME;
        }
        None => None,
    };
    // The MCP URL stays alone on the first line, for scripts; the rest is for people.
    let base = server.base_url();
    let mut banner = format!(
        "{}\nissuer:                {base}\nresource metadata:     {base}/.well-known/oauth-protected-resource/mcp\nauthorization server:  {base}/.well-known/oauth-authorization-server",
        server.mcp_url()
    );
    if let Some(path) = &ca_path {
        banner.push_str(&format!("\nCA certificate:        {}", path.display()));
    }
    if let Some(upstream) = server.upstream_url() {
        let flags: Vec<String> = crate::selftest::upstream_logins(&server)
            .iter()
            .map(|l| format!("--login {l}"))
            .collect();
        banner.push_str(&format!(
            "\nupstream sign-in:      {upstream} (federated-login; run with --authorize form {})",
            flags.join(" ")
        ));
    }
    print_out(&banner);
    if !mutants.is_empty() {
        eprintln!(
            "mutants on: {}",
            mutants
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !variants.is_empty() {
        eprintln!(
            "variants on: {}",
            variants
                .iter()
                .map(|v| v.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    eprintln!("serving the reference server; Ctrl-C stops it");
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    exit::OK
}

/// Writes the CA certificate of a `serve --tls` server to a file of its own under the temporary
/// directory; returns the path.
pub(super) fn write_ca_cert(
    server: &reference_server::RunningServer,
    pem: &str,
) -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "authspec-serve-{}-{}",
        std::process::id(),
        server.local_addr().port()
    ));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("ca.pem");
    std::fs::write(&path, pem)?;
    Ok(path)
}
