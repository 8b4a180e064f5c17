//! Dependencies going away: the service answers 503 `unavailable` without its cause, and
//! recovers by itself when they come back. Uses a private redis-server on its own port.

use awc::http::StatusCode;

use crate::helpers::TestApp;
use crate::redis::{PrivateRedis, free_port};

#[actix_web::test]
async fn redis_down_is_503_unavailable_without_the_cause_and_recovers() {
    let redis = PrivateRedis::start(free_port()).await;
    let port = redis.port;
    let app =
        TestApp::spawn_with(|s| s.redis.url = format!("redis://127.0.0.1:{port}").into()).await;
    let owner = app.owner("outage@example.com").await;
    redis.stop();

    let ready = app.readyz().await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.code(), "unavailable");
    let login = app.login(&owner.email, &owner.password).await;
    assert_eq!(login.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(login.code(), "unavailable");
    let message = login.body["message"].as_str().unwrap();
    assert!(
        !message.contains("127.0.0.1") && !message.to_lowercase().contains("refused"),
        "{message}"
    );
    assert!(login.header("x-request-id").is_some());
    // Requests that need only the database still work.
    assert_eq!(app.me(&owner.access).await.status, StatusCode::OK);

    let _redis = PrivateRedis::start(port).await;
    let ready = app.readyz().await;
    assert_eq!(ready.status, StatusCode::OK);
    let login = app.login(&owner.email, &owner.password).await;
    assert_eq!(login.status, StatusCode::OK);
}
