/* loop.c — ZeroMQ sockets on libuv. See include/as/loop.h for the rules. */
#include "as/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct as_zwatch {
    uv_poll_t poll;
    uv_idle_t idle;
    void *zsock;
    as_zwatch_fn reader;
    void *arg;
    int open_handles; /* freed when both close callbacks have run */
    bool closing;
};

static bool s_has_input(void *zsock)
{
    int events = 0;
    size_t size = sizeof events;
    if (zmq_getsockopt(zsock, ZMQ_EVENTS, &events, &size) != 0)
        return false;
    return (events & ZMQ_POLLIN) != 0;
}

static void s_idle_cb(uv_idle_t *idle);

/* Runs the reader once if input waits, then decides whether to continue from
 * the idle handle (more input) or to sleep on the fd (none). */
static void s_service(as_zwatch_t *self)
{
    if (self->closing)
        return;
    if (s_has_input(self->zsock)) {
        self->reader(self, self->zsock, self->arg);
        if (self->closing)
            return;
    }
    if (s_has_input(self->zsock))
        uv_idle_start(&self->idle, s_idle_cb);
    else
        uv_idle_stop(&self->idle);
}

static void s_idle_cb(uv_idle_t *idle)
{
    s_service((as_zwatch_t *)idle->data);
}

static void s_poll_cb(uv_poll_t *poll, int status, int events)
{
    (void)status;
    (void)events;
    s_service((as_zwatch_t *)poll->data);
}

as_zwatch_t *as_zwatch_new(uv_loop_t *loop, void *zsock, as_zwatch_fn reader, void *arg)
{
    int fd = -1;
    size_t size = sizeof fd;
    if (zmq_getsockopt(zsock, ZMQ_FD, &fd, &size) != 0)
        return NULL;
    as_zwatch_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->zsock = zsock;
    self->reader = reader;
    self->arg = arg;
    if (uv_poll_init(loop, &self->poll, fd) != 0) {
        free(self);
        return NULL;
    }
    uv_idle_init(loop, &self->idle);
    self->poll.data = self;
    self->idle.data = self;
    self->open_handles = 2;
    uv_poll_start(&self->poll, UV_READABLE, s_poll_cb);
    /* a message may already wait and its edge be gone: check before polling */
    uv_idle_start(&self->idle, s_idle_cb);
    return self;
}

void as_zwatch_kick(as_zwatch_t *self)
{
    if (self && !self->closing)
        uv_idle_start(&self->idle, s_idle_cb);
}

static void s_close_cb(uv_handle_t *handle)
{
    as_zwatch_t *self = handle->data;
    if (--self->open_handles == 0)
        free(self);
}

void as_zwatch_destroy(as_zwatch_t **self_p)
{
    as_zwatch_t *self = *self_p;
    if (!self)
        return;
    self->closing = true;
    uv_poll_stop(&self->poll);
    uv_idle_stop(&self->idle);
    uv_close((uv_handle_t *)&self->poll, s_close_cb);
    uv_close((uv_handle_t *)&self->idle, s_close_cb);
    *self_p = NULL;
}

int as_zrecv_frames(void *zsock, void *frames_v, size_t max_frames, size_t *nframes)
{
    zmq_msg_t *frames = frames_v;
    size_t n = 0;
    int more = 1;
    while (more) {
        zmq_msg_t scratch;
        zmq_msg_t *msg = n < max_frames ? &frames[n] : &scratch;
        if (msg == &scratch)
            zmq_msg_init(&scratch);
        int flags = n == 0 ? ZMQ_DONTWAIT : 0; /* later parts are already here */
        if (zmq_msg_recv(msg, zsock, flags) < 0) {
            int err = errno;
            if (msg == &scratch)
                zmq_msg_close(&scratch);
            *nframes = n;
            return -err;
        }
        more = zmq_msg_more(msg);
        if (msg == &scratch)
            zmq_msg_close(&scratch);
        if (n <= max_frames)
            n++;
    }
    *nframes = n;
    return 0;
}

int as_zsend_frames(void *zsock, size_t nframes, const void *const *data, const size_t *lens)
{
    for (size_t i = 0; i < nframes; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < nframes ? ZMQ_SNDMORE : 0);
        if (zmq_send(zsock, data[i], lens[i], flags) < 0)
            return -errno;
    }
    return 0;
}

struct as_signals {
    uv_signal_t term;
    uv_signal_t intr;
    void (*on_stop)(void *arg);
    void *arg;
    int open_handles;
};

static void s_signal_cb(uv_signal_t *handle, int signum)
{
    (void)signum;
    as_signals_t *self = handle->data;
    self->on_stop(self->arg);
}

as_signals_t *as_signals_new(uv_loop_t *loop, void (*on_stop)(void *arg), void *arg)
{
    as_signals_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->on_stop = on_stop;
    self->arg = arg;
    uv_signal_init(loop, &self->term);
    uv_signal_init(loop, &self->intr);
    self->term.data = self->intr.data = self;
    self->open_handles = 2;
    uv_signal_start(&self->term, s_signal_cb, SIGTERM);
    uv_signal_start(&self->intr, s_signal_cb, SIGINT);
    uv_unref((uv_handle_t *)&self->term);
    uv_unref((uv_handle_t *)&self->intr);
    /* a peer that goes away must not kill us with SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
    return self;
}

static void s_signals_close_cb(uv_handle_t *handle)
{
    as_signals_t *self = handle->data;
    if (--self->open_handles == 0)
        free(self);
}

void as_signals_destroy(as_signals_t **self_p)
{
    as_signals_t *self = *self_p;
    if (!self)
        return;
    uv_close((uv_handle_t *)&self->term, s_signals_close_cb);
    uv_close((uv_handle_t *)&self->intr, s_signals_close_cb);
    *self_p = NULL;
}

static void s_close_any(uv_handle_t *handle, void *arg)
{
    (void)arg;
    if (!uv_is_closing(handle))
        uv_close(handle, NULL);
}

int as_loop_close(uv_loop_t *loop)
{
    uv_run(loop, UV_RUN_NOWAIT);
    uv_walk(loop, s_close_any, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    return uv_loop_close(loop);
}
