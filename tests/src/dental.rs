//! A synthetic dental phantom with ground truth: a jaw-like arch of tooth-shaped bright
//! objects (an ellipsoidal crown with a brighter enamel cap over a tapered root) whose crowns
//! touch their neighbours, roots set in bone, soft tissue around, partial volume (each voxel
//! the mean over its footprint) and noise. Sizes scale with `scale`, so the same phantom serves quick tests and CT-sized
//! benchmarks.

/// One tooth's shape.
#[derive(Clone, Copy, Debug)]
pub struct Tooth {
    /// Crown centre (i, j, k); the root runs towards lower k.
    pub center: [f64; 3],
    /// Unit tangent of the arch at the tooth (in the i–j plane).
    pub tangent: [f64; 2],
    /// Crown half-widths: along the arch, across it, and vertically.
    pub crown: [f64; 3],
    pub root_length: f64,
    pub root_radius: f64,
}

impl Tooth {
    /// Coordinates relative to the crown centre along (tangent, normal, k).
    fn local(&self, p: [f64; 3]) -> [f64; 3] {
        let (di, dj) = (p[0] - self.center[0], p[1] - self.center[1]);
        let [ti, tj] = self.tangent;
        [di * ti + dj * tj, -di * tj + dj * ti, p[2] - self.center[2]]
    }

    /// Squared normalised distance inside the crown ellipsoid (≤ 1 inside).
    fn crown_distance(&self, p: [f64; 3]) -> f64 {
        let l = self.local(p);
        (0..3).map(|a| (l[a] / self.crown[a]).powi(2)).sum()
    }

    fn in_root(&self, p: [f64; 3]) -> bool {
        let l = self.local(p);
        let depth = -l[2];
        if depth < 0.0 || depth > self.crown[2] + self.root_length {
            return false;
        }
        let radius = self.root_radius * (1.0 - 0.6 * depth / (self.crown[2] + self.root_length));
        l[0] * l[0] + l[1] * l[1] <= radius * radius
    }

    fn contains(&self, p: [f64; 3]) -> bool {
        self.crown_distance(p) <= 1.0 || self.in_root(p)
    }

    /// The voxel at the crown centre: where a user clicks once.
    pub fn click(&self) -> [usize; 3] {
        self.center.map(|c| c.round() as usize)
    }
}

/// The phantom: int16 intensities, the ground-truth tooth of each voxel (0, or 1 + index),
/// and the teeth.
pub struct DentalPhantom {
    pub dims: [usize; 3],
    pub values: Vec<i16>,
    pub truth: Vec<u8>,
    pub teeth: Vec<Tooth>,
}

const SOFT_TISSUE: f64 = 40.0;
/// Ordinary alveolar bone; dense cortical bone comes much closer to dentin.
pub const BONE: f64 = 800.0;
const DENTIN: f64 = 1900.0;
const ENAMEL: f64 = 2500.0;
pub const NOISE_SIGMA: f64 = 40.0;

impl DentalPhantom {
    /// `teeth` (14–16) along the arch; `scale` 1 gives a 150×90×48 volume, and sizes grow with it.
    pub fn new(teeth: usize, scale: f64, seed: u64) -> Self {
        Self::with_tissue(teeth, scale, seed, BONE, NOISE_SIGMA)
    }

