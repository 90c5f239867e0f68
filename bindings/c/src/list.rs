//! Listing: ListBuckets, ListObjects (V1, marker-based) and ListObjectsV2, one page per call; the
//! caller follows `next_marker` / `next_continuation_token` for the next page.

use std::ffi::c_char;

use ossbridge_core::model::{
    ListBucketsOptions, ListBucketsResult, ListObjectsOptions, ListObjectsPage,
    ListObjectsV2Options, ListObjectsV2Page, ObjectSummary,
};
use ossbridge_core::Error;

use crate::client::{client_ref, deliver, ossbridge_client};
use crate::convert::{optional_str, required_out, required_str};
use crate::error::{ossbridge_error, ossbridge_status};
use crate::owned::{self, Builder};
use crate::panic::{boundary, infallible};

/// Options of ossbridge_client_list_buckets(). Zero-initialise and set what you need; a NULL
/// options pointer lists the first page with OSS's defaults.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_list_buckets_options {
    /// Only buckets whose names start with this; NULL for all.
    pub prefix: *const c_char,
    /// Start after this bucket name (the previous page's `next_marker`); NULL from the start.
    pub marker: *const c_char,
    /// Page size (OSS: 1-1000); 0 for OSS's default (100).
    pub max_keys: u32,
}

/// One bucket of a ListBuckets page. Strings are empty when OSS did not send the field.
#[repr(C)]
pub struct ossbridge_bucket_summary {
    pub name: *const c_char,
    /// E.g. "oss-cn-hangzhou".
    pub location: *const c_char,
    /// ISO 8601, e.g. "2026-11-27T03:40:00.000Z".
    pub creation_date: *const c_char,
    pub extranet_endpoint: *const c_char,
    pub intranet_endpoint: *const c_char,
    /// E.g. "cn-hangzhou".
    pub region: *const c_char,
    /// "Standard", "IA", "Archive"...
    pub storage_class: *const c_char,
}

/// One page of ListBuckets. Release with ossbridge_list_buckets_result_free().
#[repr(C)]
pub struct ossbridge_list_buckets_result {
    pub http_status: u16,
    pub request_id: *const c_char,
    /// `buckets_len` buckets in name order; NULL when 0.
    pub buckets: *const ossbridge_bucket_summary,
    pub buckets_len: usize,
    pub owner_id: *const c_char,
    pub owner_display_name: *const c_char,
    /// More buckets follow: pass `next_marker` as the next call's `marker`.
    pub is_truncated: bool,
    /// NULL when the listing is complete.
    pub next_marker: *const c_char,
}

/// Options of ossbridge_client_list_objects_v2(). Zero-initialise and set what you need; a NULL
/// options pointer lists the first page of the whole bucket.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_list_objects_options {
    /// Only keys starting with this; NULL for all.
    pub prefix: *const c_char,
    /// Groups keys that contain it after `prefix` into `common_prefixes` (usually "/"); NULL for
    /// a flat listing.
    pub delimiter: *const c_char,
    /// Start after this key (lexicographic order); NULL from the start. Ignored by OSS when
    /// `continuation_token` is set.
    pub start_after: *const c_char,
    /// The previous page's `next_continuation_token`; NULL for the first page.
    pub continuation_token: *const c_char,
    /// Page size, objects plus common prefixes (OSS: 1-1000); 0 for OSS's default (100).
    pub max_keys: u32,
}

/// One object of a ListObjects or ListObjectsV2 page.
#[repr(C)]
pub struct ossbridge_object_summary {
    pub key: *const c_char,
    pub size: u64,
    /// The ETag, quotes included as OSS sent them.
    pub etag: *const c_char,
    /// ISO 8601, e.g. "2026-11-27T03:40:00.000Z".
    pub last_modified: *const c_char,
    /// "Standard", "IA", "Archive"...
    pub storage_class: *const c_char,
    /// "Normal", "Multipart", "Appendable"...
    pub object_type: *const c_char,
}

/// One page of ListObjectsV2. Release with ossbridge_list_objects_result_free().
#[repr(C)]
pub struct ossbridge_list_objects_result {
    pub http_status: u16,
    pub request_id: *const c_char,
    /// `objects_len` objects in key order; NULL when 0.
    pub objects: *const ossbridge_object_summary,
    pub objects_len: usize,
    /// With a delimiter: the groups of keys, each ending with the delimiter; NULL when 0.
    pub common_prefixes: *const *const c_char,
    pub common_prefixes_len: usize,
    /// Objects plus common prefixes on this page, as OSS counted them.
    pub key_count: u64,
    /// More entries follow: pass `next_continuation_token` as the next call's
    /// `continuation_token`.
    pub is_truncated: bool,
    /// NULL when the listing is complete.
    pub next_continuation_token: *const c_char,
}

