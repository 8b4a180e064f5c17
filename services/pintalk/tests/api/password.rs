use awc::http::StatusCode;

use crate::helpers::TestApp;
use crate::smtp::link_token;

#[actix_web::test]
async fn forgot_answers_the_same_for_known_and_unknown_addresses() {
    let app = TestApp::spawn().await;
    app.owner("known@example.com").await;
    // The unknown address first: the known one's mail, sent after more work from a later
    // request, shows the unknown one's request was dealt with.
    let unknown = app.forgot_password("ghost@example.com").await;
    let known = app.forgot_password("known@example.com").await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    let mail = app
        .mail
        .wait_for("known@example.com", "Reset your PinTalk password", 1)
        .await;
    assert!(
        mail.contains("http://127.0.0.1:8080/reset-password#token="),
        "{mail}"
    );
    assert!(link_token(&mail).len() >= 43, "at least 256 bits");
    assert!(app.mail.sent_to("ghost@example.com").is_empty());
}

#[actix_web::test]
async fn reset_link_sets_the_password_once_revokes_sessions_and_mails_a_notice() {
    let app = TestApp::spawn().await;
    let owner = app.owner("reset@example.com").await;
    app.forgot_password(&owner.email).await;
    let token = link_token(
        &app.mail
            .wait_for(&owner.email, "Reset your PinTalk password", 1)
            .await,
    );

    let reset = app.reset_password(&token, "brand new secret").await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(app.me(&owner.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login(&owner.email, &owner.password).await.code(),
        "invalid_credentials"
    );
    assert_eq!(
        app.login(&owner.email, "brand new secret").await.status,
        StatusCode::OK
    );
    app.mail
        .wait_for(&owner.email, "password was changed", 1)
        .await;

    let reused = app.reset_password(&token, "another secret").await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    assert_eq!(reused.code(), "invalid_one_time_token");
}

#[actix_web::test]
async fn expired_reset_token_is_refused() {
    let app = TestApp::spawn_with(|s| s.auth.reset_password_ttl_mins = 0).await;
    let owner = app.owner("late@example.com").await;
    app.forgot_password(&owner.email).await;
    let token = link_token(
        &app.mail
            .wait_for(&owner.email, "Reset your PinTalk password", 1)
            .await,
    );
    let reply = app.reset_password(&token, "brand new secret").await;
    assert_eq!(reply.code(), "invalid_one_time_token");
    assert_eq!(
        app.login(&owner.email, &owner.password).await.status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn reset_mails_are_limited_per_address_silently_and_per_ip_visibly() {
    let app = TestApp::spawn_with(|s| {
        s.limits.reset_mails_per_email = 1;
        s.limits.reset_mails_per_ip = 3;
    })
    .await;
    let owner = app.owner("often@example.com").await;
    for _ in 0..3 {
        let reply = app.forgot_password(&owner.email).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    let limited = app.forgot_password(&owner.email).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    app.mail
        .wait_for(&owner.email, "Reset your PinTalk password", 1)
        .await;
    // A mail from a later request (a password change's notice), so the dropped requests
    // before it have been dealt with.
    let changed = app
        .change_password(&owner.access, &owner.password, "brand new secret")
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    app.mail
        .wait_for(&owner.email, "password was changed", 1)
        .await;
    let resets = app
        .mail
        .sent_to(&owner.email)
        .iter()
        .filter(|m| m.contains("Reset your"))
        .count();
    assert_eq!(resets, 1);
}

#[actix_web::test]
async fn change_password_needs_the_current_one_and_ends_every_older_session() {
    let app = TestApp::spawn().await;
    let owner = app.owner("change@example.com").await;
    let other = app.login(&owner.email, &owner.password).await;
    let other_access = other.body["access_token"].as_str().unwrap().to_owned();

    let wrong = app
        .change_password(&owner.access, "not it at all", "brand new secret")
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(wrong.code(), "wrong_password");

    let changed = app
        .change_password(&owner.access, &owner.password, "brand new secret")
        .await;
    assert_eq!(changed.status, StatusCode::OK);
    let fresh = changed.body["access_token"].as_str().unwrap();
    assert_eq!(app.me(fresh).await.status, StatusCode::OK);
    for old in [&owner.access, &other_access] {
        assert_eq!(app.me(old).await.status, StatusCode::UNAUTHORIZED);
    }
    let refresh = app.refresh(&owner.refresh).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login(&owner.email, "brand new secret").await.status,
        StatusCode::OK
    );
    app.mail
        .wait_for(&owner.email, "password was changed", 1)
        .await;
}

#[actix_web::test]
async fn changing_the_password_to_the_current_one_is_refused_and_signs_out_nobody() {
    let app = TestApp::spawn().await;
    let owner = app.owner("same@example.com").await;
    let other = app.login(&owner.email, &owner.password).await;
    let other_access = other.body["access_token"].as_str().unwrap().to_owned();

    let same = app
        .change_password(&owner.access, &owner.password, &owner.password)
        .await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST);
    assert_eq!(same.code(), "password_unchanged");
    for access in [&owner.access, &other_access] {
        assert_eq!(app.me(access).await.status, StatusCode::OK);
    }
    // A stranger holding a stolen token learns nothing from it: a wrong current password
    // is still `wrong_password`, whatever the new one is.
    let wrong = app
        .change_password(&owner.access, "not it at all", &owner.password)
        .await;
    assert_eq!(wrong.code(), "wrong_password");
}

#[actix_web::test]
async fn a_reset_link_can_be_checked_without_using_it_up() {
    let app = TestApp::spawn().await;
    let owner = app.owner("check@example.com").await;
    app.forgot_password(&owner.email).await;
    let token = link_token(
        &app.mail
            .wait_for(&owner.email, "Reset your PinTalk password", 1)
            .await,
    );
    for _ in 0..2 {
        assert_eq!(app.check_reset(&token).await.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(
        app.reset_password(&token, "brand new secret").await.status,
        StatusCode::NO_CONTENT
    );
    let used = app.check_reset(&token).await;
    assert_eq!(used.status, StatusCode::BAD_REQUEST);
    assert_eq!(used.code(), "invalid_one_time_token");
    assert_eq!(
        app.check_reset("never-issued").await.code(),
        "invalid_one_time_token"
    );
}

#[actix_web::test]
async fn an_expired_reset_link_checks_as_invalid() {
    let app = TestApp::spawn_with(|s| s.auth.reset_password_ttl_mins = 0).await;
    let owner = app.owner("stale@example.com").await;
    app.forgot_password(&owner.email).await;
    let token = link_token(
        &app.mail
            .wait_for(&owner.email, "Reset your PinTalk password", 1)
            .await,
    );
    assert_eq!(
        app.check_reset(&token).await.code(),
        "invalid_one_time_token"
    );
}
