//! What the cluster shares in Redis: each live node's URL (kept alive by its heartbeat), each
//! session's owner (a lease, `SET … NX PX`, renewed while the owner lives), and the set of all
//! sessions (for the cluster-wide listing and expiry). Every key starts with `interseg:`.

use std::time::Duration;

use interseg_shared::ids::SessionId;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands as _, Script};

/// Redis did not answer as it should.
#[derive(Debug, thiserror::Error)]
#[error("the cluster registry (Redis) failed: {0}")]
pub struct RegistryError(#[from] redis::RedisError);

/// The cluster's registry in Redis. Cheap to clone: the connection is shared and reconnects
/// by itself.
#[derive(Clone)]
pub struct Registry {
    redis: ConnectionManager,
}

const SESSIONS_KEY: &str = "interseg:sessions";
const CLUSTER_KEY: &str = "interseg:cluster-key";

fn node_key(node: &str) -> String {
    format!("interseg:node:{node}")
}

fn owner_key(session: SessionId) -> String {
    format!("interseg:owner:{session}")
}

/// Keeps each lease that is this node's, and takes back any that lapsed meanwhile (Redis lost
/// it, or answered late): 1 per key kept, 0 per key another node holds now.
const RENEW: &str = r"
local kept = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    kept[i] = 1
  elseif not owner then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    kept[i] = 1
  else
    kept[i] = 0
  end
end
return kept
";

/// Deletes a lease only if it is still this node's.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Registry {
    /// Connects to the Redis at `url`; fails when it cannot be reached now.
    pub async fn connect(url: &str) -> Result<Self, RegistryError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        let redis = client.get_connection_manager_with_config(config).await?;
        let registry = Self { redis };
        registry.ping().await?;
        Ok(registry)
    }

    pub async fn ping(&self) -> Result<(), RegistryError> {
        let _: String = redis::cmd("PING")
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(())
    }

    /// The cluster's shared secret, made by the first node to ask: the mark of a request one
    /// node forwards to another.
    pub async fn cluster_key(&self) -> Result<String, RegistryError> {
        let fresh = uuid::Uuid::new_v4().simple().to_string();
        let _: Option<String> = redis::cmd("SET")
            .arg(CLUSTER_KEY)
            .arg(fresh)
            .arg("NX")
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(self.redis.clone().get(CLUSTER_KEY).await?)
    }

    /// Says `node` is alive at `url` for the next `ttl`.
    pub async fn heartbeat(
        &self,
        node: &str,
        url: &str,
        ttl: Duration,
    ) -> Result<(), RegistryError> {
        let _: () = self
            .redis
            .clone()
            .pset_ex(node_key(node), url, millis(ttl))
            .await?;
        Ok(())
    }

    /// The URL of `node`, if it is alive.
    pub async fn node_url(&self, node: &str) -> Result<Option<String>, RegistryError> {
        Ok(self.redis.clone().get(node_key(node)).await?)
    }

    /// Says `node` is gone.
    pub async fn leave(&self, node: &str) -> Result<(), RegistryError> {
        let _: () = self.redis.clone().del(node_key(node)).await?;
        Ok(())
    }

    /// Makes `node` the owner of `session` for `lease`, if nobody owns it.
    pub async fn acquire(
        &self,
        session: SessionId,
        node: &str,
        lease: Duration,
    ) -> Result<bool, RegistryError> {
        let set: Option<String> = redis::cmd("SET")
            .arg(owner_key(session))
            .arg(node)
            .arg("NX")
            .arg("PX")
            .arg(millis(lease))
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(set.is_some())
    }

    /// The node that owns `session` now, if any.
    pub async fn owner(&self, session: SessionId) -> Result<Option<String>, RegistryError> {
        Ok(self.redis.clone().get(owner_key(session)).await?)
    }

    /// Renews `node`'s leases on `sessions` (and their place in the list); the ones it no
    /// longer holds.
    pub async fn renew(
        &self,
        sessions: &[SessionId],
        node: &str,
        lease: Duration,
    ) -> Result<Vec<SessionId>, RegistryError> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let script = Script::new(RENEW);
        let mut invocation = script.prepare_invoke();
        for &session in sessions {
            invocation.key(owner_key(session));
        }
        invocation.arg(node).arg(millis(lease));
        let kept: Vec<i64> = invocation.invoke_async(&mut self.redis.clone()).await?;
        // A Redis that restarted empty learns the sessions again from their owners.
        let ids: Vec<String> = sessions.iter().map(ToString::to_string).collect();
        let _: () = self.redis.clone().sadd(SESSIONS_KEY, ids).await?;
        Ok(sessions
            .iter()
            .zip(kept)
            .filter(|&(_, k)| k == 0)
            .map(|(&s, _)| s)
            .collect())
    }

    /// Gives up `node`'s lease on `session` (a lease another node took meanwhile stays).
    pub async fn release(&self, session: SessionId, node: &str) -> Result<(), RegistryError> {
        let _: i64 = Script::new(RELEASE)
            .key(owner_key(session))
            .arg(node)
            .invoke_async(&mut self.redis.clone())
            .await?;
        Ok(())
    }

    /// Adds `session` to the cluster's sessions.
    pub async fn register(&self, session: SessionId) -> Result<(), RegistryError> {
        let _: () = self
            .redis
            .clone()
            .sadd(SESSIONS_KEY, session.to_string())
            .await?;
        Ok(())
    }

    /// Removes `session` from the cluster's sessions.
    pub async fn forget(&self, session: SessionId) -> Result<(), RegistryError> {
        let _: () = self
            .redis
            .clone()
            .srem(SESSIONS_KEY, session.to_string())
            .await?;
        Ok(())
    }

    /// Every session of the cluster.
    pub async fn sessions(&self) -> Result<Vec<SessionId>, RegistryError> {
        let ids: Vec<String> = self.redis.clone().smembers(SESSIONS_KEY).await?;
        Ok(ids.iter().filter_map(|id| id.parse().ok()).collect())
    }
}
