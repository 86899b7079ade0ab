//! The built-in engine: seeded competitive region growing. Each label learns its object's
//! intensity rule and typical intensity from the neighbourhood of its include points
//! ([`model`]); then all labels, and the exclude points as background, grow at once and
//! compete for voxels in order of geodesic cost ([`flood`]). Touching objects clicked once
//! each come out split along their seam; growth stays inside a box around each label's points.
//! Deterministic: the same prompts give the same labels.

mod flood;
mod model;
mod refine;

use interseg_shared::geometry::VoxelIndex;
use interseg_shared::volume::Volume;
use rayon::prelude::*;

use self::flood::{Grower, Outcome, compete};
use self::model::LabelModel;
use self::refine::refine_boundary;
use super::engine::{Engine, EngineError, LabelPrompt, LabelVolume, PromptBox, RunControl};

/// Competitive region growing from include points, bounded in extent.
#[derive(Clone, Debug)]
pub struct ClassicalEngine {
    /// Growth stays within this many voxels of its label's points along each axis.
    pub max_radius: usize,
}

impl Default for ClassicalEngine {
    fn default() -> Self {
        Self { max_radius: 64 }
    }
}

impl Engine for ClassicalEngine {
    fn name(&self) -> &'static str {
        "classical"
    }

    fn segment(
        &self,
        volume: &Volume,
        prompts: &[LabelPrompt],
        _previous: Option<&LabelVolume>,
        control: &RunControl,
    ) -> Result<LabelVolume, EngineError> {
        for point in prompts
            .iter()
            .flat_map(|p| p.include.iter().chain(&p.exclude))
        {
            volume
                .offset(*point)
                .ok_or(EngineError::PromptOutside(*point))?;
        }
        // Each label's exclude points grow as background inside that label's intensity band,
        // cheaply through what looks like the excluded spot; they are listed first and win ties.
        let mut exclusions = Vec::new();
        let mut objects = Vec::new();
        // A box stands for its centre, and an include box also bounds growth in its plane.
        let seeds: Vec<(&LabelPrompt, Vec<VoxelIndex>, Vec<VoxelIndex>)> = prompts
            .iter()
            .filter(|p| p.label != 0)
            .map(|prompt| {
                let box_centers = |include: bool| {
                    prompt
                        .boxes
                        .iter()
                        .filter(move |b| b.include == include)
                        .map(PromptBox::center)
                };
                let include = prompt
                    .include
                    .iter()
                    .copied()
                    .chain(box_centers(true))
                    .collect();
                let exclude = prompt
                    .exclude
                    .iter()
                    .copied()
                    .chain(box_centers(false))
                    .collect();
                (prompt, include, exclude)
            })
            .collect();
        // Each model reads its own window of the volume: independent, so learned in parallel.
        let models: Vec<Option<LabelModel>> = seeds
            .par_iter()
            .map(|(_, include, _)| LabelModel::learn(volume, include))
            .collect();
        for ((prompt, include, exclude), model) in seeds.into_iter().zip(models) {
            let Some(model) = model else {
                continue;
            };
            if !exclude.is_empty() {
                let (lo, hi) = self.bounds(volume, &exclude);
                let model = model.exclusion(volume, &exclude);
                exclusions.push(Grower {
                    label: 0,
                    against: Some(prompt.label),
                    seeds: exclude,
                    model,
                    lo,
                    hi,
                });
            }
            let (mut lo, mut hi) = self.bounds(volume, &include);
            for drawn in prompt.boxes.iter().filter(|b| b.include) {
                for a in (0..3).filter(|&a| drawn.lo[a] != drawn.hi[a]) {
                    let margin = (drawn.hi[a] - drawn.lo[a]) / 4 + 2;
                    lo[a] = lo[a].max(drawn.lo[a].saturating_sub(margin));
                    hi[a] = hi[a].min(drawn.hi[a] + margin + 1).max(lo[a] + 1);
                }
            }
            objects.push(Grower {
                label: prompt.label,
                against: None,
                seeds: include,
                model,
                lo,
                hi,
            });
        }
        if objects.is_empty() {
            return Err(EngineError::NoPrompts);
        }
        if control.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let growers: Vec<Grower> = exclusions.into_iter().chain(objects).collect();
        control.report(0.1);
        let Outcome { mut labels, taken } = compete(volume, &growers, control)?;
        control.report(0.7);
        let refined = growers.iter().filter(|g| g.label != 0).count().max(1) as f32;
        for (done, (grower, mut members)) in growers
            .iter()
            .zip(taken)
            .filter(|(g, _)| g.label != 0)
            .enumerate()
        {
            control.report(0.7 + 0.3 * done as f32 / refined);
            refine_boundary(
                volume,
                &mut labels,
                grower.label,
                &mut members,
                grower.lo,
                grower.hi,
            );
        }
        Ok(LabelVolume {
            dims: volume.dims(),
            labels,
        })
    }
}

