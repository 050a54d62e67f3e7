//! The hub when the network or the server fails: every push and pull of a supervisor
//! and two ward laptops goes through a proxy that cuts the connection after a number of
//! bytes drawn anew each round, anywhere in a push's or a pull's bytes; and the server
//! stopped at once in the middle of a push. Each failure is a clear hub error, never a
//! panic or a damaged database; afterwards, on a good connection, everyone converges.

use crate::common::cluster::*;
use crate::common::hub::*;
use crate::common::*;
use sinhke::hub::HubError;
use sinhke::sync::hub::HubSyncError;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A TCP proxy on 127.0.0.1 in front of the cluster. With a limit set, it lets that many
/// bytes through (both directions together, every connection made since the limit was
/// set), then shuts both sides of the connection down, and any connection made after.
struct Cutter {
    port: u16,
    state: Arc<CutState>,
}

struct CutState {
    /// Bytes still allowed through; None: no limit.
    left: Mutex<Option<u64>>,
    /// Bytes passed since the last `limit`.
    passed: AtomicU64,
}

impl CutState {
    /// How many of `n` bytes may pass now, counted as passed.
    fn take(&self, n: usize) -> usize {
        let mut left = self.left.lock().expect("lock");
        let n = match left.as_mut() {
            None => n,
            Some(left) => {
                let allowed = (n as u64).min(*left);
                *left -= allowed;
                allowed as usize
            }
        };
        self.passed.fetch_add(n as u64, Ordering::SeqCst);
        n
    }
}

impl Cutter {
    fn start(upstream: u16) -> Cutter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(CutState {
            left: Mutex::new(None),
            passed: AtomicU64::new(0),
        });
        let shared = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                for (from, to) in [(&client, &server), (&server, &client)] {
                    let (Ok(from), Ok(to)) = (from.try_clone(), to.try_clone()) else {
                        continue;
                    };
                    let (a, b) = (client.try_clone(), server.try_clone());
                    let state = shared.clone();
                    std::thread::spawn(move || pump(from, to, &state, a.ok(), b.ok()));
                }
            }
        });
        Cutter { port, state }
    }

    /// From now on, `n` more bytes pass (None: any number).
    fn limit(&self, n: Option<u64>) {
        *self.state.left.lock().expect("lock") = n;
        self.state.passed.store(0, Ordering::SeqCst);
    }

    fn passed(&self) -> u64 {
        self.state.passed.load(Ordering::SeqCst)
    }
}

/// Copies one direction of a connection until either side closes or the bytes run out;
/// then cuts the whole connection.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    state: &CutState,
    client: Option<TcpStream>,
    server: Option<TcpStream>,
) {
    let mut buf = [0u8; 4096];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let allowed = state.take(n);
        if to.write_all(&buf[..allowed]).is_err() || allowed < n {
            break;
        }
    }
    for s in [&client, &server].into_iter().flatten() {
        let _ = s.shutdown(Shutdown::Both);
    }
}

/// What a push or pull cut off may end in: a hub error a user can read, saying the
/// connection was lost (or, cut before the server answered, that none answers).
fn cut_short<T>(
    result: Result<T, HubSyncError>,
    errors: &mut BTreeMap<String, usize>,
) -> Option<T> {
    match result {
        Ok(done) => Some(done),
        Err(HubSyncError::Hub(e @ (HubError::Lost | HubError::Unreachable))) => {
            *errors.entry(format!("{e:?}")).or_default() += 1;
            None
        }
        Err(e) => panic!("a cut connection must be a lost connection, not {e:?}"),
    }
}

/// Many new people at once (one write), so that a push spans more than one batch.
fn register_many(laptop: &mut Laptop, code: &str, count: usize, from: usize) {
    let people = (0..count).map(|n| person(code, from + n)).collect();
    laptop.store.import_people(people).expect("import");
}

