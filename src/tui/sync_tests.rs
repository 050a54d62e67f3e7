//! The sync screen driven by keys on two apps, a ward laptop and its supervisor, over
//! one exchange folder: sending, receiving, accepting a device, and resolving a
//! conflict on its page, as an officer and a supervisor would.

use super::app::App;
use super::tests::{ctrl, open_as_lan, press, screen, type_text};
use super::theme::Theme;
use crate::domain::snapshot::tests::{sample_person, sample_ward};
use crate::domain::{Id, Person, Ward};
use crate::i18n::Lang;
use ratatui::crossterm::event::KeyCode;
use std::path::Path;
use tempfile::TempDir;

struct Programme {
    _dirs: Vec<TempDir>,
    folder: TempDir,
    sup: App,
    ward: App,
}

fn ward(code: &str, name: &str) -> Ward {
    Ward {
        code: code.into(),
        name: name.into(),
        ..sample_ward()
    }
}

/// A supervisor's database with wards CT and HH, and a CT laptop joined with its kit;
/// the supervisor has not yet seen the laptop.
fn programme() -> Programme {
    let (sup_dir, ward_dir) = (TempDir::new().unwrap(), TempDir::new().unwrap());
    let mut sup = open_as_lan(sup_dir.path());
    sup.add_ward(ward("CT", "Cao Thắng")).unwrap();
    sup.add_ward(ward("HH", "Hồng Hà")).unwrap();
    let kit = crate::sync::make_kit(&mut sup, "CT").unwrap();
    let mut at_ward = crate::store::tests::open_named(ward_dir.path(), "Cán bộ Huệ");
    crate::sync::join(&mut at_ward, &kit).unwrap();
    let today = crate::domain::dates::parse_date("2025-06-01").unwrap();
    sup.set_today(today);
    at_ward.set_today(today);
    let theme = Theme { color: false };
    Programme {
        _dirs: vec![sup_dir, ward_dir],
        folder: TempDir::new().unwrap(),
        sup: App::new(sup, Lang::Vi, theme),
        ward: App::new(at_ward, Lang::Vi, theme),
    }
}

/// Opens the sync screen and chooses the exchange folder, as the first time.
fn choose_folder(app: &mut App, folder: &Path) {
    press(app, KeyCode::Char('7'));
    press(app, KeyCode::Char('f'));
    ctrl(app, 'u');
    type_text(app, &folder.display().to_string());
    ctrl(app, 's');
}

/// A key that starts work on the sync screen, and the work done as the loop does it.
fn work(app: &mut App, key: char) {
    press(app, KeyCode::Char(key));
    app.run_pending(&mut |_, _| {});
}

fn person(name: &str) -> Person {
    Person {
        id: Id::NEW,
        code: String::new(),
        full_name: name.into(),
        ward: "CT".into(),
        ..sample_person()
    }
}

/// Changes a person and saves it, as a form would.
fn edit(app: &mut App, id: Id, change: impl FnOnce(&mut Person)) {
    let mut person = app.store.snapshot().people[&id].clone();
    change(&mut person);
    app.store.save_person(person).unwrap();
}

/// The screen with what differs from run to run (keys, clock times) fixed.
fn shown(app: &App, others: &[&App]) -> String {
    let mut text = screen(app, 80, 24);
    for (i, other) in others.iter().enumerate() {
        let print = other.store.device_public().fingerprint();
        text = text.replace(
            &print,
            &format!("{i}{i}{i}{i}-{i}{i}{i}{i}-{i}{i}{i}{i}-{i}{i}{i}{i}"),
        );
    }
    mask_times(&text)
}

