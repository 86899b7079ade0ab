//! A node's background work in a cluster: its heartbeat with its lease renewals, and expiry
//! across the cluster.

use std::sync::Arc;
use std::time::Duration;

use super::Cluster;
use crate::session::SessionStore;

/// Every beat: says this node is alive and renews the leases of the sessions it holds. A
/// session whose lease another node holds now is let go (its files stay: they are that node's
/// now). While Redis cannot be reached the node goes on serving what it holds. Runs until
/// dropped.
pub async fn keep_alive(cluster: Arc<Cluster>, store: SessionStore) {
    loop {
        let held = store.ids();
        // At once, so that a slow answer to one does not hold the renewals back.
        let (beat, key, renewed) = tokio::join!(
            cluster.beat(),
            cluster.refresh_key(),
            cluster.registry.renew(&held, &cluster.node, cluster.lease),
        );
        if let Err(err) = beat {
            tracing::warn!("cluster heartbeat failed: {err}");
        }
        if let Err(err) = key {
            tracing::warn!("could not read the cluster's key: {err}");
        }
        match renewed {
            Ok(lost) => {
                for id in lost {
                    store.release(id);
                    tracing::warn!(session = %id.short(), "lease lost to another node; session let go");
                }
            }
            Err(err) => tracing::warn!("could not renew session leases: {err}"),
        }
        tokio::time::sleep(cluster.beat_period()).await;
    }
}

/// Every `period`: writes down when the sessions held were last used, deletes the idle ones,
/// and deletes those nobody holds (their node died) once idle past the timeout by their files.
/// Runs until dropped.
pub async fn expire(cluster: Arc<Cluster>, store: SessionStore, period: Duration) {
    loop {
        tokio::time::sleep(period).await;
        let purge = store.clone();
        let expired = match tokio::task::spawn_blocking(move || {
            // What another node reads if this one dies: when each session was last used.
            purge.flush_activity();
            purge.purge_expired()
        })
        .await
        {
            Ok(expired) => expired,
            Err(err) => {
                tracing::error!("session expiry failed: {err}");
                continue;
            }
        };
        for id in &expired {
            if let Err(err) = cluster.deleted(*id).await {
                tracing::warn!(session = %id.short(), "expired, but not unregistered: {err}");
            }
        }
        if !expired.is_empty() {
            tracing::info!(expired = expired.len(), "expired idle sessions");
        }
        if let Err(err) = expire_orphans(&cluster, &store).await {
            tracing::warn!("could not expire the sessions of departed nodes: {err}");
        }
    }
}

/// Deletes the sessions no node holds that are idle past the timeout, and forgets registry
/// entries whose files are gone.
async fn expire_orphans(
    cluster: &Cluster,
    store: &SessionStore,
) -> Result<(), super::ClusterError> {
    // The registry's list, and the folders on the shared disk (a Redis that restarted empty
    // no longer lists the sessions of nodes that died meanwhile).
    let mut ids = cluster.registry.sessions().await?;
    let list = store.clone();
    ids.extend(
        tokio::task::spawn_blocking(move || list.folder_ids())
            .await
            .map_err(|err| super::ClusterError::Task(err.to_string()))?,
    );
    ids.sort_unstable();
    ids.dedup();
    let timeout = store.timeout();
    for id in ids {
        if store.get(id).is_some() || cluster.registry.owner(id).await?.is_some() {
            continue;
        }
        let look = store.clone();
        let idle = tokio::task::spawn_blocking(move || look.idle_on_disk(id))
            .await
            .map_err(|err| super::ClusterError::Task(err.to_string()))?;
        match idle {
            None => cluster.registry.forget(id).await?,
            Some(idle) if idle > timeout => {
                if !cluster
                    .registry
                    .acquire(id, &cluster.node, cluster.lease)
                    .await?
                {
                    continue;
                }
                // Held now, so nobody uses it meanwhile: still idle by its files?
                let remove = store.clone();
                let removed = tokio::task::spawn_blocking(move || {
                    let expired = remove.idle_on_disk(id).is_some_and(|idle| idle > timeout);
                    if expired {
                        remove.remove_folder_of(id);
                    }
                    expired
                })
                .await
                .map_err(|err| super::ClusterError::Task(err.to_string()))?;
                if removed {
                    cluster.deleted(id).await?;
                    tracing::info!(session = %id.short(), "expired a session no node held");
                } else {
                    cluster.registry.release(id, &cluster.node).await?;
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}
