//! The province hub under load, on loopback: a throwaway PostgreSQL cluster (as the hub
//! tests start one), a login per ward and one for the supervisor, and for each ward a
//! laptop's database joined with its kit, accepted through the hub (announce, the
//! supervisor's pull and `accept`, its push, the laptop's pull) and filled with 500 demo
//! people (`demo --ward`). Then every ward pushes at once (a thread and a connection
//! each), the supervisor pulls the province, every ward saves a day's work (25 people
//! edited) and pushes it, and the supervisor pulls that. Measured at 5, 10 and 20 wards,
//! each on a fresh cluster; reports versions per second, the time until the supervisor
//! has everything, the processor time of the clients and of the server, and the hub's
//! size on disk.
//!
//! Run: cargo bench --bench hub
//! Quick (2 and 4 wards of 50 people): cargo bench --bench hub -- --quick
//! Other sizes: SINHKE_BENCH_WARDS=5,10,20 SINHKE_BENCH_PEOPLE=500 SINHKE_BENCH_RUNS=1

// The hub tests' own throwaway cluster; not every helper of it is used here.
#[allow(dead_code)]
#[path = "../tests/common/cluster.rs"]
mod cluster;
mod common;

use cluster::{ADMIN, ADMIN_PASSWORD, Cluster};
use sinhke::domain::Ward;
use sinhke::hub;
use sinhke::store::{KdfParams, OpenMode, Store};
use sinhke::sync;
use std::sync::Barrier;
use std::time::{Duration, Instant};

const PASSWORD: &str = "a ward laptop's password";
/// People edited on each ward laptop for "a day's work".
const DAILY_EDITS: usize = 25;

fn open(dir: &std::path::Path) -> Store {
    let mut store = Store::open_with_kdf(
        dir,
        OpenMode::CreateIfMissing,
        &common::credentials(),
        KdfParams::TEST,
    )
    .expect("open");
    store.set_today(common::today());
    store
}

fn ward_code(n: usize) -> String {
    format!(
        "P{}{}",
        (b'A' + (n / 26) as u8) as char,
        (b'A' + (n % 26) as u8) as char
    )
}