/// Options of ossbridge_client_list_objects() (ListObjects V1). Zero-initialise and set what you
/// need; a NULL options pointer lists the first page of the whole bucket.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ossbridge_list_objects_v1_options {
    /// Only keys starting with this; NULL for all.
    pub prefix: *const c_char,
    /// Groups keys that contain it after `prefix` into `common_prefixes` (usually "/"); NULL for
    /// a flat listing.
    pub delimiter: *const c_char,
    /// List entries after this key (lexicographic order): the previous page's `next_marker` to
    /// continue, or any key to start from; NULL from the start.
    pub marker: *const c_char,
    /// Page size, objects plus common prefixes (OSS: 1-1000); 0 for OSS's default (100).
    pub max_keys: u32,
}

/// One page of ListObjects (V1). Release with ossbridge_list_objects_v1_result_free().
#[repr(C)]
pub struct ossbridge_list_objects_v1_result {
    pub http_status: u16,
    pub request_id: *const c_char,
    /// `objects_len` objects in key order; NULL when 0.
    pub objects: *const ossbridge_object_summary,
    pub objects_len: usize,
    /// With a delimiter: the groups of keys, each ending with the delimiter; NULL when 0.
    pub common_prefixes: *const *const c_char,
    pub common_prefixes_len: usize,
    /// More entries follow: pass `next_marker` as the next call's `marker`.
    pub is_truncated: bool,
    /// OSS's NextMarker (a key or, with a delimiter, possibly a common prefix); NULL when the
    /// listing is complete.
    pub next_marker: *const c_char,
}

fn max_keys(value: u32) -> Option<u32> {
    (value != 0).then_some(value)
}

unsafe fn list_buckets_options_from_c(
    options: *const ossbridge_list_buckets_options,
) -> Result<ListBucketsOptions, Error> {
    if options.is_null() {
        return Ok(ListBucketsOptions::default());
    }
    // SAFETY: non-NULL, caller contract.
    let o = unsafe { &*options };
    Ok(ListBucketsOptions {
        prefix: unsafe { optional_str(o.prefix, "options.prefix") }?.map(str::to_string),
        marker: unsafe { optional_str(o.marker, "options.marker") }?.map(str::to_string),
        max_keys: max_keys(o.max_keys),
    })
}

unsafe fn list_objects_options_from_c(
    options: *const ossbridge_list_objects_options,
) -> Result<ListObjectsV2Options, Error> {
    if options.is_null() {
        return Ok(ListObjectsV2Options::default());
    }
    // SAFETY: non-NULL, caller contract.
    let o = unsafe { &*options };
    let text = |ptr, name| unsafe { optional_str(ptr, name) }.map(|s| s.map(str::to_string));
    Ok(ListObjectsV2Options {
        prefix: text(o.prefix, "options.prefix")?,
        delimiter: text(o.delimiter, "options.delimiter")?,
        start_after: text(o.start_after, "options.start_after")?,
        continuation_token: text(o.continuation_token, "options.continuation_token")?,
        max_keys: max_keys(o.max_keys),
        fetch_owner: false,
    })
}

unsafe fn list_objects_v1_options_from_c(
    options: *const ossbridge_list_objects_v1_options,
) -> Result<ListObjectsOptions, Error> {
    if options.is_null() {
        return Ok(ListObjectsOptions::default());
    }
    // SAFETY: non-NULL, caller contract.
    let o = unsafe { &*options };
    let text = |ptr, name| unsafe { optional_str(ptr, name) }.map(|s| s.map(str::to_string));
    Ok(ListObjectsOptions {
        prefix: text(o.prefix, "options.prefix")?,
        delimiter: text(o.delimiter, "options.delimiter")?,
        marker: text(o.marker, "options.marker")?,
        max_keys: max_keys(o.max_keys),
    })
}

fn from_list_buckets(result: ListBucketsResult) -> *mut ossbridge_list_buckets_result {
    let mut b = Builder::new();
    let buckets: Vec<ossbridge_bucket_summary> = result
        .buckets
        .iter()
        .map(|s| ossbridge_bucket_summary {
            name: b.string(&s.name),
            location: b.string(&s.location),
            creation_date: b.string(&s.creation_date),
            extranet_endpoint: b.string(&s.extranet_endpoint),
            intranet_endpoint: b.string(&s.intranet_endpoint),
            region: b.string(&s.region),
            storage_class: b.string(&s.storage_class),
        })
        .collect();
    let (buckets, buckets_len) = b.array(buckets);
    let public = ossbridge_list_buckets_result {
        http_status: result.meta.status,
        request_id: b.string(&result.meta.request_id),
        buckets,
        buckets_len,
        owner_id: b.string(&result.owner_id),
        owner_display_name: b.string(&result.owner_display_name),
        is_truncated: result.is_truncated,
        next_marker: b.optional(result.next_marker.as_deref().filter(|m| !m.is_empty())),
    };
    b.finish(public)
}

