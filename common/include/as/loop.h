/* loop.h — ZeroMQ sockets on a libuv loop, done right, and clean shutdown.
 *
 * ZMQ_FD is edge-triggered and a readable fd does not mean a message waits:
 * - one uv_poll per socket, readable only;
 * - the reader is called only while ZMQ_EVENTS has ZMQ_POLLIN, and reads at
 *   most its own budget before returning;
 * - after the reader returns, ZMQ_EVENTS is read again; if more is waiting the
 *   watcher continues from a uv_idle handle on the next loop iteration, so
 *   other sockets and timers get their turn;
 * - every zmq_send/zmq_recv can swallow the fd's edge, so code that sends on a
 *   watched socket outside its reader calls as_zwatch_kick() afterwards;
 * - the socket is checked once before the first poll.
 * Every call here, and every zmq call on a watched socket, is made on the
 * loop's thread.
 */
#ifndef AS_LOOP_H
#define AS_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

typedef struct as_zwatch as_zwatch_t;

/* Called while the socket has a message waiting. Reads up to its budget. */
typedef void (*as_zwatch_fn)(as_zwatch_t *watch, void *zsock, void *arg);

/* Watches `zsock` (not owned) on `loop`. Returns NULL on failure. */
as_zwatch_t *as_zwatch_new(uv_loop_t *loop, void *zsock, as_zwatch_fn reader, void *arg);

/* Re-reads ZMQ_EVENTS soon (from the idle handle). Call after sending on the
 * socket outside the reader. Cheap; safe to call often. */
void as_zwatch_kick(as_zwatch_t *self);

/* Stops watching; the memory is freed by libuv's close callbacks. Nulls *self_p.
 * The socket itself is not closed. */
void as_zwatch_destroy(as_zwatch_t **self_p);

/* Receives a multipart message without blocking. Frames beyond `max_frames`
 * are read and dropped (the message is then malformed: *nframes is set to
 * max_frames + 1). Each frames[i] must be zmq_msg_init'ed by the caller, and
 * is closed/re-inited by the caller. Returns 0, -EAGAIN when nothing waits, or
 * -errno. */
int as_zrecv_frames(void *zsock, void *frames /* zmq_msg_t[] */, size_t max_frames,
                    size_t *nframes);

/* Sends frames as one multipart message (ZMQ_DONTWAIT). Returns 0 or -errno
 * (-EAGAIN when the high-water mark is reached). */
int as_zsend_frames(void *zsock, size_t nframes, const void *const *data, const size_t *lens);

/* Calls `on_stop(arg)` on SIGTERM or SIGINT (once each time a signal comes).
 * The handles are unreferenced, so they never keep the loop alive. */
typedef struct as_signals as_signals_t;
as_signals_t *as_signals_new(uv_loop_t *loop, void (*on_stop)(void *arg), void *arg);
void as_signals_destroy(as_signals_t **self_p);

/* Closes every handle left on `loop`, runs it until they are gone, and closes
 * the loop. Returns 0 or the uv error of uv_loop_close. */
int as_loop_close(uv_loop_t *loop);

#endif
