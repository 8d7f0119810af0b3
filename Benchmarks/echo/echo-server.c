/* The floor for socket round trips: a minimal server that echoes newline-delimited lines on a
 * Unix socket, one thread per client. Scripts/bench-socket compares needled against it.
 * usage: echo-server SOCKET_PATH */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void *serve(void *argument) {
    int fd = (int)(long)argument;
    char buffer[65536];
    ssize_t count;
    while ((count = read(fd, buffer, sizeof buffer)) > 0) {
        ssize_t written = 0;
        while (written < count) {
            ssize_t n = write(fd, buffer + written, (size_t)(count - written));
            if (n <= 0) goto done;
            written += n;
        }
    }
done:
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: echo-server SOCKET\n"); return 2; }
    int server = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strncpy(address.sun_path, argv[1], sizeof address.sun_path - 1);
    unlink(argv[1]);
    if (bind(server, (struct sockaddr *)&address, sizeof address) != 0 || listen(server, 64) != 0) {
        perror("echo-server");
        return 1;
    }
    for (;;) {
        int client = accept(server, NULL, NULL);
        if (client < 0) continue;
        pthread_t thread;
        pthread_create(&thread, NULL, serve, (void *)(long)client);
        pthread_detach(thread);
    }
}
