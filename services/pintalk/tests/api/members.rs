//! Workspaces, members and invitations, tried as a team would: an owner invites agents by
//! mail, they join from the link, answer the workspace's conversations, and lose access —
//! sockets included — the moment they are removed. The policy's matrix is checked here
//! endpoint by endpoint, for every role and for someone outside the workspace.

use std::time::Duration;

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Owner, TestApp};
use crate::realtime::{SHOP, key, owner_with_site};
use crate::smtp::link_token;
use crate::socket::Closed;

/// The workspace `access`'s account owns (its first).
async fn own_workspace(app: &TestApp, access: &str) -> String {
    let list = app
        .call("GET", "/api/v1/workspaces", Some(access), None)
        .await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    list.body
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["role"] == "owner")
        .expect("an own workspace")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Invites `email` to `workspace` as `role` and returns the token of the mailed link.
async fn invite(app: &TestApp, access: &str, workspace: &str, email: &str, role: &str) -> String {
    let subject = "invited to a team";
    let before = app
        .mail
        .sent_to(email)
        .iter()
        .filter(|m| m.contains(subject))
        .count();
    let sent = app
        .call(
            "POST",
            &format!("/api/v1/workspaces/{workspace}/invitations"),
            Some(access),
            Some(json!({ "email": email, "role": role })),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
    link_token(&app.mail.wait_for(email, subject, before + 1).await)
}

async fn accept(app: &TestApp, access: &str, token: &str) -> crate::helpers::Reply {
    app.call(
        "POST",
        "/api/v1/invitations/accept",
        Some(access),
        Some(json!({ "token": token })),
    )
    .await
}

/// A new account that joined `workspace` as `role` from a mailed invitation.
async fn member(app: &TestApp, boss: &Owner, workspace: &str, email: &str, role: &str) -> Owner {
    let token = invite(app, &boss.access, workspace, email, role).await;
    let joiner = app.owner(email).await;
    let joined = accept(app, &joiner.access, &token).await;
    assert_eq!(joined.status, StatusCode::OK, "{:?}", joined.body);
    assert_eq!(joined.body["role"], role);
    joiner
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn an_owner_invites_two_agents_by_mail_and_both_answer_the_workspaces_conversations() {
    let app = TestApp::spawn().await;
    let (boss, site) = owner_with_site(&app, "boss@example.com").await;
    let workspace = own_workspace(&app, &boss.access).await;
    let ann = member(&app, &boss, &workspace, "ann@example.com", "agent").await;
    let bob = member(&app, &boss, &workspace, "bob@example.com", "agent").await;

    // Both see the site, beside their own (empty) workspace.
    for agent in [&ann, &bob] {
        let sites = app.sites(&agent.access).await;
        assert_eq!(sites.body.as_array().unwrap().len(), 1, "{:?}", sites.body);
        assert_eq!(sites.body[0]["id"], site["id"]);
        assert_eq!(sites.body[0]["workspace_id"], workspace.as_str());
    }
    let members = app
        .call(
            "GET",
            &format!("/api/v1/workspaces/{workspace}/members"),
            Some(&ann.access),
            None,
        )
        .await;
    let roles: Vec<(&str, &str)> = members
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [
            ("boss@example.com", "owner"),
            ("ann@example.com", "agent"),
            ("bob@example.com", "agent")
        ]
    );

    // A visitor writes: both agents hear it live, and one assigns it to the other.
    let mut ann_socket = app.owner_socket(&ann.access).await;
    let mut bob_socket = app.owner_socket(&bob.access).await;
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "is anyone there?", "v1").await;
    for socket in [&mut ann_socket, &mut bob_socket] {
        let heard = socket.next_of("message").await;
        assert_eq!(heard["body"], "is anyone there?");
    }
    let bob_id = app.me(&bob.access).await.body["id"].clone();
    let assigned = app.assign_room(&ann.access, &room, bob_id.clone()).await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);
    assert_eq!(bob_socket.next_of("assigned").await["assignee"], bob_id);
    // Someone outside the workspace is no assignee.
    let stranger = app.owner("stranger@example.com").await;
    let stranger_id = app.me(&stranger.access).await.body["id"].clone();
    let refused = app.assign_room(&ann.access, &room, stranger_id).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        refused.body
    );
    // An agent answers as themselves.
    let answer = bob_socket.post(&room, "hello, Bob here", "b1").await;
    assert_eq!(answer["type"], "ack", "{answer:?}");
}

