//! The stored voxel types, by the names numpy gives them, and the one little-endian byte layout
//! voxels travel in (`GET /api/volume/voxels`): the server encodes with it and clients decode
//! with it, so both sides agree on every type.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::volume::Voxels;

/// A stored voxel type. On the wire it is numpy's name (`uint8`, `int16`, `float32`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum VoxelType {
    #[serde(rename = "uint8")]
    U8,
    #[serde(rename = "int8")]
    I8,
    #[serde(rename = "int16")]
    I16,
    #[serde(rename = "uint16")]
    U16,
    #[serde(rename = "int32")]
    I32,
    #[serde(rename = "uint32")]
    U32,
    #[serde(rename = "float32")]
    F32,
    #[serde(rename = "float64")]
    F64,
}

impl VoxelType {
    /// numpy's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::U8 => "uint8",
            Self::I8 => "int8",
            Self::I16 => "int16",
            Self::U16 => "uint16",
            Self::I32 => "int32",
            Self::U32 => "uint32",
            Self::F32 => "float32",
            Self::F64 => "float64",
        }
    }

    /// Bytes per voxel.
    pub fn width(self) -> usize {
        match self {
            Self::U8 | Self::I8 => 1,
            Self::I16 | Self::U16 => 2,
            Self::I32 | Self::U32 | Self::F32 => 4,
            Self::F64 => 8,
        }
    }
}

impl std::fmt::Display for VoxelType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Bytes that are not a whole number of voxels of their type.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{bytes} bytes are not a whole number of {voxel_type} voxels")]
pub struct PartialVoxel {
    pub bytes: usize,
    pub voxel_type: VoxelType,
}

impl Voxels {
    /// The stored type.
    pub fn voxel_type(&self) -> VoxelType {
        match self {
            Voxels::U8(_) => VoxelType::U8,
            Voxels::I8(_) => VoxelType::I8,
            Voxels::I16(_) => VoxelType::I16,
            Voxels::U16(_) => VoxelType::U16,
            Voxels::I32(_) => VoxelType::I32,
            Voxels::U32(_) => VoxelType::U32,
            Voxels::F32(_) => VoxelType::F32,
            Voxels::F64(_) => VoxelType::F64,
        }
    }

    /// The voxels as little-endian bytes, in order.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Voxels::U8(v) => v.clone(),
            Voxels::I8(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Voxels::I16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Voxels::U16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Voxels::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Voxels::U32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Voxels::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Voxels::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }

    /// Voxels of `voxel_type` from their little-endian bytes.
    pub fn from_le_bytes(voxel_type: VoxelType, raw: &[u8]) -> Result<Self, PartialVoxel> {
        if !raw.len().is_multiple_of(voxel_type.width()) {
            return Err(PartialVoxel {
                bytes: raw.len(),
                voxel_type,
            });
        }
        Ok(match voxel_type {
            VoxelType::U8 => Voxels::U8(raw.to_vec()),
            VoxelType::I8 => Voxels::I8(words::<1>(raw).map(i8::from_le_bytes).collect()),
            VoxelType::I16 => Voxels::I16(words::<2>(raw).map(i16::from_le_bytes).collect()),
            VoxelType::U16 => Voxels::U16(words::<2>(raw).map(u16::from_le_bytes).collect()),
            VoxelType::I32 => Voxels::I32(words::<4>(raw).map(i32::from_le_bytes).collect()),
            VoxelType::U32 => Voxels::U32(words::<4>(raw).map(u32::from_le_bytes).collect()),
            VoxelType::F32 => Voxels::F32(words::<4>(raw).map(f32::from_le_bytes).collect()),
            VoxelType::F64 => Voxels::F64(words::<8>(raw).map(f64::from_le_bytes).collect()),
        })
    }
}

/// `raw` in chunks of `N` bytes (a whole number of them: checked by the caller).
fn words<const N: usize>(raw: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    raw.chunks_exact(N).map(|c| {
        let mut word = [0u8; N];
        word.copy_from_slice(c);
        word
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_its_bytes_and_its_name() {
        let all = [
            Voxels::U8(vec![0, 255]),
            Voxels::I8(vec![-128, 127]),
            Voxels::I16(vec![-1024, 3071]),
            Voxels::U16(vec![0, 65535]),
            Voxels::I32(vec![i32::MIN, 7]),
            Voxels::U32(vec![u32::MAX, 0]),
            Voxels::F32(vec![-0.5, f32::INFINITY]),
            Voxels::F64(vec![1e300, -2.25]),
        ];
        for voxels in all {
            let voxel_type = voxels.voxel_type();
            let bytes = voxels.to_le_bytes();
            assert_eq!(bytes.len(), 2 * voxel_type.width());
            assert_eq!(Voxels::from_le_bytes(voxel_type, &bytes), Ok(voxels));
            let json = serde_json::to_string(&voxel_type).expect("encodes");
            assert_eq!(json, format!("\"{}\"", voxel_type.name()));
            assert_eq!(
                serde_json::from_str::<VoxelType>(&json).ok(),
                Some(voxel_type)
            );
        }
    }

    #[test]
    fn bytes_that_split_a_voxel_and_unknown_names_are_refused() {
        assert!(Voxels::from_le_bytes(VoxelType::I16, &[1, 2, 3]).is_err());
        assert!(serde_json::from_str::<VoxelType>("\"complex64\"").is_err());
    }
}
