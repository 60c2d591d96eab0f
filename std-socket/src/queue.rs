//! The bounded queue between the connection and its caller: events waiting to be taken. A
//! caller that stops reading cannot make the process grow without limit; what a full queue
//! drops is counted and logged, never silent. (Replies need no queue: each call takes its own
//! answer as it arrives.)
//!
//! A handle's message is kept as its bytes in one ring of bytes that the queue reserves once,
//! not as an [`OwnedMessage`] of its own: the owned value (and its allocation) is made when the
//! caller takes the event. A session whose events nobody takes (or takes late) allocates
//! nothing for them once the ring has grown to the size they need.

use std::collections::VecDeque;

use janus_signal::HandleId;

use crate::janus::{Event, OwnedMessage};

/// Room reserved for messages' bytes when the queue is made (it grows when more are waiting).
const BYTES_RESERVED: usize = 64 * 1024;

/// An event waiting in the queue.
#[derive(Debug)]
enum Queued {
    /// An event without a message of its own.
    Event(Event),
    /// A message for `handle`: the next `len` bytes of the ring.
    Handle {
        handle: HandleId,
        len: usize,
        /// Taken out of order: its bytes stay in the ring until everything before them goes.
        taken: bool,
    },
}

/// What a caller's filter sees of a waiting event.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Peek<'a> {
    /// An event without a message of its own.
    Event(&'a Event),
    /// A message for this handle.
    Handle(HandleId),
}

/// Events waiting for the caller, at most `limit`: when full, the oldest goes (counted).
#[derive(Debug)]
pub(crate) struct EventQueue {
    items: VecDeque<Queued>,
    /// The bytes of the [`Queued::Handle`] items, in their order.
    bytes: VecDeque<u8>,
    /// Items not taken.
    waiting: usize,
    limit: usize,
    dropped: u64,
}

impl EventQueue {
    /// An empty queue holding at most `limit` items (at least one).
    pub(crate) fn new(limit: usize) -> Self {
        // Room for the whole queue up to 1024 events at once: a queue that fills up does not
        // reallocate while the session runs.
        Self {
            items: VecDeque::with_capacity(limit.clamp(1, 1024)),
            bytes: VecDeque::with_capacity(BYTES_RESERVED),
            waiting: 0,
            limit: limit.max(1),
            dropped: 0,
        }
    }

    /// Adds an event; when the queue is full the oldest is dropped, counted and logged.
    pub(crate) fn push(&mut self, event: Event) {
        self.make_room();
        self.items.push_back(Queued::Event(event));
        self.waiting += 1;
    }

    /// Adds a message for `handle` (its JSON text), as [`push`](Self::push) does an event.
    pub(crate) fn push_handle(&mut self, handle: HandleId, json: &[u8]) {
        self.make_room();
        self.bytes.extend(json);
        self.items.push_back(Queued::Handle { handle, len: json.len(), taken: false });
        self.waiting += 1;
    }

