//! Object listings: ListObjects (V1, marker-based) and ListObjectsV2 (continuation tokens),
//! one page per call or as a stream of pages.

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};
use reqwest::Method;

use super::bucket::validate_bucket;
use super::{Client, Request};
use crate::error::Result;
use crate::model::{
    ListObjectsOptions, ListObjectsPage, ListObjectsV2Options, ListObjectsV2Page, ResponseMeta,
};

impl Client {
    /// One page of ListObjects (V1): oss2's `list_objects`, ali-oss's `list`.
    pub async fn list_objects(
        &self,
        bucket: &str,
        options: &ListObjectsOptions,
    ) -> Result<ListObjectsPage> {
        let (meta, body) = self.list_request(bucket, options.query()).await?;
        ListObjectsPage::from_xml(&body, meta)
    }

    /// One page of ListObjectsV2.
    pub async fn list_objects_v2(
        &self,
        bucket: &str,
        options: &ListObjectsV2Options,
    ) -> Result<ListObjectsV2Page> {
        let (meta, body) = self.list_request(bucket, options.query()).await?;
        ListObjectsV2Page::from_xml(&body, meta)
    }

    async fn list_request(
        &self,
        bucket: &str,
        query: Vec<(String, String)>,
    ) -> Result<(ResponseMeta, Bytes)> {
        validate_bucket(bucket)?;
        let mut req = Request::new(Method::GET, Some(bucket), None);
        for (n, v) in query {
            req = req.query(&n, v);
        }
        self.send_collect(req).await
    }

    /// Every page of ListObjects (V1) as a stream, following `next_marker`.
    pub fn list_objects_pages(
        &self,
        bucket: &str,
        options: ListObjectsOptions,
    ) -> PageStream<ListObjectsPage> {
        let (client, bucket) = (self.clone(), bucket.to_string());
        PageStream::unfold(options, move |options| {
            let (client, bucket) = (client.clone(), bucket.clone());
            async move {
                let page = client.list_objects(&bucket, &options).await?;
                let next = options.for_page_after(&page);
                Ok((page, next))
            }
        })
    }

    /// Every page of ListObjectsV2 as a stream, following continuation tokens.
    pub fn list_objects_v2_pages(
        &self,
        bucket: &str,
        options: ListObjectsV2Options,
    ) -> ListObjectsV2Stream {
        let (client, bucket) = (self.clone(), bucket.to_string());
        PageStream::unfold(options, move |options| {
            let (client, bucket) = (client.clone(), bucket.clone());
            async move {
                let page = client.list_objects_v2(&bucket, &options).await?;
                let next = options.for_page_after(&page);
                Ok((page, next))
            }
        })
    }
}

/// A stream of ListObjectsV2 pages.
pub type ListObjectsV2Stream = PageStream<ListObjectsV2Page>;

/// A stream of listing pages, fetched lazily (one request per page polled); it ends after
/// the last page or the first error.
pub struct PageStream<P> {
    inner: BoxStream<'static, Result<P>>,
}

impl<P: Send + 'static> PageStream<P> {
    /// `fetch(options)` returns a page and the options of the next one, if any.
    fn unfold<O, F, Fut>(first: O, fetch: F) -> Self
    where
        O: Send + 'static,
        F: Fn(O) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(P, Option<O>)>> + Send + 'static,
    {
        let inner = futures::stream::unfold(Some(first), move |state| {
            let fetched = state.map(&fetch);
            async move {
                match fetched?.await {
                    Ok((page, next)) => Some((Ok(page), next)),
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed();
        PageStream { inner }
    }

    /// The next page, `None` after the last.
    pub async fn next_page(&mut self) -> Option<Result<P>> {
        self.inner.next().await
    }
}

impl<P> Stream for PageStream<P> {
    type Item = Result<P>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}
