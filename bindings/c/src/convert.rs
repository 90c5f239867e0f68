//! C string and buffer conversions shared by every module.

use std::ffi::{c_char, CStr, CString};

use ossbridge_core::Error;

/// Copies `text` into a new C string (interior NULs, impossible in OSS answers, become U+FFFD).
pub(crate) fn to_c_string(text: &str) -> *mut c_char {
    let owned = if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text.to_string()
    };
    CString::new(owned).expect("NULs were replaced").into_raw()
}

/// Releases a string from [`to_c_string`]. NULL is allowed.
pub(crate) unsafe fn free_c_string(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: produced by CString::into_raw in this crate.
        drop(unsafe { CString::from_raw(text) });
    }
}

/// A required string parameter: NULL or invalid UTF-8 is an InvalidArgument naming `name`.
pub(crate) unsafe fn required_str<'a>(text: *const c_char, name: &str) -> Result<&'a str, Error> {
    if text.is_null() {
        return Err(Error::invalid_argument(format!("{name} must not be NULL")));
    }
    // SAFETY: caller contract: a NUL-terminated string valid for the duration of the call.
    unsafe { CStr::from_ptr(text) }
        .to_str()
        .map_err(|_| Error::invalid_argument(format!("{name} is not valid UTF-8")))
}

/// An optional string parameter: NULL means `None`.
pub(crate) unsafe fn optional_str<'a>(
    text: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if text.is_null() {
        Ok(None)
    } else {
        unsafe { required_str(text, name) }.map(Some)
    }
}

/// A required out-parameter.
pub(crate) fn required_out<T>(out: *mut T, name: &str) -> Result<(), Error> {
    if out.is_null() {
        Err(Error::invalid_argument(format!("{name} must not be NULL")))
    } else {
        Ok(())
    }
}

/// An input buffer: NULL is allowed only with length 0.
pub(crate) unsafe fn input_bytes<'a>(
    data: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Error> {
    if data.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::invalid_argument(format!(
            "{name} is NULL but its length is {len}"
        )));
    }
    // SAFETY: caller contract: `data` points to `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}
