use super::*;
use crate::errno::Numbering;
use proptest::prelude::*;
use std::collections::VecDeque;
use std::vec::Vec;

/// What one underlying call does; with no step queued the stream moves up to `chunk`.
#[derive(Clone, Copy, Debug)]
enum Step {
    Move(usize),
    Errno(MprsErrno),
    Code(i32),
    Raise,
    Overlong(usize),
    Zero,
}

struct Fake {
    numbering: Numbering,
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
    script: VecDeque<Step>,
    written: Vec<u8>,
    calls: usize,
}

impl Fake {
    fn new(data: &[u8], chunk: usize) -> Self {
        Fake {
            numbering: Numbering::MicroPythonInternal,
            data: data.to_vec(),
            pos: 0,
            chunk,
            script: VecDeque::new(),
            written: Vec::new(),
            calls: 0,
        }
    }
    fn with(mut self, steps: &[Step]) -> Self {
        self.script.extend(steps.iter().copied());
        self
    }
    fn numbering(mut self, numbering: Numbering) -> Self {
        self.numbering = numbering;
        self
    }
    fn next(&mut self, asked: usize) -> Result<usize, IoError> {
        self.calls += 1;
        let limit = match self.script.pop_front() {
            None => self.chunk,
            Some(Step::Move(n)) => n,
            Some(Step::Errno(e)) => return Err(IoError::Errno(self.numbering.value(e))),
            Some(Step::Code(code)) => return Err(IoError::Errno(code)),
            Some(Step::Raise) => return Err(IoError::Raised),
            Some(Step::Overlong(extra)) => return Ok(asked + extra),
            Some(Step::Zero) => return Ok(0),
        };
        Ok(asked.min(limit))
    }
}

