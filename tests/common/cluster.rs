//! A PostgreSQL cluster of its own for a test: initdb in a temp folder, started on
//! 127.0.0.1 with a free port, stopped and removed when dropped. Without PostgreSQL
//! installed it says the test was skipped; in CI (`CI` set) it fails instead.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const ADMIN: &str = "sinhke_admin";
pub const ADMIN_PASSWORD: &str = "admin password for tests";

/// A PostgreSQL cluster of its own, stopped and removed when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    /// The server's settings (`pg_ctl -o`), kept for a restart.
    options: String,
}

/// Runs a PostgreSQL program as the `postgres` user when we are root (initdb refuses
/// root), as ourselves otherwise.
fn as_postgres(program: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// The certificates of a cluster started with TLS, made with the `openssl` program.
pub struct Certificates {
    /// The authority that signed the server's certificate (for 127.0.0.1 and localhost).
    pub ca: PathBuf,
    /// Another authority, which signed nothing of this cluster's.
    pub other_ca: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl: the openssl program makes the test certificates");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A certificate authority (`NAME.pem`, `NAME.key`) valid for a day.
fn make_ca(dir: &Path, name: &str) {
    let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &pem,
            "-days",
            "1",
            "-subj",
            &format!("/CN=sinhke test {name}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

impl Cluster {
    pub fn start() -> Option<Cluster> {
        Self::start_with(None)
    }

    /// A cluster that also takes TLS (`ssl=on`), with a server certificate for
    /// 127.0.0.1 and localhost signed by a certificate authority made for it.
    pub fn start_tls() -> Option<(Cluster, Certificates)> {
        let certs = tempfile::tempdir().expect("tempdir");
        let dir = certs.path();
        make_ca(dir, "ca");
        make_ca(dir, "other_ca");
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("ext");
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "1",
                "-extfile",
                "server.ext",
            ],
        );
        let cluster = Self::start_with(Some(dir))?;
        // Kept with the cluster's folder, which outlives the test's use of them.
        let keep = |name: &str| {
            let to = cluster.dir.path().join(name);
            std::fs::copy(dir.join(name), &to).expect("copy");
            to
        };
        let certificates = Certificates {
            ca: keep("ca.pem"),
            other_ca: keep("other_ca.pem"),
        };
        Some((cluster, certificates))
    }

    /// Started with `ssl=on` when `tls` is a folder with server.pem and server.key.
    fn start_with(tls: Option<&Path>) -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .flatten()
                    .map(|v| v.path().join("bin"))
                    .filter(|b| b.join("initdb").is_file())
                    .max()
            });
        let Some(bin) = bin else {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL is not installed: .ci/run installs Debian's postgresql"
            );
            eprintln!("skipped: PostgreSQL is not installed (Debian's postgresql)");
            return None;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let _ = Command::new("chown")
            .arg("postgres")
            .arg(dir.path())
            .status();
        let password_file = dir.path().join("pw");
        std::fs::write(&password_file, ADMIN_PASSWORD).expect("pw");
        let _ = Command::new("chown")
            .arg("postgres")
            .arg(&password_file)
            .status();
        let data = dir.path().join("data");
        let out = as_postgres(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-A", "scram-sha-256", "-U", ADMIN, "--no-sync"])
            .arg(format!("--pwfile={}", password_file.display()))
            .output()
            .expect("initdb");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A free port: bind one, let it go, hand it to PostgreSQL.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off",
            dir.path().display()
        );
        if let Some(tls) = tls {
            // The server reads its key only if no one else may (0600, its own user).
            for name in ["server.pem", "server.key"] {
                let to = dir.path().join(name);
                std::fs::copy(tls.join(name), &to).expect("copy");
                let _ = Command::new("chmod").arg("600").arg(&to).status();
                let _ = Command::new("chown").arg("postgres").arg(&to).status();
            }
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={0}/server.pem -c ssl_key_file={0}/server.key",
                dir.path().display()
            ));
        }
        let cluster = Cluster {
            bin,
            dir,
            port,
            options,
        };
        cluster.restart();
        cluster.admin_sql("CREATE DATABASE hub");
        Some(cluster)
    }

    /// Starts the server (again, after `stop`), on the same port and data.
    pub fn restart(&self) {
        let out = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .arg("-l")
            .arg(self.dir.path().join("log"))
            .arg("-o")
            .arg(&self.options)
            .args(["-w", "start"])
            .output()
            .expect("pg_ctl");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
        );
    }

    /// Stops the server at once, as a power cut would: no checkpoint, every connection
    /// dropped, whatever was not committed lost.
    pub fn stop(&self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }

    pub fn url(&self, user: &str, password: &str) -> String {
        format!(
            "postgresql://{user}:{}@127.0.0.1:{}/hub",
            password.replace(' ', "%20"),
            self.port
        )
    }

    pub fn admin_url(&self) -> String {
        self.url(ADMIN, ADMIN_PASSWORD).replace("/hub", "/postgres")
    }

    pub fn admin_sql(&self, sql: &str) {
        let mut client =
            postgres::Client::connect(&self.admin_url(), postgres::NoTls).expect("admin");
        client.batch_execute(sql).expect("sql");
    }

    /// A client signed in as `user`, on the hub database.
    pub fn client(&self, user: &str, password: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(user, password), postgres::NoTls).expect("connect")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}
