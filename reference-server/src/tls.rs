//! TLS for `authspec serve --tls`: a certificate authority made at start
//! (rcgen), a server certificate it signs for the hosts the server answers
//! as, and a rustls configuration offering TLS 1.3 and 1.2 only. Clients
//! trust the CA's certificate (`authspec run --ca-cert PATH`).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    /// The CA certificate to trust, PEM.
    pub(crate) ca_pem: String,
}

/// A fresh CA and a server certificate for `hosts` (DNS names or IP
/// addresses) signed by it; TLS 1.2 is offered beside 1.3 unless
/// `tls12` is false (the `tls13-only` mutant).
pub(crate) fn generate(hosts: &[String], tls12: bool) -> Result<Tls, String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");
    let ca_key = KeyPair::generate().map_err(|e| fail("CA key", &e))?;
    let mut ca_params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "authspec reference server test CA");
    ca_params.distinguished_name = name;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(|e| fail("CA", &e))?;

    let leaf_key = KeyPair::generate().map_err(|e| fail("server key", &e))?;
    let mut leaf_params =
        CertificateParams::new(hosts.to_vec()).map_err(|e| fail("server names", &e))?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "authspec reference server");
    leaf_params.distinguished_name = name;
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca)
        .map_err(|e| fail("server certificate", &e))?;

    static BOTH: [&rustls::SupportedProtocolVersion; 2] =
        [&rustls::version::TLS13, &rustls::version::TLS12];
    static TLS13_ALONE: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12 { &BOTH } else { &TLS13_ALONE };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| fail("TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), CertificateDer::from(ca.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .map_err(|e| fail("TLS configuration", &e))?;
    // HTTP/2 where the client offers it (many requests on one connection), else HTTP/1.1.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca.pem(),
    })
}
