//! Backoff for retries: exponential with full jitter, capped, honouring a
//! server's `Retry-After` when it sends one.

use std::sync::Arc;
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// First delay before jitter.
    pub base: Duration,
    /// No single delay is longer than this.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(250),
            max: Duration::from_secs(8),
        }
    }
}

impl Backoff {
    /// The delay before retry number `attempt` (1-based): a random point in
    /// `[ceiling / 2, ceiling]` where the ceiling doubles each attempt, so
    /// many clients retrying together spread out. A `Retry-After` from the
    /// server wins, capped at `max`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max);
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self.base.saturating_mul(1 << exponent).min(self.max);
        let jitter: f64 = rand::random();
        ceiling.mul_f64(0.5 + jitter / 2.0)
    }
}

/// Told to an observer before each retry (the CLI prints it with `-v`).
#[derive(Debug, Clone)]
pub struct RetryNotice {
    /// The retry about to happen, 1-based.
    pub attempt: u32,
    /// How many retries are allowed in all.
    pub max_attempts: u32,
    /// How long we wait before it.
    pub delay: Duration,
    /// Why: the failure of the previous try, one line.
    pub reason: String,
}

/// Receives [`RetryNotice`]s; shared by clones of a client.
pub type RetryObserver = Arc<dyn Fn(&RetryNotice) + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_within_bounds_and_honour_retry_after() {
        let backoff = Backoff::default();
        for attempt in 1..10 {
            let ceiling = backoff
                .base
                .saturating_mul(1 << (attempt - 1))
                .min(backoff.max);
            let delay = backoff.delay(attempt, None);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "{attempt}: {delay:?}"
            );
        }
        assert_eq!(
            backoff.delay(1, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        assert_eq!(
            backoff.delay(1, Some(Duration::from_secs(600))),
            backoff.max
        );
    }
}
