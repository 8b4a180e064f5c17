//! Owners are told by mail of conversations nobody read: through the real SMTP server of
//! the tests, with the durable schedule in SQL.

use std::time::Duration;

use awc::http::{Method, StatusCode};
use pintalk_core::ids::{OwnerId, RoomId};
use pintalk_core::settings::Settings;
use serde_json::json;

use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::realtime::{SHOP, key, owner_with_site};

/// Mails a second after an unread visitor message, looked for ten times a second.
fn quick(settings: &mut Settings) {
    settings.notify.unread_delay_secs = 1;
    settings.notify.poll_ms = 100;
}

/// The mails to `to` that link to `room`.
fn about(app: &TestApp, to: &str, room: &str) -> Vec<String> {
    let link = format!("/rooms/{room}");
    app.mail
        .sent_to(to)
        .into_iter()
        .filter(|m| m.contains(&link))
        .collect()
}

/// The value of a mail's header `name`.
pub(crate) fn header(mail: &str, name: &str) -> String {
    let prefix = format!("{name}: ");
    mail.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} header: {mail}"))
        .trim()
        .to_owned()
}

/// The owner behind an access token.
async fn owner_id(app: &TestApp, access: &str) -> OwnerId {
    app.me(access).await.body["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Waits until SQL holds `seq` of `room` and nothing is scheduled for `owner` any more:
/// the notifier has dealt with everything the room's messages scheduled.
async fn settled(app: &TestApp, owner: OwnerId, room: &str, seq: i64) {
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    let id: RoomId = room.parse().unwrap();
    eventually(
        Duration::from_secs(10),
        &format!("room {room} stored to seq {seq} with nothing scheduled"),
        async || {
            let mut conn = pool.get().unwrap();
            let stored = pintalk_db::messages::max_seq(&mut conn, id).unwrap() >= seq;
            let scheduled = pintalk_db::notifications::scheduled(&mut conn, owner).unwrap();
            (stored && scheduled.is_empty()).then_some(())
        },
    )
    .await;
}

#[actix_web::test]
async fn an_unread_visitor_message_mails_the_owner_once_per_conversation() {
    let app = TestApp::spawn_with(quick).await;
    let (owner, site) = owner_with_site(&app, "told@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor
        .socket
        .post(&room, "Where is order #1042?", "a")
        .await;
    visitor
        .socket
        .post(&room, "<b>bold</b>\u{1b}[31m", "b")
        .await;

    let mail = app.mail.wait_for(&owner.email, "wrote on", 1).await;
    assert!(mail.contains("> Where is order #1042?"), "{mail}");
    assert!(
        mail.contains("> <b>bold</b>\u{FFFD}[31m"),
        "as plain text: {mail}"
    );
    let site_id = site["id"].as_str().unwrap();
    assert!(
        mail.contains(&format!("/sites/{site_id}/rooms/{room}")),
        "{mail}"
    );
    assert!(mail.contains("List-Unsubscribe: <http"), "{mail}");
    assert!(
        mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );

    // More from the same visitor, unread: the conversation is quiet after its mail.
    visitor.socket.post(&room, "Hello?", "c").await;
    // A second conversation's mail is the signal that the notifier has passed since.
    let mut other = app.visitor(key(&site), SHOP).await;
    let other_room = other.room();
    other.socket.post(&other_room, "Anyone?", "d").await;
    eventually(
        Duration::from_secs(10),
        "the second conversation's mail",
        async || (!about(&app, &owner.email, &other_room).is_empty()).then_some(()),
    )
    .await;
    assert_eq!(
        about(&app, &owner.email, &room).len(),
        1,
        "one mail, not one per message"
    );
}

#[actix_web::test]
async fn a_conversation_the_owner_read_in_time_mails_nobody() {
    let app = TestApp::spawn_with(|s| {
        quick(s);
        s.notify.unread_delay_secs = 2;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "reader@example.com").await;
    let mut dashboard = app.owner_socket(&owner.access).await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    let ack = visitor.socket.post(&room, "Hi there", "a").await;
    dashboard
        .send(json!({ "type": "read", "room": room, "seq": ack["seq"] }))
        .await;
    settled(&app, owner_id(&app, &owner.access).await, &room, 1).await;
    assert!(about(&app, &owner.email, &room).is_empty());
}

#[actix_web::test]
async fn an_owner_who_turned_mail_off_gets_none_and_the_mail_unsubscribes_in_one_click() {
    let app = TestApp::spawn_with(quick).await;
    let (owner, site) = owner_with_site(&app, "quiet@example.com").await;
    let settings = app.notification_settings(&owner.access).await;
    assert_eq!(settings.body, json!({ "email": "each" }), "the default");

    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "first", "a").await;
    let mail = app.mail.wait_for(&owner.email, "wrote on", 1).await;
    let link = header(&mail, "List-Unsubscribe");
    let link = link.trim_start_matches('<').trim_end_matches('>');
    let token = link.split_once("token=").unwrap().1.to_owned();

    // Following the link (or a scanner prefetching it) changes nothing; the POST does.
    let page = app.unsubscribe(Method::GET, &token).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        app.notification_settings(&owner.access).await.body["email"],
        "each"
    );
    let done = app.unsubscribe(Method::POST, &token).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        app.notification_settings(&owner.access).await.body["email"],
        "off"
    );
    let forged = app.unsubscribe(Method::POST, &format!("{token}x")).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    assert_eq!(forged.code(), "invalid_token");

    visitor.socket.post(&room, "second", "b").await;
    settled(&app, owner_id(&app, &owner.access).await, &room, 2).await;
    assert_eq!(
        about(&app, &owner.email, &room).len(),
        1,
        "nothing after off"
    );

    let bad = app.set_notifications(&owner.access, "sometimes").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let on = app.set_notifications(&owner.access, "digest").await;
    assert_eq!(on.body, json!({ "email": "digest" }));
}

#[actix_web::test]
async fn a_digest_owner_gets_the_conversations_of_a_period_in_one_mail() {
    let app = TestApp::spawn_with(|s| {
        quick(s);
        s.notify.digest_secs = 3;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "digest@example.com").await;
    app.set_notifications(&owner.access, "digest").await;
    let mut rooms = Vec::new();
    for cid in ["a", "b"] {
        let mut visitor = app.visitor(key(&site), SHOP).await;
        let room = visitor.room();
        visitor.socket.post(&room, "in the digest", cid).await;
        rooms.push(room);
    }
    // Both rows' due times, as SQL holds them, say which digest period each falls in.
    let owner_id = owner_id(&app, &owner.access).await;
    let pool = pintalk_db::connect_and_migrate(&app.database_url(), 1).unwrap();
    let periods: Vec<i64> =
        eventually(Duration::from_secs(10), "both rows scheduled", async || {
            let due =
                pintalk_db::notifications::scheduled(&mut pool.get().unwrap(), owner_id).unwrap();
            let period = |at: i64| at / 3000 + i64::from(at % 3000 != 0);
            (due.len() == 2).then(|| due.iter().map(|r| period(r.due_at)).collect())
        })
        .await;
    eventually(
        Duration::from_secs(15),
        "a digest for each conversation",
        async || {
            rooms
                .iter()
                .all(|room| !about(&app, &owner.email, room).is_empty())
                .then_some(())
        },
    )
    .await;
    for room in &rooms {
        assert_eq!(about(&app, &owner.email, room).len(), 1);
    }
    if periods[0] == periods[1] {
        let digest = about(&app, &owner.email, &rooms[0]).remove(0);
        assert!(
            digest.contains(&format!("/rooms/{}", rooms[1])),
            "one mail for both: {digest}"
        );
        assert!(digest.contains("2 conversations wait"), "{digest}");
    }
}

/// A plain SMTP client, as a mail server delivering to the inbound listener would be.
pub(crate) struct Delivery {
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>>,
    write: tokio::net::tcp::OwnedWriteHalf,
}

impl Delivery {
    pub(crate) async fn connect(port: u16) -> Self {
        use tokio::io::AsyncBufReadExt;
        let socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let (read, write) = socket.into_split();
        let mut delivery = Delivery {
            lines: tokio::io::BufReader::new(read).lines(),
            write,
        };
        assert!(delivery.reply().await.starts_with("220"));
        delivery
    }

    /// The server's reply (the last line of a multi-line one).
    async fn reply(&mut self) -> String {
        loop {
            let line = self.lines.next_line().await.unwrap().expect("a reply");
            if line.as_bytes().get(3) != Some(&b'-') {
                return line;
            }
        }
    }

    pub(crate) async fn say(&mut self, line: &str) -> String {
        use tokio::io::AsyncWriteExt;
        self.write
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .unwrap();
        self.reply().await
    }

    /// One mail to `to`; the reply to `RCPT`, and to the data if it got that far.
    pub(crate) async fn send(&mut self, to: &str, mail: &str) -> (String, Option<String>) {
        assert!(self.say("EHLO relay.example").await.starts_with("250"));
        assert!(
            self.say("MAIL FROM:<owner@example.com>")
                .await
                .starts_with("250")
        );
        let rcpt = self.say(&format!("RCPT TO:<{to}>")).await;
        if !rcpt.starts_with("250") {
            assert!(self.say("RSET").await.starts_with("250"));
            return (rcpt, None);
        }
        assert!(self.say("DATA").await.starts_with("354"));
        let body = mail.replace('\n', "\r\n").replace("\r\n.", "\r\n..");
        (rcpt, Some(self.say(&format!("{body}\r\n.")).await))
    }
}

#[actix_web::test]
async fn the_owner_answers_by_replying_to_the_mail_and_the_visitor_sees_it_live_once() {
    let port = crate::redis::free_port();
    let app = TestApp::spawn_with(|s| {
        quick(s);
        s.mail.inbound_listen = format!("127.0.0.1:{port}");
        s.mail.inbound_domain = "in.example".into();
    })
    .await;
    let (owner, site) = owner_with_site(&app, "replies@example.com").await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "Is it in stock?", "q").await;
    let mail = app.mail.wait_for(&owner.email, "wrote on", 1).await;
    let reply_to = header(&mail, "Reply-To");
    assert!(
        reply_to.starts_with("reply+") && reply_to.ends_with("@in.example"),
        "{reply_to}"
    );

    let answer = "From: Owner <replies@example.com>\nTo: <REPLY>\nSubject: Re: a visitor wrote\n\
        Message-ID: <answer-1@mail.example>\nContent-Type: text/plain; charset=utf-8\n\n\
        Yes, two left.\n.dot line stays\n\nOn Tue, 1 Dec 2026, PinTalk <no-reply@localhost> wrote:\n\
        > Is it in stock?\n"
        .replace("<REPLY>", &reply_to);
    let mut smtp = Delivery::connect(port).await;
    let (rcpt, stored) = smtp.send(&reply_to, &answer).await;
    assert!(rcpt.starts_with("250"), "{rcpt}");
    assert!(
        stored.as_deref().is_some_and(|s| s.starts_with("250")),
        "{stored:?}"
    );
    let live = loop {
        // The visitor's own message comes back first.
        let frame = visitor.socket.next_of("message").await;
        if frame["sender"]["kind"] == "owner" {
            break frame;
        }
    };
    assert_eq!(live["body"], "Yes, two left.\n.dot line stays");

    // The relay delivers it again: stored once.
    let (_, again) = smtp.send(&reply_to, &answer).await;
    assert!(
        again.as_deref().is_some_and(|s| s.starts_with("250")),
        "{again:?}"
    );
    let history = app.history(&owner.access, &room, "").await;
    let owners: Vec<_> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender"]["kind"] == "owner")
        .collect();
    assert_eq!(owners.len(), 1, "{:?}", history.body);

    // Unknown, forged and foreign addresses are refused at RCPT; nothing is appended.
    let forged = reply_to.replacen("reply+", "reply+0", 1);
    for to in [
        "someone@in.example",
        forged.as_str(),
        "reply+00@elsewhere.example",
    ] {
        let (rcpt, data) = smtp.send(to, &answer).await;
        assert!(rcpt.starts_with("550"), "{to}: {rcpt}");
        assert!(data.is_none());
    }
    assert!(smtp.say("QUIT").await.starts_with("221"));
}

#[actix_web::test]
async fn a_visitor_who_left_gets_the_answer_by_mail_and_their_reply_shows_live() {
    let port = crate::redis::free_port();
    let app = TestApp::spawn_with(|s| {
        quick(s);
        s.notify.visitor_offline_secs = 1;
        s.gateway.presence_grace_ms = 100;
        s.mail.inbound_listen = format!("127.0.0.1:{port}");
        s.mail.inbound_domain = "in.example".into();
    })
    .await;
    let (owner, site) = owner_with_site(&app, "answers@example.com").await;
    let mut bo = app
        .identified_visitor(
            key(&site),
            SHOP,
            json!({ "name": "Bo", "email": "bo@example.com" }),
        )
        .await;
    let room = bo.room();
    bo.socket.post(&room, "Do you ship to Busan?", "q").await;
    drop(bo);

    let mut dashboard = app.owner_socket(&owner.access).await;
    dashboard.post(&room, "We do, in two days.", "a").await;
    let mail = app.mail.wait_for("bo@example.com", "answered you", 1).await;
    assert!(mail.contains("> We do, in two days."), "{mail}");
    let reply_to = header(&mail, "Reply-To");

    let answer = format!(
        "From: Bo <bo@example.com>\nTo: {reply_to}\nSubject: Re: answered\n\
         Message-ID: <bo-1@mail.example>\n\nGreat, thanks!\n\nOn Tue, Shop wrote:\n> We do\n"
    );
    let mut smtp = Delivery::connect(port).await;
    let (_, stored) = smtp.send(&reply_to, &answer).await;
    assert!(
        stored.as_deref().is_some_and(|s| s.starts_with("250")),
        "{stored:?}"
    );
    let live = loop {
        let frame = dashboard.next_of("message").await;
        if frame["sender"]["kind"] == "visitor" && frame["body"] == "Great, thanks!" {
            break frame;
        }
    };
    assert_eq!(live["sender"]["name"], "Bo");
}

#[actix_web::test]
async fn bad_mail_gets_a_clear_smtp_answer_and_appends_nothing() {
    let port = crate::redis::free_port();
    let app = TestApp::spawn_with(|s| {
        quick(s);
        s.mail.inbound_listen = format!("127.0.0.1:{port}");
        s.mail.inbound_domain = "in.example".into();
        s.mail.inbound_max_bytes = 4096;
    })
    .await;
    let (owner, site) = owner_with_site(&app, "strict@example.com").await;
    // A visitor name that tries to add a header to the owner's mail is refused outright;
    // one that looks like an address stays text in the subject.
    let injected = app
        .widget_session_with(
            key(&site),
            SHOP,
            json!({ "name": "Eve\r\nBcc: evil@example.com" }),
        )
        .await;
    assert_eq!(
        injected.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        injected.body
    );
    let mut eve = app
        .identified_visitor(
            key(&site),
            SHOP,
            json!({ "name": "Eve <evil@example.com>, Bcc:" }),
        )
        .await;
    let room = eve.room();
    eve.socket.post(&room, "hello", "h").await;
    let mail = app.mail.wait_for(&owner.email, "wrote on", 1).await;
    assert!(
        !mail
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "no header injected: {mail}"
    );
    let reply_to = header(&mail, "Reply-To");

    let mut smtp = Delivery::connect(port).await;
    let huge = format!(
        "Subject: big\nMessage-ID: <big@x>\n\n{}\n",
        "y".repeat(5000)
    );
    let (_, answer) = smtp.send(&reply_to, &huge).await;
    assert!(
        answer.as_deref().is_some_and(|a| a.starts_with("552")),
        "{answer:?}"
    );
    let quotes_only = "Subject: q\nMessage-ID: <q@x>\n\n> just the old text\n";
    let (_, answer) = smtp.send(&reply_to, quotes_only).await;
    assert!(
        answer.as_deref().is_some_and(|a| a.starts_with("554")),
        "{answer:?}"
    );
    let html = "Subject: h\nMessage-ID: <h@x>\nMIME-Version: 1.0\nContent-Type: text/html\n\n\
        <p>From <b>HTML</b> only</p>\n";
    let (_, answer) = smtp.send(&reply_to, html).await;
    assert!(
        answer.as_deref().is_some_and(|a| a.starts_with("250")),
        "{answer:?}"
    );

    let history = app.history(&owner.access, &room, "").await;
    let from_owner: Vec<&str> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender"]["kind"] == "owner")
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        from_owner.len(),
        1,
        "only the HTML mail's text: {from_owner:?}"
    );
    assert!(from_owner[0].contains("From HTML only"), "{from_owner:?}");
}

