//! A minimal HTTP/1.1 client for our own server on loopback: keep-alive
//! connections that send a request and read the whole answer, for the
//! benchmarks and the crash test (which measure and kill a real server
//! process, so they speak plain HTTP over TCP).

use std::time::{Duration, Instant};

use chrono::Utc;

/// One keep-alive HTTP/1.1 connection that sends a request and reads the
/// answer (status, `Set-Cookie`, body by Content-Length or chunks, read and
/// counted): enough
/// for our own server.
pub struct Connection {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
    host: String,
}

/// What a [`Connection`] read back.
pub struct Answer {
    pub status: u16,
    pub set_cookie: Option<String>,
    /// Bytes in the body.
    pub size: usize,
}

impl Connection {
    pub async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self { stream: tokio::io::BufReader::new(stream), host: addr.to_string() })
    }

    /// A machine API call with a customer's key and a JSON body: its status.
    pub async fn post(&mut self, path: &str, key: &str, body: &str) -> anyhow::Result<u16> {
        let headers = format!("Authorization: Bearer {key}\r\nContent-Type: application/json\r\n");
        Ok(self.send("POST", path, &headers, body).await?.status)
    }

    /// Sends one request; `headers` are extra lines, each ending in CRLF.
    pub async fn send(&mut self, method: &str, path: &str, headers: &str, body: &str) -> anyhow::Result<Answer> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let (mut length, mut chunked, mut set_cookie) = (0usize, false, None);
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await? == 0 {
                anyhow::bail!("the server closed the connection");
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                } else if name.eq_ignore_ascii_case("set-cookie") && value.starts_with("msp_session=") {
                    set_cookie = Some(value.split(';').next().unwrap_or_default().to_owned());
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16)?;
                let mut chunk = vec![0u8; size + 2];
                self.stream.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            body.resize(length, 0);
            self.stream.read_exact(&mut body).await?;
        }
        Ok(Answer { status, set_cookie, size: body.len() })
    }
}

/// Whether the server at `addr` answers `/readyz` with 200 within `limit`
/// (asked every 5 ms).
pub async fn ready_within(addr: std::net::SocketAddr, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(mut conn) = Connection::open(addr).await {
            if conn.send("GET", "/readyz", "", "").await.is_ok_and(|a| a.status == 200) {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

pub fn report_body(report_id: &str, at: chrono::DateTime<Utc>, users: u32) -> String {
    serde_json::json!({ "report_id": report_id, "observed_at": at.to_rfc3339(), "users": users }).to_string()
}
