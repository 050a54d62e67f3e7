//! The province hub: a PostgreSQL database that carries the same signed, encrypted
//! versions as the bundles, for offices that have a network. This part makes and
//! upgrades its schema (numbered migrations kept in `assets/hub`, each applied in one
//! transaction and recorded) and its login roles, one per ward laptop and one per
//! supervisor, whose rights PostgreSQL itself enforces by row-level security.
//! The URL carries a password: it is never printed back, in a message or an error.

use postgres::Client;
use postgres::config::SslMode;
use std::time::Duration;

/// How long a connection attempt waits for the server, unless the URL says
/// (`connect_timeout=`): a hub that is down never holds a terminal for long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection quiet this long is probed (TCP keepalives), every `KEEPALIVE_INTERVAL`,
/// and given up after `KEEPALIVE_RETRIES` unanswered probes: a hub that vanished in the
/// middle of an exchange is noticed in about a minute, not two hours.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_RETRIES: u32 = 3;
/// Data sent and not acknowledged for this long ends the connection (Linux): what a
/// keepalive cannot see, a hub that vanished while a push was being sent.
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(60);
/// postgres's own default keepalive idle time, which means the URL did not set one.
const DEFAULT_KEEPALIVE_IDLE: Duration = Duration::from_secs(2 * 60 * 60);

/// The schema's migrations, in order: (number, SQL).
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../assets/hub/0001_versions.sql")),
    (2, include_str!("../../assets/hub/0002_notices.sql")),
    (3, include_str!("../../assets/hub/0003_analytics.sql")),
];

/// The newest schema this sinhke knows.
pub const SCHEMA_VERSION: i32 = 3;

pub mod analytics;
pub mod rows;
pub mod tls;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// No server answered: a wrong address, no network, the server down.
    #[error("no hub answers at that address")]
    Unreachable,
    #[error("the hub refused the name or password")]
    Refused,
    /// The hub's schema is newer than this sinhke.
    #[error("the hub's schema is version {hub}, newer than this sinhke ({ours})")]
    NewerSchema { hub: i32, ours: i32 },
    /// The hub's schema is older: `sinhke hub init` brings it up to date.
    #[error("the hub's schema is version {hub}; this sinhke needs {ours} (sinhke hub init)")]
    OlderSchema { hub: i32, ours: i32 },
    /// The connection broke during an exchange: what was done is kept, the rest resumes.
    #[error("the connection to the hub was lost")]
    Lost,
    #[error("the hub's disk is full")]
    DiskFull,
    #[error("a login must be letters, digits and _ (at most 63): {0}")]
    BadLogin(String),
    #[error("the hub answered: {0}")]
    Server(String),
    /// Only a supervisor's login publishes the de-identified view.
    #[error("this login is not a supervisor's")]
    NotSupervisor,
    /// Not a libpq connection string or URI. What is wrong with it is not said: it may
    /// be in the password.
    #[error("that is not a hub address")]
    BadUrl,
    /// TLS was asked for and the hub could not prove who it is: its certificate is not
    /// signed by a trusted authority, or is made out to another name (`verify-full`),
    /// or it offers no TLS at all.
    #[error("the hub's certificate is not trusted, or it offers no TLS")]
    Untrusted,
    /// The `sslrootcert` file cannot be read, or holds no certificate.
    #[error("no certificate authority can be read from {0}")]
    RootCert(String),
}

impl HubError {
    /// The i18n key of what a user reads.
    pub fn message_key(&self) -> &'static str {
        match self {
            HubError::Unreachable => "hub.unreachable",
            HubError::Refused => "hub.refused",
            HubError::NewerSchema { .. } => "hub.newer_schema",
            HubError::OlderSchema { .. } => "hub.older_schema",
            HubError::Lost => "hub.lost",
            HubError::DiskFull => "hub.disk_full",
            HubError::BadLogin(_) => "hub.bad_login",
            HubError::Server(_) => "hub.server",
            HubError::NotSupervisor => "hub.not_supervisor",
            HubError::BadUrl => "hub.bad_url",
            HubError::Untrusted => "hub.untrusted",
            HubError::RootCert(_) => "hub.root_cert",
        }
    }

    pub fn values(&self) -> Vec<(&'static str, String)> {
        match self {
            HubError::NewerSchema { hub, ours } | HubError::OlderSchema { hub, ours } => {
                vec![("hub", hub.to_string()), ("ours", ours.to_string())]
            }
            HubError::BadLogin(login) => vec![("login", login.clone())],
            HubError::Server(detail) => vec![("detail", detail.clone())],
            HubError::RootCert(path) => vec![("path", path.clone())],
            _ => Vec::new(),
        }
    }
}