#[actix_web::test]
async fn a_visitor_asks_for_the_transcript_by_mail_from_their_page() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "transcripts@example.com").await;
    let anonymous = app.visitor(key(&site), SHOP).await;
    let refused = app
        .mail_transcript(&anonymous.token(), Some(SHOP), &anonymous.room())
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.code(), "email_missing");

    let mut bo = app
        .identified_visitor(key(&site), SHOP, json!({ "email": "bo@example.com" }))
        .await;
    let (room, token) = (bo.room(), bo.token());
    bo.socket.post(&room, "Keep this for me", "k").await;
    let sent = app.mail_transcript(&token, Some(SHOP), &room).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{:?}", sent.body);
    assert_eq!(sent.body["to"], "bo@example.com");
    assert_eq!(sent.header("access-control-allow-origin"), Some(SHOP));
    let mail = app
        .mail
        .wait_for("bo@example.com", "Your conversation", 1)
        .await;
    assert!(mail.contains("Visitor: Keep this for me"), "{mail}");
    // Another visitor's token cannot have it mailed.
    let other = app
        .mail_transcript(&anonymous.token(), Some(SHOP), &room)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // Three an hour per conversation.
    for _ in 0..2 {
        app.mail_transcript(&owner.access, None, &room).await;
    }
    let limited = app.mail_transcript(&token, Some(SHOP), &room).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
}
