//! A fault-injecting HTTP/1.1 proxy for the client's fault tests. It runs on its own
//! thread and runtime, so sync and async tests (and child processes) can use it.
//!
//! Each request is forwarded on a fresh upstream connection and answered with
//! `Connection: close`; a rule whose pattern occurs in `"METHOD /path?query"` injects its
//! fault for the next `times` matching requests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer `503 ServiceUnavailable` (OSS error XML) without forwarding.
    Status503,
    /// Forward, send the response head and `n` body bytes, then reset the connection.
    ResetResponseAfter(usize),
    /// Read `n` bytes of the request body, then reset the connection (nothing forwarded).
    ResetRequestAfter(usize),
    /// Wait this long before answering.
    Delay(Duration),
    /// Forward, then flip one byte in the middle of the response body.
    CorruptResponseBody,
    /// Flip one byte in the middle of the request body, then forward.
    CorruptRequestBody,
    /// Forward (the server acts on the request), then reset before answering: the
    /// client cannot know whether its request took effect.
    ForwardThenReset,
}

struct Rule {
    pattern: String,
    fault: Fault,
    remaining: usize,
}

#[derive(Clone)]
pub struct Proxy {
    pub url: String,
    rules: Arc<Mutex<Vec<Rule>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// Starts a proxy in front of `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> Proxy {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let rules: Arc<Mutex<Vec<Rule>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let (r, l) = (rules.clone(), log.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                loop {
                    let Ok((sock, _)) = listener.accept().await else {
                        continue;
                    };
                    let (r, l, up) = (r.clone(), l.clone(), upstream.clone());
                    tokio::spawn(async move {
                        let _ = handle(sock, &up, r, l).await;
                    });
                }
            });
        });
        let addr = rx.recv().unwrap();
        Proxy {
            url: format!("http://{addr}"),
            rules,
            log,
        }
    }

    /// Injects `fault` into the next `times` requests whose line contains `pattern`.
    pub fn add(&self, pattern: &str, fault: Fault, times: usize) {
        self.rules.lock().unwrap().push(Rule {
            pattern: pattern.to_string(),
            fault,
            remaining: times,
        });
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }

    /// How many requests whose line contains `pattern` reached the proxy.
    pub fn count(&self, pattern: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(pattern))
            .count()
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn read_head(sock: &mut TcpStream) -> std::io::Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 16384];
    loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            let rest = buf.split_off(i + 4);
            return Ok(Some((buf, rest)));
        }
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    }
}

fn header_value(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// Reads the rest of a request body (raw framing kept). `limit` stops early.
async fn read_body(
    sock: &mut TcpStream,
    head: &str,
    mut body: Vec<u8>,
    limit: Option<usize>,
) -> std::io::Result<Vec<u8>> {
    let mut tmp = [0u8; 65536];
    let chunked =
        header_value(head, "transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let len: usize = header_value(head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    loop {
        if limit.is_some_and(|l| body.len() >= l) {
            return Ok(body);
        }
        let complete = if chunked {
            chunked_complete(&body)
        } else {
            body.len() >= len
        };
        if complete {
            return Ok(body);
        }
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&tmp[..n]);
    }
}

fn chunked_complete(raw: &[u8]) -> bool {
    let mut i = 0;
    loop {
        let Some(eol) = find(&raw[i..], b"\r\n") else {
            return false;
        };
        let size_line = String::from_utf8_lossy(&raw[i..i + eol]);
        let Ok(size) = usize::from_str_radix(size_line.split(';').next().unwrap_or("").trim(), 16)
        else {
            return false;
        };
        i += eol + 2;
        if size == 0 {
            return find(&raw[i..], b"\r\n").is_some();
        }
        i += size + 2;
        if i > raw.len() {
            return false;
        }
    }
}

fn with_connection_close(head: &str) -> String {
    let mut out = String::new();
    for (i, line) in head.trim_end_matches("\r\n\r\n").split("\r\n").enumerate() {
        if i > 0 && line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    out
}

async fn reset(sock: TcpStream) {
    let _ = sock.set_zero_linger();
    drop(sock);
}

async fn handle(
    mut sock: TcpStream,
    upstream: &str,
    rules: Arc<Mutex<Vec<Rule>>>,
    log: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    let Some((head, rest)) = read_head(&mut sock).await? else {
        return Ok(());
    };
    let head = String::from_utf8_lossy(&head).into_owned();
    let line = head.lines().next().unwrap_or("").to_string();
    log.lock().unwrap().push(line.clone());
    let fault = {
        let mut rules = rules.lock().unwrap();
        let hit = rules
            .iter_mut()
            .find(|r| r.remaining > 0 && line.contains(&r.pattern));
        hit.map(|r| {
            r.remaining -= 1;
            r.fault.clone()
        })
    };
    if let Some(Fault::ResetRequestAfter(n)) = fault {
        let _ = read_body(&mut sock, &head, rest, Some(n)).await;
        reset(sock).await;
        return Ok(());
    }
    let mut body = read_body(&mut sock, &head, rest, None).await?;
    match &fault {
        Some(Fault::Status503) => {
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>ServiceUnavailable</Code><Message>injected by the test proxy</Message><RequestId>PROXY503</RequestId></Error>";
            let resp = format!(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/xml\r\nx-oss-request-id: PROXY503\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{xml}",
                xml.len()
            );
            sock.write_all(resp.as_bytes()).await?;
            return sock.shutdown().await;
        }
        Some(Fault::Delay(d)) => tokio::time::sleep(*d).await,
        Some(Fault::CorruptRequestBody) if !body.is_empty() => {
            let mid = body.len() / 2;
            body[mid] ^= 0x5a;
        }
        _ => {}
    }
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(with_connection_close(&head).as_bytes())
        .await?;
    up.write_all(&body).await?;
    let mut response = Vec::new();
    up.read_to_end(&mut response).await?;
    if let Some(Fault::ForwardThenReset) = fault {
        reset(sock).await;
        return Ok(());
    }
    let split = find(&response, b"\r\n\r\n")
        .map(|i| i + 4)
        .unwrap_or(response.len());
    let (resp_head, resp_body) = response.split_at(split);
    let resp_head = with_connection_close(&String::from_utf8_lossy(resp_head));
    let mut resp_body = resp_body.to_vec();
    match fault {
        Some(Fault::ResetResponseAfter(n)) => {
            sock.write_all(resp_head.as_bytes()).await?;
            sock.write_all(&resp_body[..n.min(resp_body.len())]).await?;
            sock.flush().await?;
            reset(sock).await;
            return Ok(());
        }
        Some(Fault::CorruptResponseBody) if !resp_body.is_empty() => {
            let mid = resp_body.len() / 2;
            resp_body[mid] ^= 0x5a;
        }
        _ => {}
    }
    sock.write_all(resp_head.as_bytes()).await?;
    sock.write_all(&resp_body).await?;
    sock.shutdown().await
}
