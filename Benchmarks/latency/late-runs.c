// Runs of late periods on this host, from a bare C loop shaped like needled's: SCHED_FIFO,
// memory locked, sleeping to absolute 1 ms deadlines on CLOCK_MONOTONIC, skipping missed
// deadlines as the loop does. A period over 1.5 ms is "late" (the supervisor's rule); needled
// latches tickOverrun after `tick-overruns-in-a-row` of them (5 by default). What this prints
// is the host's own, with no Swift, no daemon and no load of ours.
//
//   cc -O2 -o late-runs Benchmarks/latency/late-runs.c && ./late-runs SECONDS PRIORITY
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static long long monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000000000LL + now.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: late-runs SECONDS PRIORITY\n");
        return 2;
    }
    const long long period = 1000000, late_after = 1500000;
    struct sched_param param = {.sched_priority = atoi(argv[2])};
    if (sched_setscheduler(0, SCHED_FIFO, &param) != 0) perror("sched_setscheduler (results are SCHED_OTHER's)");
    mlockall(MCL_CURRENT | MCL_FUTURE);
    long long deadline = monotonic_ns(), last_wake = deadline;
    const long long end = deadline + atoll(argv[1]) * 1000000000LL;
    long long periods = 0, late = 0, longest_period = 0;
    int run = 0, longest_run = 0, runs_of[6] = {0};  // runs_of[5]: 5 or more
    while (deadline < end) {
        deadline += period;
        struct timespec until = {deadline / 1000000000, deadline % 1000000000};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != 0) {}
        long long now = monotonic_ns();
        if (now - deadline > period) deadline = now;
        long long measured = now - last_wake;
        last_wake = now;
        periods++;
        if (measured > longest_period) longest_period = measured;
        if (measured > late_after) {
            late++;
            if (++run > longest_run) longest_run = run;
        } else if (run > 0) {
            runs_of[run >= 5 ? 5 : run]++;
            run = 0;
        }
    }
    printf("%lld periods, %lld late (> 1.5 ms), longest period %lld us, longest run of late periods %d\n",
           periods, late, longest_period / 1000, longest_run);
    printf("runs of 1, 2, 3, 4, 5 or more late periods: %d %d %d %d %d\n", runs_of[1], runs_of[2], runs_of[3],
           runs_of[4], runs_of[5]);
    return 0;
}
