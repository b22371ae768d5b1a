//! The processes of local cloud sessions, found in `/proc` by the
//! `PIPECAT_SESSION_ID` every session process (and its descendants) has.

use std::collections::HashSet;

/// Live processes (not zombies) carrying one of `ids` as their
/// `PIPECAT_SESSION_ID`.
pub fn session_processes(ids: &HashSet<String>) -> usize {
    let mut found = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let ours = environ.split(|b| *b == 0).any(|var| {
            var.strip_prefix(b"PIPECAT_SESSION_ID=")
                .and_then(|id| std::str::from_utf8(id).ok())
                .is_some_and(|id| ids.contains(id))
        });
        let zombie = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, r)| r.trim_start().starts_with(['Z', 'X']))
            })
            .unwrap_or(true);
        if ours && !zombie {
            found += 1;
        }
    }
    found
}
