//! Result structs handed to C together with everything their pointers point into.
//!
//! `Owned<T>` starts with the public struct (`repr(C)`), so the pointer C receives is also a
//! pointer to the owner; the matching `_free` turns it back and drops the lot at once.

use std::any::Any;
use std::ffi::{c_char, CString};

use bytes::Bytes;

use crate::types::ossbridge_pair;

#[repr(C)]
pub(crate) struct Owned<T> {
    public: T,
    keep: Keep,
}

/// Builds a result: collect strings/pairs/bytes into the keeper, then wrap the public struct.
pub(crate) struct Builder {
    keep: Keep,
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            keep: Keep::default(),
        }
    }

    /// A NUL-terminated copy owned by the result (interior NULs become U+FFFD).
    pub fn string(&mut self, text: &str) -> *const c_char {
        let owned = if text.contains('\0') {
            text.replace('\0', "\u{FFFD}")
        } else {
            text.to_string()
        };
        let c = CString::new(owned).expect("NULs were replaced");
        let ptr = c.as_ptr();
        self.keep.strings.push(c);
        ptr
    }

    /// Like [`Builder::string`], NULL for `None`.
    pub fn optional(&mut self, text: Option<&str>) -> *const c_char {
        text.map_or(std::ptr::null(), |t| self.string(t))
    }

    /// An array of name/value pairs owned by the result; (NULL, 0) when empty.
    pub fn pairs(&mut self, pairs: &[(String, String)]) -> (*const ossbridge_pair, usize) {
        if pairs.is_empty() {
            return (std::ptr::null(), 0);
        }
        let array: Vec<ossbridge_pair> = pairs
            .iter()
            .map(|(n, v)| ossbridge_pair {
                name: self.string(n),
                value: self.string(v),
            })
            .collect();
        let ptr = array.as_ptr();
        self.keep.pairs.push(array);
        (ptr, pairs.len())
    }

    /// Bytes owned by the result (no copy of the core's buffer); (NULL, 0) when empty.
    pub fn bytes(&mut self, data: Bytes) -> (*const u8, usize) {
        if data.is_empty() {
            return (std::ptr::null(), 0);
        }
        let (ptr, len) = (data.as_ptr(), data.len());
        self.keep.bytes.push(data);
        (ptr, len)
    }

    /// An array of C structs (or pointers) owned by the result; (NULL, 0) when empty. Whatever
    /// the items point into must be owned by this builder too.
    pub fn array<T: 'static>(&mut self, items: Vec<T>) -> (*const T, usize) {
        if items.is_empty() {
            return (std::ptr::null(), 0);
        }
        let (ptr, len) = (items.as_ptr(), items.len());
        // Moving the Vec into the box moves its header, not its heap buffer: `ptr` stays valid.
        self.keep.arrays.push(Box::new(items));
        (ptr, len)
    }

    pub fn finish<T>(self, public: T) -> *mut T {
        Box::into_raw(Box::new(Owned {
            public,
            keep: self.keep,
        }))
        .cast::<T>()
    }
}

/// Drops a result made by [`Builder::finish`] with the same `T`. NULL is allowed.
pub(crate) unsafe fn free<T>(result: *mut T) {
    if !result.is_null() {
        // SAFETY: `result` is the first field of a boxed `Owned<T>` (repr(C)), freed once.
        drop(unsafe { Box::from_raw(result.cast::<Owned<T>>()) });
    }
}

/// What the pointers of one result point into.
#[derive(Default)]
struct Keep {
    strings: Vec<CString>,
    pairs: Vec<Vec<ossbridge_pair>>,
    bytes: Vec<Bytes>,
    arrays: Vec<Box<dyn Any>>,
}