impl RawStream for Fake {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        let n = self.next(buf.len())?;
        if n > buf.len() {
            return Ok(n); // over-long: claims more, writes nothing past the buffer
        }
        let n = n.min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        let n = self.next(buf.len())?;
        if n <= buf.len() {
            self.written.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

/// A Vec standing for the glue's vstr, with an optional size limit that stands for
/// MemoryError.
struct VecBuf {
    bytes: Vec<u8>,
    limit: usize,
}

impl VecBuf {
    fn new() -> Self {
        // A request beyond this is a MemoryError, as an impossible vstr_add_len is.
        VecBuf {
            bytes: Vec::new(),
            limit: 1 << 24,
        }
    }

    /// The glue's sizing of the vstr: grow (which can raise) or cut.
    fn resize(&mut self, want: usize) -> Result<(), IoError> {
        if want > self.limit {
            return Err(IoError::Raised);
        }
        self.bytes.resize(want, 0xa5);
        Ok(())
    }
}

/// Drives a reader as c-glue/stream.c does, over a fake stream. An exception from the
/// stream or the growth ends it at once, as the VM's would.
fn drive(s: &mut Fake, buf: &mut VecBuf, mut reader: Reader) -> Result<ReadEnd, IoError> {
    let numbering = s.numbering;
    let mut more = reader.begin(buf.bytes.len());
    while more {
        buf.resize(reader.want)?;
        // Indexing panics if the machine ever asks for a window outside the buffer.
        let window = &mut buf.bytes[reader.at..reader.at + reader.len];
        let mut moved = 0;
        let mut last;
        let call = |s: &mut Fake, into: &mut [u8]| match s.read(into) {
            Ok(n) => Ok(Ok(n)),
            Err(IoError::Errno(code)) => Ok(Err(code)),
            Err(IoError::Raised) => Err(IoError::Raised),
        };
        if reader.stop < 0 {
            last = call(s, window)?;
        } else {
            loop {
                last = call(s, &mut window[moved..moved + 1])?;
                if last != Ok(1) {
                    break;
                }
                moved += 1;
                if i32::from(window[moved - 1]) == reader.stop || moved == window.len() {
                    break;
                }
            }
        }
        more = reader.step(&numbering, &buf.bytes, moved, last);
    }
    assert!(
        reader.want <= buf.bytes.len(),
        "a finished reader only cuts"
    );
    buf.resize(reader.want)?;
    reader.end().map_err(IoError::Errno)
}

fn read_text(s: &mut Fake, buf: &mut VecBuf, chars: usize) -> Result<ReadEnd, IoError> {
    drive(s, buf, Reader::new(MprsReaderKind::Text, Some(chars)))
}

fn read_all(s: &mut Fake, buf: &mut VecBuf) -> Result<ReadEnd, IoError> {
    // The glue passes 0: read() to EOF has no limit.
    drive(s, buf, Reader::new(MprsReaderKind::All, Some(0)))
}

fn read_line(s: &mut Fake, buf: &mut VecBuf, max: Option<usize>) -> Result<ReadEnd, IoError> {
    drive(s, buf, Reader::new(MprsReaderKind::Line, max))
}

const BOTH: [Numbering; 2] = [Numbering::MicroPythonInternal, Numbering::Darwin];

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

fn read_exact(s: &mut Fake, len: usize) -> (Rw, Vec<u8>) {
    let mut buf = vec![0u8; len];
    let numbering = s.numbering;
    let rw = rw(s, &numbering, RwBuf::Read(&mut buf), false);
    (rw, buf)
}

#[test]
fn exact_read_every_chunk_size_returns_everything_asked() {
    let src = data(64);
    for chunk in 1..=64 {
        let mut s = Fake::new(&src, chunk);
        let (out, buf) = read_exact(&mut s, 64);
        assert_eq!(
            out,
            Rw {
                done: 64,
                error: None
            },
            "chunk {chunk}"
        );
        assert_eq!(buf, src);
        assert_eq!(
            s.calls,
            64usize.div_ceil(chunk),
            "chunk {chunk}: one call per chunk"
        );
    }
}

#[test]
fn exact_read_is_short_only_at_eof_at_every_position() {
    for eof in 0..=40 {
        for chunk in [1, 3, 40] {
            let src = data(eof);
            let mut s = Fake::new(&src, chunk);
            let (out, buf) = read_exact(&mut s, 40);
            assert_eq!(
                out,
                Rw {
                    done: eof,
                    error: None
                },
                "eof {eof} chunk {chunk}"
            );
            assert_eq!(&buf[..eof], &src[..]);
        }
    }
}

#[test]
fn once_makes_a_single_call() {
    let src = data(100);
    let mut s = Fake::new(&src, 7);
    let mut buf = [0u8; 50];
    let out = rw(
        &mut s,
        &Numbering::MicroPythonInternal,
        RwBuf::Read(&mut buf),
        true,
    );
    assert_eq!(
        out,
        Rw {
            done: 7,
            error: None
        }
    );
    assert_eq!(s.calls, 1);
    assert_eq!(&buf[..7], &src[..7]);

    let mut s = Fake::new(&[], 7);
    let out = rw(
        &mut s,
        &Numbering::MicroPythonInternal,
        RwBuf::Write(&src),
        true,
    );
    assert_eq!(
        out,
        Rw {
            done: 7,
            error: None
        }
    );
    assert_eq!((s.calls, &s.written[..]), (1, &src[..7]));
}

#[test]
fn eagain_before_progress_is_reported_and_after_progress_is_success() {
    for n in BOTH {
        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Errno(MprsErrno::Eagain)]);
        let (out, _) = read_exact(&mut s, 10);
        assert_eq!(
            out,
            Rw {
                done: 0,
                error: Some(IoError::Errno(n.value(MprsErrno::Eagain)))
            }
        );

        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Move(3), Step::Errno(MprsErrno::Ewouldblock)]);
        let (out, buf) = read_exact(&mut s, 10);
        assert_eq!(
            out,
            Rw {
                done: 3,
                error: None
            },
            "{n:?}: progress is kept, not leaked"
        );
        assert_eq!(&buf[..3], &data(10)[..3]);
    }
}

#[test]
fn the_ports_numbering_decides_what_is_non_blocking() {
    // Linux's EAGAIN (11) is a hard error on a port whose EAGAIN is 35.
    let mut s = Fake::new(&data(10), 4)
        .numbering(Numbering::Darwin)
        .with(&[Step::Move(2), Step::Code(11)]);
    let (out, _) = read_exact(&mut s, 10);
    assert_eq!(
        out,
        Rw {
            done: 2,
            error: Some(IoError::Errno(11))
        }
    );
}

