use std::time::Duration;

use awc::http::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn login_returns_a_token_pair_that_reaches_me() {
    let app = TestApp::spawn().await;
    let owner = app.owner("login@example.com").await;
    let me = app.me(&owner.access).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "login@example.com");
    let login = app.login("LOGIN@example.com", &owner.password).await;
    assert_eq!(login.body["token_type"], "Bearer");
    assert_eq!(login.body["expires_in"], 900);
}

#[actix_web::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.owner("known@example.com").await;
    let wrong = app.login("known@example.com", "wrong password").await;
    let unknown = app.login("nobody@example.com", "wrong password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.status, unknown.status);
}

#[actix_web::test]
async fn failed_logins_are_throttled_with_a_growing_delay_not_a_lockout() {
    let app = TestApp::spawn_with(|s| {
        s.limits.login_free_failures = 2;
        s.limits.login_max_delay_secs = 1;
    })
    .await;
    let owner = app.owner("throttle@example.com").await;
    for _ in 0..2 {
        assert_eq!(
            app.login(&owner.email, "wrong password").await.code(),
            "invalid_credentials"
        );
    }
    // The third attempt comes too soon: refused before the password is even checked —
    // the right password included.
    let throttled = app.login(&owner.email, &owner.password).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.code(), "login_throttled");
    assert_eq!(throttled.header("retry-after"), Some("1"));
    // A delay, not a lockout: once it has passed the owner gets in.
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    let login = app.login(&owner.email, &owner.password).await;
    assert_eq!(login.status, StatusCode::OK);
    // And success clears the account's counter.
    assert_eq!(
        app.login(&owner.email, "wrong password").await.code(),
        "invalid_credentials"
    );
}

#[actix_web::test]
async fn failed_logins_from_one_ip_are_capped_across_accounts() {
    let app = TestApp::spawn_with(|s| s.limits.login_failures_per_ip = 3).await;
    for i in 0..3 {
        let reply = app
            .login(&format!("u{i}@example.com"), "wrong password")
            .await;
        assert_eq!(reply.code(), "invalid_credentials");
    }
    let reply = app.login("u9@example.com", "wrong password").await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.code(), "too_many_requests");
}
