# mp_stream_rw from C with a NULL buffer and a non-zero size (a deliberate difference, see
# differences.txt: the C original passes NULL to the stream's read and crashes; mprs gives
# EINVAL and makes no call). A zero size is no call on both.
import errno
import io

try:
    import mprs_testhooks
except ImportError:
    print("SKIP")
    raise SystemExit

s = io.BytesIO(b"abcdef")
done, err = mprs_testhooks.rw_null(s, 0)
print("size 0:", done, errno.errorcode.get(err, err))
done, err = mprs_testhooks.rw_null(s, 4)
print("size 4:", done, errno.errorcode.get(err, err))
print("the stream is untouched:", s.read())
