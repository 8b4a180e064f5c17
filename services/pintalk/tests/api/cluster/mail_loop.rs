//! Issue 11's whole loop on the real binaries, the account service killed twice on the
//! way: the owner, away, is told by mail and answers by replying to it; the visitor,
//! gone, is answered by mail and replies the same way. Each mail goes once, each message
//! is stored once.

use std::time::Duration;

use pintalk_core::domain::Recipient;
use pintalk_core::ids::{OwnerId, RoomId};
use pintalk_core::protocol::ParticipantKind;
use pintalk_db::Pool;
use serde_json::{Value, json};

use super::Cluster;
use super::failover::{Chatter, SHOP, assert_stored_exactly_once, connect, retry};
use crate::eventually::eventually;
use crate::notifications::{Delivery, header};
use crate::redis::{PrivateRedis, free_port};
use crate::socket::Socket;

const INBOUND_DOMAIN: &str = "in.example";
const VISITOR: &str = "bo@example.com";
const PAGE: &str = "https://shop.example.com/p/blue";

#[actix_web::test]
async fn the_mail_loop_survives_the_account_service_killed_twice_and_doubles_nothing() {
    let inbound = free_port();
    let listen = format!("127.0.0.1:{inbound}");
    let mut cluster = Cluster::start_on(
        PrivateRedis::start(free_port()).await,
        &[
            ("PINTALK__NOTIFY__UNREAD_DELAY_SECS", "1"),
            ("PINTALK__NOTIFY__VISITOR_OFFLINE_SECS", "1"),
            ("PINTALK__NOTIFY__POLL_MS", "100"),
            // A claim the killed process held expires soon after its restart.
            ("PINTALK__NOTIFY__CLAIM_SECS", "2"),
            ("PINTALK__MAIL__INBOUND_LISTEN", &listen),
            ("PINTALK__MAIL__INBOUND_DOMAIN", INBOUND_DOMAIN),
        ],
        1,
        1,
        |_| None,
    )
    .await;
    let (owner, site) = cluster.owner_with_site("away@example.com", SHOP).await;
    let owner_id: OwnerId = cluster.api.me(&owner.access).await.body["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let key = site["site_key"].as_str().unwrap().to_owned();
    let gateway = cluster.gateways[0].ws_url();
    let pool = pintalk_db::connect_and_migrate(&cluster.database_url(), 2).unwrap();

    // The owner has no dashboard open; a visitor writes, and the account service dies
    // right after the ack (the message is in the gateway's outbox, not yet in SQL).
    let mut visitor = Chatter::join(&cluster.api, &key, &gateway).await;
    let room = visitor.room.clone();
    visitor.send("hello".into()).await;
    visitor.settle().await;
    let hello = visitor.acked["hello"];
    cluster.accounts[0].kill();
    cluster.accounts[0].restart().await;

    // One mail to the owner, with the text and a link to the conversation.
    told(&pool, owner_id, &room, Recipient::Owner, hello).await;
    let mails = about(&cluster, &owner.email, "wrote on");
    assert_eq!(mails.len(), 1, "one mail to the owner: {mails:?}");
    let mail = &mails[0];
    assert!(mail.contains("> body hello"), "{mail}");
    let site_id = site["id"].as_str().unwrap();
    assert!(
        mail.contains(&format!("/sites/{site_id}/rooms/{room}")),
        "{mail}"
    );

    // The owner replies to it; the visitor sees the answer live, and reads it.
    let reply_to = header(mail, "Reply-To");
    assert!(
        reply_to.starts_with("reply+") && reply_to.ends_with(&format!("@{INBOUND_DOMAIN}")),
        "{reply_to}"
    );
    deliver(
        inbound,
        &reply_to,
        &format!(
            "From: Ann <{}>\nTo: {reply_to}\nSubject: Re: a visitor wrote\n\
             Message-ID: <ann-1@mail.example>\n\nYes, two left.\n\n\
             On Wed, PinTalk wrote:\n> body hello\n",
            owner.email
        ),
    )
    .await;
    let socket = visitor.socket.as_mut().unwrap();
    let answer = next_from(socket, "owner", "Yes, two left.").await;
    socket
        .send(json!({ "type": "read", "room": room, "seq": answer["seq"] }))
        .await;
    seen(&mut visitor, &answer);

    // The visitor leaves an address and closes the tab, once its read is stored (else
    // the owner's first answer would be mailed too).
    let left = cluster
        .api
        .leave_email(
            visitor.session["token"].as_str().unwrap(),
            &room,
            json!({ "email": VISITOR, "page_url": PAGE }),
        )
        .await;
    assert_eq!(left.status, awc::http::StatusCode::OK, "{:?}", left.body);
    let read = answer["seq"].as_i64().unwrap();
    eventually(
        Duration::from_secs(10),
        &format!("the visitor's read of seq {read} to be stored"),
        async || {
            let mut conn = pool.get().unwrap();
            let id: RoomId = room.parse().unwrap();
            let furthest =
                pintalk_db::read_cursors::furthest_of(&mut conn, id, ParticipantKind::Visitor)
                    .unwrap();
            (furthest >= read).then_some(())
        },
    )
    .await;
    visitor.socket = None;

    // Killed again; once it is back, the owner answers from the dashboard.
    cluster.accounts[0].kill();
    cluster.accounts[0].restart().await;
    let api = &cluster.api;
    let access = owner.access.clone();
    let mut dashboard = connect(&gateway, &api.dashboard_origin(), json!({}), || {
        let access = access.clone();
        async move { retry(|| api.realtime_token(&access)).await["token"].clone() }
    })
    .await;
    let ack = dashboard.post(&room, "We ship tomorrow.", "owner-2").await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let shipped = ack["seq"].as_i64().unwrap();
    visitor.acked.insert("owner-2".into(), shipped);

    // One mail to the visitor, with the answer and a link back to the conversation.
    told(&pool, owner_id, &room, Recipient::Visitor, shipped).await;
    let mails = about(&cluster, VISITOR, "answered you");
    assert_eq!(mails.len(), 1, "one mail to the visitor: {mails:?}");
    let mail = &mails[0];
    assert!(mail.contains("> We ship tomorrow."), "{mail}");
    assert!(mail.contains(&format!("{PAGE}#pintalk=")), "{mail}");

    // The visitor replies to it; the owner's dashboard shows it live.
    let reply_to = header(mail, "Reply-To");
    deliver(
        inbound,
        &reply_to,
        &format!(
            "From: Bo <{VISITOR}>\nTo: {reply_to}\nSubject: Re: answered\n\
             Message-ID: <bo-1@mail.example>\n\nGreat, thanks!\n\nOn Wed, Shop wrote:\n\
             > We ship tomorrow.\n"
        ),
    )
    .await;
    let thanks = next_from(&mut dashboard, "visitor", "Great, thanks!").await;
    seen(&mut visitor, &thanks);

    assert_stored_exactly_once(&cluster, std::slice::from_ref(&visitor)).await;
    let owner_mails = about(&cluster, &owner.email, "> body hello");
    assert_eq!(owner_mails.len(), 1, "the first mail was not sent again");
    assert_eq!(about(&cluster, VISITOR, "answered you").len(), 1);
}

/// The mails to `to` whose text contains `text`.
fn about(cluster: &Cluster, to: &str, text: &str) -> Vec<String> {
    let mails = cluster.api.mail.sent_to(to);
    mails.into_iter().filter(|m| m.contains(text)).collect()
}

/// Waits until the room's row for `recipient` is marked told up to `seq` and released:
/// the mail went, and the notifier will not send it again.
async fn told(pool: &Pool, owner: OwnerId, room: &str, recipient: Recipient, seq: i64) {
    let id: RoomId = room.parse().unwrap();
    eventually(
        Duration::from_secs(15),
        &format!("the {recipient:?} row of {room} told up to seq {seq}"),
        async || {
            let rows = pintalk_db::notifications::scheduled(&mut pool.get().unwrap(), owner);
            rows.unwrap()
                .into_iter()
                .any(|r| {
                    r.room_id == id
                        && r.recipient == recipient
                        && r.notified_seq >= seq
                        && r.claimed_by.is_none()
                })
                .then_some(())
        },
    )
    .await;
}

/// Delivers one mail to the inbound listener, as the recipient's mail server would, and
/// checks it was accepted.
async fn deliver(port: u16, to: &str, mail: &str) {
    let mut smtp = Delivery::connect(port).await;
    let (rcpt, stored) = smtp.send(to, mail).await;
    assert!(rcpt.starts_with("250"), "{rcpt}");
    assert!(
        stored.as_deref().is_some_and(|s| s.starts_with("250")),
        "{stored:?}"
    );
    assert!(smtp.say("QUIT").await.starts_with("221"));
}

/// The next message frame from a sender of `kind` on `socket`, which must read `body`.
async fn next_from(socket: &mut Socket, kind: &str, body: &str) -> Value {
    loop {
        let frame = socket.next_of("message").await;
        if frame["sender"]["kind"] == kind {
            assert_eq!(frame["body"], body, "{frame}");
            return frame;
        }
    }
}

/// A message seen live joins what the room must hold, by its cid.
fn seen(visitor: &mut Chatter, frame: &Value) {
    let cid = frame["cid"].as_str().unwrap().to_owned();
    visitor.acked.insert(cid, frame["seq"].as_i64().unwrap());
}
