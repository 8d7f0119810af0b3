/* The stop's whole way through needled's socket: STOPS times, a new connection writes
 * pen.emergencyStop and reads its answer; the time from just before the write to the motor-off
 * outputs written (daemon.stats' emergencyStopLastMotorOffMonotonicNanoseconds, the same
 * CLOCK_MONOTONIC) and to the answer read. A control connection opened first asks for the
 * figures and resets the fault after each stop (so it also works with every other slot held).
 * Prints one JSON object: p50/p99/max of each, and how many stops were refused or lost.
 *
 * With --echo, the baseline against Benchmarks/echo/echo-server.c under the same loads: the
 * same new connection, the same line written, its echo read (the floor of any server's answer
 * on this machine), and the same two round trips on the control connection between stops.
 *
 * usage: stop-client SOCKET STOPS
 *        stop-client --echo SOCKET STOPS */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int connect_to(const char *path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    strncpy(address.sun_path, path, sizeof address.sun_path - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(2); }
    struct timeval timeout = { .tv_sec = 5 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

/* One line into buffer (without the newline); 0 at EOF or timeout. */
static int read_line(int fd, char *buffer, size_t size) {
    size_t used = 0;
    while (used + 1 < size) {
        ssize_t n = read(fd, buffer + used, 1);
        if (n <= 0) return 0;
        if (buffer[used] == '\n') break;
        used++;
    }
    buffer[used] = 0;
    return 1;
}

static void send_all(int fd, const char *text) {
    size_t length = strlen(text), sent = 0;
    while (sent < length) {
        ssize_t n = write(fd, text + sent, length - sent);
        if (n <= 0) { perror("write"); exit(3); }
        sent += (size_t)n;
    }
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void summary(const char *name, long long *values, int count, int last) {
    qsort(values, (size_t)count, sizeof *values, compare);
    printf("\"%s\":{\"p50\":%lld,\"p99\":%lld,\"max\":%lld}%s", name, values[count / 2] / 1000,
           values[count * 99 / 100] / 1000, values[count - 1] / 1000, last ? "" : ",");
}

/* A new connection writes the emergency stop and reads one line: 1 if a line came; `written`
 * is the instant just before the write, `answered` just after the line. */
static int one_stop(const char *path, char *line, size_t size, long long *written, long long *answered) {
    int fd = connect_to(path);
    *written = now_ns();
    send_all(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pen.emergencyStop\"}\n");
    int got = read_line(fd, line, size);
    *answered = now_ns();
    close(fd);
    return got;
}

static int echo_baseline(const char *path, int stops) {
    int control = connect_to(path);
    long long *to_answer = calloc((size_t)stops, sizeof(long long));
    int measured = 0, lost = 0;
    char line[65536];
    for (int index = 0; index < stops; index++) {
        long long written, answered;
        if (!one_stop(path, line, sizeof line, &written, &answered)) { lost++; continue; }
        to_answer[measured++] = answered - written;
        for (int trip = 0; trip < 2; trip++) {  /* as daemon.stats and the reset */
            send_all(control, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"daemon.stats\"}\n");
            if (!read_line(control, line, sizeof line)) { fprintf(stderr, "no echo\n"); return 4; }
        }
    }
    if (measured == 0) { printf("{\"stops\":%d,\"lost\":%d}\n", stops, lost); return 1; }
    printf("{\"stops\":%d,\"lost\":%d,", stops, lost);
    summary("bytesToAnswerMicroseconds", to_answer, measured, 1);
    printf("}\n");
    return lost > 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--echo") == 0) return echo_baseline(argv[2], atoi(argv[3]));
    if (argc != 3) { fprintf(stderr, "usage: stop-client SOCKET STOPS | --echo SOCKET STOPS\n"); return 2; }
    const char *path = argv[1];
    int stops = atoi(argv[2]);
    int control = connect_to(path);
    long long *to_motor_off = calloc((size_t)stops, sizeof(long long));
    long long *to_answer = calloc((size_t)stops, sizeof(long long));
    int measured = 0, refused = 0, lost = 0;
    char line[65536];
    for (int index = 0; index < stops; index++) {
        long long written, answered;
        if (!one_stop(path, line, sizeof line, &written, &answered)) { lost++; continue; }
        if (!strstr(line, "\"accepted\":true")) { refused++; fprintf(stderr, "stop answered: %s\n", line); continue; }
        /* daemon.stats goes through the loop's mailbox, which a flood keeps full: ask until answered. */
        const char *key = NULL;
        for (int attempt = 0; attempt < 10000 && !key; attempt++) {
            send_all(control, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"daemon.stats\"}\n");
            if (!read_line(control, line, sizeof line)) { fprintf(stderr, "no stats\n"); return 4; }
            key = strstr(line, "\"emergencyStopLastMotorOffMonotonicNanoseconds\":");
            if (!key) usleep(1000);
        }
        long long motor_off = key ? atoll(key + strlen("\"emergencyStopLastMotorOffMonotonicNanoseconds\":")) : 0;
        to_motor_off[measured] = motor_off - written;
        to_answer[measured] = answered - written;
        measured++;
        /* The fault is reset for the next stop (the bench's pen is idle: nothing to wait for);
         * a busy mailbox is asked again. */
        for (int attempt = 0; attempt < 10000; attempt++) {
            send_all(control, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"pen.resetFault\"}\n");
            if (!read_line(control, line, sizeof line)) { fprintf(stderr, "no reset answer\n"); return 4; }
            if (strstr(line, "\"result\"")) break;
            usleep(1000);
        }
    }
    if (measured == 0) { printf("{\"stops\":%d,\"refused\":%d,\"lost\":%d}\n", stops, refused, lost); return 1; }
    printf("{\"stops\":%d,\"refused\":%d,\"lost\":%d,", stops, refused, lost);
    summary("bytesToMotorOffMicroseconds", to_motor_off, measured, 0);
    summary("bytesToAnswerMicroseconds", to_answer, measured, 1);
    printf("}\n");
    return refused + lost > 0;
}
