//! Reading the small binary files a run leaves for the next (object pages' notes, load cache
//! entries): little-endian numbers, each read checking that its bytes are there, so that a cut
//! or damaged file reads as `None` instead of panicking.

pub(crate) struct ByteReader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> ByteReader<'b> {
    pub(crate) fn new(bytes: &'b [u8]) -> ByteReader<'b> {
        ByteReader { bytes, at: 0 }
    }

    /// Where the next read starts.
    pub(crate) fn at(&self) -> usize {
        self.at
    }

    /// The bytes not read yet.
    pub(crate) fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(taken)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array().map(u8::from_le_bytes)
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub(crate) fn i64(&mut self) -> Option<i64> {
        self.array().map(i64::from_le_bytes)
    }

    pub(crate) fn u128(&mut self) -> Option<u128> {
        self.array().map(u128::from_le_bytes)
    }

    /// The next `n` bytes, when they are UTF-8.
    pub(crate) fn utf8(&mut self, n: usize) -> Option<&'b str> {
        std::str::from_utf8(self.take(n)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_past_the_end_or_of_bad_utf8_is_none_and_the_rest_reads_on() {
        let mut reader = ByteReader::new(&[7, 0, 0, 0, b'o', b'k', 0xff, 1]);
        assert_eq!((reader.u32(), reader.utf8(2), reader.left()), (Some(7), Some("ok"), 2));
        assert_eq!(reader.utf8(1), None);
        assert_eq!((reader.i64(), reader.u8(), reader.u8(), reader.at()), (None, Some(1), None, 8));
    }
}