/// Whether `check` found nothing, or only what a merge leaves until the supervisor gives
/// one of two people who share a code a new one: the code index holds one of them.
fn whole_but_for_shared_codes(
    store: &sinhke::store::Store,
    check: &sinhke::store::CheckReport,
) -> bool {
    let shared = |code: &str| {
        store
            .snapshot()
            .people
            .values()
            .filter(|p| p.code == code)
            .count()
            > 1
    };
    check.findings.iter().all(|f| {
        f.tree == "idx_code"
            && matches!(
                f.problem,
                sinhke::store::FindingKind::MissingIndexEntry { .. }
            )
            && shared(&f.key)
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Push,
    Pull,
}

#[test]
fn pushes_and_pulls_cut_anywhere_lose_nothing_and_converge() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    hub_with_roles(&cluster);
    let mut sup = supervisor();
    let codes = ["CT", "HH"];
    let mut wards: Vec<Laptop> = codes
        .iter()
        .map(|w| ward_laptop(&cluster, &mut sup, w))
        .collect();
    let cutter = Cutter::start(cluster.port);
    // The whole byte range of a push and of a pull: measured on an uncut one of each,
    // more than a batch of versions long, and grown whenever a longer one passes.
    let mut longest: BTreeMap<Op, u64> = BTreeMap::new();
    register_many(&mut wards[0], "CT", 1500, 0);
    cutter.limit(None);
    let url = wards[0].url(cutter.port);
    wards[0].try_push(&url).expect("push");
    longest.insert(Op::Push, cutter.passed());
    cutter.limit(None);
    let url = sup.url(cutter.port);
    sup.try_pull(&url).expect("pull");
    longest.insert(Op::Pull, cutter.passed());
    eprintln!("uncut: {longest:?} bytes");

    let mut dice = Dice(0xc0ff_ee15_0006);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut cut = 0;
    let mut next_person = 10_000;
    for round in 0..48 {
        let who = dice.roll(3);
        let (laptop, code) = match who {
            2 => (&mut sup, codes[dice.roll(2)]),
            w => (&mut wards[w], codes[w]),
        };
        // An edit or two, and some days a whole list of people (more than a batch).
        if dice.roll(6) == 0 {
            register_many(laptop, code, 800 + dice.roll(700), next_person);
            next_person += 2000;
        } else {
            for _ in 0..=dice.roll(3) {
                edit_someone(laptop, code, &mut dice, next_person);
                next_person += 1;
            }
        }
        let ops: &[Op] = match dice.roll(3) {
            0 => &[Op::Push],
            1 => &[Op::Pull],
            _ => &[Op::Push, Op::Pull],
        };
        let url = laptop.url(cutter.port);
        for &op in ops {
            let range = longest[&op] + longest[&op] / 10;
            let n = dice.roll(range as usize + 1) as u64;
            cutter.limit(Some(n));
            let done = match op {
                Op::Push => cut_short(laptop.try_push(&url), &mut errors).map(|_| ()),
                Op::Pull => cut_short(laptop.try_pull(&url), &mut errors).map(|pulled| {
                    assert!(pulled.refused.is_empty(), "{:?}", pulled.refused);
                }),
            };
            match done {
                Some(()) => {
                    let size = longest.get_mut(&op).expect("op");
                    *size = (*size).max(cutter.passed());
                }
                None => cut += 1,
            }
            // Whole, but for codes shared after a merge: always possible on a ward
            // laptop until the supervisor gives new ones, and on the supervisor's only
            // until a pull goes through (this one, if it did).
            let check = laptop.store.check();
            let strict = laptop.store.joined_ward().is_none() && op == Op::Pull && done.is_some();
            assert!(
                if strict {
                    check.is_ok()
                } else {
                    whole_but_for_shared_codes(&laptop.store, &check)
                },
                "round {round}, {op:?} cut at {n} ({}): {check:?}",
                if done.is_some() { "done" } else { "cut" }
            );
        }
    }
    eprintln!("{cut} exchanges cut: {errors:?}; longest {longest:?}");
    assert!(cut >= 15, "only {cut} exchanges were cut");

    // A good connection again: everyone pushes and pulls until nothing moves.
    cutter.limit(None);
    let mut everyone: Vec<&mut Laptop> =
        wards.iter_mut().chain(std::iter::once(&mut sup)).collect();
    let mut quiet = false;
    for _ in 0..5 {
        let mut moved = 0;
        for laptop in everyone.iter_mut() {
            let url = laptop.url(cutter.port);
            moved += laptop.try_push(&url).expect("push").added;
        }
        for laptop in everyone.iter_mut() {
            let url = laptop.url(cutter.port);
            let pulled = laptop.try_pull(&url).expect("pull");
            assert!(pulled.refused.is_empty(), "{:?}", pulled.refused);
            moved += pulled.report.added as u64;
        }
        if moved == 0 {
            quiet = true;
            break;
        }
    }
    assert!(quiet, "still moving after five rounds of pushes and pulls");
    for (laptop, code) in wards.iter().zip(codes) {
        let theirs = ward_view(&laptop.store, code);
        assert!(!theirs.0.is_empty());
        assert_eq!(theirs, ward_view(&sup.store, code), "ward {code} differs");
        let check = laptop.store.check();
        assert!(check.is_ok(), "{code}: {check:?}");
    }
    let check = sup.store.check();
    assert!(check.is_ok(), "supervisor: {check:?}");
    assert_eq!(duplicated_versions(&cluster), 0);
    for laptop in wards.iter_mut().chain(std::iter::once(&mut sup)) {
        assert_eq!(
            laptop.push(&cluster).added,
            0,
            "{} pushes again",
            laptop.login
        );
    }
}

#[test]
fn a_server_stopped_in_the_middle_of_a_push_loses_nothing() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    hub_with_roles(&cluster);
    let mut sup = supervisor();
    let mut ct = ward_laptop(&cluster, &mut sup, "CT");
    register_many(&mut ct, "CT", 5000, 0);
    let url = ct.url(cluster.port);
    let pushing = std::thread::spawn(move || {
        let result = ct.try_push(&url);
        (ct, result)
    });
    // The server stops once the first batches are in, while the rest is sent.
    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    let started = std::time::Instant::now();
    loop {
        let on_hub: i64 = admin
            .query_one("SELECT count(*) FROM versions WHERE ward = 'CT'", &[])
            .expect("count")
            .get(0);
        if on_hub >= 1000 || started.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    drop(admin);
    cluster.stop();
    let (mut ct, result) = pushing.join().expect("no panic");
    match &result {
        Err(HubSyncError::Hub(HubError::Lost)) => {}
        Ok(pushed) => eprintln!("the push ended before the stop: {pushed:?}"),
        Err(e) => panic!("a stopped server is a lost connection, not {e:?}"),
    }
    assert!(ct.store.check().is_ok());
    // While it is down, a push says no server answers.
    let url = ct.url(cluster.port);
    match ct.try_push(&url) {
        Err(HubSyncError::Hub(HubError::Unreachable)) => {}
        other => panic!("{other:?}"),
    }
    cluster.restart();
    let again = ct.push(&cluster);
    assert!(
        again.added > 0 || result.is_ok(),
        "the rest is sent: {again:?}"
    );
    sup.pull(&cluster);
    assert_eq!(ward_view(&ct.store, "CT"), ward_view(&sup.store, "CT"));
    assert_eq!(ward_view(&sup.store, "CT").0.len(), 5000);
    assert!(sup.store.check().is_ok());
    assert_eq!(duplicated_versions(&cluster), 0);
    assert_eq!(ct.push(&cluster).added, 0);
    assert_eq!(sup.push(&cluster).added, 0);
}

/// A supervisor whose own person of CT has the code CT's laptop gave its first person,
/// and CT's 1500 people on the hub: the supervisor's pull reads them in two pages, the
/// clash in the first.
fn clash_on_the_hub() -> Option<(Cluster, Laptop, Laptop)> {
    let cluster = Cluster::start()?;
    hub_with_roles(&cluster);
    let mut sup = supervisor();
    let mut ct = ward_laptop(&cluster, &mut sup, "CT");
    sup.store.save_person(person("CT", 0)).expect("save");
    register_many(&mut ct, "CT", 1500, 1);
    ct.push(&cluster);
    Some((cluster, sup, ct))
}

#[test]
fn a_pull_cut_after_a_page_with_a_clashing_code_still_gives_a_new_code() {
    // How long the pull is, uncut, on a hub of its own.
    let Some((cluster, mut sup, _ct)) = clash_on_the_hub() else {
        return;
    };
    let cutter = Cutter::start(cluster.port);
    let url = sup.url(cutter.port);
    let pulled = sup.try_pull(&url).expect("pull");
    assert_eq!(pulled.reissued.len(), 1, "{:?}", pulled.reissued);
    let whole = cutter.passed();
    drop((cluster, sup, cutter));

    // The same pull cut in its second page: the first, with the clash, is merged.
    let (cluster, mut sup, _ct) = clash_on_the_hub().expect("cluster");
    let cutter = Cutter::start(cluster.port);
    cutter.limit(Some(whole * 5 / 6));
    let url = sup.url(cutter.port);
    match sup.try_pull(&url) {
        Err(HubSyncError::Hub(HubError::Lost)) => {}
        other => panic!("{other:?}"),
    }
    let people = sup.store.snapshot().people.len();
    assert!(
        people > 900 && people < 1501,
        "{people} people: the first page only"
    );
    sup.pull(&cluster);
    let codes: std::collections::BTreeSet<_> = sup
        .store
        .snapshot()
        .people
        .values()
        .map(|p| p.code.clone())
        .collect();
    assert_eq!(codes.len(), 1501, "two people share a code");
    let check = sup.store.check();
    assert!(check.is_ok(), "{check:?}");
}
