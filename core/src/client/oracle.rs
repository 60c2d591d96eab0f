//! An invariant oracle for the client, used by the `client_sequence` fuzz entry (feature
//! `fuzzing`) and by the deterministic simulation (`core/tests/sim.rs` includes this file).
//!
//! It watches every call into a [`Client`] and checks, after each, what the client did
//! against what that call may do:
//!
//! - **only a reply to X changes state through X**: the session state and the handle table
//!   change only as the request a reply answers (its kind, its handle, whether it was addressed
//!   to the session) allows, as an unsolicited `detached` or `timeout` allows, as a timer
//!   expiring a request allows, or as the caller's own command, long-poll status or transport
//!   loss allows; anything else leaves them untouched;
//! - **every pending request ends exactly once**: by its reply, by
//!   [`Event::RequestTimedOut`] or by [`Event::RequestAbandoned`], never twice and never for a
//!   request that was not sent (a `message` answered before its ack waits silently for the
//!   ack); the client's pending requests are exactly those the oracle has seen sent and not
//!   ended.
//!
//! No allocation: it keeps one copy of the handle table and one entry per pending request.
//! The file names nothing itself; the module that includes it provides the client's types.

use super::*;

/// A broken invariant: what was expected, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Violation(pub(crate) &'static str);

/// What the call between [`Oracle::begin`] and [`Oracle::end`] was.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cause<'o, 'a> {
    /// A command (or `poll_transmit`) that wrote this request, of this kind.
    Sent(RequestKind, &'o Transmit),
    /// A call that may change nothing: a refused command, `poll_transmit` without a request,
    /// `long_poll_failed`, a body that did not decode.
    Quiet,
    /// One received message and what the client made of it.
    Received(&'o Output<'a>),
    /// `handle_timeout`.
    Timer,
    /// `long_poll_answered` with this status.
    LongPollAnswered(u16),
    /// `transport_lost`.
    TransportLost,
}

/// A request sent and not ended.
#[derive(Debug, Clone, Copy)]
struct Open {
    id: RequestId,
    kind: RequestKind,
    handle: Option<HandleId>,
    on_session: bool,
    acked: bool,
    /// A `message` whose event came before its ack: ended for the caller, still pending.
    answered: bool,
}

/// The oracle for a `Client<H, P, _>`.
#[derive(Debug)]
pub(crate) struct Oracle<const H: usize, const P: usize> {
    open: [Option<Open>; P],
    /// The client before the call.
    session: SessionState,
    handles: [Option<HandleId>; H],
}

/// What one call may do to the handle table and the session, worked out from its cause.
#[derive(Debug)]
struct Expected {
    session: SessionState,
    added: Option<HandleId>,
    removed: Option<HandleId>,
    removed_all: bool,
    session_ended: bool,
}

fn check(ok: bool, what: &'static str) -> Result<(), Violation> {
    if ok { Ok(()) } else { Err(Violation(what)) }
}

fn route_session(state: SessionState) -> Option<SessionId> {
    match state {
        SessionState::Active(s)
        | SessionState::Destroying(s)
        | SessionState::Claiming(s)
        | SessionState::Disconnected(s) => Some(s),
        _ => None,
    }
}

/// The state after a request of `kind` failed (error, unexpected answer, timeout).
fn failed(kind: RequestKind, state: SessionState) -> SessionState {
    match (kind, state) {
        (RequestKind::Create, SessionState::Creating) => SessionState::Idle,
        (RequestKind::Claim, SessionState::Claiming(s)) => SessionState::Disconnected(s),
        (RequestKind::Destroy, SessionState::Destroying(s)) => SessionState::Active(s),
        (_, other) => other,
    }
}

impl<const H: usize, const P: usize> Oracle<H, P> {
    /// An oracle for a new client.
    pub(crate) const fn new() -> Self {
        Self { open: [None; P], session: SessionState::Idle, handles: [None; H] }
    }

    /// Call before each call into the client.
    pub(crate) fn begin<const E: usize>(&mut self, client: &Client<H, P, E>) {
        self.session = client.session();
        self.handles = [None; H];
        for (slot, handle) in self.handles.iter_mut().zip(client.handles()) {
            *slot = Some(handle);
        }
    }

    fn had(&self, handle: HandleId) -> bool {
        self.handles.contains(&Some(handle))
    }

    fn find(&mut self, id: RequestId) -> Option<&mut Option<Open>> {
        self.open.iter_mut().find(|o| o.is_some_and(|o| o.id == id))
    }