impl ClassicalEngine {
    /// The box around `points` that growth from them may use.
    fn bounds(&self, volume: &Volume, points: &[VoxelIndex]) -> (VoxelIndex, VoxelIndex) {
        let dims = volume.dims();
        let mut lo = dims;
        let mut hi = [0; 3];
        for p in points {
            for a in 0..3 {
                lo[a] = lo[a].min(p[a].saturating_sub(self.max_radius));
                hi[a] = hi[a].max((p[a] + self.max_radius + 1).min(dims[a]));
            }
        }
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use interseg_shared::volume::{Scaling, Voxels};

    use super::*;

    /// Bright balls (value 1000 plus noise) on a dark noisy background (100).
    fn balls(dims: [usize; 3], balls: &[([f64; 3], f64)]) -> Volume {
        let mut rng = 12345u64;
        let mut noise = move || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((rng >> 33) % 101) as i16 - 50
        };
        let mut v = Vec::with_capacity(dims[0] * dims[1] * dims[2]);
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    let p = [i as f64, j as f64, k as f64];
                    let inside = balls
                        .iter()
                        .any(|(c, r)| (0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>() <= r * r);
                    v.push(if inside { 1000 } else { 100 } + noise());
                }
            }
        }
        Volume::new(dims, Voxels::I16(v), Scaling::IDENTITY).unwrap()
    }

    fn count(result: &LabelVolume, label: u8) -> usize {
        result.labels.iter().filter(|&&l| l == label).count()
    }

    fn ball_voxels(dims: [usize; 3], c: [f64; 3], r: f64) -> usize {
        let mut n = 0;
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    let p = [i as f64, j as f64, k as f64];
                    n += usize::from((0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>() <= r * r);
                }
            }
        }
        n
    }

    fn prompt(label: u8, seed: VoxelIndex) -> LabelPrompt {
        LabelPrompt {
            label,
            include: vec![seed],
            exclude: vec![],
            boxes: vec![],
        }
    }

    #[test]
    fn finds_a_bright_ball_whole() {
        let dims = [48, 40, 36];
        let (c, r) = ([20.0, 18.0, 16.0], 9.0);
        let vol = balls(dims, &[(c, r)]);
        let result = ClassicalEngine::default()
            .segment(
                &vol,
                &[prompt(1, [22, 18, 16])],
                None,
                &RunControl::default(),
            )
            .unwrap();
        assert_eq!(count(&result, 1), ball_voxels(dims, c, r));
        assert_eq!(result.unique_labels(), vec![0, 1]);
    }

    #[test]
    fn separate_balls_get_separate_labels() {
        let dims = [60, 30, 30];
        let vol = balls(
            dims,
            &[([15.0, 15.0, 15.0], 6.0), ([45.0, 15.0, 15.0], 6.0)],
        );
        let engine = ClassicalEngine::default();
        let cancel = RunControl::default();
        let result = engine
            .segment(
                &vol,
                &[prompt(1, [15, 15, 15]), prompt(2, [45, 15, 15])],
                None,
                &cancel,
            )
            .unwrap();
        assert_eq!(count(&result, 1), count(&result, 2));
        assert_eq!(
            count(&result, 1),
            ball_voxels(dims, [15.0, 15.0, 15.0], 6.0)
        );
    }

    /// Dice of `label` against the voxels nearer to `own` than to `other` inside either ball.
    fn dice_against_nearest(
        result: &LabelVolume,
        label: u8,
        own: ([f64; 3], f64),
        other: ([f64; 3], f64),
    ) -> f64 {
        let dims = result.dims;
        let (mut both, mut truth, mut found) = (0usize, 0usize, 0usize);
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    let p = [i as f64, j as f64, k as f64];
                    let d = |c: [f64; 3]| (0..3).map(|a| (p[a] - c[a]).powi(2)).sum::<f64>();
                    let inside = d(own.0) <= own.1 * own.1 || d(other.0) <= other.1 * other.1;
                    let is_truth = inside && d(own.0) <= d(other.0);
                    let is_found = result.labels[i + dims[0] * (j + dims[1] * k)] == label;
                    truth += usize::from(is_truth);
                    found += usize::from(is_found);
                    both += usize::from(is_truth && is_found);
                }
            }
        }
        2.0 * both as f64 / (truth + found) as f64
    }

    #[test]
    fn touching_balls_clicked_once_each_are_split_at_their_contact() {
        let dims = [48, 32, 32];
        let (a, b) = (([17.0, 16.0, 16.0], 7.0), ([30.0, 16.0, 16.0], 7.0));
        let vol = balls(dims, &[a, b]);
        let result = ClassicalEngine::default()
            .segment(
                &vol,
                &[prompt(1, [17, 16, 16]), prompt(2, [30, 16, 16])],
                None,
                &RunControl::default(),
            )
            .unwrap();
        assert_eq!(result.unique_labels(), vec![0, 1, 2]);
        assert!(dice_against_nearest(&result, 1, a, b) > 0.97);
        assert!(dice_against_nearest(&result, 2, b, a) > 0.97);
    }

    #[test]
    fn two_points_on_one_object_share_it() {
        let dims = [40, 30, 30];
        let vol = balls(dims, &[([20.0, 15.0, 15.0], 8.0)]);
        let result = ClassicalEngine::default()
            .segment(
                &vol,
                &[prompt(3, [16, 15, 15]), prompt(4, [24, 15, 15])],
                None,
                &RunControl::default(),
            )
            .unwrap();
        assert_eq!(result.unique_labels(), vec![0, 3, 4]);
        assert_eq!(
            count(&result, 3) + count(&result, 4),
            ball_voxels(dims, [20.0, 15.0, 15.0], 8.0)
        );
    }

    #[test]
    fn exclude_points_hold_growth_back() {
        let dims = [48, 32, 32];
        let (a, b) = (([17.0, 16.0, 16.0], 7.0), ([30.0, 16.0, 16.0], 7.0));
        let vol = balls(dims, &[a, b]);
        let engine = ClassicalEngine::default();
        let include_only = engine
            .segment(
                &vol,
                &[prompt(1, [17, 16, 16])],
                None,
                &RunControl::default(),
            )
            .unwrap();
        // Alone, the click takes both touching balls.
        assert!(count(&include_only, 1) > ball_voxels(dims, a.0, a.1) * 3 / 2);
        let with_exclude = LabelPrompt {
            label: 1,
            include: vec![[17, 16, 16]],
            exclude: vec![[30, 16, 16]],
            boxes: vec![],
        };
        let result = engine
            .segment(&vol, &[with_exclude], None, &RunControl::default())
            .unwrap();
        assert!(dice_against_nearest(&result, 1, a, b) > 0.95);
        assert_eq!(result.labels[30 + 48 * (16 + 32 * 16)], 0);
    }

    #[test]
    fn growth_is_bounded() {
        let dims = [64, 64, 64];
        let vol = Volume::new(dims, Voxels::U8(vec![7; 64 * 64 * 64]), Scaling::IDENTITY).unwrap();
        let engine = ClassicalEngine { max_radius: 10 };
        let result = engine
            .segment(
                &vol,
                &[prompt(1, [32, 32, 32])],
                None,
                &RunControl::default(),
            )
            .unwrap();
        assert_eq!(count(&result, 1), 21 * 21 * 21);
    }

    #[test]
    fn is_deterministic_and_honours_cancel() {
        let dims = [32, 32, 32];
        let vol = balls(dims, &[([16.0, 16.0, 16.0], 7.0)]);
        let engine = ClassicalEngine::default();
        let prompts = [prompt(1, [16, 16, 16])];
        let a = engine
            .segment(&vol, &prompts, None, &RunControl::default())
            .unwrap();
        let b = engine
            .segment(&vol, &prompts, None, &RunControl::default())
            .unwrap();
        assert_eq!(a, b);
        let cancel = RunControl::default();
        cancel.cancel();
        assert!(matches!(
            engine.segment(&vol, &prompts, None, &cancel),
            Err(EngineError::Cancelled)
        ));
    }

    #[test]
    fn rejects_prompts_outside() {
        let vol = balls([8, 8, 8], &[]);
        let err = ClassicalEngine::default()
            .segment(&vol, &[prompt(1, [8, 0, 0])], None, &RunControl::default())
            .unwrap_err();
        assert!(matches!(err, EngineError::PromptOutside(_)));
    }
}
