//! The echotest cycle with janus-signal-socket, as a user writes it: one `Janus` connection
//! (default `Options`), and per cycle create, attach, message → ack + event, detach, destroy.
//! The plugin's answer is read where it arrived (`message_with_reply`); `message`, which
//! returns it owned, costs one allocation more per cycle.

use janus_signal_bench_e2e::{args, exit_on_error, measure};
use janus_signal_socket::janus_signal::message::Message;
use janus_signal_socket::{Error, Janus, Options};

#[derive(serde::Serialize)]
struct EchoBody {
    audio: bool,
    video: bool,
}

fn cycle(janus: &mut Janus) -> Result<(), Error> {
    janus.create_session()?;
    let handle = janus.attach("janus.plugin.echotest", None)?;
    // Returns the plugin's event; the ack (before or after it) is the client's business.
    let body = EchoBody { audio: true, video: true };
    if !janus.message_with_reply(handle, &body, None::<&()>, |answer| matches!(answer, Message::Event(_)))? {
        return Err(Error::Unexpected("echotest answered without an event"));
    }
    janus.detach(handle)?;
    janus.destroy_session()
}

fn main() {
    let args = args();
    let result = Janus::connect(&args.url, Options::default())
        .map_err(|e| format!("connect to {}: {e}", args.url))
        .and_then(|mut janus| measure("ours", &args, || cycle(&mut janus)));
    exit_on_error("ours", result);
}
