/* astest_notify — plays systemd's side of Type=notify for a test: listens on
 * a unix datagram socket, runs PROGRAM ARGS... with NOTIFY_SOCKET naming it
 * (and WATCHDOG_USEC=MS*1000 when --watchdog MS is given), and prints each
 * line of each notification it sends ("READY=1", "WATCHDOG=1", ...). Stops
 * the program with SIGTERM once it has seen READY=1 and, with a watchdog,
 * two WATCHDOG=1, or when the program exits; gives up after 30 s.
 * Exits with the program's exit status, or 1 when it had to give up. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int s_listen(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("astest_notify: bind");
        exit(1);
    }
    return fd;
}

/* Prints each line of one datagram; counts READY=1 and WATCHDOG=1. */
static void s_read_one(int fd, int *ready, int *fed)
{
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return;
    buf[n] = '\0';
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        printf("%s\n", line);
        *ready += strcmp(line, "READY=1") == 0;
        *fed += strcmp(line, "WATCHDOG=1") == 0;
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int watchdog_ms = 0, first = 2;
    if (argc > 3 && strcmp(argv[2], "--watchdog") == 0) {
        watchdog_ms = atoi(argv[3]);
        first = 4;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: astest_notify SOCKET [--watchdog MS] PROGRAM ARGS...\n");
        return 64;
    }
    int fd = s_listen(argv[1]);
    pid_t child = fork();
    if (child == 0) {
        setenv("NOTIFY_SOCKET", argv[1], 1);
        if (watchdog_ms > 0) {
            char usec[32];
            snprintf(usec, sizeof usec, "%lld", (long long)watchdog_ms * 1000);
            setenv("WATCHDOG_USEC", usec, 1);
        }
        execv(argv[first], argv + first);
        perror("astest_notify: exec");
        _exit(127);
    }
    int ready = 0, fed = 0, status = 0;
    time_t deadline = time(NULL) + 30;
    bool stopped = false, exited = false;
    while (!exited && time(NULL) < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) > 0)
            s_read_one(fd, &ready, &fed);
        if (!stopped && ready && (watchdog_ms == 0 || fed >= 2)) {
            kill(child, SIGTERM);
            stopped = true;
        }
        exited = waitpid(child, &status, WNOHANG) == child;
    }
    while (poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 0) > 0)
        s_read_one(fd, &ready, &fed);
    unlink(argv[1]);
    if (!exited) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
        fprintf(stderr, "astest_notify: gave up after 30 s\n");
        return 1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
