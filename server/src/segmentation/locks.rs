//! Locked labels around any engine. A locked label's voxels in the previous result are fixed:
//! the engine sees them as walls ([`super::Scan::fixed`]) and, whatever it answers, they keep
//! their label, and a locked label gains no voxel elsewhere.

/// The voxels of `previous` whose label is in `locked`, each with its label; 0 elsewhere.
pub fn fixed_voxels(previous: &[u8], locked: &[u8]) -> Vec<u8> {
    let is_locked = table(locked);
    previous
        .iter()
        .map(|&l| if is_locked[usize::from(l)] { l } else { 0 })
        .collect()
}

/// Puts every fixed voxel back to its locked label, and takes from the locked labels whatever
/// else the engine gave them.
pub fn keep_locked(labels: &mut [u8], fixed: &[u8], locked: &[u8]) {
    let is_locked = table(locked);
    for (label, &held) in labels.iter_mut().zip(fixed) {
        if held != 0 {
            *label = held;
        } else if is_locked[usize::from(*label)] {
            *label = 0;
        }
    }
}

fn table(locked: &[u8]) -> [bool; 256] {
    let mut is_locked = [false; 256];
    for &l in locked.iter().filter(|&&l| l != 0) {
        is_locked[usize::from(l)] = true;
    }
    is_locked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_voxels_stay_and_locked_labels_do_not_grow() {
        let previous = [1, 1, 2, 2, 0, 3];
        let fixed = fixed_voxels(&previous, &[1, 3]);
        assert_eq!(fixed, [1, 1, 0, 0, 0, 3]);
        // The engine moved label 2 into label 1's voxels and label 1 and 3 elsewhere.
        let mut labels = [2, 1, 2, 1, 3, 0];
        keep_locked(&mut labels, &fixed, &[1, 3]);
        assert_eq!(labels, [1, 1, 2, 0, 0, 3]);
    }
}
