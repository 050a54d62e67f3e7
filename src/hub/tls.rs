//! TLS to the hub, with rustls (the same code on Linux and Windows), and the URL's
//! `sslmode` and `sslrootcert` read as libpq reads them. postgres itself knows only
//! `disable`, `prefer` and `require`, so both are taken out of the URL here and the rest
//! is left to postgres:
//!
//! - `disable`: no TLS;
//! - `prefer` (libpq's default, and here): TLS when the server offers it, unverified;
//! - `require`: TLS or nothing, unverified (verified as for `verify-ca` when an
//!   `sslrootcert` is given, as libpq does);
//! - `verify-ca`: the certificate must be signed by a certificate authority in the
//!   `sslrootcert` file (or, for `sslrootcert=system` or none, the system's);
//! - `verify-full`: that, and made out to the host name in the URL.

use super::HubError;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::sync::Arc;
pub use tokio_postgres_rustls::MakeRustlsConnect as Connector;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A hub URL with what it says of TLS taken out.
#[derive(Debug, PartialEq, Eq)]
pub struct Split {
    /// The URL without `sslmode` and `sslrootcert`, for postgres.
    pub rest: String,
    pub mode: Mode,
    /// `sslrootcert`: a PEM file of certificate authorities, or `system`.
    pub root_cert: Option<String>,
}

const SYSTEM: &str = "system";

/// Takes `sslmode` and `sslrootcert` out of a URI (`postgresql://…?sslmode=…`) or a
/// key=value string (`host=… sslmode=…`).
pub fn split(url: &str) -> Result<Split, HubError> {
    let mut mode = None;
    let mut root_cert = None;
    let mut take = |key: &str, value: String| -> Result<bool, HubError> {
        match key {
            "sslmode" => {
                mode = Some(match value.as_str() {
                    "disable" => Mode::Disable,
                    "allow" | "prefer" => Mode::Prefer,
                    "require" => Mode::Require,
                    "verify-ca" => Mode::VerifyCa,
                    "verify-full" => Mode::VerifyFull,
                    _ => return Err(HubError::BadUrl),
                });
                Ok(true)
            }
            "sslrootcert" => {
                root_cert = Some(value);
                Ok(true)
            }
            _ => Ok(false),
        }
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            None => url.to_string(),
            Some((base, query)) => {
                let mut kept = Vec::new();
                for param in query.split('&') {
                    let (key, value) = param.split_once('=').ok_or(HubError::BadUrl)?;
                    if !take(&percent_decoded(key)?, percent_decoded(value)?)? {
                        kept.push(param);
                    }
                }
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        let mut kept = Vec::new();
        for (key, value, raw) in key_values(url)? {
            if !take(key, value)? {
                kept.push(raw);
            }
        }
        kept.join(" ")
    };
    let mut mode = mode.unwrap_or(Mode::Prefer);
    if mode == Mode::Require && root_cert.is_some() {
        mode = Mode::VerifyCa;
    }
    Ok(Split {
        rest,
        mode,
        root_cert,
    })
}

fn percent_decoded(text: &str) -> Result<String, HubError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or(HubError::BadUrl)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| HubError::BadUrl)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| HubError::BadUrl)
}

/// A key=value string's pairs (values unquoted), each with its text as written.
fn key_values(text: &str) -> Result<Vec<(&str, String, &str)>, HubError> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let start = rest;
        let eq = rest.find('=').ok_or(HubError::BadUrl)?;
        let key = rest[..eq].trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(HubError::BadUrl);
        }
        rest = rest[eq + 1..].trim_start();
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = if rest.starts_with('\'') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(HubError::BadUrl),
                    Some((i, '\'')) => break i + 1,
                    Some((_, '\\')) => value.push(chars.next().ok_or(HubError::BadUrl)?.1),
                    Some((_, c)) => value.push(c),
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => break rest.len(),
                    Some((i, c)) if c.is_whitespace() => break i,
                    Some((_, '\\')) => value.push(chars.next().ok_or(HubError::BadUrl)?.1),
                    Some((_, c)) => value.push(c),
                }
            }
        };
        let raw_len = start.len() - rest.len() + end;
        out.push((key, value, &start[..raw_len]));
        rest = rest[end..].trim_start();
    }
    Ok(out)
}

/// The TLS connector for this mode: verifying as the mode says.
pub fn connector(mode: Mode, root_cert: Option<&str>) -> Result<Connector, HubError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        Mode::Disable | Mode::Prefer | Mode::Require => Arc::new(Unverified(provider.clone())),
        Mode::VerifyCa | Mode::VerifyFull => {
            let roots = Arc::new(roots(root_cert)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                .build()
                .map_err(|_| HubError::RootCert(root_cert.unwrap_or(SYSTEM).to_string()))?;
            if mode == Mode::VerifyFull {
                webpki
            } else {
                Arc::new(AnyName(webpki))
            }
        }
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Server(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // What PostgreSQL 17 asks of a TLS client, and older servers ignore.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(Connector::new(config))
}

/// The certificate authorities of `sslrootcert`: a PEM file's, or the system's.
fn roots(root_cert: Option<&str>) -> Result<RootCertStore, HubError> {
    let mut roots = RootCertStore::empty();
    match root_cert.filter(|f| *f != SYSTEM) {
        Some(file) => {
            let unreadable = || HubError::RootCert(file.to_string());
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(file)
                .map_err(|_| unreadable())?
                .collect::<Result<_, _>>()
                .map_err(|_| unreadable())?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(unreadable());
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
        }
    }
    Ok(roots)
}

/// `prefer` and `require` without a certificate authority: encrypted, but anyone's
/// certificate is taken (the handshake's signatures are still checked).
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain is checked, the name the certificate is made out to is not.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_of_either_form() {
        let s = split("postgresql://w:p%20w@h/db?sslmode=verify-full&sslrootcert=%2Fca.pem")
            .expect("uri");
        assert_eq!(s.rest, "postgresql://w:p%20w@h/db");
        assert_eq!(s.mode, Mode::VerifyFull);
        assert_eq!(s.root_cert.as_deref(), Some("/ca.pem"));
        let s = split("postgresql://w@h/db?connect_timeout=3&sslmode=disable").expect("uri");
        assert_eq!(s.rest, "postgresql://w@h/db?connect_timeout=3");
        assert_eq!(s.mode, Mode::Disable);
        let s = split("host=h password='a b\\'c' sslmode=require sslrootcert='/my ca.pem' user=w")
            .expect("kv");
        assert_eq!(s.rest, "host=h password='a b\\'c' user=w");
        assert_eq!(s.mode, Mode::VerifyCa, "require with a CA verifies it");
        assert_eq!(s.root_cert.as_deref(), Some("/my ca.pem"));
        assert_eq!(
            split("postgresql://h/db").expect("plain").mode,
            Mode::Prefer
        );
        assert!(matches!(
            split("postgresql://h/db?sslmode=sometimes"),
            Err(HubError::BadUrl)
        ));
        assert!(matches!(
            split("host=h password='open"),
            Err(HubError::BadUrl)
        ));
    }
}
