//! A hub with its logins, a supervisor's database and ward laptops accepted through the
//! hub: what the hub tests (tests/hub/sync.rs, faults.rs) share.

use super::cluster::*;
use super::*;
use sinhke::hub;
use sinhke::store::versions::RecordRef;
use sinhke::store::{KdfParams, OpenMode, Store};
use sinhke::sync;
use std::collections::BTreeMap;

pub const PASSWORD: &str = "a ward laptop's password";
pub const WARDS: [&str; 3] = ["CT", "HH", "TT"];

pub fn create(db: &Path) -> Store {
    Store::open_with_kdf(
        db,
        OpenMode::CreateIfMissing,
        &credentials(),
        KdfParams::TEST,
    )
    .expect("create")
}

pub fn ward(code: &str) -> sinhke::domain::Ward {
    sinhke::domain::Ward {
        code: code.into(),
        name: format!("Phường {code}"),
        district: "Hồng Bàng".into(),
        province: "Hải Phòng".into(),
    }
}

/// A hub with its schema, a login per ward and one for the supervisor.
pub fn hub_with_roles(cluster: &Cluster) {
    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    hub::init(&mut admin).expect("init");
    for w in WARDS {
        hub::add_role(&mut admin, &w.to_lowercase(), Some(w), PASSWORD).expect("role");
    }
    hub::add_role(&mut admin, "sup", None, PASSWORD).expect("role");
}

pub struct Laptop {
    pub _dir: tempfile::TempDir,
    pub store: Store,
    pub login: String,
}

impl Laptop {
    pub fn push(&mut self, cluster: &Cluster) -> sync::hub::Pushed {
        let url = self.url(cluster.port);
        self.try_push(&url).expect("push")
    }

    pub fn pull(&mut self, cluster: &Cluster) -> sync::hub::Pulled {
        let url = self.url(cluster.port);
        let pulled = self.try_pull(&url).expect("pull");
        assert!(pulled.refused.is_empty(), "{:?}", pulled.refused);
        pulled
    }

    /// This laptop's login on a hub at 127.0.0.1:`port` (the cluster, or a proxy).
    pub fn url(&self, port: u16) -> String {
        format!(
            "postgresql://{}:{}@127.0.0.1:{port}/hub",
            self.login,
            PASSWORD.replace(' ', "%20")
        )
    }

    /// A push as `sinhke sync push` makes it: connect, check the schema, push.
    pub fn try_push(&mut self, url: &str) -> Result<sync::hub::Pushed, sync::hub::HubSyncError> {
        let mut client = hub::connect_for_sync(url)?;
        sync::hub::push(&mut self.store, &mut client)
    }

    pub fn try_pull(&mut self, url: &str) -> Result<sync::hub::Pulled, sync::hub::HubSyncError> {
        let mut client = hub::connect_for_sync(url)?;
        sync::hub::pull(&mut self.store, &mut client)
    }

    pub fn connect(&self, cluster: &Cluster) -> postgres::Client {
        hub::connect_for_sync(&self.url(cluster.port)).expect("connect")
    }
}

/// The supervisor's database with the three wards.
pub fn supervisor() -> Laptop {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = create(&dir.path().join("db"));
    for w in WARDS {
        store.add_ward(ward(w)).expect("ward");
    }
    Laptop {
        _dir: dir,
        store,
        login: "sup".into(),
    }
}

/// A ward laptop joined with its kit and accepted through the hub alone: its first
/// push announces its keys, the supervisor accepts them, and the supervisor's push
/// brings it its ward's key.
pub fn ward_laptop(cluster: &Cluster, sup: &mut Laptop, code: &str) -> Laptop {
    let kit = sync::make_kit(&mut sup.store, code).expect("kit");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = create(&dir.path().join("db"));
    sync::join(&mut store, &kit).expect("join");
    let mut laptop = Laptop {
        _dir: dir,
        store,
        login: code.to_lowercase(),
    };
    let print = laptop.store.device_public().fingerprint();
    let first = laptop.push(cluster);
    assert_eq!(first.waiting.as_deref(), Some(print.as_str()));
    assert!(
        laptop.pull(cluster).waiting,
        "nothing readable before acceptance"
    );
    let heard = sup.pull(cluster);
    assert!(
        heard.new_devices.contains(&print),
        "{:?}",
        heard.new_devices
    );
    sync::accept(&mut sup.store, &print).expect("accept");
    sup.push(cluster);
    assert!(!laptop.pull(cluster).waiting);
    assert!(laptop.push(cluster).waiting.is_none());
    laptop
}

/// A cheap deterministic sequence.
pub struct Dice(pub u64);

impl Dice {
    pub fn roll(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The people of one ward as a database holds them, and its records in conflict.
pub type WardView = (
    BTreeMap<sinhke::domain::Id, sinhke::domain::Person>,
    Vec<RecordRef>,
);

pub fn ward_view(store: &Store, code: &str) -> WardView {
    let snap = store.snapshot();
    let people: BTreeMap<_, _> = snap
        .people
        .iter()
        .filter(|(_, p)| p.ward == code)
        .map(|(id, p)| (*id, p.clone()))
        .collect();
    let conflicts = store
        .conflicts()
        .iter()
        .filter(|r| r.id().is_some_and(|id| people.contains_key(&id)))
        .cloned()
        .collect();
    (people, conflicts)
}

/// Registers someone new in `code`, or changes the phone of someone registered.
pub fn edit_someone(laptop: &mut Laptop, code: &str, dice: &mut Dice, n: usize) {
    // Not someone who shares a code after a merge: until the supervisor gives one of
    // them a new code, neither can be saved (the code is taken).
    let people = ward_view(&laptop.store, code).0;
    let shared = |c: &str| people.values().filter(|p| p.code == c).count() > 1;
    let ids: Vec<_> = people
        .values()
        .filter(|p| !shared(&p.code))
        .map(|p| p.id)
        .collect();
    if ids.is_empty() || dice.roll(3) == 0 {
        laptop
            .store
            .save_person(person(code, n))
            .expect("save person");
        return;
    }
    let id = ids[dice.roll(ids.len())];
    let mut p = laptop.store.snapshot().people[&id].clone();
    p.phone = format!("09{:08}", n);
    laptop.store.save_person(p).expect("edit person");
}

/// How many versions on the hub share an id with another (none, ever).
pub fn duplicated_versions(cluster: &Cluster) -> i64 {
    cluster
        .client(ADMIN, ADMIN_PASSWORD)
        .query_one(
            "SELECT count(*) - count(DISTINCT version_id) FROM versions",
            &[],
        )
        .expect("count")
        .get(0)
}
