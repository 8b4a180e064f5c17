use std::time::Duration;

use serde_json::json;

use super::Cluster;
use crate::eventually::eventually;
use crate::socket::Socket;

const SHOP: &str = "https://shop.example.com";

#[actix_web::test]
async fn visitor_on_one_gateway_and_owner_on_another_converse_with_presence_and_typing() {
    let cluster = Cluster::start().await;
    let (owner, site) = cluster.owner_with_site("two@example.com", SHOP).await;
    let (a, b) = (&cluster.gateways[0], &cluster.gateways[1]);

    let session = cluster
        .api
        .widget_session(site["site_key"].as_str().unwrap(), SHOP, None)
        .await
        .body;
    let room = session["room"]["id"].as_str().unwrap().to_owned();
    let mut visitor = Socket::open(&a.ws_url(), SHOP).await;
    visitor
        .auth(session["token"].as_str().unwrap(), json!({}))
        .await;
    assert_eq!(visitor.next_of("presence").await["online"], false);

    let ticket = cluster.api.realtime_token(&owner.access).await;
    let mut dashboard = Socket::open(&b.ws_url(), &cluster.api.dashboard_origin()).await;
    dashboard
        .auth(ticket.body["token"].as_str().unwrap(), json!({}))
        .await;
    assert_eq!(
        visitor.next_of("presence").await["online"],
        true,
        "owner presence crosses gateways"
    );

    let ack = visitor.post(&room, "hello from A", "a-1").await;
    assert_eq!(ack["seq"], 1);
    assert_eq!(dashboard.next_of("message").await["body"], "hello from A");
    dashboard
        .send(json!({ "type": "typing", "room": room, "active": true }))
        .await;
    assert_eq!(
        visitor.next_of("typing").await["sender"]["kind"],
        "owner",
        "typing crosses gateways"
    );
    dashboard.post(&room, "hello from B", "b-1").await;
    let answer = visitor.next_of("message").await;
    assert_eq!(
        (answer["seq"].as_i64(), answer["body"].as_str()),
        (Some(2), Some("hello from B"))
    );

    // History over HTTP equals what was delivered.
    let history = cluster.api.history(&owner.access, &room, "").await;
    let got: Vec<(i64, &str)> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["seq"].as_i64().unwrap(), m["body"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(1, "hello from A"), (2, "hello from B")]);
    assert_eq!(
        persisted(&cluster).await,
        2,
        "the account service's /metrics counts what its persister wrote"
    );

    // The visitor leaves; after the grace period the owner hears it.
    drop(visitor);
    for _ in 0..10 {
        let frame = dashboard.next_of("presence").await;
        if frame["kind"] == "visitor" && frame["online"] == false {
            return;
        }
    }
    panic!("visitor never went offline");
}

/// The account service's persisted counter, once it reaches 2 (within 5 s).
async fn persisted(cluster: &Cluster) -> i64 {
    eventually(
        Duration::from_secs(5),
        "the persisted counter to reach 2",
        async || {
            let count = cluster.accounts[0]
                .metric("pintalk_account_persisted_total")
                .await
                .unwrap_or(0);
            (count >= 2).then_some(count)
        },
    )
    .await
}
