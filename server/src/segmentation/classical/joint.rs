//! A label's include clicks together. When a user has placed several include clicks on one
//! label, each click's own region (found from that click alone, and cut at necks and at its
//! sharpest boundary) is a piece of an object bigger than any click can see: a ribbon such as
//! the cortex, or an organ whose intensity drifts. Searching from all of the clicks at once
//! finds it whole. The joint region is taken only when its boundary is clearly sharper than
//! that of the pieces together: an object's edge is an edge, while a joint search that leaked
//! into a neighbour of similar intensity crosses no sharper boundary.

use std::borrow::Cow;

use interseg_shared::volume::Volume;

use super::object_region::ObjectRegion;
use super::region::{Region, face_neighbours, index_of};
use super::seed_model::smoothed;

/// Include clicks on one label from which their joint region is searched too.
pub const MIN_CLICKS: usize = 4;
/// How much sharper (mean boundary contrast) the joint region must be than the pieces.
const SHARPER: f32 = 1.2;
/// A face's contrast counts at most this many sigmas (one bright neighbour, bone beside a
/// vessel, must not outweigh a boundary that is an edge everywhere).
const MAX_FACE_SIGMAS: f32 = 8.0;

/// `allowed` (what the label's clicks found one by one) widened by their joint region, cut
/// before the label's exclude clicks (volume offsets), if that makes the boundary sharper.
pub fn widen(
    volume: &Volume,
    allowed: Region,
    joint: &ObjectRegion,
    excluded: &[usize],
    sigma: f32,
) -> Region {
    let found: Cow<'_, Region> = match joint.before(excluded) {
        Some(cut) => Cow::Owned(cut),
        None => joint.tight(),
    };
    let mut offsets = allowed.offsets();
    offsets.extend(found.offsets());
    offsets.sort_unstable();
    offsets.dedup();
    let joined = Region::from_offsets(volume.dims(), &offsets);
    let (pieces, whole) = (
        boundary_contrast(volume, &allowed, sigma),
        boundary_contrast(volume, &joined, sigma),
    );
    tracing::debug!(
        pieces,
        whole,
        allowed = allowed.len(),
        joined = joined.len(),
        "joint region"
    );
    if whole >= pieces * SHARPER {
        joined
    } else {
        allowed
    }
}

/// The mean contrast across a region's boundary: smoothed intensity steps, in `sigma`s.
fn boundary_contrast(volume: &Volume, region: &Region, sigma: f32) -> f32 {
    let dims = volume.dims();
    let (mut sum, mut faces) = (0f64, 0usize);
    for offset in region.offsets() {
        let v = index_of(offset, dims);
        let here = smoothed(volume, v);
        for (_, w) in face_neighbours(v, dims) {
            if !region.contains(w) {
                let step = (smoothed(volume, w) - here).abs() / sigma.max(f32::EPSILON);
                sum += f64::from(step.min(MAX_FACE_SIGMAS));
                faces += 1;
            }
        }
    }
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        reason = "a mean"
    )]
    let mean = (sum / faces.max(1) as f64) as f32;
    mean
}
