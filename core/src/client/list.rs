//! ListObjectsV2, one page or as a stream of pages.

use futures::stream::{BoxStream, Stream, StreamExt};
use reqwest::Method;

use super::bucket::validate_bucket;
use super::{Client, Request};
use crate::error::Result;
use crate::model::{ListObjectsV2Options, ListObjectsV2Page};

impl Client {
    /// One page of ListObjectsV2.
    pub async fn list_objects_v2(
        &self,
        bucket: &str,
        options: &ListObjectsV2Options,
    ) -> Result<ListObjectsV2Page> {
        validate_bucket(bucket)?;
        let mut req = Request::new(Method::GET, Some(bucket), None);
        for (n, v) in options.query() {
            req = req.query(&n, v);
        }
        let (meta, body) = self.send_collect(req).await?;
        ListObjectsV2Page::from_xml(&body, meta)
    }

    /// Every page of ListObjectsV2 as a stream, following continuation tokens. Pages are
    /// fetched lazily, one request per page polled.
    pub fn list_objects_v2_pages(
        &self,
        bucket: &str,
        options: ListObjectsV2Options,
    ) -> ListObjectsV2Stream {
        let client = self.clone();
        let bucket = bucket.to_string();
        let state = Some(options);
        let inner = futures::stream::unfold(state, move |state| {
            let client = client.clone();
            let bucket = bucket.clone();
            async move {
                let options = state?;
                match client.list_objects_v2(&bucket, &options).await {
                    Ok(page) => {
                        let next = match (&page.is_truncated, &page.next_continuation_token) {
                            (true, Some(token))
                                if Some(token) != options.continuation_token.as_ref() =>
                            {
                                Some(ListObjectsV2Options {
                                    continuation_token: Some(token.clone()),
                                    ..options
                                })
                            }
                            _ => None,
                        };
                        Some((Ok(page), next))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
        })
        .boxed();
        ListObjectsV2Stream { inner }
    }
}

/// A stream of ListObjectsV2 pages; it ends after the last page or the first error.
pub struct ListObjectsV2Stream {
    inner: BoxStream<'static, Result<ListObjectsV2Page>>,
}

impl ListObjectsV2Stream {
    /// The next page, `None` after the last.
    pub async fn next_page(&mut self) -> Option<Result<ListObjectsV2Page>> {
        self.inner.next().await
    }
}

impl Stream for ListObjectsV2Stream {
    type Item = Result<ListObjectsV2Page>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}