/// Processor time in seconds, from /proc: this process (every thread), and the
/// PostgreSQL server (the postmaster, its children that ended, and those still running).
#[cfg(target_os = "linux")]
mod cpu {
    fn ticks(pid: u32) -> Option<(u32, [f64; 4])> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ppid = fields.get(1)?.parse().ok()?;
        let mut t = [0.0; 4];
        for (i, slot) in t.iter_mut().enumerate() {
            *slot = fields.get(11 + i)?.parse().ok()?;
        }
        Some((ppid, t))
    }

    fn hz() -> f64 {
        // SAFETY: sysconf has no preconditions.
        (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
    }

    pub fn own() -> f64 {
        ticks(std::process::id()).map_or(0.0, |(_, t)| (t[0] + t[1]) / hz())
    }

    /// The server's children: (pid, state, command line).
    fn children(postmaster: u32) -> Vec<(u32, char, String)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let Some((_, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let mut fields = rest.split_whitespace();
            let state = fields.next().and_then(|s| s.chars().next()).unwrap_or('?');
            if fields.next().and_then(|p| p.parse().ok()) != Some(postmaster) {
                continue;
            }
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            out.push((pid, state, String::from_utf8_lossy(&cmdline).into_owned()));
        }
        out
    }

    /// Waits until every connection's server process has ended and been reaped: a
    /// process that ended but is not reaped yet counts neither as running nor as ended.
    fn settle(postmaster: u32) {
        for _ in 0..200 {
            let busy = children(postmaster)
                .iter()
                .any(|(_, state, cmd)| *state == 'Z' || cmd.contains("127.0.0.1("));
            if !busy {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
    }

    pub fn server(postmaster: u32) -> f64 {
        settle(postmaster);
        let Some((_, t)) = ticks(postmaster) else {
            return 0.0;
        };
        let mut total = t.iter().sum::<f64>();
        for (pid, _, _) in children(postmaster) {
            if let Some((_, t)) = ticks(pid) {
                total += t[0] + t[1];
            }
        }
        total / hz()
    }
}

#[cfg(not(target_os = "linux"))]
mod cpu {
    pub fn own() -> f64 {
        0.0
    }
    pub fn server(_: u32) -> f64 {
        0.0
    }
}

/// Processor time spent between two readings.
struct Cpu {
    postmaster: u32,
    client: f64,
    server: f64,
}

impl Cpu {
    fn start(postmaster: u32) -> Cpu {
        Cpu {
            postmaster,
            client: cpu::own(),
            server: cpu::server(postmaster),
        }
    }

    /// (client, server) seconds since `start`.
    fn spent(&self) -> (f64, f64) {
        (
            cpu::own() - self.client,
            cpu::server(self.postmaster) - self.server,
        )
    }
}

struct Laptop {
    _dir: tempfile::TempDir,
    store: Store,
    login: String,
}

impl Laptop {
    fn connect(&self, cluster: &Cluster) -> postgres::Client {
        hub::connect_for_sync(&cluster.url(&self.login, PASSWORD)).expect("connect")
    }

    fn push(&mut self, cluster: &Cluster) -> sync::hub::Pushed {
        let mut client = self.connect(cluster);
        sync::hub::push(&mut self.store, &mut client).expect("push")
    }

    fn pull(&mut self, cluster: &Cluster) -> sync::hub::Pulled {
        let mut client = self.connect(cluster);
        let pulled = sync::hub::pull(&mut self.store, &mut client).expect("pull");
        assert!(pulled.refused.is_empty(), "{:?}", pulled.refused);
        pulled
    }
}

/// The province, ready to push: a supervisor and `wards` laptops accepted through the
/// hub, each with `people` demo people not pushed yet.
fn province(cluster: &Cluster, wards: usize, people: usize) -> (Laptop, Vec<Laptop>) {
    let codes: Vec<String> = (0..wards).map(ward_code).collect();
    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    hub::init(&mut admin).expect("init");
    for code in &codes {
        hub::add_role(&mut admin, &code.to_lowercase(), Some(code), PASSWORD).expect("role");
    }
    hub::add_role(&mut admin, "province", None, PASSWORD).expect("role");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sup = Laptop {
        store: open(&dir.path().join("db")),
        _dir: dir,
        login: "province".into(),
    };
    for code in &codes {
        sup.store
            .add_ward(Ward {
                code: code.clone(),
                name: format!("Phường {code}"),
                district: "Hạ Long".into(),
                province: "Quảng Ninh".into(),
            })
            .expect("ward");
    }
    // Each laptop joins with its kit and announces its keys; the supervisor hears them
    // all in one pull, accepts each by fingerprint and pushes; each laptop's pull then
    // brings it its ward's key.
    let mut laptops = Vec::new();
    let mut prints = Vec::new();
    for code in &codes {
        let kit = sync::make_kit(&mut sup.store, code).expect("kit");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = open(&dir.path().join("db"));
        sync::join(&mut store, &kit).expect("join");
        let mut laptop = Laptop {
            _dir: dir,
            store,
            login: code.to_lowercase(),
        };
        let print = laptop.store.device_public().fingerprint();
        assert_eq!(laptop.push(cluster).waiting.as_deref(), Some(&*print));
        prints.push(print);
        laptops.push(laptop);
    }
    let heard = sup.pull(cluster);
    for print in &prints {
        assert!(heard.new_devices.contains(print), "{print} not heard");
        sync::accept(&mut sup.store, print).expect("accept");
    }
    sup.push(cluster);
    for (laptop, code) in laptops.iter_mut().zip(&codes) {
        assert!(!laptop.pull(cluster).waiting, "{code} not accepted");
        let ward = sup.store.snapshot().wards[code].clone();
        laptop
            .store
            .fill_ward(sinhke::demo::generate_for_ward(
                &ward,
                people,
                1,
                common::today(),
            ))
            .expect("demo");
    }
    (sup, laptops)
}

/// Every laptop connects and pushes at once, a thread each. Returns the wall time from
/// the start to the last push's end, each push's own time, and the versions pushed.
fn push_all(cluster: &Cluster, laptops: &mut [Laptop]) -> (Duration, Vec<Duration>, usize) {
    let barrier = Barrier::new(laptops.len() + 1);
    let (start, results) = std::thread::scope(|s| {
        let handles: Vec<_> = laptops
            .iter_mut()
            .map(|laptop| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    let t = Instant::now();
                    let pushed = laptop.push(cluster);
                    assert!(pushed.waiting.is_none());
                    assert_eq!(pushed.added as usize, pushed.versions);
                    (t.elapsed(), pushed.versions)
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("push thread"))
            .collect();
        (start, results)
    });
    let wall = start.elapsed();
    let versions = results.iter().map(|(_, v)| v).sum();
    (
        wall,
        results.into_iter().map(|(d, _)| d).collect(),
        versions,
    )
}

#[derive(Clone, Copy, Default)]
struct Step {
    versions: usize,
    wall: Duration,
    client_cpu: f64,
    server_cpu: f64,
}

impl Step {
    fn rate(&self) -> f64 {
        self.versions as f64 / self.wall.as_secs_f64()
    }
}

struct Run {
    wards: usize,
    people: usize,
    push: Step,
    /// Each ward's push, from its start to its end.
    push_each: Vec<Duration>,
    pull: Step,
    people_pulled: usize,
    daily_push: Step,
    daily_pull: Step,
    hub_versions: i64,
    versions_bytes: i64,
    body_bytes: f64,
    database_bytes: i64,
}

fn run(wards: usize, people: usize) -> Run {
    let cluster = Cluster::start().expect("PostgreSQL is needed for this bench");
    let (mut sup, mut laptops) = province(&cluster, wards, people);
    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    let backend: i32 = admin
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    let postmaster = std::fs::read_to_string(format!("/proc/{backend}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PPid:"))
                .and_then(|p| p.trim().parse().ok())
        })
        .unwrap_or(0);
    drop(admin);

    // Everyone pushes at once, then the supervisor pulls the province.
    let cpu = Cpu::start(postmaster);
    let (wall, push_each, versions) = push_all(&cluster, &mut laptops);
    let (client_cpu, server_cpu) = cpu.spent();
    let push = Step {
        versions,
        wall,
        client_cpu,
        server_cpu,
    };
    let cpu = Cpu::start(postmaster);
    let t = Instant::now();
    let pulled = sup.pull(&cluster);
    let wall = t.elapsed();
    let (client_cpu, server_cpu) = cpu.spent();
    let people_pulled = sup.store.snapshot().people.len();
    assert_eq!(people_pulled, wards * people, "the supervisor has everyone");
    assert_eq!(pulled.report.added, versions, "and every version");
    assert_eq!(pulled.report.new_conflicts, 0);
    let pull = Step {
        versions: pulled.report.added,
        wall,
        client_cpu,
        server_cpu,
    };

    // A day's work: each ward edits some of its people, pushes, the supervisor pulls.
    for (n, laptop) in laptops.iter_mut().enumerate() {
        let mut ids: Vec<_> = laptop.store.snapshot().people.keys().copied().collect();
        ids.sort();
        for (i, id) in ids.iter().take(DAILY_EDITS).enumerate() {
            let mut p = laptop.store.snapshot().people[id].clone();
            p.phone = format!("09{:04}{:04}", n, i);
            laptop.store.save_person(p).expect("edit");
        }
    }
    let cpu = Cpu::start(postmaster);
    let (wall, _, versions) = push_all(&cluster, &mut laptops);
    let (client_cpu, server_cpu) = cpu.spent();
    let daily_push = Step {
        versions,
        wall,
        client_cpu,
        server_cpu,
    };
    let cpu = Cpu::start(postmaster);
    let t = Instant::now();
    let pulled = sup.pull(&cluster);
    let wall = t.elapsed();
    let (client_cpu, server_cpu) = cpu.spent();
    assert_eq!(pulled.report.added, versions);
    let daily_pull = Step {
        versions: pulled.report.added,
        wall,
        client_cpu,
        server_cpu,
    };

    let mut admin = cluster.client(ADMIN, ADMIN_PASSWORD);
    admin
        .batch_execute("VACUUM ANALYZE versions")
        .expect("vacuum");
    let row = admin
        .query_one(
            "SELECT count(*), pg_total_relation_size('versions'),
                    avg(octet_length(body))::float8, pg_database_size(current_database())
             FROM versions",
            &[],
        )
        .expect("sizes");
    if std::env::var_os("SINHKE_BENCH_EXPLAIN").is_some() {
        explain_pages(&cluster, &mut admin);
    }
    Run {
        wards,
        people,
        push,
        push_each,
        pull,
        people_pulled,
        daily_push,
        daily_pull,
        hub_versions: row.get(0),
        versions_bytes: row.get(1),
        body_bytes: row.get(2),
        database_bytes: row.get(3),
    }
}