    /// Like [`DentalPhantom::new`], with the bone's intensity and the noise's deviation given:
    /// dense bone and strong noise make a harder case.
    pub fn with_tissue(teeth: usize, scale: f64, seed: u64, bone: f64, noise_sigma: f64) -> Self {
        let s = scale;
        let crown = [6.0 * s, 5.0 * s, 6.0 * s];
        let (root_length, root_radius) = (14.0 * s, 3.5 * s);
        let dims = [
            (150.0 * s) as usize,
            (90.0 * s) as usize,
            (48.0 * s) as usize,
        ];
        let crown_k = 32.0 * s;
        let teeth = place_teeth(teeth, s, dims, crown, crown_k, (root_length, root_radius));

        let n = dims[0] * dims[1] * dims[2];
        let bone_top = crown_k - 0.3 * crown[2];
        let bone_bottom = crown_k - crown[2] - root_length - 4.0 * s;
        // What lies at a point: (tooth index, intensity).
        let material = |p: [f64; 3]| -> (Option<usize>, f64) {
            let owner = teeth
                .iter()
                .enumerate()
                .filter(|(_, t)| t.contains(p))
                .min_by(|(_, x), (_, y)| x.crown_distance(p).total_cmp(&y.crown_distance(p)));
            if let Some((m, tooth)) = owner {
                // Enamel: the outer shell of the crown's upper half.
                let d = tooth.crown_distance(p);
                let enamel = (0.55..=1.0).contains(&d) && p[2] > tooth.center[2];
                return (Some(m), if enamel { ENAMEL } else { DENTIN });
            }
            let in_bone = p[2] < bone_top
                && p[2] > bone_bottom
                && teeth.iter().any(|t| {
                    let l = t.local(p);
                    l[0].abs() <= t.crown[0] * 1.1 && l[1].abs() <= t.crown[1] + 5.0 * s
                });
            (None, if in_bone { bone } else { SOFT_TISSUE })
        };
        // Partial volume: each voxel is the mean of 3×3×3 points spread over its footprint, and
        // belongs to the tooth that fills most of it when teeth fill at least half of it.
        let mut ideal = vec![0.0; n];
        let mut truth = vec![0u8; n];
        let sub = [-1.0 / 3.0, 0.0, 1.0 / 3.0];
        for k in 0..dims[2] {
            for j in 0..dims[1] {
                for i in 0..dims[0] {
                    let offset = i + dims[0] * (j + dims[1] * k);
                    let center = [i as f64, j as f64, k as f64];
                    let near_a_tooth = teeth.iter().any(|t| {
                        let l = t.local(center);
                        let reach = t.crown[0].max(t.crown[1]) + 2.0;
                        l[0].abs() <= reach && l[1].abs() <= reach && l[2] <= t.crown[2] + 2.0
                    });
                    if !near_a_tooth {
                        ideal[offset] = material(center).1;
                        continue;
                    }
                    let mut counts = vec![0u32; teeth.len()];
                    let mut sum = 0.0;
                    for dk in sub {
                        for dj in sub {
                            for di in sub {
                                let (owner, value) =
                                    material([center[0] + di, center[1] + dj, center[2] + dk]);
                                sum += value;
                                if let Some(m) = owner {
                                    counts[m] += 1;
                                }
                            }
                        }
                    }
                    ideal[offset] = sum / 27.0;
                    let filled: u32 = counts.iter().sum();
                    if filled * 2 >= 27 {
                        let best = (0..teeth.len())
                            .max_by_key(|&m| (counts[m], std::cmp::Reverse(m)))
                            .unwrap_or(0);
                        truth[offset] = best as u8 + 1;
                    }
                }
            }
        }
        let values = with_noise(&ideal, seed, noise_sigma);
        Self {
            dims,
            values,
            truth,
            teeth,
        }
    }

    /// Dice of `label` in `labels` against tooth `tooth` (0-based) of the truth.
    pub fn dice(&self, labels: &[u8], label: u8, tooth: usize) -> f64 {
        let want = tooth as u8 + 1;
        let (mut both, mut truth, mut found) = (0usize, 0usize, 0usize);
        for (&t, &l) in self.truth.iter().zip(labels) {
            let (is_t, is_f) = (t == want, l == label);
            truth += usize::from(is_t);
            found += usize::from(is_f);
            both += usize::from(is_t && is_f);
        }
        if truth + found == 0 {
            return 1.0;
        }
        2.0 * both as f64 / (truth + found) as f64
    }