#[test]
fn hard_errors_and_exceptions_return_progress_with_the_error() {
    for n in BOTH {
        let eio = n.value(MprsErrno::Eio);
        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Move(3), Step::Errno(MprsErrno::Eio)]);
        assert_eq!(
            read_exact(&mut s, 10).0,
            Rw {
                done: 3,
                error: Some(IoError::Errno(eio))
            }
        );

        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Move(3), Step::Raise]);
        assert_eq!(
            read_exact(&mut s, 10).0,
            Rw {
                done: 3,
                error: Some(IoError::Raised)
            }
        );
        assert_eq!(s.calls, 2, "nothing is called after an exception");
    }
}

#[test]
fn a_write_that_returns_zero_ends_the_loop() {
    let src = data(20);
    let mut s = Fake::new(&[], 5).with(&[Step::Move(5), Step::Zero]);
    let out = rw(
        &mut s,
        &Numbering::MicroPythonInternal,
        RwBuf::Write(&src),
        false,
    );
    assert_eq!(
        out,
        Rw {
            done: 5,
            error: None
        }
    );
    assert_eq!(s.calls, 2);
}

#[test]
fn exact_write_every_chunk_size_writes_everything_in_order() {
    let src = data(33);
    for chunk in 1..=33 {
        let mut s = Fake::new(&[], chunk);
        let out = rw(
            &mut s,
            &Numbering::MicroPythonInternal,
            RwBuf::Write(&src),
            false,
        );
        assert_eq!(
            out,
            Rw {
                done: 33,
                error: None
            }
        );
        assert_eq!(s.written, src);
    }
}

#[test]
fn an_over_long_count_is_eio_never_an_overrun() {
    for n in BOTH {
        let eio = Some(IoError::Errno(n.value(MprsErrno::Eio)));
        for once in [false, true] {
            let mut s = Fake::new(&data(10), 4)
                .numbering(n)
                .with(&[Step::Overlong(1)]);
            let mut buf = [0u8; 8];
            assert_eq!(
                rw(&mut s, &n, RwBuf::Read(&mut buf), once),
                Rw {
                    done: 0,
                    error: eio
                }
            );
        }
        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Move(2), Step::Overlong(usize::MAX - 8)]);
        assert_eq!(
            read_exact(&mut s, 8).0,
            Rw {
                done: 2,
                error: eio
            },
            "no unsigned wrap"
        );
        let mut s = Fake::new(&[], 4).numbering(n).with(&[Step::Overlong(3)]);
        assert_eq!(
            rw(&mut s, &n, RwBuf::Write(&data(8)), false),
            Rw {
                done: 0,
                error: eio
            }
        );
    }
}

#[test]
fn an_empty_request_makes_no_call() {
    let mut s = Fake::new(&data(4), 4);
    assert_eq!(
        read_exact(&mut s, 0).0,
        Rw {
            done: 0,
            error: None
        }
    );
    assert_eq!(s.calls, 0);
}

fn text(s: &mut Fake, chars: usize) -> (Result<ReadEnd, IoError>, Vec<u8>) {
    let mut buf = VecBuf::new();
    let r = read_text(s, &mut buf, chars);
    (r, buf.bytes)
}

#[test]
fn text_read_counts_characters_and_never_reads_past_them() {
    let src = "aé€😀b".as_bytes();
    for chunk in 1..=src.len() {
        for chars in 0..=6 {
            let expect: std::string::String = "aé€😀b".chars().take(chars).collect();
            let mut s = Fake::new(src, chunk);
            let (r, out) = text(&mut s, chars);
            assert_eq!(r, Ok(ReadEnd::Data));
            assert_eq!(out, expect.as_bytes(), "chunk {chunk} chars {chars}");
            assert_eq!(s.pos, expect.len(), "no over-read");
        }
    }
}

#[test]
fn text_read_stops_at_eof_mid_character() {
    let src = &"a€".as_bytes()[..3]; // 'a' and 2 of the 3 bytes of '€'
    let mut s = Fake::new(src, 1);
    let (r, out) = text(&mut s, 5);
    assert_eq!((r, &out[..]), (Ok(ReadEnd::Data), src));
}

#[test]
fn text_read_non_blocking() {
    for n in BOTH {
        let mut s = Fake::new(b"abc", 4)
            .numbering(n)
            .with(&[Step::Errno(MprsErrno::Eagain)]);
        assert_eq!(text(&mut s, 2), (Ok(ReadEnd::WouldBlockEmpty), vec![]));
        // One whole char, then nothing more for now: what was read is returned.
        let mut s = Fake::new("é€".as_bytes(), 2)
            .numbering(n)
            .with(&[Step::Move(2), Step::Errno(MprsErrno::Eagain)]);
        assert_eq!(
            text(&mut s, 2),
            (Ok(ReadEnd::Data), "é".as_bytes().to_vec())
        );
    }
}

