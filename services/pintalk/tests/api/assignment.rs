//! The inbox's assignment filters: mine, unassigned, all.

use awc::http::StatusCode;
use serde_json::Value;

use crate::eventually::eventually;
use crate::helpers::TestApp;
use crate::realtime::{SHOP, key, owner_with_site};

/// The ids of an inbox page.
pub fn ids(page: &Value) -> Vec<String> {
    page["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_inbox_filters_mine_and_unassigned_and_refuses_another_filter() {
    let app = TestApp::spawn().await;
    let (owner, site) = owner_with_site(&app, "filters@example.com").await;
    let site_id = site["id"].as_str().unwrap();
    let mut taken = app.visitor(key(&site), SHOP).await;
    let mut waiting = app.visitor(key(&site), SHOP).await;
    let (mine, theirs) = (taken.room(), waiting.room());
    taken.socket.post(&mine, "first", "a").await;
    waiting.socket.post(&theirs, "second", "b").await;
    eventually(
        std::time::Duration::from_secs(5),
        "both conversations in the inbox",
        async || (ids(&app.inbox(&owner.access, site_id, "").await.body).len() == 2).then_some(()),
    )
    .await;
    let me = app.me(&owner.access).await.body["id"].clone();
    let assigned = app.assign_room(&owner.access, &mine, me).await;
    assert_eq!(assigned.status, StatusCode::OK, "{:?}", assigned.body);

    assert_eq!(
        ids(&app.inbox(&owner.access, site_id, "assignee=me").await.body),
        [mine.as_str()]
    );
    assert_eq!(
        ids(&app
            .inbox(&owner.access, site_id, "assignee=nobody")
            .await
            .body),
        [theirs.as_str()]
    );
    assert_eq!(
        ids(&app.inbox(&owner.access, site_id, "").await.body).len(),
        2
    );
    // An API token's "me" is the owner it acts for.
    let token = app.api_token(&owner.access, "read").await;
    assert_eq!(
        ids(&app.inbox(&token, site_id, "assignee=me").await.body),
        [mine.as_str()]
    );
    // Filters combine with the others.
    let closed_mine = app
        .inbox(&owner.access, site_id, "assignee=me&status=closed")
        .await;
    assert_eq!(ids(&closed_mine.body), Vec::<String>::new());

    for bad in ["assignee=everyone", "assignee=", "assignee=ME"] {
        let refused = app.inbox(&owner.access, site_id, bad).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::BAD_REQUEST, "invalid_query"),
            "{bad}"
        );
    }
}
