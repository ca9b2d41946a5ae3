//! Splitting a slice across the machine's cores with scoped threads (no thread pool to keep).

/// Runs `work` on chunks of `items` (at least `min_chunk` long) on up to 8 threads and joins
/// the results in order. A panicking chunk contributes nothing rather than taking the app down.
pub fn map_chunks<T, R, F>(items: &[T], min_chunk: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> Vec<R> + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_every_item() {
        let items: Vec<u32> = (0..10_000).collect();
        let doubled = super::map_chunks(&items, 100, |part| part.iter().map(|x| x * 2).collect());
        assert_eq!(doubled, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(super::map_chunks(&[] as &[u32], 1, |p| p.to_vec()).is_empty());
    }
}