#[test]
fn text_read_reports_errors_and_memory_errors() {
    let mut s = Fake::new(b"abc", 4).with(&[Step::Errno(MprsErrno::Eio)]);
    assert_eq!(text(&mut s, 2).0, Err(IoError::Errno(5)));
    let mut s = Fake::new(b"abc", 4);
    let mut buf = VecBuf {
        bytes: Vec::new(),
        limit: 1,
    };
    assert_eq!(read_text(&mut s, &mut buf, 2), Err(IoError::Raised));
    assert_eq!(s.calls, 0, "no read into memory that could not be had");
}

fn all(s: &mut Fake) -> (Result<ReadEnd, IoError>, Vec<u8>) {
    let mut buf = VecBuf::new();
    let r = read_all(s, &mut buf);
    (r, buf.bytes)
}

#[test]
fn read_all_reads_to_eof_across_growth() {
    for len in [0, 1, 255, 256, 257, 1000] {
        for chunk in [1, 100, 256, 4096] {
            let src = data(len);
            let mut s = Fake::new(&src, chunk);
            assert_eq!(
                all(&mut s),
                (Ok(ReadEnd::Data), src.clone()),
                "len {len} chunk {chunk}"
            );
        }
    }
}

#[test]
fn read_all_non_blocking_and_errors() {
    for n in BOTH {
        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Errno(MprsErrno::Eagain)]);
        assert_eq!(all(&mut s), (Ok(ReadEnd::WouldBlockEmpty), vec![]));
        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Move(4), Step::Errno(MprsErrno::Eagain)]);
        assert_eq!(all(&mut s), (Ok(ReadEnd::Data), data(4)));
        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Move(4), Step::Raise]);
        assert_eq!(all(&mut s).0, Err(IoError::Raised));
        let mut s = Fake::new(&data(10), 4)
            .numbering(n)
            .with(&[Step::Overlong(1)]);
        assert_eq!(all(&mut s).0, Err(IoError::Errno(n.value(MprsErrno::Eio))));
    }
}

fn line(s: &mut Fake, max: Option<usize>) -> (Result<ReadEnd, IoError>, Vec<u8>) {
    let mut buf = VecBuf::new();
    let r = read_line(s, &mut buf, max);
    (r, buf.bytes)
}

#[test]
fn readline_reads_one_line_with_its_newline() {
    let mut s = Fake::new(b"ab\ncd\nef", 4);
    assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"ab\n".to_vec()));
    assert_eq!(s.pos, 3, "unbuffered: nothing past the newline is read");
    assert_eq!(line(&mut s, Some(1)), (Ok(ReadEnd::Data), b"c".to_vec()));
    assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"d\n".to_vec()));
    assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"ef".to_vec()));
    assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"".to_vec()));
    assert_eq!(line(&mut s, Some(0)), (Ok(ReadEnd::Data), b"".to_vec()));
}

#[test]
fn readline_across_growth_steps_keeps_every_byte() {
    let mut text = data(50);
    text.iter_mut().for_each(|b| *b |= 0x80); // no newline inside
    text.push(b'\n');
    text.extend_from_slice(b"next");
    let mut s = Fake::new(&text, 3);
    assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), text[..51].to_vec()));
    assert_eq!(
        line(&mut s, Some(33)),
        (Ok(ReadEnd::Data), b"next".to_vec())
    );
    let mut s = Fake::new(&text, 3);
    assert_eq!(
        line(&mut s, Some(33)),
        (Ok(ReadEnd::Data), text[..33].to_vec())
    );
    assert_eq!(s.pos, 33);
}

