//! Hashes of every k-gram (window of `k` consecutive token values).
//!
//! A k-gram's hash is the polynomial `sum(v_i * BASE^(k-1-i))` over its token values,
//! wrapping modulo 2^64, passed through [`fmix64`] so that neighbouring k-grams give
//! unrelated hashes. Its *tag* is the top 16 bits of the same hash over the concrete
//! values: two k-grams with one hash and one tag are, but for a chance of 2^-16, the same
//! code with the same names. Both are part of the index format.

use crate::mix::{fmix64, BASE};

/// The hash of every window of `k` values (none when there are fewer than `k`).
pub fn kgram_hashes(values: &[u64], k: usize) -> Vec<u64> {
    if k == 0 || values.len() < k {
        return Vec::new();
    }
    // The polynomial sum_i values[i] * BASE^(k-1-i) (mod 2^64) rolled from one window to the
    // next: drop the oldest value's term, shift, add the new value. Wrapping arithmetic is
    // exact in that ring, so every window gets the value the direct sum gives.
    let top = (1..k).fold(1u64, |power, _| power.wrapping_mul(BASE));
    let mut sum = polynomial(&values[..k]);
    let mut out = Vec::with_capacity(values.len() - k + 1);
    out.push(fmix64(sum));
    for (&old, &new) in values.iter().zip(&values[k..]) {
        sum = sum
            .wrapping_sub(old.wrapping_mul(top))
            .wrapping_mul(BASE)
            .wrapping_add(new);
        out.push(fmix64(sum));
    }
    out
}

/// `sum_i window[i] * BASE^(len-1-i)`, wrapping: a k-gram's hash before mixing.
fn polynomial(window: &[u64]) -> u64 {
    window
        .iter()
        .fold(0u64, |acc, &v| acc.wrapping_mul(BASE).wrapping_add(v))
}

/// The 16-bit tag of one window of concrete values (one element of [`kgram_tags`]).
pub fn kgram_tag(window: &[u64]) -> u16 {
    tag_of(fmix64(polynomial(window)))
}

fn tag_of(hash: u64) -> u16 {
    (hash >> 48) as u16
}

/// The 16-bit tag of every window of `k` concrete values.
pub fn kgram_tags(concrete: &[u64], k: usize) -> Vec<u16> {
    kgram_hashes(concrete, k).into_iter().map(tag_of).collect()
}

/// How many marked positions each window of `k` holds.
pub fn window_counts(marked: &[bool], k: usize) -> Vec<i64> {
    if k == 0 || marked.len() < k {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(marked.len() - k + 1);
    let mut count: i64 = marked[..k].iter().map(|&m| i64::from(m)).sum();
    out.push(count);
    for i in k..marked.len() {
        count += i64::from(marked[i]) - i64::from(marked[i - k]);
        out.push(count);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolled_windows_equal_the_direct_sum() {
        let values: Vec<u64> = (0..200u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i << 7))
            .collect();
        for k in [1, 2, 5, 24] {
            let direct: Vec<u64> = values
                .windows(k)
                .map(|w| {
                    fmix64(
                        w.iter()
                            .fold(0u64, |acc, &v| acc.wrapping_mul(BASE).wrapping_add(v)),
                    )
                })
                .collect();
            assert_eq!(kgram_hashes(&values, k), direct, "k = {k}");
        }
    }

    #[test]
    fn one_tag_is_the_tag_of_its_window() {
        let values: Vec<u64> = (0..40u64).map(|i| i * 7919).collect();
        let tags = kgram_tags(&values, 6);
        assert!((0..tags.len()).all(|at| kgram_tag(&values[at..at + 6]) == tags[at]));
    }

    #[test]
    fn one_hash_per_window() {
        let values: Vec<u64> = (1..=20).collect();
        assert_eq!(kgram_hashes(&values, 12).len(), 9);
        assert!(kgram_hashes(&values, 21).is_empty());
        assert!(kgram_hashes(&values, 0).is_empty());
    }

    #[test]
    fn a_window_hash_depends_only_on_its_values() {
        let a = kgram_hashes(&[9, 1, 2, 3], 3);
        let b = kgram_hashes(&[1, 2, 3, 7], 3);
        assert_eq!(a[1], b[0]);
        assert_ne!(a[0], a[1]);
    }

    #[test]
    fn counts_slide() {
        assert_eq!(window_counts(&[true, false, true, true], 2), [1, 1, 2]);
    }
}
