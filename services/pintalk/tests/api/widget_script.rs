//! `/widget.js` as a browser gets it: the minified script, in brotli, gzip or none as
//! `Accept-Encoding` asks, each variant with its own ETag and a 304 for it when unchanged.

use std::io::Read;

use awc::http::StatusCode;

use crate::helpers::TestApp;

/// The widget's source, minified the way the build does.
fn minified() -> Vec<u8> {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/widget/pintalk.js"
    ))
    .unwrap();
    minifier::js::minify(&source)
        .unwrap()
        .to_string()
        .into_bytes()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[actix_web::test]
async fn each_encoding_serves_the_minified_script_with_its_own_etag() {
    let app = TestApp::spawn().await;
    let script = minified();
    let source_len = std::fs::metadata(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/widget/pintalk.js"
    ))
    .unwrap()
    .len();
    assert!((script.len() as u64) < source_len * 3 / 4, "minified");

    let plain = app.widget_script(&[]).await;
    let gzip = app.widget_script(&[("accept-encoding", "gzip")]).await;
    let brotli = app
        .widget_script(&[("accept-encoding", "gzip, deflate, br, zstd")])
        .await;
    for (reply, encoding) in [(&plain, None), (&gzip, Some("gzip")), (&brotli, Some("br"))] {
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("content-encoding"), encoding);
        assert_eq!(reply.header("vary"), Some("Accept-Encoding"));
        assert_eq!(
            reply.header("content-type"),
            Some("application/javascript; charset=utf-8")
        );
        assert_eq!(reply.header("cache-control"), Some("public, max-age=300"));
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
        let etag = reply.header("etag").unwrap();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong: {etag}"
        );
    }
    assert_eq!(
        plain.bytes, script,
        "the identity body is the minified script"
    );
    assert_eq!(gunzip(&gzip.bytes), script);
    assert_eq!(unbrotli(&brotli.bytes), script);
    assert!(brotli.bytes.len() < gzip.bytes.len() && gzip.bytes.len() < script.len() / 2);
    let tags = [&plain, &gzip, &brotli].map(|r| r.header("etag").unwrap().to_owned());
    assert!(
        tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
        "{tags:?}"
    );

    // Weights are honoured; a refused or unknown coding falls back to the next.
    let weighed = app
        .widget_script(&[("accept-encoding", "br;q=0.2, gzip;q=0.9")])
        .await;
    assert_eq!(weighed.header("content-encoding"), Some("gzip"));
    let refused = app
        .widget_script(&[("accept-encoding", "br;q=0, deflate")])
        .await;
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.bytes, script);
}

#[actix_web::test]
async fn an_unchanged_variant_revalidates_with_304_and_no_body() {
    let app = TestApp::spawn().await;
    for accept in ["br", "gzip", "identity"] {
        let first = app.widget_script(&[("accept-encoding", accept)]).await;
        let etag = first.header("etag").unwrap().to_owned();
        let again = app
            .widget_script(&[("accept-encoding", accept), ("if-none-match", &etag)])
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{accept}");
        assert!(again.bytes.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        assert_eq!(again.header("vary"), Some("Accept-Encoding"));
        assert_eq!(again.header("cache-control"), Some("public, max-age=300"));
        let weak = format!("\"other\", W/{etag}");
        let listed = app
            .widget_script(&[("accept-encoding", accept), ("if-none-match", &weak)])
            .await;
        assert_eq!(listed.status, StatusCode::NOT_MODIFIED, "{accept}: a list");
    }
    // Another variant's tag is not this one's: the cache holds other bytes.
    let gzip_tag = app.widget_script(&[("accept-encoding", "gzip")]).await;
    let as_brotli = app
        .widget_script(&[
            ("accept-encoding", "br"),
            ("if-none-match", gzip_tag.header("etag").unwrap()),
        ])
        .await;
    assert_eq!(as_brotli.status, StatusCode::OK);
    assert_eq!(as_brotli.header("content-encoding"), Some("br"));
    let stale = app
        .widget_script(&[("accept-encoding", "br"), ("if-none-match", "\"old\"")])
        .await;
    assert_eq!(stale.status, StatusCode::OK);
}
