// A motor stand-in for the gpio-sim guest: it reads the motor-enable line and the PWM duty that
// needled writes, turns an imaginary shaft at the rate that duty means (a first-order DC motor:
// friction, then speed proportional to duty, reached with the rotor's time constant), and drives the speed sensor's line(s) through gpio-sim's `pull` at that
// rate. A closed loop through the kernel: needled reads the edges the kernel stamped.
//
//   motor-standin SIM_SYSFS PWM_DIR ENABLE A B COUNTS FULL_DUTY_HZ STATUS_FILE
//     B = -1 for a tachometer (one line, COUNTS edges a revolution).
//   motor-standin --max-rate SIM_SYSFS A SECONDS     edges a second the guest can make, then exit
//
// Signals: SIGUSR1 toggles a runaway (a driver stuck on: 2x the commanded rate, enable or not).
// STATUS_FILE gets "generated_millihertz edges" about ten times a second.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t runaway = 0;
static void on_usr1(int sig) { (void)sig; runaway = !runaway; }

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int open_line(const char *sysfs, int offset, const char *attribute, int flags) {
    char path[512];
    snprintf(path, sizeof path, "%s/sim_gpio%d/%s", sysfs, offset, attribute);
    int fd = open(path, flags);
    if (fd < 0) { perror(path); exit(2); }
    return fd;
}

// The first line of a file as a number (the PWM files are plain files in the guest: a shorter
// value written over a longer one leaves its tail after the newline).
static long read_number(int fd) {
    char buffer[64];
    ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) return 0;
    buffer[n] = 0;
    return strtol(buffer, NULL, 10);
}

static void set_pull(int fd, int up) {
    const char *value = up ? "pull-up" : "pull-down";
    if (pwrite(fd, value, strlen(value), 0) < 0) { perror("pull"); exit(3); }
}

static int max_rate(const char *sysfs, int a, double seconds) {
    int pull = open_line(sysfs, a, "pull", O_WRONLY);
    long edges = 0;
    double start = now_seconds();
    while (now_seconds() - start < seconds) {
        set_pull(pull, (int)(edges % 2 == 0));
        edges++;
    }
    printf("%.0f\n", (double)edges / (now_seconds() - start));
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "--max-rate") == 0) return max_rate(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc != 9) {
        fprintf(stderr, "usage: motor-standin SIM_SYSFS PWM_DIR ENABLE A B COUNTS FULL_DUTY_HZ STATUS_FILE\n");
        return 1;
    }
    const char *sysfs = argv[1];
    char path[512];
    int enable = open_line(sysfs, atoi(argv[3]), "value", O_RDONLY);
    int pull_a = open_line(sysfs, atoi(argv[4]), "pull", O_WRONLY);
    int b = atoi(argv[5]);
    int pull_b = b >= 0 ? open_line(sysfs, b, "pull", O_WRONLY) : -1;
    double counts = atof(argv[6]);
    double full_duty_hertz = atof(argv[7]);
    snprintf(path, sizeof path, "%s/duty_cycle", argv[2]);
    int duty = open(path, O_RDONLY);
    snprintf(path, sizeof path, "%s/period", argv[2]);
    int period = open(path, O_RDONLY);
    int status = open(argv[8], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (duty < 0 || period < 0 || status < 0) { perror("pwm or status file"); return 2; }
    signal(SIGUSR1, on_usr1);
    set_pull(pull_a, 0);
    if (pull_b >= 0) set_pull(pull_b, 0);

    double speed = 0;        // revolutions a second, now
    double position = 0;     // in counts since start
    long edges = 0;          // edges made
    int phase = 0;           // quadrature: 0 (A=0,B=0) 1 (1,0) 2 (1,1) 3 (0,1)
    double last = now_seconds(), last_status = last;
    for (;;) {
        double t = now_seconds();
        double dt = t - last;
        last = t;
        char level = '0';
        if (pread(enable, &level, 1, 0) != 1) level = '0';
        long period_ns = read_number(period);
        long duty_ns = read_number(duty);
        // A DC motor's steady speed is proportional to its duty past what friction takes (1 %),
        // reached with the rotor's mechanical time constant (30 ms): the plant needled's
        // feed-forward assumes (166 strokes/s at full duty, 0.18 duty per 1000 Hz/s of ramp).
        double fraction = period_ns > 0 ? (double)duty_ns / (double)period_ns : 0;
        double commanded = level == '1' && fraction > 0.01 ? (fraction - 0.01) * full_duty_hertz : 0;
        if (runaway) commanded = 2.0 * (commanded > 0 ? commanded : full_duty_hertz * 0.5);
        speed += (commanded - speed) * (dt / 0.03 < 1 ? dt / 0.03 : 1);
        position += speed * counts * dt;
        for (int made = 0; position >= 1 && made < 64; made++) {
            position -= 1;
            if (pull_b < 0) {
                set_pull(pull_a, (int)(edges % 2 == 0));
            } else {
                phase = (phase + 1) % 4;
                if (phase == 1) set_pull(pull_a, 1);
                if (phase == 2) set_pull(pull_b, 1);
                if (phase == 3) set_pull(pull_a, 0);
                if (phase == 0) set_pull(pull_b, 0);
            }
            edges++;
        }
        if (t - last_status >= 0.1) {
            char line[64];
            int n = snprintf(line, sizeof line, "%ld %ld\n", (long)(speed * 1000), edges);
            if (ftruncate(status, 0) == 0 && pwrite(status, line, (size_t)n, 0) < 0) perror("status");
            last_status = t;
        }
        // Spin, yielding: an edge is made within a few microseconds of its time whenever the
        // stand-in has the CPU (a sleep would wake late and make edges in bursts). needled's
        // loop and the interrupt threads are real-time and preempt it.
        sched_yield();
    }
}