    /// After the call: drains the client's events (handing each to `on_event`) and checks the
    /// call's effects against its `cause`.
    ///
    /// # Errors
    ///
    /// The first broken invariant.
    pub(crate) fn end<const E: usize>(
        &mut self,
        client: &mut Client<H, P, E>,
        cause: Cause<'_, '_>,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<(), Violation> {
        let mut expected = self.expect(cause)?;
        let mut ended_session = false;
        while let Some(event) = client.poll_event() {
            on_event(event);
            match event {
                Event::RequestTimedOut { request, kind } => {
                    check(matches!(cause, Cause::Timer), "a request timed out outside handle_timeout")?;
                    let open = self.end_request(request, kind)?;
                    // A timer changes state only through the requests it expires.
                    expected.session = failed(open.kind, expected.session);
                }
                Event::RequestAbandoned { request, kind, reason } => {
                    let open = self.end_request(request, kind)?;
                    match reason {
                        Abandoned::SessionEnded(SessionEnd::TransportLost) if matches!(cause, Cause::TransportLost) => {
                        }
                        Abandoned::SessionEnded(end) => check(
                            matches!(expected.session, SessionState::Ended(_, e) if e == end),
                            "a request abandoned for a session end that did not happen",
                        )?,
                        Abandoned::HandleDetached => check(
                            open.handle.is_some_and(|h| expected.removed == Some(h) || expected.removed_all),
                            "a request abandoned for a handle that was not removed",
                        )?,
                        #[allow(unreachable_patterns)]
                        _ => return Err(Violation("a request abandoned for an unknown reason")),
                    }
                }
                Event::SessionEnded { session, reason } => {
                    check(!ended_session, "two session ends in one call")?;
                    ended_session = true;
                    check(
                        expected.session == SessionState::Ended(session, reason),
                        "a session end the call does not explain",
                    )?;
                }
                Event::HandleDetached { handle } => check(
                    self.had(handle) && (expected.removed == Some(handle) || expected.removed_all),
                    "a handle removed that the call does not explain",
                )?,
                #[allow(unreachable_patterns)]
                _ => return Err(Violation("an event the oracle does not know")),
            }
        }
        check(ended_session == expected.session_ended, "the session ended without its event, or not at all")?;
        check(client.session() == expected.session, "the session state changed in a way the call does not explain")?;
        self.check_handles(client, &expected)?;
        self.check_pending(client, cause, &expected)
    }

    /// What `cause` may do, and the request it sends or ends.
    fn expect(&mut self, cause: Cause<'_, '_>) -> Result<Expected, Violation> {
        let before = self.session;
        let mut e = Expected { session: before, added: None, removed: None, removed_all: false, session_ended: false };
        let end_session = |e: &mut Expected, reason: SessionEnd| {
            if let Some(s) = route_session(before) {
                e.session = SessionState::Ended(s, reason);
                e.removed_all = true;
                e.session_ended = true;
            }
        };
        match cause {
            Cause::Quiet => {}
            Cause::Sent(kind, t) => {
                let id = t.request.ok_or(Violation("a command wrote no request"))?;
                let Route::Janus { session, handle } = t.route else {
                    return Err(Violation("a request not on the Janus API route"));
                };
                check(self.find(id).is_none(), "a transaction id that is still pending")?;
                let open = Open { id, kind, handle, on_session: session.is_some(), acked: false, answered: false };
                let slot = self.open.iter_mut().find(|o| o.is_none()).ok_or(Violation("more requests than PENDING"))?;
                *slot = Some(open);
                match (kind, session) {
                    (RequestKind::Create, _) => {
                        e.session = SessionState::Creating;
                        e.removed_all = true;
                    }
                    (RequestKind::Claim, Some(s)) => {
                        e.session = SessionState::Claiming(s);
                        e.removed_all = matches!(before, SessionState::Disconnected(old) if old != s);
                    }
                    (RequestKind::Destroy, Some(s)) => e.session = SessionState::Destroying(s),
                    _ => {}
                }
            }
            Cause::Received(output) => match *output {
                Output::Reply { request, kind, message } => {
                    let slot = self.find(request).ok_or(Violation("a reply to a request that is not pending"))?;
                    let open = slot.ok_or(Violation("a reply to a request that is not pending"))?;
                    check(open.kind == kind && !open.answered, "a reply of the wrong kind, or a second answer")?;
                    if kind == RequestKind::Message && matches!(message, Message::Event(_)) && !open.acked {
                        *slot = Some(Open { answered: true, ..open });
                    } else {
                        *slot = None;
                    }
                    match message {
                        Message::Success(success) => match (kind, success.id()) {
                            (RequestKind::Create, Some(id)) => {
                                e.session = SessionState::Active(SessionId(id));
                            }
                            (RequestKind::Claim, _) => {
                                if let SessionState::Claiming(s) = before {
                                    e.session = SessionState::Active(s);
                                }
                            }
                            (RequestKind::Attach, Some(id)) => e.added = Some(HandleId(id)),
                            (RequestKind::Detach, _) => e.removed = open.handle,
                            (RequestKind::Destroy, _) => end_session(&mut e, SessionEnd::Destroyed),
                            _ => e.session = failed(kind, before),
                        },
                        Message::Error(error) => {
                            if error.code == ErrorCode::SessionNotFound && open.on_session {
                                end_session(&mut e, SessionEnd::NotFound);
                            } else {
                                if error.code == ErrorCode::HandleNotFound {
                                    e.removed = open.handle;
                                }
                                e.session = failed(kind, before);
                            }
                        }
                        _ => e.session = failed(kind, before),
                    }
                }
                Output::MalformedReply { request, kind, .. } => {
                    let slot = self.find(request).ok_or(Violation("a reply to a request that is not pending"))?;
                    let open = slot.ok_or(Violation("a reply to a request that is not pending"))?;
                    check(open.kind == kind && !open.answered, "a reply of the wrong kind, or a second answer")?;
                    *slot = None;
                    e.session = failed(kind, before);
                }
                Output::Acked { request } => {
                    let slot = self.find(request).ok_or(Violation("an ack for a request that is not pending"))?;
                    let open = slot.ok_or(Violation("an ack for a request that is not pending"))?;
                    check(open.kind == RequestKind::Message && !open.acked, "an ack the request cannot have")?;
                    *slot = if open.answered { None } else { Some(Open { acked: true, ..open }) };
                }
                Output::Handle { handle, message } => {
                    check(self.had(handle), "an event for a handle the client did not have")?;
                    if matches!(message, Message::Detached(_)) {
                        e.removed = Some(handle);
                    }
                }
                Output::SessionTimedOut { session } => {
                    check(route_session(before) == Some(session), "a timeout for another session")?;
                    end_session(&mut e, SessionEnd::TimedOut);
                }
                _ => {}
            },
            Cause::Timer => {}
            Cause::LongPollAnswered(status) => {
                if matches!(status, 403 | 404) {
                    end_session(&mut e, SessionEnd::LongPollStatus(status));
                }
            }
            Cause::TransportLost => {
                e.session = match before {
                    SessionState::Creating => SessionState::Idle,
                    other => route_session(other).map_or(other, SessionState::Disconnected),
                };
            }
        }
        Ok(e)
    }

    /// Ends request `id` (of `kind`) by a timeout or abandonment event.
    fn end_request(&mut self, id: RequestId, kind: RequestKind) -> Result<Open, Violation> {
        let slot = self.find(id).ok_or(Violation("a request ended twice, or one that was never sent"))?;
        let open = slot.ok_or(Violation("a request ended twice"))?;
        check(open.kind == kind, "an end event with the wrong request kind")?;
        check(!open.answered, "an event for a message that was answered already")?;
        *slot = None;
        Ok(open)
    }

    fn check_handles<const E: usize>(&self, client: &Client<H, P, E>, e: &Expected) -> Result<(), Violation> {
        let kept = |h: HandleId| !e.removed_all && e.removed != Some(h);
        let mut count = 0usize;
        for (i, handle) in client.handles().enumerate() {
            count = count.saturating_add(1);
            check(client.handles().skip(i.saturating_add(1)).all(|other| other != handle), "a handle twice")?;
            let explained = (self.had(handle) && kept(handle)) || e.added == Some(handle);
            check(explained, "a handle appeared that the call does not explain")?;
        }
        let expected = self.handles.iter().flatten().filter(|h| kept(**h) && e.added != Some(**h)).count();
        let expected = expected.saturating_add(usize::from(e.added.is_some()));
        check(count == expected, "a handle disappeared that the call does not explain")
    }

    fn check_pending<const E: usize>(
        &mut self,
        client: &Client<H, P, E>,
        cause: Cause<'_, '_>,
        e: &Expected,
    ) -> Result<(), Violation> {
        let transport_lost = matches!(cause, Cause::TransportLost);
        for slot in &mut self.open {
            let Some(open) = *slot else { continue };
            let handle_gone = open.handle.is_some_and(|h| e.removed_all || e.removed == Some(h));
            // Requests the session's end, the transport's loss or the handle's removal must
            // have ended (by an event, or silently for an answered message).
            let must_end = transport_lost
                || (e.session_ended && !matches!(open.kind, RequestKind::Info | RequestKind::Ping))
                || (handle_gone && open.kind != RequestKind::Detach);
            if open.answered && !client.is_pending(open.id) {
                // Its ack never came: it may go silently when it expires or is abandoned.
                check(must_end || matches!(cause, Cause::Timer), "an answered message vanished")?;
                *slot = None;
                continue;
            }
            check(!must_end, "a request outlived its session, transport or handle")?;
            check(client.is_pending(open.id), "a pending request vanished without an end")?;
        }
        let open = self.open.iter().flatten().count();
        check(client.pending_requests() == open, "the client has a pending request the oracle never saw sent")
    }
}
