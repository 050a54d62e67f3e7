//! The de-identified view on a real PostgreSQL hub (a throwaway cluster on loopback):
//! `sinhke hub publish` from the demo's supervisor database, read back as a dashboard's
//! read-only login would, searched for every name, phone and address of the demo; who
//! may read and write it; the small-count rule; the refresh after a pull; and the sync
//! screen's "sync now", in the real binary in a pseudo-terminal.

use crate::common::cluster::*;
use crate::common::pty::*;
use crate::common::*;
use std::path::{Path, PathBuf};

const PASSWORD: &str = "a login's password for tests";

fn hub_ok(db: &Path, url: &str, args: &[&str]) -> String {
    let out = sinhke(db)
        .env("SINHKE_HUB", url)
        .env("SINHKE_HUB_PASSWORD", PASSWORD)
        .args(args)
        .output()
        .expect("run");
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let said = stdout(&out) + &stderr(&out);
    assert!(!said.contains(PASSWORD), "a password is never printed");
    said
}

/// A hub with the schema, a supervisor, a ward's login and a dashboard's.
fn hub_with_logins(cluster: &Cluster, db: &Path, ward: &str) {
    let admin = cluster.url(ADMIN, ADMIN_PASSWORD);
    hub_ok(db, &admin, &["hub", "init"]);
    for role in [
        vec!["--supervisor", "--login", "sup"],
        vec!["--ward", ward, "--login", "ward_login"],
        vec!["--reader", "--login", "dash"],
    ] {
        let mut args = vec!["hub", "add-role"];
        args.extend(role);
        hub_ok(db, &admin, &args);
    }
}

/// A demo supervisor's database of `people`, on a hub with its logins, published once;
/// with the supervisor's URL.
fn published_demo(cluster: &Cluster, people: usize) -> (tempfile::TempDir, PathBuf, String) {
    let (dir, db) = demo_db(people);
    let ward = open_store(&db)
        .snapshot()
        .people
        .values()
        .next()
        .expect("someone")
        .ward
        .clone();
    hub_with_logins(cluster, &db, &ward);
    let url = cluster.url("sup", PASSWORD);
    hub_ok(&db, &url, &["hub", "publish"]);
    (dir, db, url)
}

/// Every text value of every analytics table, as `login` can read them.
fn every_text(cluster: &Cluster, login: &str) -> Vec<String> {
    let mut client = cluster.client(login, PASSWORD);
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_name LIKE 'analytics_%' AND data_type IN ('text', 'name')",
            &[],
        )
        .expect("columns");
    assert!(columns.len() >= 15, "the analytics tables' text columns");
    let mut values = Vec::new();
    for c in columns {
        let (table, column): (String, String) = (c.get(0), c.get(1));
        let sql = format!("SELECT {column}::text FROM {table}");
        for row in client.query(&sql, &[]).expect("read") {
            values.push(row.get::<_, String>(0));
        }
    }
    values
}

fn count(client: &mut postgres::Client, table: &str) -> i64 {
    client
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .expect("count")
        .get(0)
}

#[test]
fn the_published_view_holds_no_name_phone_or_address_and_only_readers_and_supervisors_see_it() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let (_dir, db) = demo_db(300);
    let store = open_store(&db);
    let people: Vec<_> = store.snapshot().people.values().cloned().collect();
    let ward = people[0].ward.clone();
    drop(store);
    hub_with_logins(&cluster, &db, &ward);

    let said = hub_ok(&db, &cluster.url("sup", PASSWORD), &["hub", "publish"]);
    assert!(said.contains("300"), "says how many people: {said}");

    let values = every_text(&cluster, "dash");
    assert!(
        values.iter().any(|v| *v == people[0].code),
        "codes are there"
    );
    let all = values.join("\n");
    for p in &people {
        for private in [&p.full_name, &p.phone, &p.address, &p.household_note] {
            assert!(
                private.trim().is_empty() || !all.contains(private.as_str()),
                "{private:?} is on the hub"
            );
        }
    }
    let mut dash = cluster.client("dash", PASSWORD);
    assert_eq!(count(&mut dash, "analytics_people"), 300);
    assert!(count(&mut dash, "analytics_visits") > 0);
    assert!(count(&mut dash, "analytics_summary") > 0);
    // A dashboard reads; it cannot write, nor read the versions or notices.
    assert!(dash.execute("DELETE FROM analytics_people", &[]).is_err());
    assert!(dash.query("SELECT * FROM versions", &[]).is_err());
    assert!(dash.query("SELECT * FROM notices", &[]).is_err());

    // A ward's login sees none of the province's view, and cannot change it.
    let mut at_ward = cluster.client("ward_login", PASSWORD);
    assert_eq!(count(&mut at_ward, "analytics_people"), 0);
    assert_eq!(
        at_ward
            .execute("DELETE FROM analytics_people", &[])
            .unwrap_or(0),
        0
    );
    let refused = at_ward
        .execute(
            "INSERT INTO analytics_people
                 (code, ward, sex, age_band, target_groups, status, enrolled_on)
             VALUES ('X', $1, 'female', '18_35', 'victim', 'active', '2025-01-01')",
            &[&ward],
        )
        .expect_err("a ward's write");
    let why = refused.as_db_error().map(|e| e.message().to_string());
    assert!(
        why.as_deref()
            .is_some_and(|m| m.contains("row-level security")),
        "row-level security refuses it: {why:?}"
    );
    assert_eq!(count(&mut dash, "analytics_people"), 300, "unchanged");

    // A ward's login cannot publish either: the hub refuses, the view stays.
    let out = sinhke(&db)
        .env("SINHKE_HUB", cluster.url("ward_login", PASSWORD))
        .args(["hub", "publish"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("supervisor"), "{}", stderr(&out));
    assert_eq!(count(&mut dash, "analytics_people"), 300);
}

