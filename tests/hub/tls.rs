//! TLS to the hub, on a throwaway cluster with `ssl=on` and certificates made by the
//! `openssl` program: `sslmode=verify-full` with the hub's certificate authority in
//! `sslrootcert` connects and pushes over TLS; another authority, another host name, or
//! no TLS on offer are refused with a clear error; `verify-ca` checks the authority but
//! not the name, as libpq's does.

use crate::common::cluster::*;
use crate::common::hub::*;
use crate::common::*;
use sinhke::hub::{self, HubError};

/// Whether this connection is encrypted, as the server sees it.
fn encrypted(client: &mut postgres::Client) -> bool {
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .expect("pg_stat_ssl")
        .get(0)
}

fn with(url: &str, params: &str) -> String {
    format!("{url}?{params}")
}

#[test]
fn verify_full_with_the_hubs_authority_connects_and_pushes_over_tls() {
    let Some((cluster, certs)) = Cluster::start_tls() else {
        return;
    };
    hub_with_roles(&cluster);
    let mut sup = supervisor();
    let mut ct = ward_laptop(&cluster, &mut sup, "CT");
    ct.store.save_person(person("CT", 1)).expect("save");
    let ca = certs.ca.display().to_string();
    let url = with(
        &ct.url(cluster.port),
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let mut client = hub::connect_for_sync(&url).expect("verify-full");
    assert!(encrypted(&mut client));
    let pushed = sinhke::sync::hub::push(&mut ct.store, &mut client).expect("push");
    assert_eq!(pushed.added, 1);
    // The supervisor pulls it over TLS too; and the key=value form says the same.
    let kv = format!(
        "host=127.0.0.1 port={} dbname=hub user=sup password='{}' \
         sslmode=verify-full sslrootcert='{ca}'",
        cluster.port,
        PASSWORD.replace('\'', "\\'")
    );
    let mut client = hub::connect_for_sync(&kv).expect("key=value");
    assert!(encrypted(&mut client));
    let pulled = sinhke::sync::hub::pull(&mut sup.store, &mut client).expect("pull");
    assert_eq!(pulled.report.added, 1);
    // require: encrypted, whoever the server is.
    let mut client = hub::connect(&with(&ct.url(cluster.port), "sslmode=require")).expect("tls");
    assert!(encrypted(&mut client));
    // disable: in clear, as asked.
    let mut client = hub::connect(&with(&ct.url(cluster.port), "sslmode=disable")).expect("plain");
    assert!(!encrypted(&mut client));
}

#[test]
fn another_authority_another_name_or_no_tls_is_refused() {
    let Some((cluster, certs)) = Cluster::start_tls() else {
        return;
    };
    hub_with_roles(&cluster);
    let base = format!(
        "postgresql://ct:{}@127.0.0.1:{}/hub",
        PASSWORD.replace(' ', "%20"),
        cluster.port
    );
    let (ca, other) = (certs.ca.display(), certs.other_ca.display());
    let refused = |url: &str| match hub::connect(url) {
        Err(e) => e,
        Ok(_) => panic!("connected: {url}"),
    };
    // Signed by an authority this laptop was not given.
    let e = refused(&with(
        &base,
        &format!("sslmode=verify-full&sslrootcert={other}"),
    ));
    assert!(matches!(e, HubError::Untrusted), "{e:?}");
    let e = refused(&with(
        &base,
        &format!("sslmode=verify-ca&sslrootcert={other}"),
    ));
    assert!(matches!(e, HubError::Untrusted), "{e:?}");
    // require with an authority checks it, as libpq does.
    let e = refused(&with(
        &base,
        &format!("sslmode=require&sslrootcert={other}"),
    ));
    assert!(matches!(e, HubError::Untrusted), "{e:?}");
    // The right authority, but reached by a name the certificate is not made out to
    // (the address is the same server's): verify-full refuses, verify-ca does not.
    let elsewhere = base.replace("127.0.0.1", "hub.elsewhere.example") + "?hostaddr=127.0.0.1&";
    let e = refused(&format!("{elsewhere}sslmode=verify-full&sslrootcert={ca}"));
    assert!(matches!(e, HubError::Untrusted), "{e:?}");
    hub::connect(&format!("{elsewhere}sslmode=verify-ca&sslrootcert={ca}")).expect("verify-ca");
    // No authority file where the URL says.
    let e = refused(&with(
        &base,
        "sslmode=verify-full&sslrootcert=/nowhere/ca.pem",
    ));
    assert!(
        matches!(&e, HubError::RootCert(p) if p == "/nowhere/ca.pem"),
        "{e:?}"
    );
    // What the user reads names the cause, in either language, and never the password.
    let out = sinhke(&tempfile::tempdir().expect("dir").path().join("db"))
        .args(["hub", "init", "--url"])
        .arg(with(
            &base,
            &format!("sslmode=verify-full&sslrootcert={other}"),
        ))
        .output()
        .expect("run");
    assert_ne!(out.status.code(), Some(0));
    let said = stderr(&out);
    assert!(said.contains("could not prove who it is"), "{said}");
    assert!(!said.contains(&PASSWORD.replace(' ', "%20")), "{said}");

    // A hub that offers no TLS: require and verify-full refuse it, prefer goes on in
    // clear.
    let plain = Cluster::start().expect("cluster");
    hub_with_roles(&plain);
    let base = base.replace(&cluster.port.to_string(), &plain.port.to_string());
    let e = refused(&with(&base, "sslmode=require"));
    assert!(matches!(e, HubError::Untrusted), "{e:?}");
    let e = refused(&with(
        &base,
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    ));
    assert!(matches!(e, HubError::Untrusted), "{e:?}");
    let mut client = hub::connect(&with(&base, "sslmode=prefer")).expect("prefer");
    assert!(!encrypted(&mut client));
}
