//! Per-agent session slots. A start reserves a slot before anything else
//! happens (no process, no record), under one lock, so concurrent starts
//! can never exceed `maxAgents`; the slot is released when the session's
//! process is gone.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct Capacity {
    active: Mutex<HashMap<String, u32>>,
}

impl Capacity {
    /// Takes a slot if fewer than `max` are in use.
    pub fn try_reserve(&self, agent: &str, max: u32) -> bool {
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        let count = active.entry(agent.to_string()).or_insert(0);
        if *count >= max {
            return false;
        }
        *count += 1;
        true
    }

    pub fn release(&self, agent: &str) {
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = active.get_mut(agent) {
            *count = count.saturating_sub(1);
        }
    }

    pub fn active(&self, agent: &str) -> u32 {
        let active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        active.get(agent).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_exceeds_max_under_contention() {
        let capacity = std::sync::Arc::new(Capacity::default());
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let capacity = capacity.clone();
                std::thread::spawn(move || {
                    (0..100).filter(|_| capacity.try_reserve("a", 50)).count()
                })
            })
            .collect();
        let granted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(granted, 50);
        capacity.release("a");
        assert_eq!(capacity.active("a"), 49);
        assert!(capacity.try_reserve("a", 50));
    }
}
