use awc::http::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn signup_creates_an_unverified_owner_with_a_normalised_email_and_mails_a_link() {
    let app = TestApp::spawn().await;
    let reply = app
        .signup("  Ann@Example.COM ", "correct horse", "Ann")
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["email"], "ann@example.com");
    assert_eq!(reply.body["email_verified"], false);
    assert!(reply.body.get("password_hash").is_none());
    let mail = app
        .mail
        .wait_for("ann@example.com", "Verify your email", 1)
        .await;
    // The link is built from the configured public URL, not from the Host header.
    assert!(
        mail.contains("http://127.0.0.1:8080/verify-email#token="),
        "{mail}"
    );
}

#[actix_web::test]
async fn verification_link_verifies_once() {
    let app = TestApp::spawn().await;
    let token = app
        .verification_token("v@example.com", "correct horse")
        .await;
    let first = app.verify_email(&token).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    let again = app.verify_email(&token).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.code(), "invalid_one_time_token");
    let login = app.login("v@example.com", "correct horse").await;
    let me = app.me(login.body["access_token"].as_str().unwrap()).await;
    assert_eq!(me.body["email_verified"], true);
}

#[actix_web::test]
async fn taken_email_is_a_conflict_whatever_its_case() {
    let app = TestApp::spawn().await;
    app.verification_token("dup@example.com", "correct horse")
        .await;
    let reply = app.signup("DUP@example.com", "another pass", "Ann").await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.code(), "email_taken");
}

#[actix_web::test]
async fn password_of_73_bytes_is_refused_and_72_accepted() {
    let app = TestApp::spawn().await;
    let reply = app.signup("long@example.com", &"p".repeat(73), "Ann").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "password_too_long");
    // 72 bytes counted in bytes, not characters: 24 three-byte characters.
    let reply = app
        .signup("long@example.com", &"한".repeat(24), "Ann")
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let login = app.login("long@example.com", &"한".repeat(24)).await;
    assert_eq!(login.status, StatusCode::OK);
}

#[actix_web::test]
async fn short_password_bad_email_and_bad_name_are_refused() {
    let app = TestApp::spawn().await;
    let reply = app.signup("s@example.com", "1234567", "Ann").await;
    assert_eq!(reply.code(), "password_too_short");
    let reply = app.signup("not-an-email", "correct horse", "Ann").await;
    assert_eq!(reply.code(), "invalid_email");
    let reply = app.signup("n@example.com", "correct horse", " ").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_field");
}

#[actix_web::test]
async fn signups_are_limited_per_ip() {
    let app = TestApp::spawn_with(|s| s.limits.signups_per_ip = 2).await;
    for i in 0..2 {
        let reply = app
            .signup(&format!("ip{i}@example.com"), "correct horse", "Ann")
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    let reply = app.signup("ip3@example.com", "correct horse", "Ann").await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.code(), "too_many_requests");
    assert!(reply.header("retry-after").is_some());
}

#[actix_web::test]
async fn signups_are_limited_per_address() {
    let app = TestApp::spawn_with(|s| s.limits.signups_per_email = 1).await;
    app.verification_token("same@example.com", "correct horse")
        .await;
    let reply = app.signup("same@example.com", "correct horse", "Ann").await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}
