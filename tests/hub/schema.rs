//! The province hub against a real PostgreSQL: a throwaway cluster on loopback in a temp
//! folder, started for these tests and stopped after (`.ci/run` installs Debian's
//! postgresql). Without PostgreSQL installed the tests say they were skipped; in CI they
//! fail. Nothing talks to anything but 127.0.0.1.

use crate::common::cluster::*;
use crate::common::*;
use std::path::Path;

fn hub(cluster: &Cluster, args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tempdir");
    sinhke(&dir.path().join("db"))
        .env("SINHKE_HUB", cluster.url(ADMIN, ADMIN_PASSWORD))
        .env("SINHKE_HUB_PASSWORD", "a ward laptop's password")
        .args(["hub"])
        .args(args)
        .output()
        .expect("run")
}

fn hub_ok(cluster: &Cluster, args: &[&str]) -> String {
    let out = hub(cluster, args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// A version row as a push would write it (the body is opaque to the server).
fn insert_version(
    client: &mut postgres::Client,
    id: u8,
    ward: &str,
) -> Result<u64, postgres::Error> {
    client.execute(
        "INSERT INTO versions (version_id, record_id, ward, kind, clock, device, signature, body)
         VALUES ($1, $2, $3, 1, 1, '\\x01', '\\x02', '\\x03')",
        &[&vec![id], &vec![id], &ward],
    )
}

#[test]
fn init_makes_the_schema_once_and_says_so() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let first = hub_ok(&cluster, &["init"]);
    let current = sinhke::hub::SCHEMA_VERSION;
    assert!(
        first.contains(&format!("schema version {current}")),
        "{first}"
    );
    let again = hub_ok(&cluster, &["init"]);
    assert!(
        again.contains(&format!("already version {current}")),
        "{again}"
    );
    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    let applied: i64 = admin
        .query_one("SELECT count(*) FROM hub_migrations", &[])
        .expect("count")
        .get(0);
    assert_eq!(applied, i64::from(current), "each migration once");
    // A hub of a newer sinhke is left alone, with a word.
    admin
        .execute("INSERT INTO hub_migrations (version) VALUES (99)", &[])
        .expect("newer");
    let out = hub(&cluster, &["init"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("version 99, newer"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_wards_login_reads_and_writes_its_own_ward_only_and_changes_nothing() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    hub_ok(&cluster, &["init"]);
    hub_ok(
        &cluster,
        &["add-role", "--ward", "CT", "--login", "ward_ct"],
    );
    hub_ok(
        &cluster,
        &["add-role", "--ward", "HG", "--login", "ward_hg"],
    );
    hub_ok(
        &cluster,
        &["add-role", "--supervisor", "--login", "province"],
    );
    let password = "a ward laptop's password";
    let mut ct = cluster.client("ward_ct", password);
    let mut hg = cluster.client("ward_hg", password);
    let mut province = cluster.client("province", password);

    assert_eq!(insert_version(&mut ct, 1, "CT").expect("own ward"), 1);
    assert_eq!(insert_version(&mut hg, 2, "HG").expect("own ward"), 1);
    let refused = insert_version(&mut ct, 3, "HG").expect_err("another ward's row");
    let message = refused.as_db_error().map(|e| e.message().to_string());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("row-level security")),
        "{message:?}"
    );
    assert!(
        insert_version(&mut ct, 4, "*").is_err(),
        "only a supervisor publishes to every ward"
    );
    assert_eq!(insert_version(&mut province, 5, "*").expect("settings"), 1);

    let wards_seen = |client: &mut postgres::Client| -> Vec<String> {
        client
            .query("SELECT ward FROM versions ORDER BY version_id", &[])
            .expect("select")
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    assert_eq!(wards_seen(&mut ct), ["CT", "*"]);
    assert_eq!(wards_seen(&mut hg), ["HG", "*"]);
    assert_eq!(wards_seen(&mut province), ["CT", "HG", "*"]);
    // Pushing the same version twice adds nothing.
    let twice = ct
        .execute(
            "INSERT INTO versions (version_id, record_id, ward, kind, clock, device, signature, body)
             VALUES ('\\x01', '\\x01', 'CT', 1, 1, '\\x01', '\\x02', '\\x03')
             ON CONFLICT DO NOTHING",
            &[],
        )
        .expect("insert");
    assert_eq!(twice, 0);
    // Versions are insert-only, for every login: no update, no delete.
    for client in [&mut ct, &mut province] {
        assert!(
            client
                .execute("UPDATE versions SET clock = 2", &[])
                .is_err()
        );
        assert!(client.execute("DELETE FROM versions", &[]).is_err());
    }
    // The roles table, which says who works where, is not readable by a ward, and a
    // temporary table of that name does not make a ward a supervisor.
    assert!(ct.query("SELECT * FROM hub_roles", &[]).is_err());
    ct.batch_execute(
        "CREATE TEMP TABLE hub_roles (login name, ward text);
         INSERT INTO hub_roles VALUES (session_user, NULL);",
    )
    .expect("a temporary table of one's own");
    assert_eq!(wards_seen(&mut ct), ["CT", "*"]);
    assert!(insert_version(&mut ct, 6, "HG").is_err());
    // Who pushed is the server's to say.
    ct.execute(
        "INSERT INTO versions (version_id, record_id, ward, kind, clock, device, signature, body, pushed_by)
         VALUES ('\\x07', '\\x07', 'CT', 1, 1, '\\x01', '\\x02', '\\x03', 'province')",
        &[],
    )
    .expect("insert");
    let pusher: String = province
        .query_one(
            "SELECT pushed_by::text FROM versions WHERE version_id = '\\x07'",
            &[],
        )
        .expect("row")
        .get(0);
    assert_eq!(pusher, "ward_ct");
    // A wrong password is refused in the user's words.
    let out = sinhke(Path::new("/nonexistent"))
        .env("SINHKE_HUB", cluster.url("ward_ct", "wrong password"))
        .args(["hub", "init"])
        .output()
        .expect("run");
    assert!(
        stderr(&out).contains("refused the login name or password"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_hub_that_does_not_answer_is_said_so_without_the_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let out = sinhke(&dir.path().join("db"))
        .env(
            "SINHKE_HUB",
            format!("postgresql://admin:s3cret-pass@127.0.0.1:{port}/hub"),
        )
        .args(["hub", "init"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("No province hub answers"), "{err}");
    assert!(
        !err.contains("s3cret"),
        "the password is never printed: {err}"
    );
}
