use super::*;
use std::vec::Vec;

/// A pin with reads and writes only.
struct Led(bool);
impl Pin for Led {
    fn read(&mut self) -> bool {
        self.0
    }
    fn write(&mut self, high: bool) {
        self.0 = high;
    }
}

#[test]
fn rust_pin_answers_every_request() {
    let mut g = LatchPin::default();
    assert_eq!(ioctl(&mut g, MP_PIN_WRITE, 1), Ok(0));
    assert_eq!(ioctl(&mut g, MP_PIN_READ, 0), Ok(1));
    assert_eq!(ioctl(&mut g, MP_PIN_WRITE, 0), Ok(0));
    assert_eq!(ioctl(&mut g, MP_PIN_READ, 0), Ok(0));
    assert_eq!(ioctl(&mut g, MP_PIN_OUTPUT, 0), Ok(0));
    assert!(g.output);
    assert_eq!(ioctl(&mut g, MP_PIN_INPUT, 0), Ok(0));
    assert!(!g.output);
    assert_eq!(
        ioctl(&mut g, MP_PIN_WRITE, 12345),
        Ok(0),
        "any non-zero is high"
    );
    assert!(g.level);
}

#[test]
fn unsupported_requests_are_refused() {
    let mut led = Led(false);
    assert_eq!(ioctl(&mut led, MP_PIN_INPUT, 0), Err(Unsupported));
    assert_eq!(ioctl(&mut led, MP_PIN_OUTPUT, 0), Err(Unsupported));
    for bad in [0, 5, 99, MpUint::MAX] {
        assert_eq!(ioctl(&mut led, bad, 0), Err(Unsupported));
    }
}

/// A pin seen through its ioctl, recording the requests.
struct Recorder<P: Pin> {
    pin: P,
    log: Vec<Request>,
}

impl<P: Pin> PinIoctl for Recorder<P> {
    fn ioctl(&mut self, request: MpUint, arg: usize) -> Result<MpUint, PinError> {
        if let Some(r) = Request::decode(request, arg) {
            self.log.push(r);
        }
        ioctl(&mut self.pin, request, arg).map_err(|Unsupported| PinError::Errno(22))
    }
}

#[test]
fn mphal_operations_over_the_ioctl() {
    let mut p = Recorder {
        pin: LatchPin {
            level: true,
            output: false,
        },
        log: Vec::new(),
    };
    od_low(&mut p).unwrap();
    assert_eq!(
        p.log,
        [Request::Write(false), Request::Output],
        "level first, no glitch"
    );
    assert_eq!(read(&mut p), Ok(0));
    od_high(&mut p).unwrap();
    assert_eq!(read(&mut p), Ok(1), "released and pulled up");
    write(&mut p, true).unwrap();
    set_output(&mut p).unwrap();
    assert!(p.pin.output && p.pin.level);
    let mut led = Recorder {
        pin: Led(false),
        log: Vec::new(),
    };
    assert_eq!(od_high(&mut led), Err(PinError::Errno(22)));
    assert_eq!(
        od_low(&mut led),
        Err(PinError::Errno(22)),
        "the write went through, the mode did not"
    );
}
