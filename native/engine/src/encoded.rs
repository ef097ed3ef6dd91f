//! Where a text may hold a base64 or hex block: the runs of their alphabets long enough.
//!
//! The decoder of encoded blocks (`leakguard/decode/encodings.py`) reads a block with
//! regular expressions, which cost Python about 15 ns a character to run over a text.
//! This pass finds, at memory speed, the few places where a block can start (a run of
//! base64 characters, which hex digits are too, long enough), and the expressions run
//! there only: nearly every text has none.

/// Whether `byte` is in the base64 alphabet (standard or URL-safe, without padding).
#[inline]
fn base64_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'_' | b'-')
}

/// The runs of at least `min_len` base64 characters in `text`, as (start, end) offsets in
/// characters (Unicode scalar values), in order.
pub fn encoded_runs(text: &str, min_len: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = 0usize;
    let mut length = 0usize;
    let mut position = 0usize;
    for character in text.chars() {
        let byte = u8::try_from(u32::from(character)).unwrap_or(0);
        if character.is_ascii() && base64_byte(byte) {
            if length == 0 {
                start = position;
            }
            length += 1;
        } else {
            if length >= min_len.max(1) {
                runs.push((start, position));
            }
            length = 0;
        }
        position += 1;
    }
    if length >= min_len.max(1) {
        runs.push((start, position));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::encoded_runs;

    #[test]
    fn runs_are_found_in_characters() {
        assert_eq!(encoded_runs("é abcd é abcdef", 4), vec![(2, 6), (9, 15)]);
        assert_eq!(encoded_runs("abcdef", 7), vec![]);
        assert_eq!(encoded_runs("", 0), vec![]);
    }
}
