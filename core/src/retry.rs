//! When and how long to wait before trying a request again.
//!
//! Retried: network errors and timeouts, 5xx, throttling (429, `SlowDown`, `Throttling*`)
//! and `RequestTimeTooSkewed` (after correcting the clock offset). Only requests whose body
//! can be sent again (bytes, file ranges) are retried; a one-shot stream fails with its
//! first error. Backoff is exponential with full jitter, capped.

use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// Retry settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Total attempts including the first (1 = no retries).
    pub max_attempts: u32,
    /// Backoff before the second attempt, doubled each time.
    pub base_delay: Duration,
    /// Upper bound of any single backoff.
    pub max_delay: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> RetryConfig {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.max_attempts == 0 {
            return Err(Error::invalid_argument(
                "retry max_attempts must be at least 1",
            ));
        }
        if self.base_delay > self.max_delay {
            return Err(Error::invalid_argument(
                "retry base_delay must not exceed max_delay",
            ));
        }
        Ok(())
    }

    /// Delay before attempt `attempt + 1` (attempt counts from 1): uniformly random in
    /// `[0, min(max_delay, base_delay * 2^(attempt-1))]` ("full jitter").
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(20));
        let cap = exp.min(self.max_delay);
        let millis = cap.as_millis() as u64;
        if millis == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(rand::random::<u64>() % (millis + 1))
    }
}

/// Why an error may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retryable {
    No,
    Yes,
    /// `RequestTimeTooSkewed`: retry after correcting the clock offset.
    ClockSkew,
}

/// Classifies an error for retrying.
pub fn classify(err: &Error) -> Retryable {
    match err.kind() {
        ErrorKind::Network | ErrorKind::Timeout => Retryable::Yes,
        ErrorKind::Service => {
            let s = err
                .service_error()
                .expect("service errors carry a ServiceError");
            if s.code == "RequestTimeTooSkewed" {
                Retryable::ClockSkew
            } else if s.status >= 500
                || s.status == 429
                || s.code == "SlowDown"
                || s.code.starts_with("Throttling")
                || s.code == "RequestTimeout"
            {
                Retryable::Yes
            } else {
                Retryable::No
            }
        }
        _ => Retryable::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceError;

    fn service(status: u16, code: &str) -> Error {
        Error::service(ServiceError {
            status,
            code: code.into(),
            ..Default::default()
        })
    }

    #[test]
    fn classification() {
        assert_eq!(
            classify(&service(503, "ServiceUnavailable")),
            Retryable::Yes
        );
        assert_eq!(classify(&service(503, "")), Retryable::Yes);
        assert_eq!(
            classify(&service(403, "RequestTimeTooSkewed")),
            Retryable::ClockSkew
        );
        assert_eq!(classify(&service(404, "NoSuchKey")), Retryable::No);
        assert_eq!(classify(&service(400, "InvalidArgument")), Retryable::No);
        assert_eq!(
            classify(&Error::new(ErrorKind::Network, "reset")),
            Retryable::Yes
        );
        assert_eq!(
            classify(&Error::new(ErrorKind::CrcMismatch, "x")),
            Retryable::No
        );
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let r = RetryConfig {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(250),
        };
        for attempt in 1..12 {
            assert!(r.backoff(attempt) <= Duration::from_millis(250));
        }
        let distinct: std::collections::HashSet<_> = (0..50).map(|_| r.backoff(3)).collect();
        assert!(distinct.len() > 1, "no jitter");
        assert!(RetryConfig {
            max_attempts: 0,
            ..r.clone()
        }
        .validate()
        .is_err());
    }
}
