//! The request/answer conveniences both drivers share: they only need a way to run one
//! command and a way to wait for events.

use serde::Serialize;

use super::DriverError;
use crate::client::{Client, ClientError, Output, RequestId, RequestKind, Transmit};
use crate::message::Message;
use crate::time::Instant;

/// What a driver does on the wire: one request with its response, and one wait for events.
pub(super) trait Exchange<const HANDLES: usize, const PENDING: usize, const EVENTS: usize> {
    /// The stream's error.
    type Error;

    /// The client, the current time and the buffer a command writes its request into.
    fn command_parts(&mut self) -> (&mut Client<HANDLES, PENDING, EVENTS>, Instant, &mut [u8]);

    /// Sends the request a command wrote and hands the outputs of its response to
    /// `on_output`.
    fn transfer(
        &mut self,
        transmit: Transmit,
        on_output: &mut dyn FnMut(Output<'_>),
    ) -> Result<RequestId, DriverError<Self::Error>>;

    /// Waits for one long-poll answer and hands its outputs to `on_output`.
    fn wait_for_events(&mut self, on_output: &mut dyn FnMut(Output<'_>)) -> Result<(), DriverError<Self::Error>>;

    /// The state machine.
    fn state(&self) -> &Client<HANDLES, PENDING, EVENTS>;
}

/// Runs a client command, sends what it wrote, and hands the outputs of the response to
/// `on_output`.
pub(super) fn call<X: Exchange<H, P, E>, const H: usize, const P: usize, const E: usize>(
    driver: &mut X,
    command: impl FnOnce(&mut Client<H, P, E>, Instant, &mut [u8]) -> Result<Transmit, ClientError>,
    on_output: &mut dyn FnMut(Output<'_>),
) -> Result<RequestId, DriverError<X::Error>> {
    let (client, now, out) = driver.command_parts();
    let transmit = command(client, now, out)?;
    driver.transfer(transmit, on_output)
}

/// Runs `command` and returns the `data.id` of its `success`.
pub(super) fn expect_id<X: Exchange<H, P, E>, const H: usize, const P: usize, const E: usize>(
    driver: &mut X,
    command: impl FnOnce(&mut Client<H, P, E>, Instant, &mut [u8]) -> Result<Transmit, ClientError>,
) -> Result<u64, DriverError<X::Error>> {
    let (client, now, out) = driver.command_parts();
    let transmit = command(client, now, out);
    transfer_expecting_id(driver, transmit)
}

/// [`expect_id`] after the command: one copy for all commands (not inlined into each, which
/// keeps small targets' flash small).
#[inline(never)]
fn transfer_expecting_id<X: Exchange<H, P, E>, const H: usize, const P: usize, const E: usize>(
    driver: &mut X,
    transmit: Result<Transmit, ClientError>,
) -> Result<u64, DriverError<X::Error>> {
    let mut outcome = Err(DriverError::UnexpectedReply);
    driver.transfer(transmit?, &mut |output| match output {
        Output::Reply { message, .. } => {
            outcome = match message {
                Message::Success(s) => s.id().ok_or(DriverError::UnexpectedReply),
                Message::Error(e) => Err(DriverError::Janus { code: e.code.code() }),
                _ => Err(DriverError::UnexpectedReply),
            };
        }
        Output::MalformedReply { .. } => outcome = Err(DriverError::MalformedReply),
        _ => {}
    })?;
    outcome
}

/// Runs `command` (a `detach`, `destroy`, `hangup`, `claim` or `keepalive`) and checks that it
/// succeeded (`success`, or the `ack` that answers a `keepalive`).
pub(super) fn expect_success<X: Exchange<H, P, E>, const H: usize, const P: usize, const E: usize>(
    driver: &mut X,
    command: impl FnOnce(&mut Client<H, P, E>, Instant, &mut [u8]) -> Result<Transmit, ClientError>,
) -> Result<(), DriverError<X::Error>> {
    let (client, now, out) = driver.command_parts();
    let transmit = command(client, now, out);
    transfer_expecting_success(driver, transmit)
}

/// [`expect_success`] after the command: one copy for all commands.
#[inline(never)]
fn transfer_expecting_success<X: Exchange<H, P, E>, const H: usize, const P: usize, const E: usize>(
    driver: &mut X,
    transmit: Result<Transmit, ClientError>,
) -> Result<(), DriverError<X::Error>> {
    let mut outcome = Err(DriverError::UnexpectedReply);
    driver.transfer(transmit?, &mut |output| {
        if let Output::MalformedReply { .. } = output {
            outcome = Err(DriverError::MalformedReply);
        }
        if let Output::Reply { kind, message, .. } = output
            && matches!(
                kind,
                RequestKind::Detach
                    | RequestKind::Destroy
                    | RequestKind::Hangup
                    | RequestKind::Claim
                    | RequestKind::Keepalive
            )
        {
            outcome = match message {
                Message::Success(_) => Ok(()),
                Message::Ack(_) if kind == RequestKind::Keepalive => Ok(()),
                Message::Error(e) => Err(DriverError::Janus { code: e.code.code() }),
                _ => Err(DriverError::UnexpectedReply),
            };
        }
    })?;
    outcome
}

/// Sends a `message` and waits (for events, handing other outputs to `on_output`) for the
/// plugin's answer, which `on_reply` receives.
pub(super) fn message<X, B, J, const H: usize, const P: usize, const E: usize>(
    driver: &mut X,
    handle: crate::ids::HandleId,
    body: &B,
    jsep: Option<&J>,
    on_reply: &mut dyn FnMut(Message<'_>),
    on_output: &mut dyn FnMut(Output<'_>),
) -> Result<(), DriverError<X::Error>>
where
    X: Exchange<H, P, E>,
    B: ?Sized + Serialize,
    J: ?Sized + Serialize,
{
    let mut wait = Wait { answered: false, failure: None, malformed: false };
    // The POST's own response carries only this request's ack or synchronous answer.
    let request = call(driver, |c, now, out| c.message(now, out, handle, body, jsep), &mut |output| {
        wait.deliver(output, None, on_reply, on_output);
    })?;
    while !wait.answered {
        if !driver.state().is_pending(request) {
            return Err(DriverError::NoReply);
        }
        driver.wait_for_events(&mut |output| wait.deliver(output, Some(request), on_reply, on_output))?;
    }
    if wait.malformed {
        return Err(DriverError::MalformedReply);
    }
    wait.failure.map_or(Ok(()), |code| Err(DriverError::Janus { code }))
}

/// Waiting for the answer to one request.
struct Wait {
    answered: bool,
    failure: Option<u64>,
    /// The answer could not be read ([`Output::MalformedReply`], also handed to `on_output`).
    malformed: bool,
}

impl Wait {
    /// Hands the answer (to `request`, or to any request when `None`) to `on_reply` and
    /// anything else to `on_output`.
    fn deliver(
        &mut self,
        output: Output<'_>,
        request: Option<RequestId>,
        on_reply: &mut dyn FnMut(Message<'_>),
        on_output: &mut dyn FnMut(Output<'_>),
    ) {
        match output {
            Output::Reply { request: answered, message, .. } if request.is_none_or(|r| r == answered) => {
                if let Message::Error(e) = message {
                    self.failure = Some(e.code.code());
                }
                self.answered = true;
                on_reply(message);
            }
            Output::MalformedReply { request: answered, .. } if request.is_none_or(|r| r == answered) => {
                self.answered = true;
                self.malformed = true;
                on_output(output);
            }
            other => on_output(other),
        }
    }
}
