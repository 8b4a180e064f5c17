use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn malformed_json_is_invalid_json() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("content-type", "application/json"))
        .send_body("{\"email\": ")
        .await
        .unwrap();
    let reply = TestApp::reply(res).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_json");
}

#[actix_web::test]
async fn wrong_types_missing_and_unknown_fields_are_invalid_json() {
    let app = TestApp::spawn().await;
    for body in [
        json!({ "email": 5, "password": "x" }),
        json!({ "email": "a@b.co" }),
        json!({ "email": "a@b.co", "password": "12345678", "admin": true }),
        json!([1, 2]),
        // An array with the right values in the right order is still not an object.
        json!(["a@b.co", "correct horse"]),
    ] {
        let reply = app
            .call("POST", "/api/v1/auth/login", None, Some(body.clone()))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.code(), "invalid_json", "{body}");
    }
}

#[actix_web::test]
async fn body_over_64_kib_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let reply = app.signup("a@b.co", &"x".repeat(70_000), "n").await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.code(), "payload_too_large");
}

#[actix_web::test]
async fn non_json_content_type_is_refused_with_415() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("content-type", "text/plain"))
        .send_body("hello")
        .await
        .unwrap();
    let reply = TestApp::reply(res).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.code(), "unsupported_media_type");
}

#[actix_web::test]
async fn unknown_route_and_wrong_method_answer_with_the_error_body() {
    let app = TestApp::spawn().await;
    let reply = app.call("GET", "/api/v1/nothing-here", None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "not_found");
    let reply = app.call("DELETE", "/api/v1/auth/login", None, None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.code(), "method_not_allowed");
}

#[actix_web::test]
async fn bad_id_in_path_is_invalid_id() {
    let app = TestApp::spawn().await;
    let owner = app.owner("ids@example.com").await;
    for id in ["123", "not-a-uuid", "01a22263CA1F75B1B8707A8312A6BFF8"] {
        let reply = app.site(&owner.access, id).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{id}");
        assert_eq!(reply.code(), "invalid_id");
    }
}

#[actix_web::test]
async fn upper_case_id_in_path_is_invalid_id_not_the_resource() {
    let app = TestApp::spawn().await;
    let owner = app.owner("upper@example.com").await;
    let site = app.new_site(&owner, &["https://shop.example.com"]).await;
    let id = site["id"].as_str().unwrap();
    let upper = app.site(&owner.access, &id.to_uppercase()).await;
    assert_eq!(upper.status, StatusCode::BAD_REQUEST);
    assert_eq!(upper.code(), "invalid_id");
    let canonical = app.site(&owner.access, id).await;
    assert_eq!(canonical.status, StatusCode::OK);
}

#[actix_web::test]
async fn bad_query_string_is_invalid_query() {
    let app = TestApp::spawn().await;
    let reply = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.code(), "invalid_query");
}
