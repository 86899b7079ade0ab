//! The hop to a session's owner: a streaming reverse proxy. The request goes on as it came
//! (method, path and query, headers, body streamed) and the owner's answer comes back as it is
//! (status, headers, body streamed); only hop-by-hop headers stay behind.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, Response, Uri, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Marks a request one node sent another, with the cluster's secret key (a client cannot
/// forge it): it is never forwarded again, and it was rate-limited where it came in.
pub const FORWARDED_HEADER: &str = "x-interseg-forwarded-by";

/// A node that does not accept a connection within this is taken for dead.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// A connection silent this long is probed, every `PROBE_EVERY`, `PROBES` times: a node that
/// lost power answers no probe, and a request waiting on it fails within about 10 s instead
/// of hanging (a response itself may take long: a large segmentation).
const PROBE_AFTER: Duration = Duration::from_secs(4);
const PROBE_EVERY: Duration = Duration::from_secs(2);
const PROBES: u32 = 3;

/// Forwarding failed.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("the owner's URL {0:?} is not usable")]
    BadUrl(String),
    /// Nothing was sent: the owner did not accept the connection.
    #[error("the server holding this session cannot be reached: {0}")]
    Unreachable(String),
    #[error("the server holding this session failed to answer: {0}")]
    Failed(String),
}

/// Connections to the other nodes, pooled.
#[derive(Clone)]
pub struct Forwarder {
    client: Client<HttpConnector, Body>,
}

impl Default for Forwarder {
    fn default() -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        connector.set_keepalive(Some(PROBE_AFTER));
        connector.set_keepalive_interval(Some(PROBE_EVERY));
        connector.set_keepalive_retries(Some(PROBES));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self { client }
    }
}

impl Forwarder {
    /// Sends `request` to the node at `base` (`http://host:port`), marked with the cluster's
    /// key when a node sends it (a front load balancer does not), and gives back its answer.
    pub async fn forward(
        &self,
        base: &str,
        mut request: Request<Body>,
        mark: Option<&str>,
    ) -> Result<Response<Body>, ForwardError> {
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let uri: Uri = format!("{}{path}", base.trim_end_matches('/'))
            .parse()
            .map_err(|_| ForwardError::BadUrl(base.to_owned()))?;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        strip_hop_by_hop(headers);
        // The client sets the owner's host from the URI.
        headers.remove(header::HOST);
        // Whatever a client put there goes; only a node's own mark is sent on.
        headers.remove(FORWARDED_HEADER);
        if let Some(mark) = mark {
            let mark =
                HeaderValue::from_str(mark).map_err(|_| ForwardError::BadUrl(base.to_owned()))?;
            headers.insert(FORWARDED_HEADER, mark);
        }
        let response = self.client.request(request).await.map_err(|err| {
            if err.is_connect() {
                ForwardError::Unreachable(err.to_string())
            } else {
                ForwardError::Failed(err.to_string())
            }
        })?;
        let (mut parts, body) = response.into_parts();
        strip_hop_by_hop(&mut parts.headers);
        Ok(Response::from_parts(parts, Body::new(body)))
    }
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1): the standard
/// ones, and those the `Connection` header names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    for name in named {
        headers.remove(name.as_str());
    }
    headers.remove("proxy-connection");
    for name in [
        header::CONNECTION,
        header::PROXY_AUTHENTICATE,
        header::PROXY_AUTHORIZATION,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
}