impl From<postgres::Error> for HubError {
    fn from(e: postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            return match db.code().code() {
                // invalid_password, invalid_authorization_specification
                "28P01" | "28000" => HubError::Refused,
                // disk_full; out of memory or other resources
                "53100" | "53000" | "53200" => HubError::DiskFull,
                // admin_shutdown, crash_shutdown, cannot_connect_now
                "57P01" | "57P02" | "57P03" => HubError::Lost,
                _ => HubError::Server(db.message().to_string()),
            };
        }
        if e.is_closed() {
            return HubError::Lost;
        }
        // The kinds are private to postgres: what each says, at its start, is not.
        let said = e.to_string();
        if said.starts_with("error connecting to server") {
            // No TCP connection (refused, no route, timed out).
            HubError::Unreachable
        } else if said.starts_with("error performing TLS handshake") {
            // Cut in the middle of the handshake, or refused by it (the certificate,
            // or no TLS on offer).
            if cut_short(&e) {
                HubError::Lost
            } else {
                HubError::Untrusted
            }
        } else if said.starts_with("error communicating with the server")
            || said.starts_with("timeout waiting for server")
        {
            // Reset, broken pipe, end of stream: the network or the server went away.
            HubError::Lost
        } else {
            HubError::Server(said)
        }
    }
}

/// Whether an error came of a connection that ended early (reset, closed).
fn cut_short(e: &postgres::Error) -> bool {
    use std::io::ErrorKind::*;
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe
            );
        }
        source = inner.source();
    }
    false
}

/// Connects to the hub. The URL is a libpq connection string or URI
/// (`postgresql://admin:…@hub.example:5432/sinhke`).
/// TLS as its `sslmode` and `sslrootcert` say (see `tls`).
pub fn connect(url: &str) -> Result<Client, HubError> {
    let split = tls::split(url)?;
    let connector = tls::connector(split.mode, split.root_cert.as_deref())?;
    config_of(&split)?
        .connect(connector)
        .map_err(HubError::from)
}

/// The URL's settings, with a connect timeout and TCP keepalives where it gives none
/// (`sslmode` and `sslrootcert` as libpq reads them: see `tls`).
pub fn config(url: &str) -> Result<postgres::Config, HubError> {
    config_of(&tls::split(url)?)
}

fn config_of(split: &tls::Split) -> Result<postgres::Config, HubError> {
    let mut config: postgres::Config = split.rest.parse().map_err(|_| HubError::BadUrl)?;
    config.ssl_mode(match split.mode {
        tls::Mode::Disable => SslMode::Disable,
        tls::Mode::Prefer => SslMode::Prefer,
        tls::Mode::Require | tls::Mode::VerifyCa | tls::Mode::VerifyFull => SslMode::Require,
    });
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(TCP_USER_TIMEOUT);
    }
    // `keepalives=0` in the URL is kept; otherwise they are on, and probe sooner.
    if config.get_keepalives() && config.get_keepalives_idle() == DEFAULT_KEEPALIVE_IDLE {
        config.keepalives_idle(KEEPALIVE_IDLE);
        if config.get_keepalives_interval().is_none() {
            config.keepalives_interval(KEEPALIVE_INTERVAL);
        }
        if config.get_keepalives_retries().is_none() {
            config.keepalives_retries(KEEPALIVE_RETRIES);
        }
    }
    Ok(config)
}

