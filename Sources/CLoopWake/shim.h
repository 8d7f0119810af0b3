// What the control loop sleeps on so that a stop can wake it before its deadline: an eventfd,
// and ppoll with a nanosecond timeout (Swift's Glibc module leaves both out: sys/eventfd.h is
// not in it, and ppoll needs _GNU_SOURCE). The raw system call needs neither.
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/// ppoll(2) without a signal mask; the timeout is relative and may be updated by the kernel.
static inline int needled_ppoll(struct pollfd *descriptors, unsigned long count, struct timespec *timeout) {
    return (int)syscall(SYS_ppoll, descriptors, count, timeout, (void *)0, (size_t)0);
}
