//! The exchange from outside, as a supervisor and a ward officer run it: kit, join,
//! bundles both ways, acceptance, conflicts and their resolution, and refusals that
//! leave `check` and `stats` as they were.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn path(p: &Path) -> &str {
    p.to_str().expect("path")
}

/// A supervisor's database with wards CT and HH, a ward laptop of CT joined with its
/// kit and accepted, and the folder for the files between them.
pub struct Programme {
    pub dir: tempfile::TempDir,
    pub sup: PathBuf,
    pub ct: PathBuf,
}

impl Programme {
    pub fn set_up() -> Programme {
        let dir = tempfile::tempdir().expect("tempdir");
        let (sup, ct) = (dir.path().join("sup"), dir.path().join("ct"));
        ok(
            &sup,
            &["wards", "add", "--code", "CT", "--name", "Cao Thắng"],
        );
        ok(&sup, &["wards", "add", "--code", "HH", "--name", "Hồng Hà"]);
        let kit = dir.path().join("ct.kit");
        ok(&sup, &["sync", "kit", "--ward", "CT", "--out", path(&kit)]);
        let joined = ok(&ct, &["sync", "join", path(&kit)]);
        assert!(joined.contains("joined ward CT"), "{joined}");
        let programme = Programme { dir, sup, ct };
        let first = programme.file("first.bundle");
        ok(&programme.ct, &["sync", "send", "--out", path(&first)]);
        let out = run(&programme.sup, &["sync", "receive", path(&first)]);
        assert!(!out.status.success());
        assert!(
            stderr(&out).contains("not accepted yet"),
            "{}",
            stderr(&out)
        );
        let print = fingerprint(&programme.ct);
        ok(&programme.sup, &["sync", "accept", &print]);
        programme
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn up(&self, name: &str) -> String {
        let file = self.file(name);
        ok(&self.ct, &["sync", "send", "--out", path(&file)]);
        ok(&self.sup, &["sync", "receive", path(&file)])
    }

    pub fn down(&self, name: &str) -> String {
        let file = self.file(name);
        ok(
            &self.sup,
            &["sync", "send", "--to", "CT", "--out", path(&file)],
        );
        ok(&self.ct, &["sync", "receive", path(&file)])
    }
}

/// This database's fingerprint, as `sync devices` shows it first.
pub fn fingerprint(db: &Path) -> String {
    let devices = ok(db, &["sync", "devices"]);
    let first = devices.lines().next().expect("a line");
    first
        .split_whitespace()
        .find(|w| w.len() == 19 && w.matches('-').count() == 3)
        .expect("a fingerprint")
        .to_string()
}

fn stats(db: &Path) -> String {
    ok(db, &["stats"])
}

#[test]
fn a_ward_sends_its_people_and_learns_the_supervisors_correction() {
    let p = Programme::set_up();
    ok(&p.ct, &["demo", "--people", "40", "--ward", "CT"]);
    let got = p.up("b1");
    assert!(
        got.contains("40 new records") || got.contains("new records"),
        "{got}"
    );
    assert!(stats(&p.sup).contains("people: 40"));
    assert_eq!(ok(&p.sup, &["check"]).trim(), "ok");
    // Marking a record entered in error is the province's: the ward learns it.
    ok(&p.sup, &["people", "mark-error", "CT-0001"]);
    let back = p.down("r1");
    assert!(back.contains("1 records updated"), "{back}");
    let export = p.file("people.csv");
    ok(&p.ct, &["export", "people", "--out", path(&export)]);
    let csv = std::fs::read_to_string(&export).expect("csv");
    assert!(
        !csv.contains("CT-0001,"),
        "a person entered in error counts nowhere"
    );
    assert!(ok(&p.ct, &["sync", "conflicts"]).contains("No records are in conflict"));
    let devices = ok(&p.sup, &["sync", "devices"]);
    assert!(
        devices.contains("ward CT") && devices.contains("accepted"),
        "{devices}"
    );
    assert_eq!(ok(&p.ct, &["check"]).trim(), "ok");
}

#[test]
fn a_bundle_received_twice_changes_nothing_the_second_time() {
    let p = Programme::set_up();
    ok(&p.ct, &["demo", "--people", "10", "--ward", "CT"]);
    let file = p.file("b1");
    ok(&p.ct, &["sync", "send", "--out", path(&file)]);
    ok(&p.sup, &["sync", "receive", path(&file)]);
    let before = stats(&p.sup);
    let again = ok(&p.sup, &["sync", "receive", path(&file)]);
    assert!(again.contains("received before"), "{again}");
    assert_eq!(stats(&p.sup), before);
}

#[test]
fn bad_bundles_are_refused_in_one_line_and_change_nothing() {
    let p = Programme::set_up();
    ok(&p.ct, &["demo", "--people", "10", "--ward", "CT"]);
    let file = p.file("b1");
    ok(&p.ct, &["sync", "send", "--out", path(&file)]);
    let bytes = std::fs::read(&file).expect("read");
    let before = stats(&p.sup);
    let mut flipped = bytes.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0x01;
    let cut = bytes[..bytes.len() - 64].to_vec();
    let other = tempfile::tempdir().expect("tempdir");
    let stranger = other.path().join("stranger");
    ok(
        &stranger,
        &["wards", "add", "--code", "CT", "--name", "Cao Thắng"],
    );
    for (name, content, words, db) in [
        ("flipped", flipped, "damaged", &p.sup),
        ("cut", cut, "damaged", &p.sup),
        ("plain", b"hello".to_vec(), "damaged", &p.sup),
        (
            "stranger",
            bytes.clone(),
            "not for this database",
            &stranger,
        ),
    ] {
        let bad = p.file(name);
        std::fs::write(&bad, content).expect("write");
        let out = run(db, &["sync", "receive", path(&bad)]);
        let message = stderr(&out);
        assert!(!out.status.success(), "{name}");
        assert!(message.contains(words), "{name}: {message}");
        assert_eq!(message.trim().lines().count(), 1, "{name}: one line");
    }
    assert_eq!(stats(&p.sup), before);
    assert_eq!(ok(&p.sup, &["check"]).trim(), "ok");
    // The genuine bundle still goes in afterwards.
    ok(&p.sup, &["sync", "receive", path(&file)]);
    assert!(stats(&p.sup).contains("people: 10"));
}

#[test]
fn a_ward_laptop_cannot_approve_plans_or_change_the_shared_settings() {
    let p = Programme::set_up();
    let out = run(&p.ct, &["wards", "add", "--code", "XX", "--name", "Khác"]);
    assert!(!out.status.success());
    let out = run(
        &p.ct,
        &["sync", "kit", "--ward", "CT", "--out", path(&p.file("k"))],
    );
    assert!(!out.status.success());
}

/// Changes one person's phone in a closed database, as another program run would.
fn set_phone(db: &Path, code: &str, phone: &str) {
    let mut store = open_store(db);
    let mut person = store
        .snapshot()
        .person_by_code(code)
        .expect("person")
        .clone();
    person.phone = phone.into();
    store.save_person(person).expect("save");
}

#[test]
fn a_conflict_is_listed_shown_field_by_field_and_resolved_from_the_command_line() {
    let p = Programme::set_up();
    ok(&p.ct, &["demo", "--people", "5", "--ward", "CT"]);
    p.up("b1");
    set_phone(&p.ct, "CT-0001", "0911 111 111");
    std::thread::sleep(std::time::Duration::from_millis(5));
    set_phone(&p.sup, "CT-0001", "0922 222 222");
    let got = p.up("b2");
    assert!(
        got.contains("1 new conflicts") || got.contains("1 new conflict"),
        "{got}"
    );
    let list = ok(&p.sup, &["sync", "conflicts"]);
    let record = list
        .split_whitespace()
        .next()
        .expect("a record id")
        .to_string();
    assert!(list.contains("CT-0001"), "{list}");
    let shown = ok(&p.sup, &["sync", "conflicts", &record[..8]]);
    assert!(
        shown.contains("Phone:") && shown.contains("1: 0922 222 222 | 2: 0911 111 111"),
        "{shown}"
    );
    let merge = run(&p.sup, &["sync", "resolve", &record[..8], "--merge"]);
    assert!(!merge.status.success());
    assert!(
        stderr(&merge).contains("Cannot merge"),
        "{}",
        stderr(&merge)
    );
    // The ward's version is the second head: keep it by its id.
    let ward_head = shown
        .lines()
        .filter(|l| l.contains("changed:"))
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .expect("second head")
        .to_string();
    let resolved = ok(
        &p.sup,
        &["sync", "resolve", &record[..8], "--keep", &ward_head],
    );
    assert!(resolved.contains("Resolved"), "{resolved}");
    assert!(ok(&p.sup, &["sync", "conflicts"]).contains("No records are in conflict"));
    p.down("r1");
    let store = open_store(&p.ct);
    let person = store.snapshot().person_by_code("CT-0001").expect("person");
    assert_eq!(person.phone, "0911 111 111");
    assert!(store.conflicts().is_empty());
}

/// The sync screen of the real binary in a terminal: the ward writes its bundle into
/// the exchange folder with two keys, the supervisor receives it with one.
#[test]
fn on_screen_the_ward_sends_into_a_folder_and_the_supervisor_receives_from_it() {
    use common::pty::Tui;
    let p = Programme::set_up();
    ok(&p.ct, &["demo", "--people", "5", "--ward", "CT"]);
    let usb = p.file("usb");
    std::fs::create_dir(&usb).expect("folder");
    let choose_folder = |tui: &mut Tui| {
        tui.wait_for("Cán bộ Lan (Supervisor)");
        tui.send("7");
        tui.wait_for("Exchange folder");
        tui.send("f");
        tui.wait_for("Where bundles go");
        tui.type_text(path(&usb));
        tui.send("\x13"); // Ctrl+S
        tui.wait_for(path(&usb));
    };
    let mut ward = Tui::open(&p.ct, "en");
    choose_folder(&mut ward);
    ward.send("s");
    ward.wait_for("Wrote CT-to-supervisor-");
    ward.quit();
    let mut sup = Tui::open(&p.sup, "en");
    choose_folder(&mut sup);
    sup.wait_for("Bundles in folder (1)");
    sup.send("r");
    let screen = sup.wait_for("0 new conflicts");
    assert!(screen.contains("received"), "{screen}");
    sup.quit();
    assert!(ok(&p.sup, &["stats"]).contains("people: 5"));
}
