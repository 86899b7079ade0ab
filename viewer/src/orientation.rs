//! Anatomical orientation from the affine: which array axis each standard plane cuts, and which
//! way its indices run on screen, so every volume is shown as radiologists expect (patient's
//! left on the screen's right; anterior or superior up), whatever its storage order.

/// A standard viewing plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Plane {
    Axial,
    Coronal,
    Sagittal,
}

impl Plane {
    pub const ALL: [Plane; 3] = [Plane::Axial, Plane::Coronal, Plane::Sagittal];

    pub fn name(self) -> &'static str {
        match self {
            Plane::Axial => "Axial",
            Plane::Coronal => "Coronal",
            Plane::Sagittal => "Sagittal",
        }
    }

    /// The world (RAS) axis normal to the plane, and the world directions of the screen's
    /// right and up as (axis, sign).
    fn world_frame(self) -> (usize, (usize, f64), (usize, f64)) {
        match self {
            Plane::Axial => (2, (0, -1.0), (1, 1.0)),
            Plane::Coronal => (1, (0, -1.0), (2, 1.0)),
            Plane::Sagittal => (0, (1, -1.0), (2, 1.0)),
        }
    }

    /// The letters at the left, right, top and bottom edges.
    pub fn edge_labels(self) -> [&'static str; 4] {
        match self {
            Plane::Axial => ["R", "L", "A", "P"],
            Plane::Coronal => ["R", "L", "S", "I"],
            Plane::Sagittal => ["A", "P", "S", "I"],
        }
    }
}

/// How a plane lies in the array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneAxes {
    /// The array axis the plane is normal to (the slice axis).
    pub normal: usize,
    /// The array axis running across the screen, and whether its index grows to the right.
    pub across: usize,
    pub across_rightward: bool,
    /// The array axis running down the screen, and whether its index grows downward.
    pub down: usize,
    pub down_downward: bool,
}

/// Each array axis's dominant world axis and direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Orientation {
    /// For array axis a: the world axis (0 = x, 1 = y, 2 = z) it mostly runs along.
    world_axis: [usize; 3],
    /// For array axis a: +1 when its index grows toward that world axis's positive end.
    sign: [f64; 3],
    /// False when two array axes run mostly along the same world axis (a badly oblique or
    /// broken affine): then the array order is shown as it is.
    pub anatomical: bool,
}

impl Orientation {
    pub fn from_affine(affine: &[[f64; 4]; 4]) -> Self {
        let mut world_axis = [0; 3];
        let mut sign = [1.0; 3];
        for a in 0..3 {
            let column = [affine[0][a], affine[1][a], affine[2][a]];
            let w = (0..3)
                .max_by(|&p, &q| column[p].abs().total_cmp(&column[q].abs()))
                .unwrap_or(a);
            world_axis[a] = w;
            sign[a] = if column[w] < 0.0 { -1.0 } else { 1.0 };
        }
        let distinct = world_axis[0] != world_axis[1]
            && world_axis[1] != world_axis[2]
            && world_axis[0] != world_axis[2];
        if distinct {
            Self {
                world_axis,
                sign,
                anatomical: true,
            }
        } else {
            Self {
                world_axis: [0, 1, 2],
                sign: [1.0; 3],
                anatomical: false,
            }
        }
    }

    fn array_axis(&self, world: usize) -> usize {
        (0..3)
            .find(|&a| self.world_axis[a] == world)
            .unwrap_or(world)
    }

    pub fn plane_axes(&self, plane: Plane) -> PlaneAxes {
        let (normal, (right_axis, right_sign), (up_axis, up_sign)) = plane.world_frame();
        let across = self.array_axis(right_axis);
        let down = self.array_axis(up_axis);
        PlaneAxes {
            normal: self.array_axis(normal),
            across,
            across_rightward: self.sign[across] == right_sign,
            down,
            down_downward: self.sign[down] != up_sign,
        }
    }

    /// The plane whose slices run along array axis `axis`.
    pub fn plane_of_axis(&self, axis: usize) -> Plane {
        Plane::ALL
            .into_iter()
            .find(|&p| self.plane_axes(p).normal == axis)
            .unwrap_or(Plane::Axial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LPS_TO_RAS_ISH: [[f64; 4]; 4] = [
        [-0.5, 0.0, 0.0, 0.0],
        [0.0, -0.5, 0.0, 0.0],
        [0.0, 0.0, 2.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
    ];

    #[test]
    fn ras_volumes_put_the_patients_left_on_the_right() {
        let identity = [
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        let o = Orientation::from_affine(&identity);
        let axial = o.plane_axes(Plane::Axial);
        // i grows toward the patient's right, which is the screen's left.
        assert_eq!((axial.normal, axial.across, axial.down), (2, 0, 1));
        assert!(!axial.across_rightward);
        // j grows anterior, which is up: its index grows upward.
        assert!(!axial.down_downward);
        let sagittal = o.plane_axes(Plane::Sagittal);
        assert_eq!((sagittal.normal, sagittal.across, sagittal.down), (0, 1, 2));
    }

    #[test]
    fn flipped_axes_flip_the_screen_direction() {
        let o = Orientation::from_affine(&LPS_TO_RAS_ISH);
        let axial = o.plane_axes(Plane::Axial);
        assert!(axial.across_rightward);
        assert!(axial.down_downward);
    }

    #[test]
    fn permuted_storage_finds_the_right_axes() {
        // Stored as (k = x, i = y, j = z): a sagittal-first acquisition.
        let permuted = [
            [0.0, 0.0, 1.0, 0.0],
            [1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ];
        let o = Orientation::from_affine(&permuted);
        assert!(o.anatomical);
        assert_eq!(o.plane_axes(Plane::Axial).normal, 1);
        assert_eq!(o.plane_axes(Plane::Sagittal).normal, 2);
        assert_eq!(o.plane_of_axis(0), Plane::Coronal);
    }
}