#[actix_web::test]
async fn an_invitation_works_once_for_seven_days_and_not_after_it_is_revoked() {
    let app = TestApp::spawn().await;
    let (boss, _site) = owner_with_site(&app, "inviter@example.com").await;
    let workspace = own_workspace(&app, &boss.access).await;
    let token = invite(&app, &boss.access, &workspace, "cara@example.com", "admin").await;

    // What the link offers, before signing in.
    let offer = app
        .call(
            "POST",
            "/api/v1/invitations/lookup",
            None,
            Some(json!({ "token": token })),
        )
        .await;
    assert_eq!(offer.status, StatusCode::OK, "{:?}", offer.body);
    assert_eq!(offer.body["role"], "admin");
    assert_eq!(offer.body["email"], "cara@example.com");

    let cara = app.owner("cara@example.com").await;
    assert_eq!(
        accept(&app, &cara.access, &token).await.status,
        StatusCode::OK
    );
    // Used: gone for everyone, the same account included.
    let again = accept(&app, &cara.access, &token).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(again.code(), "invalid_invitation");

    // A member invited again is told so, and the invitation stays usable by no one else.
    let second = invite(&app, &boss.access, &workspace, "cara@example.com", "agent").await;
    let twice = accept(&app, &cara.access, &second).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.code(), "already_member");

    // A revoked one is gone at once.
    let pending = app
        .call(
            "GET",
            &format!("/api/v1/workspaces/{workspace}/invitations"),
            Some(&boss.access),
            None,
        )
        .await;
    let revoke_id = id_of(&pending.body[0]);
    let revoked = app
        .call(
            "DELETE",
            &format!("/api/v1/workspaces/{workspace}/invitations/{revoke_id}"),
            Some(&boss.access),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let dave = app.owner("dave@example.com").await;
    assert_eq!(
        accept(&app, &dave.access, &second).await.code(),
        "invalid_invitation"
    );
    // The owner is no invitation's role, and a made-up token is simply invalid.
    let owner_invite = app
        .call(
            "POST",
            &format!("/api/v1/workspaces/{workspace}/invitations"),
            Some(&boss.access),
            Some(json!({ "email": "x@example.com", "role": "owner" })),
        )
        .await;
    assert_eq!(owner_invite.code(), "owner_required");
    assert_eq!(
        accept(&app, &dave.access, "not-a-token").await.code(),
        "invalid_invitation"
    );
}

#[actix_web::test]
async fn removing_an_agent_closes_their_socket_at_once_and_refuses_their_unused_ticket() {
    let app = TestApp::spawn().await;
    let (boss, site) = owner_with_site(&app, "remover@example.com").await;
    let workspace = own_workspace(&app, &boss.access).await;
    let eve = member(&app, &boss, &workspace, "eve@example.com", "agent").await;
    let eve_id = app.me(&eve.access).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut socket = app.owner_socket(&eve.access).await;
    let unused = app.owner_ticket(&eve.access).await;
    let removed = app
        .call(
            "DELETE",
            &format!("/api/v1/workspaces/{workspace}/members/{eve_id}"),
            Some(&boss.access),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);

    let error = socket.next_of("error").await;
    assert_eq!(error["code"], "access_changed");
    assert_eq!(
        socket.closed(Duration::from_secs(5)).await,
        Closed::Code(4003)
    );
    // The ticket issued before the removal grants the site still: refused.
    let mut late = app.dashboard_socket(&unused).await;
    let (code, _) = late.auth_refused(unused["token"].as_str().unwrap()).await;
    assert_eq!(code, "invalid_token");
    // A new ticket opens a socket again, without the workspace's site.
    let mut fresh = app.owner_socket(&eve.access).await;
    fresh.send(json!({ "type": "ping" })).await;
    assert!(
        app.sites(&eve.access)
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.site(&eve.access, site["id"].as_str().unwrap())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "after the removal", "v1").await;
    assert!(
        fresh
            .try_next(Duration::from_millis(500))
            .await
            .is_none_or(|f| f["type"] != "message")
    );
}

