//! The boundary every exported function runs inside: panics and core errors become a status
//! code plus an optional heap-allocated `ossbridge_error`.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ossbridge_core::Error;

use crate::error::{ossbridge_error, ossbridge_status, ErrorFields};

/// Runs `body` so that neither a panic nor an error escapes to C. `error_out` (may be NULL) is
/// cleared first and receives the error on failure.
pub(crate) fn boundary<F>(
    function: &'static str,
    error_out: *mut *mut ossbridge_error,
    body: F,
) -> ossbridge_status
where
    F: FnOnce() -> Result<(), Error>,
{
    if !error_out.is_null() {
        // SAFETY: the caller passes either NULL or a valid `ossbridge_error **`.
        unsafe { *error_out = std::ptr::null_mut() };
    }
    let fields = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return ossbridge_status::Ok,
        Ok(Err(err)) => ErrorFields::from_core(&err),
        Err(payload) => ErrorFields::panic(function, &panic_text(payload.as_ref())),
    };
    let status = fields.status;
    if !error_out.is_null() {
        // Building the error struct allocates; a panic here (out of memory) must not unwind into C.
        if let Ok(error) = catch_unwind(AssertUnwindSafe(|| fields.into_raw())) {
            // SAFETY: as above.
            unsafe { *error_out = error };
        }
    }
    status
}

/// For functions with no status to return (`_free`, accessors): a panic yields `fallback`.
pub(crate) fn infallible<T, F: FnOnce() -> T>(fallback: T, body: F) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ossbridge_error_free;

    #[test]
    fn a_panic_becomes_the_panic_status_with_its_message() {
        let mut error: *mut ossbridge_error = std::ptr::null_mut();
        let status = boundary("ossbridge_test", &mut error, || panic!("boom {}", 42));
        assert_eq!(status, ossbridge_status::Panic);
        assert!(!error.is_null());
        let message = unsafe { std::ffi::CStr::from_ptr((*error).message) }
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            message.contains("ossbridge_test") && message.contains("boom 42"),
            "{message}"
        );
        unsafe { ossbridge_error_free(error) };
    }

    #[test]
    fn success_clears_the_error_out_parameter() {
        let mut error: *mut ossbridge_error = std::ptr::dangling_mut::<ossbridge_error>();
        assert_eq!(boundary("f", &mut error, || Ok(())), ossbridge_status::Ok);
        assert!(error.is_null());
        assert_eq!(
            boundary("f", std::ptr::null_mut(), || Err(Error::invalid_argument(
                "x"
            ))),
            ossbridge_status::InvalidArgument
        );
    }

    #[test]
    fn infallible_returns_the_fallback_on_panic() {
        assert_eq!(infallible(7, || -> i32 { panic!("no") }), 7);
    }
}