/// The objects and common prefixes of a page of either listing version, owned by `b`.
struct PageEntries {
    objects: *const ossbridge_object_summary,
    objects_len: usize,
    common_prefixes: *const *const c_char,
    common_prefixes_len: usize,
}

fn page_entries(b: &mut Builder, objects: &[ObjectSummary], prefixes: &[String]) -> PageEntries {
    let objects: Vec<ossbridge_object_summary> = objects
        .iter()
        .map(|o| ossbridge_object_summary {
            key: b.string(&o.key),
            size: o.size,
            etag: b.string(&o.etag),
            last_modified: b.string(&o.last_modified),
            storage_class: b.string(&o.storage_class),
            object_type: b.string(&o.object_type),
        })
        .collect();
    let (objects, objects_len) = b.array(objects);
    let prefixes: Vec<*const c_char> = prefixes.iter().map(|p| b.string(p)).collect();
    let (common_prefixes, common_prefixes_len) = b.array(prefixes);
    PageEntries {
        objects,
        objects_len,
        common_prefixes,
        common_prefixes_len,
    }
}

fn from_list_objects_v1(page: ListObjectsPage) -> *mut ossbridge_list_objects_v1_result {
    let mut b = Builder::new();
    let entries = page_entries(&mut b, &page.objects, &page.common_prefixes);
    let public = ossbridge_list_objects_v1_result {
        http_status: page.meta.status,
        request_id: b.string(&page.meta.request_id),
        objects: entries.objects,
        objects_len: entries.objects_len,
        common_prefixes: entries.common_prefixes,
        common_prefixes_len: entries.common_prefixes_len,
        is_truncated: page.is_truncated,
        next_marker: b.optional(page.next_marker.as_deref().filter(|m| !m.is_empty())),
    };
    b.finish(public)
}

fn from_list_objects(page: ListObjectsV2Page) -> *mut ossbridge_list_objects_result {
    let mut b = Builder::new();
    let entries = page_entries(&mut b, &page.objects, &page.common_prefixes);
    let public = ossbridge_list_objects_result {
        http_status: page.meta.status,
        request_id: b.string(&page.meta.request_id),
        objects: entries.objects,
        objects_len: entries.objects_len,
        common_prefixes: entries.common_prefixes,
        common_prefixes_len: entries.common_prefixes_len,
        key_count: page.key_count,
        is_truncated: page.is_truncated,
        next_continuation_token: b.optional(
            page.next_continuation_token
                .as_deref()
                .filter(|t| !t.is_empty()),
        ),
    };
    b.finish(public)
}

/// Lists one page of the account's buckets (ListBuckets). `options` may be NULL;
/// `result_out` is required.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_list_buckets(
    client: *const ossbridge_client,
    options: *const ossbridge_list_buckets_options,
    result_out: *mut *mut ossbridge_list_buckets_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_list_buckets", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let options = unsafe { list_buckets_options_from_c(options) }?;
        required_out(result_out, "result_out")?;
        let result = client.list_buckets(&options)?;
        unsafe { deliver(result_out, from_list_buckets(result)) };
        Ok(())
    })
}

/// Lists one page of the objects in `bucket` (ListObjects, V1: oss2's `list_objects`, the C++
/// SDK's `ListObjects`). `options` may be NULL; `result_out` is required. For the next page,
/// call again with the same options and `marker` set to the result's `next_marker` while
/// `is_truncated`.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_list_objects(
    client: *const ossbridge_client,
    bucket: *const c_char,
    options: *const ossbridge_list_objects_v1_options,
    result_out: *mut *mut ossbridge_list_objects_v1_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_list_objects", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let options = unsafe { list_objects_v1_options_from_c(options) }?;
        required_out(result_out, "result_out")?;
        let page = client.list_objects(bucket, &options)?;
        unsafe { deliver(result_out, from_list_objects_v1(page)) };
        Ok(())
    })
}

