//! Benchmark driver: a 1 MiB PUT fed to the WebREPL state machine in 1024-byte frames (as
//! the webrepl client sends them), with a host that drops the data. Run under callgrind
//! with --toggle-collect='*Session*feed*' to count instructions per byte of file data.
use mprs::webrepl::{Frame, Host, Session, HEADER_LEN, PUT_FILE};

struct NullHost(usize);

impl Host for NullHost {
    fn send(&mut self, _: &mut [u8], _: Frame) {}
    fn password(&self) -> &[u8] {
        b"pw"
    }
    fn open(&mut self, _: &[u8], _: mprs::webrepl::Direction) -> bool {
        true
    }
    fn write_file(&mut self, data: &[u8]) -> bool {
        self.0 += data.len();
        true
    }
    fn read_file(&mut self, _: &mut [u8]) -> Option<usize> {
        Some(0)
    }
    fn close_file(&mut self) {}
    fn rename(&mut self, _: &[u8], _: &[u8]) -> bool {
        true
    }
    fn remove(&mut self, _: &[u8]) {}
    fn version(&self) -> [u8; 3] {
        [1, 27, 0]
    }
}

fn main() {
    const SIZE: usize = 1 << 20;
    let mut host = NullHost(0);
    let mut s = Session::new();
    s.feed(b"pw\r", Frame::Text, &mut host);
    let mut req = [0u8; HEADER_LEN];
    req[..2].copy_from_slice(b"WA");
    req[2] = PUT_FILE;
    req[12..16].copy_from_slice(&(SIZE as u32).to_le_bytes());
    req[16] = 1;
    req[18] = b'f';
    s.feed(&req, Frame::Binary, &mut host);
    let frame = [0x5au8; 1024];
    for _ in 0..SIZE / frame.len() {
        let mut rest = &frame[..];
        while !rest.is_empty() {
            let n = s.want().min(rest.len());
            s.feed(&rest[..n], Frame::Binary, &mut host);
            rest = &rest[n..];
        }
    }
    assert_eq!(host.0, SIZE);
    // The callgrind script divides by this: bytes of file data.
    println!("{SIZE}");
}
