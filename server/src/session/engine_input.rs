//! What a session asks the engine for: its original-API points and its own prompts, gathered
//! per label in the order labels first appeared.

use super::SessionMeta;
use super::prompts::PromptShape;
use crate::segmentation::{LabelPrompt, PromptBox};

impl SessionMeta {
    /// One entry per label: a point of the original API is an include point of the label that
    /// is its number; our prompts add points and boxes, included or excluded.
    pub fn label_prompts(&self) -> Vec<LabelPrompt> {
        let mut out: Vec<LabelPrompt> = Vec::new();
        let mut entry = |label: u8| -> usize {
            if let Some(at) = out.iter().position(|p| p.label == label) {
                return at;
            }
            out.push(LabelPrompt {
                label,
                ..LabelPrompt::default()
            });
            out.len() - 1
        };
        let mut legacy = Vec::new();
        for point in self.points.points() {
            if let Ok(label) = u8::try_from(point.number) {
                legacy.push((entry(label), point.voxel));
            }
        }
        let mut ours = Vec::new();
        for prompt in self.prompts.prompts() {
            ours.push((entry(prompt.label), *prompt));
        }
        for (at, voxel) in legacy {
            out[at].include.push(voxel);
        }
        for (at, prompt) in ours {
            let target = &mut out[at];
            match prompt.shape {
                PromptShape::Point { voxel, .. } if prompt.include => target.include.push(voxel),
                PromptShape::Point { voxel, .. } => target.exclude.push(voxel),
                PromptShape::Box { lo, hi, .. } => target.boxes.push(PromptBox {
                    lo,
                    hi,
                    include: prompt.include,
                }),
            }
        }
        // A label with nothing to grow from (only exclusions) segments nothing.
        out.retain(|p| !p.include.is_empty() || p.boxes.iter().any(|b| b.include));
        out
    }
}
