//! A column of an index section stored narrow or wide.
//!
//! An index keeps a section of unsigned values as u16 when every value fits and as u32
//! otherwise (postings offsets, the MinHash units' files, lines and token counts): most
//! are small, and the narrow form halves the bytes. Readers see one type.

/// A column of unsigned values stored narrow (u16) or wide (u32).
#[derive(Clone, Copy, Debug)]
pub enum Column<'a> {
    /// u16 values: the usual case.
    Narrow(&'a [u16]),
    /// u32 values: a section with a value past 65,535.
    Wide(&'a [u32]),
}

impl Column<'_> {
    /// The value at `i`, if there is one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u32> {
        match self {
            Column::Narrow(values) => values.get(i).map(|&v| u32::from(v)),
            Column::Wide(values) => values.get(i).copied(),
        }
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        match self {
            Column::Narrow(values) => values.len(),
            Column::Wide(values) => values.len(),
        }
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many values are below `value` (the column sorted ascending).
    pub fn below(&self, value: u64) -> usize {
        match self {
            Column::Narrow(values) => values.partition_point(|&v| u64::from(v) < value),
            Column::Wide(values) => values.partition_point(|&v| u64::from(v) < value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_and_wide_read_alike() {
        let (narrow, wide) = (Column::Narrow(&[1, 5, 5, 9]), Column::Wide(&[1, 5, 5, 9]));
        for column in [narrow, wide] {
            assert_eq!(column.get(2), Some(5));
            assert_eq!(column.get(4), None);
            assert_eq!((column.below(5), column.below(6), column.len()), (1, 3, 4));
        }
    }
}
