use awc::http::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::spawn().await;
    for (path, reply) in [
        ("/healthz", app.healthz().await),
        ("/readyz", app.readyz().await),
    ] {
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.body["status"], "ok");
        assert!(
            reply
                .header("x-request-id")
                .is_some_and(|id| id.len() == 36)
        );
    }
}

#[actix_web::test]
async fn openapi_document_covers_every_endpoint() {
    let app = TestApp::spawn().await;
    let doc = app.openapi().await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.body["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/healthz", &["get"][..]),
        ("/readyz", &["get"]),
        ("/api/v1/auth/signup", &["post"]),
        ("/api/v1/auth/email/verify", &["post"]),
        ("/api/v1/auth/email/verify/resend", &["post"]),
        ("/api/v1/auth/email/change", &["post"]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/auth/refresh", &["post"]),
        ("/api/v1/auth/logout", &["post"]),
        ("/api/v1/auth/logout-all", &["post"]),
        ("/api/v1/auth/password/forgot", &["post"]),
        ("/api/v1/auth/password/reset", &["post"]),
        ("/api/v1/auth/password/reset/check", &["post"]),
        ("/api/v1/me", &["get", "patch", "delete"]),
        ("/api/v1/me/password", &["put"]),
        ("/api/v1/me/email", &["post"]),
        ("/api/v1/me/notifications", &["get", "put"]),
        ("/api/v1/me/push", &["get"]),
        ("/api/v1/me/push/subscriptions", &["post"]),
        ("/api/v1/me/push/subscriptions/{id}", &["delete"]),
        ("/api/v1/notifications/unsubscribe", &["get", "post"]),
        ("/api/v1/sites", &["get", "post"]),
        ("/api/v1/sites/{id}", &["get", "patch", "delete"]),
        ("/api/v1/sites/{id}/key", &["post"]),
        ("/api/v1/widget/config", &["get"]),
        ("/api/v1/widget/sessions", &["post"]),
        ("/api/v1/realtime/token", &["post"]),
        ("/api/v1/sites/{id}/rooms", &["get"]),
        ("/api/v1/sites/{id}/blocked", &["get"]),
        ("/api/v1/sites/{id}/webhooks", &["get", "post"]),
        (
            "/api/v1/sites/{id}/webhooks/{webhook}",
            &["patch", "delete"],
        ),
        ("/api/v1/sites/{id}/webhooks/{webhook}/deliveries", &["get"]),
        (
            "/api/v1/sites/{id}/webhooks/{webhook}/deliveries/{delivery}/redeliver",
            &["post"],
        ),
        ("/api/v1/rooms/{id}", &["get", "patch", "delete"]),
        ("/api/v1/rooms/{id}/messages", &["get", "post"]),
        ("/api/v1/rooms/{id}/transcript", &["get"]),
        ("/api/v1/rooms/{id}/transcript/mail", &["post"]),
        ("/api/v1/rooms/{id}/visitor/email", &["put"]),
        ("/api/v1/rooms/{id}/block", &["post", "delete"]),
        ("/api/v1/sites/{id}/bans", &["get", "post"]),
        ("/api/v1/sites/{id}/bans/{ban}", &["delete"]),
        ("/api/v1/sites/{id}/limits", &["get", "put"]),
        ("/api/v1/api-tokens", &["get", "post"]),
        ("/api/v1/rooms/{id}/assignee", &["put"]),
        ("/api/v1/api-tokens/{id}", &["delete"]),
        ("/api/v1/sites/{id}/retention", &["get", "put"]),
        ("/api/v1/rooms/{id}/visitor", &["delete"]),
        ("/api/v1/rooms/{id}/visitor/export", &["get"]),
        ("/api/v1/me/export", &["get"]),
        ("/api/v1/sites/{id}/identity", &["get", "patch"]),
        ("/api/v1/sites/{id}/identity/secret", &["post"]),
        ("/api/v1/canned-replies", &["get", "post"]),
        ("/api/v1/canned-replies/{id}", &["patch", "delete"]),
        ("/api/v1/workspaces", &["get"]),
        ("/api/v1/workspaces/{id}", &["patch", "delete"]),
        ("/api/v1/workspaces/{id}/transfer", &["post"]),
        ("/api/v1/workspaces/{id}/members", &["get"]),
        (
            "/api/v1/workspaces/{id}/members/{member}",
            &["patch", "delete"],
        ),
        ("/api/v1/workspaces/{id}/invitations", &["get", "post"]),
        (
            "/api/v1/workspaces/{id}/invitations/{invitation}",
            &["delete"],
        ),
        ("/api/v1/invitations/lookup", &["post"]),
        ("/api/v1/invitations/accept", &["post"]),
        ("/api/v1/rooms/{id}/labels", &["put"]),
        ("/api/v1/sites/{id}/labels", &["get"]),
        ("/api/v1/rooms/{id}/rating", &["put"]),
        ("/api/v1/rooms/{id}/visitor/context", &["put"]),
        ("/api/v1/sites/{id}/ratings", &["get"]),
    ] {
        for method in methods {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} missing from the document"
            );
        }
    }
    assert_eq!(
        paths.len(),
        67,
        "an endpoint is documented that the test does not know"
    );
}
