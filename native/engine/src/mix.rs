//! Bit mixing shared by every hash of the engine.
//!
//! All hashes are wrapping arithmetic on `u64` followed by MurmurHash3's 64-bit
//! finaliser, a bijection that spreads every input bit over the output. The constants are
//! part of the index format: changing one changes every fingerprint.

/// An odd multiplier with well-mixed bits (from SplitMix64): the base of the polynomial
/// hashes of spellings and k-grams.
pub const BASE: u64 = 0x9E37_79B9_7F4A_7C15;

/// MurmurHash3's 64-bit finaliser.
#[inline]
pub fn fmix64(mut value: u64) -> u64 {
    value ^= value >> 33;
    value = value.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    value ^= value >> 33;
    value = value.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    value ^ (value >> 33)
}

/// MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting.
#[inline]
pub fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Fixed by the index format (the same values the numpy engine produced).
        assert_eq!(fmix64(0), 0);
        assert_eq!(fmix64(1), 0xB456_BCFC_34C2_CB2C);
    }

    #[test]
    fn fmix32_known_values() {
        assert_eq!(fmix32(0), 0);
        assert_eq!(fmix32(1), 0x514E_28B7);
    }

    #[test]
    fn distinct_inputs_stay_distinct() {
        let mut seen: Vec<u64> = (0..10_000u64).map(fmix64).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 10_000);
    }
}
