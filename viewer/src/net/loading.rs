//! Loading a session's volume, prompts and result, and putting them on the GPU.

use std::sync::Arc;

use super::{Event, PromptCall, Reporter};
use crate::client::volume::Progress;
use crate::client::{ClientError, ServerClient, SessionId};
use crate::gpu_bridge::{GpuBridge, Written};
use crate::volume_data::VolumeData;

/// Fetches the volume (then decodes it and puts it on the GPU, off the runtime's threads), the
/// prompts and the labels. Stops quietly once the session is no longer the viewer's.
pub(super) async fn load_everything(
    client: &ServerClient,
    id: SessionId,
    report: &Reporter,
    gpu: GpuBridge,
) {
    let progress = Arc::new(Progress::default());
    report.send(Event::VolumeLoading(Arc::clone(&progress)));
    let generation = report.generation;
    let on_gpu = gpu.clone();
    let volume = async {
        let info = client.volume_info(id).await?;
        let raw = client.volume_voxels(id, progress).await?;
        tokio::task::spawn_blocking(move || {
            let volume = VolumeData::decode(info, &raw)
                .map_err(|err| ClientError::Unreadable(err.to_string()))?;
            let written = on_gpu
                .volume(generation, &volume)
                .map_err(|err| ClientError::Local(format!("cannot show the volume: {err}")))?;
            Ok((written, Arc::new(volume)))
        })
        .await
        .map_err(|err| ClientError::Local(err.to_string()))?
    }
    .await;
    let volume = match volume {
        Ok((Written::Stale, _)) => return,
        Ok((Written::Done, volume)) => Ok(volume),
        Err(err) => Err(err),
    };
    let ok = volume.is_ok();
    report.send(Event::Volume(volume));
    if !ok {
        return;
    }
    report.send(Event::Prompts {
        call: PromptCall::Load,
        answer: client.prompts(id).await,
    });
    report.send(Event::LegacyPoints {
        call: PromptCall::Load,
        answer: client.legacy_points(id).await,
    });
    if let Some(labels) = labels_on_gpu(client, id, generation, gpu).await {
        report.send(Event::Labels(labels));
    }
}

/// Fetches the latest labels and puts them on the GPU (clearing them when there are none);
/// `None` once the session is no longer the viewer's.
pub(super) async fn labels_on_gpu(
    client: &ServerClient,
    id: SessionId,
    generation: u64,
    gpu: GpuBridge,
) -> Option<Result<Option<Vec<u8>>, ClientError>> {
    let labels = match client.label_voxels(id).await {
        Ok(labels) => labels,
        Err(err) => return Some(Err(err)),
    };
    let written = tokio::task::spawn_blocking(move || {
        gpu.labels(generation, labels.as_deref())
            .map(|written| (written, labels))
            .map_err(|err| ClientError::Local(format!("cannot show the result: {err}")))
    })
    .await
    .map_err(|err| ClientError::Local(err.to_string()));
    match written {
        Ok(Ok((Written::Stale, _))) => None,
        Ok(Ok((Written::Done, labels))) => Some(Ok(labels)),
        Ok(Err(err)) | Err(err) => Some(Err(err)),
    }
}
