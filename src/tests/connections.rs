//! What a connection may cost the server: a client that never finishes a request's head is cut
//! off, and the app still serves everyone else meanwhile.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use truecaller_signin::server::web::serve::HEADER_READ_TIMEOUT;

use crate::support::spawn_app;

#[tokio::test]
async fn a_request_head_that_never_ends_is_cut_off() {
    let app = spawn_app(&[]).await;
    // A slowloris client: a request line and one header, then silence.
    let mut slow = TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").await.unwrap();
    let opened = Instant::now();
    // Meanwhile everyone else is served.
    let health = reqwest::get(app.url.join("healthz").unwrap()).await.unwrap();
    assert_eq!(health.status(), 200);
    // The server closes the connection once the deadline passes (whatever it writes first).
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(HEADER_READ_TIMEOUT + Duration::from_secs(10), slow.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection was still open {:?} after its head began", opened.elapsed());
    assert!(opened.elapsed() >= HEADER_READ_TIMEOUT - Duration::from_secs(1), "closed early, after {:?}", opened.elapsed());
    let answer = String::from_utf8_lossy(&rest);
    assert!(!answer.contains("200 OK"), "{answer}");
}
