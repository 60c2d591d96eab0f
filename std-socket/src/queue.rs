//! The bounded queue between the connection and its caller: events waiting to be taken. A
//! caller that stops reading cannot make the process grow without limit; what a full queue
//! drops is counted and logged, never silent. (Replies need no queue: each call takes its own
//! answer as it arrives.)

use std::collections::VecDeque;

/// Events waiting for the caller, at most `limit`: when full, the oldest goes (counted).
#[derive(Debug)]
pub(crate) struct EventQueue<T> {
    items: VecDeque<T>,
    limit: usize,
    dropped: u64,
}

impl<T> EventQueue<T> {
    /// An empty queue holding at most `limit` items (at least one).
    pub(crate) fn new(limit: usize) -> Self {
        // Room for the whole queue up to 1024 events at once: a queue that fills up does not
        // reallocate while the session runs.
        Self { items: VecDeque::with_capacity(limit.clamp(1, 1024)), limit: limit.max(1), dropped: 0 }
    }

    /// Adds an item; when the queue is full the oldest item is dropped, counted and logged.
    pub(crate) fn push(&mut self, item: T) {
        if self.items.len() >= self.limit && self.items.pop_front().is_some() {
            self.dropped = self.dropped.saturating_add(1);
            // Once, then at every power of two, so that a flood does not flood the log too.
            if self.dropped.is_power_of_two() {
                log::warn!(
                    "{} events dropped so far: the caller does not take them (queue limit {})",
                    self.dropped,
                    self.limit
                );
            }
        }
        self.items.push_back(item);
    }

    /// Removes and returns the oldest item `wanted` accepts.
    pub(crate) fn take_first(&mut self, wanted: impl Fn(&T) -> bool) -> Option<T> {
        let index = self.items.iter().position(wanted)?;
        self.items.remove(index)
    }

    /// How many items were dropped because the queue was full.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_event_queue_drops_the_oldest_and_counts() {
        let mut queue = EventQueue::new(3);
        for i in 0..10 {
            queue.push(i);
        }
        assert_eq!(queue.dropped(), 7);
        assert_eq!(queue.take_first(|_| true), Some(7));
        assert_eq!(queue.take_first(|i| *i == 9), Some(9));
        assert_eq!(queue.take_first(|_| true), Some(8));
        assert_eq!(queue.take_first(|_| true), None);
    }
}
