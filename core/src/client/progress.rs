//! Progress reporting that never goes backwards and ends exactly at the total.

use std::sync::Mutex;

use crate::model::Progress;

/// Wraps a user callback. Retries restart a body from zero; values at or below what was
/// already reported are swallowed, so the user sees a monotonic sequence.
pub(crate) struct ProgressTracker {
    callback: Progress,
    total: u64,
    /// (highest value reported, whether anything was reported)
    state: Mutex<(u64, bool)>,
}

impl ProgressTracker {
    pub(crate) fn new(callback: Progress, total: u64) -> ProgressTracker {
        ProgressTracker {
            callback,
            total,
            state: Mutex::new((0, false)),
        }
    }

    /// Reports `value` (clamped to the total) if it is new ground. The lock is held during
    /// the callback so concurrent parts cannot deliver values out of order.
    pub(crate) fn update(&self, value: u64) {
        let value = value.min(self.total);
        let mut st = self.state.lock().unwrap();
        if value > st.0 || (!st.1 && value == self.total) {
            *st = (value, true);
            (self.callback.0)(value, self.total);
        }
    }

    /// Reports the total if that has not happened yet (also for empty bodies).
    pub(crate) fn finish(&self) {
        self.update(self.total);
    }
}
