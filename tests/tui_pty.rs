//! End-to-end: the real binary in a pseudo-terminal, typed into like an officer would.

mod common;
use common::pty::*;
use common::*;

#[test]
fn an_officer_finds_someone_adds_a_person_and_hands_over_a_grant() {
    let (_dir, db) = demo_db(200);
    let (someone, code) = {
        let store = open_store(&db);
        let p = store
            .snapshot()
            .people
            .values()
            .find(|p| !p.full_name.is_ascii())
            .expect("a name with marks")
            .clone();
        (p.full_name, p.code)
    };

    let mut tui = Tui::open(&db, "vi");
    tui.wait_for("Tổng quan");
    tui.send("3");
    tui.wait_for("Ngày giao");
    tui.send("2");
    tui.wait_for("200/200 người");

    // Search without diacritics, find the name with them.
    tui.send("/");
    tui.type_text(&sinhke::text::fold(&someone));
    let screen = tui.wait_for(&someone);
    assert!(screen.contains(&code));
    tui.esc();
    tui.wait_for("200/200 người");

    // Add a person; the birth year is wrong at first and is fixed in the form.
    tui.send("n");
    tui.wait_for("Thêm người");
    tui.type_text("Lò Thị Mỷ");
    tui.send(TAB);
    tui.send(TAB);
    tui.type_text("1850");
    tui.send(CTRL_S);
    let screen = tui.wait_for("Năm sinh phải từ 1900");
    assert!(
        screen.contains("Lò Thị Mỷ"),
        "what was typed is kept:\n{screen}"
    );
    for _ in 0..4 {
        tui.send(BACKSPACE);
    }
    tui.type_text("1988");
    tui.send(CTRL_S);
    tui.wait_for("Đã lưu.");
    tui.wait_for("201/201 người");

    // The new person is selected: open their page and hand over a grant.
    tui.send(ENTER);
    tui.wait_for("Lò Thị Mỷ ─");
    tui.send("n");
    tui.wait_for("Ghi bàn giao hỗ trợ");
    tui.send(TAB);
    tui.send("v"); // Vật nuôi
    tui.send(TAB);
    tui.type_text("Gà giống");
    tui.send(TAB);
    tui.send(BACKSPACE);
    tui.type_text("50");
    tui.send(TAB);
    tui.type_text("con");
    tui.send(TAB);
    tui.type_text("80000");
    tui.send(CTRL_S);
    let screen = tui.wait_for("4.000.000 ₫");
    assert!(
        screen.contains("Theo dõi (4)"),
        "the handover created its four visits:\n{screen}"
    );
    assert_eq!(tui.quit(), 0);

    // Reopen: both are there, with the milestones.
    let mut tui = Tui::open(&db, "vi");
    tui.wait_for("Tổng quan");
    tui.send("2");
    tui.send("/");
    tui.type_text("lo thi my");
    tui.wait_for("Lò Thị Mỷ");
    tui.send(ENTER);
    tui.send(ENTER);
    let screen = tui.wait_for("Gà giống");
    assert!(screen.contains("Theo dõi (4)"), "{screen}");
    assert_eq!(tui.quit(), 0);
    assert!(ok(&db, &["stats"]).contains("people: 201"));
    assert_eq!(ok(&db, &["check"]).trim(), "ok");
}

#[test]
fn the_demo_opens_with_one_command_and_is_removed_on_quit() {
    let mut tui = Tui::start(&["--demo", "--lang", "en"], &[], 100, 30);
    let screen = tui.wait_for("DEMO DATA");
    assert!(screen.contains("People: 300"), "{screen}");
    let demo_dirs = || {
        std::fs::read_dir(std::env::temp_dir())
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.file_name().to_string_lossy().starts_with("sinhke-demo-"))
                    .count()
            })
            .unwrap_or(0)
    };
    let during = demo_dirs();
    assert!(during >= 1);
    assert_eq!(tui.quit(), 0);
    assert!(demo_dirs() < during, "the demo folder is removed on quit");
}

#[test]
fn a_small_window_asks_to_be_enlarged_and_recovers() {
    let (_dir, db) = demo_db(10);
    let db = db.to_str().expect("path");
    let mut tui = Tui::start(&["--db", db, "--lang", "en"], &[], 60, 20);
    tui.wait_for("too small");
    assert_eq!(tui.quit(), 0, "q still quits");
}

#[test]
fn the_terminal_is_restored_after_quitting() {
    let (_dir, db) = demo_db(10);
    let mut tui = Tui::open(&db, "en");
    tui.wait_for("Dashboard");
    assert_eq!(tui.quit(), 0);
    // Leaving the alternate screen brings back the (empty) main screen.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(!tui.contents().contains("Dashboard"), "{}", tui.contents());
}

#[test]
fn a_locked_database_gets_a_message_and_the_terminal_back() {
    let (_dir, db) = demo_db(10);
    let _held = open_store(&db);
    let mut tui = Tui::open(&db, "en");
    tui.wait_for("already open in another window");
    assert_eq!(tui.wait_exit(), 1);
}

#[test]
fn an_officer_signs_in_on_screen_and_three_wrong_passphrases_close_it() {
    let (_dir, db) = demo_db(10);
    let mut tui = Tui::sign_in_screen(&db, "en");
    tui.wait_for("Enter your name and passphrase");
    tui.type_text(USER);
    tui.send(ENTER);
    tui.type_text(PASSPHRASE);
    tui.send(ENTER);
    let screen = tui.wait_for("People: 10");
    assert!(
        screen.contains("Cán bộ Lan (Supervisor)"),
        "who is signed in shows:\n{screen}"
    );
    assert_eq!(tui.quit(), 0);

    let mut tui = Tui::sign_in_screen(&db, "en");
    tui.wait_for("Enter your name and passphrase");
    tui.type_text(USER);
    tui.send(ENTER);
    for attempt in 1..=3 {
        tui.type_text("not the passphrase");
        tui.send(ENTER);
        if attempt < 3 {
            tui.wait_for(&format!("{} tries left", 3 - attempt));
        }
    }
    assert_eq!(tui.wait_exit(), 1);
    tui.wait_for("Three wrong passphrases");
    assert_eq!(ok(&db, &["check"]).trim(), "ok", "nothing was changed");
}

#[test]
fn a_new_database_makes_its_first_user_on_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    let mut tui = Tui::sign_in_screen(&db, "vi");
    tui.wait_for("Cơ sở dữ liệu mới");
    tui.type_text("Phạm Thị Hương");
    tui.send(ENTER);
    tui.type_text("mật khẩu dài");
    tui.send(ENTER);
    tui.type_text("mật khẩu dài");
    tui.send(ENTER);
    tui.wait_for("Thêm phường/xã của bạn");
    assert_eq!(tui.quit(), 0);
    let out = sinhke(&db)
        .env("SINHKE_USER", "Phạm Thị Hương")
        .env("SINHKE_PASSPHRASE", "mật khẩu dài")
        .arg("users")
        .arg("list")
        .output()
        .expect("run");
    assert!(
        stdout(&out).contains("Phạm Thị Hương"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}