    /// Where a user would click to correct `label` (tooth `tooth`): the centre of the
    /// largest error, and whether it is a missed voxel (include) or a wrong one (exclude).
    pub fn corrective_click(
        &self,
        labels: &[u8],
        label: u8,
        tooth: usize,
    ) -> Option<([usize; 3], bool)> {
        let want = tooth as u8 + 1;
        let [ni, nj, nk] = self.dims;
        let missed = |o: usize| self.truth[o] == want && labels[o] != label;
        let wrong = |o: usize| self.truth[o] != want && labels[o] == label;
        let mut best: Option<(usize, usize, bool)> = None;
        for k in 1..nk - 1 {
            for j in 1..nj - 1 {
                for i in 1..ni - 1 {
                    let o = i + ni * (j + nj * k);
                    let include = missed(o);
                    if !include && !wrong(o) {
                        continue;
                    }
                    let same = |o: usize| if include { missed(o) } else { wrong(o) };
                    // The error voxel with the most error around it lies deepest in the error.
                    let depth = (0..27)
                        .map(|n| [n % 3, (n / 3) % 3, n / 9])
                        .filter(|d| {
                            same((i + d[0] - 1) + ni * ((j + d[1] - 1) + nj * (k + d[2] - 1)))
                        })
                        .count();
                    if best.is_none_or(|(b, _, _)| depth > b) {
                        best = Some((depth, o, include));
                    }
                }
            }
        }
        best.map(|(_, o, include)| ([o % ni, (o / ni) % nj, o / (ni * nj)], include))
    }
}

/// `count` teeth spaced along the arch `i = ci + a·t, j = j0 + b·t²` by arc length, crowns
/// centred at height `crown_k`.
fn place_teeth(
    count: usize,
    s: f64,
    dims: [usize; 3],
    crown: [f64; 3],
    crown_k: f64,
    (root_length, root_radius): (f64, f64),
) -> Vec<Tooth> {
    let teeth = count;
    // The arch: i = ci + a·t, j = j0 + b·t², sampled finely to place teeth by arc length.
    let (ci, j0, a, b) = (dims[0] as f64 / 2.0, 14.0 * s, 62.0 * s, 55.0 * s);
    let curve = |t: f64| [ci + a * t, j0 + b * t * t];
    let samples: Vec<(f64, [f64; 2])> = (0..=4000)
        .map(|n| -1.0 + 2.0 * n as f64 / 4000.0)
        .map(|t| (t, curve(t)))
        .collect();
    let mut arc = vec![0.0; samples.len()];
    for n in 1..samples.len() {
        let (p, q) = (samples[n - 1].1, samples[n].1);
        arc[n] = arc[n - 1] + ((q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2)).sqrt();
    }
    let mid = arc[arc.len() / 2];
    // Neighbouring crowns overlap slightly, so they touch over a small contact.
    let spacing = 2.0 * crown[0] * 0.95;
    let offsets: Vec<f64> = (0..teeth)
        .map(|m| (m as f64 - (teeth as f64 - 1.0) / 2.0) * spacing)
        .collect();
    offsets
        .iter()
        .map(|&offset| {
            let target = mid + offset;
            let n = arc.partition_point(|&x| x < target).min(samples.len() - 1);
            let t = samples[n].0;
            let [x, y] = curve(t);
            let (dx, dy) = (a, 2.0 * b * t);
            let len = (dx * dx + dy * dy).sqrt();
            Tooth {
                center: [x, y, crown_k],
                tangent: [dx / len, dy / len],
                crown,
                root_length,
                root_radius,
            }
        })
        .collect()
}

/// `ideal` with noise of deviation `noise_sigma` from `seed`, rounded to int16.
fn with_noise(ideal: &[f64], seed: u64, noise_sigma: f64) -> Vec<i16> {
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    ideal
        .iter()
        .map(|&v| {
            // A sum of four uniforms (deviation 1/√3, scaled to 1): close enough to Gaussian noise.
            let noise: f64 = (0..4)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    (rng % 10_000) as f64 / 10_000.0 - 0.5
                })
                .sum::<f64>()
                * noise_sigma
                * 1.732;
            (v + noise).round().clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}