#[test]
fn readline_non_blocking_and_errors() {
    for n in BOTH {
        let mut s = Fake::new(b"abc\n", 1)
            .numbering(n)
            .with(&[Step::Errno(MprsErrno::Eagain)]);
        assert_eq!(line(&mut s, None), (Ok(ReadEnd::WouldBlockEmpty), vec![]));
        let mut s = Fake::new(b"abc\n", 1)
            .numbering(n)
            .with(&[Step::Move(1), Step::Errno(MprsErrno::Eagain)]);
        assert_eq!(line(&mut s, None), (Ok(ReadEnd::Data), b"a".to_vec()));
        let mut s = Fake::new(b"abc\n", 1)
            .numbering(n)
            .with(&[Step::Move(1), Step::Overlong(1)]);
        assert_eq!(
            line(&mut s, None).0,
            Err(IoError::Errno(n.value(MprsErrno::Eio)))
        );
        let mut s = Fake::new(b"abc\n", 1).numbering(n).with(&[Step::Raise]);
        assert_eq!(line(&mut s, None).0, Err(IoError::Raised));
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..20).prop_map(Step::Move),
        1 => Just(Step::Errno(MprsErrno::Eagain)),
        1 => Just(Step::Errno(MprsErrno::Eio)),
        1 => Just(Step::Raise),
        1 => (1usize..5).prop_map(Step::Overlong),
        1 => Just(Step::Zero),
    ]
}

proptest! {
    /// Whatever the stream does, rw reports exactly the bytes it moved, in order, never
    /// more than asked, and stops short only for EOF, an error or progress before EAGAIN.
    #[test]
    fn rw_reports_what_moved(
        len in 0usize..64,
        avail in 0usize..80,
        chunk in 1usize..70,
        steps in proptest::collection::vec(step(), 0..8),
        once in any::<bool>(),
        darwin in any::<bool>(),
    ) {
        let numbering = if darwin { Numbering::Darwin } else { Numbering::MicroPythonInternal };
        let src = data(avail);
        let mut s = Fake::new(&src, chunk).numbering(numbering).with(&steps);
        let mut buf = vec![0u8; len];
        let out = rw(&mut s, &numbering, RwBuf::Read(&mut buf), once);
        prop_assert!(out.done <= len);
        prop_assert_eq!(out.done, s.pos, "done is exactly what the stream moved");
        prop_assert_eq!(&buf[..out.done], &src[..out.done]);
        if out.error.is_none() && out.done < len && !once {
            // Short without error: EOF, a zero return, or EAGAIN after progress.
            prop_assert!(s.pos == avail || s.calls > 0);
        }
        if once {
            prop_assert!(s.calls <= 1);
        }
    }

    /// Whatever the stream does, a reader keeps exactly the bytes it read, in order, asks
    /// only for windows inside the buffer (`drive` indexes them), and readline stops at
    /// its newline and its limit.
    #[test]
    fn readers_keep_exactly_what_they_read(
        kind in 0u8..3,
        src in proptest::collection::vec(any::<u8>(), 0..600),
        chunk in 1usize..300,
        steps in proptest::collection::vec(step(), 0..8),
        limit in proptest::option::of(0usize..40),
        darwin in any::<bool>(),
    ) {
        let kind = [MprsReaderKind::Line, MprsReaderKind::All, MprsReaderKind::Text][kind as usize];
        let numbering = if darwin { Numbering::Darwin } else { Numbering::MicroPythonInternal };
        let mut s = Fake::new(&src, chunk).numbering(numbering).with(&steps);
        let mut buf = VecBuf::new();
        if drive(&mut s, &mut buf, Reader::new(kind, limit)).is_ok() {
            let got = &buf.bytes[..];
            prop_assert_eq!(got.len(), s.pos, "every byte read is kept");
            prop_assert_eq!(got, &src[..got.len()]);
            if kind == MprsReaderKind::Line {
                let body = got.split_last().map_or(&[][..], |(_, body)| body);
                prop_assert!(!body.contains(&b'\n'), "nothing past the newline");
                prop_assert!(got.len() <= limit.unwrap_or(usize::MAX));
            }
        }
    }

    /// read(n) on text returns exactly the first n characters and reads no byte past them.
    #[test]
    fn text_read_takes_exactly_n_chars(text_in in "\\PC{0,24}", n in 0usize..30, chunk in 1usize..9) {
        let expect: std::string::String = text_in.chars().take(n).collect();
        let mut s = Fake::new(text_in.as_bytes(), chunk);
        let (r, out) = text(&mut s, n);
        prop_assert_eq!(r, Ok(ReadEnd::Data));
        prop_assert_eq!(&out[..], expect.as_bytes());
        prop_assert_eq!(s.pos, expect.len());
    }
}
