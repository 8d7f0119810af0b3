/* Round trips of one request line on a Unix socket: T threads, each sending N requests back to
 * back and timing each response line. Prints JSON: p50/p99 round trip (µs) and requests per second.
 * Holds /dev/cpu_dma_latency at 0 while it runs, so neither server pays for idle wake-ups.
 * usage: rtt-client SOCKET THREADS REQUESTS_PER_THREAD [LINE] (LINE without its newline; default
 * a pen.status request) */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static int requests;
static char line[4096] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pen.status\"}\n";
static size_t line_length;

static int64_t now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *run(void *argument) {
    int64_t *samples = argument;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, path, sizeof address.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(1); }
    char buffer[65536];
    for (int i = 0; i < requests; i++) {
        int64_t start = now();
        if (write(fd, line, line_length) != (ssize_t)line_length) { perror("write"); exit(1); }
        for (;;) {  /* read until the response's newline */
            ssize_t n = read(fd, buffer, sizeof buffer);
            if (n <= 0) { perror("read"); exit(1); }
            if (buffer[n - 1] == '\n') break;
        }
        samples[i] = now() - start;
    }
    close(fd);
    return NULL;
}

static int compare(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: rtt-client SOCKET THREADS REQUESTS [LINE]\n"); return 2; }
    if (argc == 5) {
        if (strlen(argv[4]) + 2 > sizeof line) { fprintf(stderr, "rtt-client: LINE is too long\n"); return 2; }
        snprintf(line, sizeof line, "%s\n", argv[4]);
    }
    line_length = strlen(line);
    path = argv[1];
    int threads = atoi(argv[2]);
    requests = atoi(argv[3]);
    int latency = open("/dev/cpu_dma_latency", O_WRONLY);
    if (latency >= 0) { int32_t zero = 0; if (write(latency, &zero, 4) != 4) { close(latency); latency = -1; } }
    int64_t *samples = calloc((size_t)threads * (size_t)requests, sizeof *samples);
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    int64_t start = now();
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, run, samples + (size_t)t * (size_t)requests);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    double seconds = (double)(now() - start) / 1e9;
    size_t total = (size_t)threads * (size_t)requests;
    qsort(samples, total, sizeof *samples, compare);
    printf("{\"threads\":%d,\"requests\":%zu,\"p50Microseconds\":%.1f,\"p99Microseconds\":%.1f,\"requestsPerSecond\":%.0f,\"dmaLatencyHeld\":%s}\n",
           threads, total, samples[total / 2] / 1e3, samples[total * 99 / 100] / 1e3, total / seconds,
           latency >= 0 ? "true" : "false");
    return 0;
}
