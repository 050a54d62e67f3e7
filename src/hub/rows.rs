//! The hub's rows as they go over the wire: versions (sealed bodies, ids and clocks in
//! clear) and signed notices. This layer only moves bytes; `sync::hub` seals, opens
//! and checks them.

use super::HubError;
use crate::store::HubCursor as Position;
use postgres::{Client, IsolationLevel, Transaction};

/// One version on the hub. `body` is the whole version, sealed with age to the ward's
/// key and the supervisors'; the other columns let the server sort and filter it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRow {
    pub version_id: Vec<u8>,
    pub record_id: Vec<u8>,
    /// A ward code, or `*` for what every ward shares.
    pub ward: String,
    pub kind: i16,
    pub parents: Vec<Vec<u8>>,
    pub clock: i64,
    pub device: Vec<u8>,
    pub signature: Vec<u8>,
    pub body: Vec<u8>,
}

/// A signed statement: about a device, or the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeRow {
    pub ward: String,
    pub kind: String,
    pub about: String,
    pub signer: String,
    pub statement: Vec<u8>,
    pub signature: Vec<u8>,
}

pub const NOTICE_DEVICE: &str = "device";
pub const NOTICE_SCHEDULE: &str = "schedule";

/// Pushes versions and notices in one transaction; returns how many versions were new.
/// A version already on the hub is left as it is (`ON CONFLICT DO NOTHING`), so a push
/// repeated after a broken connection adds nothing twice.
pub fn push(
    client: &mut Client,
    notices: &[NoticeRow],
    versions: &[VersionRow],
) -> Result<u64, HubError> {
    let mut tx = client.transaction()?;
    insert_notices(&mut tx, notices)?;
    let mut added = 0;
    // Many rows a statement: one round trip per version would make a push over a real
    // network (tens of milliseconds each way) take minutes for a day's work.
    for chunk in versions.chunks(ROWS_PER_INSERT) {
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            Vec::with_capacity(chunk.len() * VERSION_COLUMNS);
        for v in chunk {
            params.extend([
                &v.version_id as &(dyn postgres::types::ToSql + Sync),
                &v.record_id,
                &v.ward,
                &v.kind,
                &v.parents,
                &v.clock,
                &v.device,
                &v.signature,
                &v.body,
            ]);
        }
        added += tx.execute(&insert_versions(chunk.len()), &params)?;
    }
    tx.commit()?;
    Ok(added)
}

/// Columns of a pushed version, and versions in one INSERT (9 x 200 parameters, far
/// below PostgreSQL's 65,535).
const VERSION_COLUMNS: usize = 9;
const ROWS_PER_INSERT: usize = 200;

/// `INSERT ... VALUES ($1, ..., $9), ($10, ...), ... ON CONFLICT DO NOTHING` for `rows`.
fn insert_versions(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=VERSION_COLUMNS)
                .map(|c| format!("${}", r * VERSION_COLUMNS + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO versions
             (version_id, record_id, ward, kind, parents, clock, device, signature, body)
         VALUES {}
         ON CONFLICT (version_id) DO NOTHING",
        values.join(", ")
    )
}

fn insert_notices(tx: &mut Transaction<'_>, notices: &[NoticeRow]) -> Result<(), HubError> {
    if notices.is_empty() {
        return Ok(());
    }
    let insert = tx.prepare(
        "INSERT INTO notices (ward, kind, about, signer, statement, signature)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (digest) DO NOTHING",
    )?;
    for n in notices {
        tx.execute(
            &insert,
            &[
                &n.ward,
                &n.kind,
                &n.about,
                &n.signer,
                &n.statement,
                &n.signature,
            ],
        )?;
    }
    Ok(())
}

/// The notices this login may read.
pub fn notices(client: &mut Client) -> Result<Vec<NoticeRow>, HubError> {
    notices_in(&mut client.transaction()?)
}

fn notices_in(tx: &mut Transaction<'_>) -> Result<Vec<NoticeRow>, HubError> {
    Ok(tx
        .query(
            "SELECT ward, kind, about, signer, statement, signature FROM notices
             ORDER BY pushed_at, digest",
            &[],
        )?
        .into_iter()
        .map(|r| NoticeRow {
            ward: r.get(0),
            kind: r.get(1),
            about: r.get(2),
            signer: r.get(3),
            statement: r.get(4),
            signature: r.get(5),
        })
        .collect())
}

/// A pull in progress: one read-only snapshot of the hub, read page by page.
pub struct Reading<'a> {
    tx: Transaction<'a>,
    /// Every transaction before this one had ended when the snapshot was taken, so
    /// every version it committed is in the snapshot. A transaction still running then
    /// (a slow push) has a number at or after it: the next pull reads it.
    pub watermark: u64,
    pub notices: Vec<NoticeRow>,
}

impl<'a> Reading<'a> {
    /// Opens the snapshot. REPEATABLE READ: the watermark, the notices and every page
    /// are read from one and the same view of the hub.
    pub fn start(client: &'a mut Client) -> Result<Reading<'a>, HubError> {
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let watermark: i64 = tx
            .query_one(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
                &[],
            )?
            .get(0);
        let notices = notices_in(&mut tx)?;
        Ok(Reading {
            tx,
            watermark: watermark as u64,
            notices,
        })
    }

    /// The next page of versions after `from` (in transaction order, then by id) that
    /// committed before the watermark, with the position of each.
    pub fn page(
        &mut self,
        from: &Position,
        limit: i64,
    ) -> Result<Vec<(Position, VersionRow)>, HubError> {
        let rows = self.tx.query(
            "SELECT xact::text::bigint, version_id, record_id, ward, kind, parents, clock,
                    device, signature, body
             FROM versions
             WHERE xact >= ($1::text)::xid8 AND xact < ($3::text)::xid8
               AND (xact > ($1::text)::xid8 OR version_id > $2)
             -- versions.xact, the indexed column: a bare `xact` names the output
             -- column above (text cast to bigint), which no index orders, so each page
             -- sorted every row after the cursor (643 ms a page at 51,000 versions,
             -- 19 ms this way).
             ORDER BY versions.xact, version_id
             LIMIT $4",
            &[
                &from.xact.to_string(),
                &from.after,
                &self.watermark.to_string(),
                &limit,
            ],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let xact: i64 = r.get(0);
                let row = VersionRow {
                    version_id: r.get(1),
                    record_id: r.get(2),
                    ward: r.get(3),
                    kind: r.get(4),
                    parents: r.get(5),
                    clock: r.get(6),
                    device: r.get(7),
                    signature: r.get(8),
                    body: r.get(9),
                };
                let at = Position {
                    xact: xact as u64,
                    after: row.version_id.clone(),
                };
                (at, row)
            })
            .collect())
    }

    /// Ends the read-only snapshot.
    pub fn finish(self) -> Result<(), HubError> {
        self.tx.commit()?;
        Ok(())
    }
}
