//! The per-client request rate limit (`--rate-limit`): a token bucket per IP address
//! (governor's GCRA), so one client's flood answers 429 and others are served as usual.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;
use crate::state::AppState;

/// Requests per second per client, with bursts of twice as many.
pub type ClientLimiter = DefaultKeyedRateLimiter<IpAddr>;

/// The limiter for `per_second` requests a second per client; `None` for 0 (no limit).
pub fn limiter(per_second: u32) -> Option<ClientLimiter> {
    let rate = NonZeroU32::new(per_second)?;
    let burst = rate.saturating_mul(NonZeroU32::MIN.saturating_add(1));
    Some(ClientLimiter::keyed(
        Quota::per_second(rate).allow_burst(burst),
    ))
}

/// Answers 429 to a client past its rate. Requests whose peer is unknown (none here: the
/// server's own loop records every connection's) are not limited.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // A request another node forwarded was limited where it came in; here its address is
    // that node's, shared by everyone it forwards for.
    let hop = state
        .cluster
        .as_ref()
        .is_some_and(|cluster| cluster.forwarded(request.headers()));
    if !hop
        && let Some(limiter) = &state.rate_limiter
        && let Some(ConnectInfo(peer)) = request
            .extensions()
            .get::<ConnectInfo<std::net::SocketAddr>>()
        && let Err(not_until) = limiter.check_key(&peer.ip())
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return ApiError::RateLimited {
            retry_after_secs: retry_after_secs.max(1),
        }
        .into_response();
    }
    next.run(request).await
}
