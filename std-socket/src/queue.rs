//! The bounded queues between the connection and its caller: events waiting to be taken, and
//! replies waiting for the call that sent their request. Both are bounded, so a caller that
//! stops reading cannot make the process grow without limit; what a full queue drops is
//! counted and logged, never silent.

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
        Self { items: VecDeque::new(), limit: limit.max(1), dropped: 0 }
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

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many items were dropped because the queue was full.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Most replies a connection keeps for calls that have not collected them yet.
pub(crate) const MAX_REPLIES: usize = 512;

/// Replies by request, for the calls that wait for them. At most [`MAX_REPLIES`]: beyond that
/// the oldest go (replies to requests whose caller gave up), but never the one a call is
/// waiting for right now.
#[derive(Debug)]
pub(crate) struct Replies<K, V> {
    entries: VecDeque<(K, V)>,
    awaiting: Option<K>,
    dropped: u64,
}

impl<K: PartialEq + Copy, V> Replies<K, V> {
    pub(crate) fn new() -> Self {
        Self { entries: VecDeque::new(), awaiting: None, dropped: 0 }
    }

    /// The request a call is waiting for (kept whatever arrives), or `None`.
    pub(crate) fn await_reply(&mut self, request: Option<K>) {
        self.awaiting = request;
    }

    /// Stores the reply to `request` (a newer one for the same request replaces it).
    pub(crate) fn insert(&mut self, request: K, reply: V) {
        if let Some(entry) = self.entries.iter_mut().find(|(k, _)| *k == request) {
            entry.1 = reply;
            return;
        }
        self.entries.push_back((request, reply));
        if self.entries.len() > MAX_REPLIES {
            let awaiting = self.awaiting;
            if let Some(oldest) = self.entries.iter().position(|(k, _)| Some(*k) != awaiting) {
                self.entries.remove(oldest);
                self.dropped = self.dropped.saturating_add(1);
            }
        }
    }

    /// Removes and returns the reply to `request`.
    pub(crate) fn take(&mut self, request: K) -> Option<V> {
        let index = self.entries.iter().position(|(k, _)| *k == request)?;
        self.entries.remove(index).map(|(_, v)| v)
    }

    pub(crate) fn contains(&self, request: K) -> bool {
        self.entries.iter().any(|(k, _)| *k == request)
    }

    /// How many uncollected replies were dropped to stay within [`MAX_REPLIES`].
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
        assert!(queue.is_empty());
    }

    #[test]
    fn replies_beyond_the_limit_drop_the_oldest_but_never_the_awaited_one() {
        let mut replies = Replies::new();
        replies.insert(0u32, "the one a call waits for");
        replies.await_reply(Some(0));
        for request in 1..(MAX_REPLIES as u32 + 10) {
            replies.insert(request, "nobody collects this");
        }
        assert_eq!(replies.dropped(), 10);
        assert_eq!(replies.take(0), Some("the one a call waits for"));
        assert!(!replies.contains(1), "the oldest uncollected replies went");
        assert!(replies.contains(MAX_REPLIES as u32 + 9), "the newest stay");
        replies.insert(5000, "first");
        replies.insert(5000, "second");
        assert_eq!(replies.take(5000), Some("second"));
        assert_eq!(replies.take(5000), None);
    }
}
