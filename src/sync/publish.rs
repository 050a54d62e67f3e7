//! The supervisor's de-identified view of the province on its hub: built from this
//! database (`report::analytics`), written whole (`hub::analytics`), and refreshed
//! after each pull once a supervisor has published it by name.

use super::hub::HubSyncError;
use crate::hub::HubError;
use crate::hub::analytics::{self, Published};
use crate::store::Store;

/// Publishes the view of every ward of this supervisor's database, under the
/// small-count rule when `suppress_below` is given (then the summaries alone). It is
/// recorded in the audit trail as an export of codes.
pub fn publish(
    store: &mut Store,
    client: &mut postgres::Client,
    suppress_below: Option<u64>,
) -> Result<Published, HubSyncError> {
    // A ward laptop holds one ward; the province's view is the supervisor's to write.
    if store.joined_ward().is_some() {
        return Err(HubError::NotSupervisor.into());
    }
    store.record_export("hub analytics", false)?;
    let view = crate::report::analytics::build(store.snapshot(), store.today(), suppress_below);
    Ok(analytics::publish(client, &view)?)
}

/// After a supervisor's pull: the view again, under the rule it was last published
/// with. None when it was never published (nothing leaves that no one asked for), and
/// on a ward laptop.
pub fn refresh(
    store: &mut Store,
    client: &mut postgres::Client,
) -> Result<Option<Published>, HubSyncError> {
    if store.joined_ward().is_some() {
        return Ok(None);
    }
    match analytics::last_rule(client)? {
        Some(rule) => publish(store, client, rule).map(Some),
        None => Ok(None),
    }
}
