//! Changing an account's email: a link to the new address, the change only when it is
//! followed, a notice to the old address, and no session ended.

use awc::http::StatusCode;

use crate::helpers::TestApp;
use crate::smtp::link_token;

const CONFIRM: &str = "Confirm your new email";

#[actix_web::test]
async fn the_email_changes_only_when_the_link_to_the_new_address_is_followed() {
    let app = TestApp::spawn().await;
    let owner = app.owner("old@example.com").await;
    let asked = app
        .request_email_change(&owner.access, " New@Example.com ", &owner.password)
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{:?}", asked.body);
    assert_eq!(asked.body["email"], "old@example.com");
    assert_eq!(asked.body["pending_email"], "new@example.com");

    let mail = app.mail.wait_for("new@example.com", CONFIRM, 1).await;
    assert!(
        mail.contains("http://127.0.0.1:8080/change-email#token="),
        "{mail}"
    );
    // Nothing has changed yet: the old address still signs in, /me says what waits.
    let me = app.me(&owner.access).await;
    assert_eq!(me.body["email"], "old@example.com");
    assert_eq!(me.body["pending_email"], "new@example.com");
    assert_eq!(
        app.login("old@example.com", &owner.password).await.status,
        StatusCode::OK
    );

    let token = link_token(&mail);
    let confirmed = app.confirm_email_change(&token).await;
    assert_eq!(
        confirmed.status,
        StatusCode::NO_CONTENT,
        "{:?}",
        confirmed.body
    );

    // The session that asked is still live and shows the new address.
    let me = app.me(&owner.access).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "new@example.com");
    assert_eq!(me.body["pending_email"], serde_json::Value::Null);
    assert_eq!(me.body["email_verified"], true);
    assert_eq!(
        app.login("new@example.com", &owner.password).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.login("old@example.com", &owner.password).await.code(),
        "invalid_credentials"
    );
    let notice = app
        .mail
        .wait_for("old@example.com", "Your PinTalk email was changed", 1)
        .await;
    assert!(notice.contains("new@example.com"), "{notice}");

    let again = app.confirm_email_change(&token).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.code(), "invalid_one_time_token");
}

#[actix_web::test]
async fn the_newest_request_wins_and_older_links_stop_working() {
    let app = TestApp::spawn().await;
    let owner = app.owner("ann@example.com").await;
    app.request_email_change(&owner.access, "first@example.com", &owner.password)
        .await;
    let first = link_token(&app.mail.wait_for("first@example.com", CONFIRM, 1).await);
    let second = app
        .request_email_change(&owner.access, "second@example.com", &owner.password)
        .await;
    assert_eq!(second.body["pending_email"], "second@example.com");
    let second = link_token(&app.mail.wait_for("second@example.com", CONFIRM, 1).await);

    assert_eq!(
        app.confirm_email_change(&first).await.code(),
        "invalid_one_time_token"
    );
    assert_eq!(
        app.confirm_email_change(&second).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.me(&owner.access).await.body["email"],
        "second@example.com"
    );
}

#[actix_web::test]
async fn a_change_needs_the_password_a_free_new_address_and_a_real_change() {
    let app = TestApp::spawn().await;
    let owner = app.owner("me@example.com").await;
    app.owner("other@example.com").await;
    for (email, password, status, code) in [
        (
            "x@example.com",
            "wrong password",
            StatusCode::FORBIDDEN,
            "wrong_password",
        ),
        (
            "not an address",
            owner.password.as_str(),
            StatusCode::BAD_REQUEST,
            "invalid_email",
        ),
        (
            "ME@example.com",
            owner.password.as_str(),
            StatusCode::BAD_REQUEST,
            "email_unchanged",
        ),
        (
            "other@example.com",
            owner.password.as_str(),
            StatusCode::CONFLICT,
            "email_taken",
        ),
    ] {
        let reply = app
            .request_email_change(&owner.access, email, password)
            .await;
        assert_eq!((reply.status, reply.code()), (status, code), "{email}");
    }
    assert_eq!(
        app.me(&owner.access).await.body["pending_email"],
        serde_json::Value::Null
    );
    assert!(app.mail.sent_to("x@example.com").is_empty());
}

#[actix_web::test]
async fn an_address_taken_before_the_link_is_followed_is_refused_then() {
    let app = TestApp::spawn().await;
    let owner = app.owner("slow@example.com").await;
    app.request_email_change(&owner.access, "race@example.com", &owner.password)
        .await;
    let token = link_token(&app.mail.wait_for("race@example.com", CONFIRM, 1).await);
    app.owner("race@example.com").await;
    let reply = app.confirm_email_change(&token).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.code(), "email_taken");
    assert_eq!(
        app.me(&owner.access).await.body["email"],
        "slow@example.com"
    );
}

#[actix_web::test]
async fn reset_links_mailed_to_the_old_address_stop_working_after_the_change() {
    let app = TestApp::spawn().await;
    let owner = app.owner("was@example.com").await;
    app.forgot_password(&owner.email).await;
    let reset = link_token(
        &app.mail
            .wait_for(&owner.email, "Reset your PinTalk password", 1)
            .await,
    );
    app.request_email_change(&owner.access, "now@example.com", &owner.password)
        .await;
    let token = link_token(&app.mail.wait_for("now@example.com", CONFIRM, 1).await);
    assert_eq!(
        app.confirm_email_change(&token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.check_reset(&reset).await.code(),
        "invalid_one_time_token"
    );
}

#[actix_web::test]
async fn email_change_requests_are_limited_per_owner() {
    let app = TestApp::spawn_with(|s| s.limits.account_mails_per_owner = 2).await;
    let owner = app.owner("busy@example.com").await;
    for n in 1..=2 {
        let reply = app
            .request_email_change(&owner.access, &format!("n{n}@example.com"), &owner.password)
            .await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    let third = app
        .request_email_change(&owner.access, "n3@example.com", &owner.password)
        .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(third.code(), "too_many_requests");
}