    /// Drops the oldest waiting event when the queue is full.
    fn make_room(&mut self) {
        if self.waiting < self.limit {
            return;
        }
        self.forget_taken_front();
        if let Some(oldest) = self.items.pop_front() {
            if let Queued::Handle { len, .. } = oldest {
                self.bytes.drain(..len);
            }
            self.waiting -= 1;
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
    }

    /// Removes the items taken out of order at the front, with their bytes.
    fn forget_taken_front(&mut self) {
        while let Some(Queued::Handle { len, taken: true, .. }) = self.items.front() {
            let len = *len;
            self.bytes.drain(..len);
            self.items.pop_front();
        }
    }

    /// Removes and returns the oldest event `wanted` accepts.
    pub(crate) fn take_first(&mut self, wanted: impl Fn(Peek<'_>) -> bool) -> Option<Event> {
        let mut offset = 0;
        let mut found = None;
        for (index, item) in self.items.iter().enumerate() {
            match item {
                Queued::Event(event) if wanted(Peek::Event(event)) => {
                    found = Some((index, offset));
                    break;
                }
                Queued::Event(_) => {}
                Queued::Handle { handle, len, taken } => {
                    if !taken && wanted(Peek::Handle(*handle)) {
                        found = Some((index, offset));
                        break;
                    }
                    offset += len;
                }
            }
        }
        let (index, offset) = found?;
        self.waiting -= 1;
        let event = match self.items.get_mut(index)? {
            Queued::Event(_) => match self.items.remove(index)? {
                Queued::Event(event) => event,
                Queued::Handle { .. } => return None,
            },
            Queued::Handle { handle, len, taken } => {
                *taken = true;
                let json: Vec<u8> = self.bytes.range(offset..offset + *len).copied().collect();
                Event::Handle { handle: *handle, message: OwnedMessage::from_json(json) }
            }
        };
        self.forget_taken_front();
        Some(event)
    }

    /// How many items were dropped because the queue was full.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u64) -> Vec<u8> {
        format!(r#"{{"janus":"event","sender":{n},"plugindata":{{"plugin":"p","data":{{"n":{n}}}}}}}"#).into_bytes()
    }

    fn number(event: &Event) -> Option<u64> {
        match event {
            Event::Handle { message, .. } => message.message().sender().map(|h| h.0),
            Event::HandleDetached(h) => Some(h.0),
            _ => None,
        }
    }

    #[test]
    fn a_full_event_queue_drops_the_oldest_and_counts() {
        let mut queue = EventQueue::new(3);
        for i in 0..10 {
            if i % 2 == 0 {
                queue.push_handle(HandleId(i), &message(i));
            } else {
                queue.push(Event::HandleDetached(HandleId(i)));
            }
        }
        assert_eq!(queue.dropped(), 7);
        let first = queue.take_first(|_| true).expect("waiting");
        assert_eq!(number(&first), Some(7));
        let nine = queue.take_first(|p| matches!(p, Peek::Event(Event::HandleDetached(HandleId(9)))));
        assert_eq!(nine.as_ref().and_then(number), Some(9));
        assert_eq!(queue.take_first(|_| true).as_ref().and_then(number), Some(8));
        assert!(queue.take_first(|_| true).is_none());
        assert!(queue.bytes.is_empty(), "every message's bytes are gone with it");
    }

    #[test]
    fn messages_taken_out_of_order_keep_the_others_whole() {
        let mut queue = EventQueue::new(10);
        for i in 1..=5 {
            queue.push_handle(HandleId(i), &message(i));
        }
        // The middle ones first, then the rest in order.
        for wanted in [3, 2, 4] {
            let event = queue.take_first(|p| matches!(p, Peek::Handle(h) if h.0 == wanted)).expect("queued");
            assert_eq!(number(&event), Some(wanted));
        }
        assert_eq!(queue.take_first(|_| true).as_ref().and_then(number), Some(1));
        // 1 was at the front: the bytes of 1, 2, 3 and 4 are gone, 5's stay.
        assert_eq!(queue.bytes.len(), message(5).len());
        queue.push_handle(HandleId(6), &message(6));
        assert_eq!(queue.take_first(|_| true).as_ref().and_then(number), Some(5));
        assert_eq!(queue.take_first(|_| true).as_ref().and_then(number), Some(6));
        assert!(queue.bytes.is_empty() && queue.items.is_empty());
    }

    #[test]
    fn the_limit_counts_waiting_events_not_those_taken() {
        let mut queue = EventQueue::new(2);
        queue.push_handle(HandleId(1), &message(1));
        queue.push_handle(HandleId(2), &message(2));
        assert!(queue.take_first(|p| matches!(p, Peek::Handle(HandleId(2)))).is_some());
        queue.push_handle(HandleId(3), &message(3));
        assert_eq!(queue.dropped(), 0, "one waited, one was taken: room for a second");
        queue.push_handle(HandleId(4), &message(4));
        assert_eq!(queue.dropped(), 1);
        assert_eq!(queue.take_first(|_| true).as_ref().and_then(number), Some(3));
        assert_eq!(queue.take_first(|_| true).as_ref().and_then(number), Some(4));
        assert!(queue.bytes.is_empty());
    }
}