/// Lists one page of the objects in `bucket` (ListObjectsV2). `options` may be NULL;
/// `result_out` is required. For the next page, call again with the same options and
/// `continuation_token` set to the result's `next_continuation_token` while `is_truncated`.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_client_list_objects_v2(
    client: *const ossbridge_client,
    bucket: *const c_char,
    options: *const ossbridge_list_objects_options,
    result_out: *mut *mut ossbridge_list_objects_result,
    error_out: *mut *mut ossbridge_error,
) -> ossbridge_status {
    boundary("ossbridge_client_list_objects_v2", error_out, || {
        let client = unsafe { client_ref(client) }?;
        let bucket = unsafe { required_str(bucket, "bucket") }?;
        let options = unsafe { list_objects_options_from_c(options) }?;
        required_out(result_out, "result_out")?;
        let page = client.list_objects_v2(bucket, &options)?;
        unsafe { deliver(result_out, from_list_objects(page)) };
        Ok(())
    })
}

/// Releases a ListBuckets result. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_list_buckets_result_free(
    result: *mut ossbridge_list_buckets_result,
) {
    infallible((), || unsafe { owned::free(result) })
}

/// Releases a ListObjects (V1) result. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_list_objects_v1_result_free(
    result: *mut ossbridge_list_objects_v1_result,
) {
    infallible((), || unsafe { owned::free(result) })
}

/// Releases a ListObjectsV2 result. NULL is allowed.
#[no_mangle]
pub unsafe extern "C" fn ossbridge_list_objects_result_free(
    result: *mut ossbridge_list_objects_result,
) {
    infallible((), || unsafe { owned::free(result) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ossbridge_core::model::{ObjectSummary, ResponseMeta};
    use std::ffi::CStr;

    fn text(ptr: *const c_char) -> &'static str {
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap()
    }

    #[test]
    fn a_page_keeps_every_object_and_prefix_alive_until_freed() {
        let page = ListObjectsV2Page {
            objects: (0..3)
                .map(|i| ObjectSummary {
                    key: format!("k{i}"),
                    size: i,
                    etag: format!("\"e{i}\""),
                    ..Default::default()
                })
                .collect(),
            common_prefixes: vec!["a/".into(), "b/".into()],
            is_truncated: true,
            next_continuation_token: Some("tok".into()),
            key_count: 5,
            meta: ResponseMeta::default(),
        };
        let result = from_list_objects(page);
        let r = unsafe { &*result };
        assert_eq!(r.objects_len, 3);
        let objects = unsafe { std::slice::from_raw_parts(r.objects, r.objects_len) };
        assert_eq!(text(objects[2].key), "k2");
        assert_eq!(objects[2].size, 2);
        assert_eq!(text(objects[1].etag), "\"e1\"");
        let prefixes = unsafe { std::slice::from_raw_parts(r.common_prefixes, 2) };
        assert_eq!(text(prefixes[1]), "b/");
        assert_eq!(text(r.next_continuation_token), "tok");
        unsafe { ossbridge_list_objects_result_free(result) };
    }

    #[test]
    fn a_v1_page_carries_entries_and_the_next_marker() {
        let page = ListObjectsPage {
            objects: vec![ObjectSummary {
                key: "a/1".into(),
                size: 7,
                ..Default::default()
            }],
            common_prefixes: vec!["b/".into()],
            is_truncated: true,
            next_marker: Some("b/".into()),
            meta: ResponseMeta::default(),
        };
        let result = from_list_objects_v1(page);
        let r = unsafe { &*result };
        assert_eq!(r.objects_len, 1);
        let objects = unsafe { std::slice::from_raw_parts(r.objects, 1) };
        assert_eq!((text(objects[0].key), objects[0].size), ("a/1", 7));
        assert_eq!(r.common_prefixes_len, 1);
        assert_eq!(text(unsafe { *r.common_prefixes }), "b/");
        assert!(r.is_truncated);
        assert_eq!(text(r.next_marker), "b/");
        unsafe { ossbridge_list_objects_v1_result_free(result) };

        let last = from_list_objects_v1(ListObjectsPage::default());
        let r = unsafe { &*last };
        assert!(r.objects.is_null() && r.common_prefixes.is_null() && r.next_marker.is_null());
        unsafe { ossbridge_list_objects_v1_result_free(last) };
    }

    #[test]
    fn an_empty_page_has_null_arrays_and_no_token() {
        let result = from_list_objects(ListObjectsV2Page::default());
        let r = unsafe { &*result };
        assert!(r.objects.is_null() && r.objects_len == 0);
        assert!(r.common_prefixes.is_null() && r.common_prefixes_len == 0);
        assert!(r.next_continuation_token.is_null());
        unsafe { ossbridge_list_objects_result_free(result) };
    }
}
