//! Lists kept for a long time, in allocations of their length.
//!
//! mimalloc shrinks a block in place when at least half of it stays in use, so
//! `shrink_to_fit` and `into_boxed_slice` on a list grown by pushes may keep the whole block.

/// `items` moved into an allocation of their length (as they are when already so).
pub(crate) fn exact_len<T>(mut items: Vec<T>) -> Vec<T> {
    if items.len() == items.capacity() {
        return items;
    }
    let mut exact = Vec::with_capacity(items.len());
    exact.append(&mut items);
    exact
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_grown_list_is_moved_into_room_for_its_items_alone() {
        let mut grown = Vec::with_capacity(64);
        grown.extend([1, 2, 3]);
        let exact = super::exact_len(grown);
        assert_eq!((exact.as_slice(), exact.capacity()), (&[1, 2, 3][..], 3));
    }
}
