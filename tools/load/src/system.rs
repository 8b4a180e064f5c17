//! The three systems under test and how each one's chat protocol is spoken: PinTalk's
//! (docs/protocol.md) and the two peers' (../shared/peers/README.md).

use std::borrow::Cow;

use clap::ValueEnum;
use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    Pintalk,
    Channels,
    Socketio,
}

/// What one incoming text frame means to the load tool.
#[derive(Debug, PartialEq)]
pub enum Event<'a> {
    /// A chat message; `seq` only from PinTalk.
    Chat {
        body: Cow<'a, str>,
        seq: Option<u64>,
    },
    /// PinTalk acknowledged a send.
    Ack,
    /// PinTalk's `ready`, or Socket.IO's namespace connect `40{…}`.
    Ready,
    /// Socket.IO's engine open packet `0{…}`.
    Open,
    /// Socket.IO's ping `2`, to answer with `3`.
    Ping,
    /// PinTalk's `error` frame, by code.
    Error(String),
    /// PinTalk refused the send of this cid with `overloaded`: send it again later.
    Overloaded(Cow<'a, str>),
    /// Anything else (presence, typing, room events, …).
    Other,
}

/// Just the fields of PinTalk's server frames the tool looks at.
#[derive(Deserialize)]
struct PintalkFrame<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default, borrow)]
    code: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    cid: Option<Cow<'a, str>>,
}

impl System {
    /// The WebSocket path on a server's base URL (`ws://host:port`).
    pub fn ws_url(self, base: &str) -> String {
        let base = base.trim_end_matches('/');
        match self {
            System::Pintalk => format!("{base}/ws"),
            System::Channels => format!("{base}/ws/"),
            System::Socketio => format!("{base}/socket.io/?EIO=4&transport=websocket"),
        }
    }

    /// The frame that sends `body` to `room`. Bodies and rooms the tool makes need no JSON
    /// escaping (digits, letters, `.`, `-`), which the constructors guarantee.
    pub fn send_frame(self, room: &str, body: &str, cid: u64) -> String {
        match self {
            System::Pintalk => {
                format!(r#"{{"type":"send","room":"{room}","body":"{body}","cid":"l{cid}"}}"#)
            }
            System::Channels => format!(r#"{{"t":"m","r":"{room}","b":"{body}"}}"#),
            System::Socketio => format!(r#"42["msg","{room}","{body}"]"#),
        }
    }

    /// The frame that joins `room` on a peer (PinTalk joins by its auth token instead).
    pub fn join_frame(self, room: &str) -> Option<String> {
        match self {
            System::Pintalk => None,
            System::Channels => Some(format!(r#"{{"t":"join","r":"{room}"}}"#)),
            System::Socketio => Some(format!(r#"42["join","{room}"]"#)),
        }
    }

    pub fn decode(self, text: &str) -> Event<'_> {
        match self {
            System::Pintalk => decode_pintalk(text),
            // The Channels peer sends each message's body as the whole frame.
            System::Channels => Event::Chat {
                body: Cow::Borrowed(text),
                seq: None,
            },
            System::Socketio => decode_socketio(text),
        }
    }
}

fn decode_pintalk(text: &str) -> Event<'_> {
    let Ok(frame) = serde_json::from_str::<PintalkFrame>(text) else {
        return Event::Other;
    };
    match frame.kind.as_ref() {
        "message" => Event::Chat {
            body: frame.body.unwrap_or_default(),
            seq: frame.seq,
        },
        "ack" => Event::Ack,
        "ready" => Event::Ready,
        "error" => match (frame.code, frame.cid) {
            (Some(code), Some(cid)) if code == "overloaded" => Event::Overloaded(cid),
            (code, _) => Event::Error(code.unwrap_or_default().into_owned()),
        },
        _ => Event::Other,
    }
}

fn decode_socketio(text: &str) -> Event<'_> {
    if text == "2" {
        return Event::Ping;
    }
    if text.starts_with("40") {
        return Event::Ready;
    }
    if text.starts_with('0') {
        return Event::Open;
    }
    // 42["msg","BODY"]
    if let Some(rest) = text.strip_prefix(r#"42["msg",""#)
        && let Some(body) = rest.strip_suffix(r#""]"#)
    {
        return Event::Chat {
            body: Cow::Borrowed(body),
            seq: None,
        };
    }
    Event::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_system_reads_back_the_body_it_was_sent() {
        let message = r#"{"type":"message","room":"r","site":"s","seq":7,"ts":1,"cid":"l1","sender":{"kind":"visitor","id":"v"},"body":"0.12.a.xx"}"#;
        assert_eq!(
            System::Pintalk.decode(message),
            Event::Chat {
                body: "0.12.a.xx".into(),
                seq: Some(7)
            }
        );
        assert_eq!(
            System::Socketio.decode(r#"42["msg","0.12.a.xx"]"#),
            Event::Chat {
                body: "0.12.a.xx".into(),
                seq: None
            }
        );
        assert_eq!(System::Socketio.decode("2"), Event::Ping);
        assert_eq!(System::Socketio.decode(r#"40{"sid":"x"}"#), Event::Ready);
        assert_eq!(System::Socketio.decode(r#"0{"sid":"x"}"#), Event::Open);
        assert_eq!(
            System::Pintalk.decode(r#"{"type":"error","code":"rate_limited"}"#),
            Event::Error("rate_limited".into())
        );
        assert_eq!(
            System::Pintalk.decode(
                r#"{"type":"error","code":"overloaded","cid":"l4","retriable":true,"message":"m"}"#
            ),
            Event::Overloaded("l4".into())
        );
    }

    #[test]
    fn send_frames_are_valid_json_where_the_protocol_is_json() {
        let frame = System::Pintalk.send_frame("room-1", "0.5.b.xx", 9);
        let value: serde_json::Value = serde_json::from_str(&frame).unwrap_or_default();
        assert_eq!(value["cid"], "l9");
        let frame = System::Channels.send_frame("r1", "0.5.b.xx", 9);
        let value: serde_json::Value = serde_json::from_str(&frame).unwrap_or_default();
        assert_eq!(value["b"], "0.5.b.xx");
    }
}