/// "02/12/2026 10:15" becomes "dd/mm/yyyy hh:mm".
fn mask_times(text: &str) -> String {
    let pattern = "00/00/0000 00:00";
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let fits = i + pattern.len() <= chars.len()
            && pattern.chars().zip(&chars[i..]).all(|(p, c)| {
                if p == '0' {
                    c.is_ascii_digit()
                } else {
                    p == *c
                }
            });
        if fits {
            out.push_str("dd/mm/yyyy hh:mm");
            i += pattern.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn a_ward_sends_the_supervisor_accepts_resolves_a_conflict_on_screen_and_sends_it_back() {
    let mut p = programme();
    let hoa = p.ward.store.save_person(person("Nguyễn Thị Hoa")).unwrap();
    choose_folder(&mut p.ward, p.folder.path());
    work(&mut p.ward, 's');
    let text = screen(&p.ward, 80, 24);
    assert!(text.contains("Đã ghi CT-to-supervisor-"), "{text}");
    assert_eq!(std::fs::read_dir(p.folder.path()).unwrap().count(), 1);

    // The supervisor receives it: the laptop waits for acceptance, its bundle is kept.
    choose_folder(&mut p.sup, p.folder.path());
    let text = screen(&p.sup, 80, 24);
    assert!(text.contains("Gói trong thư mục (1)"), "{text}");
    work(&mut p.sup, 'r');
    let text = screen(&p.sup, 80, 24);
    assert!(text.contains("chưa được chấp nhận"), "{text}");
    assert!(p.sup.store.snapshot().people.is_empty());
    press(&mut p.sup, KeyCode::Tab);
    let ward_print = p.ward.store.device_public().fingerprint();
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains(&ward_print) && text.contains("chờ chấp nhận"),
        "{text}"
    );
    press(&mut p.sup, KeyCode::Char('a'));
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains(&format!("Chấp nhận máy {ward_print}")),
        "{text}"
    );
    press(&mut p.sup, KeyCode::Char('y'));
    assert!(
        p.sup.store.snapshot().people.contains_key(&hoa.id),
        "merged on acceptance"
    );
    assert!(screen(&p.sup, 80, 24).contains("đã gộp 1 gói đang chờ"));

    // Both change Hoa's phone: a conflict, which the supervisor resolves on screen.
    edit(&mut p.ward, hoa.id, |h| h.phone = "0911 111 111".into());
    // The supervisor's edit comes later, so its version is the one shown meanwhile.
    std::thread::sleep(std::time::Duration::from_millis(5));
    edit(&mut p.sup, hoa.id, |h| {
        h.phone = "0922 222 222".into();
        h.address = "Tổ 9".into();
    });
    work(&mut p.ward, 's');
    work(&mut p.sup, 'r');
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains("1 xung đột mới") && text.contains("Xung đột (1)"),
        "{text}"
    );
    press(&mut p.sup, KeyCode::Tab);
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains(&hoa.code) && text.contains("Nguyễn Thị Hoa"),
        "{text}"
    );
    press(&mut p.sup, KeyCode::Enter);
    let page = shown(&p.sup, &[&p.sup, &p.ward]);
    insta::assert_snapshot!("conflict_page_vi_80x24", page);
    // The ward's version is the second; Enter keeps it after a yes.
    press(&mut p.sup, KeyCode::Right);
    press(&mut p.sup, KeyCode::Enter);
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains("Giữ bản 2") && text.contains("Cán bộ Huệ"),
        "{text}"
    );
    press(&mut p.sup, KeyCode::Char('y'));
    assert!(p.sup.store.conflicts().is_empty());
    assert_eq!(p.sup.store.snapshot().people[&hoa.id].phone, "0911 111 111");
    assert!(screen(&p.sup, 80, 24).contains("Không có hồ sơ nào xung đột"));

    // The return bundle brings the resolution to the ward.
    work(&mut p.sup, 's');
    assert!(screen(&p.sup, 80, 24).contains("Đã ghi CT-to-ward-"));
    work(&mut p.ward, 'r');
    let text = screen(&p.ward, 80, 24);
    assert!(
        text.contains("CT-to-ward-") && text.contains("đã nhận"),
        "{text}"
    );
    assert_eq!(
        p.ward.store.snapshot().people[&hoa.id],
        p.sup.store.snapshot().people[&hoa.id]
    );
    assert!(p.ward.store.conflicts().is_empty());
}

#[test]
fn a_bundle_that_cannot_be_read_is_named_with_why_and_nothing_changes() {
    let mut p = programme();
    choose_folder(&mut p.sup, p.folder.path());
    std::fs::write(p.folder.path().join("CT-week12.bundle"), b"not a bundle").unwrap();
    let before = p.sup.store.snapshot().record_count();
    work(&mut p.sup, 'r');
    let text = screen(&p.sup, 80, 24);
    assert!(text.contains("CT-week12.bundle: không nhận."), "{text}");
    // What the exchange did reads in the language chosen afterwards, too.
    press(&mut p.sup, KeyCode::Char('L'));
    let english = screen(&p.sup, 80, 24);
    assert!(
        english.contains("CT-week12.bundle: not received."),
        "{english}"
    );
    assert!(text.contains("không nhận"), "the file is marked: {text}");
    assert_eq!(p.sup.store.snapshot().record_count(), before);
}

#[test]
fn sending_without_a_folder_asks_for_one_then_sends() {
    let mut p = programme();
    press(&mut p.ward, KeyCode::Char('7'));
    work(&mut p.ward, 's');
    assert!(
        screen(&p.ward, 80, 24).contains("Nơi gửi và nhận gói"),
        "the folder is asked"
    );
    type_text(&mut p.ward, &p.folder.path().display().to_string());
    ctrl(&mut p.ward, 's');
    p.ward.run_pending(&mut |_, _| {});
    assert_eq!(
        std::fs::read_dir(p.folder.path()).unwrap().count(),
        1,
        "sent once chosen"
    );
    assert_eq!(p.ward.store.exchange_folder(), Some(p.folder.path()));
}

/// The laptop's first bundle received and its device accepted, through the store.
fn accepted(p: &mut Programme) {
    let first =
        crate::sync::send(&mut p.ward.store, crate::sync::Target::Supervisor, false).unwrap();
    let _ = crate::sync::receive(&mut p.sup.store, &first.file);
    let print = p.ward.store.device_public().fingerprint();
    crate::sync::accept(&mut p.sup.store, &print).unwrap();
}