#[actix_web::test]
async fn an_agent_given_one_site_sees_only_that_one_and_the_owner_stays_the_owner() {
    let app = TestApp::spawn().await;
    let (boss, first) = owner_with_site(&app, "two-sites@example.com").await;
    let second = app.new_site(&boss, &[SHOP]).await;
    let workspace = own_workspace(&app, &boss.access).await;
    let fay = member(&app, &boss, &workspace, "fay@example.com", "agent").await;
    let fay_id = app.me(&fay.access).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.sites(&fay.access).await.body.as_array().unwrap().len(),
        2
    );

    let mut socket = app.owner_socket(&fay.access).await;
    let narrowed = app
        .call(
            "PATCH",
            &format!("/api/v1/workspaces/{workspace}/members/{fay_id}"),
            Some(&boss.access),
            Some(json!({ "role": "agent", "sites": [first["id"]] })),
        )
        .await;
    assert_eq!(narrowed.status, StatusCode::OK, "{:?}", narrowed.body);
    assert_eq!(narrowed.body["sites"], json!([first["id"]]));
    assert_eq!(socket.next_of("error").await["code"], "access_changed");
    let sites = app.sites(&fay.access).await.body;
    assert_eq!(sites.as_array().unwrap().len(), 1);
    assert_eq!(sites[0]["id"], first["id"]);
    let hidden = app.site(&fay.access, second["id"].as_str().unwrap()).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    // A site of another workspace cannot be given.
    let (_other, foreign) = owner_with_site(&app, "elsewhere@example.com").await;
    let refused = app
        .call(
            "PATCH",
            &format!("/api/v1/workspaces/{workspace}/members/{fay_id}"),
            Some(&boss.access),
            Some(json!({ "role": "agent", "sites": [foreign["id"]] })),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "{:?}",
        refused.body
    );

    // The owner cannot be removed or demoted; an account owning a team cannot go.
    let boss_id = app.me(&boss.access).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/workspaces/{workspace}/members/{boss_id}");
    let demote = app
        .call(
            "PATCH",
            &path,
            Some(&boss.access),
            Some(json!({ "role": "agent" })),
        )
        .await;
    assert_eq!(demote.code(), "owner_required");
    assert_eq!(
        app.call("DELETE", &path, Some(&boss.access), None)
            .await
            .code(),
        "owner_required"
    );
    assert_eq!(
        app.delete_me(&boss.access).await.code(),
        "workspace_has_members"
    );

    // A transfer makes Fay the owner and the old owner an admin.
    let moved = app
        .call(
            "POST",
            &format!("/api/v1/workspaces/{workspace}/transfer"),
            Some(&boss.access),
            Some(json!({ "member": fay_id })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{:?}", moved.body);
    let members = app
        .call(
            "GET",
            &format!("/api/v1/workspaces/{workspace}/members"),
            Some(&fay.access),
            None,
        )
        .await
        .body;
    assert_eq!(members[0]["email"], "fay@example.com");
    assert_eq!(members[0]["role"], "owner");
    assert_eq!(members[1]["role"], "admin");
    assert!(members[0]["sites"].is_null(), "the owner sees every site");
    // The old owner may now leave; their own (empty) workspace goes with their account.
    assert_eq!(
        app.call("DELETE", &path, Some(&boss.access), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete_me(&boss.access).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.sites(&fay.access).await.body.as_array().unwrap().len(),
        2
    );
}

/// One row of the matrix: a request and the status each caller gets — owner, admin,
/// agent, and an account outside the workspace.
struct Row {
    method: &'static str,
    path: String,
    body: Option<Value>,
    expect: [u16; 4],
}

#[actix_web::test]
async fn every_role_may_do_what_the_policy_says_and_an_outsider_finds_nothing() {
    let app = TestApp::spawn().await;
    let (boss, site) = owner_with_site(&app, "matrix@example.com").await;
    let workspace = own_workspace(&app, &boss.access).await;
    let admin = member(&app, &boss, &workspace, "admin@example.com", "admin").await;
    let agent = member(&app, &boss, &workspace, "agent@example.com", "agent").await;
    let outsider = app.owner("outsider@example.com").await;
    let site_id = id_of(&site);
    let mut visitor = app.visitor(key(&site), SHOP).await;
    let room = visitor.room();
    visitor.socket.post(&room, "a question", "v1").await;

    let s = |tail: &str| format!("/api/v1/sites/{site_id}{tail}");
    let r = |tail: &str| format!("/api/v1/rooms/{room}{tail}");
    let w = |tail: &str| format!("/api/v1/workspaces/{workspace}{tail}");
    let rows = vec![
        // Conversations: every member.
        Row {
            method: "GET",
            path: s(""),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: s("/rooms"),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: s("/labels"),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: s("/ratings"),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: s("/blocked"),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: r(""),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: r("/messages"),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "PUT",
            path: r("/labels"),
            body: Some(json!({ "labels": ["vip"] })),
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "PATCH",
            path: r(""),
            body: Some(json!({ "status": "open" })),
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: w("/members"),
            body: None,
            expect: [200, 200, 200, 404],
        },
        Row {
            method: "GET",
            path: "/api/v1/canned-replies".into(),
            body: None,
            expect: [200, 200, 200, 200],
        },
        // Sites and their settings: owner and admin.
        Row {
            method: "PATCH",
            path: s(""),
            body: Some(json!({ "name": "Renamed" })),
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "GET",
            path: s("/webhooks"),
            body: None,
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "GET",
            path: s("/retention"),
            body: None,
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "GET",
            path: s("/bans"),
            body: None,
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "GET",
            path: s("/limits"),
            body: None,
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "GET",
            path: s("/identity"),
            body: None,
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "GET",
            path: r("/visitor/export"),
            body: None,
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/sites".into(),
            body: Some(
                json!({ "name": "More", "allowed_origins": [SHOP], "workspace_id": workspace }),
            ),
            expect: [201, 201, 403, 404],
        },
        // Members, tokens, replies and the workspace itself: owner and admin.
        Row {
            method: "GET",
            path: w("/invitations"),
            body: None,
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "PATCH",
            path: w(""),
            body: Some(json!({ "name": "Team" })),
            expect: [200, 200, 403, 404],
        },
        Row {
            method: "POST",
            path: "/api/v1/api-tokens".into(),
            body: Some(json!({ "name": "bot", "scope": "read", "workspace_id": workspace })),
            expect: [201, 201, 403, 404],
        },
        // Owning it: the owner only (the owner's own call is tried last, below).
        Row {
            method: "POST",
            path: w("/transfer"),
            body: Some(json!({ "member": app.me(&admin.access).await.body["id"] })),
            expect: [0, 403, 403, 404],
        },
        Row {
            method: "DELETE",
            path: w(""),
            body: None,
            expect: [0, 403, 403, 404],
        },
    ];
    let callers = [&boss, &admin, &agent, &outsider];
    for row in &rows {
        for (who, (caller, expected)) in callers.iter().zip(row.expect).enumerate() {
            if expected == 0 {
                continue;
            }
            let mut body = row.body.clone();
            // Canned replies need a shortcut of their own per caller.
            if let Some(Value::Object(fields)) = &mut body
                && fields.contains_key("shortcut")
            {
                fields.insert("shortcut".into(), json!(format!("s{who}")));
            }
            let reply = app
                .call(row.method, &row.path, Some(&caller.access), body)
                .await;
            assert_eq!(
                reply.status.as_u16(),
                expected,
                "{} {} as caller #{who}: {:?}",
                row.method,
                row.path,
                reply.body
            );
            if expected == 403 {
                assert_eq!(reply.code(), "role_not_allowed");
            }
        }
    }
    // Canned replies: written in the workspace by owner and admin, used by every member.
    for (who, (caller, expected)) in callers.iter().zip([201, 201, 403, 404]).enumerate() {
        let made = app
            .call(
                "POST",
                "/api/v1/canned-replies",
                Some(&caller.access),
                Some(json!({ "shortcut": format!("s{who}"), "body": "hi", "workspace_id": workspace })),
            )
            .await;
        assert_eq!(
            made.status.as_u16(),
            expected,
            "caller #{who}: {:?}",
            made.body
        );
    }
    let shared = app
        .call("GET", "/api/v1/canned-replies", Some(&agent.access), None)
        .await;
    assert_eq!(
        shared.body.as_array().unwrap().len(),
        2,
        "{:?}",
        shared.body
    );

    // Last, the owner deletes the workspace: every member's access ends with it.
    let deleted = app.call("DELETE", &w(""), Some(&boss.access), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    for caller in [&admin, &agent] {
        assert!(
            app.sites(&caller.access)
                .await
                .body
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}
