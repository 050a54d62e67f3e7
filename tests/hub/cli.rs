//! `sinhke sync push` and `sync pull` through the real binary against a throwaway
//! PostgreSQL hub: what a ward officer reads, in Vietnamese (the default) and English,
//! with the address in --hub or SINHKE_HUB; and each way it can fail (a hub never
//! initialised, a wrong password, nothing listening), with a non-zero exit code and the
//! password never printed.

use crate::common::cluster::*;
use crate::common::hub::*;
use crate::common::*;
use std::path::PathBuf;
use std::process::Output;

/// A ward laptop of CT accepted through the hub, closed so that the binary can open it.
fn ward_db(cluster: &Cluster) -> (tempfile::TempDir, PathBuf, Laptop) {
    hub_with_roles(cluster);
    let mut sup = supervisor();
    let Laptop {
        _dir: dir, store, ..
    } = ward_laptop(cluster, &mut sup, "CT");
    drop(store);
    let db = dir.path().join("db");
    (dir, db, sup)
}

fn sinhke_in(db: &std::path::Path, lang: &str, args: &[&str]) -> Output {
    sinhke(db)
        .env("SINHKE_LANG", lang)
        .env_remove("SINHKE_HUB")
        .args(args)
        .output()
        .expect("run")
}

/// Neither stream holds the password, in clear or as the URL carries it.
fn no_password(out: &Output) {
    for text in [stdout(out), stderr(out)] {
        assert!(
            !text.contains(PASSWORD) && !text.contains(&PASSWORD.replace(' ', "%20")),
            "{text}"
        );
    }
}

#[test]
fn push_and_pull_say_what_they_did_in_vietnamese_and_english() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let (_dir, db, _sup) = ward_db(&cluster);
    {
        let mut store = open_store(&db);
        store.save_person(person("CT", 1)).expect("save");
    }
    let url = format!(
        "postgresql://ct:{}@127.0.0.1:{}/hub",
        PASSWORD.replace(' ', "%20"),
        cluster.port
    );
    let out = sinhke_in(&db, "vi", &["sync", "push", "--hub", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Đã gửi 1 phiên bản lên máy chủ tỉnh"),
        "{}",
        stdout(&out)
    );
    no_password(&out);
    let out = sinhke_in(&db, "en", &["sync", "push", "--hub", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Pushed 0 versions to the hub (0 new to it)"),
        "{}",
        stdout(&out)
    );
    no_password(&out);
    // The address from SINHKE_HUB instead of --hub.
    for (lang, said) in [("vi", "Đã đọc"), ("en", "versions from the hub")] {
        let out = sinhke(&db)
            .env("SINHKE_LANG", lang)
            .env("SINHKE_HUB", &url)
            .args(["sync", "pull"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains(said), "{lang}: {}", stdout(&out));
        no_password(&out);
    }
    // Vietnamese is the default.
    let out = sinhke(&db)
        .env_remove("SINHKE_LANG")
        .env("SINHKE_HUB", &url)
        .args(["sync", "push"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Đã gửi"), "{}", stdout(&out));
}

#[test]
fn a_hub_never_initialised_a_wrong_password_and_no_server_each_say_so() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let (_dir, db, _sup) = ward_db(&cluster);
    let url = |user: &str, password: &str, port: u16, db: &str| {
        format!(
            "postgresql://{user}:{}@127.0.0.1:{port}/{db}",
            password.replace(' ', "%20")
        )
    };
    // A database `hub init` never touched (the admin may read it; it has no schema).
    cluster.admin_sql("CREATE DATABASE bare");
    let bare = url(ADMIN, ADMIN_PASSWORD, cluster.port, "bare");
    let wrong = url("ct", "not the password at all", cluster.port, "hub");
    let closed = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        let port = free.local_addr().expect("addr").port();
        drop(free);
        url("ct", PASSWORD, port, "hub")
    };
    let cases: [(&str, &str, &str, &str); 3] = [
        (&bare, "sinhke hub init", "sinhke hub init", ADMIN_PASSWORD),
        (
            &wrong,
            "từ chối tên đăng nhập hoặc mật khẩu",
            "refused the login name or password",
            "not the password at all",
        ),
        (
            &closed,
            "Không kết nối được tới máy chủ tỉnh",
            "No province hub answers at that address",
            PASSWORD,
        ),
    ];
    for (address, vi, en, password) in cases {
        for verb in ["push", "pull"] {
            for (lang, said) in [("vi", vi), ("en", en)] {
                let out = sinhke_in(&db, lang, &["sync", verb, "--hub", address]);
                assert_ne!(
                    out.status.code(),
                    Some(0),
                    "{verb} {lang}: {}",
                    stdout(&out)
                );
                assert!(
                    stderr(&out).contains(said),
                    "{verb} {lang}: {}",
                    stderr(&out)
                );
                for text in [stdout(&out), stderr(&out)] {
                    assert!(!text.contains(password), "{text}");
                    assert!(!text.contains(&password.replace(' ', "%20")), "{text}");
                }
            }
        }
    }
    // The Vietnamese older-schema message names the command in words too.
    let out = sinhke_in(&db, "vi", &["sync", "push", "--hub", &bare]);
    assert!(stderr(&out).contains("cũ hơn"), "{}", stderr(&out));
}
