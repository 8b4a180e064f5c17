//! An unverified owner's widget is not live until they follow a verification link; they
//! can ask for a new one.

use awc::http::StatusCode;

use crate::helpers::{Owner, TestApp};
use crate::realtime::{SHOP, key};
use crate::smtp::link_token;

const VERIFY: &str = "Verify your email";

/// Signed up and logged in, never verified.
async fn unverified(app: &TestApp, email: &str) -> Owner {
    let password = "correct horse battery".to_owned();
    app.verification_token(email, &password).await;
    let login = app.login(email, &password).await;
    Owner {
        email: email.to_owned(),
        password,
        access: login.body["access_token"].as_str().unwrap().to_owned(),
        refresh: login.body["refresh_token"].as_str().unwrap().to_owned(),
    }
}

#[actix_web::test]
async fn a_resent_verification_link_puts_the_widget_live() {
    let app = TestApp::spawn().await;
    let owner = unverified(&app, "late@example.com").await;
    let site = app.new_site(&owner, &[SHOP]).await;
    assert_eq!(
        app.widget_config(key(&site), Some(SHOP)).await.code(),
        "site_not_live"
    );

    let resent = app.resend_verification(&owner.access).await;
    assert_eq!(resent.status, StatusCode::NO_CONTENT, "{:?}", resent.body);
    let token = link_token(&app.mail.wait_for(&owner.email, VERIFY, 2).await);
    assert_eq!(
        app.verify_email(&token).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.widget_config(key(&site), Some(SHOP)).await.status,
        StatusCode::OK
    );

    // Verified now: a clear answer, and no mail.
    let again = app.resend_verification(&owner.access).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "email_already_verified");
    assert_eq!(
        app.mail
            .sent_to(&owner.email)
            .iter()
            .filter(|m| m.contains(VERIFY))
            .count(),
        2
    );
}

#[actix_web::test]
async fn verification_mails_are_limited_per_owner() {
    let app = TestApp::spawn_with(|s| s.limits.account_mails_per_owner = 2).await;
    let owner = unverified(&app, "eager@example.com").await;
    for _ in 0..2 {
        assert_eq!(
            app.resend_verification(&owner.access).await.status,
            StatusCode::NO_CONTENT
        );
    }
    let third = app.resend_verification(&owner.access).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.header("retry-after").is_some());
    assert_eq!(
        app.resend_verification("not-a-token").await.code(),
        "invalid_token"
    );
}