#[test]
fn edits_of_different_fields_are_offered_merged_and_the_merge_keeps_both() {
    let mut p = programme();
    let hoa = p.ward.store.save_person(person("Nguyễn Thị Hoa")).unwrap();
    accepted(&mut p);
    edit(&mut p.ward, hoa.id, |h| h.phone = "0911 111 111".into());
    edit(&mut p.sup, hoa.id, |h| h.address = "Tổ 9".into());
    choose_folder(&mut p.ward, p.folder.path());
    work(&mut p.ward, 's');
    choose_folder(&mut p.sup, p.folder.path());
    work(&mut p.sup, 'r');
    press(&mut p.sup, KeyCode::Tab);
    press(&mut p.sup, KeyCode::Tab);
    press(&mut p.sup, KeyCode::Enter);
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains("có thể chọn bản gộp") && text.contains("Gộp"),
        "{text}"
    );
    // Left from the first version wraps round to the merged one.
    press(&mut p.sup, KeyCode::Left);
    press(&mut p.sup, KeyCode::Enter);
    assert!(screen(&p.sup, 80, 24).contains("Giữ bản gộp"));
    press(&mut p.sup, KeyCode::Char('y'));
    let merged = &p.sup.store.snapshot().people[&hoa.id];
    assert_eq!(
        (merged.phone.as_str(), merged.address.as_str()),
        ("0911 111 111", "Tổ 9")
    );
    assert!(p.sup.store.conflicts().is_empty());
}

#[test]
fn the_dashboard_of_one_ward_says_when_its_last_bundle_came() {
    let mut p = programme();
    accepted(&mut p);
    press(&mut p.sup, KeyCode::Char('1'));
    let all = screen(&p.sup, 80, 24);
    assert!(!all.contains("chưa gửi gói 14 ngày"), "CT just sent: {all}");
    press(&mut p.sup, KeyCode::Char('w'));
    let today = chrono::Local::now().format("%d/%m/%Y").to_string();
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains(&format!("Gói gần nhất từ phường này: {today}")),
        "{text}"
    );
    // Hồng Hà has no laptop: nothing to say about bundles.
    press(&mut p.sup, KeyCode::Char('w'));
    assert!(!screen(&p.sup, 80, 24).contains("Gói gần nhất"));
}

#[test]
fn wards_whose_laptops_went_quiet_for_two_weeks_show_on_the_dashboard() {
    let mut p = programme();
    accepted(&mut p);
    let mut device = p.sup.store.other_devices().unwrap().remove(0);
    let month_ago = crate::domain::dates::now_millis() - 30 * 24 * 3600 * 1000;
    device.last_bundle_at = Some(month_ago);
    p.sup
        .store
        .save_devices(&[device], "test", String::new())
        .unwrap();
    p.sup.version += 1;
    press(&mut p.sup, KeyCode::Char('1'));
    let text = screen(&p.sup, 80, 24);
    assert!(
        text.contains("1 phường chưa gửi gói 14 ngày nay: Cao Thắng"),
        "{text}"
    );
}

#[test]
fn syncing_with_the_hub_asks_its_address_keeps_it_sealed_and_says_why_it_failed() {
    let mut p = programme();
    press(&mut p.ward, KeyCode::Char('7'));
    assert!(screen(&p.ward, 80, 24).contains("chưa có (chỉ dùng gói)"));
    work(&mut p.ward, 'h');
    assert!(
        screen(&p.ward, 80, 24).contains("Địa chỉ máy chủ tỉnh (hub)"),
        "the address is asked first"
    );
    // Not an address: refused beside the field, and what was typed is kept.
    type_text(&mut p.ward, "may chu tinh");
    ctrl(&mut p.ward, 's');
    assert!(screen(&p.ward, 80, 24).contains("Không phải địa chỉ máy chủ"));
    assert_eq!(p.ward.store.hub_url().unwrap(), None);
    // A closed port on this machine: kept, then the exchange says no hub answers.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let url = format!("postgresql://ct_lan:mat-khau-bi-mat@127.0.0.1:{port}/sinhke");
    ctrl(&mut p.ward, 'u');
    type_text(&mut p.ward, &url);
    ctrl(&mut p.ward, 's');
    p.ward.run_pending(&mut |_, _| {});
    assert_eq!(
        p.ward.store.hub_url().unwrap().as_deref(),
        Some(url.as_str())
    );
    let shown = screen(&p.ward, 80, 24);
    assert!(
        shown.contains("Không kết nối được tới máy chủ tỉnh"),
        "why it failed:\n{shown}"
    );
    assert!(shown.contains(&format!("ct_lan@127.0.0.1:{port}/sinhke")));
    assert!(!shown.contains("mat-khau"), "the password is never shown");
    // The address kept is never typed back into its form either.
    press(&mut p.ward, KeyCode::Char('u'));
    let form = screen(&p.ward, 80, 24);
    assert!(form.contains("Đang giữ địa chỉ ct_lan@"), "{form}");
    assert!(!form.contains("mat-khau"));
}