/// How the server reads a pull's first page, as the supervisor (row-level security
/// applies): the query of `hub::rows::Reading::page` with its values written in; the
/// same ordered by the table's own `xact` column (the query's `ORDER BY xact` names
/// its output column, the text-to-bigint cast); and that with an index on (xact,
/// version_id), made here after the sizes were measured.
fn explain_pages(cluster: &Cluster, admin: &mut postgres::Client) {
    let page = |order: &str| {
        format!(
            "EXPLAIN (ANALYZE, BUFFERS)
             SELECT xact::text::bigint, version_id, record_id, ward, kind, parents,
                    clock, device, signature, body
             FROM versions
             WHERE xact >= '0'::xid8 AND xact < pg_snapshot_xmin(pg_current_snapshot())
               AND (xact > '0'::xid8 OR version_id > '\\x'::bytea)
             ORDER BY {order}
             LIMIT 1000"
        )
    };
    let mut client = cluster.client("province", PASSWORD);
    for (label, sql, index) in [
        ("as pulled", page("xact, version_id"), false),
        (
            "ordered by the column",
            page("versions.xact, version_id"),
            false,
        ),
        (
            "and an index on (xact, version_id)",
            page("versions.xact, version_id"),
            true,
        ),
    ] {
        if index {
            admin
                .batch_execute(
                    "CREATE INDEX versions_by_xact_id ON versions (xact, version_id); ANALYZE versions",
                )
                .expect("index");
        }
        eprintln!("first page, {label}:");
        for row in client.query(&sql, &[]).expect("explain") {
            eprintln!("  {}", row.get::<_, String>(0));
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(r: &Run) {
    let n = format!("hub/{}x{}", r.wards, r.people);
    let mut each = r.push_each.clone();
    each.sort();
    println!(
        "{n}/push_all_at_once: {} versions in {:.2} s = {:.0} versions/s \
         (each ward's push: median {:.2} s, {:.2}-{:.2}); processor: clients {:.1} s, server {:.1} s",
        r.push.versions,
        r.push.wall.as_secs_f64(),
        r.push.rate(),
        each[each.len() / 2].as_secs_f64(),
        each[0].as_secs_f64(),
        each[each.len() - 1].as_secs_f64(),
        r.push.client_cpu,
        r.push.server_cpu,
    );
    println!(
        "{n}/supervisor_pull: {} versions ({} people) in {:.2} s = {:.0} versions/s; \
         processor: client {:.1} s, server {:.1} s",
        r.pull.versions,
        r.people_pulled,
        r.pull.wall.as_secs_f64(),
        r.pull.rate(),
        r.pull.client_cpu,
        r.pull.server_cpu,
    );
    println!(
        "{n}/until_supervisor_has_everything: {:.2} s (pushes {:.2} s + pull {:.2} s)",
        (r.push.wall + r.pull.wall).as_secs_f64(),
        r.push.wall.as_secs_f64(),
        r.pull.wall.as_secs_f64(),
    );
    println!(
        "{n}/a_days_work: {} versions pushed by all at once in {:.0} ms, pulled in {:.0} ms \
         (processor: push clients {:.2} s, server {:.2} s; pull client {:.2} s, server {:.2} s)",
        r.daily_push.versions,
        ms(r.daily_push.wall),
        ms(r.daily_pull.wall),
        r.daily_push.client_cpu,
        r.daily_push.server_cpu,
        r.daily_pull.client_cpu,
        r.daily_pull.server_cpu,
    );
    println!(
        "{n}/hub_on_disk: {} versions, table with indexes {:.1} MiB ({:.0} bytes a version; \
         sealed body {:.0} bytes), database {:.1} MiB",
        r.hub_versions,
        r.versions_bytes as f64 / 1048576.0,
        r.versions_bytes as f64 / r.hub_versions as f64,
        r.body_bytes,
        r.database_bytes as f64 / 1048576.0,
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let sizes: Vec<usize> = match std::env::var("SINHKE_BENCH_WARDS") {
        Ok(list) => list
            .split(',')
            .map(|w| w.trim().parse().expect("SINHKE_BENCH_WARDS: numbers"))
            .collect(),
        Err(_) if quick => vec![2, 4],
        Err(_) => vec![5, 10, 20],
    };
    let people = number("SINHKE_BENCH_PEOPLE", if quick { 50 } else { 500 });
    let runs = number("SINHKE_BENCH_RUNS", 1).max(1);
    for &wards in &sizes {
        for _ in 0..runs {
            let t = Instant::now();
            let r = run(wards, people);
            report(&r);
            eprintln!(
                "({} wards: {:.0} s in all, setup included)",
                wards,
                t.elapsed().as_secs_f64()
            );
        }
    }
}
