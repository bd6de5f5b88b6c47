//! The client's proxies: the environment's proxy carries requests to other hosts, never those
//! to a loopback address (`api::proxy`). Both "proxy" and "server" are listeners on
//! 127.0.0.1 that record the request line they get.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

/// A one-shot listener: it answers one request with an empty 200 and sends its first line.
fn listener() -> (String, mpsc::Receiver<String>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", l.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let _ = tx.send(head.lines().next().unwrap_or_default().to_string());
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        }
    });
    (addr, rx)
}

#[tokio::test]
async fn other_hosts_go_through_the_proxy_and_loopback_goes_direct() {
    let (proxy, via_proxy) = listener();
    let env = {
        let proxy = proxy.clone();
        move |name: &str| (name == "HTTP_PROXY").then(|| proxy.clone())
    };
    let client = thinkbench::api::client_with(&env).unwrap();
    let r = client.get("http://models.example/v1/models").send().await;
    assert!(r.is_ok(), "{r:?}");
    let line = via_proxy.recv().unwrap();
    assert_eq!(line, "GET http://models.example/v1/models HTTP/1.1");

    let (server, direct) = listener();
    let r = client.get(format!("{server}/v1/models")).send().await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(direct.recv().unwrap(), "GET /v1/models HTTP/1.1");
}

#[test]
fn no_proxy_variable_leaves_the_default_alone() {
    assert!(thinkbench::api::proxy::from_env(&|_| None).is_none());
    let set = |name: &str| (name == "https_proxy").then(|| "http://127.0.0.1:9".to_string());
    let proxies = thinkbench::api::proxy::from_env(&set).unwrap();
    assert_eq!(proxies.len(), 1);
}