/// Brings the schema up to `SCHEMA_VERSION`; returns the migrations applied now (none
/// when it was up to date). A hub newer than this sinhke is left as it is.
pub fn init(client: &mut Client) -> Result<Vec<i32>, HubError> {
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS hub_migrations (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now())",
    )?;
    let mut applied = Vec::new();
    let current = schema_version(client)?;
    if current > SCHEMA_VERSION {
        return Err(HubError::NewerSchema {
            hub: current,
            ours: SCHEMA_VERSION,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let mut tx = client.transaction()?;
        // Two inits at once: the second waits here, then finds the migration done.
        tx.batch_execute("LOCK TABLE hub_migrations IN EXCLUSIVE MODE")?;
        let done: i64 = tx
            .query_one(
                "SELECT count(*) FROM hub_migrations WHERE version = $1",
                &[version],
            )?
            .get(0);
        if done == 0 {
            tx.batch_execute(sql)?;
            tx.execute(
                "INSERT INTO hub_migrations (version) VALUES ($1)",
                &[version],
            )?;
            applied.push(*version);
        }
        tx.commit()?;
    }
    Ok(applied)
}

/// Connects for an exchange: the hub must have this sinhke's schema, exactly.
pub fn connect_for_sync(url: &str) -> Result<Client, HubError> {
    let mut client = connect(url)?;
    let hub = schema_version(&mut client).map_err(|e| match e {
        // No hub_migrations table: a database that `hub init` never touched.
        HubError::Server(_) => HubError::OlderSchema {
            hub: 0,
            ours: SCHEMA_VERSION,
        },
        e => e,
    })?;
    match hub.cmp(&SCHEMA_VERSION) {
        std::cmp::Ordering::Equal => Ok(client),
        std::cmp::Ordering::Greater => Err(HubError::NewerSchema {
            hub,
            ours: SCHEMA_VERSION,
        }),
        std::cmp::Ordering::Less => Err(HubError::OlderSchema {
            hub,
            ours: SCHEMA_VERSION,
        }),
    }
}

/// The hub's schema version; 0 before the first migration.
pub fn schema_version(client: &mut Client) -> Result<i32, HubError> {
    let row = client.query_one("SELECT coalesce(max(version), 0) FROM hub_migrations", &[])?;
    Ok(row.get(0))
}

/// Makes a login role for one ward's laptop (`ward`), or for a supervisor of every ward
/// (`None`), with this password (stored by PostgreSQL as SCRAM), or gives an existing
/// role the new password and ward.
pub fn add_role(
    client: &mut Client,
    login: &str,
    ward: Option<&str>,
    password: &str,
) -> Result<(), HubError> {
    let mut tx = login_role(client, login, password)?;
    tx.batch_execute(&format!(
        "REVOKE sinhke_reader FROM \"{login}\"; GRANT sinhke_member TO \"{login}\""
    ))?;
    tx.execute(
        "INSERT INTO hub_roles (login, ward) VALUES ($1, $2)
         ON CONFLICT (login) DO UPDATE SET ward = excluded.ward",
        &[&login, &ward],
    )?;
    tx.commit()?;
    Ok(())
}

/// Makes a read-only login for a dashboard tool or Excel: it reads the de-identified
/// analytics tables and nothing else (not the versions, not the notices).
pub fn add_reader(client: &mut Client, login: &str, password: &str) -> Result<(), HubError> {
    let mut tx = login_role(client, login, password)?;
    tx.execute("DELETE FROM hub_roles WHERE login = $1", &[&login])?;
    tx.batch_execute(&format!(
        "REVOKE sinhke_member FROM \"{login}\"; GRANT sinhke_reader TO \"{login}\""
    ))?;
    tx.commit()?;
    Ok(())
}

/// Creates the login, or gives it the new password, in a transaction the caller ends.
fn login_role<'a>(
    client: &'a mut Client,
    login: &str,
    password: &str,
) -> Result<postgres::Transaction<'a>, HubError> {
    if login.is_empty()
        || login.len() > 63
        || !login.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || login.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(HubError::BadLogin(login.to_string()));
    }
    let mut tx = client.transaction()?;
    // scram-sha-256 is PostgreSQL 14's default; said here for older settings.
    tx.batch_execute("SET LOCAL password_encryption = 'scram-sha-256'")?;
    let exists: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&login],
        )?
        .get(0);
    // A role name cannot be a parameter; it was checked to be letters, digits and _.
    // The password goes through quote_literal on the server, never into a message.
    let password_sql: String = tx
        .query_one("SELECT quote_literal($1)", &[&password])?
        .get(0);
    let verb = if exists { "ALTER" } else { "CREATE" };
    tx.batch_execute(&format!(
        "{verb} ROLE \"{login}\" LOGIN PASSWORD {password_sql}"
    ))?;
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_timeouts_gets_them_and_one_with_them_keeps_them() {
        let c = config("postgresql://ward_ct:secret@hub.example/sinhke").expect("url");
        assert_eq!(c.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
        assert_eq!(c.get_tcp_user_timeout(), Some(&TCP_USER_TIMEOUT));
        assert!(c.get_keepalives());
        assert_eq!(c.get_keepalives_idle(), KEEPALIVE_IDLE);
        assert_eq!(c.get_keepalives_retries(), Some(KEEPALIVE_RETRIES));
        let c = config("host=hub.example user=w connect_timeout=3 keepalives_idle=5").expect("kv");
        assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(3)));
        assert_eq!(c.get_keepalives_idle(), Duration::from_secs(5));
        let c = config("postgresql://w@hub.example/s?keepalives=0").expect("off");
        assert!(!c.get_keepalives());
    }

    #[test]
    fn a_bad_url_says_so_without_repeating_it() {
        for url in ["host=x password='sec", "postgresql://w:sec@x/s?bogus=sec"] {
            let e = config(url).expect_err(url);
            assert!(matches!(e, HubError::BadUrl));
            assert!(!e.to_string().contains("sec"));
        }
    }
}