#[test]
fn under_the_small_count_rule_only_withheld_summaries_are_published_and_a_pull_keeps_the_rule() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let (_dir, db, sup) = published_demo(&cluster, 120);
    let mut dash = cluster.client("dash", PASSWORD);
    assert_eq!(count(&mut dash, "analytics_people"), 120);

    let said = hub_ok(&db, &sup, &["hub", "publish", "--suppress-below", "11"]);
    assert!(said.contains("11"), "{said}");
    for table in [
        "analytics_people",
        "analytics_grants",
        "analytics_visits",
        "analytics_referrals",
    ] {
        assert_eq!(
            count(&mut dash, table),
            0,
            "{table} is empty under the rule"
        );
    }
    let small: i64 = dash
        .query_one(
            "SELECT count(*) FROM analytics_summary
             WHERE unit = 'count' AND value > 0 AND value < 11",
            &[],
        )
        .expect("small")
        .get(0);
    assert_eq!(small, 0, "no count below 11 is shown");
    let withheld: i64 = dash
        .query_one(
            "SELECT count(*) FROM analytics_summary WHERE withheld = '<11'",
            &[],
        )
        .expect("withheld")
        .get(0);
    assert!(withheld > 0, "120 people in many cells: some are small");

    // A person added here, then a pull: the view is refreshed, under the same rule.
    let mut store = open_store(&db);
    let ward = store.snapshot().wards_in_order()[0].code.clone();
    store.save_person(person(&ward, 1)).expect("save");
    drop(store);
    let before: Option<f64> = total_people(&mut dash);
    hub_ok(&db, &sup, &["sync", "pull"]);
    assert_eq!(
        count(&mut dash, "analytics_people"),
        0,
        "still summaries only"
    );
    let after = total_people(&mut dash);
    assert_eq!(after, before.map(|n| n + 1.0), "the new person is counted");
}

/// The people of the whole programme in the by-ward summary's total row.
fn total_people(client: &mut postgres::Client) -> Option<f64> {
    client
        .query_one(
            "SELECT value FROM analytics_summary
             WHERE summary = 'summary.by_ward' AND measure = 'summary.people'
             ORDER BY row_no DESC LIMIT 1",
            &[],
        )
        .expect("total")
        .get(0)
}

#[test]
fn a_supervisor_syncs_from_the_sync_screen_once_the_address_is_typed_and_kept() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let (_dir, db, url) = published_demo(&cluster, 40);

    let mut tui = Tui::start(
        &["--db", db.to_str().expect("utf-8"), "--lang", "vi"],
        &[],
        140,
        30,
    );
    tui.wait_for("Tổng quan");
    tui.send("7");
    tui.wait_for("Máy chủ tỉnh: chưa có");
    // No address yet: h asks for it, then syncs once it is kept.
    tui.send("h");
    tui.wait_for("Địa chỉ máy chủ tỉnh (hub)");
    tui.type_text(&url);
    tui.send(CTRL_S);
    let screen = tui.wait_for("Đồng bộ với máy chủ tỉnh xong");
    assert!(screen.contains("Đã làm mới số liệu ẩn danh"), "{screen}");
    assert!(screen.contains("phiên bản lên máy chủ tỉnh"), "{screen}");
    assert!(
        screen.contains(&format!("sup@127.0.0.1:{}/hub", cluster.port)),
        "{screen}"
    );
    assert!(!screen.contains("password"), "the password is never shown");
    // Again: nothing new either way, and the address is not asked again.
    tui.send("h");
    let again = tui.wait_for("Đã gửi 0 phiên bản");
    assert!(again.contains("0 phiên bản mới, 0 hồ sơ mới"), "{again}");
    assert_eq!(tui.quit(), 0);

    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    assert!(
        count(&mut admin, "versions") > 40,
        "every version is on the hub"
    );
    let kept = open_store(&db).hub_url().expect("read");
    assert_eq!(kept.as_deref(), Some(url.as_str()));
}
