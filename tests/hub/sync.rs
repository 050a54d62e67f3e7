//! Push and pull through a real PostgreSQL hub (a throwaway cluster on loopback): a
//! ward laptop's acceptance through the hub alone, three wards and a supervisor
//! converging in random interleavings with bundles mixed in, a version committed late
//! by a slow transaction, and connections cut in the middle of pushes and pulls.

use crate::common::cluster::*;
use crate::common::hub::*;
use crate::common::*;
use sinhke::hub;
use sinhke::sync::{self, Target};

#[test]
fn three_wards_and_their_supervisor_converge_through_the_hub_and_bundles() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    hub_with_roles(&cluster);
    let mut sup = supervisor();
    let mut wards: Vec<Laptop> = WARDS
        .iter()
        .map(|w| ward_laptop(&cluster, &mut sup, w))
        .collect();
    let mut dice = Dice(0x5eed_1234_abcd);
    for step in 0..60 {
        let which = dice.roll(WARDS.len() + 1);
        let action = dice.roll(5);
        if which == WARDS.len() {
            // The supervisor edits any ward's people, and pushes or pulls.
            let code = WARDS[dice.roll(WARDS.len())];
            match action {
                0 | 1 => edit_someone(&mut sup, code, &mut dice, step),
                2 => drop(sup.push(&cluster)),
                _ => drop(sup.pull(&cluster)),
            }
            continue;
        }
        let code = WARDS[which];
        let laptop = &mut wards[which];
        match action {
            0 | 1 => edit_someone(laptop, code, &mut dice, step),
            2 => drop(laptop.push(&cluster)),
            3 => drop(laptop.pull(&cluster)),
            // Some days the USB stick: a bundle up, and the return bundle down.
            _ => {
                let up = sync::send(&mut laptop.store, Target::Supervisor, false).expect("send");
                sync::receive(&mut sup.store, &up.file).expect("receive");
                let down =
                    sync::send(&mut sup.store, Target::Ward(code.into()), false).expect("send");
                sync::receive(&mut laptop.store, &down.file).expect("receive");
            }
        }
    }
    for _ in 0..2 {
        for laptop in wards.iter_mut().chain(std::iter::once(&mut sup)) {
            laptop.push(&cluster);
        }
        for laptop in wards.iter_mut().chain(std::iter::once(&mut sup)) {
            laptop.pull(&cluster);
        }
    }
    let mut conflicts = 0;
    for (laptop, code) in wards.iter().zip(WARDS) {
        let theirs = ward_view(&laptop.store, code);
        let supervisors = ward_view(&sup.store, code);
        assert!(!theirs.0.is_empty());
        assert_eq!(theirs, supervisors, "ward {code} and its supervisor differ");
        // No ward ever holds another ward's people.
        assert!(
            laptop
                .store
                .snapshot()
                .people
                .values()
                .all(|p| p.ward == code)
        );
        let codes: Vec<_> = theirs.0.values().map(|p| (p.code.clone(), p.id)).collect();
        assert!(
            laptop.store.check().is_ok(),
            "{code}: {:?} {codes:?}",
            laptop.store.check()
        );
        conflicts += theirs.1.len();
    }
    assert!(sup.store.check().is_ok());
    eprintln!(
        "converged: {} people, {conflicts} records in conflict",
        sup.store.snapshot().people.len()
    );
    // Everything is on the hub: pushing again adds nothing, from anyone.
    for laptop in wards.iter_mut().chain(std::iter::once(&mut sup)) {
        assert_eq!(laptop.push(&cluster).added, 0);
    }
    assert_eq!(duplicated_versions(&cluster), 0);
    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    // The server holds no name: not in any column, sealed bodies included.
    let names: Vec<String> = sup
        .store
        .snapshot()
        .people
        .values()
        .map(|p| p.full_name.clone())
        .collect();
    let bodies: Vec<Vec<u8>> = admin
        .query("SELECT body FROM versions", &[])
        .expect("bodies")
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    for name in &names {
        assert!(
            !bodies
                .iter()
                .any(|b| b.windows(name.len()).any(|w| w == name.as_bytes())),
            "{name} is on the server in clear"
        );
    }
}

#[test]
fn a_version_committed_late_by_a_slow_transaction_is_not_missed() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    hub_with_roles(&cluster);
    let mut sup = supervisor();
    let mut ct = ward_laptop(&cluster, &mut sup, "CT");
    sup.pull(&cluster);
    // A slow push: the transaction begins (and takes its number) first...
    let mut slow = ct.connect(&cluster);
    let mut slow_tx = slow.transaction().expect("begin");
    slow_tx
        .query_one("SELECT pg_current_xact_id()::text", &[])
        .expect("xid");
    // ...a quick one commits after it began...
    let hoa = ct.store.save_person(person("CT", 1)).expect("save");
    ct.push(&cluster);
    // ...and the slow one writes a real version of its own, not committed yet.
    let lan = ct.store.save_person(person("CT", 2)).expect("save");
    let late = sup_rows_of(&cluster, &mut ct);
    let got = sup.pull(&cluster);
    assert_eq!(
        got.report.added, 0,
        "nothing is read past a running transaction"
    );
    for row in &late {
        slow_tx
            .execute(
                "INSERT INTO versions (version_id, record_id, ward, kind, parents, clock,
                                       device, signature, body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &row.version_id,
                    &row.record_id,
                    &row.ward,
                    &row.kind,
                    &row.parents,
                    &row.clock,
                    &row.device,
                    &row.signature,
                    &row.body,
                ],
            )
            .expect("late insert");
    }
    slow_tx.commit().expect("late commit");
    let got = sup.pull(&cluster);
    assert_eq!(got.report.added, 2, "{:?}", got.report);
    let people = &sup.store.snapshot().people;
    assert!(people.contains_key(&hoa.id) && people.contains_key(&lan.id));
}

/// The rows a push of `laptop` would write, made on a second hub of the same cluster:
/// what a slow push writes, to be inserted by hand.
fn sup_rows_of(cluster: &Cluster, laptop: &mut Laptop) -> Vec<hub::rows::VersionRow> {
    cluster.admin_sql("CREATE DATABASE other");
    let url = |login: &str, password: &str| cluster.url(login, password).replace("/hub", "/other");
    let mut admin =
        postgres::Client::connect(&url(ADMIN, ADMIN_PASSWORD), postgres::NoTls).expect("admin");
    hub::init(&mut admin).expect("init");
    hub::add_role(&mut admin, &laptop.login, Some("CT"), PASSWORD).expect("role");
    let mut other = hub::connect_for_sync(&url(&laptop.login, PASSWORD)).expect("connect");
    // These versions reach the real hub only by the slow transaction.
    sync::hub::push(&mut laptop.store, &mut other).expect("push");
    admin
        .query(
            "SELECT version_id, record_id, ward, kind, parents, clock, device, signature, body
             FROM versions",
            &[],
        )
        .expect("rows")
        .into_iter()
        .map(|r| hub::rows::VersionRow {
            version_id: r.get(0),
            record_id: r.get(1),
            ward: r.get(2),
            kind: r.get(3),
            parents: r.get(4),
            clock: r.get(5),
            device: r.get(6),
            signature: r.get(7),
            body: r.get(8),
        })
        .collect()
}
