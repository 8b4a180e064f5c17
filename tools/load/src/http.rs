//! Just enough HTTP/1.1 to call PinTalk's JSON API from the load tool: one request per
//! connection (`Connection: close`), the answer read to its end. The tool calls a handful
//! of endpoints on a server it started itself, so a client library would buy nothing.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Reply {
    pub status: u16,
    /// The body as JSON (`Null` when empty or not JSON, e.g. `/metrics`).
    pub body: Value,
    pub text: String,
}

/// `base` is `http://IP:PORT`; `headers` are extra `(name, value)` pairs.
pub async fn request(
    method: &str,
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Result<Reply> {
    let address = base
        .strip_prefix("http://")
        .context("the API URL must be http://")?;
    let mut stream = TcpStream::connect(address)
        .await
        .with_context(|| format!("connecting to {base}"))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    parse(&answer).with_context(|| format!("{method} {path}"))
}

pub async fn get(base: &str, path: &str) -> Result<Reply> {
    request("GET", base, path, &[], None).await
}

pub async fn post(base: &str, path: &str, headers: &[(&str, &str)], body: Value) -> Result<Reply> {
    request("POST", base, path, headers, Some(&body)).await
}

fn parse(answer: &[u8]) -> Result<Reply> {
    let text = std::str::from_utf8(answer).context("a non-UTF-8 answer")?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .context("an answer without a body")?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("an answer without a status")?;
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        bail!("chunked answers are not expected from the API");
    }
    Ok(Reply {
        status,
        body: serde_json::from_str(body).unwrap_or(Value::Null),
        text: body.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_and_json_body() {
        let reply = parse(b"HTTP/1.1 201 Created\r\ncontent-length: 8\r\n\r\n{\"a\":1}\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.status, 201);
        assert_eq!(reply.body["a"], 1);
    }
}
