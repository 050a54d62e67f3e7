//! Writes the de-identified view (`report::analytics`) into the hub's analytics tables
//! (schema 3), whole and in one transaction: a dashboard reading them sees the last
//! publish or the one before, never half of one. Only a supervisor's login may write
//! them; PostgreSQL refuses the others by row-level security.

use super::HubError;
use crate::report::analytics::Analytics;
use postgres::Client;

/// What is on the hub after a publish.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Published {
    pub people: usize,
    pub grants: usize,
    pub visits: usize,
    pub referrals: usize,
    pub figures: usize,
}

const TABLES: [&str; 6] = [
    "analytics_people",
    "analytics_grants",
    "analytics_visits",
    "analytics_referrals",
    "analytics_summary",
    "analytics_published",
];

/// Replaces the view on the hub with `view`. Each table is written by one INSERT of
/// arrays unnested on the server, so 10,000 people cost a few statements, not 10,000.
pub fn publish(client: &mut Client, view: &Analytics) -> Result<Published, HubError> {
    let mut tx = client.transaction()?;
    if !tx
        .query_one("SELECT hub_is_supervisor()", &[])?
        .get::<_, bool>(0)
    {
        return Err(HubError::NotSupervisor);
    }
    for table in TABLES {
        tx.execute(&format!("DELETE FROM {table}"), &[])?;
    }
    let p = &view.people;
    tx.execute(
        "INSERT INTO analytics_people
                 (code, ward, sex, age_band, target_groups, status, enrolled_on)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                                  $5::text[], $6::text[], $7::date[])",
        &[
            &p.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            &p.iter().map(|r| r.ward.as_str()).collect::<Vec<_>>(),
            &p.iter().map(|r| r.sex).collect::<Vec<_>>(),
            &p.iter().map(|r| r.age_band).collect::<Vec<_>>(),
            &p.iter()
                .map(|r| r.target_groups.as_str())
                .collect::<Vec<_>>(),
            &p.iter().map(|r| r.status).collect::<Vec<_>>(),
            &p.iter().map(|r| r.enrolled_on).collect::<Vec<_>>(),
        ],
    )?;
    let g = &view.grants;
    tx.execute(
        "INSERT INTO analytics_grants (code, ward, kind, value_dong, handed_over_on)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::date[])",
        &[
            &g.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            &g.iter().map(|r| r.ward.as_str()).collect::<Vec<_>>(),
            &g.iter().map(|r| r.kind).collect::<Vec<_>>(),
            &g.iter().map(|r| r.value).collect::<Vec<_>>(),
            &g.iter().map(|r| r.handed_over_on).collect::<Vec<_>>(),
        ],
    )?;
    let v = &view.visits;
    tx.execute(
        "INSERT INTO analytics_visits
                 (code, ward, kind, due_on, done_on, status, business_operating,
                  animals_alive, monthly_income_dong)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[],
                                  $6::text[], $7::bool[], $8::int8[], $9::int8[])",
        &[
            &v.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            &v.iter().map(|r| r.ward.as_str()).collect::<Vec<_>>(),
            &v.iter().map(|r| r.kind).collect::<Vec<_>>(),
            &v.iter().map(|r| r.due_on).collect::<Vec<_>>(),
            &v.iter().map(|r| r.done_on).collect::<Vec<_>>(),
            &v.iter().map(|r| r.status).collect::<Vec<_>>(),
            &v.iter().map(|r| r.business_operating).collect::<Vec<_>>(),
            &v.iter().map(|r| r.animals_alive).collect::<Vec<_>>(),
            &v.iter().map(|r| r.monthly_income).collect::<Vec<_>>(),
        ],
    )?;
    let r = &view.referrals;
    tx.execute(
        "INSERT INTO analytics_referrals (code, ward, service, status, made_on)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[])",
        &[
            &r.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
            &r.iter().map(|r| r.ward.as_str()).collect::<Vec<_>>(),
            &r.iter().map(|r| r.service).collect::<Vec<_>>(),
            &r.iter().map(|r| r.status).collect::<Vec<_>>(),
            &r.iter().map(|r| r.made_on).collect::<Vec<_>>(),
        ],
    )?;
    let s = &view.summary;
    tx.execute(
        "INSERT INTO analytics_summary (summary, row_no, label, measure, unit, value, withheld)
             SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[],
                                  $6::float8[], $7::text[])",
        &[
            &s.iter().map(|f| f.summary).collect::<Vec<_>>(),
            &s.iter().map(|f| f.row).collect::<Vec<_>>(),
            &s.iter().map(|f| f.label.as_str()).collect::<Vec<_>>(),
            &s.iter().map(|f| f.measure).collect::<Vec<_>>(),
            &s.iter().map(|f| f.unit).collect::<Vec<_>>(),
            &s.iter().map(|f| f.value).collect::<Vec<_>>(),
            &s.iter().map(|f| f.withheld.as_str()).collect::<Vec<_>>(),
        ],
    )?;
    let suppress = view.suppress_below.map(|k| k.min(i32::MAX as u64) as i32);
    let people = p.len() as i32;
    tx.execute(
        "INSERT INTO analytics_published (suppress_below, people) VALUES ($1, $2)",
        &[&suppress, &people],
    )?;
    tx.commit()?;
    Ok(Published {
        people: p.len(),
        grants: g.len(),
        visits: v.len(),
        referrals: r.len(),
        figures: s.len(),
    })
}

/// The small-count rule of the last publish, if the view was ever published: a pull
/// refreshes it under the same rule, and never publishes a view no one asked for.
pub fn last_rule(client: &mut Client) -> Result<Option<Option<u64>>, HubError> {
    let row = client.query_opt("SELECT suppress_below FROM analytics_published", &[])?;
    Ok(row.map(|r| r.get::<_, Option<i32>>(0).map(|k| k as u64)))
}
