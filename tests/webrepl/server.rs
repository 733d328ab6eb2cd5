//! Test harness: serves the WebREPL state machine (`mprs::webrepl::Session`) over a real
//! websocket on 127.0.0.1, with a directory as its file system, so a real WebREPL client
//! can be run against it. Clients of WebREPL send unmasked frames, which MicroPython's
//! websocket accepts; so does this server (masked ones too).
//!
//! Usage: webrepl_server <dir> <password> <max connections> [<version a.b.c>]
//! Prints the port it listens on, serves connections one after another, and exits after the
//! last one or after 120 s without a connection.

use mprs::webrepl::{Direction, Feed, Frame, Host, Session};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

/// A websocket connection, server side.
struct Ws {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    left: u64,
    text: bool,
    mask: Option<[u8; 4]>,
    mask_pos: usize,
}

impl Ws {
    /// Reads the HTTP upgrade request and answers it.
    fn accept(stream: TcpStream) -> io::Result<Ws> {
        let writer = stream.try_clone()?;
        let mut reader = BufReader::new(stream);
        let mut key = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if let Some(v) = line.strip_prefix("Sec-WebSocket-Key:") {
                key = v.trim().to_string();
            }
            if line == "\r\n" {
                break;
            }
        }
        let accept = base64(&sha1(
            format!("{key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11").as_bytes(),
        ));
        let mut ws = Ws {
            reader,
            writer,
            left: 0,
            text: false,
            mask: None,
            mask_pos: 0,
        };
        write!(
            ws.writer,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        )?;
        Ok(ws)
    }

    /// Acknowledges received data at once. The webrepl client sends each small message as
    /// two writes, so with Nagle on its side and delayed ACKs here every GET chunk would wait
    /// about 40 ms.
    fn quick_ack(&self) {
        use std::os::fd::AsRawFd;
        let one: libc::c_int = 1;
        // SAFETY: a valid socket descriptor and a pointer to a live int of the given size.
        unsafe {
            libc::setsockopt(
                self.writer.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_QUICKACK,
                (&one as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }

    /// Reads up to `buf.len()` bytes of one data frame; 0 at the end of the connection.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<(usize, Frame)> {
        self.quick_ack();
        while self.left == 0 {
            let mut hdr = [0u8; 2];
            if self.reader.read_exact(&mut hdr).is_err() {
                return Ok((0, Frame::Text));
            }
            let opcode = hdr[0] & 0x0f;
            let mut len = u64::from(hdr[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                self.reader.read_exact(&mut b)?;
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                self.reader.read_exact(&mut b)?;
                len = u64::from_be_bytes(b);
            }
            self.mask = if hdr[1] & 0x80 != 0 {
                let mut m = [0u8; 4];
                self.reader.read_exact(&mut m)?;
                Some(m)
            } else {
                None
            };
            self.mask_pos = 0;
            match opcode {
                0x8 => return Ok((0, Frame::Text)), // close
                0x1 | 0x2 => self.text = opcode == 0x1,
                0x0 => {}
                _ => {
                    // Control frames (ping, pong): skip their payload.
                    io::copy(&mut (&mut self.reader).take(len), &mut io::sink())?;
                    continue;
                }
            }
            self.left = len;
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.reader.read(&mut buf[..n])?;
        if n == 0 {
            return Ok((0, Frame::Text));
        }
        if let Some(m) = self.mask {
            for b in &mut buf[..n] {
                *b ^= m[self.mask_pos % 4];
                self.mask_pos += 1;
            }
        }
        self.left -= n as u64;
        Ok((
            n,
            if self.text {
                Frame::Text
            } else {
                Frame::Binary
            },
        ))
    }

    fn send(&mut self, data: &[u8], frame: Frame) -> io::Result<()> {
        let mut out = vec![if frame == Frame::Text { 0x81 } else { 0x82 }];
        match data.len() {
            n if n < 126 => out.push(n as u8),
            n if n <= 0xffff => {
                out.push(126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(data);
        self.writer.write_all(&out)
    }
}

/// The session's host: the websocket, and files under `root`.
struct DirHost {
    ws: Ws,
    root: PathBuf,
    password: Vec<u8>,
    version: [u8; 3],
    file: Option<File>,
}

impl DirHost {
    /// `name` inside root; None for anything that would leave it.
    fn path(&self, name: &[u8]) -> Option<PathBuf> {
        let name = std::str::from_utf8(name).ok()?;
        let rel = Path::new(name.trim_start_matches('/'));
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        Some(self.root.join(rel))
    }
}

impl Host for DirHost {
    fn send(&mut self, buf: &mut [u8], frame: Frame) {
        // The machine leaves room for the header; this server builds its own.
        let data = buf.get(mprs::websocket::HEADROOM..).unwrap_or_default();
        let _ = self.ws.send(data, frame);
    }
    fn password(&self) -> &[u8] {
        &self.password
    }
    fn open(&mut self, name: &[u8], direction: Direction) -> bool {
        let Some(path) = self.path(name) else {
            return false;
        };
        self.file = if direction == Direction::Write {
            File::create(path).ok()
        } else {
            File::open(path).ok()
        };
        self.file.is_some()
    }
    fn write_file(&mut self, data: &[u8]) -> bool {
        self.file
            .as_mut()
            .is_some_and(|f| f.write_all(data).is_ok())
    }
    fn read_file(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.file.as_mut()?.read(buf).ok()
    }
    fn close_file(&mut self) {
        self.file = None;
    }
    fn rename(&mut self, from: &[u8], to: &[u8]) -> bool {
        match (self.path(from), self.path(to)) {
            (Some(f), Some(t)) => fs::rename(f, t).is_ok(),
            _ => false,
        }
    }
    fn remove(&mut self, name: &[u8]) {
        if let Some(p) = self.path(name) {
            let _ = fs::remove_file(p);
        }
    }
    fn version(&self) -> [u8; 3] {
        self.version
    }
}

fn serve(stream: TcpStream, root: &Path, password: &[u8], version: [u8; 3]) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let ws = Ws::accept(stream)?;
    let mut host = DirHost {
        ws,
        root: root.to_path_buf(),
        password: password.to_vec(),
        version,
        file: None,
    };
    let mut session = Session::new();
    session.start(&mut host);
    let mut buf = [0u8; mprs::webrepl::READ_MAX];
    loop {
        let want = session.want().min(buf.len());
        let (n, frame) = match host.ws.read(&mut buf[..want]) {
            Ok(r) => r,
            Err(_) => (0, Frame::Text),
        };
        if n == 0 {
            session.abort(&mut host);
            return Ok(());
        }
        match session.feed(&buf[..n], frame, &mut host) {
            Feed::Terminal(b) => {
                // No interpreter here: echo terminal input, as a REPL's line editor does.
                let mut echo = vec![0; mprs::websocket::HEADROOM];
                echo.push(b);
                while let Some(p) = session.take_pending() {
                    echo.push(p);
                }
                host.send(&mut echo, Frame::Text);
            }
            Feed::Denied => return Ok(()),
            Feed::Consumed => {}
        }
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: webrepl_server <dir> <password> <max connections> [<version a.b.c>]");
        std::process::exit(2);
    }
    let root = PathBuf::from(&args[1]);
    let max: usize = args[3].parse().unwrap_or(1);
    let mut version = [1, 27, 0];
    if let Some(v) = args.get(4) {
        for (slot, part) in version.iter_mut().zip(v.split('.')) {
            *slot = part.parse().unwrap_or(0);
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("{}", listener.local_addr()?.port());
    io::stdout().flush()?;
    listener.set_nonblocking(true)?;
    let mut served = 0;
    let mut idle_since = Instant::now();
    while served < max && idle_since.elapsed() < Duration::from_secs(120) {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false)?;
                if let Err(e) = serve(stream, &root, args[2].as_bytes(), version) {
                    eprintln!("webrepl_server: connection ended: {e}");
                }
                served += 1;
                idle_since = Instant::now();
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// SHA-1, for the websocket handshake's accept key.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64) * 8;
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn handshake_key_matches_rfc6455_example() {
        let key = "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
        assert_eq!(
            super::base64(&super::sha1(key.as_bytes())),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
