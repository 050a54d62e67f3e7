//! A database written before encryption (layout 1) becomes an encrypted one on its
//! first open with credentials. Every value is sealed into a NEW database folder beside
//! the old one, which is then swapped in (see `swap`): rewriting in place would leave
//! the plaintext in sled's old log segments. A kill before the swap leaves the old
//! database as it was (migrated again next time); after it, the new one.

use super::codec::{self, Sealing};
use super::disk::Disk;
use super::open::Unlocked;
use super::{Op, Store, StoreError, keys, swap};

/// Values per transaction while copying: bounded memory, as in the bulk path.
const CHUNK: usize = 2_000;

/// Meta values of layout 1 that are records, sealed like them.
const SEALED_META: [&[u8]; 1] = [keys::META_SCHEDULE];

pub(crate) fn run(old: Disk, unlocked: Unlocked) -> Result<Store, StoreError> {
    let dir = old.path.clone();
    let slot = unlocked.new_slot.clone().ok_or(StoreError::NotFound)?;
    // The old folder is wiped once the new one is in: only if all of it is sled's.
    swap::refuse_foreign(&dir)?;
    let staging = swap::prepare_staging(&dir)?;
    let built = (|| {
        let new = Disk::open(&staging)?;
        let sealing = Sealing::Sealed(unlocked.key.clone());
        let copied = copy_sealed(&old, &new, &sealing)?;
        let mut store = Store::assemble(new, sealing, unlocked.user.clone());
        store.write_first_user(&slot, "encrypt_database")?;
        store.flush()?;
        Ok::<usize, StoreError>(copied)
    })();
    if let Err(e) = built {
        swap::discard_staging(&dir);
        return Err(e);
    }
    swap::mark_complete(&dir)?;
    drop(old);
    swap::swap_in(&dir)?;
    let disk = Disk::open(&dir)?;
    let mut store = Store::assemble(disk, Sealing::Sealed(unlocked.key), unlocked.user);
    store.load()?;
    store.prepare_versions()?;
    Ok(store)
}

/// Copies every tree of `old` into `new`, sealing record values under their tree and
/// key. Values that do not decode are sealed as they are, so `check` still reports them.
fn copy_sealed(old: &Disk, new: &Disk, sealing: &Sealing) -> Result<usize, StoreError> {
    let mut copied = 0;
    for (index, tree) in keys::TREES.iter().enumerate() {
        let mut ops: Vec<Op> = Vec::new();
        for (key, value) in old.entries(tree)? {
            let sealed = keys::RECORD_TREES.contains(tree)
                || (*tree == keys::META && SEALED_META.contains(&key.as_ref()));
            let value = match value.split_first() {
                Some((&version, body)) if sealed => {
                    codec::seal_body(version, body, sealing, tree, &key)
                        .map_err(StoreError::from_codec)?
                }
                // The layout version is written with the first user; a bulk write
                // was finished or undone when the old database was opened.
                _ if *tree == keys::META => continue,
                _ => value.to_vec(),
            };
            ops.push((index, key.to_vec(), Some(value)));
            if ops.len() == CHUNK {
                new.write_chunk(&ops)?;
                copied += ops.len();
                ops.clear();
            }
        }
        new.write_chunk(&ops)?;
        copied += ops.len();
    }
    new.flush()?;
    Ok(copied)
}
