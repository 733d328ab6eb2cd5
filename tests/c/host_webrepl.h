// Host WebREPL services for the C tests: the websocket is a host stream whose reads play a
// script of frames (its GET_DATA_OPTS ioctl tells the kind of the last), what the session
// sends is collected, and the "file system" is one in-memory file per name.
#ifndef MPRS_HOST_WEBREPL_H
#define MPRS_HOST_WEBREPL_H

#include "host_port.h"

#define HOST_WR_FRAMES 32
#define HOST_WR_FILES 4

typedef struct {
    const uint8_t *data;
    size_t len;
    bool text;
} host_wr_frame_t;

typedef struct {
    char name[80];
    uint8_t data[4096];
    size_t len;
    bool used;
} host_wr_file_t;

typedef struct {
    host_stream_t sock; // the websocket, as mprs_webrepl_read is given it
    host_wr_frame_t frames[HOST_WR_FRAMES];
    size_t n_frames, frame, offset;
    bool raise_on_recv;
    bool last_text; // the kind of the frame last read
    uint8_t sent[8192];
    size_t sent_len;
    host_wr_file_t files[HOST_WR_FILES];
    host_wr_file_t *open; // the current file
    size_t read_pos;
    uint64_t session[(MPRS_WEBREPL_SESSION_SIZE + 7) / 8];
    // The GET chunk buffer the session is given: chunk_len bytes of chunk (0: none).
    uint8_t chunk[MPRS_WEBREPL_CHUNK_PREFIX + 1024];
    size_t chunk_len;
    unsigned binary_sends; // binary frames sent
} host_webrepl_t;

void host_webrepl_init(host_webrepl_t *h);
void host_webrepl_frame(host_webrepl_t *h, const void *data, size_t len, bool text);
host_wr_file_t *host_webrepl_file(host_webrepl_t *h, const char *name);
extern const char *host_webrepl_password;

#endif // MPRS_HOST_WEBREPL_H
