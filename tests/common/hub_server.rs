//! A tiny HTTP/1.1 server on 127.0.0.1 standing in for the Hugging Face Hub: fixed files by
//! path with Range support, the request headers recorded, and hostile answers on demand.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// How to answer one path.
#[derive(Clone)]
pub enum Reply {
    /// The bytes, honouring `Range: bytes=a-b` with 206 and `Content-Range`.
    File(Vec<u8>),
    /// 200 with a Content-Length far beyond the few bytes sent.
    HugeLength(Vec<u8>),
    /// 200: these bytes, then zeros until the client hangs up.
    Endless(Vec<u8>),
    /// 206 whose Content-Range states a file of 2^60 bytes.
    HugeTotal(Vec<u8>),
}

/// Requests as (path with query, headers by lower-cased name).
pub type Log = Arc<Mutex<Vec<(String, HashMap<String, String>)>>>;

/// A running server; requests are recorded as (path, headers lower-cased).
pub struct Server {
    pub endpoint: String,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    pub requests: Log,
    /// While set, every request gets 503.
    pub down: Arc<AtomicBool>,
}

impl Server {
    /// Starts serving `routes` (path with query → reply) on a free port.
    pub fn start(routes: HashMap<String, Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let routes = Arc::new(Mutex::new(routes));
        let requests: Log = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let (r, q, d) = (routes.clone(), requests.clone(), down.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, q, d) = (r.clone(), q.clone(), d.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &r, &q, &d);
                });
            }
        });
        Server {
            endpoint,
            routes,
            requests,
            down,
        }
    }

    /// Paths requested so far.
    pub fn paths(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }
}

fn serve(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, Reply>>,
    requests: &Log,
    down: &AtomicBool,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut first = String::new();
    reader.read_line(&mut first)?;
    let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let range = headers.get("range").cloned();
    requests.lock().unwrap().push((path.clone(), headers));
    let mut out = stream;
    if down.load(Ordering::SeqCst) {
        return write!(
            out,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
    let reply = routes.lock().unwrap().get(&path).cloned();
    match reply {
        None => write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Some(Reply::File(data)) => match range.as_deref().and_then(parse_range) {
            Some((a, b)) if a < data.len() as u64 => {
                let b = b.min(data.len() as u64 - 1);
                let part = &data[a as usize..=b as usize];
                write!(
                    out,
                    "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {a}-{b}/{}\r\nConnection: close\r\n\r\n",
                    part.len(),
                    data.len()
                )?;
                out.write_all(part)
            }
            _ => {
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    data.len()
                )?;
                out.write_all(&data)
            }
        },
        Some(Reply::HugeLength(data)) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n"
            )?;
            out.write_all(&data)
        }
        Some(Reply::HugeTotal(data)) => {
            write!(
                out,
                "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes 0-{}/{}\r\nConnection: close\r\n\r\n",
                data.len(),
                data.len() - 1,
                1u64 << 60
            )?;
            out.write_all(&data)
        }
        Some(Reply::Endless(prefix)) => {
            write!(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
            out.write_all(&prefix)?;
            let chunk = vec![0u8; 1 << 16];
            loop {
                out.write_all(&chunk)?;
            }
        }
    }
}

fn parse_range(h: &str) -> Option<(u64, u64)> {
    let (a, b) = h.strip_prefix("bytes=")?.split_once('-')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// A file list as `GET /api/models/{repo}?blobs=true` returns it.
pub fn file_list(files: &[(&str, u64)]) -> Vec<u8> {
    let siblings: Vec<String> = files
        .iter()
        .map(|(n, s)| format!(r#"{{"rfilename":"{n}","size":{s}}}"#))
        .collect();
    format!(r#"{{"id":"x","siblings":[{}]}}"#, siblings.join(",")).into_bytes()
}
